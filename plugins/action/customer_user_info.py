# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the customer_user_info module in the controller's worker process (see plugin_utils/_in_process.py)."""

from ansible_collections.csp.onboarding.plugins.modules import customer_user_info
from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    DEFINITION = customer_user_info.DEFINITION
