"""aps_bypass_validation against the simulator's independent OAuth 1.0a verifier (issue: APS bypass).

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that), with reads of the simulator's journal and state after each step: each step is
asserted on its own requests and on the state it left, as if it had run alone. The bad-input cases share one
playbook the same way.
"""

import copy

import pytest

from conftest import CONTOSO
from harness import DEMO, connection_env, run_steps, run_tasks, writes


def bypass_task(**options):
    spec = dict(app_instance_id=DEMO["app_instance_id"], account_id=1000001, ms_tenant_id=CONTOSO)
    spec.update(options)
    return {"csp.onboarding.aps_bypass_validation": spec}


def bypasses(sim, state=None):
    """The bypasses in ``state`` (default: the simulator's state now)."""
    return (state or sim.state())["aps"]["bypasses"]


def test_present_then_rerun_without_post(sim, env):
    (created, again), (_, journal), (_, state), _ = run_steps(sim, env, [
        dict(bypass_task(), diff=True), bypass_task(ms_tenant_id=CONTOSO.upper())], state=True)
    assert (created["changed"], created["action"]) == (True, "created"), created.get("msg")
    assert created["bypass"]["account_aps_id"] == "a0000001-0000-4000-8000-000000000001"
    assert created["bypass"]["aps_id"]
    assert created["diff"]["before"] == {} and created["diff"]["after"]["ms_tenant_id"] == CONTOSO
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert writes(journal) == [] and len(bypasses(sim, state)) == 1


def test_absent_then_rerun_without_delete(sim, env):
    (created, deleted, again), (_, journal, again_journal), (_, _, state), _ = run_steps(sim, env, [
        bypass_task(), bypass_task(state="absent"), bypass_task(state="absent")], state=True)
    assert created["action"] == "created", created.get("msg")
    assert (deleted["changed"], deleted["action"]) == (True, "deleted")
    assert [e["method"] for e in writes(journal)] == ["DELETE"]
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert writes(again_journal) == [] and bypasses(sim, state) == []


def test_check_mode_makes_no_write(sim, env):
    (predicted,), _ = run_tasks([bypass_task()], env, check=True)
    assert (predicted["changed"], predicted["action"]) == (True, "created")
    assert writes(sim.journal()) == [] and bypasses(sim) == []


def test_aps_token_instead_of_signing(sim, env):
    env = dict(env, APS_TOKEN=DEMO["aps_token"])
    del env["APS_CONSUMER_KEY"], env["APS_CONSUMER_SECRET"]
    (result,), _ = run_tasks([bypass_task()], env)
    assert result["action"] == "created", result.get("msg")


def test_a_wrong_secret_fails_clearly(sim, env):
    (result,), _ = run_tasks([bypass_task()], dict(env, APS_CONSUMER_SECRET="wrong-secret"))
    assert result["failed"] and result["status"] in (401, 403)
    assert "AuthenticationFailed" in result["msg"]
    assert writes(sim.journal()) == []


def test_a_key_without_the_allowed_operation_says_which_it_needs(sim, env):
    env = dict(env, APS_CONSUMER_KEY=DEMO["aps_readonly_key"], APS_CONSUMER_SECRET=DEMO["aps_readonly_secret"])
    (result,), _ = run_tasks([bypass_task()], env)
    assert result["failed"] and result["status"] == 403
    assert "http://www.parallels.com/Office365/Office365app + POST" in result["msg"]
    assert bypasses(sim) == []


def test_an_unknown_account_fails_before_writing(sim, env):
    (result,), _ = run_tasks([bypass_task(account_id=4242)], env)
    assert result["failed"] and "account 4242 was not found" in result["msg"]
    assert writes(sim.journal()) == []


def test_the_match_is_found_past_the_first_page(seeded, env):
    def crowded(seed):
        seed["settings"]["aps_max_page_size"] = 5
        accounts = seed["aps"]["accounts"]
        accounts.extend({"id": 2000000 + n, "aps_id": "b%07d-0000-4000-8000-000000000000" % n, "name": "A%d" % n}
                        for n in range(14))
        seed["aps"]["bypasses"] = [{"ms_tenant_id": CONTOSO, "account_id": 2000000 + n} for n in range(14)] + [
            {"ms_tenant_id": CONTOSO, "account_id": 1000001}]
    sim = seeded(crowded)
    (result,), _ = run_tasks([bypass_task()], env)
    assert result["action"] == "unchanged", result.get("msg")
    lists = [e for e in sim.journal() if e["method"] == "GET" and e["api"] == "aps"]
    assert len(lists) == 1 + 3  # the account lookup, then 15 bypasses at 5 a page
    assert writes(sim.journal()) == []


BAD_INPUT = [
    ({"app_instance_id": "not-a-guid"}, "app_instance_id must be a GUID"),
    ({"ms_tenant_id": "c0000001"}, "ms_tenant_id must be a GUID"),
    ({"account_id": -5}, "positive integer"),
    ({"account_id": "ten"}, "account_id"),
    ({"bypass_type": "nonsense"}, "bypass_type"),
    ({"unknown_option": 1}, "Unsupported parameters"),
]


@pytest.fixture(scope="module")
def bad_input_runs(simulator, demo_seed, tmp_path_factory):
    """Every case of BAD_INPUT as a task of one playbook: (result, the journal of that task alone) by case."""
    simulator.reset(copy.deepcopy(demo_seed))
    env = connection_env(simulator, str(tmp_path_factory.mktemp("bad-input") / "token-cache.json"))
    results, journals, _, _ = run_steps(simulator, env, [bypass_task(**options) for options, _message in BAD_INPUT])
    return list(zip(results, journals))


@pytest.mark.parametrize("options, message", BAD_INPUT)
def test_bad_input_fails_before_any_request(bad_input_runs, options, message):
    result, journal = bad_input_runs[BAD_INPUT.index((options, message))]
    assert result["failed"] and message in result["msg"], result["msg"]
    assert [e for e in journal if e["api"] == "aps"] == []


def test_rql_injection_in_values_is_escaped(sim, env):
    (result,), _ = run_tasks([bypass_task(bypass_type="http://x/y'),or(eq(a,b)/1.0")], env)
    assert not result.get("failed"), result.get("msg")
    assert result["action"] == "created"
    queries = [e["query"] for e in sim.journal() if e["api"] == "aps" and e["method"] == "GET" and e["query"]]
    assert any("%27%29%2Cor%28eq%28a%2Cb%29" in query for query in queries), queries
