# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tenant_onboarding runs the role's steps in one task (plugins/plugin_utils/_onboarding.py)."""

from ansible_collections.csp.onboarding.plugins.plugin_utils._onboarding import TenantOnboardingAction


class ActionModule(TenantOnboardingAction):
    pass
