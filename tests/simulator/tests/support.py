"""Ids of the demo seed and small helpers shared by the simulator tests."""

from __future__ import annotations

import uuid

import requests

from simulator import control

PARTNER = "4b1f2c3d-0000-4000-8000-000000000001"
PARTNER_DOMAIN = "demopartner.onmicrosoft.com"
CLIENT_ID = "7d5c9a10-0000-4000-8000-0000000000a1"
CLIENT_SECRET = "demo-client-secret-not-a-real-one"
REFRESH_TOKEN = "demo-refresh-token-not-a-real-one"
CONTOSO = "c0000001-0000-4000-8000-000000000001"
FABRIKAM = "c0000002-0000-4000-8000-000000000002"
NORTHWIND = "c0000003-0000-4000-8000-000000000003"
APP_SCOPE = "https://api.partnercenter.microsoft.com/.default"
USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"

APS_KEY, APS_SECRET = "demo-aps-consumer-key", "demo-aps-consumer-secret-not-real"
APS_READONLY_KEY, APS_READONLY_SECRET = "demo-aps-readonly-key", "demo-aps-readonly-secret-not-real"
APS_TOKEN = "demo-aps-token-not-a-real-one"
APP_INSTANCE = "a7000000-0000-4000-8000-000000000365"
ACCOUNT_TYPE = "http://parallels.com/aps/types/pa/account/1.2"
BYPASS_TYPE = "http://www.parallels.com/Office365/BypassOwnershipValidation/1.0"


# The doc example of POST /users (partner_center_api.md §4, "Create").
DOC_USER = {
    "usageLocation": "US",
    "userPrincipalName": "new.user@contoso-demo.onmicrosoft.com",
    "firstName": "New",
    "lastName": "User",
    "displayName": "New User",
    "immutableId": "new-user-immutable-id",
    "passwordProfile": {"password": "Example-Passw0rd!", "forceChangePassword": True},
    "attributes": {"objectType": "CustomerUser"},
}


def token_request(http: requests.Session, sim: control.Sim, **form: str) -> requests.Response:
    return http.post(f"{sim.url}/{PARTNER}/oauth2/v2.0/token", data={"client_id": CLIENT_ID, **form})


def new_request_id() -> dict[str, str]:
    return {"MS-RequestId": str(uuid.uuid4())}


def users_of(sim: control.Sim, customer_id: str) -> list[dict]:
    customer = next(c for c in sim.state()["partners"][0]["customers"] if c["id"] == customer_id)
    return customer["users"]
