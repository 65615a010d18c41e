# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compact outcome of one tenant of the tenant_onboarding role, from the registered results of its steps.

In Python rather than in a Jinja template: the role records one outcome per tenant, and in bulk runs of
hundreds of tenants the same dict built by a template of filter chains cost about 0.3 s of controller CPU per
tenant (``benchmarks/``), more than any step's module.
"""

DOCUMENTATION = r"""
name: onboarding_outcome
short_description: The compact outcome of one tenant of the tenant_onboarding role
version_added: 0.2.0
author:
  - csp.onboarding maintainers (@csp-onboarding)
description:
  - Builds C(tenant_onboarding_result), the one fact per host that the role C(csp.onboarding.tenant_onboarding)
    records and the bulk playbook's report is built from, out of the registered results of the role's steps.
  - Meant for the role; it is documented so that a playbook that runs the same modules can record the same shape.
options:
  _input:
    description:
      - The registered results of the steps, by step, each V({}) or a skipped result when the step did not run.
      - Keys C(create) (M(csp.onboarding.customer)), C(lookup) (M(csp.onboarding.customer_info)), C(agreement),
        C(gdap) (M(csp.onboarding.gdap_relationship_info) with C(required_roles)), C(invite)
        (M(csp.onboarding.gdap_relationship)), C(assignments) (a loop of M(csp.onboarding.gdap_access_assignment)),
        C(domains) (a loop of M(csp.onboarding.verified_domain)), C(graph_domains) (a loop of
        M(csp.onboarding.customer_domain)), C(users) (M(csp.onboarding.customer_users)), C(bypass)
        (M(csp.onboarding.aps_bypass_validation)) and C(failure) (the failed step, V({}) when none failed).
    type: dict
    required: true
  settings:
    description:
      - What the steps were asked to do. Keys C(tenant_id), C(check_mode), C(domain_method), C(domains), C(users),
        C(agreement) and C(held_back_pattern) (a regular expression of the UPNs held back, or V('')).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Record the outcome of the steps
  ansible.builtin.set_fact:
    tenant_onboarding_result: "{{ steps | csp.onboarding.onboarding_outcome(settings) }}"
  vars:
    steps:
      lookup: "{{ lookup_run }}"
      users: "{{ users_run }}"
    settings:
      tenant_id: "{{ customer_id }}"
      check_mode: "{{ ansible_check_mode }}"
"""

RETURN = r"""
_value:
  description:
    - C(customer_id), C(company_name), C(status) (V(ok), V(failed) or V(awaiting_approval)), C(changed), C(customer),
      C(agreement), C(gdap), C(domains), C(users), C(aps_bypass), C(failure) and C(correlation_ids), as the bulk
      onboarding guide describes them.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

# A GDAP relationship in these statuses waits for the customer's approval.
WAITING = ("created", "approvalPending", "approved", "activating")
DOMAIN_ITEM = "tenant_onboarding_domain"
ASSIGNMENT_ITEM = "tenant_onboarding_assignment"


def _dict(value):
    return value if isinstance(value, dict) else {}


def _items(loop_result):
    return [item for item in _dict(loop_result).get("results") or [] if isinstance(item, dict)]


def _item_name(item, key="name"):
    return _dict(item.get(DOMAIN_ITEM)).get(key)


def _predicted_for_new_customer(settings):
    """Check mode of a customer still to be created: nothing exists to read, so everything listed is new."""
    present = [user for user in settings.get("users") or [] if (user.get("state") or "present") == "present"]
    access = []
    for user in present:
        change = {"user_principal_name": user["user_principal_name"]}
        if user.get("licenses") is not None:
            change.update(licenses_assigned=[entry["sku"] for entry in user["licenses"]], licenses_removed=[])
        if user.get("directory_roles") is not None:
            change.update(roles_added=list(user["directory_roles"]), roles_removed=[])
        if user.get("licenses") or user.get("directory_roles"):
            access.append(change)
    users = {"changed": bool(present), "created": [user["user_principal_name"] for user in present],
             "access_changes": access}
    domains = [{"action": "created", DOMAIN_ITEM: domain} for domain in settings.get("domains") or []]
    return users, domains


def onboarding_outcome(steps, settings):
    if not isinstance(steps, dict) or not isinstance(settings, dict):
        raise AnsibleFilterError("onboarding_outcome takes the steps' results and the settings, both dicts")
    create = _dict(steps.get("create"))
    lookup = _dict(steps.get("lookup"))
    found = (lookup.get("customers") or [{}])[0]
    agreement = _dict(steps.get("agreement"))
    gdap = _dict(steps.get("gdap"))
    check = _dict(gdap.get("check"))
    invite = _dict(steps.get("invite"))
    assignments = [item for item in _items(steps.get("assignments")) if "action" in item]
    domain_items = _items(steps.get("domains")) + _items(steps.get("graph_domains"))
    users = _dict(steps.get("users"))
    bypass = _dict(steps.get("bypass"))
    failure = _dict(steps.get("failure"))
    tenant_id = settings.get("tenant_id") or None
    agreement_wanted = bool(settings.get("agreement"))

    if settings.get("check_mode") and create.get("action") == "created" and not tenant_id:
        users, domain_items = _predicted_for_new_customer(settings)
        if agreement_wanted:
            agreement = {"action": "created", "changed": True}

    records, pending = [], []
    for item in domain_items:
        if item.get("verification_dns_records"):
            pending.append(_item_name(item))
            records.extend(dict(record, domain=_item_name(item)) for record in item["verification_dns_records"])
    held_back = []
    pattern = settings.get("held_back_pattern")
    if pattern and users:
        for user in settings.get("users") or []:
            upn = user["user_principal_name"]
            if re.search(pattern, upn):
                held_back.append({"user_principal_name": upn, "reason": (
                    "its domain %s is not verified yet: publish its DNS records (dns_records) and run again"
                    % upn.split("@")[-1])})

    def named(action):
        return [_item_name(item) for item in domain_items if item.get("action") == action]

    created_domains = named("created")
    relationship = _dict(invite.get("relationship")) or _dict(check.get("relationship"))
    awaiting = _dict(invite.get("relationship")).get("status") in WAITING
    status = "failed" if failure else ("awaiting_approval" if awaiting else "ok")
    domains = {
        "created": created_domains,
        "unchanged": named("unchanged"),
        "failed": [_item_name(item) for item in domain_items if item.get("failed")],
    }
    if settings.get("domain_method") == "graph":
        domains.update(method="graph", pending_verification=pending, dns_records=records)
    return {
        "customer_id": tenant_id,
        "company_name": _dict(create.get("customer")).get("company_name", found.get("company_name")),
        "status": status,
        "changed": bool(create.get("changed") or agreement.get("changed") or invite.get("changed")
                        or any(item.get("changed") for item in assignments) or created_domains or named("verified")
                        or users.get("changed") or bypass.get("changed")),
        "customer": {
            "action": create.get("action") or ("found" if found else "not run"),
            "admin_user_name": create.get("admin_user_name"),
            "admin_credentials_path": create.get("admin_credentials_path"),
        },
        "agreement": {"action": agreement.get("action") or (
            "skipped" if agreement.get("skipped") or not agreement_wanted else "not run")},
        "gdap": {} if not check else {
            "status": "awaiting_approval" if awaiting else check.get("status"),
            "covered": check.get("covered"),
            "relationship": relationship.get("display_name"),
            "relationship_id": relationship.get("id"),
            "end_date_time": relationship.get("end_date_time"),
            "days_left": check.get("days_left"),
            "missing_roles": check.get("missing_roles"),
            "invitation": invite.get("action"),
            "approval_url": relationship.get("approval_url") or check.get("approval_url"),
            "access_assignments": ["%s: %s" % (_dict(item.get(ASSIGNMENT_ITEM)).get("security_group_id"),
                                               item["action"]) for item in assignments],
        },
        "domains": domains,
        "users": {
            "created": users.get("created") or [],
            "updated": users.get("updated") or [],
            "restored": users.get("restored") or [],
            "deleted": users.get("deleted") or [],
            "unchanged": users.get("unchanged") or [],
            "failed": users.get("failed_users") or [],
            "held_back": held_back,
            "access_changes": users.get("access_changes") or [],
        },
        "aps_bypass": {
            "action": bypass.get("action") or ("skipped" if bypass.get("skipped") else "not run"),
            "aps_id": _dict(bypass.get("bypass")).get("aps_id"),
        },
        "failure": failure or None,
        "correlation_ids": {
            "customer": create.get("ms_correlation_id") or lookup.get("ms_correlation_id"),
            "gdap": gdap.get("ms_correlation_id"),
            "domains": [item["ms_correlation_id"] for item in domain_items if item.get("ms_correlation_id")],
            "users": users.get("ms_correlation_id"),
            "aps_bypass": bypass.get("ms_correlation_id"),
        },
    }


class FilterModule(object):
    def filters(self):
        return {"onboarding_outcome": onboarding_outcome}
