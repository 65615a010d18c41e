#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_license_info
short_description: List the licenses (subscribed SKUs) of a Microsoft CSP customer
version_added: 0.2.0
description:
  - Reads the SKUs a customer has units of from Partner Center (C(GET /v1/customers/{id}/subscribedskus)), with
    their unit counts and service plans.
  - The part numbers and service plan names it returns are the names that the O(csp.onboarding.customer_user#module:licenses)
    option of M(csp.onboarding.customer_user) and M(csp.onboarding.customer_users) accepts.
  - Partner Center answers this call for App+User tokens only, so use O(refresh_token) (or an O(access_token) of a
    user).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID).
    type: str
    required: true
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes.INFO_MODULE
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.customer_user
  - module: csp.onboarding.customer_users
  - name: Get a list of available licenses
    description: The Partner Center REST reference of the call this module makes.
    link: https://learn.microsoft.com/en-us/partner-center/developer/get-a-list-of-available-licenses
"""

EXAMPLES = r"""
- name: Read the customer's SKUs
  csp.onboarding.customer_license_info:
    customer_id: c0000001-0000-4000-8000-000000000001
  register: contoso_licenses

- name: Stop when Microsoft 365 Business Standard has fewer free units than users to onboard
  ansible.builtin.assert:
    that:
      - business_standard.available_units >= contoso_users | length
    fail_msg: "Only {{ business_standard.available_units }} units of O365_BUSINESS_PREMIUM are free"
  vars:
    business_standard: >-
      {{ contoso_licenses.licenses | selectattr('sku_part_number', 'equalto', 'O365_BUSINESS_PREMIUM') | first }}
"""

RETURN = r"""
licenses:
  description: The customer's subscribed SKUs, sorted by part number.
  returned: always
  type: list
  elements: dict
  contains:
    sku_id:
      description: The product SKU ID (a GUID).
      type: str
      sample: f245ecc8-75af-4f8e-b61f-27d8114de5f3
    sku_part_number:
      description: The SKU's part number.
      type: str
      sample: O365_BUSINESS_PREMIUM
    name:
      description: The product's name.
      type: str
      sample: Microsoft 365 Business Standard
    target_type:
      description: What the SKU is licensed to, such as V(User).
      type: str
      sample: User
    available_units:
      description: Units not assigned to any user, free to assign.
      type: int
      sample: 12
    active_units:
      description: Units bought and active.
      type: int
      sample: 25
    consumed_units:
      description: Units assigned to users.
      type: int
      sample: 13
    suspended_units:
      description: Suspended units.
      type: int
      sample: 0
    warning_units:
      description: Units in the warning state (the subscription has expired and is in its grace period).
      type: int
      sample: 0
    capability_status:
      description: The SKU's status, such as V(Enabled).
      type: str
      sample: Enabled
    service_plans:
      description: The SKU's service plans, the names O(csp.onboarding.customer_user#module:licenses[].excluded_plans)
        accepts.
      type: list
      elements: dict
      contains:
        id:
          description: The service plan ID.
          type: str
          sample: 57ff2da0-773e-42df-b2af-ffb7a2317929
        name:
          description: The plan's display name.
          type: str
          sample: Microsoft Teams
        service_name:
          description: The plan's service name.
          type: str
          sample: TEAMS1
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition
from ansible_collections.csp.onboarding.plugins.module_utils._licenses import list_licenses


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str", required=True),
    ), "partner_center", list_licenses)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
