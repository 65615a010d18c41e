"""What the simulator was asked: one record per API request, plus running counters.

The middleware creates a RequestRecord per API request and puts it in the ASGI scope, where
handlers read the request/correlation ids and add what only they know (the token grant type).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .state import iso_utc

RECORD_SCOPE_KEY = "simulator.record"


@dataclass(slots=True)
class RequestRecord:
    api: str  # "entra", "pc" or "aps"
    method: str
    path: str
    query: str
    time: str
    request_id: str | None = None
    correlation_id: str | None = None
    client_sent_request_id: bool = False  # only a client-chosen MS-RequestId is an idempotency key
    partner: str | None = None  # partner tenant id, APS consumer key, or None when unknown
    grant_type: str | None = None
    fault: str | None = None
    status: int | None = None  # None when the connection was dropped before any answer was computed
    applied_status: int | None = None  # applied_502/applied_504: the status of the answer that was replaced
    seq: int = 0


_PUBLISHED_FIELDS = (
    "seq", "time", "method", "path", "query", "status", "api",
    "request_id", "correlation_id", "grant_type", "fault", "partner", "applied_status",
)  # fmt: skip


def current_record(request: Request) -> RequestRecord:
    return request.scope[RECORD_SCOPE_KEY]


class Journal:
    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._seq = 0
        self._by_api_method: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._by_api_status: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._grant_types: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()

    @staticmethod
    def new_record(api: str, method: str, path: str, query: str) -> RequestRecord:
        return RequestRecord(api=api, method=method, path=path, query=query, time=iso_utc(time.time()))

    def add(self, record: RequestRecord) -> None:
        self._seq += 1
        record.seq = self._seq
        self._records.append(record)
        self._by_api_method[record.api][record.method] += 1
        self._by_api_status[record.api][str(record.status)] += 1
        if record.grant_type:
            self._grant_types[record.grant_type] += 1
        if record.fault:
            self._faults[record.fault] += 1

    def records(self) -> list[dict[str, Any]]:
        return [{name: getattr(record, name) for name in _PUBLISHED_FIELDS} for record in self._records]

    def counters(self) -> dict[str, Any]:
        return {
            "total": len(self._records),
            "by_api": {api: dict(methods) for api, methods in self._by_api_method.items()},
            "by_status": {api: dict(statuses) for api, statuses in self._by_api_status.items()},
            "token_requests": dict(self._grant_types),
            "faults": dict(self._faults),
        }

    def clear(self) -> None:
        """Forget the records and the counters; ``seq`` keeps growing so records stay distinguishable."""
        self._records.clear()
        self._by_api_method.clear()
        self._by_api_status.clear()
        self._grant_types.clear()
        self._faults.clear()
