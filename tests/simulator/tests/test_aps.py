"""APS: OAuth 1.0a over RQL URLs, Allowed Operations, RQL paging, and the bypass custom operation."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from requests_oauthlib import OAuth1

from .support import (
    ACCOUNT_TYPE,
    APP_INSTANCE,
    APS_KEY,
    APS_READONLY_KEY,
    APS_READONLY_SECRET,
    APS_SECRET,
    APS_TOKEN,
    BYPASS_TYPE,
)

OFFICE365_APP = "http://www.parallels.com/Office365/Office365app/1.16"
MS_TENANT = "c0000002-0000-4000-8000-000000000002"
TRICKY_NAME = """O'Brien "Quoted" (Holdings), Smith & Sons = 100% [x]; #1!"""


def signed(key: str = APS_KEY, secret: str = APS_SECRET) -> OAuth1:
    return OAuth1(key, client_secret=secret)


@pytest.fixture
def aps(http, sim):
    """``aps(method, path_and_query, auth=signed(), **kwargs)`` against /aps/2."""

    def call(method: str, path: str, auth=None, **kwargs) -> requests.Response:
        return http.request(
            method, f"{sim.url}/aps/2{path}", auth=auth if auth is not None else signed(), timeout=30, **kwargs
        )

    return call


def add_accounts(sim, accounts: list[dict]) -> None:
    seed = sim.state()
    seed["aps"]["accounts"] += accounts
    sim.reset(seed)


def bypass(aps, account_id: int = 1000002, ms_tenant_id: str = MS_TENANT, auth=None) -> requests.Response:
    body = {"account_id": account_id, "ms_tenant_id": ms_tenant_id}
    return aps("POST", f"/resources/{APP_INSTANCE}/bypass_ownership_validation", auth=auth, json=body)


# --- authentication ------------------------------------------------------------------------------


def test_an_rql_query_passes_oauth1_and_finds_the_account(aps):
    answer = aps("GET", f"/resources?implementing({ACCOUNT_TYPE}),eq(id,1000001),limit(0,10)")
    assert answer.status_code == 200, answer.text
    assert [r["aps"]["id"] for r in answer.json()] == ["a0000001-0000-4000-8000-000000000001"]
    assert answer.headers["Content-Range"] == "items 0-0/1"
    assert answer.headers["X-APSBooster-Response"] == "true"


def test_the_briefs_example_query_passes_oauth1(aps):
    answer = aps("GET", "/resources?implementing(http://x/y/1.0),eq(ms_tenant_id,abc),limit(0,10)")
    assert (answer.status_code, answer.json(), answer.headers["Content-Range"]) == (200, [], "items */0")


def test_percent_escaped_rql_values_pass_oauth1_and_match(sim, aps):
    add_accounts(sim, [{"id": 1000009, "aps_id": "a0000009-0000-4000-8000-000000000009", "name": TRICKY_NAME}])
    query = f"implementing({ACCOUNT_TYPE}),eq(companyName,{quote(TRICKY_NAME, safe='')}),limit(0,10)"
    answer = aps("GET", f"/resources?{query}")
    assert answer.status_code == 200, answer.text
    assert [r["id"] for r in answer.json()] == [1000009]
    nested = aps("GET", f"/resources/?and(implementing({ACCOUNT_TYPE}),eq(companyName,{quote(TRICKY_NAME, safe='')}))")
    assert [r["id"] for r in nested.json()] == [1000009]


@pytest.mark.parametrize(
    "auth",
    [signed(secret="wrong-secret"), signed(key="unknown-key"), signed(APS_KEY, APS_READONLY_SECRET)],
    ids=["bad signature", "unknown key", "another consumer's secret"],
)
def test_bad_oauth1_signatures_are_refused(aps, auth):
    answer = aps("GET", f"/resources?implementing({ACCOUNT_TYPE})", auth=auth)
    assert answer.status_code == 403
    assert answer.json() == {
        "code": 403,
        "error": "APS::Util::AuthenticationFailed",
        "message": "Authentication Failed",
    }


def test_no_credentials_are_refused(http, sim):
    assert http.get(f"{sim.url}/aps/2/resources").status_code == 403


def test_a_signature_for_another_url_is_refused(http, sim):
    prepared = requests.Request("GET", f"{sim.url}/aps/2/resources?eq(id,1000001)", auth=signed()).prepare()
    prepared.url = f"{sim.url}/aps/2/resources?eq(id,1000002)"
    assert http.send(prepared).status_code == 403


def test_a_replayed_signed_request_is_refused(http, sim):
    prepared = requests.Request("GET", f"{sim.url}/aps/2/resources?eq(id,1000001)", auth=signed()).prepare()
    assert http.send(prepared).status_code == 200
    assert http.send(prepared).status_code == 403  # same nonce and timestamp


def test_aps_token_authenticates(aps):
    def token(value: str) -> callable:
        def add_header(request):
            request.headers["APS-Token"] = value
            return request

        return add_header

    assert aps("GET", f"/resources/{APP_INSTANCE}", auth=token(APS_TOKEN)).status_code == 200
    assert aps("GET", f"/resources/{APP_INSTANCE}", auth=token("not-a-token")).status_code == 403


# --- RQL and paging ---------------------------------------------------------------------------------


def test_content_range_paging_is_capped_by_the_server(sim, aps):
    add_accounts(sim, [{"id": 2000000 + n, "aps_id": f"b{n:07d}-0000-4000-8000-000000000000"} for n in range(22)])
    sim.settings({"aps_max_page_size": 10})
    seen, start = [], 0
    while True:
        answer = aps("GET", f"/resources?implementing({ACCOUNT_TYPE}),limit({start},100)")
        page = answer.json()
        if not page:
            break
        first, last_total = answer.headers["Content-Range"].removeprefix("items ").split("-")
        last, total = last_total.split("/")
        assert (int(first), int(last), int(total)) == (start, start + len(page) - 1, 25)
        assert answer.status_code == 206 and len(page) <= 10
        seen += [r["id"] for r in page]
        start += len(page)
    assert len(seen) == 25 == len(set(seen))
    assert answer.headers["Content-Range"] == "items */25"


def test_whole_and_empty_results(aps):
    whole = aps("GET", f"/resources?implementing({ACCOUNT_TYPE})")
    assert (whole.status_code, whole.headers["Content-Range"], len(whole.json())) == (200, "items 0-2/3", 3)
    empty = aps("GET", f"/resources?implementing({BYPASS_TYPE})")
    assert (empty.status_code, empty.headers["Content-Range"], empty.json()) == (200, "items */0", [])


def test_implementing_matches_a_compatible_older_minor_version(aps):
    answer = aps("GET", "/resources?implementing(http://www.parallels.com/Office365/Office365app/1.0)")
    assert [r["aps"]["id"] for r in answer.json()] == [APP_INSTANCE]
    assert aps("GET", "/resources?implementing(http://www.parallels.com/Office365/Office365app/2.0)").json() == []


def test_a_malformed_query_is_400(aps):
    answer = aps("GET", "/resources?implementing(x,eq(id,1)")
    assert answer.status_code == 400 and answer.json()["code"] == 400
    assert aps("GET", "/resources?frobnicate(id,1)").status_code == 400


def test_get_and_delete_one_resource(aps):
    assert aps("GET", f"/resources/{APP_INSTANCE}").json()["aps"]["type"] == OFFICE365_APP
    missing = aps("GET", "/resources/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and {"code", "error", "message"} <= missing.json().keys()
    created = bypass(aps).json()
    assert aps("DELETE", f"/resources/{created['aps']['id']}").status_code == 204
    assert aps("GET", f"/resources/{created['aps']['id']}").status_code == 404


# --- bypass ownership validation ---------------------------------------------------------------------


def test_bypass_creates_a_resource_linked_to_the_account(sim, aps):
    answer = bypass(aps)
    assert answer.status_code == 200
    resource = answer.json()
    assert resource["aps"]["type"] == BYPASS_TYPE and resource["aps"]["status"] == "aps:ready"
    assert resource["ms_tenant_id"] == MS_TENANT
    account_aps_id = "a0000002-0000-4000-8000-000000000002"
    assert resource["account"] == {
        "aps": {"link": "strong", "href": f"/aps/2/resources/{account_aps_id}", "id": account_aps_id}
    }
    lookups = [
        f"implementing({BYPASS_TYPE}),eq(ms_tenant_id,{MS_TENANT}),select(account)",
        f"implementing({BYPASS_TYPE}),linkedWith({account_aps_id})",
        f"implementing({BYPASS_TYPE}),eq(account.aps.id,{account_aps_id})",
    ]
    for query in lookups:
        assert [r["aps"]["id"] for r in aps("GET", f"/resources?{query}").json()] == [resource["aps"]["id"]], query
    assert sim.state()["aps"]["bypasses"] == [
        {"aps_id": resource["aps"]["id"], "ms_tenant_id": MS_TENANT, "account_id": 1000002}
    ]


def test_a_repeated_bypass_creates_a_second_resource(sim, aps):
    bypass(aps)
    bypass(aps)
    assert len(sim.state()["aps"]["bypasses"]) == 2


@pytest.mark.parametrize("status", [201, 204])
def test_bypass_status_setting(sim, aps, status):
    sim.settings({"bypass_status": status})
    answer = bypass(aps)
    assert answer.status_code == status
    assert (answer.content == b"") == (status == 204)


def test_allowed_operations_are_enforced_on_the_custom_operation_only(sim, aps):
    readonly = signed(APS_READONLY_KEY, APS_READONLY_SECRET)
    refused = bypass(aps, auth=readonly)
    assert refused.status_code == 403
    assert refused.json()["error"] == "APS::Util::AccessViolation" and "permission denied" in refused.json()["message"]
    assert sim.state()["aps"]["bypasses"] == []
    # CRUD is not restricted
    assert aps("GET", f"/resources?implementing({ACCOUNT_TYPE})", auth=readonly).status_code == 200
    created = bypass(aps).json()
    assert aps("DELETE", f"/resources/{created['aps']['id']}", auth=readonly).status_code == 204


def test_bypass_errors(aps):
    unknown_app = aps(
        "POST",
        "/resources/00000000-0000-4000-8000-000000000000/bypass_ownership_validation",
        json={"account_id": 1000001, "ms_tenant_id": MS_TENANT},
    )
    assert unknown_app.status_code == 404
    assert bypass(aps, account_id=4242).status_code == 400
    assert bypass(aps, ms_tenant_id="not-a-guid").status_code == 400
    not_an_app = aps(
        "POST",
        "/resources/a0000001-0000-4000-8000-000000000001/bypass_ownership_validation",
        json={"account_id": 1000001, "ms_tenant_id": MS_TENANT},
    )
    assert not_an_app.status_code == 404


def test_an_unknown_application_instance_is_404_and_nothing_is_created(sim, aps):
    unknown = "00000000-0000-4000-8000-0000000000ff"
    answer = aps("GET", f"/resources/{unknown}")
    assert (answer.status_code, answer.json()["code"], answer.json()["error"]) == (404, 404, "APS::Util::NotFound")
    posted = aps(
        "POST",
        f"/resources/{unknown}/bypass_ownership_validation",
        json={"account_id": 1000001, "ms_tenant_id": MS_TENANT},
    )
    assert posted.status_code == 404 and posted.json()["error"] == "APS::Util::NotFound"
    assert sim.state()["aps"]["bypasses"] == []
