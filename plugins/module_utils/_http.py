# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one HTTP transport.

Every call to Partner Center, to Microsoft Entra (MSAL's token requests go through here too) and to
the APS bus is sent by :class:`HttpClient`: one ``requests`` session per module run (keep-alive), the
TLS settings the user chose, one timeout, a versioned User-Agent, and one retry loop that honours
``Retry-After``. Failures become one exception type, :class:`ApiError`.

This file is private to the collection.
"""

import email.utils
import math
import os
import random
import threading
import time
import uuid

from urllib.parse import urlencode

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module as missing_required_lib
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

COLLECTION_VERSION = "0.2.0"
USER_AGENT = "csp.onboarding/%s" % COLLECTION_VERSION

RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# A server that asks for a longer pause than this is told no: the call fails with a clear message
# rather than holding a job for minutes. Partner Center's documented example asks for 57 s.
MAX_RETRY_AFTER = 120.0
POOL_SIZE = 32


class RetryBudget(object):
    """Seconds of retry waiting one task may spend, shared by all its calls and threads (``max_retry_time``).

    Without it a 429 that never ends would cost each call its own retries, so a bulk task's time would grow
    with its user count; with it the task fails the remaining items clearly once the budget is spent.
    """

    def __init__(self, seconds=None, clock=None):
        self.seconds = seconds
        self.clock = clock or time.monotonic
        self.spent = 0.0
        self._lock = threading.Lock()

    def take(self, delay):
        """Book ``delay`` seconds of waiting; False when that would exceed the budget."""
        if self.seconds is None:
            return True
        with self._lock:
            if self.spent + delay > self.seconds:
                return False
            self.spent += delay
            return True

    def restart(self):
        """A new task on the same clients (the steps of ``tenant_onboarding``): its own ``max_retry_time``."""
        with self._lock:
            self.spent = 0.0

    def describe(self):
        return "the task's retry budget (max_retry_time) of %s s is used up" % self.seconds


class ApiError(Exception):
    """A failed call, with everything a user needs for a support ticket.

    Partner Center errors carry ``code``/``description``; APS errors carry ``error``/``message``.
    """

    def __init__(self, message, status=None, code=None, description=None, error=None, method=None,
                 path=None, request_id=None, correlation_id=None, retries=0, timed_out=False):
        super(ApiError, self).__init__(message)
        # No answer at all: ``status`` is None, and ``timed_out`` tells a slow server (which may still
        # apply the call) from a dropped connection.
        self.timed_out = timed_out
        self.message = message
        self.status = status
        self.code = code
        self.description = description
        self.error = error
        self.method = method
        self.path = path
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.retries = retries
        # Result keys the resource code adds to the failure (such as the DNS records still to publish).
        self.extra = {}

    @property
    def is_conflict(self):
        """True for an "already exists" answer: 409, or a 400 whose text says so.

        Inferred: neither API documents its duplicate answer (see the reference notes), so both
        spellings seen in Microsoft's directory errors are accepted.
        """
        if self.status == 409:
            return True
        text = (self.description or self.message or "").lower()
        return self.status == 400 and ("already exist" in text or "same value for property" in text)

    def to_result(self):
        """The fields every failed task returns (see the interface: status, code, ids)."""
        result = {
            "status": self.status,
            "method": self.method,
            "path": self.path,
            "ms_request_id": self.request_id,
            "ms_correlation_id": self.correlation_id,
        }
        for key in ("code", "description", "error"):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        if self.retries:
            result["retries"] = self.retries
        result.update(self.extra)
        return result

    def __str__(self):
        return self.message


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        # 0, a negative number or nan says nothing usable: the jittered backoff applies instead, so that
        # a server's odd header cannot make the client retry back to back.
        return seconds if math.isfinite(seconds) and seconds > 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    seconds = when.timestamp() - now
    return seconds if seconds > 0 else None


class Backoff(object):
    """How long to wait before retry number ``attempt`` (0-based) when the server did not say.

    Exponential backoff with "equal jitter" (half fixed, half random), capped, so parallel forks do
    not retry in lock-step. A ``Retry-After`` is honoured by :class:`Throttle` instead.
    """

    def __init__(self, base=0.5, cap=30.0, rng=None):
        self.base = base
        self.cap = cap
        self.rng = rng or random.random

    def delay(self, attempt):
        ceiling = min(self.cap, self.base * (2 ** attempt))
        return ceiling / 2.0 + self.rng() * ceiling / 2.0


class Throttle(object):
    """One "not before" time for everyone who shares an API quota.

    When a server answers 429 (or 503) with ``Retry-After``, every later attempt of this run waits until
    then, not only the one that was told: the other threads of a bulk module would otherwise keep
    sending, each collecting a 429 and spending a retry. With ``path``, the time is also kept as the
    modification time of that file, so the parallel forks of a play that use the same credential (and
    so the same quota: Partner Center throttles per partner) wait together. The file holds nothing else.

    Waits carry a little jitter, so that the callers released together do not all arrive at once.
    """

    def __init__(self, path=None, clock=None, sleep=None, rng=None):
        self.path = path
        self.clock = clock or time.time
        self.sleep = sleep or time.sleep
        self.rng = rng or random.random
        self._not_before = 0.0
        self._lock = threading.Lock()

    def hold(self, seconds):
        """Ask every caller to wait ``seconds`` from now."""
        until = self.clock() + seconds
        with self._lock:
            self._not_before = max(self._not_before, until)
        if self.path:
            try:
                if until > self._shared():
                    if not os.path.exists(self.path):
                        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
                    os.utime(self.path, (until, until))
            except OSError:
                pass  # a shared gate that cannot be written still leaves this run's own

    def pending(self):
        """Seconds until the "not before" time (0 when it has passed), without the jitter."""
        now = self.clock()
        shared = self._shared()
        if shared - now > MAX_RETRY_AFTER + 1:
            shared = 0.0
        return max(0.0, min(max(self._not_before, shared) - now, MAX_RETRY_AFTER))

    def wait(self):
        """Sleep until the "not before" time, if it is still ahead; return the seconds slept."""
        now = self.clock()
        shared = self._shared()
        if shared - now > MAX_RETRY_AFTER + 1:
            shared = 0.0  # no hold is that long: a file from before the clock was set back
        delay = min(max(self._not_before, shared) - now, MAX_RETRY_AFTER)
        if delay <= 0:
            return 0.0
        delay += self.rng() * min(1.0, delay / 10.0)
        self.sleep(delay)
        return delay

    def _shared(self):
        if not self.path:
            return 0.0
        try:
            return os.stat(self.path).st_mtime
        except OSError:
            return 0.0


def new_request_id():
    return str(uuid.uuid4())


if HAS_REQUESTS:
    class PinnedVerifySession(requests.Session):
        """A session whose TLS verification is what the user chose, whatever the environment says.

        requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override ``Session.verify`` on every
        request, and MSAL calls ``session.post`` itself, so the override is undone here, once, for
        both. With neither ``ca_path`` nor ``validate_certs: false`` the environment still applies,
        which execution environments behind a TLS-inspecting proxy rely on.
        """

        pinned_verify = None

        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            settings = super(PinnedVerifySession, self).merge_environment_settings(url, proxies, stream, verify, cert)
            if self.pinned_verify is not None:
                settings["verify"] = self.pinned_verify
            return settings


class Response(object):
    """The parts of an HTTP answer the resource code uses."""

    def __init__(self, status, headers, data, request_id):
        self.status = status
        self.headers = headers
        self.data = data
        self.request_id = request_id


class HttpClient(object):
    """One retrying transport for one module run.

    :param auth: an object with ``apply(headers) -> requests auth or None`` and ``renew() -> bool``
        (see ``_auth.py``). ``renew`` is called once after a 401; a True answer retries the call.
    :param budget: a :class:`RetryBudget` shared by every client of the task.
    """

    # Headers in which a service names the call (Partner Center; Graph answers with request-id).
    request_id_headers = ("MS-RequestId",)

    def __init__(self, base_url, auth=None, validate_certs=True, ca_path=None, timeout=30, max_retries=5,
                 correlation_id=None, backoff=None, sleep=None, error_parser=None, throttle=None, budget=None):
        self.base_url = (base_url or "").rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.correlation_id = correlation_id or str(uuid.uuid4())
        self.backoff = backoff or Backoff()
        self.sleep = sleep or time.sleep
        self.throttle = throttle or Throttle(sleep=self.sleep)
        self.budget = budget or RetryBudget()
        self.error_parser = error_parser or parse_error_body
        self.session = PinnedVerifySession()
        # Bulk modules write from several threads; keep a kept-alive connection for each.
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
        self.session.mount("https://", adapter)
        if ca_path:
            self.session.pinned_verify = ca_path
        elif not validate_certs:
            self.session.pinned_verify = False
        self.session.verify = self.session.pinned_verify if self.session.pinned_verify is not None else True
        self.session.headers.update({
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "MS-CorrelationId": self.correlation_id,
        })

    def url_for(self, path):
        if path.startswith("https://"):
            return path
        return self.base_url + path

    def send(self, method, path, json=None, data=None, headers=None, idempotent=True):
        """Send one logical call with retries; return a requests.Response.

        Every attempt carries the same ``MS-RequestId``, Partner Center's documented idempotency key, so
        retrying a Partner Center POST whose answer was lost cannot apply it twice. A call to an API without
        such a key (APS, Graph writes) passes ``idempotent=False``: it is repeated only when the server
        certainly did not apply it (429, 503 with ``Retry-After``, or no connection made at all); after any
        other failure the caller reads back and converges.
        """
        url = self.url_for(path)
        request_id = new_request_id()
        attempt = 0
        renewed = False
        while True:
            self._wait_throttle(method, url, request_id, attempt)
            call_headers = {"MS-RequestId": request_id}
            if json is not None:
                call_headers["Content-Type"] = "application/json"
            call_headers.update(headers or {})
            request_auth = self.auth.apply(call_headers) if self.auth is not None else None
            try:
                response = self.session.request(method, url, json=json, data=data, headers=call_headers,
                                                auth=request_auth, timeout=self.timeout)
            except requests.exceptions.SSLError as exc:
                raise ApiError(
                    "TLS verification failed for %s %s: %s. Point ca_path at the CA bundle that signed the "
                    "server's certificate." % (method, _path_only(url), _first_line(exc)),
                    method=method, path=_path_only(url), request_id=request_id,
                    correlation_id=self.correlation_id)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                timed_out = isinstance(exc, requests.exceptions.Timeout)
                kind = "timed out after %ss" % self.timeout if timed_out else \
                    "lost the connection (%s)" % _first_line(exc)
                if (idempotent or _never_sent(exc)) and attempt < self.max_retries and \
                        self._pause(self.backoff.delay(attempt)):
                    attempt += 1
                    continue
                raise ApiError(
                    "%s %s %s%s." % (method, _path_only(url), kind, _attempts(attempt)),
                    method=method, path=_path_only(url), request_id=request_id,
                    correlation_id=self.correlation_id, retries=attempt, timed_out=timed_out)
            response.request_id = request_id
            response.attempts = attempt
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            refused = status == 429 or (status == 503 and retry_after is not None)
            if status in RETRYABLE_STATUSES and (idempotent or refused) and attempt < self.max_retries:
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise self.error_from(method, response, "Retry-After %d s is above the cap of %d s, so the "
                                          "call was not retried" % (retry_after, MAX_RETRY_AFTER))
                if retry_after is not None:
                    # The server said when: everyone sharing the quota waits (at the top of the loop).
                    self.throttle.hold(retry_after)
                elif not self._pause(self.backoff.delay(attempt)):
                    raise self.error_from(method, response, self.budget.describe())
                attempt += 1
                continue
            if status == 401 and not renewed and self.auth is not None and self.auth.renew():
                # A token that expired mid-call: one new token, one more try, not counted as a retry.
                renewed = True
                continue
            return response

    def request(self, method, path, json=None, headers=None, expected=None, idempotent=True):
        """Send a call and return a :class:`Response`; any non-2xx answer raises :class:`ApiError`."""
        response = self.send(method, path, json=json, headers=headers, idempotent=idempotent)
        ok = response.status_code in expected if expected else 200 <= response.status_code < 300
        if not ok:
            raise self.error_from(method, response)
        return Response(response.status_code, response.headers, _json_or_none(response),
                        self._request_id_of(response))

    def _request_id_of(self, response):
        for name in self.request_id_headers:
            if response.headers.get(name):
                return response.headers[name]
        return getattr(response, "request_id", None)

    def error_from(self, method, response, reason=None):
        path = _path_only(response.request.url if response.request is not None else "")
        fields = self.error_parser(response.status_code, _json_or_none(response), response.text)
        request_id = fields.pop("request_id", None) or self._request_id_of(response)
        correlation_id = response.headers.get("MS-CorrelationId") or self.correlation_id
        detail = fields.pop("detail")
        retries = getattr(response, "attempts", 0)
        message = "%s %s failed: HTTP %s%s%s%s [MS-CorrelationId: %s, MS-RequestId: %s]" % (
            method, path, response.status_code, detail and ": " + detail, _attempts(retries),
            reason and "; " + reason or "", correlation_id, request_id)
        return ApiError(message, status=response.status_code, method=method, path=path, request_id=request_id,
                        correlation_id=correlation_id, retries=retries, **fields)

    def _pause(self, delay):
        """Sleep ``delay`` seconds of backoff if the task's budget allows; False when it does not."""
        if not self.budget.take(delay):
            return False
        self.sleep(delay)
        return True

    def _wait_throttle(self, method, url, request_id, attempt):
        pending = self.throttle.pending()
        if pending and not self.budget.take(pending):
            raise ApiError("%s %s was not sent: the server asked to wait %d s more, and %s." % (
                method, _path_only(url), pending, self.budget.describe()), method=method, path=_path_only(url),
                request_id=request_id, correlation_id=self.correlation_id, retries=attempt, status=429)
        self.throttle.wait()

    def close(self):
        self.session.close()


def parse_error_body(status, body, text):
    """Error fields from either API's body shape, plus a one-line ``detail`` for the message.

    Partner Center: ``{code, description, data, source}``; its 429: ``{statusCode, message}``;
    APS: ``{code, error or type, message}``.
    """
    fields = {"code": None, "description": None, "error": None}
    if isinstance(body, dict):
        fields["code"] = body.get("code", body.get("statusCode"))
        fields["description"] = body.get("description") or body.get("message")
        fields["error"] = body.get("error") or body.get("type")
    parts = []
    if fields["error"]:
        parts.append(str(fields["error"]))
    if fields["code"] is not None and fields["code"] != status:
        parts.append("code %s" % fields["code"])
    if fields["description"]:
        parts.append(str(fields["description"]))
    elif not isinstance(body, dict) and text:
        parts.append(_first_line(text)[:300])
    fields["detail"] = " - ".join(parts)
    return fields


def with_query(path, params=None):
    """``path`` with ``params`` as its query string (values URL-encoded); ``path`` alone without params."""
    if not params:
        return path
    return path + ("&" if "?" in path else "?") + urlencode(params)


def _never_sent(exc):
    """True when the connection was never made, so the server cannot have seen the call."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return type(reason).__name__ in ("NewConnectionError", "NameResolutionError")


def _json_or_none(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _path_only(url):
    """The path of a URL without its query: what error messages and results show."""
    without_scheme = url.split("://", 1)[-1]
    path = "/" + without_scheme.split("/", 1)[1] if "/" in without_scheme else "/"
    return path.split("?", 1)[0]


def _first_line(value):
    return str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__


def _attempts(retries):
    return " (after %d retries)" % retries if retries else ""
