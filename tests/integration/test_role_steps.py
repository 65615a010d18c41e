"""The tenant_onboarding role's steps before and around the users: a customer created and attested, the GDAP
check and invitation, domains through Graph with their DNS records, and licenses and roles in the report.

Each test runs the shipped bulk playbook over an inventory written here, and asserts on the report and on the
simulator's journal and state.
"""

import json
import os
import stat

import yaml

from conftest import CONTOSO, NORTHWIND
from harness import DEMO, run_playbook, token_requests, writes

GROUP_VARS = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
NEW_DOMAIN = "tailspin-demo.onmicrosoft.com"
BILLING = {"email": "ap@tailspin-demo.example", "first_name": "Adele", "last_name": "Vance",
           "phone_number": "+1 425 555 0100",
           "address": {"address_line1": "One Microsoft Way", "city": "Redmond", "state": "WA",
                       "postal_code": "98052", "country": "US"}}
ONBOARDING_ROLES = ["User Administrator", "License Administrator", "Privileged Role Administrator",
                    "Domain Name Administrator"]
PASSWORD = "Initial-Passw0rd!"


def onboard(env, tmp_path, hosts, *args):
    """Write an inventory of ``hosts`` (name -> host vars) and run the bulk playbook; return (code, output,
    report)."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True, exist_ok=True)
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(GROUP_VARS))
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"tenants": {"hosts": dict((h, {}) for h in hosts)}}))
    (inventory / "host_vars").mkdir(exist_ok=True)
    for host, host_vars in hosts.items():
        (inventory / "host_vars" / ("%s.yml" % host)).write_text(yaml.safe_dump(host_vars))
    reports = tmp_path / "reports"
    code, output = run_playbook("playbooks/bulk_onboard.yml", env, inventory=str(inventory),
                                extra_vars={"onboarding_report_dir": str(reports)}, args=list(args))
    name = "onboarding-plan" if "--check" in args else "onboarding-report"
    path = reports / ("%s.json" % name)
    report = json.loads(path.read_text()) if path.exists() else None
    return code, output, report


def tenant(report, host):
    return [t for t in report["tenants"] if t["tenant"] == host][0]


def pc_writes(sim):
    return [(e["method"], e["path"]) for e in writes(sim.journal(), api="pc")]


def new_customer_vars(tmp_path):
    return {
        "tenant_onboarding_customer": {"domain": "tailspin-demo", "company_name": "Tailspin Toys",
                                       "billing_profile": BILLING,
                                       "admin_credentials_path": str(tmp_path / "tailspin-admin.json")},
        "tenant_onboarding_agreement": {"contact": {"first_name": "Adele", "last_name": "Vance",
                                                    "email": "adele@tailspin-demo.example"}},
        "tenant_onboarding_gdap": {"required_roles": ["User Administrator"]},
        "tenant_onboarding_domains": [{"name": "tailspin-demo.example"}],
        "tenant_onboarding_users": [{
            "user_principal_name": "alex@tailspin-demo.example", "first_name": "Alex", "last_name": "Wilber",
            "usage_location": "US", "password": PASSWORD,
            "licenses": [{"sku": "O365_BUSINESS_PREMIUM"}], "directory_roles": ["User Administrator"]}],
    }


def test_a_new_customer_is_created_attested_and_onboarded_then_nothing_changes(sim, env, tmp_path):
    hosts = {NEW_DOMAIN: new_customer_vars(tmp_path)}
    code, output, report = onboard(env, tmp_path, hosts, "-vvvv")
    assert code == 0, output[-4000:]
    result = tenant(report, NEW_DOMAIN)
    assert result["status"] == "ok" and result["changed"]
    assert result["customer"]["action"] == "created"
    assert result["customer"]["admin_credentials_path"] == str(tmp_path / "tailspin-admin.json")
    assert result["agreement"]["action"] == "created"
    assert result["gdap"]["covered"] and result["gdap"]["missing_roles"] == []
    assert result["domains"]["created"] == ["tailspin-demo.example"]
    assert result["users"]["created"] == ["alex@tailspin-demo.example"]
    assert result["users"]["access_changes"] == [{
        "user_principal_name": "alex@tailspin-demo.example", "licenses_assigned": ["O365_BUSINESS_PREMIUM"],
        "licenses_removed": [], "roles_added": ["User Administrator"], "roles_removed": []}]
    # The state: one customer, attested, with its domain and its licensed administrator.
    (customer,) = [c for c in sim.state()["partners"][0]["customers"] if c["domain"] == NEW_DOMAIN]
    assert result["customer_id"] == customer["id"]
    assert [a["type"] for a in customer["agreements"]] == ["MicrosoftCustomerAgreement"]
    assert [d["name"] for d in customer["custom_domains"]] == ["tailspin-demo.example"]
    # The admin password: in the 0600 file only, never in the -vvvv output or the report.
    credentials = tmp_path / "tailspin-admin.json"
    assert stat.S_IMODE(os.stat(str(credentials)).st_mode) == 0o600
    password = json.loads(credentials.read_text())["password"]
    assert password and password not in output
    reports = tmp_path / "reports"
    for name in os.listdir(str(reports)):
        assert password not in (reports / name).read_text()
        assert PASSWORD not in (reports / name).read_text()
    markdown = (reports / "onboarding-report.md").read_text()
    assert "## New customers' admin credentials" in markdown and str(credentials) in markdown
    assert "| %s | alex@tailspin-demo.example | O365_BUSINESS_PREMIUM |" % NEW_DOMAIN in markdown
    creates = [p for m, p in pc_writes(sim) if m == "POST" and p == "/v1/customers"]
    assert len(creates) == 1
    # One token for Partner Center and one for Graph (the GDAP check), for the whole run.
    assert len(token_requests(sim.journal())) == 2
    text = json.dumps(report)
    assert DEMO["client_secret"] not in text and DEMO["refresh_token"] not in text
    assert DEMO["client_secret"] not in output and DEMO["refresh_token"] not in output

    sim.clear_journal()
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0, output[-4000:]
    again = tenant(report, NEW_DOMAIN)
    assert (again["status"], again["changed"], again["customer"]["action"]) == ("ok", False, "unchanged")
    assert again["agreement"]["action"] == "unchanged" and again["users"]["access_changes"] == []
    assert writes(sim.journal()) == []


def test_check_mode_of_a_new_customer_writes_nothing_and_predicts_the_create(sim, env, tmp_path):
    code, output, plan = onboard(env, tmp_path, {NEW_DOMAIN: new_customer_vars(tmp_path)}, "--check")
    assert code == 0, output[-4000:]
    result = tenant(plan, NEW_DOMAIN)
    assert (result["status"], result["changed"], result["customer"]["action"]) == ("ok", True, "created")
    # Nothing exists yet to read: everything listed is predicted new; the GDAP check waits for the tenant.
    assert result["agreement"]["action"] == "created" and result["gdap"] == {}
    assert result["domains"]["created"] == ["tailspin-demo.example"]
    assert result["users"]["created"] == ["alex@tailspin-demo.example"]
    assert result["users"]["access_changes"] == [{
        "user_principal_name": "alex@tailspin-demo.example", "licenses_assigned": ["O365_BUSINESS_PREMIUM"],
        "licenses_removed": [], "roles_added": ["User Administrator"], "roles_removed": []}]
    assert writes(sim.journal()) == []
    assert not (tmp_path / "tailspin-admin.json").exists()


def test_a_tenant_without_gdap_fails_before_any_write(sim, env, tmp_path):
    hosts = {"northwind-demo.onmicrosoft.com": {
        "tenant_onboarding_customer_id": NORTHWIND,
        "tenant_onboarding_gdap": {"required_roles": ONBOARDING_ROLES},
        "tenant_onboarding_domains": [{"name": "northwind-demo.example"}],
        "tenant_onboarding_users": [{"user_principal_name": "sara@northwind-demo.onmicrosoft.com",
                                     "first_name": "Sara", "last_name": "Davis", "usage_location": "GB", "password": PASSWORD}]}}
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 2, output[-4000:]
    result = tenant(report, "northwind-demo.onmicrosoft.com")
    assert result["status"] == "failed" and result["failure"]["step"] == "Check the GDAP relationship"
    assert "has no GDAP relationship" in result["failure"]["msg"]
    assert "User Administrator" in result["failure"]["msg"]
    assert result["gdap"]["status"] == "none" and result["gdap"]["missing_roles"] == ONBOARDING_ROLES
    assert writes(sim.journal()) == []


def test_gdap_invitation_waits_for_approval_then_onboards(sim, env, tmp_path):
    host = "northwind-demo.onmicrosoft.com"
    hosts = {host: {
        "tenant_onboarding_customer_id": NORTHWIND,
        "tenant_onboarding_gdap": {"required_roles": ONBOARDING_ROLES,
                                   "relationship": {"display_name": "Onboarding Northwind"}},
        "tenant_onboarding_domains": [{"name": "northwind-demo.example"}],
        "tenant_onboarding_users": [{"user_principal_name": "sara@northwind-demo.onmicrosoft.com",
                                     "first_name": "Sara", "last_name": "Davis", "usage_location": "GB", "password": PASSWORD}]}}
    code, output, plan = onboard(env, tmp_path, hosts, "--check")
    assert code == 0, output[-4000:]
    predicted = tenant(plan, host)
    assert (predicted["status"], predicted["changed"], predicted["gdap"]["invitation"]) == (
        "awaiting_approval", True, "created")
    assert writes(sim.journal()) == []

    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0, output[-4000:]
    result = tenant(report, host)
    assert (result["status"], result["changed"], result["gdap"]["invitation"]) == ("awaiting_approval", True, "created")
    assert result["gdap"]["approval_url"].endswith("/granularAdminRelationships/%s" % result["gdap"]["relationship_id"])
    assert report["awaiting_approval"] == [host] and report["summary"]["failed"] == 0
    # Only the invitation (create and lock) was written: nothing to the tenant in Partner Center.
    assert [e["method"] for e in writes(sim.journal(), api="graph")] == ["POST", "POST"]
    assert pc_writes(sim) == []
    markdown = (tmp_path / "reports" / "onboarding-report.md").read_text()
    assert "## Awaiting the customer's GDAP approval" in markdown and result["gdap"]["approval_url"] in markdown

    # A run before the approval: still waiting, nothing written.
    sim.clear_journal()
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0 and tenant(report, host)["status"] == "awaiting_approval"
    assert tenant(report, host)["gdap"]["invitation"] == "unchanged"
    assert writes(sim.journal()) == []

    sim.approve_relationship(result["gdap"]["relationship_id"])
    sim.clear_journal()
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0, output[-4000:]
    after = tenant(report, host)
    assert after["status"] == "ok" and after["gdap"]["covered"]
    assert after["domains"]["created"] == ["northwind-demo.example"]
    assert after["users"]["created"] == ["sara@northwind-demo.onmicrosoft.com"]
    assert writes(sim.journal(), api="graph") == []


def test_graph_domains_report_their_records_and_hold_back_their_users(sim, env, tmp_path):
    host = "contoso-demo.onmicrosoft.com"
    hosts = {host: {
        "tenant_onboarding_customer_id": CONTOSO,
        "tenant_onboarding_domain_method": "graph",
        "tenant_onboarding_domains": [{"name": "mail.contoso-demo.example"}],
        "tenant_onboarding_users": [
            {"user_principal_name": "lee@mail.contoso-demo.example", "first_name": "Lee", "last_name": "Gu", "usage_location": "US",
             "password": PASSWORD},
            {"user_principal_name": "nestor@contoso-demo.onmicrosoft.com", "first_name": "Nestor",
             "last_name": "Wilke", "usage_location": "US", "password": PASSWORD}]}}
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0, output[-4000:]
    result = tenant(report, host)
    assert result["status"] == "ok" and result["domains"]["created"] == ["mail.contoso-demo.example"]
    txt = [r for r in result["domains"]["dns_records"] if r["record_type"] == "txt"]
    assert txt and txt[0]["domain"] == "mail.contoso-demo.example" and txt[0]["text"].startswith("MS=ms")
    assert result["domains"]["pending_verification"] == ["mail.contoso-demo.example"]
    assert [u["user_principal_name"] for u in result["users"]["held_back"]] == ["lee@mail.contoso-demo.example"]
    assert result["users"]["created"] == ["nestor@contoso-demo.onmicrosoft.com"]
    # Graph: one domain POST; Partner Center: the one user not held back.
    assert [(e["method"], e["path"]) for e in writes(sim.journal(), api="graph")] == [("POST", "/v1.0/domains")]
    assert [m for m, _p in pc_writes(sim)] == ["POST"]
    markdown = (tmp_path / "reports" / "onboarding-report.md").read_text()
    assert "## DNS records to publish" in markdown and txt[0]["text"] in markdown

    # Verifying before the record is published: still pending, not a failure, users still wait.
    hosts[host]["tenant_onboarding_domain_verify"] = True
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0, output[-4000:]
    assert tenant(report, host)["users"]["held_back"][0]["user_principal_name"] == "lee@mail.contoso-demo.example"
    # The customer's tenant token was asked for once, with the customer's authority, for both runs.
    assert len([e for e in token_requests(sim.journal()) if CONTOSO in e["path"]]) == 1

    sim.publish_dns_record(CONTOSO, "mail.contoso-demo.example")
    sim.clear_journal()
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 0, output[-4000:]
    verified = tenant(report, host)
    assert verified["users"]["held_back"] == [] and verified["domains"]["pending_verification"] == []
    assert verified["users"]["created"] == ["lee@mail.contoso-demo.example"]
    assert ("POST", "/v1.0/domains/mail.contoso-demo.example/verify") in [
        (e["method"], e["path"]) for e in writes(sim.journal(), api="graph")]


def test_unknown_keys_in_the_new_inputs_are_refused_before_any_request(sim, env, tmp_path):
    hosts = {NEW_DOMAIN: dict(new_customer_vars(tmp_path), tenant_onboarding_gdap={
        "required_roles": ["User Administrator"], "relationship": {"display_nam": "typo"}})}
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 2
    result = tenant(report, NEW_DOMAIN)
    assert result["failure"]["step"] == "Validate the tenant variables"
    assert "display_nam" in result["failure"]["msg"]
    assert [e for e in sim.journal() if e["api"] != "entra"] == []


def test_the_customer_id_or_the_customer_is_needed(sim, env, tmp_path):
    code, output, report = onboard(env, tmp_path, {"nobody.example": {"tenant_onboarding_domains": []}})
    assert code == 2
    failure = tenant(report, "nobody.example")["failure"]
    assert "tenant_onboarding_customer_id" in failure["msg"]
    assert writes(sim.journal()) == []


CONTOSO_RELATIONSHIP = "9a9d0001-0000-4000-8000-000000000001-c0000001-0000-4000-8000-000000000001"


def invite_contoso_under_its_relationship_name(sim, env, tmp_path):
    """Run the role on Contoso, inviting under the name of its seeded relationship; return the failed outcome."""
    host = "contoso-demo.onmicrosoft.com"
    hosts = {host: {"tenant_onboarding_customer_id": CONTOSO,
                    "tenant_onboarding_gdap": {"required_roles": ["User Administrator"],
                                               "relationship": {"display_name": "Demo onboarding Contoso"}},
                    "tenant_onboarding_domains": [{"name": "contoso-demo.example"}]}}
    code, output, report = onboard(env, tmp_path, hosts)
    assert code == 2, output[-4000:]
    assert writes(sim.journal()) == []
    return tenant(report, host)


def test_an_invitation_named_after_an_expired_relationship_fails_clearly(sim, env, tmp_path):
    sim.expire_relationship(CONTOSO_RELATIONSHIP)
    result = invite_contoso_under_its_relationship_name(sim, env, tmp_path)
    # Not "awaiting approval" with no link for ever: a failure that says why and what to change.
    assert result["status"] == "failed", result
    assert "is expired" in result["failure"]["msg"] and "choose another display_name" in result["failure"]["msg"]


def test_an_invitation_named_after_an_ending_relationship_fails_clearly(seeded, env, tmp_path):
    def no_auto_extend(seed):
        seed["partners"][0]["gdap_relationships"][0]["auto_extend_duration"] = "PT0S"
    sim = seeded(no_auto_extend)
    sim.expire_relationship(CONTOSO_RELATIONSHIP, days_left=10)
    result = invite_contoso_under_its_relationship_name(sim, env, tmp_path)
    # Active, ending within min_days_left: the invitation cannot renew it; the tenant fails, saying why.
    assert result["status"] == "failed" and result["failure"]["step"] == "Invite the customer to a GDAP relationship"
    assert "another display_name" in result["failure"]["msg"]
