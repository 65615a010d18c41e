"""CloudBlue Commerce APS REST API (``/aps/2``), as reached through a brand's APS booster.

Served: resource lists with RQL, GET/DELETE of one resource, and the Microsoft 365 application's
``bypass_ownership_validation`` custom operation. Callers sign with OAuth 1.0a (consumer key and
secret) or send an ``APS-Token``. Allowed Operations restrict custom operations only.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Callable
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, StringConstraints
from starlette.responses import JSONResponse, Response

from . import aps_resources, rql
from .http_util import origin, scope_header, sim_state, simulator
from .journal import RequestRecord
from .state import ApsConsumer, SimState

router = APIRouter(prefix="/aps/2", tags=["CloudBlue APS"])

APS_TOKEN_CALLER = "APS-Token"  # the journal's name for a token caller (the token itself is a secret)
_CONSUMER_KEY = re.compile(r'oauth_consumer_key="([^"]*)"')


class ApsError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def response(self) -> Response:
        return JSONResponse(
            {"code": self.status, "error": self.error, "message": self.message}, status_code=self.status
        )


def invalid_argument(message: str) -> Response:
    # Assumed, undocumented: the error name of a malformed request (400 is not evidenced at all).
    return ApsError(400, "APS::Util::InvalidArgument", message).response()


# --- middleware hooks -----------------------------------------------------------------------------


def describe_request(record: RequestRecord, scope: dict[str, Any], state: SimState) -> None:
    if scope_header(scope, b"aps-token") is not None:
        record.partner = APS_TOKEN_CALLER
        return
    match = _CONSUMER_KEY.search(scope_header(scope, b"authorization") or "")
    record.partner = unquote(match[1]) if match else None


def response_headers(record: RequestRecord, scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    return [(b"x-apsbooster-response", b"true")]


def fault_response(status: int, retry_after: int, record: RequestRecord) -> Response:
    if status == 429:
        # Assumed, undocumented: how the booster throttles; shaped like its other errors.
        error = ApsError(
            429, "APS::Util::TooManyRequests", f"Rate limit is exceeded. Try again in {retry_after} seconds."
        )
        response = error.response()
        response.headers["Retry-After"] = str(retry_after)
        return response
    if status in (502, 504):
        # Assumed, undocumented: a gateway error comes from the front proxy as an HTML page, not as JSON.
        return Response(
            f"<html><body><h1>{status} Gateway error</h1></body></html>", status_code=status, media_type="text/html"
        )
    response = ApsError(status, "APS::Util::Exception", "Internal error, please try again later.").response()
    if status == 503:
        response.headers["Retry-After"] = str(retry_after)
    return response


def routing_error(status: int) -> Response:
    return ApsError(
        status, "APS::Util::NotFound" if status == 404 else "APS::Util::MethodNotAllowed", "No such operation"
    ).response()


# --- authentication --------------------------------------------------------------------------------


@dataclass(slots=True)
class Caller:
    consumer: ApsConsumer | None  # None for an APS-Token caller


def _authentication_failed() -> ApsError:
    # Assumed: 403 for every authentication failure (the one status the sources show, for an expired token).
    return ApsError(403, "APS::Util::AuthenticationFailed", "Authentication Failed")


async def authenticated(request: Request) -> Caller:
    state = sim_state(request)
    aps_token = request.headers.get("aps-token")
    if aps_token is not None:
        if aps_token not in state.aps_tokens:
            raise _authentication_failed()
        return Caller(None)
    if not request.headers.get("authorization", "").startswith("OAuth "):
        raise _authentication_failed()
    scope = request.scope
    url = origin(scope) + scope["raw_path"].decode("latin-1")
    if scope["query_string"]:
        url += "?" + scope["query_string"].decode("latin-1")
    key = simulator(request).oauth1.verify(url, request.method, dict(request.headers), await request.body())
    if key is None:
        raise _authentication_failed()
    return Caller(state.aps_consumers[key])


def custom_operation(type_id: str, verb: str) -> Callable:
    """A dependency: the resource a custom operation is called on, after its Allowed Operations check."""

    async def target(resource_id: str, request: Request, caller: Caller = Depends(authenticated)) -> dict[str, Any]:
        resource = sim_state(request).aps_resources.get(resource_id.lower())
        if resource is None:
            raise _not_found(resource_id)
        resource_type = aps_resources.type_base(resource["aps"]["type"])
        if resource_type != aps_resources.type_base(type_id):
            raise ApsError(404, "APS::Util::NotFound", f"Resource {resource_id} has no such operation")
        # Assumed, undocumented: Allowed Operations bind OAuth consumers (APS Bus Access) only, not APS-Token callers.
        if caller.consumer is not None and (resource_type, verb) not in caller.consumer.allowed_operations:
            raise ApsError(
                403,
                "APS::Util::AccessViolation",
                f"Custom operation {verb} on {resource_type}: permission denied "
                "(not in the Allowed Operations of the consumer).",
            )
        return resource

    return target


def _not_found(resource_id: str) -> ApsError:
    # Assumed, undocumented: the error name of an unknown resource.
    return ApsError(404, "APS::Util::NotFound", f"Resource {resource_id} is not found")


# --- resources ------------------------------------------------------------------------------------


@router.get("/resources", summary="List resources selected by an RQL query string")
@router.get(
    "/resources/", include_in_schema=False
)  # both spellings occur in clients; no redirect (it would break the signature)
async def list_resources(request: Request, caller: Caller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    try:
        query = rql.parse(request.scope["query_string"].decode("latin-1"))
    except rql.RqlError as error:
        return invalid_argument(f"Invalid RQL query: {error}")
    selected = rql.run(query, state.aps_resources)
    total = len(selected)
    count = (
        state.settings.aps_max_page_size if query.count is None else min(query.count, state.settings.aps_max_page_size)
    )
    page = selected[query.start : query.start + count]
    if page:
        content_range = f"items {query.start}-{query.start + len(page) - 1}/{total}"
    else:
        content_range = f"items */{total}"  # Assumed, undocumented: how an empty page is described
    status = 200 if len(page) == total else 206  # Assumed: 206 exactly when the page is not everything
    return JSONResponse(page, status_code=status, headers={"Content-Range": content_range})


@router.get("/resources/{resource_id}")
async def get_resource(resource_id: str, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    resource = sim_state(request).aps_resources.get(resource_id.lower())
    if resource is None:
        raise _not_found(resource_id)
    return JSONResponse(resource)


@router.delete("/resources/{resource_id}", status_code=204)
async def delete_resource(resource_id: str, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    if state.aps_resources.pop(resource_id.lower(), None) is None:
        raise _not_found(resource_id)
    state.touch()
    return Response(status_code=204)


# --- Microsoft 365 application --------------------------------------------------------------------


class BypassRequest(BaseModel):
    account_id: int
    ms_tenant_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")]


@router.post(
    "/resources/{resource_id}/bypass_ownership_validation",
    responses={201: {"description": "with bypass_status 201"}, 204: {"description": "with bypass_status 204"}},
)
async def bypass_ownership_validation(
    body: BypassRequest,
    request: Request,
    application: dict[str, Any] = Depends(custom_operation(aps_resources.OFFICE365_APP_TYPE, "POST")),
) -> Response:
    state = sim_state(request)
    account = aps_resources.find_account(state.aps_resources, body.account_id)
    if account is None:
        # Assumed, undocumented: an unknown account is a bad argument (400), as the URL's resource exists.
        return invalid_argument(f"Account {body.account_id} is not found")
    # Assumed, undocumented: a repeated POST for the same account and tenant creates another resource,
    # so a client must look for an existing bypass first.
    resource = aps_resources.bypass_resource(str(uuid.uuid4()), body.ms_tenant_id, account)
    state.aps_resources[resource["aps"]["id"]] = resource
    state.touch()
    status = state.settings.bypass_status
    return Response(status_code=204) if status == 204 else JSONResponse(resource, status_code=status)
