"""Bulk onboarding under random faults, check mode of the whole bulk playbook, and secrets in role output."""

import json
import os

from harness import DEMO, ROOT, run_playbook, writes

DEMO_INVENTORY = os.path.join(ROOT, "playbooks", "inventory", "demo")
TENANTS, USERS = 50, 10


def bulk(env, inventory, report_dir, *args):
    return run_playbook("playbooks/bulk_onboard.yml", env, inventory=str(inventory),
                        extra_vars={"onboarding_report_dir": str(report_dir)}, args=["--forks", "10"] + list(args))


def report(report_dir, name="onboarding-report.json"):
    with open(os.path.join(str(report_dir), name)) as handle:
        return json.load(handle)


def customer_id(n):
    return "%08x-0000-4000-8000-%012x" % (0xb0000000 + n, n)


def write_workload(seed, inventory):
    """TENANTS customers of USERS users each, with one domain and one bypass, as seed and inventory."""
    partner = seed["partners"][0]
    partner["customers"] = [{"id": customer_id(n), "company_name": "Bulk %d" % n,
                             "domain": "bulk%02d.onmicrosoft.com" % n} for n in range(TENANTS)]
    # The demo's GDAP relationships name the demo customers, which this workload replaces.
    partner["gdap_relationships"] = []
    seed["aps"]["accounts"] = [{"id": 3000000 + n, "aps_id": "a%07x-0000-4000-8000-000000000000" % n,
                                "name": "Bulk %d" % n} for n in range(TENANTS)]
    (inventory / "host_vars").mkdir(parents=True)
    (inventory / "group_vars").mkdir()
    (inventory / "group_vars" / "all.yml").write_text(
        "ansible_connection: local\nansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    hosts = []
    for n in range(TENANTS):
        host = "bulk%02d.onmicrosoft.com" % n
        hosts.append(host)
        (inventory / "host_vars" / (host + ".yml")).write_text(json.dumps({
            "tenant_onboarding_customer_id": customer_id(n),
            "tenant_onboarding_domains": [{"name": "bulk%02d.example" % n}],
            "tenant_onboarding_users": [{"user_principal_name": "user%02d@%s" % (u, host), "first_name": "U%d" % u,
                                         "last_name": "T%d" % n, "usage_location": "US",
                                         "password": "Bulk-Initial-Passw0rd!"} for u in range(USERS)],
            "tenant_onboarding_aps_bypass": {"app_instance_id": DEMO["app_instance_id"], "account_id": 3000000 + n},
        }))
    (inventory / "hosts.yml").write_text(json.dumps({"tenants": {"hosts": dict((h, None) for h in hosts)}}))


def assert_converged(sim):
    """Every tenant has its users once, its domain and one bypass: nothing duplicated, nothing lost."""
    state = sim.state()
    for customer in state["partners"][0]["customers"]:
        upns = [u["user_principal_name"] for u in customer["users"]]
        assert len(upns) == USERS == len(set(upns)), customer["id"]
        names = [d["name"] if isinstance(d, dict) else d for d in customer["custom_domains"]]
        assert len(names) == 1, customer["id"]
    accounts = [str(b.get("account_id")) for b in state["aps"]["bypasses"]]
    assert sorted(accounts) == sorted(str(3000000 + n) for n in range(TENANTS))


def test_bulk_under_random_faults_converges(seeded, env, tmp_path, demo_seed):
    import copy
    seed = copy.deepcopy(demo_seed)
    write_workload(seed, tmp_path / "inventory")
    sim = seeded(lambda s: s.update(seed))
    sim.set_faults({"random_seed": 11, "rules": [
        {"fault": "429", "rate": 0.04, "retry_after": 1, "api": "pc"},
        {"fault": "503", "rate": 0.03},
        {"fault": "reset", "rate": 0.015},
        {"fault": "lost_response", "rate": 0.015}]})
    code, output = bulk(env, tmp_path / "inventory", tmp_path / "first")
    injected = sum(sim.counters()["faults"].values())
    assert injected > 50, injected  # 10% of the requests really were faulted
    first = report(tmp_path / "first")
    assert first["summary"]["tenants"] == TENANTS
    assert code == (2 if first["summary"]["failed"] else 0), output[-3000:]
    sim.clear_faults()
    code, output = bulk(env, tmp_path / "inventory", tmp_path / "second")
    assert code == 0, output[-3000:]
    second = report(tmp_path / "second")
    assert second["summary"]["failed"] == 0
    # Tenants that converged in the first run do not change in the second.
    failed_first = set(t["tenant"] for t in first["tenants"] if t["status"] == "failed")
    assert set(t["tenant"] for t in second["tenants"] if t["changed"]) <= failed_first
    assert_converged(sim)


def test_check_mode_of_the_bulk_playbook_writes_nothing_and_predicts_the_run(sim, env, tmp_path):
    code, output = bulk(env, DEMO_INVENTORY, tmp_path / "check", "--check")
    assert code == 0, output[-3000:]
    assert writes(sim.journal()) == []
    # A check-mode run writes the plan, never the report.
    predicted = report(tmp_path / "check", "onboarding-plan.json")
    assert not os.path.exists(os.path.join(str(tmp_path / "check"), "onboarding-report.json"))
    assert predicted["check_mode"] is True
    code, output = bulk(env, DEMO_INVENTORY, tmp_path / "real")
    assert code == 0, output[-3000:]
    real = report(tmp_path / "real")
    keys = ("changed", "domains", "users")
    assert [dict((k, t[k]) for k in keys) for t in predicted["tenants"]] == \
        [dict((k, t[k]) for k in keys) for t in real["tenants"]]
    assert [t["aps_bypass"]["action"] for t in predicted["tenants"]] == \
        [t["aps_bypass"]["action"] for t in real["tenants"]]


def test_no_secret_in_role_output_or_reports(sim, env, tmp_path):
    code, output = bulk(env, DEMO_INVENTORY, tmp_path, "-vvvv", "--diff")
    assert code == 0, output[-3000:]
    reports = "".join(open(os.path.join(str(tmp_path), name)).read()
                      for name in ("onboarding-report.json", "onboarding-report.md"))
    secrets = [DEMO["client_secret"], DEMO["refresh_token"], DEMO["aps_consumer_secret"], "Demo-Initial-Passw0rd!"]
    assert [s for s in secrets if s in output or s in reports] == []
