"""Each fault does what it says, and the journal tells which request got which fault."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import requests
from requests_oauthlib import OAuth1

from simulator import control

from .support import ACCOUNT_TYPE, APS_KEY, APS_SECRET, CONTOSO, DOC_USER, new_request_id, users_of

USERS = f"/customers/{CONTOSO}/users"


def upns(sim) -> list[str]:
    return [user["user_principal_name"] for user in users_of(sim, CONTOSO)]


@pytest.mark.parametrize("api", ["pc", "aps"])
def test_429_has_retry_after_and_the_api_body(sim, http, pc, app_token, api):
    sim.set_faults({"rules": [{"fault": "429", "count": 1, "api": api, "retry_after": 7}]})
    if api == "pc":
        answer = pc("GET", "/customers", app_token)
        assert answer.json() == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."}
        assert answer.headers["MS-RequestId"]
    else:
        answer = http.get(
            f"{sim.url}/aps/2/resources?implementing({ACCOUNT_TYPE})", auth=OAuth1(APS_KEY, client_secret=APS_SECRET)
        )
        assert answer.json()["code"] == 429 and answer.json()["error"]
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    assert pc("GET", "/customers", app_token).status_code == 200  # count: 1


def test_status_faults_fire_count_times_on_matching_requests(sim, pc, app_token):
    sim.set_faults({"rules": [{"fault": "503", "count": 2, "method": "GET", "path": "/customers$", "retry_after": 3}]})
    assert pc("GET", f"/customers/{CONTOSO}", app_token).status_code == 200  # path does not match
    first, second, third = (pc("GET", "/customers", app_token) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["source"] == "PartnerCenter" and first.headers["Retry-After"] == "3"
    assert [entry["fault"] for entry in sim.journal() if entry["api"] == "pc"] == [None, "503", "503", None]
    assert sim.counters()["faults"] == {"503": 2}


@pytest.mark.parametrize("status", ["500", "502", "504"])
def test_server_errors(sim, pc, app_token, status):
    sim.set_faults({"rules": [{"fault": status, "count": 1}]})
    answer = pc("GET", "/customers", app_token)
    assert answer.status_code == int(status)
    if status == "500":
        assert answer.json()["code"] == 500
    else:
        assert answer.headers["Content-Type"].startswith("text/html")


def test_rate_is_a_seeded_probability(sim, pc, app_token):
    def failures() -> list[int]:
        sim.set_faults({"random_seed": 42, "rules": [{"fault": "500", "rate": 0.3}]})
        return [pc("GET", "/customers", app_token).status_code for _ in range(30)]

    first = failures()
    assert 0 < first.count(500) < 30
    assert failures() == first


def test_reset_drops_the_connection_and_commits_nothing(sim, pc, user_token):
    sim.set_faults({"rules": [{"fault": "reset", "count": 1, "method": "POST"}]})
    with pytest.raises(requests.exceptions.ConnectionError):
        pc("POST", USERS, user_token, json=DOC_USER)
    assert DOC_USER["userPrincipalName"] not in upns(sim)
    assert pc("POST", USERS, user_token, json=DOC_USER).status_code == 201


def test_lost_response_commits_then_drops_and_a_retry_with_the_same_request_id_gets_the_answer(sim, pc, user_token):
    sim.set_faults({"rules": [{"fault": "lost_response", "count": 1, "method": "POST"}]})
    request_id = new_request_id()
    with pytest.raises(requests.exceptions.ConnectionError):
        pc("POST", USERS, user_token, headers=request_id, json=DOC_USER)
    assert upns(sim).count(DOC_USER["userPrincipalName"]) == 1
    retry = pc("POST", USERS, user_token, headers=request_id, json=DOC_USER)
    assert retry.status_code == 201 and retry.json()["userPrincipalName"] == DOC_USER["userPrincipalName"]
    assert upns(sim).count(DOC_USER["userPrincipalName"]) == 1
    lost = [entry for entry in sim.journal() if entry["fault"] == "lost_response"]
    assert lost[0]["status"] == 201 and lost[0]["request_id"] == request_id["MS-RequestId"]


def test_slow_makes_a_client_time_out_and_commits_nothing(sim, http, user_token):
    sim.set_faults({"rules": [{"fault": "slow", "count": 1, "delay_s": 1.0}]})
    with pytest.raises(requests.exceptions.Timeout):
        http.post(f"{sim.url}/v1{USERS}", json=DOC_USER, headers={"Authorization": f"Bearer {user_token}"}, timeout=0.3)
    time.sleep(1.2)
    assert DOC_USER["userPrincipalName"] not in upns(sim)
    dropped = [entry for entry in sim.journal() if entry["fault"] == "slow"]
    assert dropped[0]["status"] is None  # never processed


def test_a_reset_waits_for_a_slow_request_whose_client_left(sim, http, user_token):
    """Nothing of one test's requests lands in the next one's journal or state (the reset comes between them)."""
    sim.set_faults({"rules": [{"fault": "slow", "count": 1, "delay_s": 1.0}]})
    with pytest.raises(requests.exceptions.Timeout):
        http.post(f"{sim.url}/v1{USERS}", json=DOC_USER, headers={"Authorization": f"Bearer {user_token}"}, timeout=0.3)
    started = time.monotonic()
    sim.reset()
    assert time.monotonic() - started >= 0.5  # it waited for the request to end
    time.sleep(0.3)
    assert sim.journal() == []


def test_slow_without_a_timeout_just_takes_long(sim, pc, app_token):
    sim.set_faults({"rules": [{"fault": "slow", "count": 1, "delay_s": 0.5}]})
    started = time.monotonic()
    assert pc("GET", "/customers", app_token).status_code == 200
    assert time.monotonic() - started >= 0.5


def test_rate_limit_is_per_partner_with_a_sliding_window(sim, http, pc, app_token):
    sim.set_faults({"rate_limit_rpm": 3})
    statuses = [pc("GET", "/customers", app_token).status_code for _ in range(3)]
    limited = pc("GET", "/customers", app_token)
    assert statuses == [200, 200, 200] and limited.status_code == 429
    assert 55 <= int(limited.headers["Retry-After"]) <= 60
    assert (
        limited.json()["message"] == f"Rate limit is exceeded. Try again in {limited.headers['Retry-After']} seconds."
    )
    # another caller (an APS consumer) has its own window
    aps = http.get(
        f"{sim.url}/aps/2/resources?implementing({ACCOUNT_TYPE})", auth=OAuth1(APS_KEY, client_secret=APS_SECRET)
    )
    assert aps.status_code == 200
    assert sim.journal()[-2]["fault"] == "rate_limit"


def test_a_shorter_rate_limit_window_says_so_in_retry_after_and_slides(sim, pc, app_token):
    sim.set_faults({"rate_limit_rpm": 2, "rate_limit_window_s": 2})
    started = time.monotonic()
    statuses = [pc("GET", "/customers", app_token).status_code for _ in range(2)]
    limited = pc("GET", "/customers", app_token)
    assert statuses == [200, 200] and limited.status_code == 429
    # Retry-After counts whole seconds until the oldest request leaves the 2-second window.
    assert limited.headers["Retry-After"] in ("1", "2")
    assert (
        limited.json()["message"] == f"Rate limit is exceeded. Try again in {limited.headers['Retry-After']} seconds."
    )
    assert sim.journal()[-1]["fault"] == "rate_limit"
    # Once the window has slid past the first two requests, the caller may go on: the limit is per window.
    time.sleep(max(0.0, started + 2.1 - time.monotonic()))
    assert pc("GET", "/customers", app_token).status_code == 200
    assert sim.set_faults({"rate_limit_rpm": 2})["rate_limit_window_s"] == 60  # the default: per minute


@pytest.mark.parametrize("window", [0, -1, 3601])
def test_a_rate_limit_window_out_of_range_is_refused(sim, window):
    with pytest.raises(control.SimulatorError, match="422"):
        sim.set_faults({"rate_limit_rpm": 2, "rate_limit_window_s": window})


def test_latency_does_not_serialize_concurrent_requests(sim):
    sim.set_faults({"latency_ms": 400})

    def one_request(_: int) -> int:
        with requests.Session() as session:
            session.trust_env = False
            return session.get(f"{sim.url}/aps/2/resources", verify=sim.ca_path).status_code

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(one_request, range(5)))
    elapsed = time.monotonic() - started
    assert statuses == [403] * 5  # unauthenticated, but only after the latency
    assert 0.4 <= elapsed < 1.5


def test_delete_faults_restores_the_start_configuration(sim, pc, app_token):
    sim.set_faults({"rules": [{"fault": "500"}]})
    assert pc("GET", "/customers", app_token).status_code == 500
    sim.clear_faults()
    assert pc("GET", "/customers", app_token).status_code == 200
