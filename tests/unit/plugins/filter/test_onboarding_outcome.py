# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compact outcome of a tenant, from the registered results of the role's steps (pure logic)."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.onboarding.plugins.filter.onboarding_outcome import onboarding_outcome

TENANT = "c0000001-0000-4000-8000-000000000001"
SKIPPED = {"changed": False, "skipped": True}
EMPTY_LOOP = {"changed": False, "skipped": True, "results": []}


def settings(**changes):
    base = {"tenant_id": TENANT, "check_mode": False, "domain_method": "verifieddomain", "domains": [],
            "users": [], "agreement": {}, "held_back_pattern": ""}
    base.update(changes)
    return base


def test_an_existing_tenant_onboarded():
    steps = {
        "create": SKIPPED,
        "lookup": {"customers": [{"id": TENANT, "company_name": "Contoso"}], "ms_correlation_id": "c-1"},
        "agreement": SKIPPED,
        "gdap": {"check": {"covered": True, "status": "active", "days_left": 700, "missing_roles": [],
                           "relationship": {"id": "r1", "display_name": "Onboarding", "end_date_time": "2028"}}},
        "invite": SKIPPED, "assignments": EMPTY_LOOP,
        "domains": {"results": [{"action": "created", "changed": True, "ms_correlation_id": "d-1",
                                 "tenant_onboarding_domain": {"name": "contoso.example"}}]},
        "graph_domains": EMPTY_LOOP,
        "users": {"changed": True, "created": ["a@contoso.example"], "updated": [], "restored": [], "deleted": [],
                  "unchanged": [], "failed_users": [], "ms_correlation_id": "u-1",
                  "access_changes": [{"user_principal_name": "a@contoso.example", "licenses_assigned": ["SKU"],
                                      "licenses_removed": []}]},
        "bypass": {"changed": False, "action": "unchanged", "bypass": {"aps_id": "b-1"}},
        "failure": {},
    }
    result = onboarding_outcome(steps, settings(agreement={}))
    assert (result["status"], result["changed"], result["company_name"]) == ("ok", True, "Contoso")
    assert result["customer"]["action"] == "found" and result["agreement"]["action"] == "skipped"
    assert result["gdap"]["covered"] and result["gdap"]["relationship_id"] == "r1"
    assert result["domains"] == {"created": ["contoso.example"], "unchanged": [], "failed": []}
    assert result["users"]["access_changes"][0]["licenses_assigned"] == ["SKU"]
    assert result["aps_bypass"] == {"action": "unchanged", "aps_id": "b-1"}
    assert result["correlation_ids"] == {"customer": "c-1", "gdap": None, "domains": ["d-1"], "users": "u-1",
                                         "aps_bypass": None}


def test_a_failed_step_and_an_invitation_waiting_for_approval():
    failed = onboarding_outcome({"lookup": {"customers": []}, "failure": {"step": "Check", "msg": "no"}}, settings())
    assert failed["status"] == "failed" and failed["failure"]["msg"] == "no"
    assert failed["customer"]["action"] == "not run" and failed["aps_bypass"]["action"] == "not run"
    waiting = onboarding_outcome({
        "gdap": {"check": {"covered": False, "status": "none", "missing_roles": ["User Administrator"]}},
        "invite": {"changed": True, "action": "created", "relationship": {
            "id": "r2", "display_name": "Invite", "status": "approvalPending", "approval_url": "https://approve/r2"}},
    }, settings(agreement={"contact": {}}))
    assert (waiting["status"], waiting["changed"]) == ("awaiting_approval", True)
    assert waiting["gdap"]["approval_url"] == "https://approve/r2" and waiting["gdap"]["status"] == "awaiting_approval"
    assert waiting["agreement"]["action"] == "not run"


def test_graph_domains_list_their_records_and_the_users_held_back():
    steps = {"graph_domains": {"results": [
        {"action": "created", "tenant_onboarding_domain": {"name": "mail.example"},
         "domain": {"name": "mail.example", "is_verified": False},
         "verification_dns_records": [{"record_type": "txt", "label": "mail.example", "text": "MS=ms1", "ttl": 3600}]},
        {"action": "unchanged", "tenant_onboarding_domain": {"name": "ok.example"},
         "domain": {"name": "ok.example", "is_verified": True}, "verification_dns_records": []}]},
        "users": {"changed": False, "unchanged": ["b@ok.example"]}}
    users = [{"user_principal_name": "a@Mail.Example"}, {"user_principal_name": "b@ok.example"}]
    result = onboarding_outcome(steps, settings(domain_method="graph", users=users,
                                                held_back_pattern=r"(?i)@(mail\.example)$"))
    assert result["domains"]["pending_verification"] == ["mail.example"]
    assert result["domains"]["dns_records"] == [{"record_type": "txt", "label": "mail.example", "text": "MS=ms1",
                                                 "ttl": 3600, "domain": "mail.example"}]
    assert [u["user_principal_name"] for u in result["users"]["held_back"]] == ["a@Mail.Example"]
    assert "not verified yet" in result["users"]["held_back"][0]["reason"]


def test_check_mode_of_a_new_customer_predicts_everything_as_new():
    steps = {"create": {"changed": True, "action": "created", "customer": {"company_name": "Tailspin"},
                        "admin_credentials_path": "/tmp/admin.json"}}
    users = [{"user_principal_name": "a@t.example", "licenses": [{"sku": "SKU"}], "directory_roles": ["User Administrator"]},
             {"user_principal_name": "gone@t.example", "state": "absent"}]
    result = onboarding_outcome(steps, settings(tenant_id="", check_mode=True, domains=[{"name": "t.example"}],
                                                users=users, agreement={"contact": {}}))
    assert result["customer_id"] is None and result["changed"]
    assert result["agreement"]["action"] == "created" and result["domains"]["created"] == ["t.example"]
    assert result["users"]["created"] == ["a@t.example"]
    assert result["users"]["access_changes"] == [{"user_principal_name": "a@t.example", "licenses_assigned": ["SKU"],
                                                  "licenses_removed": [], "roles_added": ["User Administrator"],
                                                  "roles_removed": []}]


def test_wrong_arguments_are_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        onboarding_outcome([], settings())
