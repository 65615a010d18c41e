"""The shared client against the simulator: token cache across forks, faults, TLS, secrets (issue: client)."""

import json
import os
import stat
import sys

import requests

from conftest import CONTOSO, FABRIKAM
from harness import DEMO, ROOT, connection_env, journal_read, run_playbook, run_tasks, token_requests

sys.path.insert(0, os.environ.get("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, "build", "collections")))

from ansible_collections.csp.onboarding.plugins.module_utils import _http  # noqa: E402
from ansible_collections.csp.onboarding.plugins.module_utils._connection import Connections  # noqa: E402

# One play per mode: app-only (client_credentials), then App+User (refresh_token), each with its own token cache.
INFO_PLAY = """
- hosts: all
  connection: local
  gather_facts: false
  vars: {ansible_python_interpreter: '%s'}
  environment: %s
  tasks:
    - csp.onboarding.customer_info: {customer_id: %s}
"""


def test_parallel_forks_share_one_token(sim, tmp_path):
    inventory = tmp_path / "hosts"
    inventory.write_text("\n".join("tenant%d" % n for n in range(8)) + "\n")
    playbook = tmp_path / "play.yml"
    plays = []
    for app_user in (False, True):
        environment = {"PARTNER_CENTER_TOKEN_CACHE_PATH": str(tmp_path / ("cache-%s.json" % app_user))}
        if app_user:
            environment["PARTNER_CENTER_REFRESH_TOKEN"] = DEMO["refresh_token"]
        plays.append(INFO_PLAY % (sys.executable, json.dumps(environment), CONTOSO))
    playbook.write_text("".join(plays))
    code, output = run_playbook(str(playbook), connection_env(sim, "", app_user=False), inventory=str(inventory),
                                args=["--forks", "8"])
    assert code == 0, output[-2000:]
    journal = sim.journal()
    # The plays run one after the other, and the second one's first request is its token request (a cache of
    # its own, so no token to start with): the journal splits there into each play's requests.
    second = [index for index, entry in enumerate(journal) if entry in token_requests(journal)
              and entry["grant_type"] == "refresh_token"][:1] or [len(journal)]
    for app_user, play_journal in ((False, journal[:second[0]]), (True, journal[second[0]:])):
        assert len([e for e in play_journal if e["api"] == "pc"]) == 8, app_user
        assert len(token_requests(play_journal)) == 1, app_user
        assert token_requests(play_journal)[0]["grant_type"] == ("refresh_token" if app_user else "client_credentials")
        cache = str(tmp_path / ("cache-%s.json" % app_user))
        assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600


def test_an_expired_token_is_renewed_once_mid_run(sim, env):
    info = {"csp.onboarding.customer_info": {"customer_id": CONTOSO}}
    # A first task caches a token; every token expires (as sim.expire_tokens() would); the journal is emptied
    # (its answer is not used); a second task.
    (first, expired, _, result), _ = run_tasks([
        info, {"ansible.builtin.uri": {"url": "%s/_sim/expire-tokens" % sim.url, "method": "POST",
                                       "ca_path": sim.ca_path, "use_proxy": False, "status_code": 204}},
        journal_read(sim),
        info], env)
    assert first["customers"] and expired["status"] == 204, (first.get("msg"), expired.get("msg"))
    assert result["customers"], result.get("msg")
    statuses = [e["status"] for e in sim.journal() if e["api"] == "pc"]
    # The cached token looked valid to the client, the API said 401, one new token, one retry.
    assert statuses == [401, 200] and len(token_requests(sim.journal())) == 1


def client(sim, tmp_path, **overrides):
    params = dict(cloud="public", partner_center_url=sim.url, authority_url=sim.url,
                  partner_tenant_id=DEMO["partner_tenant_id"], client_id=DEMO["client_id"],
                  client_secret=DEMO["client_secret"], refresh_token=DEMO["refresh_token"],
                  client_certificate_path=None, access_token=None, token_cache_path=str(tmp_path / "c.json"),
                  validate_certs=True, ca_path=sim.ca_path, timeout=10, max_retries=10)
    params.update(overrides)
    pc = Connections(params, None).partner_center()
    pc.http.backoff = _http.Backoff(base=0.01, cap=0.2)
    return pc


def test_two_hundred_mixed_calls_under_faults(sim, tmp_path):
    # Most 503s without a usable Retry-After (0: the client backs off by itself, quickly here), some with 1 s
    # (the client honours it): the same one in ten, without 20 s of waiting.
    sim.set_faults({"random_seed": 7, "rules": [
        {"fault": "429", "rate": 0.1, "retry_after": 0, "api": "pc"},
        {"fault": "503", "rate": 0.02, "retry_after": 1, "api": "pc"},
        {"fault": "503", "rate": 0.08, "retry_after": 0, "api": "pc"},
        {"fault": "reset", "rate": 0.03, "api": "pc"},
        {"fault": "lost_response", "rate": 0.03, "api": "pc", "method": "POST"}]})
    pc = client(sim, tmp_path)
    calls = 0
    upns = ["mixed%02d@contoso-demo.onmicrosoft.com" % n for n in range(40)]
    for upn in upns:
        pc.create_user(CONTOSO, {"userPrincipalName": upn, "firstName": "M", "displayName": "M", "usageLocation": "US",
                                 "passwordProfile": {"password": "Initial-Passw0rd!", "forceChangePassword": True}})
        calls += 1
    users = dict((u["userPrincipalName"], u) for u in pc.list_users(CONTOSO))
    calls += 1
    for upn in upns[:30]:
        pc.update_user(CONTOSO, users[upn]["id"], {"lastName": "Patched"})
        calls += 1
    for upn in upns[:20]:
        pc.delete_user(CONTOSO, users[upn]["id"])
        calls += 1
    for upn in upns[:10]:
        pc.restore_user(CONTOSO, users[upn]["id"])
        calls += 1
    for n in range(30):
        pc.add_verified_domain(FABRIKAM, {"VerifiedDomainName": "d%02d.fabrikam-demo.example" % n, "Domain": {
            "Name": "d%02d.fabrikam-demo.example" % n, "AuthenticationType": "Managed", "Capability": "Email",
            "Status": "Verified", "VerificationMethod": "None"}})
        calls += 1
    while calls < 200:
        assert pc.get_customer(CONTOSO)["id"] == CONTOSO
        calls += 1
    counters = sim.counters()
    assert sum(counters["faults"].values()) >= 30, counters  # the faults really happened
    customers = dict((c["id"], c) for c in sim.state()["partners"][0]["customers"])
    created = [u for u in customers[CONTOSO]["users"] if u["user_principal_name"].startswith("mixed")]
    assert sorted(u["user_principal_name"] for u in created) == sorted(upns)  # none lost, none twice
    states = dict((u["user_principal_name"], u["state"]) for u in created)
    assert [states[u] for u in upns[10:20]] == ["inactive"] * 10 and states[upns[0]] == "active"
    assert len([u for u in created if u.get("last_name") == "Patched"]) == 30
    names = [d["name"] if isinstance(d, dict) else d for d in customers[FABRIKAM]["custom_domains"]]
    domains = [name for name in names if name.startswith("d")]
    assert len(domains) == len(set(domains)) == 30


def test_tls_is_verified_against_the_configured_ca(sim, env):
    # The environment each task's module sees: the play's, with the task's ``environment:`` on top.
    info = {"csp.onboarding.customer_info": {"customer_id": CONTOSO}}
    without_ca = {"PARTNER_CENTER_CA_PATH": "", "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"}
    with_ca = {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"}
    (refused, accepted), _ = run_tasks([dict(info, environment=without_ca), dict(info, environment=with_ca)], env)
    assert refused["failed"] and "TLS verification failed" in refused["msg"] and "ca_path" in refused["msg"]
    # ca_path wins over REQUESTS_CA_BUNDLE, which requests would otherwise let override it.
    assert accepted["customers"], accepted.get("msg")


def test_no_secret_reaches_output_results_or_diffs(sim, env, tmp_path):
    token = requests.post("%s/%s/oauth2/v2.0/token" % (sim.url, DEMO["partner_tenant_id"]), verify=sim.ca_path, data={
        "grant_type": "refresh_token", "client_id": DEMO["client_id"], "client_secret": DEMO["client_secret"],
        "refresh_token": DEMO["refresh_token"], "scope": "https://api.partnercenter.microsoft.com/.default"}).json()
    passwords = ["Pw-Create-%d-Secret!" % n for n in range(3)]
    secrets = [DEMO["client_secret"], DEMO["refresh_token"], DEMO["aps_consumer_secret"], DEMO["aps_token"],
               token["access_token"], token.get("refresh_token", DEMO["refresh_token"])] + passwords
    upn = "secret.keeper@contoso-demo.onmicrosoft.com"
    tasks = [
        {"csp.onboarding.customer_user": {"customer_id": CONTOSO, "upn": upn, "first_name": "S",
                                          "usage_location": "US", "password": passwords[0],
                                          "client_secret": DEMO["client_secret"],
                                          "refresh_token": DEMO["refresh_token"]}},
        {"csp.onboarding.customer_user": {"customer_id": CONTOSO, "upn": upn, "password": passwords[1],
                                          "update_password": "always"}},
        {"csp.onboarding.customer_users": {"customer_id": FABRIKAM, "users": [
            {"upn": "bulk.secret@fabrikam-demo.onmicrosoft.com", "first_name": "B", "usage_location": "US",
             "password": passwords[2]}]}},
        {"csp.onboarding.customer_info": {"customer_id": CONTOSO, "access_token": token["access_token"]}},
        {"csp.onboarding.aps_bypass_validation": {"app_instance_id": DEMO["app_instance_id"], "account_id": 1000001,
                                                  "ms_tenant_id": CONTOSO,
                                                  "aps_consumer_secret": DEMO["aps_consumer_secret"]}},
        {"csp.onboarding.aps_bypass_validation": {"app_instance_id": DEMO["app_instance_id"], "account_id": 1000001,
                                                  "ms_tenant_id": CONTOSO, "aps_token": DEMO["aps_token"],
                                                  "state": "absent"}},
    ]
    results, output = run_tasks(tasks, env, diff=True, args=["-vvvv"])
    assert not any(r.get("failed") for r in results), [r.get("msg") for r in results]
    text = output + repr(results)
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == [], "secret values in the output or results"
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output or "********" in output
