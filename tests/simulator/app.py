"""The simulator's run-time object and the FastAPI application that serves all three APIs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from . import admin, aps, entra, graph, graph_admin, graph_domains, partner_center, seed
from .faults import FaultConfig, FaultInjector
from .journal import Journal, current_record
from .middleware import SimulatorMiddleware, api_of
from .oauth1 import ConsumerVerifier

STATE_SAVE_INTERVAL_S = 1.0


class Simulator:
    """State, journal and faults, and the ways to reset them."""

    def __init__(
        self,
        start_seed: dict[str, Any],
        settings_overrides: dict[str, Any] | None = None,
        baseline_faults: FaultConfig | None = None,
        state_file: Path | None = None,
    ) -> None:
        self.start_seed = start_seed
        self.settings_overrides = settings_overrides or {}  # command-line settings win over every seed
        self.baseline_faults = baseline_faults or FaultConfig()
        self.state_file = state_file
        self.journal = Journal()
        persisted = json.loads(state_file.read_text()) if state_file and state_file.exists() else None
        self.state = seed.build_state(persisted or start_seed, self.settings_overrides)
        self.faults = FaultInjector(self.baseline_faults)
        self.oauth1 = ConsumerVerifier(lambda: self.state.aps_consumers)
        self._saved: tuple[object, int] | None = None
        # API requests being served (a slow fault's may outlive the client that sent it); a reset waits for them,
        # so that no request of one test lands in the next one's journal or state.
        self.in_flight = 0

    def reset(self, seed_data: dict[str, Any] | None = None) -> None:
        """Fresh state from ``seed_data`` (default: the start seed); also forgets journal, faults, tokens, nonces."""
        self.state = seed.build_state(self.start_seed if seed_data is None else seed_data, self.settings_overrides)
        self.journal.clear()
        self.set_faults(self.baseline_faults)
        self.oauth1 = ConsumerVerifier(lambda: self.state.aps_consumers)

    def set_faults(self, config: FaultConfig) -> None:
        self.faults = FaultInjector(config)

    def save_state_file(self) -> None:
        """Write the state file if the state changed since the last write (atomically: temp file + rename)."""
        if self.state_file is None or self._saved == (self.state, self.state.revision):
            return
        saved = (self.state, self.state.revision)
        temporary = self.state_file.with_name(self.state_file.name + ".tmp")
        temporary.write_text(json.dumps(seed.snapshot(self.state)))
        os.replace(temporary, self.state_file)
        self._saved = saved


def create_app(simulator: Simulator) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        saver = asyncio.create_task(_save_periodically(simulator)) if simulator.state_file else None
        yield
        if saver:
            saver.cancel()
        simulator.save_state_file()

    app = FastAPI(
        title="csp.onboarding service simulator",
        description="Microsoft Entra, Partner Center and CloudBlue APS, as documented in shared/reference.",
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would change the URL an OAuth 1.0a client signed
    )
    app.state.simulator = simulator
    # the busiest routers first: FastAPI tries the routes in order
    app.include_router(partner_center.router)
    app.include_router(aps.router)
    app.include_router(graph.router)
    app.include_router(graph_domains.router)
    app.include_router(entra.router)
    app.include_router(admin.router)
    app.include_router(graph_admin.router)

    @app.exception_handler(partner_center.PartnerCenterError)
    async def partner_center_error(request: Request, error: partner_center.PartnerCenterError) -> Response:
        return error.response()

    @app.exception_handler(aps.ApsError)
    async def aps_error(request: Request, error: aps.ApsError) -> Response:
        return error.response()

    @app.exception_handler(graph.GraphError)
    async def graph_error(request: Request, error: graph.GraphError) -> Response:
        return error.response(current_record(request))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(part) for part in problem['loc'][1:])}: {problem['msg']}" for problem in error.errors()
        ]
        api = api_of(request.url.path)
        if api == "pc":
            return partner_center.invalid_property("Invalid property: " + "; ".join(problems), problems)
        if api == "aps":
            return aps.invalid_argument("; ".join(problems))
        if api == "graph":
            return graph.invalid_request(problems, current_record(request))
        return await request_validation_exception_handler(request, error)

    @app.exception_handler(HTTPException)
    async def routing_error(request: Request, error: HTTPException) -> Response:
        api = api_of(request.url.path)
        if api == "pc":
            return partner_center.routing_error(error.status_code)
        if api == "aps":
            return aps.routing_error(error.status_code)
        if api == "graph":
            return graph.routing_error(error.status_code, request.url.path, current_record(request))
        return await http_exception_handler(request, error)

    app.add_middleware(SimulatorMiddleware, simulator=simulator)
    return app


async def _save_periodically(simulator: Simulator) -> None:
    while True:
        await asyncio.sleep(STATE_SAVE_INTERVAL_S)
        simulator.save_state_file()
