"""Microsoft Graph (``/v1.0``): what every Graph endpoint shares, and GDAP in the partner tenant.

Shared: bearer tokens for a Graph audience (the tenant is the token's ``tid``), Graph's error shape
``{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}`` with a
``request-id`` header on every answer, ``@odata.nextLink`` paging with ``$skipToken``, a small
``$filter``, ETags and ``If-Match``.

GDAP (documented in the Graph v1.0 reference, "delegatedAdminRelationship" and its methods):
relationships, their requests (``lockForApproval``, ``terminate``), access assignments and
operations. The customer's side (approval) is an admin call, see graph_admin.py. Where the reference
leaves an error's code or message open, the choice is marked "Assumed".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, Response

from . import graph_state
from .graph_state import AccessAssignment, Relationship, RelationshipRequest
from .http_util import origin, scope_header, sim_state
from .journal import RequestRecord, current_record
from .state import Partner, SimState, iso_utc

router = APIRouter(prefix="/v1.0", tags=["Microsoft Graph"])

# The Graph resource of each cloud (documented per national cloud), and Graph's application id,
# which Entra also accepts as the resource of a scope.
GRAPH_AUDIENCES = frozenset(
    {
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
        "00000003-0000-0000-c000-000000000000",
    }
)
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
MAX_TOP = 300  # documented for delegatedAdminRelationships
TENANT_SCOPE_KEY = "simulator.graph_tenant"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_AUTO_EXTEND = ("PT0S", "P0D", "P180D")  # documented values
_MAX_DURATION_S = 730 * 86400.0  # P2Y
_MIN_DURATION_S = 86400.0  # P1D


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers

    def response(self, record: RequestRecord) -> Response:
        return error_response(self.status, self.code, self.message, record, self.headers)


def error_response(
    status: int, code: str, message: str, record: RequestRecord, headers: dict[str, str] | None = None
) -> Response:
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
                "request-id": record.request_id,
                "client-request-id": record.correlation_id,
            },
        }
    }
    return Response(json.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def bad_request(message: str, code: str = "badRequest") -> GraphError:
    # Assumed: GDAP's validation errors carry the code "badRequest" (seen in answers quoted in public
    # issue threads); the messages are the simulator's.
    return GraphError(400, code, message)


# --- middleware hooks -----------------------------------------------------------------------------


def _bearer_token(scope: dict[str, Any]) -> str | None:
    authorization = scope_header(scope, b"authorization") or ""
    scheme, _, token = authorization.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def describe_request(record: RequestRecord, scope: dict[str, Any], state: SimState) -> None:
    record.request_id = str(uuid.uuid4())
    record.correlation_id = scope_header(scope, b"client-request-id") or record.request_id
    token = _bearer_token(scope)
    access = state.access_tokens.get(token) if token else None
    record.partner = access.partner_id if access else None
    if access is not None:
        scope[TENANT_SCOPE_KEY] = graph_state.of(state).token_tenants.get(token, access.partner_id)


def rate_limit_key(record: RequestRecord, scope: dict[str, Any]) -> str:
    """Graph throttles per app and tenant: its own windows, apart from Partner Center's."""
    return f"graph/{scope.get(TENANT_SCOPE_KEY) or record.partner}"


def response_headers(record: RequestRecord, scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    return [
        (b"request-id", record.request_id.encode("latin-1")),
        (b"client-request-id", record.correlation_id.encode("latin-1")),
    ]


def fault_response(status: int, retry_after: int, record: RequestRecord) -> Response:
    if status == 429:
        # Documented ("Microsoft Graph throttling guidance"): 429 with Retry-After.
        return error_response(
            429, "TooManyRequests", "Too many requests, please try again later.", record,
            {"Retry-After": str(retry_after)},
        )  # fmt: skip
    if status in (502, 504):
        # Assumed, undocumented: a gateway error comes from the front proxy as an HTML page, not as JSON.
        return Response(
            f"<html><body><h1>{status} Gateway error</h1></body></html>", status_code=status, media_type="text/html"
        )
    if status == 503:
        return error_response(
            503, "ServiceUnavailable", "The service is temporarily unavailable. Try again later.", record,
            {"Retry-After": str(retry_after)},
        )  # fmt: skip
    return error_response(status, "InternalServerError", "An internal server error occurred.", record)


def routing_error(status: int, path: str, record: RequestRecord) -> Response:
    if status == 405:
        return error_response(
            405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.", record
        )
    # Graph answers an unknown path with 400 and the first segment it could not resolve.
    segment = path.rstrip("/").rsplit("/", 1)[-1]
    return error_response(400, "BadRequest", f"Resource not found for the segment '{segment}'.", record)


def invalid_request(problems: list[str], record: RequestRecord) -> Response:
    return error_response(400, "BadRequest", "Invalid request: " + "; ".join(problems), record)


# --- authentication -----------------------------------------------------------------------------------


@dataclass(slots=True)
class GraphCaller:
    partner: Partner
    kind: str  # "app" or "app_user"
    tenant_id: str  # the token's tid: the partner's tenant, or a customer's (through GDAP)

    @property
    def in_partner_tenant(self) -> bool:
        return self.tenant_id.lower() == self.partner.tenant_id.lower()


_CHALLENGE = {
    "WWW-Authenticate": 'Bearer realm="", '
    'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
}


async def authenticated(request: Request) -> GraphCaller:
    """Any valid token for Graph's audience (messages as Graph gives them for the same mistakes)."""
    token = _bearer_token(request.scope)
    if token is None:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", _CHALLENGE)
    state = sim_state(request)
    access = state.access_tokens.get(token)
    if access is None:
        raise GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.", _CHALLENGE)
    if access.expires_at <= time.time():
        raise GraphError(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", _CHALLENGE
        )
    if access.audience not in GRAPH_AUDIENCES:
        raise GraphError(
            401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", _CHALLENGE
        )
    tenant_id = graph_state.of(state).token_tenants.get(token, access.partner_id)
    return GraphCaller(state.partners[access.partner_id.lower()], access.kind, tenant_id)


def insufficient_privileges() -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


async def partner_tenant(caller: GraphCaller = Depends(authenticated)) -> GraphCaller:
    """GDAP's partner-side API: a token of the partner's own tenant (app-only or App+User)."""
    # Assumed: a customer-tenant token is refused as insufficient, not answered with the customer's view.
    if not caller.in_partner_tenant:
        raise insufficient_privileges()
    return caller


# --- JSON bodies, ETags ---------------------------------------------------------------------------------


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
    try:
        body = json.loads(raw)
    except ValueError:
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type "
                         "header is set and payload is of valid JSON format.") from None  # fmt: skip
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The request payload must be a JSON object.")
    return body


def refuse_unknown_properties(body: dict[str, Any], allowed: Iterable[str], type_name: str) -> None:
    allowed_set = set(allowed) | {"@odata.type"}
    for name in body:
        if name not in allowed_set:
            # Graph's OData wording for a property the type does not have (or that cannot be written).
            raise GraphError(
                400,
                "BadRequest",
                f"The property '{name}' does not exist on type 'microsoft.graph.{type_name}' or cannot be set. "
                "Make sure to only use property names that are defined by the type.",
            )


def check_if_match(request: Request, etag: str) -> None:
    presented = request.headers.get("if-match")
    if not presented:
        # Documented: If-Match is required; assumed: its absence is a 400 (not a 428).
        raise bad_request("The If-Match header is required for this request.")
    # Assumed: "*" matches any version, as in HTTP; otherwise the ETag must be the current one, exactly.
    if presented.strip() != "*" and presented.strip() != etag:
        raise GraphError(
            412, "preconditionFailed", "The resource has been modified: the If-Match ETag is not the current one."
        )


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


# --- paging and $filter ------------------------------------------------------------------------------------


class _Filter:
    """A small OData ``$filter``: ``eq``, ``ne``, ``in``, ``and``, ``or``, ``not``, parentheses,
    string literals ('' escapes a quote), ``null``, ``true``, ``false``. String comparisons ignore case
    (assumed: the fields served here are enums, GUIDs and names)."""

    _TOKEN = re.compile(r"\s*(\(|\)|,|'(?:[^']|'')*'|[^\s(),]+)")

    def __init__(self, text: str, fields: dict[str, Callable[[Any], Any]]) -> None:
        self.fields = fields
        self.tokens = [token for token in self._TOKEN.findall(text) if token]
        self.position = 0
        if not self.tokens:
            raise self._invalid(text)
        self.text = text
        self.predicate = self._or()
        if self.position != len(self.tokens):
            raise self._invalid(text)

    @staticmethod
    def _invalid(text: str) -> GraphError:
        return GraphError(400, "BadRequest", f"Invalid filter clause: '{text}'.")

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise self._invalid(self.text)
        self.position += 1
        return token

    def _or(self) -> Callable[[Any], bool]:
        parts = [self._and()]
        while (self._peek() or "").lower() == "or":
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda item: any(part(item) for part in parts))

    def _and(self) -> Callable[[Any], bool]:
        parts = [self._not()]
        while (self._peek() or "").lower() == "and":
            self._take()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda item: all(part(item) for part in parts))

    def _not(self) -> Callable[[Any], bool]:
        if (self._peek() or "").lower() == "not":
            self._take()
            inner = self._not()
            return lambda item: not inner(item)
        if self._peek() == "(":
            self._take()
            inner = self._or()
            if self._take() != ")":
                raise self._invalid(self.text)
            return inner
        return self._comparison()

    def _value(self) -> Any:
        token = self._take()
        if token.startswith("'") and token.endswith("'") and len(token) >= 2:
            return token[1:-1].replace("''", "'").lower()
        lowered = token.lower()
        if lowered in ("null", "true", "false"):
            return {"null": None, "true": True, "false": False}[lowered]
        raise self._invalid(self.text)

    def _comparison(self) -> Callable[[Any], bool]:
        name = self._take()
        getter = next((get for field, get in self.fields.items() if field.lower() == name.lower()), None)
        if getter is None:
            raise GraphError(400, "BadRequest", f"Invalid filter clause: the property '{name}' cannot be filtered on.")
        operator = self._take().lower()

        def value_of(item: Any) -> Any:
            value = getter(item)
            return value.lower() if isinstance(value, str) else value

        if operator == "in":
            if self._take() != "(":
                raise self._invalid(self.text)
            values = [self._value()]
            while self._peek() == ",":
                self._take()
                values.append(self._value())
            if self._take() != ")":
                raise self._invalid(self.text)
            return lambda item: value_of(item) in values
        if operator not in ("eq", "ne"):
            raise GraphError(400, "BadRequest", f"Invalid filter clause: the operator '{operator}' is not supported.")
        expected = self._value()
        if operator == "eq":
            return lambda item: value_of(item) == expected
        return lambda item: value_of(item) != expected


def _encode_skip_token(values: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_skip_token(token: str) -> dict[str, Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, dict) or not isinstance(values.get("after"), int):
            raise ValueError(token)
        return values
    except (ValueError, binascii.Error):
        raise GraphError(400, "BadRequest", "The $skipToken is not valid.") from None


_SUPPORTED_QUERY = {"$filter", "$top", "$skiptoken", "$count", "$select"}


def paged(
    request: Request,
    path: str,
    items: Iterable[Any],
    fields: dict[str, Callable[[Any], Any]],
    to_json: Callable[[Any], dict[str, Any]],
    context: str,
) -> Response:
    """One page of ``items`` (in creation order, with a ``seq``), continuing after the skip token's item.

    Page size: ``$top`` (1..300), capped by the ``graph_max_page_size`` setting. The next link carries
    the filter and size in its ``$skipToken`` (assumed: Graph's token is opaque too).
    """
    query = {key.lower(): value for key, value in request.query_params.items()}
    for key in query:
        if key.startswith("$") and key not in _SUPPORTED_QUERY:
            # Assumed: the simulator serves only these OData options; Graph has more ($orderby...).
            raise GraphError(400, "BadRequest", f"Query option '{key}' is not supported.")
    if "$skiptoken" in query:
        saved = _decode_skip_token(query["$skiptoken"])
        filter_text, top, after, count = saved.get("filter"), saved.get("top"), saved["after"], saved.get("count")
        selected = saved.get("select")
    else:
        filter_text, after, count = query.get("$filter"), 0, query.get("$count", "").lower() == "true"
        selected = query.get("$select")
        top = None
        if "$top" in query:
            try:
                top = int(query["$top"])
            except ValueError:
                top = 0
            if not 1 <= top <= MAX_TOP:
                raise GraphError(400, "BadRequest", f"Invalid $top value '{query['$top']}': it must be 1 to {MAX_TOP}.")
    predicate = _Filter(filter_text, fields).predicate if filter_text else (lambda item: True)
    matching = [item for item in items if predicate(item)]
    limit = min(top or MAX_TOP, sim_state(request).settings.graph_max_page_size)
    remaining = [item for item in matching if item.seq > after]
    page, more = remaining[:limit], len(remaining) > limit
    body: dict[str, Any] = {"@odata.context": f"{origin(request.scope)}/v1.0/$metadata#{context}"}
    if count:
        body["@odata.count"] = len(matching)
    values = [to_json(item) for item in page]
    if selected:
        names = {name.strip() for name in selected.split(",") if name.strip()}
        values = [{k: v for k, v in value.items() if k in names or k in ("id", "@odata.etag", "@odata.type")}
                  for value in values]  # fmt: skip
    body["value"] = values
    if more:
        token = _encode_skip_token(
            {"after": page[-1].seq, "filter": filter_text, "top": top, "count": count, "select": selected}
        )
        body["@odata.nextLink"] = f"{origin(request.scope)}/v1.0{path}?$skiptoken={token}"
    return json_response(body)


# --- GDAP: relationships ---------------------------------------------------------------------------------

_RELATIONSHIPS = "/tenantRelationships/delegatedAdminRelationships"
_RELATIONSHIP_FIELDS: dict[str, Callable[[Relationship], Any]] = {
    "id": lambda r: r.id,
    "status": lambda r: r.status,
    "displayName": lambda r: r.display_name,
    "customer/tenantId": lambda r: r.customer_id,
    "customer/displayName": lambda r: r.customer_display_name,
    "autoExtendDuration": lambda r: r.auto_extend_duration,
}


def relationship_json(rel: Relationship) -> dict[str, Any]:
    customer = None
    if rel.customer_id is not None:
        customer = {"tenantId": rel.customer_id, "displayName": rel.customer_display_name}
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
        "@odata.etag": rel.etag,
        "id": rel.id,
        "displayName": rel.display_name,
        "duration": rel.duration,
        "customer": customer,
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in rel.roles]},
        "status": rel.status,
        "autoExtendDuration": rel.auto_extend_duration,
        "createdDateTime": iso_utc(rel.created),
        "lastModifiedDateTime": iso_utc(rel.modified),
        # Assumed: both are null until the customer approves (the list example shows that for approvalPending).
        "activatedDateTime": iso_utc(rel.activated) if rel.activated is not None else None,
        "endDateTime": iso_utc(rel.end) if rel.end is not None else None,
    }


def _relationships(state: SimState, caller: GraphCaller) -> list[Relationship]:
    now = time.time()
    found = sorted(graph_state.of(state).partner_relationships(caller.partner.tenant_id), key=lambda r: r.seq)
    for rel in found:
        rel.refresh(now)
    return found


def _relationship(state: SimState, caller: GraphCaller, relationship_id: str) -> Relationship:
    rel = graph_state.of(state).relationships.get(relationship_id.lower())
    if rel is None or rel.partner_id.lower() != caller.partner.tenant_id.lower():
        # Assumed: code "notFound"; another partner's relationship is hidden the same way.
        raise GraphError(404, "notFound", f"The delegated admin relationship '{relationship_id}' was not found.")
    rel.refresh(time.time())
    return rel


def _unified_roles(details: Any, what: str) -> list[str]:
    roles = details.get("unifiedRoles") if isinstance(details, dict) else None
    if not isinstance(roles, list) or not roles:
        raise bad_request(f"{what}: accessDetails.unifiedRoles must list at least one role.")
    ids: list[str] = []
    for role in roles:
        role_id = role.get("roleDefinitionId") if isinstance(role, dict) else None
        if not isinstance(role_id, str) or not _GUID.match(role_id):
            raise bad_request(f"{what}: every unifiedRoles entry needs a roleDefinitionId that is a GUID.")
        if role_id.lower() in ids:
            raise bad_request(f"{what}: the role {role_id} is listed twice.")
        ids.append(role_id.lower())
    return ids


def _check_duration(value: Any) -> str:
    seconds = graph_state.duration_seconds(value) if isinstance(value, str) else None
    if seconds is None or not _MIN_DURATION_S <= seconds <= _MAX_DURATION_S:
        raise bad_request(f"The duration '{value}' is not valid: it must be an ISO 8601 duration from P1D to P2Y.")
    return value


def _check_display_name(state: SimState, caller: GraphCaller, value: Any, renamed: Relationship | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request("The displayName is required.")
    if len(value) > 50:  # documented maximum
        raise bad_request("The displayName must be at most 50 characters long.")
    for other in graph_state.of(state).partner_relationships(caller.partner.tenant_id):
        if other is not renamed and other.display_name.lower() == value.lower():
            # Documented: unique across all the partner's relationships; assumed: compared without case.
            raise bad_request(f"A delegated admin relationship with the display name '{value}' already exists.")
    return value


def _check_customer(state: SimState, caller: GraphCaller, value: Any) -> tuple[str, str | None]:
    tenant_id = value.get("tenantId") if isinstance(value, dict) else None
    if not isinstance(tenant_id, str) or not _GUID.match(tenant_id):
        raise bad_request("customer.tenantId must be a tenant id (a GUID).")
    customer = caller.partner.customers.get(tenant_id.lower())
    if customer is None:
        # Assumed: a tenant that is not the partner's customer is refused.
        raise bad_request(f"The tenant {tenant_id} is not a customer of the partner.")
    return customer.id, value.get("displayName") or None


def _check_auto_extend(value: Any, roles: list[str]) -> str:
    if value not in _AUTO_EXTEND:
        raise bad_request(f"The autoExtendDuration '{value}' is not valid: it must be PT0S, P0D or P180D.")
    if value == "P180D" and graph_state.GLOBAL_ADMINISTRATOR in roles:
        # Documented (GDAP FAQ): no auto-extension for relationships with the Global Administrator role.
        raise bad_request(
            "Auto-extension is not supported for relationships that include the Global Administrator role."
        )
    return value


def _with_etag(rel_or_assignment: Relationship | AccessAssignment, body: dict[str, Any], status: int = 200,
               location: str | None = None) -> Response:  # fmt: skip
    headers = {"ETag": rel_or_assignment.etag}
    if location:
        headers["Location"] = location
    return json_response(body, status, headers)


@router.get(_RELATIONSHIPS)
async def list_relationships(request: Request, caller: GraphCaller = Depends(partner_tenant)) -> Response:
    return paged(
        request, _RELATIONSHIPS, _relationships(sim_state(request), caller), _RELATIONSHIP_FIELDS,
        relationship_json, "delegatedAdminRelationships",
    )  # fmt: skip


@router.post(_RELATIONSHIPS, status_code=201)
async def create_relationship(request: Request, caller: GraphCaller = Depends(partner_tenant)) -> Response:
    state = sim_state(request)
    body = await json_body(request)
    refuse_unknown_properties(
        body,
        ("displayName", "duration", "customer", "accessDetails", "autoExtendDuration"),
        "delegatedAdminRelationship",
    )
    display_name = _check_display_name(state, caller, body.get("displayName"))
    duration = _check_duration(body.get("duration"))
    roles = _unified_roles(body.get("accessDetails"), "accessDetails")
    customer_id, customer_name = (None, None)
    if body.get("customer") is not None:
        customer_id, customer_name = _check_customer(state, caller, body["customer"])
    auto_extend = _check_auto_extend(body.get("autoExtendDuration", "PT0S"), roles)
    now = time.time()
    rel = Relationship(
        id=f"{uuid.uuid4()}-{uuid.uuid4()}",
        partner_id=caller.partner.tenant_id,
        display_name=display_name,
        duration=duration,
        roles=roles,
        seq=state.next_seq(),
        created=now,
        modified=now,
        customer_id=customer_id,
        customer_display_name=customer_name,
        auto_extend_duration=auto_extend,
    )
    graph_state.of(state).relationships[rel.id.lower()] = rel
    state.touch()
    location = f"{origin(request.scope)}/v1.0{_RELATIONSHIPS}/{rel.id}"
    return _with_etag(rel, relationship_json(rel), 201, location)


@router.get(_RELATIONSHIPS + "/{relationship_id}")
async def get_relationship(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    rel = _relationship(sim_state(request), caller, relationship_id)
    return _with_etag(rel, relationship_json(rel))


@router.patch(_RELATIONSHIPS + "/{relationship_id}")
async def update_relationship(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    check_if_match(request, rel.etag)
    body = await json_body(request)
    refuse_unknown_properties(
        body,
        ("displayName", "duration", "customer", "accessDetails", "autoExtendDuration"),
        "delegatedAdminRelationship",
    )
    # Documented: only a relationship in "created" can change, except autoExtendDuration, also when active.
    only_auto_extend = set(body) - {"@odata.type"} <= {"autoExtendDuration"}
    if rel.status != "created" and not (only_auto_extend and rel.status == "active"):
        raise bad_request(f"The relationship cannot be updated in the status '{rel.status}'.")
    display_name = _check_display_name(state, caller, body["displayName"], rel) if "displayName" in body else None
    duration = _check_duration(body["duration"]) if "duration" in body else None
    roles = _unified_roles(body["accessDetails"], "accessDetails") if "accessDetails" in body else rel.roles
    customer = _check_customer(state, caller, body["customer"]) if body.get("customer") is not None else None
    auto_extend = _check_auto_extend(body.get("autoExtendDuration", rel.auto_extend_duration), roles)
    # every check is done: nothing below fails, so a refused PATCH changes nothing
    if display_name is not None:
        rel.display_name = display_name
    if duration is not None:
        rel.duration = duration
    if customer is not None:
        rel.customer_id, rel.customer_display_name = customer
    rel.roles, rel.auto_extend_duration = roles, auto_extend
    rel.touch()
    state.touch()
    return _with_etag(rel, relationship_json(rel))


@router.delete(_RELATIONSHIPS + "/{relationship_id}", status_code=204)
async def delete_relationship(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    check_if_match(request, rel.etag)
    if rel.status != "created":  # documented
        raise bad_request(f"Only a relationship in the status 'created' can be deleted; this one is '{rel.status}'.")
    del graph_state.of(state).relationships[rel.id.lower()]
    state.touch()
    return Response(status_code=204)


# --- GDAP: requests (lockForApproval, terminate) ------------------------------------------------------------


def _request_json(rel: Relationship, item: RelationshipRequest, status: str | None = None) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest",
        "id": item.id,
        "action": item.action,
        "status": status or item.status,
        "createdDateTime": iso_utc(item.created),
        "lastModifiedDateTime": iso_utc(item.created),
    }


@router.post(_RELATIONSHIPS + "/{relationship_id}/requests", status_code=201)
async def create_request(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    body = await json_body(request)
    refuse_unknown_properties(body, ("action",), "delegatedAdminRelationshipRequest")
    action = body.get("action")
    if action == "lockForApproval":
        if rel.status != "created":
            raise bad_request(
                f"lockForApproval needs a relationship in the status 'created'; this one is '{rel.status}'."
            )
        rel.status = "approvalPending"
    elif action == "terminate":
        if rel.status not in ("active", "expiring"):
            raise bad_request(f"terminate needs an active relationship; this one is '{rel.status}'.")
        # Assumed: termination completes at once (Graph passes through terminationRequested and terminating).
        rel.status, rel.end = "terminated", time.time()
    elif action in ("approve", "reject"):
        raise bad_request(f"The action '{action}' can only be taken by the customer.")
    else:
        raise bad_request(f"The action '{action}' is not valid: it must be lockForApproval or terminate.")
    rel.touch()
    item = RelationshipRequest(str(uuid.uuid4()), action, time.time())
    rel.requests.append(item)
    state.touch()
    location = f"{origin(request.scope)}/v1.0{_RELATIONSHIPS}/{rel.id}/requests/{item.id}"
    # Documented: the answer shows the request as "created"; a later read shows it "succeeded".
    return json_response(_request_json(rel, item, "created"), 201, {"Location": location})


@router.get(_RELATIONSHIPS + "/{relationship_id}/requests")
async def list_requests(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    rel = _relationship(sim_state(request), caller, relationship_id)
    return json_response({"value": [_request_json(rel, item) for item in rel.requests]})


@router.get(_RELATIONSHIPS + "/{relationship_id}/requests/{request_id}")
async def get_request(
    relationship_id: str, request_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    rel = _relationship(sim_state(request), caller, relationship_id)
    for item in rel.requests:
        if item.id == request_id.lower():
            return json_response(_request_json(rel, item))
    raise GraphError(404, "notFound", f"The request '{request_id}' was not found.")


# --- GDAP: access assignments ---------------------------------------------------------------------------------

_ASSIGNMENT_FIELDS: dict[str, Callable[[AccessAssignment], Any]] = {
    "id": lambda a: a.id,
    "status": lambda a: a.status,
    "accessContainer/accessContainerId": lambda a: a.security_group_id,
    "accessContainer/accessContainerType": lambda a: "securityGroup",
}


def _seen(assignment: AccessAssignment) -> AccessAssignment:
    """A read: a pending assignment turns active once its ``pending_reads`` are used up."""
    if assignment.status == "pending":
        if assignment.pending_reads > 0:
            assignment.pending_reads -= 1
        else:
            # Assumed: provisioning ends without changing the ETag (it is not the partner's change).
            assignment.status = "active"
    return assignment


def assignment_json(assignment: AccessAssignment) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
        "@odata.etag": assignment.etag,
        "id": assignment.id,
        "status": assignment.status,
        "createdDateTime": iso_utc(assignment.created),
        "lastModifiedDateTime": iso_utc(assignment.modified),
        "accessContainer": {"accessContainerId": assignment.security_group_id, "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in assignment.roles]},
    }


def _assignment(rel: Relationship, assignment_id: str) -> AccessAssignment:
    assignment = rel.access_assignments.get(assignment_id.lower())
    if assignment is None:
        raise GraphError(404, "notFound", f"The access assignment '{assignment_id}' was not found.")
    return assignment


def _check_subset(rel: Relationship, roles: list[str]) -> None:
    missing = [role for role in roles if role not in rel.roles]
    if missing:
        raise bad_request(
            "The roles " + ", ".join(missing) + " are not part of the delegated admin relationship's access details."
        )


@router.get(_RELATIONSHIPS + "/{relationship_id}/accessAssignments")
async def list_assignments(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    rel = _relationship(sim_state(request), caller, relationship_id)
    items = sorted(rel.access_assignments.values(), key=lambda a: a.seq)
    return paged(
        request, f"{_RELATIONSHIPS}/{rel.id}/accessAssignments", [_seen(a) for a in items], _ASSIGNMENT_FIELDS,
        assignment_json, f"tenantRelationships/delegatedAdminRelationships('{rel.id}')/accessAssignments",
    )  # fmt: skip


@router.post(_RELATIONSHIPS + "/{relationship_id}/accessAssignments", status_code=201)
async def create_assignment(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    body = await json_body(request)
    refuse_unknown_properties(body, ("accessContainer", "accessDetails"), "delegatedAdminAccessAssignment")
    if rel.status != "active":
        # Assumed: access can be assigned only through an active relationship.
        raise bad_request(f"Access can only be assigned in an active relationship; this one is '{rel.status}'.")
    container = body.get("accessContainer")
    group_id = container.get("accessContainerId") if isinstance(container, dict) else None
    if not isinstance(group_id, str) or not _GUID.match(group_id):
        raise bad_request("accessContainer.accessContainerId must be the id (a GUID) of a security group.")
    if container.get("accessContainerType") != "securityGroup":
        raise bad_request("accessContainer.accessContainerType must be 'securityGroup'.")
    roles = _unified_roles(body.get("accessDetails"), "accessDetails")
    _check_subset(rel, roles)
    for other in rel.access_assignments.values():
        if other.security_group_id.lower() == group_id.lower():
            # Assumed: one assignment per security group and relationship; a second is refused.
            raise bad_request(f"An access assignment for the security group {group_id} already exists.")
    now = time.time()
    assignment = AccessAssignment(
        str(uuid.uuid4()), group_id, roles, state.next_seq(), now, now,
        status="pending", pending_reads=state.settings.graph_access_assignment_pending_reads,
    )  # fmt: skip
    rel.access_assignments[assignment.id.lower()] = assignment
    state.touch()
    location = f"{origin(request.scope)}/v1.0{_RELATIONSHIPS}/{rel.id}/accessAssignments/{assignment.id}"
    return _with_etag(assignment, assignment_json(assignment), 201, location)


@router.get(_RELATIONSHIPS + "/{relationship_id}/accessAssignments/{assignment_id}")
async def get_assignment(
    relationship_id: str, assignment_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    rel = _relationship(sim_state(request), caller, relationship_id)
    assignment = _seen(_assignment(rel, assignment_id))
    return _with_etag(assignment, assignment_json(assignment))


@router.patch(_RELATIONSHIPS + "/{relationship_id}/accessAssignments/{assignment_id}")
async def update_assignment(
    relationship_id: str, assignment_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    assignment = _assignment(rel, assignment_id)
    check_if_match(request, assignment.etag)
    body = await json_body(request)
    refuse_unknown_properties(body, ("accessDetails",), "delegatedAdminAccessAssignment")
    roles = _unified_roles(body.get("accessDetails"), "accessDetails")
    _check_subset(rel, roles)
    if rel.status != "active":
        raise bad_request(f"Access can only be changed in an active relationship; this one is '{rel.status}'.")
    if sorted(roles) == sorted(assignment.roles):
        # Documented: identical values get 200 with the unchanged object.
        return _with_etag(assignment, assignment_json(assignment))
    now = time.time()
    assignment.roles, assignment.modified, assignment.etag = roles, now, graph_state.new_etag()
    assignment.status, assignment.pending_reads = "pending", state.settings.graph_access_assignment_pending_reads
    operation_id = str(uuid.uuid4())
    graph_state.of(state).operations[operation_id] = {
        "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation",
        "id": operation_id,
        "operationType": "delegatedAdminAccessAssignmentUpdate",
        "status": "succeeded",  # Assumed: the long-running operation has finished by the first look
        "data": json.dumps(
            {"id": assignment.id, "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in roles]}}
        ),
        "createdDateTime": iso_utc(now),
        "lastModifiedDateTime": iso_utc(now),
        "relationship": rel.id.lower(),
    }
    state.touch()
    location = f"{origin(request.scope)}/v1.0{_RELATIONSHIPS}/{rel.id}/operations/{operation_id}"
    # Documented: usually 202 Accepted with the operation in Location and a Retry-After.
    return json_response({}, 202, {"Location": location, "Retry-After": "1"})


@router.delete(_RELATIONSHIPS + "/{relationship_id}/accessAssignments/{assignment_id}", status_code=204)
async def delete_assignment(
    relationship_id: str, assignment_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    assignment = _assignment(rel, assignment_id)
    check_if_match(request, assignment.etag)
    # Assumed: the assignment is gone at once (Graph shows it "deleting", then "deleted", for a while).
    del rel.access_assignments[assignment.id.lower()]
    state.touch()
    return Response(status_code=204)


@router.get(_RELATIONSHIPS + "/{relationship_id}/operations")
async def list_operations(
    relationship_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    operations = [
        _public(op) for op in graph_state.of(state).operations.values() if op["relationship"] == rel.id.lower()
    ]
    return json_response({"value": operations})


@router.get(_RELATIONSHIPS + "/{relationship_id}/operations/{operation_id}")
async def get_operation(
    relationship_id: str, operation_id: str, request: Request, caller: GraphCaller = Depends(partner_tenant)
) -> Response:
    state = sim_state(request)
    rel = _relationship(state, caller, relationship_id)
    operation = graph_state.of(state).operations.get(operation_id.lower())
    if operation is None or operation["relationship"] != rel.id.lower():
        raise GraphError(404, "notFound", f"The operation '{operation_id}' was not found.")
    return json_response(_public(operation))


def _public(operation: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in operation.items() if key != "relationship"}
