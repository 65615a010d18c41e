"""The tenant_onboarding role, the bulk playbook and its report, and the inventory plugin (issue: onboarding)."""

import json
import re
import os
import shutil
import subprocess
import sys

from harness import BIN, ROOT, ansible_env, run_playbook, writes

DEMO_INVENTORY = os.path.join(ROOT, "playbooks", "inventory", "demo")


def bulk(env, inventory, report_dir, *args):
    return run_playbook("playbooks/bulk_onboard.yml", env, inventory=inventory,
                        extra_vars={"onboarding_report_dir": str(report_dir)}, args=list(args) or ["--forks", "5"])


def report(report_dir):
    with open(os.path.join(str(report_dir), "onboarding-report.json")) as handle:
        return json.load(handle)


def test_demo_onboards_then_changes_nothing(sim, env, tmp_path):
    code, output = bulk(env, DEMO_INVENTORY, tmp_path)
    assert code == 0, output[-3000:]
    first = report(tmp_path)
    assert first["summary"] == {"tenants": 4, "failed": 0, "changed": 4, "failed_tenants": []}
    tenants = dict((t["tenant"], t) for t in first["tenants"])
    fabrikam = tenants["fabrikam-demo.onmicrosoft.com"]
    assert fabrikam["users"]["restored"] == ["jane.doe@fabrikam-demo.onmicrosoft.com"]
    assert sorted(fabrikam["domains"]["created"]) == ["fabrikam-demo.example", "sso.fabrikam-demo.example"]
    assert fabrikam["aps_bypass"]["action"] == "created"
    assert tenants["contoso-demo.onmicrosoft.com"]["users"]["unchanged"] == ["admin@contoso-demo.onmicrosoft.com"]
    assert all(t["correlation_ids"]["users"] for t in first["tenants"])
    # The new customer: created, attested, covered by its default GDAP relationship, onboarded.
    tailspin = tenants["tailspin-demo.onmicrosoft.com"]
    assert (tailspin["customer"]["action"], tailspin["agreement"]["action"]) == ("created", "created")
    assert tailspin["gdap"]["covered"] and tailspin["users"]["created"] == ["adele.vance@tailspin-demo.example"]
    # One license and one directory role in the demo, listed in the report.
    contoso = tenants["contoso-demo.onmicrosoft.com"]
    assert contoso["gdap"]["covered"] and contoso["gdap"]["missing_roles"] == []
    assert sorted((c["user_principal_name"], c.get("licenses_assigned"), c.get("roles_added"))
                  for c in contoso["users"]["access_changes"]) == [
        ("alex.wilber@contoso-demo.onmicrosoft.com", ["O365_BUSINESS_PREMIUM"], None),
        ("megan.bowen@contoso-demo.onmicrosoft.com", None, ["User Administrator"])]
    sim.clear_journal()
    code, output = bulk(env, DEMO_INVENTORY, tmp_path)
    assert code == 0, output[-3000:]
    assert writes(sim.journal()) == []
    assert report(tmp_path)["summary"] == {"tenants": 4, "failed": 0, "changed": 0, "failed_tenants": []}
    markdown = open(os.path.join(str(tmp_path), "onboarding-report.md")).read()
    assert "| fabrikam-demo.onmicrosoft.com | c0000002-0000-4000-8000-000000000002 | ok |" in markdown


def test_a_failing_tenant_does_not_stop_the_others(sim, env, tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(DEMO_INVENTORY, str(inventory))
    unknown = inventory / "host_vars" / "northwind-demo.onmicrosoft.com.yml"
    unknown.write_text(unknown.read_text().replace("c0000003-0000-4000-8000-000000000003",
                                                   "deadbeef-0000-4000-8000-000000000000"))
    code, output = bulk(env, str(inventory), tmp_path / "reports")
    assert code == 2, output[-3000:]
    recap = output.split("PLAY RECAP")[-1]
    assert re.search(r"northwind-demo\.onmicrosoft\.com\s*:.*failed=1", recap)  # a retry can --limit to it
    assert re.search(r"contoso-demo\.onmicrosoft\.com\s*:.*failed=0", recap)
    result = report(tmp_path / "reports")
    assert result["summary"]["tenants"] == 4 and result["summary"]["failed"] == 1
    statuses = dict((t["tenant"], t["status"]) for t in result["tenants"])
    assert statuses == {"contoso-demo.onmicrosoft.com": "ok", "fabrikam-demo.onmicrosoft.com": "ok",
                        "northwind-demo.onmicrosoft.com": "failed", "tailspin-demo.onmicrosoft.com": "ok"}
    failed = [t for t in result["tenants"] if t["status"] == "failed"][0]
    assert failed["failure"]["step"] == "Check that the customer exists"
    assert "deadbeef" in failed["failure"]["msg"]
    markdown = open(str(tmp_path / "reports" / "onboarding-report.md")).read()
    assert "## Failures" in markdown and "northwind-demo.onmicrosoft.com" in markdown


def test_an_api_failure_is_reported_with_its_ids(sim, env, tmp_path):
    sim.set_faults({"rules": [{"fault": "500", "count": 100, "method": "POST", "path": "verifieddomain$"}]})
    # No retry: the 500 is the answer (max_retries through its environment variable, as AWX would set it).
    code, output = bulk(dict(env, PARTNER_CENTER_MAX_RETRIES="0"), DEMO_INVENTORY, tmp_path, "--forks", "3")
    assert code == 2
    failures = [t["failure"] for t in report(tmp_path)["tenants"]]
    assert all(f and f["status"] == 500 and f["ms_correlation_id"] for f in failures), failures


def test_the_inventory_plugin_lists_every_customer(sim, env, tmp_path):
    sim.settings({"pc_max_page_size": 4})
    source = tmp_path / "partner_center.yml"
    source.write_text("plugin: csp.onboarding.partner_center\ngroups:\n  tenants: \"'demo' in default_domain\"\n"
                      "keyed_groups:\n  - key: relationship_to_partner\n    prefix: relationship\n")
    process = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(source), "--list"],
                             env=ansible_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, cwd=ROOT)
    assert process.returncode == 0, process.stderr
    inventory = json.loads(process.stdout)
    hosts = inventory["_meta"]["hostvars"]
    assert len(hosts) == 10 and "filler10-demo.onmicrosoft.com" in hosts
    # Values from the API are marked unsafe (never templated): a company name cannot inject Jinja.
    customer_id = hosts["fabrikam-demo.onmicrosoft.com"]["customer_id"]
    assert customer_id in ("c0000002-0000-4000-8000-000000000002",
                           {"__ansible_unsafe": "c0000002-0000-4000-8000-000000000002"})
    assert len(inventory["tenants"]["hosts"]) == 10
    assert sorted(inventory["relationship_reseller"]["hosts"])[:1] == ["contoso-demo.onmicrosoft.com"]
    pages = [e for e in sim.journal() if e["path"] == "/v1/customers"]
    assert len(pages) == 3


def test_one_tenant_from_a_vars_file_without_a_bypass(sim, env, tmp_path):
    tenant = tmp_path / "northwind.yml"
    tenant.write_text("tenant_onboarding_customer_id: c0000003-0000-4000-8000-000000000003\n"
                      "tenant_onboarding_domains: [{name: solo.northwind-demo.example}]\n")
    code, output = run_playbook("playbooks/onboard_tenant.yml", env, extra_vars={
        "tenant_vars_file": str(tenant), "ansible_python_interpreter": sys.executable})
    assert code == 0, output[-3000:]
    assert '"action": "skipped"' in output and '"status": "ok"' in output
    assert [e["method"] for e in writes(sim.journal())] == ["POST"]
