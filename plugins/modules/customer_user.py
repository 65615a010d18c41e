#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_user
short_description: Manage a user account of a Microsoft CSP customer through Partner Center
version_added: 0.1.0
description:
  - Creates, updates, soft-deletes and restores one user of a customer tenant with the Partner Center REST API
    (C(/v1/customers/{id}/users)).
  - The user is found by O(customer_id) and O(user_principal_name), compared case-insensitively, across every page
    of active users and then of soft-deleted users.
  - Only the options the task sets are compared, and only the fields that differ are sent (C(PATCH)).
  - A soft-deleted user with the same UPN is restored (C(PATCH State=active)) rather than recreated, then its
    fields are converged.
  - Partner Center only accepts App+User tokens for user operations, so use O(refresh_token) (or an
    O(access_token) of a user).
  - To manage many users of one tenant, M(csp.onboarding.customer_users) reads the tenant once and writes in
    parallel.
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
      - The user's sign-in name, C(local@domain). The domain must be one of the customer's domains.
    type: str
    required: true
    aliases: [upn]
  state:
    description:
      - V(present) creates, updates or restores the user.
      - V(absent) soft-deletes the user. Partner Center keeps a deleted user for 30 days, during which it can be
        restored with O(state=present).
    type: str
    choices: [present, absent]
    default: present
  first_name:
    description: Given name.
    type: str
  last_name:
    description: Surname.
    type: str
  display_name:
    description:
      - Name shown in address books. Defaults to O(first_name) and O(last_name) when the user is created.
    type: str
  usage_location:
    description:
      - Two-letter ISO 3166-1 alpha-2 country code of where the user uses services (licences depend on it).
        Upper-cased. A code ISO 3166-1 does not assign is refused, such as V(UK) (the code of the United Kingdom
        is V(GB)) or V(EU).
    type: str
  immutable_id:
    description:
      - Immutable ID that links the user to an on-premises directory object.
    type: str
  password:
    description:
      - Password for a new user. Required when the user is created. Never returned.
      - With O(update_password=on_create) it is used only on creation.
    type: str
  force_change_password:
    description:
      - Whether the user must change the password at the next sign-in.
    type: bool
    default: true
  licenses:
    description:
      - The licenses the user ends up with. Each listed SKU is assigned with exactly the plans in
        O(licenses[].excluded_plans) excluded; only the differences are written, in one C(licenseupdates) request
        per license group.
      - The SKU and plan names are resolved from the customer's subscribed SKUs (see
        M(csp.onboarding.customer_license_info)), read once per task. An unknown SKU or plan name is refused before
        any write, with the names that exist.
      - A SKU the user does not hold yet needs a free unit. When none is left the task fails before its write,
        with the SKU's unit counts; check mode predicts it.
      - A license needs the user's usage location (O(usage_location), or the user's own); without one the task is
        refused before any write.
      - Not set, the user's licenses are neither read nor changed.
    type: list
    elements: dict
    suboptions:
      sku:
        description:
          - The SKU's part number, such as V(O365_BUSINESS_PREMIUM), or its product SKU ID (a GUID), compared
            case-insensitively.
        type: str
        required: true
      excluded_plans:
        description:
          - Service plans of the SKU the user does not get, by service name (V(TEAMS1)), display name or ID,
            compared case-insensitively.
        type: list
        elements: str
        default: []
  remove_unlisted_licenses:
    description:
      - Also remove the licenses the user has that O(licenses) does not list. Needs O(licenses);
        O(licenses=[]) then removes every license.
    type: bool
    default: false
  directory_roles:
    description:
      - Microsoft Entra directory roles the user ends up a member of, by name (V(User Administrator)) or role ID,
        compared case-insensitively. V(Global Administrator) makes the user an administrator of the tenant.
      - The customer's roles are read once per task; an unknown role is refused before any write, with the roles
        that exist. Only the memberships that are missing are added.
      - Not set, the user's roles are neither read nor changed.
    type: list
    elements: str
  remove_unlisted_directory_roles:
    description:
      - Also remove the user from the directory roles that O(directory_roles) does not list. Needs
        O(directory_roles); O(directory_roles=[]) then removes every membership.
    type: bool
    default: false
  update_password:
    description:
      - V(on_create) sets the password only when the user is created; an existing user's password is never
        touched, and a password alone never makes the task changed (a password cannot be read back to compare).
      - V(always) resets the password on every run, and the task reports changed each time.
    type: str
    choices: [on_create, always]
    default: on_create
  restore:
    description:
      - With O(state=present), restore a soft-deleted user that has the same UPN.
      - V(false) fails on such a user instead, since a new user with that UPN cannot be created while it exists.
    type: bool
    default: true
  expected_domains:
    description:
      - Domains that the same run adds to the customer before its users, such as the domains of
        M(csp.onboarding.verified_domain) tasks earlier in the play.
      - A user to be created on a domain that is neither the customer's default domain, nor one of its custom domains,
        nor listed here is refused before any write (Partner Center would refuse it). Listing the run's domains here
        keeps check mode, where those domains do not exist yet, predicting the real run.
      - The customer's domains are read only when a user is to be created on a domain not listed here.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.customer_users
  - module: csp.onboarding.customer_user_info
  - name: Partner Center customer user operations
    description: The REST reference of the user operations this module calls.
    link: https://learn.microsoft.com/en-us/partner-center/developer/create-user-accounts-for-a-customer
"""

EXAMPLES = r"""
- name: Set the Partner Center connection once for every module of the collection
  module_defaults:
    group/csp.onboarding.partner_center:
      partner_tenant_id: "{{ partner_tenant_id }}"
      client_id: "{{ partner_client_id }}"
      client_secret: "{{ partner_client_secret }}"
      refresh_token: "{{ partner_refresh_token }}"
  block:
    - name: Create (or converge) a user
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        first_name: Alex
        last_name: Wilber
        usage_location: US
        password: "{{ initial_password }}"

    - name: Change the user's display name only
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        display_name: Alex W.

    - name: Reset the password on every run
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        password: "{{ new_password }}"
        update_password: always

    - name: Assign Microsoft 365 Business Standard by its part number
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        usage_location: US
        licenses:
          - sku: O365_BUSINESS_PREMIUM

    - name: The same license without Teams, and no other license
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        licenses:
          - sku: O365_BUSINESS_PREMIUM
            excluded_plans: [TEAMS1]
        remove_unlisted_licenses: true

    - name: Make the customer's own administrator a Global Administrator of the tenant
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: it.admin@contoso.com
        directory_roles:
          - Global Administrator

    - name: Soft-delete the user (restorable for 30 days)
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        state: absent

    - name: Restore the soft-deleted user
      csp.onboarding.customer_user:
        customer_id: c0000001-0000-4000-8000-000000000001
        user_principal_name: alex.wilber@contoso.com
        state: present
"""

RETURN = r"""
action:
  description: What the module did, or would do in check mode.
  returned: success
  type: str
  choices: [created, updated, restored, deleted, unchanged]
  sample: created
user:
  description: The user after the task (predicted in check mode). The password is never returned.
  returned: success
  type: dict
  contains:
    id:
      description: The user's object ID; null for a user that check mode would create.
      type: str
      sample: 5f2a2b5e-0000-4000-8000-000000000001
    user_principal_name:
      description: Sign-in name.
      type: str
      sample: alex.wilber@contoso.com
    first_name:
      description: Given name.
      type: str
    last_name:
      description: Surname.
      type: str
    display_name:
      description: Display name.
      type: str
    usage_location:
      description: Usage location.
      type: str
      sample: US
    immutable_id:
      description: Immutable ID.
      type: str
    state:
      description: V(active), or V(inactive) for a soft-deleted user.
      type: str
      sample: active
    user_domain_type:
      description: V(none), V(managed) or V(federated).
      type: str
    soft_deletion_time:
      description: When the user was soft-deleted (UTC), or null.
      type: str
    last_directory_sync_time:
      description: Last directory synchronisation (UTC), or null.
      type: str
    licenses:
      description: The user's licenses, sorted by part number.
      returned: when O(licenses) is set
      type: list
      elements: dict
      contains:
        sku_id:
          description: The product SKU ID.
          type: str
          sample: f245ecc8-75af-4f8e-b61f-27d8114de5f3
        sku_part_number:
          description: The SKU's part number.
          type: str
          sample: O365_BUSINESS_PREMIUM
        excluded_plans:
          description: Service names of the plans excluded, sorted.
          type: list
          elements: str
          sample: [TEAMS1]
    directory_roles:
      description:
        - Names of the directory roles the user is a member of, sorted, among the roles read (those that
          O(directory_roles) lists, or every role with O(remove_unlisted_directory_roles=true)).
      returned: when O(directory_roles) is set
      type: list
      elements: str
      sample: [User Administrator]
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition
from ansible_collections.csp.onboarding.plugins.module_utils._users import (
    DOMAIN_OPTIONS, POLICY_OPTIONS, USER_OPTIONS, ensure_user)


def definition():
    argument_spec = dict(customer_id=dict(type="str", required=True), **USER_OPTIONS)
    argument_spec.update(POLICY_OPTIONS)
    argument_spec.update(DOMAIN_OPTIONS)
    return ModuleDefinition(argument_spec, "partner_center", ensure_user, secret_keys=("password",))


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
