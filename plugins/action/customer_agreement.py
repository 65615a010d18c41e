# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""customer_agreement runs through the collection's one in-process action (plugins/plugin_utils/_in_process.py)."""

from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    pass
