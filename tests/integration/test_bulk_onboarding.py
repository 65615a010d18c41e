"""The bulk playbook as a user builds a project around it: group_vars, host_vars, a vaulted credential.

One inventory holds a tenant that is fine and one for each kind of failure (a typo in a domain entry, a
half-filled APS bypass, an API error on one domain of a loop), so that a few playbook runs cover them all.
"""

import json
import os
import re
import subprocess

import yaml

from conftest import CONTOSO, FABRIKAM, NORTHWIND
from harness import BIN, DEMO, ROOT, ansible_env, run_playbook, writes

DEMO_INVENTORY = os.path.join(ROOT, "playbooks", "inventory", "demo")
FILLER = "c0000004-0000-4000-8000-000000000004"
TENANTS = {
    "contoso-demo.onmicrosoft.com": {
        "tenant_onboarding_customer_id": CONTOSO,
        "tenant_onboarding_domains": [{"name": "contoso-demo.example"}],
        "tenant_onboarding_users": [{"user_principal_name": "alex.wilber@contoso-demo.example", "first_name": "Alex",
                                     "usage_location": "US", "password": "Bulk-Initial-Passw0rd!"}],
        "tenant_onboarding_aps_bypass": {"app_instance_id": DEMO["app_instance_id"], "account_id": 1000001},
    },
    # Misspelt keys: without sub-options the role would create a *managed* domain, irreversibly.
    "typo.test": {
        "tenant_onboarding_customer_id": FABRIKAM,
        "tenant_onboarding_domains": [{"name": "sso.fabrikam-demo.example", "authentification_type": "federated",
                                       "federation_setings": {"issuer_uri": "http://sts.example/adfs"}}],
    },
    # app_instance_id without account_id: refused before the domain is written.
    "half.test": {
        "tenant_onboarding_customer_id": NORTHWIND,
        "tenant_onboarding_domains": [{"name": "half.northwind-demo.example"}],
        "tenant_onboarding_aps_bypass": {"app_instance_id": DEMO["app_instance_id"]},
    },
    # The first of two domains is answered 500 (no retries): the report must carry that item's error.
    "apierror.test": {
        "tenant_onboarding_customer_id": FILLER,
        "tenant_onboarding_domains": [{"name": "one.filler04-demo.example"}, {"name": "two.filler04-demo.example"}],
    },
}
FAILED = ["apierror.test", "half.test", "typo.test"]


def vault(path, password_file, data):
    """Write ``data`` as a vault-encrypted YAML file, as ``ansible-vault encrypt`` does."""
    with open(path, "w") as handle:
        yaml.safe_dump(data, handle)
    subprocess.run([os.path.join(BIN, "ansible-vault"), "encrypt", "--vault-password-file", password_file, path],
                   check=True, env=ansible_env({}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def project(sim, tmp_path):
    """An inventory whose credentials are only in a vaulted group_vars file, and whose report dir is set there."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    (inventory / "host_vars").mkdir()
    (inventory / "hosts.yml").write_text(json.dumps({"tenants": {"hosts": dict((h, None) for h in TENANTS)}}))
    for host, variables in TENANTS.items():
        (inventory / "host_vars" / (host + ".yml")).write_text(json.dumps(variables))
    (inventory / "group_vars" / "all" / "main.yml").write_text(yaml.safe_dump({
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "onboarding_report_dir": str(tmp_path / "reports-from-group-vars")}))
    password_file = tmp_path / "vault-password"
    password_file.write_text("correct horse battery staple\n")
    vault(str(inventory / "group_vars" / "all" / "vault.yml"), str(password_file), {
        "csp_partner_center": {
            "partner_center_url": sim.url, "authority_url": sim.url, "graph_url": sim.url, "ca_path": sim.ca_path,
            "partner_tenant_id": DEMO["partner_tenant_id"], "client_id": DEMO["client_id"],
            "client_secret": DEMO["client_secret"], "refresh_token": DEMO["refresh_token"],
            "token_cache_path": str(tmp_path / "token-cache.json"), "max_retries": 0},
        "csp_aps": {"aps_url": sim.url, "ca_path": sim.ca_path, "aps_consumer_key": DEMO["aps_consumer_key"],
                    "aps_consumer_secret": DEMO["aps_consumer_secret"]},
    })
    return inventory, password_file, tmp_path / "reports-from-group-vars"


def read(path):
    with open(str(path)) as handle:
        return handle.read()


def ran_customers(journal):
    return set(customer for entry in journal for customer in (CONTOSO, FABRIKAM, NORTHWIND, FILLER)
               if customer in entry["path"])


def test_failures_reported_retried_and_planned_with_a_vaulted_credential(sim, tmp_path):
    inventory, password_file, reports = project(sim, tmp_path)
    assert not [name for name in os.environ if name.startswith(("PARTNER_CENTER_", "APS_"))]
    sim.set_faults({"rules": [{"fault": "500", "count": 1, "method": "POST", "path": FILLER + "/verifieddomain$"}]})
    vault_args = ["--vault-password-file", str(password_file), "--forks", "4"]

    # Run 1: everything fails in its own way; the report (in the group_vars directory) names every tenant.
    code, output = run_playbook("playbooks/bulk_onboard.yml", {}, inventory=str(inventory), args=vault_args + ["-vvvv"])
    assert code == 2, output[-4000:]
    secrets = [DEMO["client_secret"], DEMO["refresh_token"], DEMO["aps_consumer_secret"], "Bulk-Initial-Passw0rd!"]
    assert [s for s in secrets if s in output] == []
    first = json.loads(read(reports / "onboarding-report.json"))
    tenants = dict((t["tenant"], t) for t in first["tenants"])
    assert sorted(tenants) == sorted(TENANTS)
    assert sorted(first["summary"]["failed_tenants"]) == FAILED and first["summary"]["failed"] == 3
    assert tenants["contoso-demo.onmicrosoft.com"]["status"] == "ok"
    assert tenants["contoso-demo.onmicrosoft.com"]["users"]["created"] == ["alex.wilber@contoso-demo.example"]
    typo = tenants["typo.test"]["failure"]
    assert typo["step"] == "Validate the tenant variables"
    assert "authentification_type" in typo["msg"] and "federation_setings" in typo["msg"], typo
    half = tenants["half.test"]["failure"]
    assert "app_instance_id" in half["msg"] and "account_id" in half["msg"], half
    api = tenants["apierror.test"]
    assert api["domains"] == {"created": ["two.filler04-demo.example"], "unchanged": [],
                              "failed": ["one.filler04-demo.example"]}
    assert api["failure"]["step"] == "Add the verified domains"
    assert api["failure"]["msg"].startswith("one.filler04-demo.example: ") and "500" in api["failure"]["msg"]
    assert "One or more items failed" not in api["failure"]["msg"]
    assert api["failure"]["status"] == 500 and api["failure"]["ms_request_id"] and api["failure"]["ms_correlation_id"]
    # No request at all to a write endpoint for the tenants refused by validation.
    written = writes(sim.journal())
    assert not [e for e in written if FABRIKAM in e["path"] or NORTHWIND in e["path"]], written
    assert sorted(read(reports / "failed-tenants.txt").splitlines()) == FAILED
    markdown = read(reports / "onboarding-report.md")
    assert "--limit @%s/failed-tenants.txt" % reports in markdown and "typo.test" in markdown

    # Run 2: --limit @failed-tenants.txt runs exactly the failed tenants (and the API error is gone).
    sim.clear_journal()
    code, output = run_playbook("playbooks/bulk_onboard.yml", {}, inventory=str(inventory),
                                args=vault_args + ["--limit", "@%s/failed-tenants.txt" % reports])
    assert code == 2, output[-4000:]
    recap = output.split("PLAY RECAP")[-1]
    assert sorted(re.findall(r"^(\S+)\s+: ok=", recap, re.M)) == FAILED
    assert ran_customers(sim.journal()) == set([FILLER])  # the two refused tenants send no request at all
    second = json.loads(read(reports / "onboarding-report.json"))
    assert sorted(second["summary"]["failed_tenants"]) == ["half.test", "typo.test"]
    assert [t["tenant"] for t in second["tenants"] if t["status"] == "ok"] == ["apierror.test"]
    assert sorted(read(reports / "failed-tenants.txt").splitlines()) == ["half.test", "typo.test"]

    # Run 3: check mode writes the plan beside the report and leaves the report and the retry list alone.
    kept = dict((name, read(reports / name)) for name in ("onboarding-report.json", "onboarding-report.md",
                                                          "failed-tenants.txt"))
    sim.clear_journal()
    code, output = run_playbook("playbooks/bulk_onboard.yml", {}, inventory=str(inventory),
                                args=vault_args + ["--check"])
    assert code == 2, output[-4000:]
    assert writes(sim.journal()) == []
    assert dict((name, read(reports / name)) for name in kept) == kept
    plan = json.loads(read(reports / "onboarding-plan.json"))
    assert plan["check_mode"] is True and sorted(plan["summary"]["failed_tenants"]) == ["half.test", "typo.test"]
    assert "Tenant onboarding plan" in read(reports / "onboarding-plan.md")


def run_in(cwd, command, env):
    process = subprocess.run(command, env=ansible_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, cwd=str(cwd), timeout=600)
    return process.returncode, process.stdout


def test_the_inventory_plugin_hosts_feed_the_bulk_playbook(sim, env, tmp_path):
    # The plugin's first example, as documented; the report goes to ./reports of the directory of the run.
    source = read(os.path.join(ROOT, "plugins", "inventory", "partner_center.py"))
    example = source.split('EXAMPLES = r"""')[1].split('"""')[0].strip().split("\n\n")[0]
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "partner_center.yml").write_text(example)
    playbook = os.path.join(ROOT, "playbooks", "bulk_onboard.yml")
    code, output = run_in(tmp_path, [os.path.join(BIN, "ansible-playbook"), "-i", "inventory", playbook], env)
    assert code == 0, output[-4000:]
    result = json.loads(read(tmp_path / "reports" / "onboarding-report.json"))
    assert result["summary"]["tenants"] >= 3 and result["summary"]["failed"] == 0
    assert writes(sim.journal()) == []

    # A broken inventory source: no host, a clear failure that says where to look, not "no hosts matched", rc 0.
    code, output = run_in(tmp_path, [os.path.join(BIN, "ansible-playbook"), "-i", "inventory", playbook],
                          dict(env, PARTNER_CENTER_CLIENT_SECRET="wrong"))
    assert code == 2, output[-4000:]
    assert "no host in the group 'tenants'" in output and "ANSIBLE_INVENTORY_UNPARSED_FAILED" in output


def test_onboard_tenant_reads_its_vars_file_from_the_directory_of_the_run(sim, env, tmp_path):
    (tmp_path / "northwind.yml").write_text("tenant_onboarding_customer_id: %s\n"
                                            "tenant_onboarding_domains: [{name: solo.northwind-demo.example}]\n"
                                            % NORTHWIND)
    playbook = os.path.join(ROOT, "playbooks", "onboard_tenant.yml")
    command = [os.path.join(BIN, "ansible-playbook"), playbook, "-e", "ansible_python_interpreter=" + os.path.join(BIN, "python")]
    code, output = run_in(tmp_path, command + ["-e", "tenant_vars_file=northwind.yml"], env)
    assert code == 0, output[-4000:]
    assert [e["method"] for e in writes(sim.journal())] == ["POST"]
    code, output = run_in(tmp_path, command + ["-e", "tenant_vars_file=missing.yml"], env)
    assert code == 2
    assert "tenant_vars_file: no such file: %s" % (tmp_path / "missing.yml") in output
    assert "missing required arguments" not in output
