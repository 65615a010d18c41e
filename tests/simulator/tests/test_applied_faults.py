"""applied_502/applied_504: the write is processed and committed, then a gateway error is answered instead."""

from __future__ import annotations

import pytest
from requests_oauthlib import OAuth1

from .support import APP_INSTANCE, APS_KEY, APS_SECRET, BYPASS_TYPE, CONTOSO, DOC_USER, new_request_id, users_of

USERS = f"/customers/{CONTOSO}/users"
EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"


def upns(sim) -> list[str]:
    return [user["user_principal_name"] for user in users_of(sim, CONTOSO)]


@pytest.mark.parametrize(("fault", "status"), [("applied_502", 502), ("applied_504", 504)])
def test_a_partner_center_write_is_committed_and_answered_with_a_gateway_error(sim, pc, user_token, fault, status):
    config = sim.set_faults({"rules": [{"fault": fault, "count": 1, "api": "pc", "method": "POST", "path": "/users$"}]})
    assert config["rules"][0]["fault"] == fault
    assert sim.journal(clear=True)
    request_id = new_request_id()
    answer = pc("POST", USERS, user_token, headers=request_id, json=DOC_USER)
    assert answer.status_code == status and answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["MS-RequestId"] == request_id["MS-RequestId"]
    assert upns(sim).count(DOC_USER["userPrincipalName"]) == 1  # applied
    entry = sim.journal()[-1]
    assert (entry["fault"], entry["status"], entry["applied_status"]) == (fault, status, 201)
    assert sim.counters()["faults"] == {fault: 1}
    # the retry with the same MS-RequestId gets the answer that was hidden; nothing is written twice
    retry = pc("POST", USERS, user_token, headers=request_id, json=DOC_USER)
    assert retry.status_code == 201 and retry.json()["userPrincipalName"] == DOC_USER["userPrincipalName"]
    assert upns(sim).count(DOC_USER["userPrincipalName"]) == 1
    # a retry with a new request id is a second create, refused because the user now exists
    assert pc("POST", USERS, user_token, headers=new_request_id(), json=DOC_USER).status_code == 409


def test_a_refused_write_under_an_applied_fault_still_changes_nothing(sim, pc, user_token):
    sim.set_faults({"rules": [{"fault": "applied_502", "count": 1, "method": "POST"}]})
    body = {**DOC_USER, "userPrincipalName": "x@not-a-domain-of-contoso.example.com"}
    before = users_of(sim, CONTOSO)
    assert pc("POST", USERS, user_token, json=body).status_code == 502
    assert users_of(sim, CONTOSO) == before
    assert sim.journal()[-1]["applied_status"] == 400


def test_a_license_update_is_applied_once(sim, pc, user_token):
    uid = next(u["id"] for u in users_of(sim, CONTOSO) if u["user_principal_name"].startswith("admin@"))
    sim.set_faults({"rules": [{"fault": "applied_504", "count": 1, "path": "/licenseupdates$"}]})
    body = {"LicensesToAssign": [{"SkuId": EMS}]}
    path = f"/customers/{CONTOSO}/users/{uid}/licenseupdates"
    assert pc("POST", path, user_token, json=body).status_code == 504
    skus = pc("GET", f"/customers/{CONTOSO}/subscribedskus", user_token).json()["items"]
    assert next(s for s in skus if s["productSku"]["id"] == EMS)["consumedUnits"] == 1


def test_an_aps_bypass_is_created_and_answered_with_a_gateway_error(sim, http):
    sim.set_faults({"rules": [{"fault": "applied_504", "count": 1, "api": "aps", "method": "POST"}]})
    answer = http.post(
        f"{sim.url}/aps/2/resources/{APP_INSTANCE}/bypass_ownership_validation",
        json={"account_id": 1000001, "ms_tenant_id": CONTOSO},
        auth=OAuth1(APS_KEY, client_secret=APS_SECRET),
    )
    assert answer.status_code == 504 and answer.headers["Content-Type"].startswith("text/html")
    assert sim.state()["aps"]["bypasses"] == [
        {"aps_id": sim.state()["aps"]["bypasses"][0]["aps_id"], "ms_tenant_id": CONTOSO, "account_id": 1000001}
    ]
    listed = http.get(
        f"{sim.url}/aps/2/resources?implementing({BYPASS_TYPE})", auth=OAuth1(APS_KEY, client_secret=APS_SECRET)
    )
    assert len(listed.json()) == 1
    entry = [e for e in sim.journal() if e["api"] == "aps"][0]
    assert (entry["fault"], entry["status"], entry["applied_status"]) == ("applied_504", 504, 200)


def test_reads_under_an_applied_fault_just_fail(sim, pc, app_token):
    sim.set_faults({"rules": [{"fault": "applied_502", "count": 1, "method": "GET"}]})
    assert pc("GET", "/customers", app_token).status_code == 502
    assert pc("GET", "/customers", app_token).status_code == 200


def test_an_unknown_fault_name_is_refused_by_the_admin_api(sim):
    with pytest.raises(Exception, match="422"):
        sim.set_faults({"rules": [{"fault": "applied_500"}]})
