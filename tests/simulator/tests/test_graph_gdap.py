"""Microsoft Graph GDAP: relationships, requests, access assignments, paging, ETags, errors, throttling."""

from __future__ import annotations

import datetime
from typing import Any, Callable

import pytest
import requests

from .support import CLIENT_SECRET, CONTOSO, FABRIKAM, NORTHWIND, PARTNER, REFRESH_TOKEN, token_request

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMIN = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
PRIVILEGED_ROLE_ADMIN = "e8611ab8-c189-46e8-94e1-60213ab1f814"
DOMAIN_NAME_ADMIN = "8329153b-31d0-4727-b945-745eb3bc5f31"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
CONTOSO_RELATIONSHIP = "9a9d0001-0000-4000-8000-000000000001-c0000001-0000-4000-8000-000000000001"
CONTOSO_ASSIGNMENT = "9a9d00a1-0000-4000-8000-000000000001"
GROUP = "5ec00002-0000-4000-8000-000000000002"
RELATIONSHIPS = "/tenantRelationships/delegatedAdminRelationships"


@pytest.fixture
def graph_user_token(http, sim) -> str:
    answer = token_request(
        http, sim, grant_type="refresh_token", client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN,
        scope=f"{GRAPH_SCOPE} offline_access openid profile",
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture
def graph(http, sim, graph_user_token) -> Callable[..., requests.Response]:
    """``graph(method, path, token=None, headers=None, **kwargs)`` against /v1.0 (default: the App+User token)."""

    def call(method: str, path: str, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any):
        all_headers = {"Authorization": f"Bearer {token or graph_user_token}", **(headers or {})}
        url = path if path.startswith("https://") else f"{sim.url}/v1.0{path}"
        return http.request(method, url, headers=all_headers, timeout=30, **kwargs)

    return call


def days_from_now(days: float) -> str:
    """An ISO 8601 UTC time, comparable as text with Graph's dateTimes."""
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def new_relationship(**changes: Any) -> dict[str, Any]:
    body = {
        "displayName": "Onboarding Northwind",
        "duration": "P730D",
        "customer": {"tenantId": NORTHWIND},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}, {"roleDefinitionId": LICENSE_ADMIN}]},
        "autoExtendDuration": "P180D",
    }
    body.update(changes)
    return body


def assert_graph_error(answer: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert {"code", "message", "innerError"} <= error.keys()
    assert error["innerError"]["request-id"] == answer.headers["request-id"]
    assert {"date", "client-request-id"} <= error["innerError"].keys()
    if code:
        assert error["code"] == code
    return error


def all_pages(graph, path: str) -> tuple[list[dict[str, Any]], int]:
    items, pages, url = [], 0, path
    while url:
        answer = graph("GET", url)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["value"]
        pages += 1
        url = body.get("@odata.nextLink")
    return items, pages


def test_seeded_relationships_page_with_next_links(sim, graph):
    items, pages = all_pages(graph, RELATIONSHIPS)
    assert pages == 2  # three seeded relationships, graph_max_page_size 2
    by_name = {item["displayName"]: item for item in items}
    assert by_name["Demo onboarding Contoso"]["status"] == "active"
    assert by_name["Demo onboarding Contoso"]["customer"]["tenantId"] == CONTOSO
    assert {r["roleDefinitionId"] for r in by_name["Demo onboarding Fabrikam"]["accessDetails"]["unifiedRoles"]} == {
        USER_ADMIN, LICENSE_ADMIN, PRIVILEGED_ROLE_ADMIN, DOMAIN_NAME_ADMIN,
    }  # fmt: skip
    assert by_name["Demo expired Filler 04"]["status"] == "expired"
    contoso = by_name["Demo onboarding Contoso"]
    assert contoso["endDateTime"] > days_from_now(729) and contoso["@odata.etag"].startswith('W/"')


def test_filter_on_status_and_customer_and_top(sim, graph):
    active = graph("GET", RELATIONSHIPS, params={"$filter": "status eq 'active'", "$top": "300"}).json()
    assert sorted(item["customer"]["tenantId"] for item in active["value"]) == [CONTOSO, FABRIKAM]
    one = graph(
        "GET",
        RELATIONSHIPS,
        params={"$filter": f"customer/tenantId eq '{FABRIKAM}' and status in ('active', 'expiring')"},
    ).json()
    assert [item["displayName"] for item in one["value"]] == ["Demo onboarding Fabrikam"]
    assert graph("GET", RELATIONSHIPS, params={"$top": "1"}).json()["value"].__len__() == 1
    assert_graph_error(graph("GET", RELATIONSHIPS, params={"$top": "301"}), 400, "BadRequest")
    assert_graph_error(graph("GET", RELATIONSHIPS, params={"$filter": "status gt 'a'"}), 400, "BadRequest")
    assert_graph_error(graph("GET", RELATIONSHIPS, params={"$filter": "nosuch eq 'a'"}), 400, "BadRequest")


def test_next_link_keeps_the_filter(sim, graph):
    for number in range(3):
        created = graph("POST", RELATIONSHIPS, json=new_relationship(displayName=f"Northwind {number}"))
        assert created.status_code == 201, created.text
    items, pages = all_pages(graph, f"{RELATIONSHIPS}?$filter=status eq 'created'")
    assert pages == 2 and [item["displayName"] for item in items] == ["Northwind 0", "Northwind 1", "Northwind 2"]


def test_create_lock_and_approve(sim, graph):
    created = graph("POST", RELATIONSHIPS, json=new_relationship())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "created" and body["activatedDateTime"] is None and body["endDateTime"] is None
    assert created.headers["ETag"] == body["@odata.etag"]
    assert created.headers["Location"].endswith(f"{RELATIONSHIPS}/{body['id']}")
    lock = graph("POST", f"{RELATIONSHIPS}/{body['id']}/requests", json={"action": "lockForApproval"})
    assert lock.status_code == 201 and lock.json()["action"] == "lockForApproval"
    assert graph("GET", f"{RELATIONSHIPS}/{body['id']}").json()["status"] == "approvalPending"
    again = graph("POST", f"{RELATIONSHIPS}/{body['id']}/requests", json={"action": "lockForApproval"})
    assert_graph_error(again, 400, "badRequest")
    approved = sim.approve_relationship(body["id"])
    assert approved["status"] == "active" and approved["activatedDateTime"] and approved["endDateTime"]
    assert approved["customer"]["displayName"] == "Northwind Demo Traders"
    state = sim.state()["partners"][0]["gdap_relationships"]
    assert next(r for r in state if r["id"] == body["id"])["status"] == "active"


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"displayName": "x" * 51}, "50 characters"),
        ({"displayName": "Demo onboarding Contoso"}, "already exists"),
        ({"displayName": "demo ONBOARDING contoso"}, "already exists"),
        ({"duration": "P731D"}, "P1D to P2Y"),
        ({"duration": "PT12H"}, "P1D to P2Y"),
        ({"duration": "two years"}, "P1D to P2Y"),
        ({"autoExtendDuration": "P90D"}, "PT0S"),
        ({"accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMIN}]}}, "Global Administrator"),
        ({"accessDetails": {"unifiedRoles": []}}, "at least one role"),
        ({"accessDetails": {"unifiedRoles": [{"roleDefinitionId": "User Administrator"}]}}, "GUID"),
        ({"customer": {"tenantId": "00000000-0000-4000-8000-00000000dead"}}, "not a customer"),
    ],
)
def test_invalid_relationships_are_refused_without_a_write(sim, graph, changes, fragment):
    before = sim.state()["partners"][0]["gdap_relationships"]
    error = assert_graph_error(graph("POST", RELATIONSHIPS, json=new_relationship(**changes)), 400, "badRequest")
    assert fragment in error["message"]
    assert sim.state()["partners"][0]["gdap_relationships"] == before


def test_global_administrator_without_auto_extend_and_p2y(sim, graph):
    body = new_relationship(
        displayName="GA two years", duration="P2Y", autoExtendDuration="PT0S",
        accessDetails={"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMIN}]},
    )  # fmt: skip
    assert graph("POST", RELATIONSHIPS, json=body).status_code == 201


def test_unknown_and_read_only_properties_are_refused(sim, graph):
    assert_graph_error(graph("POST", RELATIONSHIPS, json=new_relationship(status="active")), 400, "BadRequest")
    assert_graph_error(graph("POST", RELATIONSHIPS, data="not json", headers={"Content-Type": "application/json"}), 400)


def test_patch_and_delete_need_the_current_etag(sim, graph):
    created = graph("POST", RELATIONSHIPS, json=new_relationship()).json()
    path = f"{RELATIONSHIPS}/{created['id']}"
    assert_graph_error(graph("PATCH", path, json={"duration": "P30D"}), 400, "badRequest")  # no If-Match
    renamed = graph("PATCH", path, json={"displayName": "Renamed"}, headers={"If-Match": created["@odata.etag"]})
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Renamed"
    assert renamed.json()["@odata.etag"] != created["@odata.etag"]
    stale = graph("PATCH", path, json={"duration": "P30D"}, headers={"If-Match": created["@odata.etag"]})
    assert_graph_error(stale, 412, "preconditionFailed")
    assert_graph_error(graph("DELETE", path, headers={"If-Match": created["@odata.etag"]}), 412)
    current = graph("GET", path)
    assert current.headers["ETag"] == renamed.json()["@odata.etag"]
    assert graph("DELETE", path, headers={"If-Match": current.headers["ETag"]}).status_code == 204
    assert_graph_error(graph("GET", path), 404, "notFound")


def test_an_active_relationship_changes_only_its_auto_extension_and_is_not_deleted(sim, graph):
    path = f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}"
    etag = graph("GET", path).headers["ETag"]
    assert_graph_error(graph("PATCH", path, json={"duration": "P30D"}, headers={"If-Match": etag}), 400)
    changed = graph("PATCH", path, json={"autoExtendDuration": "PT0S"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json()["autoExtendDuration"] == "PT0S"
    assert_graph_error(graph("DELETE", path, headers={"If-Match": changed.headers["ETag"]}), 400, "badRequest")


def test_terminate_an_active_relationship(sim, graph):
    answer = graph("POST", f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}/requests", json={"action": "terminate"})
    assert answer.status_code == 201
    assert graph("GET", f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}").json()["status"] == "terminated"
    assert graph("GET", f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}/requests").json()["value"][0]["status"] == "succeeded"
    assert_graph_error(
        graph("POST", f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}/requests", json={"action": "approve"}), 400
    )


def test_expiry_and_end_date_admin_calls(sim, graph):
    moved = sim.expire_relationship(CONTOSO_RELATIONSHIP, days_left=10)
    assert moved["status"] == "active" and days_from_now(9) < moved["endDateTime"] < days_from_now(11)
    assert sim.expire_relationship(FABRIKAM_RELATIONSHIP)["status"] == "expired"
    active = graph("GET", RELATIONSHIPS, params={"$filter": "status eq 'active'"}).json()["value"]
    assert [item["id"] for item in active] == [CONTOSO_RELATIONSHIP]


FABRIKAM_RELATIONSHIP = "9a9d0002-0000-4000-8000-000000000002-c0000002-0000-4000-8000-000000000002"


def test_access_assignments_lifecycle(sim, graph):
    base = f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}/accessAssignments"
    seeded = graph("GET", base).json()["value"]
    assert [(a["id"], a["status"]) for a in seeded] == [(CONTOSO_ASSIGNMENT, "active")]
    body = {
        "accessContainer": {"accessContainerId": GROUP, "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]},
    }
    created = graph("POST", base, json=body)
    assert created.status_code == 201 and created.json()["status"] == "pending"
    assignment = created.json()
    path = f"{base}/{assignment['id']}"
    assert graph("GET", path).json()["status"] == "active"
    assert_graph_error(graph("POST", base, json=body), 400, "badRequest")  # one per group
    same = graph(
        "PATCH", path, json={"accessDetails": body["accessDetails"]}, headers={"If-Match": assignment["@odata.etag"]}
    )
    assert same.status_code == 200 and same.json()["id"] == assignment["id"]
    roles = {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}, {"roleDefinitionId": LICENSE_ADMIN}]}
    changed = graph("PATCH", path, json={"accessDetails": roles}, headers={"If-Match": assignment["@odata.etag"]})
    assert changed.status_code == 202 and "/operations/" in changed.headers["Location"]
    assert graph("GET", changed.headers["Location"]).json()["status"] == "succeeded"
    stale = graph(
        "PATCH", path, json={"accessDetails": body["accessDetails"]}, headers={"If-Match": assignment["@odata.etag"]}
    )
    assert_graph_error(stale, 412, "preconditionFailed")
    current = graph("GET", path)
    assert {r["roleDefinitionId"] for r in current.json()["accessDetails"]["unifiedRoles"]} == {
        USER_ADMIN,
        LICENSE_ADMIN,
    }
    assert graph("DELETE", path, headers={"If-Match": current.headers["ETag"]}).status_code == 204
    assert [a["id"] for a in graph("GET", base).json()["value"]] == [CONTOSO_ASSIGNMENT]


def test_access_assignment_roles_must_be_the_relationships(sim, graph):
    body = {
        "accessContainer": {"accessContainerId": GROUP, "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMIN}]},
    }
    base = f"{RELATIONSHIPS}/{CONTOSO_RELATIONSHIP}/accessAssignments"
    assert "not part of" in assert_graph_error(graph("POST", base, json=body), 400, "badRequest")["message"]
    body["accessDetails"]["unifiedRoles"] = [{"roleDefinitionId": USER_ADMIN}]
    body["accessContainer"]["accessContainerType"] = "user"
    assert_graph_error(graph("POST", base, json=body), 400, "badRequest")
    created = graph("POST", RELATIONSHIPS, json=new_relationship()).json()  # not active yet
    body["accessContainer"]["accessContainerType"] = "securityGroup"
    assert_graph_error(graph("POST", f"{RELATIONSHIPS}/{created['id']}/accessAssignments", json=body), 400)


def test_pending_reads_setting(sim, graph):
    sim.settings({"graph_access_assignment_pending_reads": 2})
    base = f"{RELATIONSHIPS}/{FABRIKAM_RELATIONSHIP}/accessAssignments"
    body = {
        "accessContainer": {"accessContainerId": GROUP, "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]},
    }
    path = f"{base}/{graph('POST', base, json=body).json()['id']}"
    assert [graph("GET", path).json()["status"] for _ in range(3)] == ["pending", "pending", "active"]


def test_tokens_for_other_audiences_and_tenants_are_refused(sim, http, graph, user_token):
    assert_graph_error(graph("GET", RELATIONSHIPS, token=user_token), 401, "InvalidAuthenticationToken")
    assert_graph_error(graph("GET", RELATIONSHIPS, token="not-a-token"), 401, "InvalidAuthenticationToken")
    missing = http.get(f"{sim.url}/v1.0{RELATIONSHIPS}")
    assert_graph_error(missing, 401, "InvalidAuthenticationToken")
    assert "WWW-Authenticate" in missing.headers
    customer_token = http.post(
        f"{sim.url}/{CONTOSO}/oauth2/v2.0/token",
        data={"client_id": "7d5c9a10-0000-4000-8000-0000000000a1", "client_secret": CLIENT_SECRET,
              "grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "scope": GRAPH_SCOPE},
    ).json()["access_token"]  # fmt: skip
    assert_graph_error(graph("GET", RELATIONSHIPS, token=customer_token), 403, "Authorization_RequestDenied")
    sim.expire_tokens()
    assert "expired" in assert_graph_error(graph("GET", RELATIONSHIPS), 401)["message"]


def test_app_only_graph_token_reads_relationships(sim, http, graph):
    answer = token_request(http, sim, grant_type="client_credentials", client_secret=CLIENT_SECRET, scope=GRAPH_SCOPE)
    assert graph("GET", RELATIONSHIPS, token=answer.json()["access_token"]).status_code == 200


def test_request_ids_and_journal(sim, graph):
    answer = graph("GET", RELATIONSHIPS, headers={"client-request-id": "my-correlation"})
    assert answer.headers["client-request-id"] == "my-correlation" and answer.headers["request-id"]
    entry = [e for e in sim.journal() if e["api"] == "graph"][-1]
    assert (entry["method"], entry["path"], entry["status"], entry["partner"]) == (
        "GET",
        "/v1.0" + RELATIONSHIPS,
        200,
        PARTNER,
    )
    assert entry["request_id"] == answer.headers["request-id"] and entry["correlation_id"] == "my-correlation"
    assert_graph_error(graph("GET", "/tenantRelationships/nosuch"), 400, "BadRequest")


def test_throttling_and_server_faults(sim, graph):
    sim.set_faults({"rules": [{"fault": "429", "api": "graph", "count": 1, "retry_after": 7}]})
    throttled = graph("GET", RELATIONSHIPS)
    assert throttled.headers["Retry-After"] == "7"
    assert_graph_error(throttled, 429, "TooManyRequests")
    assert graph("GET", RELATIONSHIPS).status_code == 200
    sim.set_faults({"rules": [{"fault": "503", "api": "graph", "count": 1}]})
    assert_graph_error(graph("GET", RELATIONSHIPS), 503, "ServiceUnavailable")
    sim.set_faults({"rate_limit_rpm": 2})
    statuses = [graph("GET", RELATIONSHIPS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert sim.counters()["faults"] == {"429": 1, "503": 1, "rate_limit": 1}


def test_lost_response_on_create_is_committed(sim, graph):
    sim.set_faults({"rules": [{"fault": "lost_response", "api": "graph", "method": "POST", "count": 1}]})
    with pytest.raises(requests.ConnectionError):
        graph("POST", RELATIONSHIPS, json=new_relationship())
    names = [r["display_name"] for r in sim.state()["partners"][0]["gdap_relationships"]]
    assert "Onboarding Northwind" in names
    assert_graph_error(graph("POST", RELATIONSHIPS, json=new_relationship()), 400, "badRequest")  # a blind retry


def test_state_round_trip_keeps_relationships(sim, http, graph):
    created = graph("POST", RELATIONSHIPS, json=new_relationship()).json()
    saved = sim.state()
    sim.reset(saved)  # access tokens are forgotten too
    token = token_request(
        http,
        sim,
        grant_type="refresh_token",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        scope=GRAPH_SCOPE,
    ).json()["access_token"]
    again = graph("GET", f"{RELATIONSHIPS}/{created['id']}", token=token)
    assert again.status_code == 200 and again.json()["displayName"] == "Onboarding Northwind"


def test_a_customer_created_in_partner_center_gets_an_approved_default_relationship(sim, graph, pc, app_token):
    from .test_customers import new_customer_body

    created = pc("POST", "/customers", app_token, json=new_customer_body("gdapdefault"))
    assert created.status_code == 201, created.text
    customer_id = created.json()["id"]
    found = graph("GET", RELATIONSHIPS, params={"$filter": f"customer/tenantId eq '{customer_id}'"}).json()["value"]
    assert [(r["displayName"], r["status"]) for r in found] == [("Default_gdapdefault", "active")]
    roles = {r["roleDefinitionId"] for r in found[0]["accessDetails"]["unifiedRoles"]}
    assert {USER_ADMIN, LICENSE_ADMIN, PRIVILEGED_ROLE_ADMIN} <= roles and GLOBAL_ADMIN not in roles
    assert found[0]["endDateTime"] > days_from_now(729)


def test_partner_center_gdap_enforcement_setting(sim, pc, user_token, app_token):
    assert pc("GET", f"/customers/{NORTHWIND}/users", user_token).status_code == 200  # off by default
    sim.settings({"gdap_enforce_partner_center": True})
    refused = pc("GET", f"/customers/{NORTHWIND}/users", user_token)
    assert (refused.status_code, refused.json()["code"]) == (403, 2032)
    assert pc("GET", f"/customers/{CONTOSO}/users", user_token).status_code == 200  # seeded relationship
    assert pc("GET", f"/customers/{NORTHWIND}", app_token).status_code == 200  # app-only is not GDAP
    sim.expire_relationship(CONTOSO_RELATIONSHIP)
    assert pc("GET", f"/customers/{CONTOSO}/users", user_token).status_code == 403


def test_count_and_select_carry_over_to_the_next_page(sim, graph):
    first = graph("GET", RELATIONSHIPS, params={"$count": "true", "$select": "displayName,status"}).json()
    assert first["@odata.count"] == 3
    assert set(first["value"][0]) == {"@odata.type", "@odata.etag", "id", "displayName", "status"}
    second = graph("GET", first["@odata.nextLink"]).json()
    assert second["@odata.count"] == 3 and set(second["value"][0]) == set(first["value"][0])
    assert "@odata.nextLink" not in second
    assert_graph_error(graph("GET", RELATIONSHIPS, params={"$orderby": "status"}), 400, "BadRequest")
    assert_graph_error(graph("GET", RELATIONSHIPS, params={"$skiptoken": "garbage!"}), 400, "BadRequest")


def test_an_invitation_expires_after_90_days(sim, http):
    seed = sim.state()
    seed["partners"][0]["gdap_relationships"].append(
        {"display_name": "Old invitation", "customer_id": NORTHWIND, "roles": [USER_ADMIN],
         "status": "approvalPending", "created_date_time": days_from_now(-91) + "Z"}
    )  # fmt: skip
    seed["partners"][0]["gdap_relationships"].append(
        {"display_name": "Recent invitation", "customer_id": NORTHWIND, "roles": [USER_ADMIN],
         "status": "approvalPending", "created_date_time": days_from_now(-89) + "Z"}
    )  # fmt: skip
    sim.reset(seed)
    token = token_request(
        http, sim, grant_type="refresh_token", client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN, scope=GRAPH_SCOPE
    ).json()["access_token"]
    answer = http.get(
        f"{sim.url}/v1.0{RELATIONSHIPS}",
        params={"$filter": f"customer/tenantId eq '{NORTHWIND}'"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert {r["displayName"]: r["status"] for r in answer.json()["value"]} == {
        "Old invitation": "expired",
        "Recent invitation": "approvalPending",
    }
