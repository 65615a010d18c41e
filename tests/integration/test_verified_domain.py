"""verified_domain and customer_info against the simulator (issue: verified domains).

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that), with a read of the simulator's journal after each step: each step is asserted on
its own requests, as if it had run alone. The bad-input cases share one playbook the same way.
"""

import base64
import copy

import pytest

from conftest import CONTOSO, FABRIKAM
from harness import connection_env, run_steps, run_tasks, writes

CERT = base64.b64encode(b"0\x82\x01\x0a" + bytes(range(200))).decode()
FEDERATION = {"issuer_uri": "http://sts.contoso-demo.example/adfs/services/trust",
              "log_off_uri": "https://sts.contoso-demo.example/adfs/ls/",
              "passive_log_on_uri": "https://sts.contoso-demo.example/adfs/ls/",
              "preferred_authentication_protocol": "ws_fed", "prompt_login_behavior": "native_support",
              "signing_certificate": CERT, "supports_mfa": True}


def domain_task(name="contoso-demo.example", customer_id=CONTOSO, **options):
    return {"csp.onboarding.verified_domain": dict(customer_id=customer_id, name=name, **options)}


def test_add_then_rerun_unchanged(sim, env):
    (created, again), (_, journal), _, _ = run_steps(sim, env, [
        dict(domain_task(), diff=True), domain_task(name="Contoso-Demo.EXAMPLE")])
    assert (created["changed"], created["action"]) == (True, "created")
    assert created["domain"]["authentication_type"] == "managed"
    assert created["diff"] == {"before": {}, "after": {"name": "contoso-demo.example", "authentication_type": "managed",
                                                       "capability": "email", "status": "verified",
                                                       "verification_method": "none"}}
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert writes(journal) == []


def test_the_default_domain_counts_as_present(sim, env):
    (result,), _ = run_tasks([domain_task(name="contoso-demo.onmicrosoft.com")], env)
    assert result["action"] == "unchanged" and writes(sim.journal()) == []


def test_federated_domain_sends_the_documented_body(sim, env):
    (result,), _ = run_tasks([domain_task(name="sso.contoso-demo.example", authentication_type="federated",
                                          verification_method="dns_record", federation_settings=FEDERATION)], env)
    assert result["action"] == "created", result.get("msg")
    assert result["domain"]["authentication_type"] == "federated"
    assert result["domain"]["verification_method"] == "dns_record"


BAD_INPUT = [
    ({"authentication_type": "federated"}, "federation_settings"),
    ({"authentication_type": "federated", "federation_settings": dict(FEDERATION, signing_certificate="not base64!")},
     "base64"),
    ({"authentication_type": "federated", "federation_settings": dict(FEDERATION, prompt_login_behavior="sometimes")},
     "prompt_login_behavior"),
    ({"federation_settings": FEDERATION}, "only used with authentication_type: federated"),
    ({"name": ""}, "empty"),
    ({"name": "contoso demo.example"}, "spaces"),
    ({"name": "contoso-demo.example."}, "dot"),
    ({"capability": "everything"}, "capability"),
    ({"customer_id": "1234"}, "GUID"),
]


@pytest.fixture(scope="module")
def bad_input_runs(simulator, demo_seed, tmp_path_factory):
    """Every case of BAD_INPUT as a task of one playbook: (result, the journal of that task alone) by case."""
    simulator.reset(copy.deepcopy(demo_seed))
    env = connection_env(simulator, str(tmp_path_factory.mktemp("bad-input") / "token-cache.json"))
    results, journals, _, _ = run_steps(simulator, env, [domain_task(**options) for options, _message in BAD_INPUT])
    return list(zip(results, journals))


@pytest.mark.parametrize("options, message", BAD_INPUT)
def test_bad_input_fails_before_any_request(bad_input_runs, options, message):
    result, journal = bad_input_runs[BAD_INPUT.index((options, message))]
    assert result["failed"] and message in result["msg"], result["msg"]
    assert [e for e in journal if e["api"] == "pc"] == []


def test_a_domain_of_another_customer_fails_clearly(sim, env):
    (added, *results), journals, _, _ = run_steps(sim, env, [
        domain_task(name="shared-demo.example", customer_id=FABRIKAM)] + [
        dict(domain_task(name="shared-demo.example"), check_mode=check) for check in (True, False)])
    assert added["action"] == "created", added.get("msg")
    for result in results:
        # Refused from the read (HEAD /v1/domains/{domain}), before the write Partner Center would refuse.
        assert result["failed"] and "already belongs to another tenant" in result["msg"]
        assert result["ms_correlation_id"]
    journal = journals[1] + journals[2]
    assert writes(journal) == []
    assert [e["method"] for e in journal if "/domains/shared-demo.example" in e["path"]] == ["HEAD", "HEAD"]


def test_check_mode_makes_no_write(sim, env):
    (result,), _ = run_tasks([domain_task()], env, check=True, diff=True)
    assert (result["changed"], result["action"]) == (True, "created")
    assert writes(sim.journal()) == []


def test_objects_in_the_custom_domains_answer(sim, env):
    sim.settings({"custom_domains_format": "objects"})
    (added, result), (_, journal), _, _ = run_steps(sim, env, [domain_task(), domain_task()])
    assert added["action"] == "created", added.get("msg")
    assert result["action"] == "unchanged" and writes(journal) == []


def test_customer_info_finds_a_customer_past_the_first_page(sim, env):
    sim.settings({"pc_max_page_size": 3})
    (by_domain, everyone), _ = run_tasks([
        {"csp.onboarding.customer_info": {"domain": "FILLER10-demo.onmicrosoft.com"}},
        {"csp.onboarding.customer_info": {}},
    ], env)
    assert [c["id"] for c in by_domain["customers"]] == ["c0000010-0000-4000-8000-000000000010"]
    assert len(everyone["customers"]) == 10
    pages = [e for e in sim.journal() if e["method"] == "GET" and e["path"] == "/v1/customers"]
    assert len(pages) >= 1 + 4  # the filtered search, then 10 customers at 3 a page


def test_three_domains_on_twenty_customers_rerun_makes_no_write(seeded, env):
    def twenty(seed):
        customers = seed["partners"][0]["customers"]
        customers.extend({"id": "c00000%02d-0000-4000-8000-0000000000%02d" % (n, n), "company_name": "Extra %d" % n,
                          "domain": "extra%02d-demo.onmicrosoft.com" % n} for n in range(11, 21))
    sim = seeded(twenty)
    customers = ["c00000%02d-0000-4000-8000-0000000000%02d" % (n, n) for n in range(1, 21)]
    tasks = [{"csp.onboarding.verified_domain": {"customer_id": "{{ item[0] }}",
                                                 "name": "{{ item[1] ~ '.' ~ item[0][:8] ~ '.example' }}"},
              "loop": "{{ customers | product(['www', 'mail', 'shop']) | list }}"}]
    (first, second), (_, journal), _, _ = run_steps(sim, env, tasks * 2, play_vars={"customers": customers})
    assert [r.get("action", r.get("msg")) for r in first["results"]] == ["created"] * 60
    assert all(r["action"] == "unchanged" for r in second["results"])
    assert writes(journal) == []
