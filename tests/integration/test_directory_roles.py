"""Directory roles on customer_user and customer_users (issue: licenses and roles).

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that), reading the simulator's journal and state after each: each step is asserted on
its own requests and on the state it left, as if it had run alone.
"""

from conftest import CONTOSO
from harness import run_steps, run_tasks, writes

ADMIN = "admin@contoso-demo.onmicrosoft.com"
DOMAIN = "contoso-demo.onmicrosoft.com"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"


def user_task(upn=ADMIN, **options):
    spec = dict(customer_id=CONTOSO, user_principal_name=upn)
    spec.update(options)
    return {"csp.onboarding.customer_user": spec}


def customer(state):
    return [c for c in state["partners"][0]["customers"] if c["id"] == CONTOSO][0]


def roles_of(state, upn):
    """The ids of the roles ``upn`` holds in a state of the simulator (``sim.state()``)."""
    contoso = customer(state)
    user_id = [u["id"] for u in contoso["users"] if u["user_principal_name"].lower() == upn.lower()][0]
    return sorted(role_id for role_id, members in contoso["directory_roles"].items() if user_id in members)


def test_add_rerun_and_remove_unlisted(sim, env):
    steps = [
        ("add by name", dict(directory_roles=["user administrator"]), True, [USER_ADMINISTRATOR], ["POST"]),
        ("re-run", dict(directory_roles=["User Administrator"]), False, [USER_ADMINISTRATOR], []),
        ("add by id, keep unlisted", dict(directory_roles=[GLOBAL_ADMINISTRATOR.upper()]), True,
         sorted([USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]), ["POST"]),
        ("remove unlisted", dict(directory_roles=["Global Administrator"], remove_unlisted_directory_roles=True),
         True, [GLOBAL_ADMINISTRATOR], ["DELETE"]),
        ("leave every role", dict(directory_roles=[], remove_unlisted_directory_roles=True), True, [], ["DELETE"]),
        ("nothing left", dict(directory_roles=[], remove_unlisted_directory_roles=True), False, [], []),
    ]
    tasks = [dict(user_task(**options), diff=True) for _name, options, _changed, _expected, _methods in steps]
    results, journals, states, output = run_steps(
        sim, env, tasks + [user_task(directory_roles=["Global Administrator"])], state=True)
    for (name, _options, changed, expected, methods), result, journal, state in zip(steps, results, journals, states):
        assert not result.get("failed"), (name, result.get("msg"), output[-2000:])
        assert (result["changed"], result["action"]) == (changed, "updated" if changed else "unchanged"), name
        assert [e["method"] for e in writes(journal)] == methods, name
        assert all("/usermembers" in e["path"] for e in writes(journal)), name
        assert roles_of(state, ADMIN) == expected, name
        if changed:
            assert result["diff"]["before"]["directory_roles"] != result["diff"]["after"]["directory_roles"], name
    assert results[-1]["user"]["directory_roles"] == ["Global Administrator"]


def test_check_mode_predicts_without_writing(sim, env):
    cases = (dict(directory_roles=["Helpdesk Administrator"]),
             dict(directory_roles=["Helpdesk Administrator"]),
             dict(directory_roles=[], remove_unlisted_directory_roles=True))
    # Each case: the prediction (check mode), then the real run.
    results, journals, _, _ = run_steps(sim, env, [dict(user_task(**options), check_mode=check)
                                                   for options in cases for check in (True, False)], diff=True)
    for index in range(len(cases)):
        predicted, real = results[2 * index:2 * index + 2]
        assert not predicted.get("failed"), predicted.get("msg")
        assert writes(journals[2 * index]) == []
        assert (real["changed"], real["action"]) == (predicted["changed"], predicted["action"])
        assert real["diff"] == predicted["diff"]


def test_unknown_role_is_refused_with_the_names_there_are(sim, env):
    results, _ = run_tasks([user_task(directory_roles=["Tenant Overlord"]),
                            user_task(remove_unlisted_directory_roles=True)], env)
    assert results[0]["failed"] and "Tenant Overlord" in results[0]["msg"]
    assert "User Administrator" in results[0]["msg"] and "Global Administrator" in results[0]["msg"]
    assert results[1]["failed"] and "remove_unlisted_directory_roles" in results[1]["msg"]
    assert writes(sim.journal()) == []


def test_bulk_reads_each_role_once_and_a_new_user_becomes_a_member(sim, env):
    users = [dict(user_principal_name="helper%d@%s" % (n, DOMAIN), first_name="Helper", usage_location="US",
                  password="Initial-Passw0rd!", directory_roles=["Helpdesk Administrator", "User Administrator"])
             for n in range(6)]
    task = {"csp.onboarding.customer_users": {"customer_id": CONTOSO, "users": users}}
    (result, rerun), (journal, rerun_journal), (state, _), _ = run_steps(sim, env, [task, task], state=True)
    assert not result.get("failed"), result.get("msg")
    assert len(result["created"]) == 6
    member_reads = [e for e in journal if e["method"] == "GET" and e["path"].endswith("/usermembers")]
    assert len(member_reads) == 2  # one per role, not one per user
    assert len([e for e in journal if e["method"] == "GET" and e["path"].endswith("/directoryroles")]) == 1
    assert len([e for e in writes(journal) if e["path"].endswith("/usermembers")]) == 12
    for user in users:
        assert len(roles_of(state, user["user_principal_name"])) == 2
    assert rerun["changed"] is False and len(rerun["unchanged"]) == 6
    assert writes(rerun_journal) == []
