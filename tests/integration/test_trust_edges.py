"""Edges a production run must not cross (issue: trust at the edges): reads that predict a refused write, the
customer_users guards, the users' diff, and the APS bypass lock across parallel runs."""

import threading

from conftest import CONTOSO, FABRIKAM, NORTHWIND
from harness import DEMO, journal_read, run_tasks, writes

ACCOUNT = 1000003


def bypasses(sim):
    return [b for b in sim.state()["aps"]["bypasses"] if str(b.get("account_id")) == str(ACCOUNT)
            or b.get("account_aps_id") == "a0000003-0000-4000-8000-000000000003"]


def bulk(users, **options):
    return {"csp.onboarding.customer_users": dict(customer_id=FABRIKAM, users=users, **options)}


def test_reads_refuse_what_would_fail_in_check_mode_and_real_runs(sim, env):
    unknown_domain_user = dict(customer_id=CONTOSO, upn="kim@not-a-contoso-domain.example", first_name="Kim",
                               password="Initial-Passw0rd!")
    tasks = [
        # a domain that another tenant already has
        {"csp.onboarding.verified_domain": dict(customer_id=NORTHWIND, name="contoso-demo.onmicrosoft.com")},
        # an APS application instance that does not exist
        {"csp.onboarding.aps_bypass_validation": dict(app_instance_id="a7000000-0000-4000-8000-0000000000ff",
                                                      account_id=ACCOUNT, ms_tenant_id=NORTHWIND)},
        # a UPN on a domain the customer does not have, single and bulk
        {"csp.onboarding.customer_user": unknown_domain_user},
        bulk([{"upn": "kim@not-a-fabrikam-domain.example", "first_name": "Kim", "password": "Initial-Passw0rd!"},
              {"upn": "lee@fabrikam-demo.onmicrosoft.com", "first_name": "Lee", "usage_location": "US", "password": "Initial-Passw0rd!"}]),
        # the same run adds the domain first: expected_domains keeps check mode predicting the real run
        {"csp.onboarding.customer_user": dict(unknown_domain_user, expected_domains=["not-a-contoso-domain.example"])},
    ]
    # All of them in check mode, then the first four for real.
    played, output = run_tasks([dict(task, check_mode=True) for task in tasks] + [journal_read(sim)] + tasks[:4] +
                               [journal_read(sim)], env)
    runs = ((True, played[:5], played[5]), (False, played[6:10], played[10]))
    for check, results, journal in runs:
        journal = journal["msg"]["requests"]
        domain, bypass, user, users = results[:4]
        assert domain["failed"] and "belongs to another tenant" in domain["msg"], domain
        assert bypass["failed"] and "no such APS application instance" in bypass["msg"], bypass
        assert user["failed"] and "not-a-contoso-domain.example is neither the default" in user["msg"], user
        assert [f["user_principal_name"] for f in users["failed_users"]] == ["kim@not-a-fabrikam-domain.example"], users["failed_users"]
        assert (users["created"] == ["lee@fabrikam-demo.onmicrosoft.com"]), users
        if check:
            assert results[4]["changed"] and results[4]["action"] == "created", results[4]
            assert writes(journal) == []
        else:
            assert [(e["method"], e["path"]) for e in writes(journal)] == [
                ("POST", "/v1/customers/%s/users" % FABRIKAM)], "only the user the reads allow is written"
    assert not bypasses(sim)


def test_customer_users_guards_refuse_before_any_request(sim, env):
    sim.clear_journal()
    user = {"upn": "g@fabrikam-demo.onmicrosoft.com", "first_name": "G", "password": "Initial-Passw0rd!"}
    results, _ = run_tasks([
        bulk([], purge=True),
        bulk([user], concurrency=0),
        bulk([user], concurrency=33),
        bulk([dict(user, usage_location="UK")]),
        bulk([dict(user, usage_location="ZZ")]),
        {"csp.onboarding.customer_user": dict(customer_id=CONTOSO, upn="h@contoso-demo.onmicrosoft.com",
                                              usage_location="EU", password="Initial-Passw0rd!")},
    ], env)
    purge, zero, many, uk, zz, eu = results
    assert purge["failed"] and "purge_all: true" in purge["msg"]
    assert zero["failed"] and "concurrency must be an integer from 1 to 32" in zero["msg"]
    assert many["failed"] and "concurrency" in many["msg"]
    assert uk["failed"] and "did you mean GB?" in uk["msg"]
    assert zz["failed"] and "'ZZ' is not an ISO 3166-1 alpha-2" in zz["msg"]
    assert eu["failed"] and "usage_location 'EU'" in eu["msg"]
    assert writes(sim.journal()) == []
    assert not [e for e in sim.journal() if e["api"] == "pc"], "refused before any read"
    active = [u for c in sim.state()["partners"][0]["customers"] if c["id"] == FABRIKAM for u in c["users"]
              if u["state"] == "active"]
    assert active, "purge with no listed user deleted nobody"


def test_customer_users_diff_shows_each_user_change_without_password(sim, env):
    new = {"upn": "diff.new@fabrikam-demo.onmicrosoft.com", "first_name": "Dee", "usage_location": "US",
           "password": "Diff-Passw0rd!"}
    changed = dict(new, first_name="Dora")
    other = dict(new, upn="diff.other@fabrikam-demo.onmicrosoft.com")
    # The user is created; then a change to it and another user, in check mode with --diff.
    (created, _, predicted, journal), output = run_tasks([
        dict(bulk([new]), diff=False), journal_read(sim), dict(bulk([changed, other]), check_mode=True),
        journal_read(sim)], env, diff=True)
    assert created["created"] == [new["upn"]]
    assert writes(journal["msg"]["requests"]) == []
    diffs = dict((d["after_header"], d) for d in predicted["diff"])
    assert sorted(diffs) == sorted([changed["upn"], other["upn"]])
    assert diffs[changed["upn"]]["before"]["first_name"] == "Dee"
    assert diffs[changed["upn"]]["after"]["first_name"] == "Dora"
    assert diffs[other["upn"]]["before"] == {} and diffs[other["upn"]]["after"]["first_name"] == "Dee"
    assert "Diff-Passw0rd!" not in output and "password" not in str(predicted["diff"])
    assert "Dora" in output, "--diff prints the users' changes"


def test_three_parallel_bypass_runs_create_exactly_one(sim, env):
    task = {"csp.onboarding.aps_bypass_validation": dict(app_instance_id=DEMO["app_instance_id"], account_id=ACCOUNT,
                                                         ms_tenant_id=NORTHWIND)}
    sim.set_faults({"latency_ms": 150})  # widen the read -> POST window each run would race in
    results = []

    def one():
        results.append(run_tasks([task], env)[0][0])

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sim.clear_faults()
    assert sorted(r["action"] for r in results) == ["created", "unchanged", "unchanged"], results
    assert len(bypasses(sim)) == 1
    assert len([e for e in writes(sim.journal(), "aps") if e["method"] == "POST"]) == 1
