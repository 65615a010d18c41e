"""GDAP through Microsoft Graph: gdap_relationship_info, gdap_relationship and gdap_access_assignment.

A test of several steps runs them as the tasks of one playbook (an ansible-playbook run costs about 1.5 s of
CPU, a task a tenth of that); tasks that read the simulator's journal and state, or act as the customer would
through its admin API, sit between the steps, so that each step is still asserted on its own requests.
"""

import threading
import time

import requests

from conftest import CONTOSO, FABRIKAM, NORTHWIND
from harness import DEMO, run_tasks, sim_post, sim_read, token_requests, writes

INFO = "csp.onboarding.gdap_relationship_info"
RELATIONSHIP = "csp.onboarding.gdap_relationship"
ASSIGNMENT = "csp.onboarding.gdap_access_assignment"
RELATIONSHIPS = "/v1.0/tenantRelationships/delegatedAdminRelationships"

USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMIN = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
ROLE_ADMIN = "e8611ab8-c189-46e8-94e1-60213ab1f814"
DOMAIN_ADMIN = "8329153b-31d0-4727-b945-745eb3bc5f31"
ONBOARDING_ROLES = ["User Administrator", "License Administrator", "Privileged Role Administrator",
                    "Domain Name Administrator"]
# The demo seed's relationships (tests/simulator/seeds/demo.yml).
CONTOSO_REL = "9a9d0001-0000-4000-8000-000000000001-c0000001-0000-4000-8000-000000000001"
FABRIKAM_REL = "9a9d0002-0000-4000-8000-000000000002-c0000002-0000-4000-8000-000000000002"
CONTOSO_ASSIGNMENT = "9a9d00a1-0000-4000-8000-000000000001"
CONTOSO_GROUP = "5ec00001-0000-4000-8000-000000000001"
NEW_GROUP = "5ec00002-0000-4000-8000-000000000002"


def graph_writes(sim, journal=None):
    """(method, path, status) of the Graph writes in ``journal`` (default: the simulator's journal)."""
    return [(entry["method"], entry["path"], entry["status"])
            for entry in writes(sim.journal() if journal is None else journal, "graph")]


def relationships_in_state(sim, state=None):
    """The partner's relationships by display name, in ``state`` (default: the simulator's state now)."""
    partner = [p for p in (state or sim.state())["partners"] if p["tenant_id"] == DEMO["partner_tenant_id"]][0]
    return dict((rel["display_name"], rel) for rel in partner["gdap_relationships"])


def test_info_reads_every_page_and_checks_a_customer_with_one_token(sim, env):
    (everything, contoso, expired, covered, missing), _ = run_tasks([
        {INFO: {}},
        {INFO: {"customer_id": CONTOSO}},
        {INFO: {"status": ["expired"]}},
        {INFO: {"customer_id": CONTOSO, "required_roles": ["user administrator", "License Administrator"]}},
        {INFO: {"customer_id": NORTHWIND, "required_roles": ONBOARDING_ROLES}},
    ], env)
    # The simulator pages by 2: the third relationship is on the second page.
    assert [rel["display_name"] for rel in everything["relationships"]] == [
        "Demo onboarding Contoso", "Demo onboarding Fabrikam", "Demo expired Filler 04"], everything.get("msg")
    lists = [entry for entry in sim.journal() if entry["method"] == "GET" and entry["path"] == RELATIONSHIPS]
    assert "skiptoken" in lists[1]["query"].lower()
    first = contoso["relationships"]
    assert [rel["id"] for rel in first] == [CONTOSO_REL]
    assert {"id": USER_ADMIN, "name": "User Administrator"} in first[0]["roles"]
    assert first[0]["status"] == "active" and first[0]["auto_extend_duration"] == "P180D"
    assert first[0]["approval_url"].endswith("/granularAdminRelationships/" + CONTOSO_REL)
    assert [rel["display_name"] for rel in expired["relationships"]] == ["Demo expired Filler 04"]

    assert covered["check"]["covered"] and covered["check"]["missing_roles"] == [], covered.get("msg")
    assert covered["check"]["relationship"]["id"] == CONTOSO_REL and covered["check"]["days_left"] >= 700
    assert not missing["check"]["covered"] and missing["check"]["status"] == "none"
    assert missing["check"]["missing_roles"] == ONBOARDING_ROLES
    assert "has no GDAP relationship" in missing["check"]["msg"]
    # Each check is one Graph read, filtered on the customer.
    checks = [entry for entry in lists if "customer" in entry["query"]]
    assert len(checks) == 3
    # Five tasks, one Graph token.
    assert len(token_requests(sim.journal())) == 1
    assert writes(sim.journal()) == []


def test_invite_lock_rerun_approve(sim, env):
    invite = {RELATIONSHIP: {"customer_id": NORTHWIND, "display_name": "Onboarding Northwind",
                             "roles": ONBOARDING_ROLES}}
    pending_check = {INFO: {"customer_id": NORTHWIND, "required_roles": ONBOARDING_ROLES}}
    journal = sim_read(sim, "requests?clear=true")
    # The prediction; the invitation and its re-run; the check while it is pending; the customer approves (as
    # sim.approve_relationship would); the invitation again and the check.
    played, _ = run_tasks([
        dict(invite, check_mode=True, diff=True), journal,
        dict(invite, diff=True), dict(invite, diff=True), journal, sim_read(sim, "state"),
        pending_check,
        sim_post(sim, "gdap/relationships/{{ result_2.relationship.id }}/approve"), journal,
        dict(invite, **{RELATIONSHIP: dict(invite[RELATIONSHIP], display_name="ONBOARDING northwind")}), pending_check,
        journal], env)
    predicted, predicted_journal, created, again, invite_journal, state, pending, approval = played[:8]
    approved, covered, approved_journal = played[9:]
    assert (predicted["changed"], predicted["action"]) == (True, "created"), predicted.get("msg")
    assert predicted["diff"]["before"] == {}
    assert predicted["diff"]["after"]["status"] == "approvalPending"
    assert writes(predicted_journal["msg"]["requests"]) == []

    assert (created["changed"], created["action"]) == (True, "created"), created.get("msg")
    assert created["diff"]["after"] == predicted["diff"]["after"]
    relationship = created["relationship"]
    assert relationship["status"] == "approvalPending" and relationship["customer_id"] == NORTHWIND
    assert relationship["approval_url"] == (
        "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/%s"
        % relationship["id"])
    assert (again["changed"], again["action"]) == (False, "unchanged")
    # One POST creates it, one locks it; the re-run writes nothing.
    assert graph_writes(sim, invite_journal["msg"]["requests"]) == [
        ("POST", RELATIONSHIPS, 201), ("POST", "%s/%s/requests" % (RELATIONSHIPS, relationship["id"]), 201)]
    stored = relationships_in_state(sim, state["msg"])["Onboarding Northwind"]
    assert stored["status"] == "approvalPending" and stored["duration"] == "P730D"
    assert stored["auto_extend_duration"] == "P180D"
    assert sorted(stored["roles"]) == sorted([USER_ADMIN, LICENSE_ADMIN, ROLE_ADMIN, DOMAIN_ADMIN])

    assert pending["check"]["status"] == "approvalPending" and not pending["check"]["covered"]
    assert pending["check"]["approval_url"] == relationship["approval_url"]

    assert approval["status"] == 200 and approval["json"]["id"] == relationship["id"], approval.get("msg")
    assert (approved["action"], approved["relationship"]["status"]) == ("unchanged", "active"), approved.get("msg")
    assert covered["check"]["covered"] and covered["check"]["relationship"]["id"] == relationship["id"]
    assert writes(approved_journal["msg"]["requests"]) == []


def test_invalid_inputs_are_refused_without_any_write(sim, env):
    def relationship(**options):
        values = dict(customer_id=NORTHWIND, display_name="Onboarding Northwind", roles=["User Administrator"])
        values.update(options)
        return {RELATIONSHIP: values}

    results, _ = run_tasks([
        relationship(display_name="N" * 51),
        relationship(duration="P731D"),
        relationship(duration="P0D"),
        relationship(roles=["Global Administrator", "User Administrator"]),
        relationship(roles=["User Administrator", "Licence Administrator"]),
        relationship(roles=[]),
        # The seed's Contoso relationship has four roles: asking for others cannot change it.
        relationship(customer_id=CONTOSO, display_name="Demo onboarding Contoso", roles=["Global Reader"],
                     auto_extend_duration="PT0S"),
        relationship(display_name="Demo onboarding Contoso"),
        {ASSIGNMENT: {"relationship_id": CONTOSO_REL, "security_group_id": NEW_GROUP,
                      "roles": ["User Administrator", "Exchange Administrator"]}},
        {ASSIGNMENT: {"relationship_id": CONTOSO_REL, "security_group_id": "not-a-group", "roles": ["User Administrator"]}},
        {ASSIGNMENT: {"relationship_id": CONTOSO_REL, "security_group_id": NEW_GROUP, "roles": ["Junior Admin"]}},
    ], env)
    expected = [
        "display_name is 51 characters long; at most 50",
        "duration must be from P1D to P730D (P2Y); P731D is 731 days",
        "duration must be from P1D to P730D (P2Y); P0D is 0 days",
        "auto_extend_duration must be PT0S when roles include Global Administrator",
        "roles: 'Licence Administrator' is not a Microsoft Entra built-in role",
        "roles",
        "roles and duration of a relationship cannot change once it is locked",
        "is the GDAP relationship %s with customer %s, not %s" % (CONTOSO_REL, CONTOSO, NORTHWIND),
        "roles Exchange Administrator are not granted by the GDAP relationship 'Demo onboarding Contoso'",
        "security_group_id must be a GUID",
        "roles: 'Junior Admin' is not",
    ]
    for result, message in zip(results, expected):
        assert result.get("failed") and message in result["msg"], (message, result.get("msg"))
        assert "Unexpected error" not in result["msg"]
    assert "License Administrator, Message Center Reader" in results[4]["msg"]  # the names that exist
    assert "Global Reader" in results[6]["msg"] and "Domain Name Administrator" in results[6]["msg"]
    assert writes(sim.journal()) == []
    # Only the three that depend on what exists read anything: the others were refused before any request.
    reads = sorted(entry["path"] for entry in sim.journal() if entry["api"] == "graph")
    assert reads == [RELATIONSHIPS, RELATIONSHIPS, "%s/%s" % (RELATIONSHIPS, CONTOSO_REL)], reads


def test_access_assignment_created_unchanged_changed_and_removed(sim, env):
    def assignment(roles=None, state="present"):
        options = {"relationship_id": FABRIKAM_REL, "security_group_id": NEW_GROUP.upper(), "state": state}
        if roles is not None:
            options["roles"] = roles
        return {ASSIGNMENT: options}

    (predicted, created, again, change_predicted, changed, removed, gone), _ = run_tasks([
        dict(assignment(["User Administrator", "License Administrator"]), check_mode=True),
        assignment(["User Administrator", "License Administrator"]),
        assignment([LICENSE_ADMIN, "user administrator"]),
        dict(assignment(["User Administrator"]), check_mode=True),
        assignment(["User Administrator"]),
        assignment(state="absent"),
        assignment(state="absent"),
    ], env, diff=True)
    assert (predicted["changed"], predicted["action"]) == (True, "created"), predicted.get("msg")
    assert (created["changed"], created["action"]) == (True, "created"), created.get("msg")
    assert created["diff"]["after"] == predicted["diff"]["after"] == {
        "security_group_id": NEW_GROUP, "roles": ["License Administrator", "User Administrator"]}
    assert created["access_assignment"]["status"] == "pending" and created["access_assignment"]["id"]
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert (change_predicted["action"], changed["action"]) == ("updated", "updated"), changed.get("msg")
    assert changed["diff"] == {"before": {"security_group_id": NEW_GROUP,
                                          "roles": ["License Administrator", "User Administrator"]},
                               "after": {"security_group_id": NEW_GROUP, "roles": ["User Administrator"]}}
    assert (removed["action"], gone["action"]) == ("deleted", "unchanged")
    assignment_path = "%s/%s/accessAssignments" % (RELATIONSHIPS, FABRIKAM_REL)
    item = "%s/%s" % (assignment_path, created["access_assignment"]["id"])
    # PATCH and DELETE succeed only with the current ETag in If-Match (the simulator refuses them without).
    assert graph_writes(sim) == [("POST", assignment_path, 201), ("PATCH", item, 202), ("DELETE", item, 204)]


def _graph_token(sim):
    answer = requests.post("%s/%s/oauth2/v2.0/token" % (sim.url, DEMO["partner_tenant_id"]), verify=sim.ca_path,
                           data={"grant_type": "client_credentials", "client_id": DEMO["client_id"],
                                 "client_secret": DEMO["client_secret"],
                                 "scope": "https://graph.microsoft.com/.default"}, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


def test_a_stale_etag_is_read_again_and_converges(sim, env):
    # The module's PATCH waits 3 s in the simulator; meanwhile someone else changes the assignment, so the
    # module's If-Match is stale. The other change uses the upper-case id, which the fault's path does not match.
    sim.set_faults({"rules": [{"fault": "slow", "delay_s": 3, "count": 1, "api": "graph", "method": "PATCH",
                               "path": "accessAssignments/%s$" % CONTOSO_ASSIGNMENT}]})
    token = _graph_token(sim)
    sim.clear_journal()
    results = []
    task = {ASSIGNMENT: {"relationship_id": CONTOSO_REL, "security_group_id": CONTOSO_GROUP,
                         "roles": ["User Administrator", "License Administrator"]}}
    runner = threading.Thread(target=lambda: results.append(run_tasks([task], env, diff=True)[0][0]))
    runner.start()
    list_path = "%s/%s/accessAssignments" % (RELATIONSHIPS, CONTOSO_REL)
    deadline = time.time() + 60
    while not [e for e in sim.journal() if e["method"] == "GET" and e["path"] == list_path]:
        assert time.time() < deadline and runner.is_alive(), "the module never read the assignments"
        time.sleep(0.05)
    other = requests.patch("%s%s/%s/accessAssignments/%s" % (sim.url, RELATIONSHIPS, CONTOSO_REL.upper(),
                                                            CONTOSO_ASSIGNMENT.upper()),
                           json={"accessDetails": {"unifiedRoles": [{"roleDefinitionId": DOMAIN_ADMIN}]}},
                           headers={"Authorization": "Bearer " + token, "If-Match": "*"}, verify=sim.ca_path,
                           timeout=30)
    assert other.status_code == 202, other.text
    runner.join(120)
    (result,) = results
    assert (result.get("changed"), result.get("action")) == (True, "updated"), result.get("msg")
    patches = [(entry["path"].endswith(CONTOSO_ASSIGNMENT), entry["status"]) for entry in sim.journal()
               if entry["method"] == "PATCH"]
    # The other change (upper-case path), the module's stale PATCH (412), its PATCH after one re-read.
    assert patches == [(False, 202), (True, 412), (True, 202)], patches
    # The diff starts from what the re-read found: the other change.
    assert result["diff"]["before"]["roles"] == ["Domain Name Administrator"]
    stored = relationships_in_state(sim)["Demo onboarding Contoso"]["access_assignments"][0]
    assert sorted(stored["roles"]) == sorted([USER_ADMIN, LICENSE_ADMIN])


def test_terminate_and_rerun(sim, env):
    terminate = {RELATIONSHIP: {"customer_id": FABRIKAM, "display_name": "Demo onboarding Fabrikam", "state": "absent"}}
    (predicted, terminated, again, reinvite), _ = run_tasks([
        dict(terminate, check_mode=True), terminate, terminate,
        {RELATIONSHIP: {"customer_id": FABRIKAM, "display_name": "Demo onboarding Fabrikam",
                        "roles": ONBOARDING_ROLES}},
    ], env)
    assert (predicted["action"], terminated["action"], again["action"]) == ("deleted", "deleted", "unchanged"), \
        terminated.get("msg")
    assert terminated["relationship"]["status"] == "terminated"
    assert reinvite.get("failed") and "choose another display_name" in reinvite["msg"]
    assert graph_writes(sim) == [("POST", "%s/%s/requests" % (RELATIONSHIPS, FABRIKAM_REL), 201)]
    assert relationships_in_state(sim)["Demo onboarding Fabrikam"]["status"] == "terminated"


def test_lost_answers_converge_without_a_second_post(sim, env):
    # Both writes are applied, but their answers are replaced by a gateway error: the module reads back.
    sim.set_faults({"rules": [{"fault": "applied_502", "count": 1, "api": "graph", "method": "POST",
                               "path": "delegatedAdminRelationships$"},
                              {"fault": "applied_502", "count": 1, "api": "graph", "method": "POST",
                               "path": "/requests$"}]})
    invite = {RELATIONSHIP: {"customer_id": NORTHWIND, "display_name": "Onboarding Northwind",
                             "roles": ["User Administrator"], "duration": "P90D"}}
    (created, again), _ = run_tasks([invite, invite], env)
    assert (created["action"], created["relationship"]["status"]) == ("created", "approvalPending"), created.get("msg")
    assert again["action"] == "unchanged"
    rel_id = created["relationship"]["id"]
    assert graph_writes(sim) == [("POST", RELATIONSHIPS, 502), ("POST", "%s/%s/requests" % (RELATIONSHIPS, rel_id), 502)]
    stored = relationships_in_state(sim)["Onboarding Northwind"]
    assert (stored["status"], stored["duration"]) == ("approvalPending", "P90D")


def test_a_relationship_left_unlocked_is_updated_and_locked(seeded, env):
    def change(seed):
        seed["partners"][0]["gdap_relationships"].append({
            "display_name": "Onboarding Northwind", "customer_id": NORTHWIND, "roles": [USER_ADMIN],
            "duration": "P30D", "status": "created"})
    sim = seeded(change)
    invite = {RELATIONSHIP: {"customer_id": NORTHWIND, "display_name": "Onboarding Northwind",
                             "roles": ["User Administrator", "License Administrator"]}}
    (predicted, locked, again), _ = run_tasks([dict(invite, check_mode=True), invite, invite], env, diff=True)
    assert (predicted["action"], locked["action"], again["action"]) == ("updated", "updated", "unchanged"), \
        locked.get("msg")
    assert locked["diff"]["before"]["status"] == "created" and locked["diff"]["after"]["status"] == "approvalPending"
    assert locked["diff"]["after"] == predicted["diff"]["after"]
    rel_id = locked["relationship"]["id"]
    assert graph_writes(sim) == [("PATCH", "%s/%s" % (RELATIONSHIPS, rel_id), 200),
                                 ("POST", "%s/%s/requests" % (RELATIONSHIPS, rel_id), 201)]
    stored = relationships_in_state(sim)["Onboarding Northwind"]
    assert (stored["status"], stored["duration"]) == ("approvalPending", "P730D")
    assert sorted(stored["roles"]) == sorted([USER_ADMIN, LICENSE_ADMIN])


def test_the_check_follows_expiry(sim, env):
    check = {INFO: {"customer_id": CONTOSO, "required_roles": ["User Administrator"], "min_days_left": 30}}
    sim.expire_relationship(CONTOSO_REL, days_left=10)
    # The check; the relationship expires (as sim.expire_relationship(CONTOSO_REL) would); the check again.
    (ending, expiry, expired), _ = run_tasks([
        check, sim_post(sim, "gdap/relationships/%s/expire" % CONTOSO_REL), check], env)
    # Ten days left, but the relationship extends itself by 180 days: still covered.
    assert ending["check"]["covered"] and ending["check"]["days_left"] in (9, 10), ending.get("msg")
    assert ending["check"]["auto_extends"] is True
    assert expiry["status"] == 200 and expiry["json"]["status"] == "expired", expiry.get("msg")
    assert not expired["check"]["covered"] and expired["check"]["status"] == "expired"
    assert expired["check"]["missing_roles"] == ["User Administrator"]
    assert "'Demo onboarding Contoso' is expired" in expired["check"]["msg"]
