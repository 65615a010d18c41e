"""Microsoft Graph's part of the simulated world: GDAP relationships and the domains of each tenant.

Kept beside ``SimState`` (as ``state.graph``, made on first use) so that the Partner Center and APS
parts need not know about it. One truth for domains: a tenant's *verified* domains are the Partner
Center ones (the customer's default domain and ``custom_domains``, the partner's own domain); Graph
only adds the domains that are not verified yet, with their verification code and whether the TXT
record has been "published" (an admin call).
"""

from __future__ import annotations

import base64
import datetime
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .state import Customer, Partner, SimState, VerifiedDomain, iso_utc

_IDS = uuid.UUID("9a9d0000-0000-4000-8000-000000000000")  # namespace of deterministic Graph ids

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
DOMAIN_NAME_ADMINISTRATOR = "8329153b-31d0-4727-b945-745eb3bc5f31"
# Entra built-in role template ids (documented, "Microsoft Entra built-in roles"); the names are only
# used in messages. Assumed: GDAP accepts any role id that is a GUID; no list of the roles allowed in
# GDAP is enforced.
BUILT_IN_ROLES = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "8329153b-31d0-4727-b945-745eb3bc5f31": "Domain Name Administrator",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "f023fd81-a637-4b56-95fd-791ac0226033": "Service Support Administrator",
}

RELATIONSHIP_STATUSES = (
    "activating", "active", "approvalPending", "approved", "created", "expired", "expiring",
    "terminated", "terminating", "terminationRequested",
)  # fmt: skip
INVITATION_LIFETIME_S = 90 * 86400.0
INVITATION_URL = "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{id}"

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def duration_seconds(text: str) -> float | None:
    """Seconds of an ISO 8601 duration (a year = 365 days, a month = 30: assumed), None if malformed."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        return None
    years, months, weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return float(((((years * 365 + months * 30 + weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60) + seconds)


def parse_time(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def new_etag() -> str:
    """A weak ETag shaped like Graph's (base64 of a quoted version id)."""
    return 'W/"' + base64.b64encode(f"'\"{uuid.uuid4()}\"'".encode()).decode() + '"'


@dataclass(slots=True)
class AccessAssignment:
    id: str
    security_group_id: str
    roles: list[str]
    seq: int
    created: float
    modified: float
    etag: str = field(default_factory=new_etag)
    status: str = "active"
    pending_reads: int = 0  # reads that still see "pending" before it turns "active"


@dataclass(slots=True)
class RelationshipRequest:
    id: str
    action: str
    created: float
    status: str = "succeeded"


@dataclass(slots=True)
class Relationship:
    id: str
    partner_id: str
    display_name: str
    duration: str
    roles: list[str]
    seq: int
    created: float
    modified: float
    customer_id: str | None = None
    customer_display_name: str | None = None
    auto_extend_duration: str = "PT0S"
    status: str = "created"
    activated: float | None = None
    end: float | None = None
    etag: str = field(default_factory=new_etag)
    access_assignments: dict[str, AccessAssignment] = field(default_factory=dict)  # lower-cased id ->
    requests: list[RelationshipRequest] = field(default_factory=list)

    def touch(self) -> None:
        self.modified = time.time()
        self.etag = new_etag()

    def refresh(self, now: float) -> None:
        """Time passes: an active relationship past its end is auto-extended or expires; an invitation
        (approvalPending) expires 90 days after it was locked (documented, GDAP FAQ)."""
        if self.status == "approvalPending" and now - self.modified > INVITATION_LIFETIME_S:
            self.status, self.end = "expired", self.modified + INVITATION_LIFETIME_S
            self.touch()
            return
        if self.status not in ("active", "expiring") or self.end is None or self.end > now:
            return
        extension = duration_seconds(self.auto_extend_duration) or 0
        if extension and GLOBAL_ADMINISTRATOR not in self.roles:
            while self.end <= now:
                self.end += extension
        else:
            self.status = "expired"
        self.touch()


@dataclass(slots=True)
class GraphDomain:
    """A domain added through Graph and not verified yet (verified ones live in Partner Center's data)."""

    name: str
    verification_code: str  # the TXT record's text is "MS=<code>"
    dns_published: bool = False


@dataclass
class GraphState:
    relationships: dict[str, Relationship] = field(default_factory=dict)  # lower-cased id ->
    unverified_domains: dict[str, dict[str, GraphDomain]] = field(default_factory=dict)  # tenant -> name ->
    token_tenants: dict[str, str] = field(default_factory=dict)  # access token -> tid, when not the partner's
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> delegatedAdminRelationshipOperation

    def partner_relationships(self, partner_id: str) -> list[Relationship]:
        return [r for r in self.relationships.values() if r.partner_id.lower() == partner_id.lower()]

    def tenant_domains(self, tenant_id: str) -> dict[str, GraphDomain]:
        return self.unverified_domains.setdefault(tenant_id.lower(), {})


def of(state: SimState) -> GraphState:
    graph = getattr(state, "graph", None)
    if graph is None:
        graph = state.graph = GraphState()
    return graph


def verification_code(tenant_id: str, name: str) -> str:
    # Assumed: the code is stable for a (tenant, domain) pair, as Entra keeps it while the domain stays.
    return "ms" + str(uuid.uuid5(_IDS, f"{tenant_id.lower()}/{name.lower()}").int)[:8]


def relationship_id(partner_id: str, display_name: str, customer_id: str | None) -> str:
    # Assumed, undocumented: the documented ids are two GUIDs joined by "-"; here the second is the customer's.
    first = uuid.uuid5(_IDS, f"{partner_id.lower()}/gdap/{display_name.lower()}")
    return f"{first}-{customer_id or uuid.uuid5(_IDS, 'no-customer')}"


def activate(relationship: Relationship, state: SimState, now: float | None = None) -> None:
    """The customer approves: active, with activatedDateTime and endDateTime = activated + duration."""
    now = time.time() if now is None else now
    relationship.status = "active"
    relationship.activated = now
    relationship.end = now + (duration_seconds(relationship.duration) or 0)
    customer = state.customers.get((relationship.customer_id or "").lower())
    if customer is not None and not relationship.customer_display_name:
        relationship.customer_display_name = customer.company_name
    relationship.touch()


# Documented: a customer created in Partner Center gets a default GDAP relationship, already approved.
# Assumed, from Microsoft's announcement rather than a reference page: these roles, P730D, no auto-extension.
DEFAULT_RELATIONSHIP_ROLES = [
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",  # Directory Readers
    "9360feb5-f418-4baa-8175-e2a00bac4301",  # Directory Writers
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a",  # License Administrator
    "f023fd81-a637-4b56-95fd-791ac0226033",  # Service Support Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1",  # User Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814",  # Privileged Role Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",  # Helpdesk Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",  # Privileged Authentication Administrator
]


def add_default_relationship(state: SimState, partner: Partner, customer: Customer) -> Relationship:
    """The active relationship a customer created through Partner Center starts with."""
    # Assumed: the display name; "Default_" and the domain prefix, at most 50 characters.
    display_name = ("Default_" + customer.domain.split(".", 1)[0])[:50]
    names = {r.display_name.lower() for r in of(state).partner_relationships(partner.tenant_id)}
    suffix = 1
    while display_name.lower() in names:
        suffix += 1
        display_name = (("Default_" + customer.domain.split(".", 1)[0])[: 50 - len(str(suffix)) - 1]) + f"_{suffix}"
    now = time.time()
    rel = Relationship(
        id=relationship_id(partner.tenant_id, display_name, customer.id),
        partner_id=partner.tenant_id,
        display_name=display_name,
        duration="P730D",
        roles=list(DEFAULT_RELATIONSHIP_ROLES),
        seq=state.next_seq(),
        created=now,
        modified=now,
        customer_id=customer.id,
    )
    activate(rel, state, now)
    of(state).relationships[rel.id.lower()] = rel
    return rel


def active_roles(state: SimState, partner_id: str, customer_id: str) -> set[str]:
    """The roles of the partner's active relationships with the customer (none: no GDAP access)."""
    now, roles = time.time(), set()
    for rel in of(state).partner_relationships(partner_id):
        rel.refresh(now)
        if rel.status == "active" and (rel.customer_id or "").lower() == customer_id.lower():
            roles.update(rel.roles)
    return roles


def check_partner_center_access(state: SimState, partner: Partner, customer: Customer) -> None:
    """With the ``gdap_enforce_partner_center`` setting: App+User calls about a customer need active GDAP.

    Assumed: any active relationship with the customer will do (the role each call needs is not
    checked), and the refusal is Partner Center's 403 with the error table's 2032 ("Access denied").
    """
    if not active_roles(state, partner.tenant_id, customer.id):
        from .partner_center import PartnerCenterError  # imported here: partner_center imports this module

        raise PartnerCenterError(
            403,
            2032,
            f"Access denied: the partner has no active granular delegated admin (GDAP) relationship with the "
            f"customer {customer.id}.",
        )


# --- domains: one truth with Partner Center -----------------------------------------------------------


def tenant_of(state: SimState, tenant_id: str) -> Customer | Partner | None:
    return state.customers.get(tenant_id.lower()) or state.partners.get(tenant_id.lower())


def verified_domains(tenant: Customer | Partner) -> dict[str, VerifiedDomain | None]:
    """Lower-cased name -> the Partner Center domain (None for a default onmicrosoft.com domain)."""
    if isinstance(tenant, Partner):
        return {tenant.domain.lower(): None}
    return {tenant.domain.lower(): None, **tenant.custom_domains}


def add_verified(state: SimState, tenant: Customer | Partner, name: str) -> None:
    if isinstance(tenant, Customer):
        state.add_verified_domain(tenant, VerifiedDomain(name=name, verification_method="dns_record"))
    else:  # Assumed: a partner's own added domains are not modelled beyond their name
        state.register_domain(name, tenant.tenant_id)
    state.touch()


def remove_verified(state: SimState, tenant: Customer | Partner, name: str) -> None:
    if isinstance(tenant, Customer):
        tenant.custom_domains.pop(name.lower(), None)
    # SimState has no call that forgets a domain (Partner Center cannot delete one); Graph can.
    state._domain_owners.pop(name.lower(), None)  # noqa: SLF001
    state.touch()


# --- seed ------------------------------------------------------------------------------------------


class _SeedModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedAccessAssignment(_SeedModel):
    id: str | None = None  # default: derived from the relationship and the group
    security_group_id: str
    roles: list[str] = Field(min_length=1)
    status: Literal["pending", "active"] = "active"


class SeedRelationship(_SeedModel):
    """A GDAP relationship of the partner. Dates default to load time (activated) and activated + duration."""

    id: str | None = None  # default: deterministic from partner, display name and customer
    display_name: str = Field(min_length=1, max_length=50)
    customer_id: str | None = None
    customer_display_name: str | None = None  # default: the customer's company name
    roles: list[str] = Field(min_length=1)
    duration: str = "P730D"
    auto_extend_duration: Literal["PT0S", "P0D", "P180D"] = "PT0S"
    status: Literal["created", "approvalPending", "active", "expired", "terminated"] = "active"
    created_date_time: str | None = None
    activated_date_time: str | None = None
    end_date_time: str | None = None
    access_assignments: list[SeedAccessAssignment] = []


class SeedGraphDomain(_SeedModel):
    """A domain added in the customer's tenant through Graph and not verified yet."""

    name: str
    dns_published: bool = False


def load_relationships(state: SimState, partner: Partner, seeds: list[SeedRelationship]) -> None:
    graph = of(state)
    names = {r.display_name.lower() for r in graph.partner_relationships(partner.tenant_id)}
    now = time.time()
    for seed in seeds:
        if seed.display_name.lower() in names:
            raise ValueError(f"duplicate GDAP relationship display name {seed.display_name}")
        names.add(seed.display_name.lower())
        if duration_seconds(seed.duration) is None:
            raise ValueError(f"GDAP relationship {seed.display_name}: duration {seed.duration} is not ISO 8601")
        if seed.customer_id and seed.customer_id.lower() not in partner.customers:
            raise ValueError(f"GDAP relationship {seed.display_name}: {seed.customer_id} is not a customer")
        created = parse_time(seed.created_date_time) if seed.created_date_time else now
        rel = Relationship(
            id=seed.id or relationship_id(partner.tenant_id, seed.display_name, seed.customer_id),
            partner_id=partner.tenant_id,
            display_name=seed.display_name,
            duration=seed.duration,
            roles=[role.lower() for role in seed.roles],
            seq=state.next_seq(),
            created=created,
            modified=created,
            customer_id=seed.customer_id,
            customer_display_name=seed.customer_display_name,
            auto_extend_duration=seed.auto_extend_duration,
            status=seed.status,
        )
        if seed.status in ("active", "expired", "terminated"):
            activate(rel, state, parse_time(seed.activated_date_time) if seed.activated_date_time else now)
            rel.status = seed.status
            if seed.end_date_time:
                rel.end = parse_time(seed.end_date_time)
            elif seed.status != "active":
                rel.end = now
        for entry in seed.access_assignments:
            assignment_id = entry.id or str(uuid.uuid5(_IDS, f"{rel.id}/{entry.security_group_id.lower()}"))
            rel.access_assignments[assignment_id.lower()] = AccessAssignment(
                assignment_id, entry.security_group_id, [r.lower() for r in entry.roles], state.next_seq(), now, now,
                status=entry.status,
            )  # fmt: skip
        if rel.id.lower() in graph.relationships:
            raise ValueError(f"duplicate GDAP relationship id {rel.id}")
        graph.relationships[rel.id.lower()] = rel


def load_domains(state: SimState, customer: Customer, seeds: list[SeedGraphDomain]) -> None:
    domains = of(state).tenant_domains(customer.id)
    for seed in seeds:
        if seed.name.lower() in customer.domain_names():
            raise ValueError(f"graph domain {seed.name} is already a verified domain of {customer.id}")
        domains[seed.name.lower()] = GraphDomain(
            seed.name, verification_code(customer.id, seed.name), seed.dns_published
        )


def add_to_snapshot(state: SimState, snapshot: dict[str, Any]) -> None:
    """Add ``gdap_relationships`` to each partner and ``graph_domains`` to each customer of a snapshot."""
    graph = of(state)
    for partner in snapshot["partners"]:
        partner["gdap_relationships"] = [
            _relationship_snapshot(rel) for rel in graph.partner_relationships(partner["tenant_id"])
        ]
        for customer in partner["customers"]:
            verified = {customer["domain"].lower(), *(d["name"].lower() for d in customer["custom_domains"])}
            customer["graph_domains"] = [
                {"name": domain.name, "dns_published": domain.dns_published}
                for domain in graph.tenant_domains(customer["id"]).values()
                if domain.name.lower() not in verified  # verified meanwhile through Partner Center
            ]


def _relationship_snapshot(rel: Relationship) -> dict[str, Any]:
    # A snapshot status is one a seed can hold; transient ones are written as the state they lead to.
    status = (
        rel.status
        if rel.status in ("created", "approvalPending", "active", "expired", "terminated")
        else ("terminated" if rel.status.startswith("terminat") else "active")
    )
    values = {
        "id": rel.id,
        "display_name": rel.display_name,
        "customer_id": rel.customer_id,
        "customer_display_name": rel.customer_display_name,
        "roles": list(rel.roles),
        "duration": rel.duration,
        "auto_extend_duration": rel.auto_extend_duration,
        "status": status,
        "created_date_time": iso_utc(rel.created),
        "activated_date_time": iso_utc(rel.activated) if rel.activated is not None else None,
        "end_date_time": iso_utc(rel.end) if rel.end is not None else None,
        "access_assignments": [
            {"id": a.id, "security_group_id": a.security_group_id, "roles": list(a.roles),
             "status": "pending" if a.status == "pending" else "active"}
            for a in rel.access_assignments.values()
        ],
    }  # fmt: skip
    return {key: value for key, value in values.items() if value is not None}
