"""Administration calls for the Graph part (``/_sim``, no auth, never journaled): what a customer or DNS does."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Body, Request
from starlette.responses import JSONResponse, Response

from . import graph, graph_state
from .http_util import sim_state

router = APIRouter(prefix="/_sim", tags=["Simulator administration"])


def _relationship_or_404(request: Request, relationship_id: str) -> graph_state.Relationship | Response:
    rel = graph_state.of(sim_state(request)).relationships.get(relationship_id.lower())
    if rel is None:
        return JSONResponse({"detail": f"no GDAP relationship {relationship_id}"}, status_code=404)
    rel.refresh(time.time())
    return rel


@router.post(
    "/gdap/relationships/{relationship_id}/approve",
    summary="The customer approves a relationship: approvalPending -> active, activated now, ends after its duration",
)
async def approve_relationship(relationship_id: str, request: Request) -> Response:
    rel = _relationship_or_404(request, relationship_id)
    if isinstance(rel, Response):
        return rel
    if rel.status != "approvalPending":
        return JSONResponse({"detail": f"relationship {rel.id} is {rel.status}, not approvalPending"}, status_code=409)
    state = sim_state(request)
    graph_state.activate(rel, state)
    state.touch()
    return JSONResponse(graph.relationship_json(rel))


@router.post(
    "/gdap/relationships/{relationship_id}/expire",
    summary='Expire a relationship now; or {"days_left": N} moves its end date; or {"status": "expiring"}',
)
async def expire_relationship(
    relationship_id: str, request: Request, changes: dict[str, Any] | None = Body(None)
) -> Response:
    rel = _relationship_or_404(request, relationship_id)
    if isinstance(rel, Response):
        return rel
    changes = changes or {}
    unknown = set(changes) - {"days_left", "status"}
    if unknown or changes.get("status") not in (None, "expiring", "expired"):
        return JSONResponse({"detail": f"unknown keys or status in {changes}"}, status_code=422)
    now = time.time()
    if "days_left" in changes:
        rel.end = now + float(changes["days_left"]) * 86400
        if rel.end <= now:
            rel.status = "expired"
    else:
        rel.status = changes.get("status") or "expired"
        if rel.status == "expired":
            rel.end = now
    rel.touch()
    sim_state(request).touch()
    return JSONResponse(graph.relationship_json(rel))


@router.post(
    "/graph/tenants/{tenant_id}/domains/{name}/publish-dns",
    summary="Publish the TXT record of an unverified domain, so that POST /v1.0/domains/{name}/verify succeeds",
)
async def publish_dns(tenant_id: str, name: str, request: Request, published: bool = True) -> Response:
    state = sim_state(request)
    domain = graph_state.of(state).tenant_domains(tenant_id).get(name.lower())
    if domain is None:
        return JSONResponse({"detail": f"tenant {tenant_id} has no unverified domain {name}"}, status_code=404)
    domain.dns_published = published
    state.touch()
    return JSONResponse(
        {"name": domain.name, "dns_published": domain.dns_published, "text": f"MS={domain.verification_code}"}
    )
