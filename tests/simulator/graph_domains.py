"""Microsoft Graph ``/v1.0/domains`` in the tenant of the token (``tid``): add, read, verify, delete.

Documented (Graph v1.0 "domain" reference): ``POST /domains {"id"}`` -> 201 unverified; the
verification records (a ``Txt`` with ``MS=ms########`` and an ``Mx``); ``POST .../verify`` -> 200 with
the domain; a subdomain of a verified root domain is verified at once. A customer tenant is reached
with a token whose tid is the customer (the partner's refresh token at the customer's authority): the
call is then allowed through GDAP, which the simulator checks against the partner's relationships
with that customer (an active one; Domain Name Administrator or Global Administrator to write).

One truth with Partner Center: a tenant's verified domains are its Partner Center domains; a domain
verified here becomes a custom domain of the customer there, and a deleted one is gone from both.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from . import graph_state
from .graph import GraphCaller, GraphError, authenticated, insufficient_privileges, json_body, json_response
from .graph import refuse_unknown_properties
from .graph_state import DOMAIN_NAME_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, GraphDomain
from .http_util import origin, sim_state
from .state import Customer, Partner, SimState, VerifiedDomain

router = APIRouter(prefix="/v1.0", tags=["Microsoft Graph"])

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DOMAIN_WRITERS = {DOMAIN_NAME_ADMINISTRATOR, GLOBAL_ADMINISTRATOR}


def _request_denied() -> GraphError:
    return insufficient_privileges()


def _tenant(state: SimState, caller: GraphCaller, write: bool) -> Customer | Partner:
    """The token's tenant, once GDAP allows the call there."""
    tenant = graph_state.tenant_of(state, caller.tenant_id)
    if tenant is None:
        raise _request_denied()
    if isinstance(tenant, Customer):
        roles = graph_state.active_roles(state, caller.partner.tenant_id, tenant.id)
        # Assumed: reads need any active relationship with the customer, writes Domain Name Administrator
        # (or Global Administrator); security-group membership of the partner user is not modelled.
        if not roles or (write and not roles & _DOMAIN_WRITERS):
            raise _request_denied()
    return tenant


def _not_found(name: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{name}' does not exist or one of its queried reference-property objects are not present.",
    )


def _is_subdomain_of_verified(tenant: Customer | Partner, name: str) -> bool:
    verified = graph_state.verified_domains(tenant)
    labels = name.lower().split(".")
    return any(".".join(labels[index:]) in verified for index in range(1, len(labels) - 1))


def _domain_json(tenant: Customer | Partner, name: str, verified: VerifiedDomain | None, is_verified: bool,
                 availability: str | None = None) -> dict[str, Any]:  # fmt: skip
    initial = isinstance(tenant, (Customer, Partner)) and name.lower() == tenant.domain.lower()
    custom_default = isinstance(tenant, Customer) and any(d.is_default for d in tenant.custom_domains.values())
    is_default = bool(verified.is_default) if verified is not None else (initial and not custom_default)
    federated = verified is not None and verified.authentication_type == "federated"
    services: list[str] = []
    if is_verified:
        # Assumed: verified domains serve Email and Teams (what Partner Center's "email" capability names).
        services = ["Email", "OfficeCommunicationsOnline"]
    return {
        "authenticationType": "Federated" if federated else "Managed",
        "availabilityStatus": availability,
        "id": verified.name if verified is not None else name,
        "isAdminManaged": True,
        "isDefault": is_default,
        "isInitial": initial,
        "isRoot": is_verified and not initial and not _is_subdomain_of_verified(tenant, name),
        "isVerified": is_verified,
        "passwordNotificationWindowInDays": None,
        "passwordValidityPeriodInDays": None,
        "supportedServices": services,
        "state": None,
    }


def _find(
    state: SimState, tenant: Customer | Partner, name: str
) -> tuple[VerifiedDomain | None, GraphDomain | None, bool]:
    """(Partner Center domain, unverified Graph domain, exists) for ``name`` in ``tenant``."""
    key = name.lower()
    verified = graph_state.verified_domains(tenant)
    if key in verified:
        return verified[key], None, True
    unverified = graph_state.of(state).tenant_domains(_tenant_id(tenant)).get(key)
    return None, unverified, unverified is not None


def _tenant_id(tenant: Customer | Partner) -> str:
    return tenant.id if isinstance(tenant, Customer) else tenant.tenant_id


def _valid_name(name: Any) -> str:
    if not isinstance(name, str):
        raise GraphError(400, "Request_BadRequest", "The domain id (its fully qualified name) is required.")
    labels = name.lower().split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        # Assumed: the wording of Graph's answer for an invalid name.
        raise GraphError(400, "Request_BadRequest", f"The domain name '{name}' is not valid.")
    if name.lower().endswith(".onmicrosoft.com"):
        raise GraphError(400, "Request_BadRequest", "Domains under onmicrosoft.com cannot be added.")
    return name


@router.get("/domains")
async def list_domains(request: Request, caller: GraphCaller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    tenant = _tenant(state, caller, write=False)
    values = [_domain_json(tenant, name, domain, True) for name, domain in graph_state.verified_domains(tenant).items()]
    values += [
        _domain_json(tenant, domain.name, None, False)
        for domain in graph_state.of(state).tenant_domains(_tenant_id(tenant)).values()
    ]
    return json_response({"@odata.context": f"{origin(request.scope)}/v1.0/$metadata#domains", "value": values})


@router.post("/domains", status_code=201)
async def create_domain(request: Request, caller: GraphCaller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    tenant = _tenant(state, caller, write=True)
    body = await json_body(request)
    refuse_unknown_properties(body, ("id",), "domain")
    name = _valid_name(body.get("id"))
    _, _, exists = _find(state, tenant, name)
    if exists:
        raise GraphError(
            400, "Request_BadRequest", "Another object with the same value for property id already exists."
        )
    if state.domain_exists(name):
        # Assumed: the wording; a domain another tenant has verified cannot be added.
        raise GraphError(
            400, "Request_BadRequest", f"The domain '{name}' is already verified in another tenant and cannot be added."
        )
    location = f"{origin(request.scope)}/v1.0/domains/{name}"
    if _is_subdomain_of_verified(tenant, name):  # documented: verified at once
        graph_state.add_verified(state, tenant, name)
        verified = graph_state.verified_domains(tenant).get(name.lower())
        return json_response(_domain_json(tenant, name, verified, True), 201, {"Location": location})
    domain = GraphDomain(name, graph_state.verification_code(_tenant_id(tenant), name))
    graph_state.of(state).tenant_domains(_tenant_id(tenant))[name.lower()] = domain
    state.touch()
    return json_response(_domain_json(tenant, name, None, False), 201, {"Location": location})


@router.get("/domains/{name}")
async def get_domain(name: str, request: Request, caller: GraphCaller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    tenant = _tenant(state, caller, write=False)
    verified, unverified, exists = _find(state, tenant, name)
    if not exists:
        raise _not_found(name)
    shown = unverified.name if unverified is not None else name
    return json_response(_domain_json(tenant, shown, verified, unverified is None))


def verification_records(tenant_id: str, name: str) -> list[dict[str, Any]]:
    code = graph_state.verification_code(tenant_id, name)
    common = {"isOptional": False, "label": name, "supportedService": "Email", "ttl": 3600}
    return [
        {
            "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
            "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{tenant_id}/{name}/txt")),
            "recordType": "Txt",
            "text": f"MS={code}",
            **common,
        },
        {
            "@odata.type": "#microsoft.graph.domainDnsMxRecord",
            "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{tenant_id}/{name}/mx")),
            "recordType": "Mx",
            "mailExchange": f"{code}.msv1.invalid",
            "preference": 32767,
            **common,
        },
    ]


@router.get("/domains/{name}/verificationDnsRecords")
async def list_verification_records(
    name: str, request: Request, caller: GraphCaller = Depends(authenticated)
) -> Response:
    state = sim_state(request)
    tenant = _tenant(state, caller, write=False)
    verified, unverified, exists = _find(state, tenant, name)
    if not exists:
        raise _not_found(name)
    shown = unverified.name if unverified is not None else (verified.name if verified is not None else name)
    return json_response(
        {
            "@odata.context": f"{origin(request.scope)}/v1.0/$metadata#domains('{shown}')/verificationDnsRecords",
            "value": verification_records(_tenant_id(tenant), shown),
        }
    )


@router.post("/domains/{name}/verify")
async def verify_domain(name: str, request: Request, caller: GraphCaller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    tenant = _tenant(state, caller, write=True)
    verified, unverified, exists = _find(state, tenant, name)
    if not exists:
        raise _not_found(name)
    if unverified is None:
        # Documented: verify "only applies to an unverified domain"; assumed: a verified one gets a 400.
        raise GraphError(400, "Request_BadRequest", f"The domain '{name}' is already verified.")
    if state.domain_exists(unverified.name):
        raise GraphError(
            400, "Request_BadRequest",
            f"Domain verification failed: '{unverified.name}' is already verified in another tenant.",
        )  # fmt: skip
    if not unverified.dns_published:
        # Assumed: the wording of Graph's answer when the TXT record is not found.
        raise GraphError(
            400,
            "Request_BadRequest",
            "Domain verification failed with the following error: the DNS record "
            f"'TXT MS={unverified.verification_code}' was not found at '{unverified.name}'. Add it at your DNS host, wait for it to propagate and try again.",
        )
    del graph_state.of(state).tenant_domains(_tenant_id(tenant))[unverified.name.lower()]
    graph_state.add_verified(state, tenant, unverified.name)
    verified = graph_state.verified_domains(tenant).get(unverified.name.lower())
    return json_response(_domain_json(tenant, unverified.name, verified, True, "AvailableImmediately"))


@router.delete("/domains/{name}", status_code=204)
async def delete_domain(name: str, request: Request, caller: GraphCaller = Depends(authenticated)) -> Response:
    state = sim_state(request)
    tenant = _tenant(state, caller, write=True)
    verified, unverified, exists = _find(state, tenant, name)
    if not exists:
        raise _not_found(name)
    if unverified is not None:
        del graph_state.of(state).tenant_domains(_tenant_id(tenant))[unverified.name.lower()]
        state.touch()
        return Response(status_code=204)
    if name.lower() == tenant.domain.lower() or (verified is not None and verified.is_default):
        raise GraphError(
            400, "Request_BadRequest", f"The domain '{name}' is the initial or default domain and cannot be deleted."
        )
    if isinstance(tenant, Customer):
        users = [u for u in tenant.users.values() if u.user_principal_name.lower().endswith("@" + name.lower())]
        if users:
            # Assumed: the wording; Graph refuses to delete a domain that objects still reference.
            raise GraphError(
                400, "Request_BadRequest",
                f"Unable to delete the domain '{name}': {len(users)} object(s) still reference it.",
            )  # fmt: skip
    graph_state.remove_verified(state, tenant, name)
    return Response(status_code=204)
