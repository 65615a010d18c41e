"""The simulated services' data, held in memory.

Concurrency: every request handler is a coroutine that reads and changes this state without
awaiting in between, and uvicorn runs them all on one event loop, so each handler's work is atomic
with respect to the others and no lock is needed. Keep it that way: never ``await`` in the middle
of a change, and never declare a handler or dependency with plain ``def`` (FastAPI would run it in
a thread pool).
"""

from __future__ import annotations

import datetime
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from .settings import Settings


def iso_utc(timestamp: float | None = None) -> str:
    """ISO 8601 UTC with a ``Z`` suffix, as both services write times."""
    moment = datetime.datetime.fromtimestamp(time.time() if timestamp is None else timestamp, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- Partner Center ---------------------------------------------------------------------------


@dataclass(slots=True)
class User:
    id: str
    user_principal_name: str
    display_name: str
    seq: int  # creation order: seek paging continues after the last seq it returned
    first_name: str | None = None
    last_name: str | None = None
    usage_location: str | None = None
    immutable_id: str | None = None
    phone_number: str | None = None
    password: str | None = None  # stored, never returned by a GET
    force_change_password: bool = False
    state: str = "active"  # "inactive" = soft-deleted
    soft_deletion_time: str | None = None
    licenses: dict[str, list[str]] = field(default_factory=dict)  # lower-cased SKU id -> excluded plan ids

    @property
    def active(self) -> bool:
        return self.state == "active"


@dataclass(slots=True)
class ServicePlan:
    id: str
    service_name: str  # e.g. EXCHANGE_S_STANDARD
    display_name: str
    target_type: str = "User"
    capability_status: str = "Enabled"


@dataclass(slots=True)
class SubscribedSku:
    """A SKU the customer has units of. ``consumed_units`` counts the active users holding it."""

    id: str
    part_number: str
    name: str
    service_plans: list[ServicePlan]
    active_units: int
    suspended_units: int = 0
    warning_units: int = 0
    target_type: str = "User"
    license_group_id: str = "group1"
    capability_status: str = "Enabled"
    consumed_units: int = 0

    @property
    def available_units(self) -> int:
        return max(0, self.active_units - self.consumed_units)


@dataclass(slots=True)
class DirectoryRole:
    id: str  # the role template id
    name: str
    members: dict[str, None] = field(default_factory=dict)  # lower-cased user ids, in the order added


@dataclass(slots=True)
class Agreement:
    """An attestation (POST /v1/customers/{id}/agreements)."""

    template_id: str
    type: str
    date_agreed: str
    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None
    user_id: str | None = None


@dataclass(slots=True)
class VerifiedDomain:
    """A domain added through POST /verifieddomain (or seeded as a custom domain)."""

    name: str
    authentication_type: str = "managed"
    capability: str = "email"
    status: str = "verified"
    verification_method: str = "none"
    is_default: bool | None = None
    is_initial: bool | None = None
    root_domain: str | None = None
    federation_settings: dict[str, Any] | None = None


@dataclass(slots=True)
class Customer:
    id: str
    partner_id: str
    company_name: str
    domain: str  # the default <name>.onmicrosoft.com domain
    commerce_id: str
    seq: int
    relationship_to_partner: str = "reseller"
    allow_delegated_access: bool = True
    custom_domains: dict[str, VerifiedDomain] = field(default_factory=dict)  # lower-cased name -> domain
    users: dict[str, User] = field(default_factory=dict)  # lower-cased id -> user, in creation order
    users_by_upn: dict[str, User] = field(default_factory=dict)  # lower-cased UPN -> user (active or not)
    skus: dict[str, SubscribedSku] = field(default_factory=dict)  # lower-cased SKU id -> SKU
    roles: dict[str, DirectoryRole] = field(default_factory=dict)  # lower-cased role id -> role
    agreements: list[Agreement] = field(default_factory=list)
    billing_profile: dict[str, Any] | None = None  # as sent to POST /v1/customers (snake_case keys)
    organization_registration_number: str | None = None

    def add_user(self, user: User) -> None:
        self.users[user.id.lower()] = user
        self.users_by_upn[user.user_principal_name.lower()] = user
        if user.active:
            self.count_licenses(user, +1)

    def count_licenses(self, user: User, delta: int) -> None:
        """Move the consumed units of the user's SKUs by ``delta`` (+1 on assign/restore, -1 on delete)."""
        for sku_id in user.licenses:
            sku = self.skus.get(sku_id)
            if sku is not None:
                sku.consumed_units += delta

    def rename_user(self, user: User, new_upn: str) -> None:
        del self.users_by_upn[user.user_principal_name.lower()]
        user.user_principal_name = new_upn
        self.users_by_upn[new_upn.lower()] = user

    def domain_names(self) -> set[str]:
        """Lower-cased names of every domain a UPN of this customer may use."""
        return {self.domain.lower(), *self.custom_domains}


@dataclass(slots=True)
class ClientApp:
    client_id: str
    client_secret: str | None = None
    certificate_pem: str | None = None
    certificate: x509.Certificate | None = None  # parsed certificate_pem, for client assertions


@dataclass(slots=True)
class Partner:
    tenant_id: str
    domain: str
    apps: dict[str, ClientApp] = field(default_factory=dict)  # lower-cased client id -> app
    # dicts used as insertion-ordered sets, so a snapshot lists them in a stable order
    refresh_tokens: dict[str, None] = field(default_factory=dict)
    expired_refresh_tokens: dict[str, None] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)  # lower-cased id -> customer


@dataclass(slots=True)
class AccessToken:
    partner_id: str
    kind: str  # "app" (client credentials) or "app_user" (refresh token grant)
    client_id: str
    audience: str
    expires_at: float


@dataclass(slots=True)
class StoredResponse:
    """The first answer to a Partner Center write, replayed when its MS-RequestId comes again."""

    status: int
    body: bytes
    media_type: str | None


# --- APS --------------------------------------------------------------------------------------


@dataclass(slots=True)
class ApsConsumer:
    key: str
    secret: str
    allowed_operations: set[tuple[str, str]]  # (type id without version, upper-case verb)


# --- the whole ----------------------------------------------------------------------------------


class SimState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.partners: dict[str, Partner] = {}  # lower-cased tenant id -> partner
        self._partner_aliases: dict[str, Partner] = {}  # lower-cased tenant id or domain -> partner
        self.customers: dict[str, Customer] = {}  # lower-cased id -> customer, across partners
        self._domain_owners: dict[str, str] = {}  # lower-cased domain on ANY tenant -> tenant id
        self.access_tokens: dict[str, AccessToken] = {}
        self.stored_responses: dict[tuple[str, str], StoredResponse] = {}  # (partner, MS-RequestId)
        self.aps_consumers: dict[str, ApsConsumer] = {}
        self.aps_tokens: set[str] = set()
        self.aps_resources: dict[str, dict[str, Any]] = {}  # lower-cased aps.id -> resource JSON
        # POST /v1/validations/address: addresses answered as not valid (seed key `address_validation`)
        self.address_rules: list[dict[str, Any]] = []
        self.revision = 0  # bumped on every persistent change; the state file saver watches it
        self._seq = itertools.count(1)

    def next_seq(self) -> int:
        return next(self._seq)

    def touch(self) -> None:
        self.revision += 1

    # partners and their domains

    def add_partner(self, partner: Partner) -> None:
        self.partners[partner.tenant_id.lower()] = partner
        self._partner_aliases[partner.tenant_id.lower()] = partner
        self._partner_aliases[partner.domain.lower()] = partner
        self.register_domain(partner.domain, partner.tenant_id)

    def partner(self, tenant_id_or_domain: str) -> Partner | None:
        return self._partner_aliases.get(tenant_id_or_domain.lower())

    def add_customer(self, partner: Partner, customer: Customer) -> None:
        key = customer.id.lower()
        if key in self.customers:
            raise ValueError(f"duplicate customer id {customer.id}")
        partner.customers[key] = customer
        self.customers[key] = customer
        self.register_domain(customer.domain, customer.id)
        for name in customer.custom_domains:
            self.register_domain(name, customer.id)

    def register_domain(self, name: str, tenant_id: str) -> None:
        if name.lower() in self._domain_owners:
            raise ValueError(f"domain {name} already exists")
        self._domain_owners[name.lower()] = tenant_id

    def domain_exists(self, name: str) -> bool:
        return name.lower() in self._domain_owners

    def add_verified_domain(self, customer: Customer, domain: VerifiedDomain) -> None:
        self.register_domain(domain.name, customer.id)
        customer.custom_domains[domain.name.lower()] = domain
