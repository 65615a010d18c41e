"""Licenses: customer_license_info, and licenses on customer_user and customer_users (issue: licenses and roles).

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that), reading the simulator's journal (and state) after each: each step is asserted on
its own requests and on the state it left, as if it had run alone.
"""

from conftest import CONTOSO
from harness import run_steps, run_tasks, writes

ADMIN = "admin@contoso-demo.onmicrosoft.com"
BUSINESS_STANDARD = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"  # O365_BUSINESS_PREMIUM in the simulator's catalog
EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
SPE_E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"  # no free unit
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
DOMAIN = "contoso-demo.onmicrosoft.com"


def user_task(upn=ADMIN, **options):
    spec = dict(customer_id=CONTOSO, user_principal_name=upn)
    spec.update(options)
    return {"csp.onboarding.customer_user": spec}


def customer(state, customer_id=CONTOSO):
    """A customer in a state of the simulator (``sim.state()``)."""
    return [c for c in state["partners"][0]["customers"] if c["id"] == customer_id][0]


def licenses_in_state(state, upn, customer_id=CONTOSO):
    user = [u for u in customer(state, customer_id)["users"] if u["user_principal_name"].lower() == upn.lower()][0]
    return dict((entry["sku"].lower(), sorted(p.lower() for p in entry["excluded_plans"]))
                for entry in user.get("licenses") or [])


def license_posts(journal):
    return [e for e in writes(journal) if e["method"] == "POST" and e["path"].endswith("/licenseupdates")]


def sku_reads(journal):
    return [e for e in journal if e["method"] == "GET" and e["path"].endswith("/subscribedskus")]


def test_license_info_lists_the_skus_with_counts_and_plans(sim, env):
    (result,), _ = run_tasks([{"csp.onboarding.customer_license_info": {"customer_id": CONTOSO}}], env)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    by_part = dict((sku["sku_part_number"], sku) for sku in result["licenses"])
    assert sorted(by_part) == ["EMS", "O365_BUSINESS_PREMIUM", "SPE_E3"]
    standard = by_part["O365_BUSINESS_PREMIUM"]
    assert standard["sku_id"] == BUSINESS_STANDARD and standard["name"] == "Microsoft 365 Business Standard"
    assert (standard["active_units"], standard["available_units"], standard["consumed_units"]) == (1000, 1000, 0)
    assert {"id": TEAMS, "name": "Microsoft Teams", "service_name": "TEAMS1"} in standard["service_plans"]
    assert by_part["SPE_E3"]["available_units"] == 0
    assert writes(sim.journal()) == []


def test_assign_rerun_exclude_a_plan_and_remove(sim, env):
    steps = [
        ("assign by part number", dict(licenses=[{"sku": "o365_business_premium"}]), True,
         {BUSINESS_STANDARD: []}, 1),
        ("re-run", dict(licenses=[{"sku": "O365_BUSINESS_PREMIUM"}]), False, {BUSINESS_STANDARD: []}, 0),
        ("exclude a plan by name", dict(licenses=[{"sku": BUSINESS_STANDARD.upper(), "excluded_plans": ["teams1"]}]),
         True, {BUSINESS_STANDARD: [TEAMS]}, 1),
        ("exclusion re-run, plan by display name", dict(licenses=[
            {"sku": "O365_BUSINESS_PREMIUM", "excluded_plans": ["Microsoft Teams"]}]), False,
         {BUSINESS_STANDARD: [TEAMS]}, 0),
        ("another SKU, unlisted kept", dict(licenses=[{"sku": "EMS"}]), True,
         {BUSINESS_STANDARD: [TEAMS], EMS: []}, 1),
        ("remove unlisted", dict(licenses=[{"sku": "EMS"}], remove_unlisted_licenses=True), True, {EMS: []}, 1),
        ("remove every license", dict(licenses=[], remove_unlisted_licenses=True), True, {}, 1),
        ("nothing left to remove", dict(licenses=[], remove_unlisted_licenses=True), False, {}, 0),
    ]
    tasks = [user_task(**options) for _name, options, _changed, _expected, _posts in steps]
    results, journals, states, output = run_steps(sim, env, tasks, state=True, diff=True)
    for (name, _options, changed, expected, posts), result, journal, state in zip(steps, results, journals, states):
        assert not result.get("failed"), (name, result.get("msg"), output[-2000:])
        assert result["changed"] is changed, name
        assert result["action"] == ("updated" if changed else "unchanged"), name
        assert len(license_posts(journal)) == posts == len(writes(journal)), name
        assert len(sku_reads(journal)) == 1, name
        assert licenses_in_state(state, ADMIN) == expected, name
        returned = dict((entry["sku_id"].lower(), entry["excluded_plans"]) for entry in result["user"]["licenses"])
        assert sorted(returned) == sorted(expected), name
        if changed:
            assert result["diff"]["before"]["licenses"] != result["diff"]["after"]["licenses"], name


def test_one_request_assigns_and_removes_within_a_license_group(sim, env):
    (assigned, result), (_, journal), (_, state), _ = run_steps(sim, env, [
        user_task(licenses=[{"sku": "O365_BUSINESS_PREMIUM"}]),
        user_task(licenses=[{"sku": "EMS"}], remove_unlisted_licenses=True)], state=True)
    assert not assigned.get("failed"), assigned.get("msg")
    assert result["changed"] and result["user"]["licenses"] == [
        {"sku_id": EMS, "sku_part_number": "EMS", "excluded_plans": []}]
    assert len(license_posts(journal)) == 1 == len(writes(journal))
    assert licenses_in_state(state, ADMIN) == {EMS: []}


def test_check_mode_predicts_the_real_run_without_writing(sim, env):
    cases = (dict(licenses=[{"sku": "EMS", "excluded_plans": ["INTUNE_A"]}]),
             dict(licenses=[{"sku": "EMS", "excluded_plans": ["INTUNE_A"]}]),
             dict(licenses=[], remove_unlisted_licenses=True))
    # Each case: the prediction (check mode), then the real run.
    results, journals, _, _ = run_steps(sim, env, [dict(user_task(**options), check_mode=check)
                                                   for options in cases for check in (True, False)], diff=True)
    for index in range(len(cases)):
        predicted, real = results[2 * index:2 * index + 2]
        assert not predicted.get("failed"), predicted.get("msg")
        assert writes(journals[2 * index]) == []
        assert (real["changed"], real["action"]) == (predicted["changed"], predicted["action"])
        assert real["user"]["licenses"] == predicted["user"]["licenses"]
        assert real["diff"] == predicted["diff"]


def test_a_new_user_is_created_then_licensed(sim, env):
    upn = "new.hire@" + DOMAIN
    task = user_task(upn=upn, first_name="New", usage_location="GB", password="Initial-Passw0rd!",
                     licenses=[{"sku": "O365_BUSINESS_PREMIUM", "excluded_plans": ["SHAREPOINTSTANDARD"]}])
    (predicted, result), (predicted_journal, journal), (_, state), _ = run_steps(
        sim, env, [dict(task, check_mode=True), task], state=True)
    assert predicted["action"] == "created" and writes(predicted_journal) == []
    assert predicted["user"]["licenses"][0]["excluded_plans"] == ["SHAREPOINTSTANDARD"]
    assert result["action"] == "created", result.get("msg")
    assert [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in writes(journal)] == [
        ("POST", "users"), ("POST", "licenseupdates")]
    assert licenses_in_state(state, upn) == {BUSINESS_STANDARD: ["c7699d2e-19aa-44de-8edf-1736da088ca1"]}


def test_bad_names_usage_location_and_shortage_fail_before_any_write(sim, env):
    no_location = "no.location@" + DOMAIN
    tasks = [
        user_task(licenses=[{"sku": "O365_E5"}]),
        user_task(licenses=[{"sku": "EMS", "excluded_plans": ["TEAMS1"]}]),
        user_task(upn=no_location, first_name="No", password="Initial-Passw0rd!", licenses=[{"sku": "EMS"}]),
        user_task(remove_unlisted_licenses=True),
        user_task(licenses=[{"sku": "EMS"}, {"sku": EMS}]),
        user_task(licenses=[{"sku": "SPE_E3"}]),
        {"csp.onboarding.customer_users": {"customer_id": CONTOSO, "users": [
            {"user_principal_name": ADMIN, "licenses": [{"sku": "EMS"}]},
            {"user_principal_name": ADMIN.upper().replace("ADMIN@", "OTHER@"), "usage_location": "US",
             "password": "Initial-Passw0rd!", "licenses": [{"sku": "NOT_A_SKU"}]}]}},
    ]
    results, _ = run_tasks(tasks, env)
    assert all(result.get("failed") for result in results), [r.get("msg") for r in results]
    unknown_sku, unknown_plan, location, remove_alone, twice, shortage, bulk = (r["msg"] for r in results)
    assert "O365_E5" in unknown_sku and "O365_BUSINESS_PREMIUM" in unknown_sku and "SPE_E3" in unknown_sku
    assert "TEAMS1" in unknown_plan and "INTUNE_A" in unknown_plan and "MFA_PREMIUM" in unknown_plan
    assert "usage_location" in location and no_location in location
    assert "remove_unlisted_licenses" in remove_alone
    assert "twice" in twice
    assert "SPE_E3" in shortage and "available_units 0" in shortage and "active_units 0" in shortage
    assert "NOT_A_SKU" in bulk and "EMS" in bulk
    assert writes(sim.journal()) == []


def test_unit_shortage_fails_that_user_and_the_others_proceed(sim, env):
    sim.set_sku_units(CONTOSO, "EMS", active_units=2)
    taken = user_task(licenses=[{"sku": "EMS"}])  # one of the two units is taken
    users = [dict(user_principal_name="user%d@%s" % (n, DOMAIN), first_name="User", last_name=str(n),
                  usage_location="US", password="Initial-Passw0rd!", licenses=[{"sku": "EMS"}]) for n in range(3)]
    users.append(dict(user_principal_name=ADMIN, licenses=[{"sku": "EMS"}, {"sku": "O365_BUSINESS_PREMIUM"}]))
    task = {"csp.onboarding.customer_users": {"customer_id": CONTOSO, "users": users, "concurrency": 4}}
    (taken, predicted, real), (_, predicted_journal, journal), (_, _, state), _ = run_steps(
        sim, env, [taken, dict(task, check_mode=True), task], state=True)
    assert taken["changed"], taken.get("msg")
    assert writes(predicted_journal) == []
    for result in (predicted, real):
        assert result["failed"] and result["changed"]
        # user0 takes the last free unit; user1 and user2 compete for none and fail before any write
        assert result["created"] == ["user0@" + DOMAIN]
        assert result["updated"] == [ADMIN]  # holds EMS already: only Business Standard is new
        failed = dict((entry["user_principal_name"], entry["msg"]) for entry in result["failed_users"])
        assert sorted(failed) == ["user1@" + DOMAIN, "user2@" + DOMAIN]
        assert "available_units 1" in failed["user1@" + DOMAIN]
        assert "this run already assigns 1" in failed["user1@" + DOMAIN]
    created = [e for e in writes(journal) if e["path"].endswith("/users")]
    assert len(created) == 1 and len(license_posts(journal)) == 2
    assert len(sku_reads(journal)) == 1
    assert set(u["user_principal_name"] for u in customer(state)["users"]) == {ADMIN, "user0@" + DOMAIN}


def test_bulk_of_50_users_reads_the_skus_once_and_a_rerun_writes_nothing(seeded, env):
    upns = ["bulk%02d@%s" % (n, DOMAIN) for n in range(50)]

    def with_users(seed):
        seed["partners"][0]["customers"][0]["users"] = [
            {"user_principal_name": upn, "first_name": "Bulk", "last_name": upn[4:6], "usage_location": "US"}
            for upn in upns]
    sim = seeded(with_users)
    users = [{"user_principal_name": upn, "licenses": [{"sku": "O365_BUSINESS_PREMIUM",
                                                        "excluded_plans": ["MCOSTANDARD"]}]} for upn in upns]
    task = {"csp.onboarding.customer_users": {"customer_id": CONTOSO, "users": users, "concurrency": 8}}
    (first, rerun), (journal, rerun_journal), (state, _), _ = run_steps(sim, env, [task, task], state=True)
    assert not first.get("failed"), first.get("msg")
    assert sorted(first["updated"]) == upns
    assert len(license_posts(journal)) == 50 and len(sku_reads(journal)) == 1
    skus = dict((sku["part_number"], sku) for sku in customer(state)["subscribed_skus"])
    assert skus["O365_BUSINESS_PREMIUM"]["active_units"] == 1000
    assert rerun["changed"] is False and sorted(rerun["unchanged"]) == upns, rerun.get("msg")
    journal = [e for e in rerun_journal if e["api"] == "pc"]
    assert writes(journal) == []
    assert len(sku_reads(journal)) == 1
    license_reads = [e for e in journal if e["path"].endswith("/licenses")]
    assert len(license_reads) == 50  # one per user; no other read per user
    assert len(journal) == 1 + 1 + 50  # the users page, the SKUs, the users' licenses
