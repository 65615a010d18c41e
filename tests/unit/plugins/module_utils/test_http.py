# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's decisions: what is retried, how long it waits, which request id it sends."""

import email.utils
import os

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._http import (
    MAX_RETRY_AFTER, ApiError, Backoff, HttpClient, RetryBudget, Throttle, parse_error_body, parse_retry_after)


class NoSleep(object):
    """A sleep that records its waits and moves a fake clock instead of the test."""

    def __init__(self):
        self.waits = []
        self.now = 1_800_000_000.0

    def __call__(self, seconds):
        self.waits.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def client_for(server, **kwargs):
    sleep = NoSleep()
    kwargs.setdefault("max_retries", 3)
    throttle = Throttle(clock=sleep.clock, sleep=sleep, rng=lambda: 0.0)
    return HttpClient(server.url, sleep=sleep, backoff=Backoff(rng=lambda: 0.5), throttle=throttle, **kwargs), sleep


class TestRetryAfter(object):
    def test_seconds(self):
        assert parse_retry_after("57") == 57.0

    def test_http_date(self):
        now = 1_800_000_000.0
        assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30.0)

    def test_a_past_date_says_nothing(self):
        now = 1_800_000_000.0
        assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) is None

    # Zero, negative and non-finite values would make retries back to back: the backoff applies instead.
    @pytest.mark.parametrize("value", [None, "", "soon", "-", "0", "-5", "nan", "inf", "-inf"])
    def test_unusable_values(self, value):
        assert parse_retry_after(value) is None


class TestThrottle(object):
    def test_nothing_held_means_no_wait(self):
        sleep = NoSleep()
        assert Throttle(clock=sleep.clock, sleep=sleep).wait() == 0.0 and sleep.waits == []

    def test_a_hold_makes_every_later_caller_wait_until_then(self):
        sleep = NoSleep()
        throttle = Throttle(clock=sleep.clock, sleep=sleep, rng=lambda: 0.0)
        throttle.hold(2.0)
        throttle.hold(1.0)  # a shorter hold does not shorten the longer one
        assert throttle.wait() == 2.0
        assert throttle.wait() == 0.0  # the time has passed

    def test_waits_carry_at_most_a_second_of_jitter(self):
        sleep = NoSleep()
        throttle = Throttle(clock=sleep.clock, sleep=sleep, rng=lambda: 0.999999)
        throttle.hold(57.0)
        assert 57.0 < throttle.wait() < 58.0

    def test_waits_are_capped(self):
        sleep = NoSleep()
        throttle = Throttle(clock=sleep.clock, sleep=sleep, rng=lambda: 0.0)
        throttle.hold(10_000)
        assert throttle.wait() == MAX_RETRY_AFTER

    def test_a_shared_time_further_ahead_than_any_hold_is_ignored(self, tmp_path):
        sleep = NoSleep()
        path = str(tmp_path / "throttle")
        open(path, "w").close()
        os.utime(path, (sleep.now + 3600, sleep.now + 3600))  # the clock was set back since it was written
        assert Throttle(path, clock=sleep.clock, sleep=sleep).wait() == 0.0

    def test_the_file_shares_a_hold_between_processes(self, tmp_path):
        sleep = NoSleep()
        path = str(tmp_path / "throttle")
        Throttle(path, clock=sleep.clock, sleep=sleep).hold(30.0)
        other_process = Throttle(path, clock=sleep.clock, sleep=sleep, rng=lambda: 0.0)
        assert other_process.wait() == pytest.approx(30.0, abs=1e-3)
        assert oct(os.stat(path).st_mode & 0o777) == "0o600" and os.path.getsize(path) == 0

    def test_an_unwritable_file_keeps_the_hold_of_this_run(self, tmp_path):
        sleep = NoSleep()
        throttle = Throttle(str(tmp_path / "missing-dir" / "throttle"), clock=sleep.clock, sleep=sleep,
                            rng=lambda: 0.0)
        throttle.hold(3.0)
        assert throttle.wait() == 3.0


class TestBackoff(object):
    def test_exponential_with_equal_jitter_and_cap(self):
        backoff = Backoff(base=1.0, cap=8.0, rng=lambda: 0.0)
        assert [backoff.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
        top = Backoff(base=1.0, cap=8.0, rng=lambda: 0.999999)
        assert top.delay(10) == pytest.approx(8.0, abs=1e-4)


class TestRetries(object):
    def test_429_and_5xx_are_retried_with_the_same_request_id(self, server):
        server.script = [(429, {"Retry-After": "2"}, {"statusCode": 429, "message": "Rate limit is exceeded."}),
                         (503, {}, {"code": "x"}), (502, {}, None), (200, {}, {"ok": True})]
        client, sleep = client_for(server)
        response = client.request("POST", "/v1/things", json={"a": 1})
        assert response.data == {"ok": True}
        ids = set(request["headers"]["MS-RequestId"] for request in server.requests)
        assert len(server.requests) == 4 and len(ids) == 1
        assert sleep.waits[0] == 2.0  # Retry-After honoured
        assert response.request_id in ids

    def test_each_logical_call_gets_a_new_request_id_and_one_correlation_id(self, server):
        client, _sleep = client_for(server)
        client.request("GET", "/a")
        client.request("GET", "/b")
        assert server.requests[0]["headers"]["MS-RequestId"] != server.requests[1]["headers"]["MS-RequestId"]
        assert server.requests[0]["headers"]["MS-CorrelationId"] == server.requests[1]["headers"]["MS-CorrelationId"]
        assert server.requests[0]["headers"]["User-Agent"].startswith("csp.onboarding/")

    def test_retries_stop_after_max_retries(self, server):
        server.script = [(503, {}, {"code": "busy", "description": "Service unavailable"})] * 10
        client, sleep = client_for(server, max_retries=2)
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/customers")
        assert len(server.requests) == 3 and len(sleep.waits) == 2
        assert raised.value.status == 503 and raised.value.retries == 2
        assert "after 2 retries" in str(raised.value)

    def test_client_errors_are_not_retried(self, server):
        server.script = [(404, {}, {"code": "60002", "description": "User object Id is not found"})]
        client, _sleep = client_for(server)
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/customers/x/users/y")
        assert len(server.requests) == 1
        assert raised.value.code == "60002" and "User object Id is not found" in str(raised.value)

    def test_a_reset_connection_is_retried(self, server):
        server.script = ["reset", (200, {}, {"ok": 1})]
        client, _sleep = client_for(server)
        assert client.request("POST", "/v1/x", json={}).data == {"ok": 1}
        assert len(server.requests) == 2
        assert server.requests[0]["headers"]["MS-RequestId"] == server.requests[1]["headers"]["MS-RequestId"]

    def test_a_post_without_idempotency_key_is_not_resent_after_a_reset(self, server):
        server.script = ["reset", (200, {}, {"ok": 1})]
        client, _sleep = client_for(server)
        with pytest.raises(ApiError) as raised:
            client.request("POST", "/aps/2/resources/x/op", json={}, idempotent=False)
        assert raised.value.status is None and "lost the connection" in str(raised.value)
        assert len(server.requests) == 1

    def test_a_long_retry_after_is_not_waited_for(self, server):
        server.script = [(429, {"Retry-After": "3600"}, {"statusCode": 429, "message": "Try again in 3600 seconds."})]
        client, sleep = client_for(server)
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/customers")
        assert raised.value.status == 429 and sleep.waits == []


class RenewingAuth(object):
    def __init__(self):
        self.tokens = ["old", "new"]
        self.renewals = 0

    def apply(self, headers):
        headers["Authorization"] = "Bearer " + self.tokens[0]

    def renew(self):
        self.renewals += 1
        self.tokens.pop(0)
        return bool(self.tokens)


class TestExpiredToken(object):
    def test_401_renews_the_token_once_and_retries(self, server):
        server.script = [(401, {"WWW-Authenticate": "OAuth realm=x"}, {"code": "401"}), (200, {}, {"ok": 1})]
        auth = RenewingAuth()
        client, _sleep = client_for(server, auth=auth)
        assert client.request("GET", "/v1/customers").data == {"ok": 1}
        assert [r["headers"]["Authorization"] for r in server.requests] == ["Bearer old", "Bearer new"]

    def test_a_second_401_is_final(self, server):
        server.script = [(401, {}, {"code": "401"})] * 3
        auth = RenewingAuth()
        client, _sleep = client_for(server, auth=auth)
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/customers")
        assert raised.value.status == 401 and auth.renewals == 1 and len(server.requests) == 2


class TestErrorBodies(object):
    def test_partner_center_body(self):
        fields = parse_error_body(400, {"code": 3000, "description": "Invalid property", "data": [], "source": "PC"}, "")
        assert fields["code"] == 3000 and fields["description"] == "Invalid property"

    def test_throttling_body(self):
        fields = parse_error_body(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, "")
        assert fields["description"] == "Rate limit is exceeded." and "code" not in fields["detail"]

    def test_aps_body(self):
        fields = parse_error_body(403, {"code": 403, "error": "APS::Util::AuthenticationFailed",
                                        "message": "Authentication Failed"}, "")
        assert fields["error"] == "APS::Util::AuthenticationFailed"
        assert fields["detail"] == "APS::Util::AuthenticationFailed - Authentication Failed"

    def test_aps_type_body(self):
        assert parse_error_body(500, {"code": 500, "type": "Exception", "message": "m"}, "")["error"] == "Exception"

    def test_text_body(self):
        assert parse_error_body(502, None, "<html>Bad gateway</html>")["detail"] == "<html>Bad gateway</html>"

    @pytest.mark.parametrize("status, description, conflict", [
        (409, "anything", True),
        (400, "Another object with the same value for property userPrincipalName already exists.", True),
        (400, "The domain already exists", True),
        (400, "Invalid property", False),
        (404, "already exists", False),
    ])
    def test_conflict(self, status, description, conflict):
        assert ApiError("m", status=status, description=description).is_conflict is conflict


class TestWritesWithoutIdempotencyKey(object):
    """A call with ``idempotent=False`` is repeated only when the server certainly did not apply it."""

    @pytest.mark.parametrize("status", [500, 502, 504])
    def test_a_gateway_error_is_not_repeated(self, server, status):
        server.script = [(status, {}, {"error": "Bad gateway"}), (201, {}, {"aps": {"id": "x"}})]
        client, _sleep = client_for(server)
        with pytest.raises(ApiError) as raised:
            client.request("POST", "/aps/2/resources/x/op", json={}, idempotent=False)
        assert raised.value.status == status and len(server.requests) == 1

    def test_a_503_without_retry_after_is_not_repeated(self, server):
        server.script = [(503, {}, {}), (201, {}, {})]
        client, _sleep = client_for(server)
        with pytest.raises(ApiError):
            client.request("POST", "/aps/2/resources/x/op", json={}, idempotent=False)
        assert len(server.requests) == 1

    @pytest.mark.parametrize("status", [429, 503])
    def test_a_refusal_with_retry_after_is_repeated(self, server, status):
        server.script = [(status, {"Retry-After": "2"}, {}), (201, {}, {"ok": 1})]
        client, sleep = client_for(server)
        assert client.request("POST", "/aps/2/resources/x/op", json={}, idempotent=False).data == {"ok": 1}
        assert len(server.requests) == 2 and sleep.waits == [2.0]

    def test_an_idempotent_call_still_retries_a_gateway_error(self, server):
        server.script = [(502, {}, {}), (200, {}, {"ok": 1})]
        client, _sleep = client_for(server)
        assert client.request("POST", "/v1/customers/x/users", json={}).data == {"ok": 1}
        assert server.requests[0]["headers"]["MS-RequestId"] == server.requests[1]["headers"]["MS-RequestId"]


class TestRetryAfterAboveTheCap(object):
    def test_the_failure_names_the_wait_the_cap_the_request_id_and_the_attempts(self, server):
        server.script = [(503, {}, {}), (429, {"Retry-After": "3600"}, {"statusCode": 429, "message": "Later."})]
        client, _sleep = client_for(server)
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/customers")
        message = str(raised.value)
        assert "Retry-After 3600 s is above the cap of %d s" % MAX_RETRY_AFTER in message
        assert "after 1 retries" in message and raised.value.retries == 1
        assert raised.value.request_id == server.requests[0]["headers"]["MS-RequestId"]
        assert raised.value.request_id in message


class TestRetryBudget(object):
    def test_backoff_stops_when_the_task_budget_is_spent(self, server):
        server.script = [(503, {}, {})] * 4
        client, sleep = client_for(server, budget=RetryBudget(1.0))
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/customers")
        assert "max_retry_time" in str(raised.value) and sum(sleep.waits) <= 1.0

    def test_one_budget_bounds_every_call_of_the_task(self, server):
        budget = RetryBudget(5.0)
        server.script = [(429, {"Retry-After": "4"}, {}), (200, {}, {"ok": 1}), (429, {"Retry-After": "4"}, {})]
        client, _sleep = client_for(server, budget=budget)
        assert client.request("GET", "/v1/a").data == {"ok": 1}
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/v1/b")
        assert raised.value.status == 429 and "max_retry_time" in str(raised.value)

    def test_no_budget_means_no_limit(self):
        budget = RetryBudget(None)
        assert all(budget.take(100.0) for attempt in range(10))
