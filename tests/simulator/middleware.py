"""The ASGI middleware in front of the three APIs: journal, headers, latency, rate limit, faults.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so that it costs little per request
and can keep a response from ever being written.

Each API module (entra, partner_center, aps, graph) provides the hooks used here: ``describe_request``
(caller and ids into the journal record), ``response_headers`` (added to every answer) and
``fault_response`` (an injected error in that API's own shape). A new API joins by adding its module
to ``_API_MODULES`` (and its path to ``api_of``): every fault, ``applied_502``/``applied_504`` included,
then works on it unchanged.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING, Any, Callable

from starlette.responses import Response

from . import aps, entra, graph, partner_center
from .connection import client_gone, drop_connection
from .faults import APPLIED_FAULTS
from .journal import RECORD_SCOPE_KEY, RequestRecord

if TYPE_CHECKING:
    from .app import Simulator

_ENTRA_PATH = re.compile(r"^/[^/]+/(?:v2\.0|oauth2|discovery)/")
_API_MODULES = {"pc": partner_center, "aps": aps, "entra": entra, "graph": graph}
_STATUS_FAULTS = {"429", "500", "502", "503", "504"}


def api_of(path: str) -> str | None:
    """Which simulated service a path belongs to; None for /_sim and the OpenAPI pages."""
    if path.startswith("/v1/"):
        return "pc"
    if path.startswith("/aps/"):
        return "aps"
    if path.startswith("/v1.0/"):
        return "graph"
    if _ENTRA_PATH.match(path):
        return "entra"
    return None


class SimulatorMiddleware:
    def __init__(self, app: Callable, simulator: "Simulator") -> None:
        self.app = app
        self.simulator = simulator

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        api = api_of(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        module = _API_MODULES[api]
        record = self.simulator.journal.new_record(
            api, scope["method"], scope["path"], scope["query_string"].decode("latin-1")
        )
        module.describe_request(record, scope, self.simulator.state)
        scope[RECORD_SCOPE_KEY] = record
        extra_headers = module.response_headers(record, scope)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra_headers]
            await send(message)

        self.simulator.in_flight += 1
        try:
            await self._serve(api, record, scope, receive, send_with_headers)
        finally:
            self.simulator.journal.add(record)
            self.simulator.in_flight -= 1

    async def _serve(self, api: str, record: RequestRecord, scope: dict, receive: Callable, send: Callable) -> None:
        faults = self.simulator.faults
        latency = faults.latency_s()
        if latency:
            await asyncio.sleep(latency)

        # Assumed: rate_limit_rpm throttles Partner Center (documented per partner) and APS (per consumer) and
        # Graph (per tenant of the token), not Entra, whose throttling MSAL handles differently.
        if api != "entra":
            caller = graph.rate_limit_key(record, scope) if api == "graph" else record.partner
            wait = faults.rate_limit_wait(caller, time.monotonic())
            if wait:
                record.fault = "rate_limit"
                await _API_MODULES[api].fault_response(429, wait, record)(scope, receive, send)
                return

        rule = faults.pick(api, record.method, record.path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        record.fault = rule.fault
        if rule.fault in _STATUS_FAULTS:
            response: Response = _API_MODULES[api].fault_response(int(rule.fault), rule.retry_after, record)
            await response(scope, receive, send)
        elif rule.fault == "reset":
            await drop_connection(scope, receive)
        elif rule.fault == "lost_response":
            await self.app(scope, receive, _capture_status(record))
            await drop_connection(scope, receive)
        elif rule.fault in APPLIED_FAULTS:
            # The write is processed and committed (and its answer stored for MS-RequestId replay), then a
            # gateway error is sent in its place: the client cannot tell that the call was applied.
            await self.app(scope, receive, _capture_status(record, applied=True))
            status = APPLIED_FAULTS[rule.fault]
            response = _API_MODULES[api].fault_response(status, rule.retry_after, record)
            await response(scope, receive, send)
        elif rule.fault == "slow":
            await asyncio.sleep(rule.delay_s)
            if client_gone(scope):
                return  # a client that gave up never gets its request processed
            await self.app(scope, receive, send)


def _capture_status(record: RequestRecord, applied: bool = False) -> Callable:
    """A ``send`` that writes nothing and only notes the status the application chose.

    ``applied``: the status goes to ``record.applied_status`` (``record.status`` will be the fault's).
    """

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            if applied:
                record.applied_status = message["status"]
            else:
                record.status = message["status"]

    return send
