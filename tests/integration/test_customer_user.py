"""customer_user, customer_users and customer_user_info against the simulator (issue: customer users).

A test that takes several steps runs them as the tasks of one playbook (an ansible-playbook run costs about
1.5 s of CPU, a task a tenth of that), with a read of the simulator's journal after each step: each step's
requests are asserted on their own, as if it had run alone.
"""

import copy

import pytest

from conftest import CONTOSO, FABRIKAM
from harness import connection_env, run_steps, run_tasks, writes

UPN = "alex.wilber@contoso-demo.onmicrosoft.com"


def user_task(**options):
    spec = dict(customer_id=CONTOSO, user_principal_name=UPN)
    spec.update(options)
    return {"csp.onboarding.customer_user": spec}


def create_task(**options):
    spec = dict(first_name="Alex", last_name="Wilber", usage_location="US", password="Initial-Passw0rd!")
    spec.update(options)
    return user_task(**spec)


def users_in_state(sim, customer_id, upn):
    customer = [c for c in sim.state()["partners"][0]["customers"] if c["id"] == customer_id][0]
    return [u for u in customer["users"] if u["user_principal_name"].lower() == upn.lower()]


def test_lifecycle(sim, env):
    steps = [
        ("create", create_task(), True, "created", ["POST"]),
        ("re-run", create_task(), False, "unchanged", []),
        ("password only", create_task(password="Another-Passw0rd!"), False, "unchanged", []),
        ("update", user_task(display_name="Alex W."), True, "updated", ["PATCH"]),
        ("delete", user_task(state="absent"), True, "deleted", ["DELETE"]),
        ("delete again", user_task(state="absent"), False, "unchanged", []),
        ("present again", create_task(), True, "restored", ["PATCH"]),
        ("reset password", user_task(password="N3w-Passw0rd!", update_password="always"), True, "updated", ["PATCH"]),
    ]
    results, journals, _, output = run_steps(sim, env, [task for _name, task, _changed, _action, _methods in steps],
                                             diff=True)
    for (name, _task, changed, action, methods), result, journal in zip(steps, results, journals):
        assert not result.get("failed"), (name, result.get("msg"), output[-2000:])
        assert (result["changed"], result["action"]) == (changed, action), name
        assert [entry["method"] for entry in writes(journal)] == methods, name
        assert "password" not in result["user"], name
    users = users_in_state(sim, CONTOSO, UPN)
    assert len(users) == 1 and users[0]["state"] == "active" and users[0]["display_name"] == "Alex W."


def test_check_mode_predicts_without_writing(sim, env):
    predictions = ((create_task(), "created"), (user_task(state="absent"), "unchanged"))
    in_check_mode = {"check_mode": True, "diff": True}
    results, journals, _, _ = run_steps(sim, env, [dict(task, **in_check_mode) for task, _action in predictions] + [
        create_task(), dict(user_task(usage_location="DE", state="present"), **in_check_mode),
        user_task(usage_location="DE")])
    for (_task, action), result, journal in zip(predictions, results, journals):
        assert (result["changed"], result["action"]) == (action != "unchanged", action)
        assert writes(journal) == []
    _created, predicted, real = results[2:]
    assert predicted["action"] == "updated" and predicted["diff"]["after"]["usage_location"] == "DE"
    assert predicted["diff"]["before"]["usage_location"] == "US"
    assert writes(journals[3]) == []
    assert (real["changed"], real["action"]) == (predicted["changed"], predicted["action"])


def test_a_soft_deleted_user_is_restored_not_recreated(sim, env):
    upn = "jane.doe@fabrikam-demo.onmicrosoft.com"
    (result,), _ = run_tasks([{"csp.onboarding.customer_user": {
        "customer_id": FABRIKAM, "upn": upn, "password": "Whatever-Passw0rd!"}}], env)
    assert result["action"] == "restored" and result["user"]["state"] == "active"
    assert [entry["method"] for entry in writes(sim.journal())] == ["PATCH"]
    assert len(users_in_state(sim, FABRIKAM, upn)) == 1


def test_restore_false_fails_before_writing(sim, env):
    (result,), _ = run_tasks([{"csp.onboarding.customer_user": {
        "customer_id": FABRIKAM, "upn": "jane.doe@fabrikam-demo.onmicrosoft.com", "restore": False}}], env)
    assert result["failed"] and "soft-deleted" in result["msg"]
    assert writes(sim.journal()) == []


def test_a_lost_create_response_converges_without_a_duplicate(sim, env):
    sim.set_faults({"rules": [{"fault": "lost_response", "count": 1, "method": "POST", "path": "/users$"}]})
    (result,), _ = run_tasks([create_task()], env)
    assert not result.get("failed"), result.get("msg")
    assert result["action"] == "created"
    posts = [e for e in writes(sim.journal()) if e["method"] == "POST"]
    assert len(posts) == 2 and posts[0]["request_id"] == posts[1]["request_id"]
    assert len(users_in_state(sim, CONTOSO, UPN)) == 1


def test_two_forks_creating_the_same_user_converge(sim, env, tmp_path):
    # Both runs read "absent" before either writes (latency), so one create answers 409 (duplicate UPN):
    # that run re-reads and converges instead of failing.
    sim.set_faults({"latency_ms": 300})
    inventory = tmp_path / "hosts"
    inventory.write_text("a\nb\n")
    from harness import run_playbook
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        "- hosts: all\n  connection: local\n  gather_facts: false\n"
        "  vars: {ansible_python_interpreter: '%s'}\n  tasks:\n"
        "    - csp.onboarding.customer_user: {customer_id: %s, upn: '%s', first_name: Alex, usage_location: US,"
        " password: 'Initial-Passw0rd!'}\n" % (__import__("sys").executable, CONTOSO, UPN))
    code, output = run_playbook(str(playbook), env, inventory=str(inventory), args=["--forks", "2"])
    assert code == 0, output[-3000:]
    statuses = sorted(e["status"] for e in writes(sim.journal()) if e["method"] == "POST")
    assert statuses in ([201, 409], [201]), statuses
    assert len(users_in_state(sim, CONTOSO, UPN)) == 1


def test_paging_past_the_first_page(seeded, env):
    def many_users(seed):
        seed["settings"]["pc_max_page_size"] = 7
        contoso = seed["partners"][0]["customers"][0]
        contoso["users"] = [{"user_principal_name": "user%02d@contoso-demo.onmicrosoft.com" % n, "first_name": "U",
                             "last_name": str(n), "usage_location": "US"} for n in range(30)]
    sim = seeded(many_users)
    (result, info), (journal, _), _, _ = run_steps(sim, env, [
        {"csp.onboarding.customer_user": {"customer_id": CONTOSO, "upn": "USER29@contoso-demo.onmicrosoft.com",
                                          "first_name": "U"}},
        {"csp.onboarding.customer_user_info": {"customer_id": CONTOSO}}])
    assert result["action"] == "unchanged", result.get("msg")
    pages = [e for e in journal if e["method"] == "GET" and e["path"].endswith("/users")]
    assert len(pages) == 5  # 30 users at 7 a page: the match is on the last page
    assert len(info["users"]) == 30


def test_bulk_rerun_of_500_users_only_lists(seeded, env):
    users = [{"user_principal_name": "bulk%03d@contoso-demo.onmicrosoft.com" % n, "first_name": "Bulk",
              "last_name": str(n), "usage_location": "US"} for n in range(500)]

    def with_users(seed):
        seed["partners"][0]["customers"][0]["users"] = [dict(u) for u in users]
    sim = seeded(with_users)
    specs = [dict(u, password="Initial-Passw0rd!") for u in users]
    (result,), _ = run_tasks([{"csp.onboarding.customer_users": {"customer_id": CONTOSO, "users": specs}}], env)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False and len(result["unchanged"]) == 500
    journal = [e for e in sim.journal() if e["api"] == "pc"]
    assert writes(journal) == []
    assert [e["method"] for e in journal] == ["GET"]  # one page of active users; none is missing, so no deleted read


def test_bulk_creates_updates_restores_and_purges(sim, env):
    users = [
        {"user_principal_name": "new.one@fabrikam-demo.onmicrosoft.com", "first_name": "New", "usage_location": "US",
         "password": "Initial-Passw0rd!"},
        {"user_principal_name": "jane.doe@fabrikam-demo.onmicrosoft.com", "usage_location": "GB"},
        {"user_principal_name": "bad@not-their-domain.example", "first_name": "Bad", "usage_location": "US",
         "password": "Initial-Passw0rd!"},
    ]
    task = {"csp.onboarding.customer_users": {"customer_id": FABRIKAM, "users": users, "purge": True,
                                              "purge_exclude": ["nobody@*"]}}
    (predicted, result), (predicted_journal, journal), _, _ = run_steps(sim, env, [dict(task, check_mode=True), task])
    assert writes(predicted_journal) == []
    assert predicted["deleted"] == ["admin@fabrikam-demo.onmicrosoft.com"]
    assert result["failed"] and [f["user_principal_name"] for f in result["failed_users"]] == [
        "bad@not-their-domain.example"]
    # Refused from the customer's domains before the write Partner Center would refuse with a 400.
    assert "is neither the default nor a custom domain" in result["failed_users"][0]["msg"]
    assert [e["method"] for e in writes(journal)].count("POST") == 1, "only new.one is created"
    assert result["created"] == ["new.one@fabrikam-demo.onmicrosoft.com"]
    assert result["restored"] == ["jane.doe@fabrikam-demo.onmicrosoft.com"]
    assert result["deleted"] == ["admin@fabrikam-demo.onmicrosoft.com"]
    # Check mode reads the customer's domains too: the prediction is the outcome, the refused user included.
    assert predicted["created"] == result["created"] and predicted["restored"] == result["restored"]
    assert [f["user_principal_name"] for f in predicted["failed_users"]] == ["bad@not-their-domain.example"]


BAD_INPUT = [
    ({"customer_id": "not-a-guid"}, "customer_id must be a GUID"),
    ({"upn": "no-at-sign"}, "user_principal_name must look like"),
    ({"usage_location": "USA"}, "two-letter"),
    ({"first_name": "x" * 10240}, "at most 256"),
]


@pytest.fixture(scope="module")
def bad_input_runs(simulator, demo_seed, tmp_path_factory):
    """Every case of BAD_INPUT as a task of one playbook: (result, the journal of that task alone) by case."""
    simulator.reset(copy.deepcopy(demo_seed))
    env = connection_env(simulator, str(tmp_path_factory.mktemp("bad-input") / "token-cache.json"))
    results, journals, _, _ = run_steps(simulator, env, [create_task(**options) for options, _message in BAD_INPUT])
    return list(zip(results, journals))


@pytest.mark.parametrize("options, message", BAD_INPUT)
def test_bad_input_is_refused_before_any_request(bad_input_runs, options, message):
    result, journal = bad_input_runs[BAD_INPUT.index((options, message))]
    assert result["failed"] and message in result["msg"]
    assert [e for e in journal if e["api"] == "pc"] == []
