#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: gdap_relationship
short_description: Invite a Microsoft CSP customer to a GDAP relationship, or terminate one
version_added: 0.2.0
description:
  - Creates a granular delegated admin (GDAP) relationship with a customer through Microsoft Graph
    (C(POST /v1.0/tenantRelationships/delegatedAdminRelationships)) and locks it for the customer's approval
    (C(POST .../{id}/requests) with C(lockForApproval)). The customer's admin then approves it at
    RV(relationship.approval_url); until then its status is V(approvalPending).
  - The display name identifies the relationship, compared case-insensitively; it is unique across all the
    partner's relationships, ended ones included. A run finds the relationship by it and writes nothing when it
    matches.
  - The roles and the duration of a relationship cannot change once it is locked; a relationship found with
    other roles or another duration fails clearly, naming both. To ask for other roles, invite the customer with
    a new relationship under another display name. Only O(auto_extend_duration) can change while it is active.
  - A relationship left in status V(created) (not yet sent to the customer) is updated and locked.
  - O(state=absent) terminates an active relationship (C(terminate)), or deletes one that was never sent.
  - Uses a Graph token of the partner's tenant, from the same credentials as Partner Center. The app needs the Graph
    permission C(DelegatedAdminRelationship.ReadWrite.All).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  customer_id:
    description:
      - The customer's tenant ID (a GUID).
    type: str
    required: true
  display_name:
    description:
      - The relationship's display name, at most 50 characters, unique across the partner's relationships.
    type: str
    required: true
  roles:
    description:
      - Microsoft Entra built-in role names (such as V(User Administrator), compared case-insensitively) or role
        template IDs. Required for O(state=present). An unknown name fails before any request, listing the names
        known.
    type: list
    elements: str
  duration:
    description:
      - How long the relationship lasts once approved, an ISO 8601 duration from V(P1D) to V(P730D) (two years).
        Days, weeks or years (V(P2Y) is V(P730D)); it is sent in days.
    type: str
    default: P730D
  auto_extend_duration:
    description:
      - V(P180D) extends the relationship by 180 days whenever it reaches its end; V(PT0S) lets it expire.
      - V(PT0S) is required when O(roles) include V(Global Administrator), which Microsoft never extends
        automatically; V(P180D) with that role is refused before any request.
    type: str
    choices: [P180D, PT0S]
    default: P180D
  state:
    description:
      - V(present) creates the relationship and locks it for approval. V(absent) terminates it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
notes:
  - GDAP is not available in the China cloud (O(cloud=china)).
seealso:
  - module: csp.onboarding.gdap_relationship_info
  - module: csp.onboarding.gdap_access_assignment
  - name: Create delegatedAdminRelationship (Microsoft Graph)
    description: The Graph call that creates the relationship.
    link: https://learn.microsoft.com/en-us/graph/api/tenantrelationship-post-delegatedadminrelationships
"""

EXAMPLES = r"""
- name: Invite Northwind to the roles onboarding needs
  csp.onboarding.gdap_relationship:
    customer_id: c0000003-0000-4000-8000-000000000003
    display_name: Onboarding Northwind
    roles:
      - User Administrator
      - License Administrator
      - Privileged Role Administrator
      - Domain Name Administrator
  register: invitation

- name: Tell the customer's admin where to approve it
  ansible.builtin.debug:
    msg: "Approve at {{ invitation.relationship.approval_url }}"
  when: invitation.relationship.status == 'approvalPending'

- name: A short relationship with Global Administrator (no automatic extension)
  csp.onboarding.gdap_relationship:
    customer_id: c0000003-0000-4000-8000-000000000003
    display_name: Northwind migration
    roles: [Global Administrator]
    duration: P30D
    auto_extend_duration: PT0S

- name: Terminate it
  csp.onboarding.gdap_relationship:
    customer_id: c0000003-0000-4000-8000-000000000003
    display_name: Northwind migration
    state: absent
"""

RETURN = r"""
action:
  description: V(created), V(updated) (a relationship in status V(created) locked, or O(auto_extend_duration)
    changed), V(deleted) (terminated) or V(unchanged).
  returned: success
  type: str
  sample: created
relationship:
  description:
    - The relationship after the task (predicted in check mode), as
      M(csp.onboarding.gdap_relationship_info) returns RV(csp.onboarding.gdap_relationship_info#module:relationships).
    - Send RV(relationship.approval_url) to the customer's admin while the status is V(approvalPending).
  returned: success
  type: dict
  contains:
    id:
      description: The relationship's ID (null when predicted in check mode for a new one).
      type: str
    display_name:
      description: Its display name.
      type: str
    status:
      description: V(approvalPending) after an invitation, until the customer approves it; then V(active).
      type: str
    roles:
      description: The roles it grants, each C(id) and C(name).
      type: list
      elements: dict
    end_date_time:
      description: When it ends (null before approval).
      type: str
    approval_url:
      description: The page of the Microsoft 365 admin center where the customer's admin approves it.
      type: str
  sample:
    id: 5f1e0c2a-0000-4000-8000-000000000001-c0000003-0000-4000-8000-000000000003
    display_name: Onboarding Northwind
    status: approvalPending
    customer_id: c0000003-0000-4000-8000-000000000003
    roles:
      - {id: fe930be7-5e62-47db-91af-98c3a49a38b1, name: User Administrator}
    duration: P730D
    auto_extend_duration: P180D
    approval_url: https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{id}
ms_correlation_id:
  description: The correlation ID of this task's calls, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._gdap import AUTO_EXTEND_CHOICES, ensure_relationship
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        customer_id=dict(type="str", required=True),
        display_name=dict(type="str", required=True),
        roles=dict(type="list", elements="str"),
        duration=dict(type="str", default="P730D"),
        auto_extend_duration=dict(type="str", choices=list(AUTO_EXTEND_CHOICES), default="P180D"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ), "partner_center", ensure_relationship, required_if=[("state", "present", ["roles"])])


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
