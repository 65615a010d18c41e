"""Partner Center REST API (``/v1``): customers, customer users, domains.

Each partner tenant sees only its own customers. Writes with a client-chosen ``MS-RequestId`` are
idempotent: the same id (for the same partner) gets the first answer again.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from . import pc_models as models
from .http_util import scope_header, sim_state
from .journal import RequestRecord, current_record
from .pc_models import squash
from .state import Customer, Partner, SimState, StoredResponse, User, VerifiedDomain, iso_utc

router = APIRouter(prefix="/v1", tags=["Partner Center"])

AUDIENCE = "https://api.partnercenter.microsoft.com"
JSON_TYPE = "application/json; charset=utf-8"
# Assumed, undocumented: the code of a 409 for a UPN or a domain that already exists.
CONFLICT_CODE = 600011


class PartnerCenterError(Exception):
    def __init__(self, status: int, code: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status, self.code, self.description, self.headers = status, code, description, headers

    def response(self) -> Response:
        body = models.ErrorBody(code=self.code, description=self.description).to_json()
        return Response(body, status_code=self.status, media_type=JSON_TYPE, headers=self.headers)


def invalid_property(description: str, data: list[str] | None = None) -> Response:
    body = models.ErrorBody(code=3000, description=description, data=data or []).to_json()
    return Response(body, status_code=400, media_type=JSON_TYPE)


# --- middleware hooks -----------------------------------------------------------------------------


def _bearer_token(scope: dict[str, Any]) -> str | None:
    authorization = scope_header(scope, b"authorization") or ""
    scheme, _, token = authorization.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def describe_request(record: RequestRecord, scope: dict[str, Any], state: SimState) -> None:
    request_id = scope_header(scope, b"ms-requestid")
    record.client_sent_request_id = bool(request_id)
    record.request_id = request_id or str(uuid.uuid4())
    record.correlation_id = scope_header(scope, b"ms-correlationid") or str(uuid.uuid4())
    token = _bearer_token(scope)
    access = state.access_tokens.get(token) if token else None
    record.partner = access.partner_id if access else None


def response_headers(record: RequestRecord, scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    client_cv = scope_header(scope, b"ms-cv")
    cv = f"{client_cv}.1" if client_cv else f"{secrets.token_urlsafe(16)}.0"
    return [
        (b"ms-requestid", record.request_id.encode("latin-1")),
        (b"ms-correlationid", record.correlation_id.encode("latin-1")),
        (b"ms-cv", cv.encode("latin-1")),
        (b"ms-serverid", b"simulator"),
    ]


def fault_response(status: int, retry_after: int, record: RequestRecord) -> Response:
    if status == 429:
        body = models.ThrottledBody(message=f"Rate limit is exceeded. Try again in {retry_after} seconds.").to_json()
        return Response(body, status_code=429, media_type=JSON_TYPE, headers={"Retry-After": str(retry_after)})
    if status in (502, 504):
        # Assumed, undocumented: a gateway error comes from the front proxy as an HTML page, not as JSON.
        return Response(
            f"<html><body><h1>{status} Gateway error</h1></body></html>", status_code=status, media_type="text/html"
        )
    headers = {"Retry-After": str(retry_after)} if status == 503 else None
    # Assumed, undocumented: a server error's code is its HTTP status.
    return PartnerCenterError(
        status, status, "The service encountered an error. Please try again later.", headers
    ).response()


def routing_error(status: int) -> Response:
    """A request for a path or method this API does not have."""
    code = 1000 if status == 404 else status
    return PartnerCenterError(status, code, "Not found" if status == 404 else "Method not allowed").response()


# --- authentication --------------------------------------------------------------------------------


@dataclass(slots=True)
class Caller:
    partner: Partner
    kind: str  # "app" or "app_user"


async def authenticated(request: Request) -> Caller:
    """Any valid Partner Center token, app-only or App+User."""
    record = current_record(request)
    # Assumed, undocumented: the realm names the call's correlation id.
    challenge = {"WWW-Authenticate": f"OAuth realm=urn:cpsvc:cpid:{record.correlation_id}"}
    token = _bearer_token(request.scope)
    if token is None:
        raise PartnerCenterError(401, 800001, "Partner Token missing in request context", challenge)
    state = sim_state(request)
    access = state.access_tokens.get(token)
    if access is None:
        raise PartnerCenterError(401, 400, "Access denied: the access token is not valid.", challenge)
    if access.expires_at <= time.time():
        raise PartnerCenterError(401, 400, "Access denied: the access token has expired.", challenge)
    if access.audience != AUDIENCE:
        raise PartnerCenterError(401, 400, f"Access denied: the access token's audience is not {AUDIENCE}.", challenge)
    return Caller(state.partners[access.partner_id.lower()], access.kind)


async def app_user(caller: Caller = Depends(authenticated)) -> Caller:
    """An App+User token: the user APIs accept no other (documented)."""
    if caller.kind != "app_user":
        # Assumed, undocumented: the code (2032, "Access denied" in the error table).
        raise PartnerCenterError(
            403,
            2032,
            "Access denied: this operation requires App+User authentication; app-only tokens are not supported.",
        )
    return caller


def _customer(state: SimState, caller: Caller, customer_id: str) -> Customer:
    customer = state.customers.get(customer_id.lower())
    if customer is None:  # Assumed: the error table's 60003, as the docs show no example
        raise PartnerCenterError(404, 60003, "Tenant not found")
    if customer.partner_id != caller.partner.tenant_id:
        # Assumed: another partner's customer is refused as the error table's 20002 says, not hidden as a 404.
        raise PartnerCenterError(
            403,
            20002,
            f"The partner id {caller.partner.tenant_id} has no commerce relationship with the customer id "
            f"{customer.id}",
        )
    return customer


def _user(customer: Customer, user_id: str) -> User:
    user = customer.users.get(user_id.lower())
    if user is None:
        raise PartnerCenterError(404, 60002, "User object Id is not found")
    return user


# --- responses -----------------------------------------------------------------------------------


def _json(model: models.OutModel, status: int = 200) -> Response:
    return Response(model.to_json(), status_code=status, media_type=JSON_TYPE)


def _self_link(uri: str) -> models.ResourceLinks:
    return models.ResourceLinks(self_link=models.Link(uri=uri))


def _customer_model(customer: Customer, full: bool) -> models.Customer:
    uri = f"/customers/{customer.id}"
    resource = models.Customer(
        id=customer.id,
        company_profile=models.CompanyProfile(
            tenant_id=customer.id,
            domain=customer.domain,
            company_name=customer.company_name,
            links=_self_link(f"{uri}/profiles/company"),
        ),
        relationship_to_partner=customer.relationship_to_partner,
        links=_self_link(uri),
    )
    if full:  # the list has the reduced shape the docs show
        resource.commerce_id = customer.commerce_id
        resource.allow_delegated_access = customer.allow_delegated_access
        resource.custom_domains = [domain.name for domain in customer.custom_domains.values()]
    return resource


def _user_model(customer: Customer, user: User, echo_password: str | None = None) -> models.CustomerUser:
    return models.CustomerUser(
        id=user.id,
        user_principal_name=user.user_principal_name,
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=user.display_name,
        usage_location=user.usage_location,
        immutable_id=user.immutable_id,
        phone_number=user.phone_number,
        password_profile=(
            models.PasswordProfile(password=echo_password, force_change_password=user.force_change_password)
            if echo_password is not None
            else None
        ),
        state=user.state,
        soft_deletion_time=user.soft_deletion_time,
        links=_self_link(f"/customers/{customer.id}/users/{user.id}"),
    )


def _domain_model(domain: VerifiedDomain) -> models.Domain:
    return models.Domain(
        authentication_type=domain.authentication_type,
        capability=domain.capability,
        is_default=domain.is_default,
        is_initial=domain.is_initial,
        name=domain.name,
        root_domain=domain.root_domain,
        status=domain.status,
        verification_method=domain.verification_method,
    )


# --- idempotent writes -----------------------------------------------------------------------------


def _idempotent(request: Request, caller: Caller, write: Callable[[], Response]) -> Response:
    """Run ``write`` once per (partner, client-sent MS-RequestId); repeats get the stored first answer.

    Assumed, undocumented: the stored answer is returned whatever the repeated request's path or body,
    errors are stored as well as successes, and nothing is ever forgotten (until a reset).
    """
    record = current_record(request)
    state = sim_state(request)
    key = (caller.partner.tenant_id, record.request_id)
    if record.client_sent_request_id and key in state.stored_responses:
        stored = state.stored_responses[key]
        return Response(stored.body, status_code=stored.status, media_type=stored.media_type)
    try:
        response = write()
    except PartnerCenterError as error:
        response = error.response()
    if record.client_sent_request_id:
        state.stored_responses[key] = StoredResponse(response.status_code, bytes(response.body), response.media_type)
    return response


# --- paging --------------------------------------------------------------------------------------


@dataclass(slots=True)
class PageRequest:
    size: int  # as the client asked; the server caps it at pc_max_page_size
    filter: str | None
    after_seq: int  # items up to this creation sequence number were on earlier pages


def _page_request(
    collection: str,
    size: int | None,
    filter_text: str | None,
    seek_operation: str | None,
    continuation_token: str | None,
) -> PageRequest:
    if seek_operation is None:  # no size: the server's largest page
        return PageRequest(size or 0, filter_text, 0)
    # Assumed, undocumented: the continuation token carries size and filter; the query's are ignored.
    if seek_operation.lower() != "next":
        # Assumed: only Next is served (the SDK also names Previous, First, Last, PageIndex).
        raise PartnerCenterError(400, 3000, f"Invalid property: seekOperation {seek_operation} is not supported.")
    if not continuation_token:
        raise PartnerCenterError(
            400, 3000, "Invalid property: seekOperation=Next needs the MS-ContinuationToken header."
        )
    try:
        saved = json.loads(base64.urlsafe_b64decode(continuation_token.encode()))
        if saved["collection"] != collection:
            raise ValueError(collection)
        return PageRequest(int(saved["size"]), saved["filter"], int(saved["after"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise PartnerCenterError(400, 3000, "Invalid property: the continuation token is not valid.") from None


def _continuation_token(collection: str, page: PageRequest, after_seq: int) -> str:
    saved = {"collection": collection, "size": page.size, "filter": page.filter, "after": after_seq}
    return base64.urlsafe_b64encode(json.dumps(saved, separators=(",", ":")).encode()).decode()


Paged = TypeVar("Paged", Customer, User)


def _paged_collection(
    state: SimState,
    collection: str,
    page: PageRequest,
    candidates: Iterable[Paged],
    to_model: Callable[[Paged], BaseModel],
) -> Response:
    """One page of a seek-paged collection, continuing after ``page.after_seq`` (so deletions never shift it)."""
    limit = state.settings.pc_max_page_size if page.size <= 0 else min(page.size, state.settings.pc_max_page_size)
    items: list[Paged] = []
    more = False
    for item in candidates:
        if item.seq <= page.after_seq:
            continue
        if len(items) == limit:
            more = True
            break
        items.append(item)
    query = f"?size={limit}" + (f"&filter={quote(page.filter, safe='')}" if page.filter else "")
    links = models.CollectionLinks(self_link=models.Link(uri=f"{collection}{query}"))
    token = None
    if more:
        token = _continuation_token(collection, page, items[-1].seq)
        links.next = models.Link(
            uri=f"{collection}?size={limit}&seekOperation=Next",
            headers=[models.LinkHeader(key="MS-ContinuationToken", value=token)],
        )
    body = models.Collection[Any](
        total_count=len(items), items=[to_model(item) for item in items], links=links, continuation_token=token
    )
    return _json(body)


def _parse_filter(filter_text: str) -> dict[str, str]:
    """The filter JSON with squashed member names (``Field``/``field``) and string values."""
    try:
        parsed = json.loads(filter_text)
        if not isinstance(parsed, dict):
            raise ValueError(filter_text)
        return {squash(key): str(value) for key, value in parsed.items()}
    except ValueError:
        raise PartnerCenterError(400, 3000, "Invalid property: filter must be a JSON object.") from None


def _customer_filter(filter_text: str | None) -> Callable[[Customer], bool]:
    if filter_text is None:
        return lambda customer: True
    spec = _parse_filter(filter_text)
    field, operator, value = (
        squash(spec.get("field", "")),
        squash(spec.get("operator", "")),
        spec.get("value", "").lower(),
    )
    # Assumed, undocumented: other operators and fields are refused with 400/3000.
    if operator != "startswith":
        raise PartnerCenterError(
            400, 3000, f"Invalid property: filter operator {spec.get('operator')} is not supported for customers."
        )
    if field in ("domain", "defaultdomainname"):  # Assumed: the default domain only, not custom domains
        return lambda customer: customer.domain.lower().startswith(value)
    if field in ("companyname", "displayname"):
        return lambda customer: customer.company_name.lower().startswith(value)
    raise PartnerCenterError(
        400, 3000, f"Invalid property: filter field {spec.get('field')} is not supported for customers."
    )


def _user_filter(filter_text: str | None) -> Callable[[User], bool]:
    if filter_text is None:
        return lambda user: user.active  # deleted users never appear in the plain list (documented)
    spec = _parse_filter(filter_text)
    field, operator, value = (
        squash(spec.get("field", "")),
        squash(spec.get("operator", "")),
        spec.get("value", "").lower(),
    )
    if field == "userstate" and operator == "equals" and value in ("active", "inactive"):
        return lambda user: user.state == value
    # Assumed, undocumented: UserState/equals is the only user filter; anything else is refused.
    raise PartnerCenterError(
        400, 3000, "Invalid property: the only supported user filter is UserState equals Active|Inactive."
    )


# --- customers -----------------------------------------------------------------------------------


@router.get("/customers", response_model=models.Collection[models.Customer])
async def list_customers(
    request: Request,
    caller: Caller = Depends(authenticated),
    size: int | None = None,
    filter_text: str | None = Query(None, alias="filter", description="URL-encoded JSON {Field, Value, Operator}"),
    seek_operation: str | None = Query(None, alias="seekOperation"),
    continuation_token: str | None = Header(None, alias="MS-ContinuationToken"),
) -> Response:
    page = _page_request("/customers", size, filter_text, seek_operation, continuation_token)
    matches = _customer_filter(page.filter)
    candidates = (customer for customer in caller.partner.customers.values() if matches(customer))
    return _paged_collection(
        sim_state(request), "/customers", page, candidates, lambda c: _customer_model(c, full=False)
    )


@router.get("/customers/{customer_id}", response_model=models.Customer)
async def get_customer(customer_id: str, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    return _json(_customer_model(_customer(sim_state(request), caller, customer_id), full=True))


# --- domains -------------------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/customDomains",
    response_model=list[str] | list[models.CustomDomainName] | models.Collection[models.CustomDomainName],
    description="The shape follows the custom_domains_format setting (the docs do not show it).",
)
async def list_custom_domains(customer_id: str, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    # Assumed, undocumented: the default onmicrosoft.com domain is not a "custom" domain and is not listed.
    names = [domain.name for domain in _customer(state, caller, customer_id).custom_domains.values()]
    style = state.settings.custom_domains_format
    if style == "names":
        return JSONResponse(names)
    objects = [models.CustomDomainName(name=name) for name in names]
    if style == "objects":
        return JSONResponse([item.model_dump() for item in objects])
    return _json(models.Collection[models.CustomDomainName](total_count=len(objects), items=objects))


@router.post("/customers/{customer_id}/verifieddomain", status_code=201, response_model=models.Domain)
async def add_verified_domain(
    customer_id: str, body: models.VerifiedDomainIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        customer = _customer(state, caller, customer_id)
        if state.domain_exists(body.verified_domain_name):
            # Assumed, undocumented: 409 for a domain on any tenant, this customer's own included.
            raise PartnerCenterError(409, CONFLICT_CODE, f"The domain {body.verified_domain_name} already exists.")
        settings = body.domain_federation_settings
        domain = VerifiedDomain(
            name=body.verified_domain_name,
            authentication_type=body.domain.authentication_type,
            capability=body.domain.capability,
            status=body.domain.status,
            verification_method=body.domain.verification_method,
            is_default=body.domain.is_default,
            is_initial=body.domain.is_initial,
            root_domain=body.domain.root_domain,
            federation_settings=settings.model_dump(exclude_none=True) if settings else None,
        )
        state.add_verified_domain(customer, domain)
        state.touch()
        return _json(_domain_model(domain), state.settings.add_domain_status)

    return _idempotent(request, caller, write)


@router.head("/domains/{domain}", status_code=200, responses={404: {"description": "No tenant has this domain."}})
async def domain_exists(domain: str, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    return Response(status_code=200 if sim_state(request).domain_exists(domain) else 404)


# --- users ---------------------------------------------------------------------------------------


def _check_upn(customer: Customer, upn: str, renamed_user: User | None = None) -> None:
    domain_name = upn.rpartition("@")[2].lower()
    if domain_name not in customer.domain_names():
        raise PartnerCenterError(
            400,
            3000,
            "Invalid property: the domain portion of the userPrincipalName property is invalid. You must use one of "
            "the verified domain names of the customer.",
        )
    domain = customer.custom_domains.get(domain_name)
    if domain is not None and domain.authentication_type == "federated":
        raise PartnerCenterError(400, 3000, "Invalid property: User domain can't be a federated domain.")
    existing = customer.users_by_upn.get(upn.lower())
    if existing is not None and existing is not renamed_user:
        # Assumed, undocumented: 409 with Graph's message; soft-deleted users keep their UPN taken.
        raise PartnerCenterError(
            409, CONFLICT_CODE, "Another object with the same value for property userPrincipalName already exists."
        )


@router.get("/customers/{customer_id}/users", response_model=models.Collection[models.CustomerUser])
async def list_users(
    customer_id: str,
    request: Request,
    caller: Caller = Depends(app_user),
    size: int | None = None,
    filter_text: str | None = Query(
        None, alias="filter", description='Only {"Field":"UserState","Value":"Inactive","Operator":"equals"}'
    ),
    seek_operation: str | None = Query(None, alias="seekOperation"),
    continuation_token: str | None = Header(None, alias="MS-ContinuationToken"),
) -> Response:
    state = sim_state(request)
    customer = _customer(state, caller, customer_id)
    collection = f"/customers/{customer.id}/users"
    page = _page_request(collection, size, filter_text, seek_operation, continuation_token)
    matches = _user_filter(page.filter)
    candidates = (user for user in customer.users.values() if matches(user))
    return _paged_collection(state, collection, page, candidates, lambda user: _user_model(customer, user))


@router.get("/customers/{customer_id}/users/{user_id}", response_model=models.CustomerUser)
async def get_user(customer_id: str, user_id: str, request: Request, caller: Caller = Depends(app_user)) -> Response:
    # Assumed, undocumented: a soft-deleted user is still returned by id, with state "inactive".
    customer = _customer(sim_state(request), caller, customer_id)
    return _json(_user_model(customer, _user(customer, user_id)))


@router.post("/customers/{customer_id}/users", status_code=201, response_model=models.CustomerUser)
async def create_user(
    customer_id: str, body: models.CustomerUserCreate, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        customer = _customer(state, caller, customer_id)
        _check_upn(customer, body.user_principal_name)
        user = User(
            id=str(uuid.uuid4()),
            user_principal_name=body.user_principal_name,
            display_name=body.display_name,
            seq=state.next_seq(),
            first_name=body.first_name,
            last_name=body.last_name,
            usage_location=body.usage_location,
            immutable_id=body.immutable_id,
            phone_number=body.phone_number,
            password=body.password_profile.password,
            force_change_password=bool(body.password_profile.force_change_password),
        )
        customer.add_user(user)
        state.touch()
        # Assumed: the create response echoes passwordProfile as the doc example does; no GET ever returns it.
        return _json(_user_model(customer, user, echo_password=user.password), state.settings.create_user_status)

    return _idempotent(request, caller, write)


@router.patch("/customers/{customer_id}/users/{user_id}", response_model=models.CustomerUser)
async def update_user(
    customer_id: str, user_id: str, body: models.CustomerUserPatch, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        customer = _customer(state, caller, customer_id)
        user = _user(customer, user_id)
        restore = body.state == "active" and not user.active
        if body.state == "inactive" and user.active:
            # Assumed, undocumented: PATCH cannot delete; DELETE does.
            raise PartnerCenterError(
                400, 3000, "Invalid property: State can only be set to active (restore); use DELETE to delete a user."
            )
        if not user.active and not restore:
            # Assumed, undocumented: a soft-deleted user can be restored but not otherwise changed.
            raise PartnerCenterError(404, 60002, "User object Id is not found")
        new_upn = body.user_principal_name
        if new_upn is not None:
            _check_upn(customer, new_upn, renamed_user=user)
        # every check is done: from here on nothing fails, so a refused PATCH changes nothing
        if new_upn is not None:
            customer.rename_user(user, new_upn)
        for name in ("first_name", "last_name", "display_name", "usage_location", "immutable_id", "phone_number"):
            value = getattr(body, name)
            if value is not None:
                setattr(user, name, value)
        if body.password_profile is not None:
            if body.password_profile.password:
                user.password = body.password_profile.password
            if body.password_profile.force_change_password is not None:
                user.force_change_password = body.password_profile.force_change_password
        if restore:
            user.state, user.soft_deletion_time = "active", None
        state.touch()
        return _json(_user_model(customer, user))

    return _idempotent(request, caller, write)


@router.delete("/customers/{customer_id}/users/{user_id}", status_code=204)
async def delete_user(customer_id: str, user_id: str, request: Request, caller: Caller = Depends(app_user)) -> Response:
    # Assumed, undocumented: DELETE is not replayed by MS-RequestId (POST and PATCH are), so a
    # retried DELETE whose first answer was lost gets the 404 below.
    state = sim_state(request)
    customer = _customer(state, caller, customer_id)
    user = _user(customer, user_id)
    if not user.active:
        raise PartnerCenterError(404, 60002, "User object Id is not found")  # Assumed, undocumented
    user.state, user.soft_deletion_time = "inactive", iso_utc()
    state.touch()
    return Response(status_code=204)
