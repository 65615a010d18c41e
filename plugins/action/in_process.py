# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of every module of the collection (routed in meta/runtime.yml).

It runs the module's definition in the controller's worker process when that is safe, and the module
itself otherwise; see plugins/plugin_utils/_in_process.py.
"""

from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    pass
