#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: gdap_access_assignment
short_description: Give a partner security group roles in a customer's tenant through a GDAP relationship
version_added: 0.2.0
description:
  - Manages the access assignment of one security group of the partner's tenant in one granular delegated admin
    (GDAP) relationship, through Microsoft Graph
    (C(/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments)). The members of the group
    then act in the customer's tenant with the assigned roles.
  - Identity is the relationship and the group. Creates the assignment when the group has none, changes its roles
    with C(PATCH) and C(If-Match) when they differ (compared as a set), deletes it with C(If-Match) for
    O(state=absent). When the assignment changed between the read and the write (Graph answers 412 to the stale
    ETag), it is read again once and the task converges on what it finds.
  - The roles must be a subset of the relationship's roles, and the relationship must be active (approved by the
    customer); both are checked before any write.
  - A new or changed assignment is V(pending) for a while before Graph shows it V(active).
  - Uses a Graph token of the partner's tenant, from the same credentials as Partner Center. The app needs the Graph
    permission C(DelegatedAdminRelationship.ReadWrite.All).
author:
  - csp.onboarding maintainers (@csp-onboarding)
options:
  relationship_id:
    description:
      - The ID of the GDAP relationship, as M(csp.onboarding.gdap_relationship) and
        M(csp.onboarding.gdap_relationship_info) return it.
    type: str
    required: true
  security_group_id:
    description:
      - The object ID (a GUID) of a security group in the partner's tenant.
    type: str
    required: true
  roles:
    description:
      - Microsoft Entra built-in role names or role template IDs, a subset of the relationship's roles. Required for
        O(state=present).
    type: list
    elements: str
  state:
    description:
      - V(present) makes the group hold exactly O(roles); V(absent) removes its assignment.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - csp.onboarding.partner_center
  - csp.onboarding.attributes
  - csp.onboarding.attributes.PARTNER_CENTER_GROUP
  - csp.onboarding.attributes.ACTION
seealso:
  - module: csp.onboarding.gdap_relationship
  - name: Create accessAssignments (Microsoft Graph)
    description: The Graph call that creates an access assignment.
    link: https://learn.microsoft.com/en-us/graph/api/delegatedadminrelationship-post-accessassignments
"""

EXAMPLES = r"""
- name: Let the onboarding engineers manage Contoso's users and licenses
  csp.onboarding.gdap_access_assignment:
    relationship_id: "{{ gdap.check.relationship.id }}"
    security_group_id: 5ec00001-0000-4000-8000-000000000001
    roles:
      - User Administrator
      - License Administrator

- name: Remove a group's access
  csp.onboarding.gdap_access_assignment:
    relationship_id: "{{ gdap.check.relationship.id }}"
    security_group_id: 5ec00002-0000-4000-8000-000000000002
    state: absent
"""

RETURN = r"""
action:
  description: V(created), V(updated), V(deleted) or V(unchanged).
  returned: success
  type: str
  sample: updated
access_assignment:
  description: The assignment after the task (predicted in check mode); empty when there is none.
  returned: success
  type: dict
  contains:
    id:
      description: The assignment's ID (null when predicted in check mode for a new one).
      type: str
    status:
      description: V(pending) while Graph applies it, then V(active).
      type: str
    security_group_id:
      description: The security group.
      type: str
    roles:
      description: The roles the group holds, each C(id) and C(name).
      type: list
      elements: dict
  sample:
    id: 9a9d00a1-0000-4000-8000-000000000001
    status: pending
    security_group_id: 5ec00001-0000-4000-8000-000000000001
    roles:
      - {id: fe930be7-5e62-47db-91af-98c3a49a38b1, name: User Administrator}
ms_correlation_id:
  description: The correlation ID of this task's calls, for support tickets.
  returned: always
  type: str
"""

from ansible_collections.csp.onboarding.plugins.module_utils._gdap import ensure_access_assignment
from ansible_collections.csp.onboarding.plugins.module_utils._module import ModuleDefinition


def definition():
    return ModuleDefinition(dict(
        relationship_id=dict(type="str", required=True),
        security_group_id=dict(type="str", required=True),
        roles=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ), "partner_center", ensure_access_assignment, required_if=[("state", "present", ["roles"])])


DEFINITION = definition()


def main():
    DEFINITION.main()


if __name__ == "__main__":
    main()
