#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: gdap_relationship_info
short_description: List the partner's GDAP relationships, or check that one covers the roles onboarding needs
version_added: 0.2.0
description:
  - Reads the partner's granular delegated admin (GDAP) relationships from Microsoft Graph
    (C(GET /v1.0/tenantRelationships/delegatedAdminRelationships)), every page, optionally those of one customer,
    of some statuses or with one display name.
  - With O(required_roles) it also checks, for O(customer_id), whether an active relationship grants those roles and
    lasts more than O(min_days_left) days, and returns RV(check). This is the pre-flight check to run before writing
    anything to a tenant; it costs one Graph read.
  - Uses a Graph token of the partner's tenant, from the same credentials as Partner Center. The app needs the Graph
    permission C(DelegatedAdminRelationship.Read.All) (or C(.ReadWrite.All)).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - Only the relationships with this customer (tenant ID, a GUID). Required with O(required_roles).
    type: str
  status:
    description:
      - Only relationships in one of these statuses.
      - Ignored by RV(check), which looks at every relationship of the customer.
    type: list
    elements: str
    choices: [activating, active, approvalPending, approved, created, expired, expiring, terminated, terminating,
              terminationRequested]
  display_name:
    description:
      - Only the relationship with this display name (compared case-insensitively).
    type: str
  required_roles:
    description:
      - Microsoft Entra built-in role names (such as V(User Administrator)) or role template IDs that an active
        relationship with O(customer_id) must grant. When set, RV(check) is returned.
    type: list
    elements: str
  min_days_left:
    description:
      - With O(required_roles), a relationship that ends within this many days does not count, unless it extends
        itself automatically (O(csp.onboarding.gdap_relationship#module:auto_extend_duration=P180D)).
    type: int
    default: 30
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes.INFO_MODULE
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.gdap_relationship
  - module: csp.onboarding.gdap_access_assignment
  - name: List delegatedAdminRelationships (Microsoft Graph)
    description: The Graph call this module makes.
    link: https://learn.microsoft.com/en-us/graph/api/tenantrelationship-list-delegatedadminrelationships
"""

EXAMPLES = r"""
- name: Every relationship that waits for a customer's approval
  csp.onboarding.gdap_relationship_info:
    status: [approvalPending]
  register: pending

- name: Check before onboarding that Contoso granted the roles the users and licenses need
  csp.onboarding.gdap_relationship_info:
    customer_id: c0000001-0000-4000-8000-000000000001
    required_roles:
      - User Administrator
      - License Administrator
      - Privileged Role Administrator
  register: gdap

- name: Stop here when it did not
  ansible.builtin.fail:
    msg: "{{ gdap.check.msg }}"
  when: not gdap.check.covered
"""

RETURN = r"""
relationships:
  description: The relationships, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The relationship's ID.
      type: str
    display_name:
      description: Its display name, unique across the partner's relationships.
      type: str
    status:
      description: V(created), V(approvalPending), V(active), V(expiring), V(expired), V(terminated), or a transient
        status (V(activating), V(approved), V(terminationRequested), V(terminating)).
      type: str
    customer_id:
      description: The customer's tenant ID.
      type: str
    customer_display_name:
      description: The customer's name.
      type: str
    roles:
      description: The Microsoft Entra roles it grants; C(name) is null for a role this collection has no name for.
      type: list
      elements: dict
    duration:
      description: Its duration (ISO 8601), such as V(P730D).
      type: str
    start_date_time:
      description: When the customer approved it (null before).
      type: str
    end_date_time:
      description: When it ends or ended (null before approval).
      type: str
    auto_extend_duration:
      description: V(P180D) when it extends itself at its end, else V(PT0S).
      type: str
    created_date_time:
      description: When it was created.
      type: str
    approval_url:
      description: The page where the customer's admin approves it.
      type: str
  sample:
    - id: 9a9d0001-0000-4000-8000-000000000001-c0000001-0000-4000-8000-000000000001
      display_name: Onboarding Contoso
      status: active
      customer_id: c0000001-0000-4000-8000-000000000001
      customer_display_name: Contoso Ltd
      roles:
        - {id: fe930be7-5e62-47db-91af-98c3a49a38b1, name: User Administrator}
      duration: P730D
      start_date_time: "2026-12-02T10:00:00Z"
      end_date_time: "2028-12-01T10:00:00Z"
      auto_extend_duration: P180D
      approval_url: https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{id}
check:
  description: With O(required_roles), whether the customer's relationships cover the roles.
  returned: when O(required_roles) is set
  type: dict
  contains:
    customer_id:
      description: The customer checked.
      type: str
    covered:
      description: Whether an active relationship grants every required role and lasts long enough.
      type: bool
    status:
      description: The status of RV(check.relationship), or V(none) when the customer has no relationship.
      type: str
    end_date_time:
      description: When RV(check.relationship) ends.
      type: str
    days_left:
      description: Whole days until RV(check.end_date_time).
      type: int
    auto_extends:
      description: Whether RV(check.relationship) extends itself at its end.
      type: bool
    missing_roles:
      description: The required roles that no usable relationship grants (names); empty when covered.
      type: list
      elements: str
    required_roles:
      description: The required roles, by name.
      type: list
      elements: str
    relationship:
      description: The covering relationship (as in RV(relationships)), else the closest one (an invitation that
        awaits approval, an active one without all roles, or the latest); null when there is none.
      type: dict
    approval_url:
      description: Where the customer approves RV(check.relationship), when it awaits approval.
      type: str
    msg:
      description: When not covered, why, in a sentence naming the missing roles and the status.
      type: str
  sample:
    customer_id: c0000003-0000-4000-8000-000000000003
    covered: false
    status: none
    missing_roles: [User Administrator, License Administrator]
    msg: "Customer c0000003-0000-4000-8000-000000000003 has no GDAP relationship with the partner: ..."
ms_correlation_id:
  description: The correlation ID of this task's calls, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._gdap import STATUSES, relationships_info
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str"),
        status=dict(type="list", elements="str", choices=list(STATUSES)),
        display_name=dict(type="str"),
        required_roles=dict(type="list", elements="str"),
        min_days_left=dict(type="int", default=30),
    ), "partner_center", relationships_info, required_by={"required_roles": ["customer_id"]})


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
