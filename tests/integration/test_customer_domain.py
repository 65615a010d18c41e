"""customer_domain: custom domains in the customer's tenant through Graph, for partners who are not registrars."""

from conftest import CONTOSO, FABRIKAM
from harness import journal_read, run_tasks, token_requests, writes

MODULE = "csp.onboarding.customer_domain"
NAME = "shop.contoso.example"


def graph_writes(sim):
    return [(entry["method"], entry["path"]) for entry in writes(sim.journal(), "graph")]


def customer_tokens(sim, tenant):
    return [entry for entry in token_requests(sim.journal()) if entry["path"].startswith("/%s/" % tenant)]


def test_present_returns_the_txt_record_and_a_rerun_writes_nothing(sim, env):
    (check, created, again), _ = run_tasks([
        {MODULE: {"customer_id": CONTOSO, "name": NAME}, "check_mode": True},
        {MODULE: {"customer_id": CONTOSO, "name": NAME.upper()}},
        {MODULE: {"customer_id": CONTOSO, "name": NAME}},
    ], env, diff=True)
    assert check["changed"] and check["action"] == "created", check.get("msg")
    assert created["changed"] and created["action"] == "created", created.get("msg")
    assert created["domain"]["name"] == NAME and created["domain"]["is_verified"] is False
    txt = [record for record in created["verification_dns_records"] if record["record_type"] == "txt"]
    assert txt and txt[0]["text"].startswith("MS=ms"), created["verification_dns_records"]
    assert created["diff"]["before"] == {} and created["diff"]["after"]["name"] == NAME
    assert not again["changed"] and again["action"] == "unchanged"
    assert again["verification_dns_records"] == created["verification_dns_records"]
    # One POST in all: check mode and the re-run wrote nothing.
    assert graph_writes(sim) == [("POST", "/v1.0/domains")]
    # The token is the customer tenant's, requested once for the run's three tasks.
    assert len(customer_tokens(sim, CONTOSO)) == 1


def test_verified_fails_with_the_missing_record_until_it_is_published(sim, env):
    # Added, refused verification; the TXT record is published (as sim.publish_dns_record(CONTOSO, NAME) would);
    # verified in check mode, for real, and again.
    played, _ = run_tasks([
        {MODULE: {"customer_id": CONTOSO, "name": NAME}},
        {MODULE: {"customer_id": CONTOSO, "name": NAME, "state": "verified"}},
        {"ansible.builtin.uri": {"url": "%s/_sim/graph/tenants/%s/domains/%s/publish-dns" % (sim.url, CONTOSO, NAME),
                                 "method": "POST", "ca_path": sim.ca_path, "use_proxy": False, "status_code": 200}},
        journal_read(sim),
        {MODULE: {"customer_id": CONTOSO, "name": NAME, "state": "verified"}, "check_mode": True},
        {MODULE: {"customer_id": CONTOSO, "name": NAME, "state": "verified"}},
        {MODULE: {"customer_id": CONTOSO, "name": NAME, "state": "verified"}},
    ], env)
    (added, refused, published, _), (check, verified, again) = played[:4], played[4:]
    record = [r for r in added["verification_dns_records"] if r["record_type"] == "txt"][0]
    assert refused.get("failed"), refused
    assert "is not verified yet" in refused["msg"] and record["text"] in refused["msg"]
    assert refused["verification_dns_records"] == added["verification_dns_records"]
    assert "Unexpected error" not in refused["msg"]

    assert published["status"] == 200, published.get("msg")
    assert check["action"] == "verified" and check["changed"]
    assert verified["action"] == "verified" and verified["domain"]["is_verified"] is True, verified.get("msg")
    assert verified["verification_dns_records"] == []
    assert again["action"] == "unchanged" and not again["changed"]
    assert graph_writes(sim) == [("POST", "/v1.0/domains/%s/verify" % NAME)]


def test_absent_deletes_once(sim, env):
    (added, _, check, deleted, again), _ = run_tasks([
        {MODULE: {"customer_id": FABRIKAM, "name": NAME}}, journal_read(sim),
        {MODULE: {"customer_id": FABRIKAM, "name": NAME, "state": "absent"}, "check_mode": True},
        {MODULE: {"customer_id": FABRIKAM, "name": NAME, "state": "absent"}},
        {MODULE: {"customer_id": FABRIKAM, "name": NAME, "state": "absent"}},
    ], env)
    assert added["action"] == "created", added.get("msg")
    assert check["action"] == deleted["action"] == "deleted" and check["changed"] and deleted["changed"]
    assert again["action"] == "unchanged" and not again["changed"]
    assert graph_writes(sim) == [("DELETE", "/v1.0/domains/%s" % NAME)]


def test_bad_input_and_the_default_domain_are_refused_before_any_write(sim, env):
    results, output = run_tasks([
        {MODULE: {"customer_id": "not-a-guid", "name": NAME}},
        {MODULE: {"customer_id": CONTOSO, "name": "two words.example"}},
        {MODULE: {"customer_id": CONTOSO, "name": "contoso-demo.onmicrosoft.com"}},
        {MODULE: {"customer_id": CONTOSO, "name": "contoso-demo.onmicrosoft.com", "state": "absent"}},
        {MODULE: {"customer_id": CONTOSO, "name": NAME, "state": "gone"}},
    ], env)
    messages = [result.get("msg", "") for result in results]
    assert all(result.get("failed") for result in results), messages
    assert "customer_id must be a GUID" in messages[0]
    assert "must not contain spaces" in messages[1]
    assert "initial (Microsoft-provided) domain" in messages[2]
    assert "cannot be removed" in messages[3]
    assert "state" in messages[4]
    assert graph_writes(sim) == [] and "Unexpected error" not in output
