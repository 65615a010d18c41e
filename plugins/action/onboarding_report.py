# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onboarding_report writes the bulk report on the controller (plugins/plugin_utils/_report.py)."""

from ansible_collections.csp.onboarding.plugins.plugin_utils._report import OnboardingReportAction


class ActionModule(OnboardingReportAction):
    pass
