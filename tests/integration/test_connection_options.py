"""Connection options that would leak a token or cannot work are refused before any request (issue: trust)."""

from conftest import CONTOSO
from harness import run_tasks

INFO = "csp.onboarding.customer_info"
BYPASS = "csp.onboarding.aps_bypass_validation"
BYPASS_ARGS = {"app_instance_id": "a7000000-0000-4000-8000-000000000365", "account_id": 1000001,
               "ms_tenant_id": CONTOSO}


def test_insecure_or_unusable_connection_options_are_refused_before_any_request(sim, env):
    plain = sim.url.replace("https://", "http://")
    with_credentials = sim.url.replace("https://", "https://svc:hunter2@")
    tasks = [
        {INFO: {"customer_id": CONTOSO, "partner_center_url": plain}},
        {INFO: {"customer_id": CONTOSO, "authority_url": plain}},
        {INFO: {"customer_id": CONTOSO, "graph_url": plain}},
        {INFO: {"customer_id": CONTOSO, "partner_center_url": with_credentials}},
        {INFO: {"customer_id": CONTOSO, "ca_path": "/nonexistent/ca.pem"}},
        {INFO: {"customer_id": CONTOSO, "timeout": 0}},
        {BYPASS: dict(BYPASS_ARGS, aps_url=plain)},
        {BYPASS: dict(BYPASS_ARGS, aps_url=with_credentials)},
    ]
    results, output = run_tasks(tasks, env)
    messages = [result.get("msg", "") for result in results]
    assert all(result.get("failed") for result in results), messages
    assert "partner_center_url must be an https:// URL" in messages[0]
    assert "authority_url must be an https:// URL" in messages[1]
    assert "graph_url must be an https:// URL" in messages[2]
    assert "partner_center_url must not contain credentials" in messages[3]
    assert "ca_path /nonexistent/ca.pem is not a readable file" in messages[4]
    assert "timeout must be positive" in messages[5]
    assert "aps_url must be an https:// URL" in messages[6]
    assert "aps_url must not contain credentials" in messages[7]
    assert "Unexpected error" not in output and "hunter2" not in output
    # Nothing was sent anywhere: no token request, no API call.
    assert sim.journal() == []


def test_turning_certificate_verification_off_warns(sim, env):
    env = dict(env)
    del env["PARTNER_CENTER_CA_PATH"]
    (result,), _output = run_tasks([{INFO: {"customer_id": CONTOSO, "validate_certs": False}}], env)
    assert result["customers"][0]["id"] == CONTOSO, result.get("msg")
    assert any("validate_certs is false" in warning for warning in result.get("warnings", [])), result
