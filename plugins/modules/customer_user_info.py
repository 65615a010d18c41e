#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_user_info
short_description: List the user accounts of a Microsoft CSP customer
version_added: 0.1.0
description:
  - Reads every page of a customer's users from Partner Center, optionally with the soft-deleted ones.
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID).
    type: str
    required: true
  user_principal_name:
    description:
      - Return only this user (compared case-insensitively).
    type: str
    aliases: [upn]
  include_deleted:
    description:
      - Also return soft-deleted users (C(state=inactive)), which Partner Center lists only on request.
    type: bool
    default: false
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes.INFO_MODULE
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.customer_user
"""

EXAMPLES = r"""
- name: List a tenant's users, deleted ones included
  csp.onboarding.customer_user_info:
    customer_id: c0000001-0000-4000-8000-000000000001
    include_deleted: true
  register: contoso_users

- name: Look one user up
  csp.onboarding.customer_user_info:
    customer_id: c0000001-0000-4000-8000-000000000001
    user_principal_name: alex.wilber@contoso.com
  register: alex
"""

RETURN = r"""
users:
  description: The users, as M(csp.onboarding.customer_user) returns RV(csp.onboarding.customer_user#module:user).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 5f2a2b5e-0000-4000-8000-000000000001
      user_principal_name: alex.wilber@contoso.com
      display_name: Alex Wilber
      state: active
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition
from ansible_collections.csp.onboarding.plugins.module_utils._users import list_users


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str", required=True),
        user_principal_name=dict(type="str", aliases=["upn"]),
        include_deleted=dict(type="bool", default=False),
    ), "partner_center", list_users)


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
