# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compact outcome of one tenant, from the registered results of the onboarding steps.

The same function builds the result of the module ``tenant_onboarding`` (``plugin_utils/_onboarding.py``); this
filter gives it to playbooks that run the steps' modules as tasks of their own.
"""

DOCUMENTATION = r"""
name: onboarding_outcome
short_description: The compact outcome of one tenant's onboarding steps
version_added: 0.2.0
author:
  - csp.onboarding maintainers (@csp-onboarding)
description:
  - Builds the outcome that M(csp.onboarding.tenant_onboarding) returns (and the role
    C(csp.onboarding.tenant_onboarding) records as C(tenant_onboarding_result), from which the bulk playbook's report
    is built), out of the registered results of the same steps run as tasks of their own.
  - For a playbook that runs the steps' modules itself and wants the same shape (and the same report).
options:
  _input:
    description:
      - The registered results of the steps, by step, each V({}) or a skipped result when the step did not run.
      - Keys C(create) (M(csp.onboarding.customer)), C(lookup) (M(csp.onboarding.customer_info)), C(agreement),
        C(gdap) (M(csp.onboarding.gdap_relationship_info) with C(required_roles)), C(invite)
        (M(csp.onboarding.gdap_relationship)), C(assignments) (a loop of M(csp.onboarding.gdap_access_assignment)),
        C(domains) (a loop of M(csp.onboarding.verified_domain)), C(graph_domains) (a loop of
        M(csp.onboarding.customer_domain)), C(users) (M(csp.onboarding.customer_users)), C(bypass)
        (M(csp.onboarding.aps_bypass_validation)) and C(failure) (the failed step, V({}) when none failed).
    type: dict
    required: true
  settings:
    description:
      - What the steps were asked to do. Keys C(tenant_id), C(check_mode), C(domain_method), C(domains), C(users),
        C(agreement) and C(held_back_pattern) (a regular expression of the UPNs held back, or V('')).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Record the outcome of the steps
  ansible.builtin.set_fact:
    tenant_onboarding_result: "{{ steps | csp.onboarding.onboarding_outcome(settings) }}"
  vars:
    steps:
      lookup: "{{ lookup_run }}"
      users: "{{ users_run }}"
    settings:
      tenant_id: "{{ customer_id }}"
      check_mode: "{{ ansible_check_mode }}"
"""

RETURN = r"""
_value:
  description:
    - C(customer_id), C(company_name), C(status) (V(ok), V(failed) or V(awaiting_approval)), C(changed), C(customer),
      C(agreement), C(gdap), C(domains), C(users), C(aps_bypass), C(failure) and C(correlation_ids), as the bulk
      onboarding guide describes them.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.onboarding.plugins.plugin_utils._onboarding import onboarding_outcome as outcome


def onboarding_outcome(steps, settings):
    try:
        return outcome(steps, settings)
    except TypeError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"onboarding_outcome": onboarding_outcome}
