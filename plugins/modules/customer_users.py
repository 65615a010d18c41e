#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: customer_users
short_description: Manage many user accounts of one Microsoft CSP customer in one run
version_added: 0.1.0
description:
  - The bulk form of M(csp.onboarding.customer_user), for onboarding a tenant's users.
  - Reads the tenant's users once (every page of active users, and every page of soft-deleted users when a listed
    user is not active), then writes only what differs, O(concurrency) users at a time.
  - One user's failure of any kind (an API error, an answer that cannot be read, a bug) does not stop the others.
    The module fails at the end when any user failed, and still reports every user that succeeded.
  - With C(--diff), RV(diff) lists the before and after of every user created, updated, restored or deleted
    (or that would be, in check mode), never a password.
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID).
    type: str
    required: true
  users:
    description:
      - The users, with the per-user options of M(csp.onboarding.customer_user).
    type: list
    elements: dict
    required: true
    suboptions:
      user_principal_name:
        description: The user's sign-in name, C(local@domain).
        type: str
        required: true
        aliases: [upn]
      state:
        description: V(present) creates, updates or restores; V(absent) soft-deletes.
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
        description: Display name; defaults to first and last name on creation.
        type: str
      usage_location:
        description: Two-letter ISO 3166-1 country code, upper-cased.
        type: str
      immutable_id:
        description: Immutable ID.
        type: str
      password:
        description: Password for a new user; required when the user is created. Never returned.
        type: str
      force_change_password:
        description: Whether the user must change the password at the next sign-in.
        type: bool
        default: true
      licenses:
        description:
          - The licenses the user ends up with. Each listed SKU is assigned with exactly the plans in
            O(users[].licenses[].excluded_plans) excluded; only the differences are written, in one C(licenseupdates) request
            per license group.
          - The SKU and plan names are resolved from the customer's subscribed SKUs (see
            M(csp.onboarding.customer_license_info)), read once per task for every user. Each listed user's
            licenses are read once. An unknown SKU or plan name is refused before
            any write, with the names that exist.
          - A SKU the user does not hold yet needs a free unit. When none is left that user fails before any of its writes,
            with the SKU's unit counts, and the others proceed. The units that earlier users of the list take count as
            taken, so two users competing for the last unit are predicted right (in check mode too). Units freed in the
            same run are not counted as free.
          - A license needs the user's usage location (O(users[].usage_location), or the user's own); without one that user
            fails before any of its writes.
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
          - Also remove the licenses the user has that O(users[].licenses) does not list. Needs O(users[].licenses);
            O(users[].licenses=[]) then removes every license.
        type: bool
        default: false
      directory_roles:
        description:
          - Microsoft Entra directory roles the user ends up a member of, by name (V(User Administrator)) or role ID,
            compared case-insensitively. V(Global Administrator) makes the user an administrator of the tenant.
          - The customer's roles are read once per task, and the members of each role concerned once, not once
            per user; an unknown role is refused before any write, with the roles
            that exist. Only the memberships that are missing are added.
          - Not set, the user's roles are neither read nor changed.
        type: list
        elements: str
      remove_unlisted_directory_roles:
        description:
          - Also remove the user from the directory roles that O(users[].directory_roles) does not list. Needs
            O(users[].directory_roles); O(users[].directory_roles=[]) then removes every membership.
        type: bool
        default: false
  update_password:
    description:
      - V(on_create) sets passwords only on creation; V(always) resets the password of every listed user that has
        one, on every run.
    type: str
    choices: [on_create, always]
    default: on_create
  restore:
    description:
      - Restore soft-deleted users listed with O(users[].state=present) instead of failing on them.
    type: bool
    default: true
  purge:
    description:
      - Soft-delete the tenant's active users that O(users) does not list, except those matching O(purge_exclude).
      - In check mode the users that would be deleted are listed in RV(deleted).
    type: bool
    default: false
  purge_all:
    description:
      - With O(purge=true) and an empty O(users) list, soft-delete every active user of the tenant not matching
        O(purge_exclude), its admins included. Without it, that combination is refused before any request.
    type: bool
    default: false
  purge_exclude:
    description:
      - Shell-style patterns of UPNs that O(purge) never deletes, compared case-insensitively, such as
        V(admin@*).
    type: list
    elements: str
    default: []
  concurrency:
    description:
      - How many users are written at the same time, from 1 to 32.
    type: int
    default: 4
  expected_domains:
    description:
      - Domains that the same run adds to the customer before its users, such as the domains of
        M(csp.onboarding.verified_domain) tasks earlier in the play.
      - A user to be created on a domain that is neither the customer's default domain, nor one of its custom domains,
        nor listed here is that user's failure, found before any write (Partner Center would refuse it). Listing the run's domains here
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
  - module: csp.onboarding.customer_user
  - module: csp.onboarding.customer_user_info
"""

EXAMPLES = r"""
- name: Onboard a tenant's users in one module run
  csp.onboarding.customer_users:
    customer_id: c0000001-0000-4000-8000-000000000001
    users:
      - user_principal_name: alex.wilber@contoso.com
        first_name: Alex
        last_name: Wilber
        usage_location: US
        password: "{{ initial_passwords['alex.wilber'] }}"
      - user_principal_name: megan.bowen@contoso.com
        first_name: Megan
        last_name: Bowen
        usage_location: US
        password: "{{ initial_passwords['megan.bowen'] }}"
      - user_principal_name: former.employee@contoso.com
        state: absent

- name: Onboard users with licenses (one read of the SKUs for all of them) and a tenant admin
  csp.onboarding.customer_users:
    customer_id: c0000001-0000-4000-8000-000000000001
    users:
      - user_principal_name: alex.wilber@contoso.com
        usage_location: US
        password: "{{ initial_passwords['alex.wilber'] }}"
        licenses:
          - sku: O365_BUSINESS_PREMIUM
      - user_principal_name: megan.bowen@contoso.com
        usage_location: US
        password: "{{ initial_passwords['megan.bowen'] }}"
        licenses:
          - sku: O365_BUSINESS_PREMIUM
            excluded_plans: [TEAMS1]
          - sku: EMS
        remove_unlisted_licenses: true
      - user_principal_name: it.admin@contoso.com
        usage_location: US
        password: "{{ initial_passwords['it.admin'] }}"
        directory_roles:
          - Global Administrator

- name: Make the list the whole truth, but never touch the admins
  csp.onboarding.customer_users:
    customer_id: c0000001-0000-4000-8000-000000000001
    users: "{{ contoso_users }}"
    purge: true
    purge_exclude:
      - "admin*@*"
    concurrency: 8
"""

RETURN = r"""
created:
  description: UPNs of the users created (or that check mode would create).
  returned: always
  type: list
  elements: str
updated:
  description: UPNs of the users updated.
  returned: always
  type: list
  elements: str
restored:
  description: UPNs of the soft-deleted users restored.
  returned: always
  type: list
  elements: str
deleted:
  description: UPNs of the users soft-deleted, including those purged.
  returned: always
  type: list
  elements: str
unchanged:
  description: UPNs of the users that already matched.
  returned: always
  type: list
  elements: str
failed_users:
  description:
    - The users that could not be converged, with the reason. (C(failed) itself is Ansible's boolean.)
  returned: always
  type: list
  elements: dict
  contains:
    user_principal_name:
      description: The user's UPN.
      type: str
    msg:
      description: What went wrong.
      type: str
    status:
      description: HTTP status of the failed call, if the API answered.
      type: int
    code:
      description: Partner Center error code, if any.
      type: str
    ms_request_id:
      description: C(MS-RequestId) of the failed call.
      type: str
    ms_correlation_id:
      description: C(MS-CorrelationId) of the module run.
      type: str
users:
  description: Every listed or purged user after the run (predicted in check mode), as M(csp.onboarding.customer_user)
    returns RV(csp.onboarding.customer_user#module:user).
    With O(users[].licenses) and O(users[].directory_roles), a user's entry has its C(licenses) and
    C(directory_roles).
  returned: always
  type: list
  elements: dict
access_changes:
  description:
    - The license and directory role changes written (or that check mode would write), one entry per user with
      any, in part numbers and role names. The compact form that the role C(csp.onboarding.tenant_onboarding) puts
      in its report.
  returned: always
  type: list
  elements: dict
  contains:
    user_principal_name:
      description: The user's UPN.
      type: str
    licenses_assigned:
      description: SKUs assigned, or whose excluded plans changed (part numbers). Only with O(users[].licenses).
      type: list
      elements: str
    licenses_removed:
      description: SKUs removed (part numbers). Only with O(users[].licenses).
      type: list
      elements: str
    roles_added:
      description: Directory roles the user became a member of. Only with O(users[].directory_roles).
      type: list
      elements: str
    roles_removed:
      description: Directory roles the user was removed from. Only with O(users[].directory_roles).
      type: list
      elements: str
  sample:
    - user_principal_name: alex.wilber@contoso.example
      licenses_assigned: [O365_BUSINESS_PREMIUM]
      licenses_removed: []
diff:
  description:
    - In diff mode, one entry per user created, updated, restored or deleted (or that would be, in check mode), with
      the user's managed fields before and after, headed by its UPN. A password is shown masked when it is reset.
  returned: when diff mode is on
  type: list
  elements: dict
ms_correlation_id:
  description: The C(MS-CorrelationId) sent with every call of this task.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition
from ansible_collections.csp.onboarding.plugins.module_utils._users import (
    DOMAIN_OPTIONS, POLICY_OPTIONS, USER_OPTIONS, ensure_users)


def definition():
    argument_spec = dict(
        customer_id=dict(type="str", required=True),
        users=dict(type="list", elements="dict", required=True, options=USER_OPTIONS),
        purge=dict(type="bool", default=False),
        purge_all=dict(type="bool", default=False),
        purge_exclude=dict(type="list", elements="str", default=[]),
        concurrency=dict(type="int", default=4),
    )
    argument_spec.update(POLICY_OPTIONS)
    argument_spec.update(DOMAIN_OPTIONS)
    return ModuleDefinition(argument_spec, "partner_center", ensure_users, secret_keys=("password",))


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
