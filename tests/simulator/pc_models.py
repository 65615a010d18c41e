"""Partner Center request and response bodies (reference: partner_center_api.md §3-§6, §9).

Requests are read leniently, as the docs' own examples require: property names in PascalCase (doc
examples, .NET SDK), camelCase (swagger) or snake_case, and enum values in any of those styles.
Responses are written strictly: camelCase names, lower snake_case enum values, null members left out.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel


def squash(name: str) -> str:
    """The case- and underscore-blind form of a name: ``DnsRecord``, ``dnsRecord``, ``dns_record`` -> ``dnsrecord``."""
    return name.replace("_", "").lower()


def flexible_enum(*values: str) -> Any:
    """A Literal of the snake_case ``values`` that also reads ``PascalCase``/``camelCase`` spellings."""
    canonical = {squash(value): value for value in values}

    def to_canonical(value: Any) -> Any:
        return canonical.get(squash(value), value) if isinstance(value, str) else value

    return Annotated[Literal[values], BeforeValidator(to_canonical)]


# --- requests -----------------------------------------------------------------------------------


class FlexibleModel(BaseModel):
    """A request body whose property names are matched case- and underscore-blind; unknown ones are ignored."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore")
    _squashed_names: ClassVar[dict[str, str]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._squashed_names = {squash(name): name for name in cls.model_fields}

    @model_validator(mode="before")
    @classmethod
    def _any_case_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {
            cls._squashed_names.get(squash(key), key) if isinstance(key, str) else key: value
            for key, value in data.items()
        }


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be base64") from None
    return value


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Base64Text = Annotated[NonEmpty, AfterValidator(_base64)]
DomainName = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$", max_length=253),
]
UserPrincipalName = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
        r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$",
        max_length=113,
    ),
]
# Assumed, undocumented: a lower-case usage location is accepted and stored upper-case.
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]

AuthenticationType = flexible_enum("managed", "federated")
DomainStatus = flexible_enum("unverified", "verified", "pending_deletion")
VerificationMethod = flexible_enum("none", "dns_record", "email")
Capability = flexible_enum(
    "none",
    "email",
    "sharepoint",
    "office_communications_online",
    "sharepoint_default",
    "full_redelegation",
    "share_point_public",
    "org_id_authentication",
    "yammer",
    "intune",
    "all",
)
AuthenticationProtocol = flexible_enum("ws_fed", "samlp")
PromptLoginBehavior = flexible_enum("translate_to_fresh_password_auth", "native_support", "disabled")
UserState = flexible_enum("active", "inactive")


class DomainIn(FlexibleModel):
    name: DomainName
    authentication_type: AuthenticationType
    capability: Capability
    status: DomainStatus
    verification_method: VerificationMethod
    is_default: bool | None = None
    is_initial: bool | None = None
    root_domain: str | None = None


class DomainFederationSettingsIn(FlexibleModel):
    issuer_uri: NonEmpty
    log_off_uri: NonEmpty
    passive_log_on_uri: NonEmpty
    preferred_authentication_protocol: AuthenticationProtocol
    prompt_login_behavior: PromptLoginBehavior
    signing_certificate: Base64Text
    active_log_on_uri: str | None = None
    default_interactive_authentication_method: str | None = None
    federation_brand_name: str | None = None
    metadata_exchange_uri: str | None = None
    next_signing_certificate: Base64Text | None = None
    open_id_connect_discovery_endpoint: str | None = None
    signing_certificate_update_status: Any = None  # the swagger makes it an object {lastRunAt, result}
    supports_mfa: bool | None = None


class VerifiedDomainIn(FlexibleModel):
    """Body of POST /v1/customers/{id}/verifieddomain."""

    verified_domain_name: DomainName
    domain: DomainIn
    domain_federation_settings: DomainFederationSettingsIn | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "VerifiedDomainIn":
        # Assumed, undocumented: Domain.Name must name the same domain as VerifiedDomainName.
        if self.domain.name.lower() != self.verified_domain_name.lower():
            raise ValueError("Domain.Name must equal VerifiedDomainName")
        if self.domain.authentication_type == "federated" and self.domain_federation_settings is None:
            raise ValueError("DomainFederationSettings is required when AuthenticationType is Federated")
        return self


class PasswordProfileIn(FlexibleModel):
    password: str | None = None
    force_change_password: bool | None = None


class CustomerUserCreate(FlexibleModel):
    """Body of POST /v1/customers/{id}/users.

    Assumed, undocumented: which fields are required (userPrincipalName, displayName, usageLocation
    and passwordProfile.password, as the doc example always sends them). No password complexity check.
    """

    user_principal_name: UserPrincipalName
    display_name: NonEmpty
    usage_location: CountryCode
    password_profile: PasswordProfileIn
    first_name: str | None = None
    last_name: str | None = None
    immutable_id: str | None = None
    phone_number: str | None = None

    @field_validator("password_profile")
    @classmethod
    def _has_password(cls, profile: PasswordProfileIn) -> PasswordProfileIn:
        if not profile.password:
            raise ValueError("passwordProfile.password is required")
        return profile


class CustomerUserPatch(FlexibleModel):
    """Body of PATCH /v1/customers/{id}/users/{uid}: a null or absent member means "unchanged"."""

    user_principal_name: UserPrincipalName | None = None
    display_name: NonEmpty | None = None
    usage_location: CountryCode | None = None
    password_profile: PasswordProfileIn | None = None
    first_name: str | None = None
    last_name: str | None = None
    immutable_id: str | None = None
    phone_number: str | None = None
    state: UserState | None = None


# --- responses ----------------------------------------------------------------------------------


class OutModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class LinkHeader(OutModel):
    key: str
    value: str


class Link(OutModel):
    uri: str  # relative, without /v1
    method: str = "GET"
    headers: list[LinkHeader] = []


class ResourceLinks(OutModel):
    self_link: Link = Field(alias="self")


class CollectionLinks(OutModel):
    self_link: Link = Field(alias="self")
    next: Link | None = None


class Attributes(OutModel):
    object_type: str


class CompanyProfile(OutModel):
    tenant_id: str
    domain: str
    company_name: str
    email: str | None = None  # only for customers created through POST /customers (their billing email)
    links: ResourceLinks
    attributes: Attributes = Attributes(object_type="CustomerCompanyProfile")


class Customer(OutModel):
    id: str
    commerce_id: str | None = None  # the fields set to None here are only in GET /customers/{id}
    company_profile: CompanyProfile
    relationship_to_partner: str
    allow_delegated_access: bool | None = None
    custom_domains: list[str] | None = None
    links: ResourceLinks
    attributes: Attributes = Attributes(object_type="Customer")


class PasswordProfile(OutModel):
    password: str | None = None
    force_change_password: bool


class CustomerUser(OutModel):
    id: str
    user_principal_name: str
    first_name: str | None = None
    last_name: str | None = None
    display_name: str
    usage_location: str | None = None
    immutable_id: str | None = None
    phone_number: str | None = None
    password_profile: PasswordProfile | None = None  # only in the create response
    last_directory_sync_time: str | None = None
    user_domain_type: str = "none"
    state: str
    soft_deletion_time: str | None = None
    links: ResourceLinks
    attributes: Attributes = Attributes(object_type="CustomerUser")


class Domain(OutModel):
    authentication_type: str
    capability: str
    is_default: bool | None = None
    is_initial: bool | None = None
    name: str
    root_domain: str | None = None
    status: str
    verification_method: str
    attributes: Attributes = Attributes(object_type="Domain")


class CustomDomainName(OutModel):
    name: str


Item = TypeVar("Item")


class Collection(OutModel, Generic[Item]):
    # Assumed, undocumented: totalCount counts the items of this page (the docs' examples are single pages).
    total_count: int
    items: list[Item]
    links: CollectionLinks | None = None
    continuation_token: str | None = None
    attributes: Attributes = Attributes(object_type="Collection")


class ErrorBody(OutModel):
    # Assumed: `code` is written as a number (the swagger's ServiceFault); the docs type it as a string.
    code: int
    description: str
    data: list[Any] = []
    source: str = "PartnerCenter"


class ThrottledBody(OutModel):
    status_code: int = 429
    message: str


# --- licenses and directory roles (requests) -----------------------------------------------------


class LicenseAssignmentIn(FlexibleModel):
    sku_id: NonEmpty
    excluded_plans: list[NonEmpty] | None = None  # service plan ids


class LicenseUpdateIn(FlexibleModel):
    """Body of POST /v1/customers/{id}/users/{uid}/licenseupdates."""

    licenses_to_assign: list[LicenseAssignmentIn] | None = None
    licenses_to_remove: list[NonEmpty] | None = None


class UserMemberIn(FlexibleModel):
    """Body of POST /v1/customers/{id}/directoryroles/{roleId}/usermembers: the user is named by ``id``."""

    id: NonEmpty
    display_name: str | None = None
    user_principal_name: str | None = None
    role_id: str | None = None


# --- customers, validations, agreements (requests) -----------------------------------------------


class AddressIn(FlexibleModel):
    """An Address: required members as the validation docs' example sends them."""

    address_line1: NonEmpty
    address_line2: str | None = None
    address_line3: str | None = None
    city: NonEmpty
    state: str | None = None
    postal_code: NonEmpty
    country: CountryCode
    region: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None


class CompanyProfileIn(FlexibleModel):
    domain: NonEmpty  # "contoso" or "contoso.onmicrosoft.com"
    company_name: str | None = None
    email: str | None = None
    organization_registration_number: str | None = None


class BillingProfileIn(FlexibleModel):
    # Assumed, undocumented: which members are required (those the doc example always fills in).
    email: NonEmpty
    culture: NonEmpty
    language: NonEmpty
    company_name: NonEmpty
    default_address: AddressIn
    first_name: str | None = None
    last_name: str | None = None


class CustomerCreate(FlexibleModel):
    """Body of POST /v1/customers."""

    company_profile: CompanyProfileIn
    billing_profile: BillingProfileIn
    associated_partner_id: str | None = None


class ContactIn(FlexibleModel):
    first_name: NonEmpty
    last_name: NonEmpty
    email: NonEmpty
    phone_number: str | None = None


class AgreementIn(FlexibleModel):
    """Body of POST /v1/customers/{id}/agreements."""

    primary_contact: ContactIn
    template_id: NonEmpty
    date_agreed: NonEmpty
    type: NonEmpty
    user_id: str | None = None


# --- licenses, roles, customers, agreements (responses) ------------------------------------------


class ProductSku(OutModel):
    id: str
    name: str
    sku_part_number: str
    target_type: str
    license_group_id: str


class ServicePlanOut(OutModel):
    display_name: str
    service_name: str
    id: str
    capability_status: str
    target_type: str


class SubscribedSkuOut(OutModel):
    available_units: int
    active_units: int
    consumed_units: int
    suspended_units: int
    total_units: int
    warning_units: int
    product_sku: ProductSku
    service_plans: list[ServicePlanOut]
    capability_status: str
    attributes: Attributes = Attributes(object_type="SubscribedSku")


class LicenseOut(OutModel):
    service_plans: list[ServicePlanOut]  # the plans the user has: the SKU's plans minus the excluded ones
    product_sku: ProductSku
    attributes: Attributes = Attributes(object_type="License")


class LicenseAssignmentOut(OutModel):
    sku_id: str
    excluded_plans: list[str] | None = None


class LicenseUpdateOut(OutModel):
    licenses_to_assign: list[LicenseAssignmentOut] | None = None
    licenses_to_remove: list[str] | None = None
    license_warnings: list[Any] = []
    attributes: Attributes = Attributes(object_type="LicenseUpdate")


class DirectoryRoleOut(OutModel):
    name: str
    id: str
    attributes: Attributes = Attributes(object_type="DirectoryRole")


class UserMemberOut(OutModel):
    user_principal_name: str
    display_name: str
    id: str
    role_id: str
    attributes: Attributes = Attributes(object_type="UserMember")


class AddressOut(OutModel):
    address_line1: str
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str
    country: str
    region: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None


class BillingProfileOut(OutModel):
    email: str
    culture: str
    language: str
    company_name: str
    default_address: AddressOut
    first_name: str | None = None
    last_name: str | None = None
    links: ResourceLinks
    attributes: Attributes = Attributes(object_type="CustomerBillingProfile")


class UserCredentials(OutModel):
    user_name: str
    password: str
    attributes: Attributes = Attributes(object_type="UserCredentials")


class CreatedCustomer(Customer):
    billing_profile: BillingProfileOut | None = None
    user_credentials: UserCredentials | None = None


class AddressValidationOut(OutModel):
    original_address: AddressOut
    suggested_addresses: list[AddressOut] = []
    status: str
    validation_message: str | None = None
    attributes: Attributes = Attributes(object_type="AddressValidationResponse")


class AgreementMetaDataOut(OutModel):
    template_id: str
    agreement_type: str
    type: str  # Assumed: the resource table names it `type`, other pages `agreementType`: both are written
    agreement_link: str
    version_rank: int
    attributes: Attributes = Attributes(object_type="AgreementMetaData")


class ContactOut(OutModel):
    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


class AgreementOut(OutModel):
    primary_contact: ContactOut
    template_id: str
    date_agreed: str
    type: str
    agreement_link: str | None = None
    user_id: str | None = None
    attributes: Attributes = Attributes(object_type="Agreement")
