"""Small helpers shared by the API modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

if TYPE_CHECKING:
    from .app import Simulator
    from .state import SimState


def scope_header(scope: dict[str, Any], name: bytes) -> str | None:
    """The first value of a request header; ``name`` in lower case."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def simulator(request: Request) -> "Simulator":
    return request.app.state.simulator


def sim_state(request: Request) -> "SimState":
    return request.app.state.simulator.state


def origin(scope: dict[str, Any]) -> str:
    """``https://<host as the client addressed it>``: what it signed and what its token audience names."""
    host = scope_header(scope, b"host")
    if host is None:
        server_host, port = scope["server"]
        host = f"{server_host}:{port}"
    return f"https://{host}"
