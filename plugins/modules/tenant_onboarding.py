#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: tenant_onboarding
short_description: Onboard one Microsoft CSP customer tenant, every step in one task
version_added: 0.2.0
description:
  - The steps of the role C(csp.onboarding.tenant_onboarding), in its order, in one task. Create the customer
    (or check that it exists), attest the Microsoft Customer Agreement, check the GDAP relationship (invite the
    customer when none covers the roles), assign GDAP roles to security groups, add the domains (Partner Center or
    Microsoft Graph), converge the users with their licenses and directory roles, bypass the CloudBlue Commerce
    ownership validation.
  - Each step is one of the collection's modules (M(csp.onboarding.customer) or M(csp.onboarding.customer_info),
    M(csp.onboarding.customer_agreement), M(csp.onboarding.gdap_relationship_info), M(csp.onboarding.gdap_relationship),
    M(csp.onboarding.gdap_access_assignment), M(csp.onboarding.verified_domain) or M(csp.onboarding.customer_domain),
    M(csp.onboarding.customer_users), M(csp.onboarding.aps_bypass_validation)), run as its own task would run it,
    with the C(module_defaults) that apply to it (C(group/csp.onboarding.partner_center), C(group/csp.onboarding.aps)
    or the module's own name), its argument spec, check mode, diff and error handling. Every step's arguments are
    validated before the first request.
  - For bulk runs of hundreds of tenants, one task means that ansible-core's cost of a task per host (some 50 ms of
    controller CPU) is paid once per tenant instead of once per step, and that the steps share one TLS connection per
    API. The figures are in the collection's C(benchmarks/README.md).
  - A failing step stops the later ones (users need the domains, the bypass needs the tenant); a tenant whose GDAP
    invitation waits for the customer's approval stops after it, with RV(status=awaiting_approval).
  - Runs on the controller only, with C(connection=local) and without C(async).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID). Needed unless O(customer) is set.
    type: str
  customer:
    description:
      - Create the customer when it does not exist yet, with the options of M(csp.onboarding.customer); its ID is then
        used by the later steps. Empty checks that O(customer_id) exists with M(csp.onboarding.customer_info).
    type: dict
    default: {}
  agreement:
    description:
      - Attest the Microsoft Customer Agreement with the options of M(csp.onboarding.customer_agreement) (without its
        customer ID). Empty skips the step.
    type: dict
    default: {}
  gdap:
    description:
      - The GDAP check before any write to the tenant. Empty skips it.
    type: dict
    default: {}
    suboptions:
      required_roles:
        description:
          - Entra role names or IDs that an active relationship must grant; the tenant fails before any write to it
            when none does (unless O(gdap.relationship) is set).
        type: list
        elements: str
        default: []
      min_days_left:
        description: The relationship must end more than this many days from now.
        type: int
        default: 30
      relationship:
        description:
          - The relationship to invite the customer to when none covers O(gdap.required_roles), with
            M(csp.onboarding.gdap_relationship); the tenant then waits for the customer's approval.
        type: dict
        suboptions:
          display_name:
            description: Unique among the partner's relationships.
            type: str
            required: true
          roles:
            description: The roles to ask for; default O(gdap.required_roles).
            type: list
            elements: str
          duration:
            description: ISO 8601 duration, such as V(P730D).
            type: str
          auto_extend_duration:
            description: V(P180D) or V(PT0S).
            type: str
      access_assignments:
        description: Roles of the active relationship given to the partner's security groups.
        type: list
        elements: dict
        default: []
        suboptions:
          security_group_id:
            description: The partner tenant's security group.
            type: str
            required: true
          roles:
            description: A subset of the relationship's roles.
            type: list
            elements: str
            required: true
  domains:
    description:
      - The domains. With O(domain_method=verifieddomain), each a dict of M(csp.onboarding.verified_domain) options
        (without the customer ID); with O(domain_method=graph), each a dict with its C(name).
    type: list
    elements: dict
    default: []
  domain_method:
    description:
      - V(verifieddomain) adds the domains through Partner Center (registrar partners); V(graph) adds them to the
        customer's tenant through Microsoft Graph and returns the DNS records to publish
        (M(csp.onboarding.customer_domain)). Users on a Graph domain that is not verified yet are held back.
    type: str
    choices: [verifieddomain, graph]
    default: verifieddomain
  domain_verify:
    description: With O(domain_method=graph), also verify the domains that are not verified yet.
    type: bool
    default: false
  users:
    description:
      - The users, each a dict of the per-user options of M(csp.onboarding.customer_users) (licenses and directory
        roles included). Empty skips the step.
    type: list
    elements: dict
    default: []
  user_concurrency:
    description: How many users are written at the same time (O(csp.onboarding.customer_users#module:concurrency)).
    type: int
    default: 4
  update_password:
    description: V(on_create) leaves the passwords of existing users alone; V(always) resets them on every run.
    type: str
    choices: [always, on_create]
    default: on_create
  aps_bypass:
    description:
      - The CloudBlue Commerce ownership-validation bypass, with the options of M(csp.onboarding.aps_bypass_validation)
        (C(ms_tenant_id) defaults to the customer's ID). Empty skips the step.
    type: dict
    default: {}
  fail_on_error:
    description:
      - Fail the task when a step fails. V(false) returns the outcome with RV(status=failed) and RV(failure) instead,
        so that a bulk run can record every tenant and fail the failed ones after its report.
    type: bool
    default: true
notes:
  - Connection options are not options of this module; each step takes them as its module does, from C(module_defaults)
    or the C(PARTNER_CENTER_*) and C(APS_*) environment variables (an AWX credential injects them).
  - All the steps of one tenant share one correlation ID (C(MS-CorrelationId)), returned in RV(correlation_ids).
  - O(csp.onboarding.customer_users#module:max_retry_time) (every module has it) bounds each step's retry waiting, as for its own task.
seealso:
  - module: csp.onboarding.customer_users
  - module: csp.onboarding.gdap_relationship_info
extends_documentation_fragment:
  - csp.onboarding.attributes
  - csp.onboarding.attributes.ACTION
"""

EXAMPLES = r"""
- name: Onboard a tenant
  csp.onboarding.tenant_onboarding:
    customer_id: c0000001-0000-4000-8000-000000000001
    gdap:
      required_roles: [User Administrator, License Administrator]
    domains:
      - name: contoso.example
    users:
      - user_principal_name: alex.wilber@contoso.example
        first_name: Alex
        last_name: Wilber
        usage_location: US
        password: "{{ initial_passwords['alex.wilber'] }}"
        licenses:
          - sku: O365_BUSINESS_PREMIUM
    aps_bypass:
      app_instance_id: 4f4b1c9a-8f57-4bd3-a0f7-0c5a5c1fa001
      account_id: 1000001
  module_defaults:
    group/csp.onboarding.partner_center: "{{ csp_partner_center }}"
    group/csp.onboarding.aps: "{{ csp_aps }}"
  register: onboarding

- name: Show the DNS records to publish for the domains added through Graph
  ansible.builtin.debug:
    var: onboarding.domains.dns_records
"""

RETURN = r"""
customer_id:
  description: The customer's ID (none in check mode for a customer still to be created).
  returned: always
  type: str
status:
  description: V(ok), V(failed) or V(awaiting_approval) (invited to a GDAP relationship; the later steps wait).
  returned: always
  type: str
company_name:
  description: The customer's company name.
  returned: when the customer was created or found
  type: str
customer:
  description: C(action) (V(created), V(unchanged), V(found)), C(admin_user_name), C(admin_credentials_path).
  returned: always
  type: dict
agreement:
  description: C(action) of the agreement step (V(created), V(unchanged), V(skipped), V(not run)).
  returned: always
  type: dict
gdap:
  description:
    - The GDAP check (empty when not asked for), C(status), C(covered), C(relationship), C(relationship_id),
      C(end_date_time), C(days_left), C(missing_roles), C(invitation), C(approval_url), C(access_assignments).
  returned: always
  type: dict
domains:
  description:
    - The domains C(created), C(unchanged) and C(failed); with the Graph method also C(pending_verification) and
      C(dns_records) (each record with its C(domain)).
  returned: always
  type: dict
users:
  description:
    - The UPNs C(created), C(updated), C(restored), C(deleted), C(unchanged); C(failed) (with the API's message and
      ids), C(held_back) (users on a Graph domain not verified yet, with the reason) and C(access_changes)
      (licenses and directory roles assigned and removed per user).
  returned: always
  type: dict
aps_bypass:
  description: C(action) (V(created), V(unchanged), V(skipped), V(not run)) and the bypass C(aps_id).
  returned: always
  type: dict
failure:
  description: The failed step (C(step), C(msg), C(status), C(code), C(ms_request_id), C(ms_correlation_id)), or none.
  returned: always
  type: dict
correlation_ids:
  description: The C(MS-CorrelationId) of the steps, by step.
  returned: always
  type: dict
diff:
  description: In diff mode, the before and after of everything the steps changed (or would), each headed by its module.
  returned: when diff mode is on and a step changed something
  type: list
  elements: dict
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    assignment = dict(security_group_id=dict(type="str", required=True),
                      roles=dict(type="list", elements="str", required=True))
    relationship = dict(display_name=dict(type="str", required=True), roles=dict(type="list", elements="str"),
                        duration=dict(type="str"), auto_extend_duration=dict(type="str"))
    gdap = dict(required_roles=dict(type="list", elements="str", default=[]),
                min_days_left=dict(type="int", default=30),
                relationship=dict(type="dict", options=relationship),
                access_assignments=dict(type="list", elements="dict", default=[], options=assignment))
    argument_spec = dict(
        customer_id=dict(type="str"),
        customer=dict(type="dict", default={}),
        agreement=dict(type="dict", default={}),
        gdap=dict(type="dict", default={}, options=gdap),
        domains=dict(type="list", elements="dict", default=[]),
        domain_method=dict(type="str", choices=["verifieddomain", "graph"], default="verifieddomain"),
        domain_verify=dict(type="bool", default=False),
        users=dict(type="list", elements="dict", default=[]),
        user_concurrency=dict(type="int", default=4),
        update_password=dict(type="str", choices=["always", "on_create"], default="on_create"),
        # Not a secret: which APS application and account. ("bypass" reads as "pass" to the no_log check.)
        aps_bypass=dict(type="dict", default={}, no_log=False),
        fail_on_error=dict(type="bool", default=True),
    )
    # The steps are the collection's modules, run by the action plugin (plugin_utils/_onboarding.py).
    return ModuleDefinition(argument_spec, None, None)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
