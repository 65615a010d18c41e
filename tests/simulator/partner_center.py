"""Partner Center REST API (``/v1``): customers, customer users, domains, licenses, directory roles,
validations and agreements.

Each partner tenant sees only its own customers. Writes with a client-chosen ``MS-RequestId`` are
idempotent: the same id (for the same partner) gets the first answer again.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from . import graph_state, pc_catalog, seed
from . import pc_models as models
from .http_util import scope_header, sim_state
from .journal import RequestRecord, current_record
from .pc_models import squash
from .state import (
    Agreement,
    Customer,
    DirectoryRole,
    Partner,
    ServicePlan,
    SimState,
    StoredResponse,
    SubscribedSku,
    User,
    VerifiedDomain,
    iso_utc,
)

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
    if caller.kind == "app_user" and state.settings.gdap_enforce_partner_center:
        graph_state.check_partner_center_access(state, caller.partner, customer)
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
        if customer.billing_profile is not None:
            resource.company_profile.email = customer.billing_profile.get("email")
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
    customer = _customer(sim_state(request), caller, customer_id)
    resource = _customer_model(customer, full=True)
    billing = _billing_model(customer)
    if billing is not None:  # a customer created through POST /customers has a billing profile
        resource = models.CreatedCustomer.model_validate({**resource.model_dump(), "billingProfile": billing})
    return _json(resource)


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
            # Assumed, undocumented: a restored user gets its licenses back, even beyond the active units.
            customer.count_licenses(user, +1)
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
    # Assumed, undocumented: a soft-deleted user keeps its licenses and roles but consumes no unit and is
    # listed by no role until it is restored.
    customer.count_licenses(user, -1)
    state.touch()
    return Response(status_code=204)


# --- licenses ------------------------------------------------------------------------------------
# Reference: next_capabilities.md ("available licenses", "assign/remove licenses"). All App+User only.


def _collection(items: list[models.OutModel], self_uri: str) -> Response:
    """A Collection that is not paged (one page, no continuation)."""
    links = models.CollectionLinks(self_link=models.Link(uri=self_uri))
    return _json(models.Collection[Any](total_count=len(items), items=items, links=links))


def _product_sku(sku: SubscribedSku) -> models.ProductSku:
    return models.ProductSku(
        id=sku.id,
        name=sku.name,
        sku_part_number=sku.part_number,
        target_type=sku.target_type,
        license_group_id=sku.license_group_id,
    )


def _plan_model(plan: ServicePlan) -> models.ServicePlanOut:
    return models.ServicePlanOut(
        display_name=plan.display_name,
        service_name=plan.service_name,
        id=plan.id,
        capability_status=plan.capability_status,
        target_type=plan.target_type,
    )


def _subscribed_sku_model(sku: SubscribedSku) -> models.SubscribedSkuOut:
    return models.SubscribedSkuOut(
        available_units=sku.available_units,
        active_units=sku.active_units,
        consumed_units=sku.consumed_units,
        suspended_units=sku.suspended_units,
        total_units=sku.active_units + sku.suspended_units + sku.warning_units,
        warning_units=sku.warning_units,
        product_sku=_product_sku(sku),
        service_plans=[_plan_model(plan) for plan in sku.service_plans],
        capability_status=sku.capability_status,
    )


@router.get("/customers/{customer_id}/subscribedskus", response_model=models.Collection[models.SubscribedSkuOut])
async def list_subscribed_skus(customer_id: str, request: Request, caller: Caller = Depends(app_user)) -> Response:
    customer = _customer(sim_state(request), caller, customer_id)
    items = [_subscribed_sku_model(sku) for sku in customer.skus.values()]
    return _collection(items, f"/customers/{customer.id}/subscribedskus")


def _license_model(sku: SubscribedSku, excluded: list[str]) -> models.LicenseOut:
    left_out = {plan_id.lower() for plan_id in excluded}
    plans = [_plan_model(plan) for plan in sku.service_plans if plan.id.lower() not in left_out]
    return models.LicenseOut(service_plans=plans, product_sku=_product_sku(sku))


@router.get("/customers/{customer_id}/users/{user_id}/licenses", response_model=models.Collection[models.LicenseOut])
async def list_user_licenses(
    customer_id: str,
    user_id: str,
    request: Request,
    caller: Caller = Depends(app_user),
    license_group_ids: list[str] | None = Query(None, alias="licenseGroupIds"),
) -> Response:
    customer = _customer(sim_state(request), caller, customer_id)
    user = _user(customer, user_id)
    # Assumed, undocumented: without licenseGroupIds every group is returned.
    groups = {squash(group) for group in license_group_ids} if license_group_ids else None
    items = [
        _license_model(customer.skus[sku_id], excluded)
        for sku_id, excluded in user.licenses.items()
        if sku_id in customer.skus and (groups is None or squash(customer.skus[sku_id].license_group_id) in groups)
    ]
    return _collection(items, f"/customers/{customer.id}/users/{user.id}/licenses")


def _sku_of(customer: Customer, sku_id: str) -> SubscribedSku:
    sku = customer.skus.get(sku_id.lower())
    if sku is None:
        # Assumed, undocumented: code 3000 with the directory's message.
        raise PartnerCenterError(
            400, 3000, f"Invalid property: License {sku_id} does not correspond to a valid company License."
        )
    return sku


@router.post(
    "/customers/{customer_id}/users/{user_id}/licenseupdates", status_code=201, response_model=models.LicenseUpdateOut
)
async def update_user_licenses(
    customer_id: str, user_id: str, body: models.LicenseUpdateIn, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        customer = _customer(state, caller, customer_id)
        user = _user(customer, user_id)
        if not user.active:
            raise PartnerCenterError(404, 60002, "User object Id is not found")  # Assumed, undocumented
        assign = body.licenses_to_assign or []
        remove = body.licenses_to_remove or []
        if not assign and not remove:
            raise PartnerCenterError(400, 3000, "Invalid property: LicensesToAssign or LicensesToRemove is required.")
        assign_skus = [(_sku_of(customer, entry.sku_id), entry) for entry in assign]
        remove_skus = [_sku_of(customer, sku_id) for sku_id in remove]
        touched = [sku for sku, _ in assign_skus] + remove_skus
        if len({sku.id.lower() for sku in touched}) != len(touched):
            raise PartnerCenterError(400, 3000, "Invalid property: a SKU is named more than once in the request.")
        if len({squash(sku.license_group_id) for sku in touched}) > 1:
            # documented: one license group per request; Assumed: the code and text
            raise PartnerCenterError(
                400, 3000, "Invalid property: licenses of only one license group can be updated in a request."
            )
        if assign and not user.usage_location:
            # documented: a license needs the user's usage location; Assumed: the code and the directory's text
            raise PartnerCenterError(
                400, 3000, "License assignment failed because of invalid usage location: the user has none."
            )
        for sku in remove_skus:
            if sku.id.lower() not in user.licenses:
                raise PartnerCenterError(  # Assumed, undocumented
                    400, 3000, f"Invalid property: User does not have a corresponding license {sku.id}."
                )
        new_assignments: list[tuple[SubscribedSku, list[str]]] = []
        for sku, entry in assign_skus:
            plan_ids = {plan.id.lower(): plan.id for plan in sku.service_plans}
            excluded = []
            for plan_id in entry.excluded_plans or []:
                if plan_id.lower() not in plan_ids:
                    raise PartnerCenterError(  # Assumed, undocumented
                        400, 3000, f"Invalid property: SKU {sku.id} has no service plan {plan_id}."
                    )
                excluded.append(plan_ids[plan_id.lower()])
            if sku.id.lower() not in user.licenses and sku.available_units < 1:
                # documented: 60012 when no license is left; Assumed: the text
                raise PartnerCenterError(
                    400,
                    60012,
                    f"No licenses available for {sku.part_number} ({sku.id}): {sku.consumed_units} of "
                    f"{sku.active_units} active units are consumed.",
                )
            new_assignments.append((sku, excluded))
        # every check is done: nothing below fails, so a refused update changes nothing
        for sku in remove_skus:
            del user.licenses[sku.id.lower()]
            sku.consumed_units -= 1
        for sku, excluded in new_assignments:
            if sku.id.lower() not in user.licenses:
                sku.consumed_units += 1
            user.licenses[sku.id.lower()] = excluded  # re-assigning an assigned SKU changes its excluded plans
        state.touch()
        answer = models.LicenseUpdateOut(
            licenses_to_assign=[
                models.LicenseAssignmentOut(sku_id=sku.id, excluded_plans=excluded or None)
                for sku, excluded in new_assignments
            ]
            or None,
            licenses_to_remove=[sku.id for sku in remove_skus] or None,
        )
        return _json(answer, 201)

    return _idempotent(request, caller, write)


# --- directory roles -----------------------------------------------------------------------------
# Reference: partner_center_api.md §4 "Roles and licenses", next_capabilities.md. All App+User only.


def _role(customer: Customer, role_id: str) -> DirectoryRole:
    role = customer.roles.get(role_id.lower())
    if role is None:  # Assumed, undocumented: 404 with the generic "Not found" code
        raise PartnerCenterError(404, 1000, f"Not found: directory role {role_id}")
    return role


def _role_model(role: DirectoryRole) -> models.DirectoryRoleOut:
    return models.DirectoryRoleOut(name=role.name, id=role.id)


def _member_model(role: DirectoryRole, user: User) -> models.UserMemberOut:
    return models.UserMemberOut(
        user_principal_name=user.user_principal_name, display_name=user.display_name, id=user.id, role_id=role.id
    )


@router.get("/customers/{customer_id}/directoryroles", response_model=models.Collection[models.DirectoryRoleOut])
async def list_directory_roles(customer_id: str, request: Request, caller: Caller = Depends(app_user)) -> Response:
    customer = _customer(sim_state(request), caller, customer_id)
    return _collection(
        [_role_model(role) for role in customer.roles.values()], f"/customers/{customer.id}/directoryroles"
    )


@router.get(
    "/customers/{customer_id}/directoryroles/{role_id}/usermembers",
    response_model=models.Collection[models.UserMemberOut],
)
async def list_role_members(
    customer_id: str, role_id: str, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    customer = _customer(sim_state(request), caller, customer_id)
    role = _role(customer, role_id)
    members = [customer.users[key] for key in role.members if key in customer.users]
    items = [_member_model(role, user) for user in members if user.active]
    return _collection(items, f"/customers/{customer.id}/directoryroles/{role.id}/usermembers")


@router.post(
    "/customers/{customer_id}/directoryroles/{role_id}/usermembers",
    status_code=201,
    response_model=models.UserMemberOut,
)
async def add_role_member(
    customer_id: str, role_id: str, body: models.UserMemberIn, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        customer = _customer(state, caller, customer_id)
        role = _role(customer, role_id)
        user = _user(customer, body.id)
        if not user.active:
            raise PartnerCenterError(404, 60002, "User object Id is not found")  # Assumed, undocumented
        if user.id.lower() in role.members:
            # Assumed, undocumented: 400 3000 with the directory's message (next_capabilities.md quotes it)
            raise PartnerCenterError(
                400,
                3000,
                "One or more added object references already exist for the following modified properties: 'members'.",
            )
        role.members[user.id.lower()] = None
        state.touch()
        return _json(_member_model(role, user), 201)

    return _idempotent(request, caller, write)


@router.delete("/customers/{customer_id}/directoryroles/{role_id}/usermembers/{user_id}", status_code=204)
async def remove_role_member(
    customer_id: str, role_id: str, user_id: str, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    state = sim_state(request)
    customer = _customer(state, caller, customer_id)
    role = _role(customer, role_id)
    user = _user(customer, user_id)
    if user.id.lower() not in role.members:
        # Assumed, undocumented: removing a user that is not a member is 404 1000.
        raise PartnerCenterError(404, 1000, f"Not found: user {user.id} is not a member of role {role.id}")
    del role.members[user.id.lower()]
    state.touch()
    return Response(status_code=204)


@router.get(
    "/customers/{customer_id}/users/{user_id}/directoryroles", response_model=models.Collection[models.DirectoryRoleOut]
)
async def list_user_roles(
    customer_id: str, user_id: str, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    customer = _customer(sim_state(request), caller, customer_id)
    user = _user(customer, user_id)
    items = [_role_model(role) for role in customer.roles.values() if user.id.lower() in role.members]
    return _collection(items, f"/customers/{customer.id}/users/{user.id}/directoryroles")


# --- creating customers --------------------------------------------------------------------------
# Reference: next_capabilities.md ("create customer"). App-only or App+User.

ONMICROSOFT = ".onmicrosoft.com"
_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Countries where an organization registration number is required (the create-a-customer page's list).
REGISTRATION_NUMBER_COUNTRIES = frozenset(
    "AM AZ BY HU KZ KG MD RU TJ UZ UA IN BR ZA PL AE SA TR TH VN MM IQ SS VE".split()
)
_PHONE = re.compile(r"^\+?[0-9 ()./-]{7,25}$")
_REGISTRATION_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,30}$")


def _prefix(domain_or_prefix: str) -> str:
    """The onmicrosoft.com prefix of ``contoso`` or ``contoso.onmicrosoft.com``; 400 3000 otherwise."""
    value = domain_or_prefix.strip().lower()
    if value.endswith(ONMICROSOFT):
        value = value[: -len(ONMICROSOFT)]
    if not _PREFIX.match(value):
        raise PartnerCenterError(  # Assumed, undocumented: the code and text
            400, 3000, f"Invalid property: {domain_or_prefix} is not a valid onmicrosoft.com domain prefix."
        )
    return value


def _address_rule(state: SimState, address: models.AddressIn) -> dict[str, Any] | None:
    for rule in state.address_rules:
        if (
            squash(rule["address_line1"]) == squash(address.address_line1)
            and squash(rule["postal_code"]) == squash(address.postal_code)
            and rule["country"].upper() == address.country
        ):
            return rule
    return None


def _address_model(values: dict[str, Any]) -> models.AddressOut:
    return models.AddressOut(**{key: value for key, value in values.items() if key in models.AddressOut.model_fields})


def _billing_model(customer: Customer) -> models.BillingProfileOut | None:
    profile = customer.billing_profile
    if profile is None:
        return None
    return models.BillingProfileOut(
        **{key: value for key, value in profile.items() if key != "default_address"},
        default_address=_address_model(profile["default_address"]),
        links=_self_link(f"/customers/{customer.id}/profiles/billing"),
    )


def _check_new_customer(state: SimState, body: models.CustomerCreate) -> str:
    """Every refusal of POST /v1/customers, before anything is written; returns the new default domain.

    Assumed, undocumented: which input gives which of the documented codes. 600002: a registration
    number missing where the country requires one; 600049: a registration number of the wrong form;
    600050: a phone number of the wrong form; 600051: an address the address validation does not accept;
    403 600006: an associatedPartnerId that is not a partner this simulator knows. A taken prefix: 409 600011.
    """
    prefix = _prefix(body.company_profile.domain)
    address = body.billing_profile.default_address
    number = body.company_profile.organization_registration_number
    if not number and address.country in REGISTRATION_NUMBER_COUNTRIES:
        raise PartnerCenterError(
            400, 600002, f"The organizationRegistrationNumber is required for country {address.country}."
        )
    if number and not _REGISTRATION_NUMBER.match(number):
        raise PartnerCenterError(400, 600049, "The organizationRegistrationNumber is not valid.")
    if address.phone_number and not _PHONE.match(address.phone_number):
        raise PartnerCenterError(400, 600050, "The phone number is not valid.")
    rule = _address_rule(state, address)
    if rule is not None:
        raise PartnerCenterError(400, 600051, f"The address is not valid: {rule['validation_message']}")
    if body.associated_partner_id and state.partner(body.associated_partner_id) is None:
        raise PartnerCenterError(403, 600006, "The requested action is not allowed.")
    domain = prefix + ONMICROSOFT
    if state.domain_exists(domain):
        raise PartnerCenterError(409, CONFLICT_CODE, f"The domain {domain} already exists.")
    return domain


@router.post("/customers", status_code=201, response_model=models.CreatedCustomer)
async def create_customer(
    body: models.CustomerCreate, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        domain = _check_new_customer(state, body)
        billing = body.billing_profile
        customer = seed.new_customer(state, caller.partner, str(uuid.uuid4()), billing.company_name, domain)
        customer.billing_profile = billing.model_dump(exclude_none=True)
        customer.organization_registration_number = body.company_profile.organization_registration_number
        state.add_customer(caller.partner, customer)
        graph_state.add_default_relationship(state, caller.partner, customer)  # visible in Graph's GDAP
        # The initial admin: a Global Administrator who must change the password at first sign-in.
        password = _initial_password()
        admin = User(
            id=str(uuid.uuid4()),
            user_principal_name=f"admin@{domain}",
            display_name="admin",
            seq=state.next_seq(),
            first_name=billing.default_address.first_name or billing.first_name,
            last_name=billing.default_address.last_name or billing.last_name,
            usage_location=billing.default_address.country,
            password=password,
            force_change_password=True,
        )
        customer.add_user(admin)
        customer.roles[pc_catalog.GLOBAL_ADMINISTRATOR].members[admin.id.lower()] = None
        state.touch()
        resource = models.CreatedCustomer.model_validate(
            {
                **_customer_model(customer, full=True).model_dump(),
                "billingProfile": _billing_model(customer),
                # Assumed, undocumented: userName is the admin's whole UPN, not only "admin".
                "userCredentials": models.UserCredentials(user_name=admin.user_principal_name, password=password),
            }
        )
        return _json(resource, 201)

    return _idempotent(request, caller, write)


def _initial_password() -> str:
    """A password of the shape Partner Center hands out (upper, lower, digits, a symbol)."""
    return f"{secrets.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{secrets.token_hex(4)}{secrets.randbelow(90) + 10}!x"


# --- validations ---------------------------------------------------------------------------------


@router.get("/validations/checkdomainavailability/{prefix}", response_model=bool)
async def check_domain_availability(prefix: str, request: Request, caller: Caller = Depends(authenticated)) -> Response:
    """``true`` when ``<prefix>.onmicrosoft.com`` is free on every tenant (partners' and customers')."""
    domain = _prefix(prefix) + ONMICROSOFT
    return JSONResponse(not sim_state(request).domain_exists(domain))


@router.post("/validations/address", response_model=models.AddressValidationOut)
async def validate_address(
    body: models.AddressIn, request: Request, caller: Caller = Depends(authenticated)
) -> Response:
    """Answers 200 with a status; the seed's ``address_validation`` rules name the addresses refused.

    Assumed, undocumented: an accepted address has status ``VerifiedShippable`` and no suggestion.
    """
    original = _address_model(body.model_dump(exclude_none=True))
    rule = _address_rule(sim_state(request), body)
    if rule is None:
        return _json(models.AddressValidationOut(original_address=original, status="VerifiedShippable"))
    answer = models.AddressValidationOut(
        original_address=original,
        suggested_addresses=[_address_model(item) for item in rule.get("suggested_addresses", [])],
        status=rule["status"],
        validation_message=rule["validation_message"],
    )
    return _json(answer)


# --- agreements ----------------------------------------------------------------------------------
# Reference: next_capabilities.md ("MCA attestation"). App+User only.


def _agreement_type(value: str | None, default: str | None) -> str | None:
    """The canonical agreement type; None for ``*`` (all types)."""
    if value is None:
        return default
    if value == "*":
        return None
    canonical = pc_catalog.AGREEMENT_TYPES.get(value.lower())
    if canonical is None:
        raise PartnerCenterError(400, 3000, f"Invalid property: agreementType {value} is not supported.")
    return canonical


@router.get("/agreements", response_model=models.Collection[models.AgreementMetaDataOut])
async def list_agreement_templates(
    request: Request,
    caller: Caller = Depends(app_user),
    agreement_type: str | None = Query(None, alias="agreementType"),
) -> Response:
    wanted = _agreement_type(agreement_type, None)  # Assumed: no agreementType lists every template
    items = [
        models.AgreementMetaDataOut(
            template_id=template["template_id"],
            agreement_type=template["type"],
            type=template["type"],
            agreement_link=template["agreement_link"],
            version_rank=template["version_rank"],
        )
        for template in pc_catalog.AGREEMENT_TEMPLATES
        if wanted is None or template["type"] == wanted
    ]
    return _collection(items, "/agreements" + (f"?agreementType={agreement_type}" if agreement_type else ""))


def _agreement_model(agreement: Agreement) -> models.AgreementOut:
    link = next(
        (t["agreement_link"] for t in pc_catalog.AGREEMENT_TEMPLATES if t["template_id"] == agreement.template_id), None
    )
    return models.AgreementOut(
        primary_contact=models.ContactOut(
            first_name=agreement.first_name,
            last_name=agreement.last_name,
            email=agreement.email,
            phone_number=agreement.phone_number,
        ),
        template_id=agreement.template_id,
        date_agreed=agreement.date_agreed,
        type=agreement.type,
        agreement_link=link,
        user_id=agreement.user_id,
    )


@router.get("/customers/{customer_id}/agreements", response_model=models.Collection[models.AgreementOut])
async def list_customer_agreements(
    customer_id: str,
    request: Request,
    caller: Caller = Depends(app_user),
    agreement_type: str | None = Query(None, alias="agreementType"),
) -> Response:
    customer = _customer(sim_state(request), caller, customer_id)
    # documented (REST reference): without agreementType only MicrosoftCloudAgreement confirmations; "*" = all
    wanted = _agreement_type(agreement_type, "MicrosoftCloudAgreement")
    items = [_agreement_model(a) for a in customer.agreements if wanted is None or a.type == wanted]
    return _collection(items, f"/customers/{customer.id}/agreements")


def _date_agreed(value: str) -> str:
    """``YYYY-MM-DD`` or an ISO date-time, as ``YYYY-MM-DDT00:00:00Z``-style text; 400 600002 if in the future."""
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
        else:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise PartnerCenterError(400, 3000, f"Invalid property: dateAgreed {value} is not a date.") from None
    # Assumed: "in the future" is judged against the end of today (UTC), so a date of today always passes.
    today_end = datetime.datetime.now(datetime.timezone.utc).replace(hour=23, minute=59, second=59)
    if moment > today_end:
        raise PartnerCenterError(400, 600002, "The dateAgreed cannot be in the future.")  # documented code
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@router.post("/customers/{customer_id}/agreements", status_code=201, response_model=models.AgreementOut)
async def create_customer_agreement(
    customer_id: str, body: models.AgreementIn, request: Request, caller: Caller = Depends(app_user)
) -> Response:
    state = sim_state(request)

    def write() -> Response:
        customer = _customer(state, caller, customer_id)
        agreement_type = _agreement_type(body.type, None)
        template = next(
            (t for t in pc_catalog.AGREEMENT_TEMPLATES if t["template_id"] == body.template_id.lower()), None
        )
        if agreement_type is None or template is None or template["type"] != agreement_type:
            raise PartnerCenterError(  # Assumed, undocumented: the code and text
                400, 3000, f"Invalid property: templateId {body.template_id} is not a template of type {body.type}."
            )
        date_agreed = _date_agreed(body.date_agreed)
        contact = body.primary_contact
        for existing in customer.agreements:
            same = (existing.first_name, existing.last_name, existing.email.lower(), existing.phone_number or "")
            if existing.type == agreement_type and same == (
                contact.first_name,
                contact.last_name,
                contact.email.lower(),
                contact.phone_number or "",
            ):
                # documented: code 600061 for the same contact again; Assumed: the status (400)
                raise PartnerCenterError(400, 600061, "A partner confirmed agreement already exists for the customer.")
        agreement = Agreement(
            template_id=template["template_id"],
            type=agreement_type,
            date_agreed=date_agreed,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone_number=contact.phone_number,
            user_id=body.user_id,
        )
        customer.agreements.append(agreement)
        state.touch()
        return _json(_agreement_model(agreement), 201)

    return _idempotent(request, caller, write)
