"""The seed format (YAML or JSON): reading it into a SimState, and writing a SimState back to it.

``snapshot(state)`` produces a seed, so GET /_sim/state, the --state-file and POST /_sim/reset all
speak the same format. The pydantic models below are its written contract (README.md has an example).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Literal

import yaml
from cryptography import x509
from pydantic import BaseModel, ConfigDict, Field

from . import aps_resources, graph_state, pc_catalog
from .settings import Settings
from .state import (
    Agreement,
    ApsConsumer,
    ClientApp,
    Customer,
    Partner,
    SimState,
    User,
    VerifiedDomain,
    iso_utc,
)

# Namespace of the deterministic ids given to generated customers, users and seeded bypasses.
_GENERATED_IDS = uuid.UUID("5eed0000-0000-4000-8000-000000000000")


class _SeedModel(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a typo in a seed is an error, not a silent default


class SeedLicense(_SeedModel):
    sku: str  # the SKU id or part number
    excluded_plans: list[str] = []  # service plan ids or service names


class SeedUser(_SeedModel):
    id: str | None = None  # default: derived from the customer id and the UPN
    user_principal_name: str
    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None  # default: "first last", else the UPN's local part
    usage_location: str | None = None
    immutable_id: str | None = None
    phone_number: str | None = None
    password: str | None = None
    force_change_password: bool = False
    state: Literal["active", "inactive"] = "active"
    soft_deletion_time: str | None = None  # default for an inactive user: load time
    licenses: list[SeedLicense] = []


class UsersGenerate(_SeedModel):
    """``count`` users ``user00001@<customer domain>``... with deterministic ids."""

    count: int = Field(ge=0)
    usage_location: str = "US"


class SeedDomain(_SeedModel):
    name: str
    authentication_type: Literal["managed", "federated"] = "managed"
    capability: str = "email"
    status: str = "verified"
    verification_method: str = "none"
    is_default: bool | None = None
    is_initial: bool | None = None
    root_domain: str | None = None
    federation_settings: dict[str, Any] | None = None


class SeedServicePlan(_SeedModel):
    id: str
    service_name: str
    display_name: str
    target_type: str = "User"
    capability_status: str = "Enabled"


class SeedSku(_SeedModel):
    id: str
    part_number: str
    name: str
    active_units: int = Field(ge=0)
    suspended_units: int = Field(0, ge=0)
    warning_units: int = Field(0, ge=0)
    target_type: str = "User"
    license_group_id: str = "group1"
    capability_status: str = "Enabled"
    service_plans: list[SeedServicePlan] = []


class SeedAgreement(_SeedModel):
    template_id: str
    type: str = "MicrosoftCustomerAgreement"
    date_agreed: str
    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None
    user_id: str | None = None


class SeedCustomer(_SeedModel):
    id: str
    company_name: str
    domain: str
    relationship_to_partner: str = "reseller"
    allow_delegated_access: bool = True
    custom_domains: list[str | SeedDomain] = []
    # None: the default catalog (pc_catalog.DEFAULT_SKUS); [] = no SKU at all
    subscribed_skus: list[SeedSku] | None = None
    users: list[SeedUser] = []
    users_generate: UsersGenerate | None = None
    # role name or id -> members (UPNs or user ids); every built-in role exists, with no member unless listed
    directory_roles: dict[str, list[str]] = {}
    agreements: list[SeedAgreement] = []
    billing_profile: dict[str, Any] | None = None
    organization_registration_number: str | None = None
    graph_domains: list[graph_state.SeedGraphDomain] = []  # added through Graph, not verified yet


class CustomersGenerate(_SeedModel):
    """``count`` customers "<company_prefix> 00001"... with ``users_each`` generated users each."""

    count: int = Field(ge=0)
    users_each: int = Field(0, ge=0)
    company_prefix: str = "Generated Customer"
    domain_prefix: str | None = None  # default: "gen-<first 8 characters of the partner tenant id>-"


class SeedApp(_SeedModel):
    client_id: str
    client_secret: str | None = None
    certificate_pem: str | None = None  # the app's certificate, for client assertions


class SeedPartner(_SeedModel):
    tenant_id: str
    domain: str
    apps: list[SeedApp] = []
    refresh_tokens: list[str] = []
    expired_refresh_tokens: list[str] = []  # answered with AADSTS700082
    customers: list[SeedCustomer] = []
    customers_generate: CustomersGenerate | None = None
    gdap_relationships: list[graph_state.SeedRelationship] = []  # Microsoft Graph GDAP relationships


class SeedAllowedOperation(_SeedModel):
    type: str  # APS type id without its version
    verb: Literal["GET", "POST", "PUT", "DELETE"]


class SeedConsumer(_SeedModel):
    key: str
    secret: str
    allowed_operations: list[SeedAllowedOperation] = []


class SeedAccount(_SeedModel):
    id: int
    aps_id: str
    name: str | None = None


class SeedApplication(_SeedModel):
    aps_id: str
    type: str = aps_resources.OFFICE365_APP_TYPE
    name: str | None = None


class SeedBypass(_SeedModel):
    aps_id: str | None = None
    ms_tenant_id: str
    account_id: int


class SeedAps(_SeedModel):
    consumers: list[SeedConsumer] = []
    tokens: list[str] = []
    accounts: list[SeedAccount] = []
    applications: list[SeedApplication] = []
    bypasses: list[SeedBypass] = []


class SeedAddress(_SeedModel):
    address_line1: str
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str
    country: str


class SeedAddressRule(_SeedModel):
    """An address POST /v1/validations/address does not accept (matched on line 1, postal code, country)."""

    address_line1: str
    postal_code: str
    country: str
    status: str = "StreetPartial"
    validation_message: str = "Address field invalid for property: 'AddressLine1'"
    suggested_addresses: list[SeedAddress] = []


class Seed(_SeedModel):
    settings: dict[str, Any] = {}  # a partial Settings; the rest keep their defaults
    partners: list[SeedPartner] = []
    aps: SeedAps = SeedAps()
    address_validation: list[SeedAddressRule] = []


def read_seed_file(path: str | Path) -> dict[str, Any]:
    """A seed file as a dict: JSON for ``*.json``, otherwise YAML (with libyaml when available)."""
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith(".json"):
        return json.loads(text)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader) or {}


def build_state(seed_data: dict[str, Any], settings_overrides: dict[str, Any] | None = None) -> SimState:
    """A fresh SimState from a seed dict. Raises pydantic.ValidationError or ValueError on a bad seed."""
    seed = Seed.model_validate(seed_data)
    settings = Settings().updated({**seed.settings, **(settings_overrides or {})})
    state = SimState(settings)
    for seed_partner in seed.partners:
        _load_partner(state, seed_partner)
    _load_aps(state, seed.aps)
    state.address_rules = [rule.model_dump(exclude_none=True) for rule in seed.address_validation]
    return state


def _load_partner(state: SimState, seed: SeedPartner) -> None:
    partner = Partner(
        tenant_id=seed.tenant_id,
        domain=seed.domain,
        refresh_tokens=dict.fromkeys(seed.refresh_tokens),
        expired_refresh_tokens=dict.fromkeys(seed.expired_refresh_tokens),
    )
    for app in seed.apps:
        certificate = x509.load_pem_x509_certificate(app.certificate_pem.encode()) if app.certificate_pem else None
        partner.apps[app.client_id.lower()] = ClientApp(
            app.client_id, app.client_secret, app.certificate_pem, certificate
        )
    state.add_partner(partner)
    for seed_customer in seed.customers:
        _load_customer(state, partner, seed_customer)
    if seed.customers_generate:
        _generate_customers(state, partner, seed.customers_generate)
    graph_state.load_relationships(state, partner, seed.gdap_relationships)


def _load_customer(state: SimState, partner: Partner, seed: SeedCustomer) -> None:
    customer = _new_customer(state, partner, seed.id, seed.company_name, seed.domain)
    customer.relationship_to_partner = seed.relationship_to_partner
    customer.allow_delegated_access = seed.allow_delegated_access
    customer.billing_profile = seed.billing_profile
    customer.organization_registration_number = seed.organization_registration_number
    if seed.subscribed_skus is not None:
        customer.skus = {sku.id.lower(): pc_catalog.build_sku(sku.model_dump()) for sku in seed.subscribed_skus}
    customer.agreements = [Agreement(**agreement.model_dump()) for agreement in seed.agreements]
    for entry in seed.custom_domains:
        domain = VerifiedDomain(name=entry) if isinstance(entry, str) else VerifiedDomain(**entry.model_dump())
        customer.custom_domains[domain.name.lower()] = domain
    state.add_customer(partner, customer)
    graph_state.load_domains(state, customer, seed.graph_domains)
    for seed_user in seed.users:
        _add_unique_user(customer, _user_from_seed(state, customer, seed_user))
    if seed.users_generate:
        _generate_users(state, customer, seed.users_generate)
    for role_key, members in seed.directory_roles.items():
        role = _find_role(customer, role_key)
        for member in members:
            user = customer.users.get(member.lower()) or customer.users_by_upn.get(member.lower())
            if user is None:
                raise ValueError(f"role member {member} is not a user of customer {customer.id}")
            role.members[user.id.lower()] = None


def _find_role(customer: Customer, key: str) -> Any:
    role = customer.roles.get(key.lower())
    if role is None:
        role = next((r for r in customer.roles.values() if r.name.lower() == key.lower()), None)
    if role is None:
        raise ValueError(f"unknown directory role {key} in customer {customer.id}")
    return role


def _seed_licenses(customer: Customer, seed: SeedUser) -> dict[str, list[str]]:
    licenses: dict[str, list[str]] = {}
    for entry in seed.licenses:
        sku = customer.skus.get(entry.sku.lower()) or next(
            (s for s in customer.skus.values() if s.part_number.lower() == entry.sku.lower()), None
        )
        if sku is None:
            raise ValueError(f"user {seed.user_principal_name}: unknown SKU {entry.sku}")
        plans = {plan.id.lower(): plan.id for plan in sku.service_plans}
        plans.update({plan.service_name.lower(): plan.id for plan in sku.service_plans})
        excluded = []
        for name in entry.excluded_plans:
            if name.lower() not in plans:
                raise ValueError(f"user {seed.user_principal_name}: SKU {sku.part_number} has no plan {name}")
            excluded.append(plans[name.lower()])
        licenses[sku.id.lower()] = excluded
    return licenses


def _new_customer(state: SimState, partner: Partner, customer_id: str, company_name: str, domain: str) -> Customer:
    return Customer(
        id=customer_id,
        partner_id=partner.tenant_id,
        company_name=company_name,
        domain=domain,
        commerce_id=str(uuid.uuid5(_GENERATED_IDS, f"commerce/{customer_id.lower()}")),
        seq=state.next_seq(),
        skus=pc_catalog.default_skus(),
        roles=pc_catalog.directory_roles(),
    )


def new_customer(state: SimState, partner: Partner, customer_id: str, company_name: str, domain: str) -> Customer:
    """A customer with the default SKUs and the built-in roles, not yet added to the state."""
    return _new_customer(state, partner, customer_id, company_name, domain)


def _user_from_seed(state: SimState, customer: Customer, seed: SeedUser) -> User:
    local_part = seed.user_principal_name.partition("@")[0]
    full_name = " ".join(part for part in (seed.first_name, seed.last_name) if part)
    inactive = seed.state == "inactive"
    return User(
        id=seed.id or str(uuid.uuid5(_GENERATED_IDS, f"{customer.id.lower()}/{seed.user_principal_name.lower()}")),
        user_principal_name=seed.user_principal_name,
        display_name=seed.display_name or full_name or local_part,
        seq=state.next_seq(),
        first_name=seed.first_name,
        last_name=seed.last_name,
        usage_location=seed.usage_location,
        immutable_id=seed.immutable_id,
        phone_number=seed.phone_number,
        password=seed.password,
        force_change_password=seed.force_change_password,
        state=seed.state,
        soft_deletion_time=(seed.soft_deletion_time or iso_utc()) if inactive else None,
        licenses=_seed_licenses(customer, seed),
    )


def _add_unique_user(customer: Customer, user: User) -> None:
    if user.user_principal_name.lower() in customer.users_by_upn or user.id.lower() in customer.users:
        raise ValueError(f"duplicate user {user.user_principal_name} in customer {customer.id}")
    customer.add_user(user)


def _generate_users(state: SimState, customer: Customer, spec: UsersGenerate) -> None:
    # Built directly, without a pydantic model per user, so that 10,000s of users load in well under a second.
    customer_key = customer.id.lower()
    for number in range(1, spec.count + 1):
        upn = f"user{number:05d}@{customer.domain}"
        _add_unique_user(
            customer,
            User(
                id=str(uuid.uuid5(_GENERATED_IDS, f"{customer_key}/user/{number}")),
                user_principal_name=upn,
                display_name=f"User {number:05d}",
                seq=state.next_seq(),
                first_name="User",
                last_name=f"{number:05d}",
                usage_location=spec.usage_location,
            ),
        )


def _generate_customers(state: SimState, partner: Partner, spec: CustomersGenerate) -> None:
    prefix = spec.domain_prefix if spec.domain_prefix is not None else f"gen-{partner.tenant_id[:8].lower()}-"
    for number in range(1, spec.count + 1):
        customer_id = str(uuid.uuid5(_GENERATED_IDS, f"{partner.tenant_id.lower()}/customer/{number}"))
        customer = _new_customer(
            state, partner, customer_id, f"{spec.company_prefix} {number:05d}", f"{prefix}{number:05d}.onmicrosoft.com"
        )
        state.add_customer(partner, customer)
        _generate_users(state, customer, UsersGenerate(count=spec.users_each))


def _load_aps(state: SimState, seed: SeedAps) -> None:
    for consumer in seed.consumers:
        operations = {(aps_resources.type_base(op.type), op.verb) for op in consumer.allowed_operations}
        state.aps_consumers[consumer.key] = ApsConsumer(consumer.key, consumer.secret, operations)
    state.aps_tokens.update(seed.tokens)
    resources = state.aps_resources
    for account in seed.accounts:
        resources[account.aps_id.lower()] = aps_resources.account_resource(account.aps_id, account.id, account.name)
    for application in seed.applications:
        resources[application.aps_id.lower()] = aps_resources.application_resource(
            application.aps_id, application.type, application.name
        )
    for index, bypass in enumerate(seed.bypasses):
        account = aps_resources.find_account(resources, bypass.account_id)
        if account is None:
            raise ValueError(f"bypass for unknown account {bypass.account_id}")
        aps_id = bypass.aps_id or str(
            uuid.uuid5(_GENERATED_IDS, f"bypass/{index}/{bypass.account_id}/{bypass.ms_tenant_id}")
        )
        resources[aps_id.lower()] = aps_resources.bypass_resource(aps_id, bypass.ms_tenant_id, account)


# --- state -> seed ------------------------------------------------------------------------------


def snapshot(state: SimState) -> dict[str, Any]:
    """The whole state in the seed format (secrets included: this is a test fixture's view)."""
    result = {
        "settings": state.settings.model_dump(),
        "partners": [_partner_snapshot(partner) for partner in state.partners.values()],
        "aps": _aps_snapshot(state),
        "address_validation": state.address_rules,
    }
    graph_state.add_to_snapshot(state, result)
    return result


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _partner_snapshot(partner: Partner) -> dict[str, Any]:
    return {
        "tenant_id": partner.tenant_id,
        "domain": partner.domain,
        "apps": [
            _without_none(
                {"client_id": app.client_id, "client_secret": app.client_secret, "certificate_pem": app.certificate_pem}
            )
            for app in partner.apps.values()
        ],
        "refresh_tokens": list(partner.refresh_tokens),
        "expired_refresh_tokens": list(partner.expired_refresh_tokens),
        "customers": [_customer_snapshot(customer) for customer in partner.customers.values()],
    }


def _customer_snapshot(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "company_name": customer.company_name,
        "domain": customer.domain,
        "relationship_to_partner": customer.relationship_to_partner,
        "allow_delegated_access": customer.allow_delegated_access,
        "custom_domains": [
            _without_none(
                {
                    "name": domain.name,
                    "authentication_type": domain.authentication_type,
                    "capability": domain.capability,
                    "status": domain.status,
                    "verification_method": domain.verification_method,
                    "is_default": domain.is_default,
                    "is_initial": domain.is_initial,
                    "root_domain": domain.root_domain,
                    "federation_settings": domain.federation_settings,
                }
            )
            for domain in customer.custom_domains.values()
        ],
        "users": [
            _without_none(
                {
                    "id": user.id,
                    "user_principal_name": user.user_principal_name,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "display_name": user.display_name,
                    "usage_location": user.usage_location,
                    "immutable_id": user.immutable_id,
                    "phone_number": user.phone_number,
                    "password": user.password,
                    "force_change_password": user.force_change_password,
                    "state": user.state,
                    "soft_deletion_time": user.soft_deletion_time,
                    "licenses": [
                        {
                            "sku": customer.skus[sku_id].id if sku_id in customer.skus else sku_id,
                            "excluded_plans": plans,
                        }
                        for sku_id, plans in user.licenses.items()
                    ]
                    or None,
                }
            )
            for user in customer.users.values()
        ],
        "subscribed_skus": [
            {
                "id": sku.id,
                "part_number": sku.part_number,
                "name": sku.name,
                "active_units": sku.active_units,
                "suspended_units": sku.suspended_units,
                "warning_units": sku.warning_units,
                "target_type": sku.target_type,
                "license_group_id": sku.license_group_id,
                "capability_status": sku.capability_status,
                "service_plans": [
                    {
                        "id": plan.id,
                        "service_name": plan.service_name,
                        "display_name": plan.display_name,
                        "target_type": plan.target_type,
                        "capability_status": plan.capability_status,
                    }
                    for plan in sku.service_plans
                ],
            }
            for sku in customer.skus.values()
        ],
        "directory_roles": {
            role.id: [customer.users[member].id for member in role.members if member in customer.users]
            for role in customer.roles.values()
            if role.members
        },
        "agreements": [
            _without_none(
                {
                    "template_id": agreement.template_id,
                    "type": agreement.type,
                    "date_agreed": agreement.date_agreed,
                    "first_name": agreement.first_name,
                    "last_name": agreement.last_name,
                    "email": agreement.email,
                    "phone_number": agreement.phone_number,
                    "user_id": agreement.user_id,
                }
            )
            for agreement in customer.agreements
        ],
        **_without_none(
            {
                "billing_profile": customer.billing_profile,
                "organization_registration_number": customer.organization_registration_number,
            }
        ),
    }


def _aps_snapshot(state: SimState) -> dict[str, Any]:
    accounts, applications, bypasses = [], [], []
    resources = list(state.aps_resources.values())
    for resource in resources:
        meta = resource["aps"]
        base = aps_resources.type_base(meta["type"])
        if base == aps_resources.type_base(aps_resources.ACCOUNT_TYPE):
            accounts.append(
                _without_none({"id": resource["id"], "aps_id": meta["id"], "name": resource.get("companyName")})
            )
        elif base == aps_resources.type_base(aps_resources.BYPASS_TYPE):
            account_aps_id = resource["account"]["aps"]["id"].lower()
            account = state.aps_resources.get(account_aps_id)
            if account is not None:  # a bypass whose account was deleted cannot be seeded again
                bypasses.append(
                    {"aps_id": meta["id"], "ms_tenant_id": resource["ms_tenant_id"], "account_id": account["id"]}
                )
        else:
            applications.append(
                _without_none({"aps_id": meta["id"], "type": meta["type"], "name": resource.get("name")})
            )
    return {
        "consumers": [
            {
                "key": consumer.key,
                "secret": consumer.secret,
                "allowed_operations": [
                    {"type": type_id, "verb": verb} for type_id, verb in sorted(consumer.allowed_operations)
                ],
            }
            for consumer in state.aps_consumers.values()
        ],
        "tokens": sorted(state.aps_tokens),
        "accounts": accounts,
        "applications": applications,
        "bypasses": bypasses,
    }
