#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aps_bypass_validation
short_description: Bypass the Microsoft 365 application's ownership validation of a Microsoft account
version_added: 0.1.0
description:
  - In CloudBlue Commerce, registering a Microsoft account that is already registered for another customer account
    normally needs proof of ownership. This module calls the Microsoft 365 application's custom operation
    C(bypass_ownership_validation) through the APS REST API, so the account can be registered for the customer.
  - Reads first. The customer account's APS ID is resolved from its system ID, then the bypass resources of the
    Microsoft tenant are read (every page) and the one linked to that account is matched. The operation is called
    only when there is none.
  - Before creating, the application instance O(app_instance_id) is read; an instance that does not exist is refused
    before any write, in check mode too.
  - APS has no idempotency key for this call. Runs on one controller are serialised by an exclusive lock file next to
    the Partner Center token cache (C(PARTNER_CENTER_TOKEN_CACHE_PATH), by default under C(~/.cache/csp.onboarding)),
    keyed by the APS URL, the account and the Microsoft tenant and held around the read, the call and the read-back,
    so parallel runs and forks create one bypass. A run waits for the lock at most 120 seconds, then fails naming it.
  - Runs on two controllers at the same time cannot be protected. A run that finds two or more bypasses for the account
    and tenant fails and lists their APS IDs; it does not pick one. Remove them with O(state=absent) and run again.
  - After an answer that may follow an applied call (no answer, or a 5xx from a gateway), the bypasses are read back;
    the task converges when the bypass is there, and otherwise fails saying that APS may still apply the call.
  - The bypass applies only to registrations made through the application's APS REST API. CloudBlue calls it a
    non-standard operation.
  - The bypass resource's property C(ms_tenant_id) and its link C(account) are assumptions (CloudBlue does not
    document the resource); O(bypass_type) names its type.
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  app_instance_id:
    description:
      - APS ID (a GUID) of the Microsoft 365 application instance of the Direct or Indirect CSP provider of the
        Microsoft account.
    type: str
    required: true
  account_id:
    description:
      - System ID of the customer account in CloudBlue Commerce.
    type: int
    required: true
  ms_tenant_id:
    description:
      - Microsoft ID (the tenant GUID) of the Microsoft account.
    type: str
    required: true
  state:
    description:
      - V(present) creates the bypass when it does not exist; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  bypass_type:
    description:
      - Full APS type ID, with its version, of the bypass resources.
    type: str
    default: http://www.parallels.com/Office365/BypassOwnershipValidation/1.0
extends_documentation_fragment:
  - csp.onboarding.aps
  - csp.onboarding.attributes
  - csp.onboarding.attributes.APS_GROUP
  - csp.onboarding.attributes.ACTION
notes:
  - The APS key's staff member needs the Allowed Operation C(http://www.parallels.com/Office365/Office365app) +
    C(POST) on its B(APS Bus Access) tab. A reseller's key may bypass validation for the customer accounts below
    that reseller.
seealso:
  - name: Bypassing the validation of Microsoft account ownership
    description: CloudBlue's description of the operation.
    link: https://docs.cloudblue.com/cbc/services/microsoft365/20.7/content/Integration-Guide/Bypassing-the-Validation-of-Microsoft-Account-Ownership.htm
"""

EXAMPLES = r"""
- name: Sign APS calls once for every APS module
  module_defaults:
    group/csp.onboarding.aps:
      aps_url: https://cp.provider.example
      aps_consumer_key: "{{ aps_key }}"
      aps_consumer_secret: "{{ aps_secret }}"
  block:
    - name: Let account 1000001 register the existing Microsoft tenant
      csp.onboarding.aps_bypass_validation:
        app_instance_id: a7000000-0000-4000-8000-000000000365
        account_id: 1000001
        ms_tenant_id: c0000001-0000-4000-8000-000000000001

- name: Use a reseller-scoped key for a customer below that reseller
  csp.onboarding.aps_bypass_validation:
    aps_url: https://cp.reseller.example
    aps_consumer_key: "{{ reseller_aps_key }}"
    aps_consumer_secret: "{{ reseller_aps_secret }}"
    app_instance_id: a7000000-0000-4000-8000-000000000365
    account_id: 1000042
    ms_tenant_id: 9b0f1c2e-0000-4000-8000-00000000c042

- name: Remove the bypass again
  csp.onboarding.aps_bypass_validation:
    app_instance_id: a7000000-0000-4000-8000-000000000365
    account_id: 1000001
    ms_tenant_id: c0000001-0000-4000-8000-000000000001
    state: absent
"""

RETURN = r"""
action:
  description: V(created), V(deleted) or V(unchanged) (what check mode would do, in check mode).
  returned: success
  type: str
  sample: created
bypass:
  description: The bypass resource (before deletion, for V(absent)). Empty when there is none.
  returned: success
  type: dict
  contains:
    aps_id:
      description: APS ID of the bypass resource; null when check mode would create it.
      type: str
    ms_tenant_id:
      description: Microsoft ID of the Microsoft account.
      type: str
    account_id:
      description: System ID of the customer account.
      type: int
    account_aps_id:
      description: APS ID of the customer account.
      type: str
ms_correlation_id:
  description: An ID for this task's calls, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._aps import DEFAULT_BYPASS_TYPE
from ansible_collections.csp.onboarding.plugins.module_utils._bypass import ensure_bypass
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        app_instance_id=dict(type="str", required=True),
        account_id=dict(type="int", required=True),
        ms_tenant_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        bypass_type=dict(type="str", default=DEFAULT_BYPASS_TYPE),
    ), "aps", ensure_bypass)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
