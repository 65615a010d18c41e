"""Tokens through ansible-playbook: one request per (authority, audience) per run, Entra failures, unusable caches."""

import json
import os
import re
import stat
import sys

from conftest import CONTOSO, FABRIKAM
from harness import DEMO, connection_env, journal_read, run_playbook, run_tasks, token_requests

PARTNER = DEMO["partner_tenant_id"]

# Each host runs a Partner Center read, a Graph read in the partner's tenant and a Graph read in a
# customer's tenant: three audiences/authorities, shared by eight forks.
MIXED_PLAY = """
- hosts: all
  connection: local
  gather_facts: false
  vars: {ansible_python_interpreter: '%s'}
  tasks:
    - csp.onboarding.customer_info: {customer_id: %s}
    - csp.onboarding.gdap_relationship_info: {customer_id: %s}
    - csp.onboarding.customer_domain: {customer_id: %s, name: "{{ inventory_hostname }}.contoso.example"}
""" % (sys.executable, CONTOSO, CONTOSO, CONTOSO)
# Between two runs of MIXED_PLAY in one playbook: how long the simulator's journal is, printed.
JOURNAL_LENGTH_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - debug: {msg: "journal length {{ (lookup('ansible.builtin.url', '%s/_sim/requests', ca_path='%s',
                    split_lines=False, use_proxy=False) | from_json).requests | length }}"}
"""


def tokens_by_authority(journal):
    counts = {}
    for entry in token_requests(journal):
        tenant = entry["path"].split("/")[1]
        counts[tenant] = counts.get(tenant, 0) + 1
    return counts


def test_one_token_per_authority_and_audience_across_forks(sim, tmp_path):
    inventory = tmp_path / "hosts"
    inventory.write_text("\n".join("tenant%d" % n for n in range(8)) + "\n")
    playbook = tmp_path / "play.yml"
    # The play, then (once the journal's length is noted) the same play again, as a second run would.
    playbook.write_text(MIXED_PLAY + JOURNAL_LENGTH_PLAY % (sim.url, sim.ca_path) + MIXED_PLAY)
    cache = str(tmp_path / "cache.json")
    code, output = run_playbook(str(playbook), connection_env(sim, cache), inventory=str(inventory),
                                args=["--forks", "8"])
    assert code == 0, output[-3000:]
    (split,) = [int(length) for length in re.findall(r"journal length (\d+)", output)]
    journal = sim.journal()
    first, second = journal[:split], journal[split:]
    # Partner tenant: one Partner Center token and one Graph token; the customer's tenant: one Graph token,
    # from the same refresh token (refresh_token grants only).
    assert tokens_by_authority(first) == {PARTNER: 2, CONTOSO: 1}
    assert set(entry["grant_type"] for entry in token_requests(first)) == {"refresh_token"}
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    # The second run reads all three from the cache.
    assert len([e for e in second if e["api"] == "pc"]) == 8, "the second run ran"
    assert token_requests(second) == []
    # Nor any other request to Entra: a cached token is handed out before an MSAL application (which would
    # fetch the authority's OpenID configuration) is built.
    assert [e["path"] for e in second if e["api"] == "entra"] == []


def test_a_customer_tenant_token_after_a_401_is_renewed_once(sim, env):
    domain = {"csp.onboarding.customer_domain": {"customer_id": FABRIKAM, "name": "a.fabrikam.example"}}
    # A first task caches the tokens; every token expires (as sim.expire_tokens() would); the journal is emptied
    # (its answer is not used); a second task.
    (first, expired, _, result), _ = run_tasks([
        domain, {"ansible.builtin.uri": {"url": "%s/_sim/expire-tokens" % sim.url, "method": "POST",
                                         "ca_path": sim.ca_path, "use_proxy": False, "status_code": 204}},
        journal_read(sim),
        domain], env)
    assert first["action"] == "created" and expired["status"] == 204, (first.get("msg"), expired.get("msg"))
    assert not result.get("failed"), result.get("msg")
    assert tokens_by_authority(sim.journal()) == {FABRIKAM: 1}


def test_entra_5xx_is_an_api_error_with_the_aadsts_code_and_ids(sim, env):
    sim.set_faults({"rules": [{"fault": "500", "api": "entra", "method": "POST"}]})
    (result,), _ = run_tasks([{"csp.onboarding.customer_info": {"customer_id": CONTOSO, "max_retries": 1}}], env)
    assert result["failed"]
    assert "Unexpected error" not in result["msg"] and "MsalServiceError" not in result["msg"]
    assert result["status"] == 500 and result["code"] == "AADSTS50000" and result["error"] == "server_error"
    assert result["ms_correlation_id"] and result["ms_correlation_id"] in result["msg"]
    assert result["ms_request_id"] and "AADSTS50000" in result["msg"]
    assert len(token_requests(sim.journal())) == 2  # the first try and one retry


def test_an_entra_refusal_carries_its_http_status(sim, env):
    (result,), _ = run_tasks([{"csp.onboarding.customer_info": {"customer_id": CONTOSO,
                                                                "client_secret": "wrong-secret"}}], env)
    assert result["failed"] and result["status"] == 401 and result["code"] == "AADSTS7000215"
    assert result["error"] == "invalid_client" and result["ms_correlation_id"] in result["msg"]


def test_a_wrong_shaped_cache_is_rewritten(sim, tmp_path):
    cache = tmp_path / "cache.json"
    cache.write_text(json.dumps({"x": 5}))
    os.chmod(str(cache), 0o600)
    (result,), _ = run_tasks([{"csp.onboarding.customer_info": {"customer_id": CONTOSO}}],
                             connection_env(sim, str(cache)))
    assert not result.get("failed"), result.get("msg")
    document = json.loads(cache.read_text())
    assert document["version"] == 2 and "x" not in document and len(token_requests(sim.journal())) == 1


def test_unusable_cache_paths_fail_naming_the_option_before_any_request(sim, tmp_path):
    directory = tmp_path / "is-a-directory"
    directory.mkdir()
    target = tmp_path / "target.json"
    target.write_text("{}")
    os.chmod(str(target), 0o644)
    link = tmp_path / "link.json"
    os.symlink(str(target), str(link))
    blocker = tmp_path / "file"
    blocker.write_text("")
    paths = [str(directory), str(link), str(blocker / "tokens.json"), "/proc/csp-onboarding/tokens.json"]
    results, _ = run_tasks([{"csp.onboarding.customer_info": {"customer_id": CONTOSO, "token_cache_path": path}}
                            for path in paths], connection_env(sim, ""))
    for path, result in zip(paths, results):
        assert result["failed"] and result["msg"].startswith("token_cache_path "), (path, result["msg"])
        assert "Unexpected error" not in result["msg"]
    assert stat.S_IMODE(os.stat(str(directory)).st_mode) != 0o600 and stat.S_IMODE(os.stat(str(target)).st_mode) == 0o644
    assert [entry for entry in sim.journal() if entry["api"] != "entra" or entry["method"] == "POST"] == []


def test_a_given_access_token_cannot_call_graph(sim, env):
    pc_env = dict(env, PARTNER_CENTER_ACCESS_TOKEN="a-partner-center-token")
    (result,), _ = run_tasks([{"csp.onboarding.gdap_relationship_info": {}}], pc_env)
    assert result["failed"] and result["msg"].startswith("access_token ")
    assert "cannot be used for https://graph.microsoft.com" in result["msg"]
    assert [entry for entry in sim.journal() if entry["api"] in ("graph", "entra")] == []
