# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in
      diff mode. Secrets are never part of the diff.
    support: full
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details: This module only reads.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in
      diff mode.
    support: N/A
    details: This module only reads.
"""

    PARTNER_CENTER_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/csp.onboarding.partner_center) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - csp.onboarding.partner_center
"""

    APS_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/csp.onboarding.aps) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - csp.onboarding.aps
"""

    # Every module has an action plugin of the same name (plugins/action/).
    ACTION = r"""
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the
      controller.
    support: full
    details: With C(connection=local) the whole module runs in the worker process of C(ansible-playbook), through the
      action plugin of the same name, instead of as a new Python process; with another connection, with C(async), or
      with the variable C(csp_onboarding_in_process=false) it runs as an ordinary module.
"""
