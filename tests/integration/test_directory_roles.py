"""Directory roles on customer_user and customer_users (issue: licenses and roles)."""

from conftest import CONTOSO
from harness import run_tasks, writes

ADMIN = "admin@contoso-demo.onmicrosoft.com"
DOMAIN = "contoso-demo.onmicrosoft.com"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"


def user_task(upn=ADMIN, **options):
    spec = dict(customer_id=CONTOSO, user_principal_name=upn)
    spec.update(options)
    return {"csp.onboarding.customer_user": spec}


def customer(sim):
    return [c for c in sim.state()["partners"][0]["customers"] if c["id"] == CONTOSO][0]


def roles_of(sim, upn):
    state = customer(sim)
    user_id = [u["id"] for u in state["users"] if u["user_principal_name"].lower() == upn.lower()][0]
    return sorted(role_id for role_id, members in state["directory_roles"].items() if user_id in members)


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
    for name, options, changed, expected, methods in steps:
        sim.clear_journal()
        (result,), output = run_tasks([user_task(**options)], env, diff=True)
        assert not result.get("failed"), (name, result.get("msg"), output[-2000:])
        assert (result["changed"], result["action"]) == (changed, "updated" if changed else "unchanged"), name
        journal = sim.journal()
        assert [e["method"] for e in writes(journal)] == methods, name
        assert all("/usermembers" in e["path"] for e in writes(journal)), name
        assert roles_of(sim, ADMIN) == expected, name
        if changed:
            assert result["diff"]["before"]["directory_roles"] != result["diff"]["after"]["directory_roles"], name
    (result,), _ = run_tasks([user_task(directory_roles=["Global Administrator"])], env)
    assert result["user"]["directory_roles"] == ["Global Administrator"]


def test_check_mode_predicts_without_writing(sim, env):
    for options in (dict(directory_roles=["Helpdesk Administrator"]),
                    dict(directory_roles=["Helpdesk Administrator"]),
                    dict(directory_roles=[], remove_unlisted_directory_roles=True)):
        sim.clear_journal()
        (predicted,), _ = run_tasks([user_task(**options)], env, check=True, diff=True)
        assert not predicted.get("failed"), predicted.get("msg")
        assert writes(sim.journal()) == []
        (real,), _ = run_tasks([user_task(**options)], env, diff=True)
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
    (result,), _ = run_tasks([task], env)
    assert not result.get("failed"), result.get("msg")
    assert len(result["created"]) == 6
    journal = sim.journal()
    member_reads = [e for e in journal if e["method"] == "GET" and e["path"].endswith("/usermembers")]
    assert len(member_reads) == 2  # one per role, not one per user
    assert len([e for e in journal if e["method"] == "GET" and e["path"].endswith("/directoryroles")]) == 1
    assert len([e for e in writes(journal) if e["path"].endswith("/usermembers")]) == 12
    for user in users:
        assert len(roles_of(sim, user["user_principal_name"])) == 2
    sim.clear_journal()
    (rerun,), _ = run_tasks([task], env)
    assert rerun["changed"] is False and len(rerun["unchanged"]) == 6
    assert writes(sim.journal()) == []
