"""Administration API (``/_sim``) for tests, the demo and benchmarks: no auth, never journaled."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import JSONResponse, Response

from . import seed
from .faults import FaultConfig
from .http_util import simulator

router = APIRouter(prefix="/_sim", tags=["Simulator administration"])


@router.get("/health")
async def health() -> dict[str, Any]:
    return {"status": "ok", "pid": os.getpid()}


@router.get("/requests", summary="The journal of API requests (add ?clear=true to empty it in the same call)")
async def requests_journal(request: Request, clear: bool = False) -> dict[str, Any]:
    journal = simulator(request).journal
    records = journal.records()
    if clear:
        journal.clear()
    return {"requests": records}


@router.delete("/requests", status_code=204, summary="Empty the journal and its counters")
async def clear_journal(request: Request) -> Response:
    simulator(request).journal.clear()
    return Response(status_code=204)


@router.get("/counters", summary="Totals since the journal was last emptied")
async def counters(request: Request) -> dict[str, Any]:
    return simulator(request).journal.counters()


@router.get("/state", summary="The whole state, in the seed format (secrets included)")
async def state(request: Request) -> dict[str, Any]:
    return seed.snapshot(simulator(request).state)


@router.post("/reset", summary="Reload the start seed, or the seed given as the body; clears journal, faults, tokens")
async def reset(request: Request, seed_data: dict[str, Any] | None = Body(None)) -> Response:
    # Requests still being served (a client gave up on a slow answer) finish first, for at most 10 s.
    deadline = time.monotonic() + 10
    while simulator(request).in_flight and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    try:
        simulator(request).reset(seed_data)
    except (ValidationError, ValueError) as error:
        return JSONResponse({"detail": str(error)}, status_code=422)
    return Response(status_code=204)


@router.get("/settings")
async def get_settings(request: Request) -> dict[str, Any]:
    return simulator(request).state.settings.model_dump()


@router.post("/settings", summary="Change some settings (a partial dict)")
async def change_settings(request: Request, changes: dict[str, Any] = Body(...)) -> Response:
    state = simulator(request).state
    try:
        state.settings = state.settings.updated(changes)
    except ValidationError as error:
        return JSONResponse({"detail": str(error)}, status_code=422)
    state.touch()
    return JSONResponse(state.settings.model_dump())


@router.post("/expire-tokens", status_code=204, summary="Every access token issued so far expires now")
async def expire_tokens(request: Request) -> Response:
    now = time.time()
    for token in simulator(request).state.access_tokens.values():
        token.expires_at = min(token.expires_at, now)
    return Response(status_code=204)


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    return simulator(request).faults.config.model_dump()


@router.post("/faults", summary="Replace the fault configuration (rule counts start afresh)")
async def set_faults(request: Request, config: FaultConfig) -> dict[str, Any]:
    simulator(request).set_faults(config)
    return config.model_dump()


@router.delete("/faults", status_code=204, summary="Back to the start configuration (--latency-ms, --rate-limit-rpm)")
async def clear_faults(request: Request) -> Response:
    sim = simulator(request)
    sim.set_faults(sim.baseline_faults)
    return Response(status_code=204)


class SkuUnits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active_units: int | None = Field(None, ge=0)
    suspended_units: int | None = Field(None, ge=0)
    warning_units: int | None = Field(None, ge=0)
    capability_status: str | None = None


@router.post(
    "/customers/{customer_id}/subscribedskus/{sku}",
    summary="Change a customer's SKU units (sku: id or part number); returns its counts",
)
async def set_sku_units(customer_id: str, sku: str, request: Request, changes: SkuUnits) -> Response:
    state = simulator(request).state
    customer = state.customers.get(customer_id.lower())
    found = customer and (
        customer.skus.get(sku.lower())
        or next((s for s in customer.skus.values() if s.part_number.lower() == sku.lower()), None)
    )
    if not found:
        return JSONResponse({"detail": f"no SKU {sku} on customer {customer_id}"}, status_code=404)
    for name, value in changes.model_dump(exclude_none=True).items():
        setattr(found, name, value)
    state.touch()
    return JSONResponse(
        {
            "id": found.id,
            "part_number": found.part_number,
            "active_units": found.active_units,
            "consumed_units": found.consumed_units,
            "available_units": found.available_units,
            "suspended_units": found.suspended_units,
            "warning_units": found.warning_units,
            "capability_status": found.capability_status,
        }
    )


@router.get("/address-validation", summary="The addresses POST /v1/validations/address refuses")
async def get_address_rules(request: Request) -> list[dict[str, Any]]:
    return simulator(request).state.address_rules


@router.put("/address-validation", summary="Replace the refused addresses (the seed's address_validation format)")
async def set_address_rules(request: Request, rules: list[seed.SeedAddressRule]) -> list[dict[str, Any]]:
    state = simulator(request).state
    state.address_rules = [rule.model_dump(exclude_none=True) for rule in rules]
    state.touch()
    return state.address_rules
