"""Partner Center: the reference's examples round-trip, and the documented (and assumed) behaviours hold."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from .support import CONTOSO, DOC_USER, FABRIKAM, NORTHWIND, PARTNER, new_request_id, users_of

SIGNING_CERTIFICATE = "MIIC8DCCAdigAwIBAgIQ"  # base64 text; its content is never parsed


def federated_domain_body(name: str) -> dict:
    """The doc example of POST /verifieddomain, in its PascalCase spelling."""
    return {
        "VerifiedDomainName": name,
        "Domain": {
            "AuthenticationType": "Federated",
            "Capability": "Email",
            "IsDefault": None,
            "IsInitial": None,
            "Name": name,
            "RootDomain": None,
            "Status": "Verified",
            "VerificationMethod": "DnsRecord",
        },
        "DomainFederationSettings": {
            "ActiveLogOnUri": "https://sts.example.com/adfs/services/trust/2005/usernamemixed",
            "DefaultInteractiveAuthenticationMethod": None,
            "FederationBrandName": "Example",
            "IssuerUri": "http://example.com/adfs/services/trust",
            "LogOffUri": "https://sts.example.com/adfs/ls/",
            "MetadataExchangeUri": "https://sts.example.com/adfs/services/trust/mex",
            "NextSigningCertificate": None,
            "OpenIdConnectDiscoveryEndpoint": None,
            "PassiveLogOnUri": "https://sts.example.com/adfs/ls/",
            "PreferredAuthenticationProtocol": "WsFed",
            "PromptLoginBehavior": "TranslateToFreshPasswordAuth",
            "SigningCertificate": SIGNING_CERTIFICATE,
            "SigningCertificateUpdateStatus": None,
            "SupportsMfa": True,
        },
    }


def camel_managed_domain_body(name: str) -> dict:
    return {
        "verifiedDomainName": name,
        "domain": {
            "name": name,
            "authenticationType": "managed",
            "capability": "email",
            "status": "verified",
            "verificationMethod": "dns_record",
        },
    }


def all_pages(pc, token: str, first_path: str) -> list[dict]:
    """Follow links.next (uri + headers) as the .NET SDK does."""
    page = pc("GET", first_path, token).json()
    items = list(page["items"])
    while "next" in page["links"]:
        following = page["links"]["next"]
        headers = {header["key"]: header["value"] for header in following["headers"]}
        page = pc("GET", following["uri"], token, headers=headers).json()
        items += page["items"]
    return items


# --- customers ---------------------------------------------------------------------------------


def test_customers_are_seek_paged(pc, app_token):
    first = pc("GET", "/customers?size=4", app_token).json()
    assert first["attributes"] == {"objectType": "Collection"}
    assert first["totalCount"] == 4 and len(first["items"]) == 4
    assert first["links"]["next"]["uri"] == "/customers?size=4&seekOperation=Next"
    assert first["links"]["next"]["headers"][0]["key"] == "MS-ContinuationToken"
    assert first["links"]["next"]["headers"][0]["value"] == first["continuationToken"]
    # by hand: seekOperation=Next and the header
    second = pc(
        "GET", "/customers?seekOperation=Next", app_token, headers={"MS-ContinuationToken": first["continuationToken"]}
    )
    assert [c["id"] for c in second.json()["items"]] == [
        f"c00000{n:02d}-0000-4000-8000-0000000000{n:02d}" for n in (5, 6, 7, 8)
    ]
    everything = all_pages(pc, app_token, "/customers?size=4")
    assert len(everything) == 10 and len({c["id"] for c in everything}) == 10


def test_customer_list_items_have_the_reduced_shape(pc, app_token):
    item = pc("GET", "/customers", app_token).json()["items"][0]
    assert item["companyProfile"]["domain"] == "contoso-demo.onmicrosoft.com"
    assert item["links"]["self"] == {"uri": f"/customers/{CONTOSO}", "method": "GET", "headers": []}
    assert "allowDelegatedAccess" not in item and "customDomains" not in item


def test_page_size_is_capped_by_the_server(sim, pc, app_token):
    sim.settings({"pc_max_page_size": 3})
    page = pc("GET", "/customers?size=100", app_token).json()
    assert len(page["items"]) == 3 and "next" in page["links"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("Domain", "FABRIKAM-demo", [FABRIKAM]),
        ("DefaultDomainName", "north", [NORTHWIND]),
        ("CompanyName", "contoso demo", [CONTOSO]),
        ("DisplayName", "Filler Customer 1", ["c0000010-0000-4000-8000-000000000010"]),
    ],
)
def test_customer_filter_starts_with_case_insensitively(pc, app_token, field, value, expected):
    spec = quote(json.dumps({"Field": field, "Value": value, "Operator": "starts_with"}))
    assert [c["id"] for c in all_pages(pc, app_token, f"/customers?size=2&filter={spec}")] == expected


def test_a_filter_survives_paging(pc, app_token):
    spec = quote(json.dumps({"Field": "CompanyName", "Value": "filler", "Operator": "starts_with"}))
    assert len(all_pages(pc, app_token, f"/customers?size=2&filter={spec}")) == 7


def test_get_customer_by_id(pc, app_token):
    customer = pc("GET", f"/customers/{FABRIKAM}", app_token).json()
    assert customer["companyProfile"] == {
        "tenantId": FABRIKAM,
        "domain": "fabrikam-demo.onmicrosoft.com",
        "companyName": "Fabrikam Demo Inc",
        "links": {"self": {"uri": f"/customers/{FABRIKAM}/profiles/company", "method": "GET", "headers": []}},
        "attributes": {"objectType": "CustomerCompanyProfile"},
    }
    assert customer["relationshipToPartner"] == "reseller"
    assert customer["allowDelegatedAccess"] is True and customer["customDomains"] == []
    assert customer["attributes"] == {"objectType": "Customer"}


def test_unknown_customer_is_404(pc, app_token):
    answer = pc("GET", "/customers/00000000-0000-4000-8000-000000000000", app_token)
    assert answer.status_code == 404
    assert answer.json() == {"code": 60003, "description": "Tenant not found", "data": [], "source": "PartnerCenter"}


def test_a_partner_sees_only_its_own_customers(sim, http, pc):
    seed = sim.state()
    seed["partners"].append(
        {
            "tenant_id": "4b1f2c3d-0000-4000-8000-000000000002",
            "domain": "otherpartner.onmicrosoft.com",
            "apps": [{"client_id": "7d5c9a10-0000-4000-8000-0000000000a2", "client_secret": "other-secret"}],
            "customers": [
                {
                    "id": "d0000001-0000-4000-8000-000000000001",
                    "company_name": "Other",
                    "domain": "other-customer.onmicrosoft.com",
                }
            ],
        }
    )
    sim.reset(seed)
    answer = http.post(
        f"{sim.url}/4b1f2c3d-0000-4000-8000-000000000002/oauth2/v2.0/token",
        data={
            "client_id": "7d5c9a10-0000-4000-8000-0000000000a2",
            "client_secret": "other-secret",
            "grant_type": "client_credentials",
            "scope": "https://api.partnercenter.microsoft.com/.default",
        },
    )
    other_token = answer.json()["access_token"]
    assert [c["id"] for c in pc("GET", "/customers", other_token).json()["items"]] == [
        "d0000001-0000-4000-8000-000000000001"
    ]
    assert pc("GET", f"/customers/{CONTOSO}", other_token).status_code == 403


def test_partner_center_headers_are_echoed_or_generated(pc, app_token):
    sent = {
        "MS-RequestId": "11111111-1111-4111-8111-111111111111",
        "MS-CorrelationId": "22222222-2222-4222-8222-222222222222",
    }
    answer = pc("GET", "/customers", app_token, headers=sent)
    assert answer.headers["MS-RequestId"] == sent["MS-RequestId"]
    assert answer.headers["MS-CorrelationId"] == sent["MS-CorrelationId"]
    assert answer.headers["MS-CV"]
    generated = pc("GET", "/customers", app_token)
    assert generated.headers["MS-RequestId"] and generated.headers["MS-CorrelationId"]


# --- domains -----------------------------------------------------------------------------------


def test_add_a_federated_domain_with_the_pascal_case_doc_example(pc, app_token):
    answer = pc("POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=federated_domain_body("Example.com"))
    assert answer.status_code == 201
    assert answer.json() == {
        "authenticationType": "federated",
        "capability": "email",
        "name": "Example.com",
        "status": "verified",
        "verificationMethod": "dns_record",
        "attributes": {"objectType": "Domain"},
    }
    assert pc("GET", f"/customers/{CONTOSO}", app_token).json()["customDomains"] == ["Example.com"]


def test_add_a_federated_domain_with_a_camel_case_body(pc, app_token):
    body = federated_domain_body("camel.example.com")

    def camel(value):
        if isinstance(value, dict):
            return {key[0].lower() + key[1:]: camel(item) for key, item in value.items()}
        return value

    answer = pc("POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=camel(body))
    assert answer.status_code == 201
    assert answer.json()["authenticationType"] == "federated"


def test_add_a_managed_domain_with_snake_case_names(pc, user_token):
    body = {
        "verified_domain_name": "snake.example.com",
        "domain": {
            "name": "snake.example.com",
            "authentication_type": "MANAGED",
            "capability": "email",
            "status": "verified",
            "verification_method": "none",
        },
    }
    answer = pc("POST", f"/customers/{CONTOSO}/verifieddomain", user_token, json=body)
    assert answer.status_code == 201 and answer.json()["authenticationType"] == "managed"


@pytest.mark.parametrize("custom_domains_format", ["names", "objects", "collection"])
def test_custom_domains_formats(sim, pc, app_token, custom_domains_format):
    pc("POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=camel_managed_domain_body("listed.example.com"))
    sim.settings({"custom_domains_format": custom_domains_format})
    body = pc("GET", f"/customers/{CONTOSO}/customDomains", app_token).json()
    expected = {
        "names": ["listed.example.com"],
        "objects": [{"name": "listed.example.com"}],
        "collection": {
            "totalCount": 1,
            "items": [{"name": "listed.example.com"}],
            "attributes": {"objectType": "Collection"},
        },
    }[custom_domains_format]
    assert body == expected


def test_add_domain_status_setting(sim, pc, app_token):
    sim.settings({"add_domain_status": 200})
    assert (
        pc(
            "POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=camel_managed_domain_body("ok.example.com")
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "breakage",
    [
        "no federation settings",
        "no signing certificate",
        "certificate not base64",
        "no domain",
        "bad enum",
        "names differ",
    ],
)
def test_invalid_domain_bodies_are_400_invalid_property(pc, app_token, breakage):
    body = federated_domain_body("bad.example.com")
    if breakage == "no federation settings":
        del body["DomainFederationSettings"]
    elif breakage == "no signing certificate":
        del body["DomainFederationSettings"]["SigningCertificate"]
    elif breakage == "certificate not base64":
        body["DomainFederationSettings"]["SigningCertificate"] = "not base64!"
    elif breakage == "no domain":
        del body["Domain"]
    elif breakage == "bad enum":
        body["Domain"]["VerificationMethod"] = "Carrier pigeon"
    else:
        body["Domain"]["Name"] = "other.example.com"
    answer = pc("POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=body)
    assert answer.status_code == 400
    assert answer.json()["code"] == 3000 and answer.json()["source"] == "PartnerCenter"


@pytest.mark.parametrize(
    "name",
    [
        "contoso-demo.onmicrosoft.com",
        "fabrikam-demo.onmicrosoft.com",
        "demopartner.onmicrosoft.com",
        "twice.example.com",
    ],
)
def test_a_domain_that_exists_anywhere_is_409(pc, app_token, name):
    pc("POST", f"/customers/{NORTHWIND}/verifieddomain", app_token, json=camel_managed_domain_body("twice.example.com"))
    answer = pc("POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=camel_managed_domain_body(name))
    assert answer.status_code == 409
    assert "already exists" in answer.json()["description"]


def test_head_domain_says_whether_any_tenant_has_it(pc, app_token):
    pc("POST", f"/customers/{NORTHWIND}/verifieddomain", app_token, json=camel_managed_domain_body("added.example.com"))
    for name, status in [
        ("ADDED.example.com", 200),
        ("contoso-demo.onmicrosoft.com", 200),
        ("DemoPartner.onmicrosoft.com", 200),  # a partner tenant's domain too
        ("free.example.com", 404),
    ]:
        answer = pc("HEAD", f"/domains/{name}", app_token)
        assert (answer.status_code, answer.content) == (status, b"")


# --- users ---------------------------------------------------------------------------------------


def test_create_a_user_as_the_doc_example_does(sim, pc, user_token):
    answer = pc("POST", f"/customers/{CONTOSO}/users", user_token, json=DOC_USER)
    assert answer.status_code == 201
    user = answer.json()
    assert user["state"] == "active" and user["userDomainType"] == "none"
    assert user["attributes"] == {"objectType": "CustomerUser"}
    assert user["links"]["self"]["uri"] == f"/customers/{CONTOSO}/users/{user['id']}"
    assert user["passwordProfile"] == {"password": "Example-Passw0rd!", "forceChangePassword": True}
    fetched = pc("GET", f"/customers/{CONTOSO}/users/{user['id']}", user_token).json()
    assert "passwordProfile" not in fetched and "Example-Passw0rd!" not in json.dumps(fetched)
    listed = pc("GET", f"/customers/{CONTOSO}/users", user_token).text
    assert "Example-Passw0rd!" not in listed
    assert {u["user_principal_name"]: u.get("password") for u in users_of(sim, CONTOSO)}[
        DOC_USER["userPrincipalName"]
    ] == "Example-Passw0rd!"


def test_create_user_status_setting_and_pascal_case_body(sim, pc, user_token):
    sim.settings({"create_user_status": 200})
    pascal = {key[0].upper() + key[1:]: value for key, value in DOC_USER.items()}
    pascal["PasswordProfile"] = {"Password": "Example-Passw0rd!", "ForceChangePassword": False}
    answer = pc("POST", f"/customers/{CONTOSO}/users", user_token, json=pascal)
    assert answer.status_code == 200 and answer.json()["firstName"] == "New"


@pytest.mark.parametrize(
    "upn",
    [
        "admin@contoso-demo.onmicrosoft.com",
        "ADMIN@Contoso-Demo.onmicrosoft.com",
        "jane.doe@fabrikam-demo.onmicrosoft.com",
    ],
)
def test_duplicate_upn_is_409_also_against_deleted_users(pc, user_token, upn):
    customer = FABRIKAM if "fabrikam" in upn else CONTOSO
    answer = pc("POST", f"/customers/{customer}/users", user_token, json={**DOC_USER, "userPrincipalName": upn})
    assert answer.status_code == 409
    assert (
        answer.json()["description"]
        == "Another object with the same value for property userPrincipalName already exists."
    )
    assert answer.json()["data"] == [] and answer.json()["source"] == "PartnerCenter"


@pytest.mark.parametrize(
    "change",
    [
        {"userPrincipalName": "no-at-sign"},
        {"userPrincipalName": "someone@not-the-customers.example.com"},
        {"usageLocation": "USA"},
        {"displayName": ""},
        {"passwordProfile": {"forceChangePassword": True}},
    ],
)
def test_invalid_users_are_400_invalid_property(pc, user_token, change):
    answer = pc("POST", f"/customers/{CONTOSO}/users", user_token, json={**DOC_USER, **change})
    assert answer.status_code == 400 and answer.json()["code"] == 3000


def test_a_user_can_use_a_verified_custom_domain(pc, app_token, user_token):
    pc("POST", f"/customers/{CONTOSO}/verifieddomain", app_token, json=camel_managed_domain_body("contoso.example.com"))
    answer = pc(
        "POST",
        f"/customers/{CONTOSO}/users",
        user_token,
        json={**DOC_USER, "userPrincipalName": "a@contoso.example.com"},
    )
    assert answer.status_code == 201


def test_user_apis_refuse_app_only_tokens(pc, app_token):
    uid = "00000000-0000-4000-8000-000000000000"
    for method, path, body in [
        ("GET", f"/customers/{CONTOSO}/users", None),
        ("GET", f"/customers/{CONTOSO}/users/{uid}", None),
        ("POST", f"/customers/{CONTOSO}/users", DOC_USER),
        ("PATCH", f"/customers/{CONTOSO}/users/{uid}", {"displayName": "x"}),
        ("DELETE", f"/customers/{CONTOSO}/users/{uid}", None),
    ]:
        answer = pc(method, path, app_token, json=body)
        assert answer.status_code == 403, (method, path)
        assert {"code", "description", "data", "source"} <= answer.json().keys()


def test_unknown_user_is_404_60002(pc, user_token):
    answer = pc("GET", f"/customers/{CONTOSO}/users/00000000-0000-4000-8000-000000000000", user_token)
    assert (answer.status_code, answer.json()["code"]) == (404, 60002)


def test_patch_changes_only_what_is_given(pc, user_token):
    user = pc("POST", f"/customers/{CONTOSO}/users", user_token, json=DOC_USER).json()
    path = f"/customers/{CONTOSO}/users/{user['id']}"
    patched = pc(
        "PATCH", path, user_token, json={"usageLocation": "de", "attributes": {"objectType": "CustomerUser"}}
    ).json()
    assert patched["usageLocation"] == "DE" and patched["displayName"] == "New User"
    # the .NET SDK's style: every member, PascalCase, nulls for "unchanged", State/UserDomainType defaults
    dotnet = {
        "Id": user["id"],
        "UserPrincipalName": None,
        "FirstName": None,
        "LastName": "Renamed",
        "DisplayName": None,
        "UsageLocation": None,
        "ImmutableId": None,
        "PasswordProfile": None,
        "PhoneNumber": None,
        "LastDirectorySyncTime": None,
        "UserDomainType": "none",
        "State": "active",
        "SoftDeletionTime": None,
        "Attributes": {"ObjectType": "CustomerUser"},
    }
    patched = pc("PATCH", path, user_token, json=dotnet).json()
    assert (patched["lastName"], patched["firstName"], patched["usageLocation"]) == ("Renamed", "New", "DE")


def test_patch_resets_the_password_and_renames(sim, pc, user_token):
    user = pc("POST", f"/customers/{CONTOSO}/users", user_token, json=DOC_USER).json()
    path = f"/customers/{CONTOSO}/users/{user['id']}"
    body = {
        "passwordProfile": {"password": "Another-Passw0rd!", "forceChangePassword": False},
        "userPrincipalName": "renamed@contoso-demo.onmicrosoft.com",
    }
    patched = pc("PATCH", path, user_token, json=body)
    assert patched.status_code == 200 and "passwordProfile" not in patched.json()
    stored = {u["user_principal_name"]: u for u in users_of(sim, CONTOSO)}["renamed@contoso-demo.onmicrosoft.com"]
    assert stored["password"] == "Another-Passw0rd!" and stored["force_change_password"] is False
    taken = pc("PATCH", path, user_token, json={"userPrincipalName": "admin@contoso-demo.onmicrosoft.com"})
    assert taken.status_code == 409


def test_delete_soft_deletes_and_the_filter_lists_deleted_users(pc, user_token):
    admin = pc("GET", f"/customers/{CONTOSO}/users", user_token).json()["items"][0]
    path = f"/customers/{CONTOSO}/users/{admin['id']}"
    assert pc("DELETE", path, user_token).status_code == 204
    assert pc("GET", f"/customers/{CONTOSO}/users", user_token).json()["items"] == []
    deleted_filter = quote(json.dumps({"Field": "UserState", "Value": "Inactive", "Operator": "equals"}))
    deleted = pc("GET", f"/customers/{CONTOSO}/users?size=500&filter={deleted_filter}", user_token).json()["items"]
    assert [(u["id"], u["state"]) for u in deleted] == [(admin["id"], "inactive")]
    assert deleted[0]["softDeletionTime"].endswith("Z")
    assert pc("DELETE", path, user_token).status_code == 404
    assert pc("PATCH", path, user_token, json={"displayName": "changed"}).status_code == 404


def test_restore_a_deleted_user_with_the_doc_body(pc, user_token):
    deleted_filter = quote(json.dumps({"Field": "UserState", "Value": "Inactive", "Operator": "equals"}))
    jane = pc("GET", f"/customers/{FABRIKAM}/users?filter={deleted_filter}", user_token).json()["items"][0]
    assert jane["userPrincipalName"] == "jane.doe@fabrikam-demo.onmicrosoft.com"
    restored = pc(
        "PATCH",
        f"/customers/{FABRIKAM}/users/{jane['id']}",
        user_token,
        json={"State": "active", "Attributes": {"ObjectType": "CustomerUser"}},
    )
    assert restored.status_code == 200
    assert restored.json()["state"] == "active" and "softDeletionTime" not in restored.json()
    assert (restored.json()["firstName"], restored.json()["lastName"], restored.json()["usageLocation"]) == (
        "Jane",
        "Doe",
        "US",
    )
    active = pc("GET", f"/customers/{FABRIKAM}/users", user_token).json()["items"]
    assert {u["userPrincipalName"] for u in active} == {
        "jane.doe@fabrikam-demo.onmicrosoft.com",
        "admin@fabrikam-demo.onmicrosoft.com",
    }


def test_ten_thousand_users_are_listed_in_pages(sim, pc, user_token, http):
    seed = sim.state()
    seed["partners"][0]["customers"][2]["users_generate"] = {"count": 10_000}
    sim.reset(seed)
    token = http.post(
        f"{sim.url}/{PARTNER}/oauth2/v2.0/token",
        data={
            "client_id": "7d5c9a10-0000-4000-8000-0000000000a1",
            "client_secret": "demo-client-secret-not-a-real-one",
            "grant_type": "refresh_token",
            "refresh_token": "demo-refresh-token-not-a-real-one",
            "scope": "https://api.partnercenter.microsoft.com/user_impersonation",
        },
    ).json()["access_token"]
    users = all_pages(pc, token, f"/customers/{NORTHWIND}/users?size=1000")
    assert len(users) == 10_000 and len({u["id"] for u in users}) == 10_000
    pages = [entry for entry in sim.journal() if entry["path"].endswith("/users")]
    assert len(pages) == 20  # capped at pc_max_page_size (500)


def test_deleting_between_pages_skips_nothing(pc, user_token):
    for number in range(5):
        pc(
            "POST",
            f"/customers/{NORTHWIND}/users",
            user_token,
            json={**DOC_USER, "userPrincipalName": f"u{number}@northwind-demo.onmicrosoft.com"},
        )
    first = pc("GET", f"/customers/{NORTHWIND}/users?size=2", user_token).json()
    pc("DELETE", f"/customers/{NORTHWIND}/users/{first['items'][0]['id']}", user_token)
    rest = pc(
        "GET",
        f"/customers/{NORTHWIND}/users?seekOperation=Next",
        user_token,
        headers={"MS-ContinuationToken": first["continuationToken"]},
    ).json()
    assert [u["userPrincipalName"][:2] for u in rest["items"]] == ["u2", "u3"]


# --- idempotency -----------------------------------------------------------------------------------


def test_a_repeated_ms_request_id_returns_the_first_answer(sim, pc, user_token):
    request_id = new_request_id()
    first = pc("POST", f"/customers/{CONTOSO}/users", user_token, headers=request_id, json=DOC_USER)
    again = pc("POST", f"/customers/{CONTOSO}/users", user_token, headers=request_id, json=DOC_USER)
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (201, first.json())
    assert len(users_of(sim, CONTOSO)) == 2
    fresh = pc("POST", f"/customers/{CONTOSO}/users", user_token, headers=new_request_id(), json=DOC_USER)
    assert fresh.status_code == 409


def test_patch_is_idempotent_by_ms_request_id_too(pc, user_token):
    user = pc("POST", f"/customers/{CONTOSO}/users", user_token, json=DOC_USER).json()
    path = f"/customers/{CONTOSO}/users/{user['id']}"
    request_id = new_request_id()
    first = pc("PATCH", path, user_token, headers=request_id, json={"displayName": "First"})
    pc("PATCH", path, user_token, json={"displayName": "Second"})
    again = pc("PATCH", path, user_token, headers=request_id, json={"displayName": "First"})
    assert again.json() == first.json()
    assert pc("GET", path, user_token).json()["displayName"] == "Second"
