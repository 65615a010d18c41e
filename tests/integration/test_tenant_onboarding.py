"""The module tenant_onboarding on its own: the role's steps in one task, each with its module's module_defaults.

The role's behaviour (order, failures, GDAP, Graph domains, report) is tested through the playbooks in
test_role_steps.py, test_onboarding.py and test_bulk_onboarding.py; here what the module adds: the steps take their
connection options from module_defaults as tasks of their own would (ansible-core applies module_defaults to a task's
own module only), every step's arguments are checked before the first request, the steps of a tenant share one
correlation id, and --diff shows each step's changes without a secret.
"""

import json
import os
import sys

import yaml

from conftest import CONTOSO
from harness import DEMO, run_playbook, token_requests, writes

PASSWORD = "Tenant-Onboarding-Passw0rd!"
UPN = "one.task@contoso-demo.example"
DOMAIN = "contoso-demo.example"


def connection_defaults(sim, tmp_path):
    """Every connection option as module_defaults of the two action groups, none in the environment."""
    partner_center = dict(partner_center_url=sim.url, authority_url=sim.url, graph_url=sim.url,
                          partner_tenant_id=DEMO["partner_tenant_id"], client_id=DEMO["client_id"],
                          client_secret=DEMO["client_secret"], refresh_token=DEMO["refresh_token"],
                          ca_path=sim.ca_path, token_cache_path=str(tmp_path / "token-cache.json"))
    aps = dict(aps_url=sim.url, aps_consumer_key=DEMO["aps_consumer_key"],
               aps_consumer_secret=DEMO["aps_consumer_secret"], ca_path=sim.ca_path)
    return {"group/csp.onboarding.partner_center": partner_center, "group/csp.onboarding.aps": aps}


def onboard(sim, tmp_path, args, module_defaults=None, extra=(), task_vars=None, environment=None):
    """One tenant_onboarding task with the connection as module_defaults; (exit code, output, registered result)."""
    out = tmp_path / "result.json"
    defaults = connection_defaults(sim, tmp_path)
    defaults.update(module_defaults or {})
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "module_defaults": defaults,
             "vars": {"ansible_python_interpreter": sys.executable},
             "tasks": [{"name": "Onboard", "csp.onboarding.tenant_onboarding": args, "register": "onboarding",
                        "ignore_errors": True, "vars": task_vars or {}, "environment": environment or {}},
                       {"save_results": {"content": "{{ onboarding | to_json }}", "dest": str(out)},
                        "check_mode": False, "diff": False}]}]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play))
    # No PARTNER_CENTER_* or APS_* variable: the steps can only get their options from module_defaults.
    env = dict((key, "") for key in os.environ if key.startswith(("PARTNER_CENTER_", "APS_")))
    code, output = run_playbook(str(playbook), env, inventory="localhost,", args=list(extra))
    with open(str(out)) as handle:
        return code, output, json.load(handle)


def tenant_args(**extra):
    args = {
        "customer_id": CONTOSO,
        "gdap": {"required_roles": ["User Administrator"]},
        "domains": [{"name": DOMAIN}],
        "users": [{"user_principal_name": UPN, "first_name": "One", "last_name": "Task", "usage_location": "US",
                   "password": PASSWORD}],
        "aps_bypass": {"app_instance_id": DEMO["app_instance_id"], "account_id": 1000001},
    }
    args.update(extra)
    return args


def test_module_defaults_reach_every_step_which_share_one_correlation_id(sim, tmp_path):
    code, output, result = onboard(sim, tmp_path, tenant_args(), extra=["--diff", "-vvv"])
    assert code == 0 and result["status"] == "ok", (result.get("failure"), output[-3000:])
    assert result["domains"]["created"] == [DOMAIN] and result["users"]["created"] == [UPN]
    assert result["aps_bypass"]["action"] == "created" and result["gdap"]["covered"]
    journal = sim.journal()
    assert [(entry["api"], entry["method"]) for entry in writes(journal)] == [
        ("pc", "POST"), ("pc", "POST"), ("aps", "POST")]
    # One token per audience (Partner Center, Graph of the partner tenant) for the whole tenant.
    assert len(token_requests(journal)) == 2
    # (Graph's journal records its own client-request-id.)
    correlation_ids = set(entry["correlation_id"] for entry in journal if entry["api"] == "pc")
    assert correlation_ids == {result["correlation_ids"]["users"]}
    # --diff: each step's change, headed by its module; never a secret, in any output.
    headers = [entry["before_header"] for entry in result["diff"]]
    assert "verified_domain: %s" % DOMAIN in headers and "customer_users: %s" % UPN in headers
    for secret in (PASSWORD, DEMO["client_secret"], DEMO["refresh_token"], DEMO["aps_consumer_secret"]):
        assert secret not in output and secret not in json.dumps(result)

    # A module's own module_defaults reach its step, and only it: a refused value proves they were applied.
    code, output, result = onboard(sim, tmp_path, tenant_args(domains=[{"name": "other." + DOMAIN}], users=[
        dict(tenant_args()["users"][0], user_principal_name="second@" + DOMAIN)]),
        module_defaults={"csp.onboarding.customer_users": {"timeout": 0}})
    assert result["status"] == "failed" and result["failure"]["step"] == "Converge the users in one module run"
    assert "timeout must be positive" in result["failure"]["msg"]
    assert result["domains"]["created"] == ["other." + DOMAIN]

    # The task's environment reaches the steps' env fallbacks (module_defaults leave timeout unset here).
    code, output, result = onboard(sim, tmp_path, tenant_args(), environment={"PARTNER_CENTER_TIMEOUT": "0"})
    assert result["status"] == "failed" and result["failure"]["step"] == "Check that the customer exists"
    assert "timeout must be positive" in result["failure"]["msg"]


def test_every_steps_arguments_are_checked_before_the_first_request(sim, tmp_path):
    users = [{"user_principal_name": UPN, "password": PASSWORD, "colour": "blue"}]
    code, output, result = onboard(sim, tmp_path, tenant_args(users=users))
    assert result["failed"] and result["status"] == "failed"
    assert result["failure"]["step"] == "Converge the users in one module run"
    assert "Unsupported parameters for (csp.onboarding.customer_users) module: users.colour" in result["failure"]["msg"]
    assert "nothing was written" in result["failure"]["msg"]
    # Refused before the domain step, and before any read.
    assert [entry for entry in sim.journal() if entry["api"] != "entra"] == []
    assert PASSWORD not in output and PASSWORD not in json.dumps(result)

    code, output, result = onboard(sim, tmp_path, {"domains": [{"name": DOMAIN}]})
    assert result["failed"] and "Set customer_id" in result["msg"]
    # The steps run in the controller's worker: a task aimed at another machine is refused, not run here.
    code, output, result = onboard(sim, tmp_path, tenant_args(), task_vars={"ansible_connection": "ssh"})
    assert result["failed"] and "runs on the controller: set connection: local" in result["msg"]
    assert sim.journal() == []


def test_fail_on_error_off_returns_the_failure_without_failing_the_task(sim, tmp_path):
    code, output, result = onboard(sim, tmp_path, tenant_args(
        customer_id="c0ffee00-0000-4000-8000-000000000000", fail_on_error=False))
    assert not result.get("failed") and result["status"] == "failed"
    assert result["failure"]["step"] == "Check that the customer exists"
    assert "was not found among the partner's customers" in result["failure"]["msg"]
    assert writes(sim.journal()) == []
