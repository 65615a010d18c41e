# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of every module of the collection: customer_info's, and the others' through meta/runtime.yml.

It runs the module's definition in the controller's worker process when that is safe, and the module
itself otherwise; see plugins/plugin_utils/_in_process.py. It carries a module's name because an action
plugin must have a module of the same name to document it (ansible-test's action-plugin-docs check); the
other modules are routed to it, as kubernetes.core routes its modules to its k8s_info action plugin.
"""

from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    pass
