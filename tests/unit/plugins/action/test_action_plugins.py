# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module has its action plugin, and each is one of the collection's actions, with nothing of its own.

The in-process action runs a module's definition; tenant_onboarding's action runs the role's steps (the other
modules' definitions) in one task; onboarding_report's writes the bulk report on the controller.
"""

import importlib
import os

import pytest

from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import InProcessModuleAction
from ansible_collections.csp.onboarding.plugins.plugin_utils._onboarding import TenantOnboardingAction
from ansible_collections.csp.onboarding.plugins.plugin_utils._report import OnboardingReportAction

ACTIONS = {"tenant_onboarding": TenantOnboardingAction, "onboarding_report": OnboardingReportAction}

PLUGINS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "plugins"))


def names(kind):
    return sorted(name[:-3] for name in os.listdir(os.path.join(PLUGINS, kind))
                  if name.endswith(".py") and not name.startswith("_"))


def test_every_module_has_an_action_plugin_and_every_action_plugin_a_module():
    assert names("action") == names("modules")


@pytest.mark.parametrize("name", names("action"))
def test_the_action_plugin_is_the_collection_action_and_nothing_else(name):
    action = importlib.import_module("ansible_collections.csp.onboarding.plugins.action.%s" % name).ActionModule
    base = ACTIONS.get(name, InProcessModuleAction)
    assert action.__bases__ == (base,)
    # No behaviour of its own: the same attributes as an empty subclass.

    class Empty(base):
        pass
    assert set(vars(action)) - {"__doc__"} == set(vars(Empty)) - {"__doc__"}
