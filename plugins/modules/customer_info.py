#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_info
short_description: Look up Microsoft CSP customers in Partner Center
version_added: 0.1.0
description:
  - Returns one customer by O(customer_id), the customer whose default domain is O(domain), or every customer of the
    partner, reading every page.
  - Partner Center only filters domains with C(starts_with); the results are then matched exactly and
    case-insensitively.
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID). A customer that does not exist gives an empty list.
    type: str
  domain:
    description:
      - The customer's default domain, such as V(contoso.onmicrosoft.com).
    type: str
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes.INFO_MODULE
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.verified_domain
"""

EXAMPLES = r"""
- name: Check that a customer exists
  csp.onboarding.customer_info:
    customer_id: c0000001-0000-4000-8000-000000000001
  register: customer
  failed_when: customer.customers | length == 0

- name: Find a customer by its default domain
  csp.onboarding.customer_info:
    domain: contoso.onmicrosoft.com
  register: contoso

- name: List every customer
  csp.onboarding.customer_info:
  register: all_customers
"""

RETURN = r"""
customers:
  description: The customers found.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The customer's tenant ID.
      type: str
    company_name:
      description: Company name.
      type: str
    domain:
      description: Default domain.
      type: str
    relationship_to_partner:
      description: Relationship to the partner, such as V(reseller).
      type: str
    custom_domains:
      description: The customer's custom domains, when Partner Center returns them (lookups by O(customer_id)).
      type: list
      elements: str
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._customers import find_customers
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str"),
        domain=dict(type="str"),
    ), "partner_center", find_customers, mutually_exclusive=[("customer_id", "domain")])


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
