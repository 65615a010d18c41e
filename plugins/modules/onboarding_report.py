#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: onboarding_report
short_description: Write the report of a bulk onboarding run
version_added: 0.2.0
description:
  - Writes the report of the tenants' outcomes (the results of M(csp.onboarding.tenant_onboarding), which the role
    C(csp.onboarding.tenant_onboarding) records as C(tenant_onboarding_result)) into O(path), on the controller.
    C(<name>.json) holds every tenant's outcome and a summary; C(<name>.md) is a table of the tenants with sections
    for the GDAP approvals awaited, new customers' admin credentials files, DNS records to publish, license and
    directory role changes, and failures; C(failed-tenants.txt) lists the failed tenants, one per line, for
    C(ansible-playbook ... --limit @<path>/failed-tenants.txt).
  - A host without an outcome (unreachable, or failed before the role ran) is reported as failed.
  - Files are replaced atomically, mode C(0640); the directory is created with mode C(0750).
  - The shipped playbook C(csp.onboarding.bulk_onboard) runs it once, after every tenant.
  - Runs on the controller only, with C(connection=local) (or C(delegate_to=localhost)).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  path:
    description: The report directory.
    type: path
    required: true
  name:
    description: The file name of the JSON and Markdown reports, without extension.
    type: str
    default: onboarding-report
  hosts:
    description: The tenants' inventory names, in the report's order.
    type: list
    elements: str
    required: true
  results:
    description: Each host's outcome, in the order of O(hosts) (V({}) for a host without one).
    type: list
    elements: raw
    required: true
  plan:
    description: The outcomes are predictions of a check-mode run; the reports say so.
    type: bool
    default: false
  failed_list:
    description: Also write C(failed-tenants.txt). A plan leaves the last real run's list alone.
    type: bool
    default: true
extends_documentation_fragment:
  - csp.onboarding.attributes
  - csp.onboarding.attributes.ACTION
notes:
  - In check mode nothing is written; RV(files) lists what would be.
seealso:
  - module: csp.onboarding.tenant_onboarding
"""

EXAMPLES = r"""
- name: Write the report of every tenant of the play
  csp.onboarding.onboarding_report:
    path: reports
    hosts: "{{ ansible_play_hosts_all }}"
    results: "{{ ansible_play_hosts_all | map('extract', hostvars) | map(attribute='tenant_onboarding_result',
                 default={}) | list }}"
  run_once: true
  delegate_to: localhost
  register: report
"""

RETURN = r"""
files:
  description: The report's files.
  returned: always
  type: list
  elements: str
written:
  description: The files whose content changed (every run's reports carry their time, so these change every run).
  returned: always
  type: list
  elements: str
summary:
  description:
    - C(tenants), C(changed) and C(failed) (counts), C(failed_tenants) and C(awaiting_approval) (inventory names).
  returned: always
  type: dict
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    argument_spec = dict(
        path=dict(type="path", required=True, no_log=False),
        name=dict(type="str", default="onboarding-report"),
        hosts=dict(type="list", elements="str", required=True),
        results=dict(type="list", elements="raw", required=True),
        plan=dict(type="bool", default=False),
        failed_list=dict(type="bool", default=True),
    )
    # Rendered and written by the action plugin (plugin_utils/_report.py).
    return ModuleDefinition(argument_spec, None, None)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
