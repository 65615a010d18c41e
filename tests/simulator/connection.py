"""Lets the application drop a client's TCP connection without sending a response.

ASGI has no way to say "close the socket, write nothing", which the `reset` and `lost_response`
faults need. This HTTP protocol class puts a handle on the connection into every request's scope.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

CONNECTION_SCOPE_KEY = "simulator.connection"


class ConnectionHandle:
    def __init__(self, transport: "asyncio.Transport | _CoalescingTransport") -> None:
        self._transport = transport
        self.client_gone = False  # set when the client has closed or the connection broke

    def abort(self) -> None:
        """Close at once: no response bytes, no TLS close_notify."""
        self._transport.abort()


class _CoalescingTransport:
    """A transport proxy that joins the writes of one event-loop turn into a single write.

    uvicorn writes a response's head and body separately; over TLS each write becomes its own record
    and send() call. One send per response instead of two saves a large share of the server's time
    on loopback (bench_throughput.py).
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending and not self._transport.is_closing():
            self._transport.write(b"".join(self._pending))
        self._pending.clear()

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class DroppableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a ConnectionHandle in each request's scope (and coalesced writes)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        coalescing = _CoalescingTransport(transport, self.loop)
        self.transport = coalescing  # type: ignore[assignment]
        self._handle = ConnectionHandle(coalescing)
        inner_app = self.app

        async def app_with_connection(scope: Any, receive: Any, send: Any) -> None:
            scope[CONNECTION_SCOPE_KEY] = self._handle
            await inner_app(scope, receive, send)

        self.app = app_with_connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._handle.client_gone = True
        super().connection_lost(exc)


async def drop_connection(scope: Any, receive: Any) -> None:
    """Abort the connection, then wait until uvicorn has seen it go, so it sends no 500 of its own."""
    scope[CONNECTION_SCOPE_KEY].abort()
    while (await receive())["type"] != "http.disconnect":
        pass


def client_gone(scope: Any) -> bool:
    return scope[CONNECTION_SCOPE_KEY].client_gone
