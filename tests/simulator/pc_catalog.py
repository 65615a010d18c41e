"""Fixed catalogs: the SKUs every customer starts with, the Entra built-in directory roles, agreement templates.

Role ids are the roles' well-known template ids, the same in every tenant. SKU and service plan ids
are the published Microsoft 365 product ids. Seeds may replace the SKUs of a customer (``subscribed_skus``).
"""

from __future__ import annotations

from typing import Any

from .state import DirectoryRole, ServicePlan, SubscribedSku

# Entra built-in directory roles: (template id, display name).
# Assumed, undocumented: Partner Center's DirectoryRole.id is the role's template id (the doc examples
# show template ids, e.g. Helpdesk Administrator 729827e3-...), so it is the same in every tenant.
DIRECTORY_ROLES: tuple[tuple[str, str], ...] = (
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    ("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator"),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator"),
    ("966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator"),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator"),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"),
    ("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator"),
    ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers"),
    ("9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers"),
    ("8329153b-31d0-4727-b945-745eb3bc5f31", "Domain Name Administrator"),
    ("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator"),
)
GLOBAL_ADMINISTRATOR = DIRECTORY_ROLES[0][0]


def _plan(plan_id: str, service_name: str, display_name: str) -> dict[str, Any]:
    return {"id": plan_id, "service_name": service_name, "display_name": display_name}


# The SKUs every customer has unless its seed says otherwise (`subscribed_skus`).
DEFAULT_SKUS: tuple[dict[str, Any], ...] = (
    {
        "id": "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
        "part_number": "O365_BUSINESS_PREMIUM",
        "name": "Microsoft 365 Business Standard",
        "active_units": 1000,
        "service_plans": [
            _plan("9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD", "Exchange Online (Plan 1)"),
            _plan("0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD", "Skype for Business Online (Plan 2)"),
            _plan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1", "Microsoft Teams"),
            _plan("c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD", "SharePoint (Plan 1)"),
            _plan("094e7854-93fc-4d55-b2c0-3ab5369ebdc1", "OFFICE_BUSINESS", "Microsoft 365 Apps for business"),
        ],
    },
    {
        "id": "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
        "part_number": "EMS",
        "name": "Enterprise Mobility + Security E3",
        "active_units": 25,
        "service_plans": [
            _plan("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM", "Microsoft Entra ID P1"),
            _plan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A", "Microsoft Intune"),
            _plan("8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM", "Microsoft Azure Multi-Factor Authentication"),
        ],
    },
    {
        # no unit left: every assignment is refused with 60012
        "id": "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "part_number": "SPE_E3",
        "name": "Microsoft 365 E3",
        "active_units": 0,
        "service_plans": [
            _plan("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", "Exchange Online (Plan 2)"),
            _plan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1", "Microsoft Teams"),
        ],
    },
)

# Agreement templates (GET /v1/agreements).
# Assumed, undocumented: the template ids (any stable GUID serves; clients read them from this call).
AGREEMENT_TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "template_id": "117a69e1-8f0f-4e7e-a7a7-1f4f63a3f5c9",
        "type": "MicrosoftCustomerAgreement",
        "agreement_link": "https://aka.ms/customeragreement",
        "version_rank": 0,
    },
    {
        "template_id": "998b88de-aa99-4388-a42c-1b3517d49490",
        "type": "MicrosoftCloudAgreement",
        "agreement_link": "https://aka.ms/microsoftcloudagreement",
        "version_rank": 0,
    },
)
AGREEMENT_TYPES = {template["type"].lower(): template["type"] for template in AGREEMENT_TEMPLATES}


def build_sku(spec: dict[str, Any]) -> SubscribedSku:
    """A SubscribedSku from a catalog or seed entry (snake_case keys)."""
    plans = [ServicePlan(**plan) for plan in spec.get("service_plans", [])]
    fields = {key: value for key, value in spec.items() if key != "service_plans"}
    return SubscribedSku(service_plans=plans, **fields)


# Service plans are never changed once built, so every customer's default SKUs share these lists.
_DEFAULT_PLANS = {spec["id"]: [ServicePlan(**plan) for plan in spec["service_plans"]] for spec in DEFAULT_SKUS}


def default_skus() -> dict[str, SubscribedSku]:
    return {
        spec["id"]: SubscribedSku(
            service_plans=_DEFAULT_PLANS[spec["id"]],
            **{key: value for key, value in spec.items() if key != "service_plans"},
        )
        for spec in DEFAULT_SKUS
    }


def directory_roles() -> dict[str, DirectoryRole]:
    return {role_id: DirectoryRole(role_id, name) for role_id, name in DIRECTORY_ROLES}
