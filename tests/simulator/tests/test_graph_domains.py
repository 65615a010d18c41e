"""Microsoft Graph domains in a customer tenant (a customer-tenant token, allowed through GDAP)."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import requests

from .support import CLIENT_ID, CLIENT_SECRET, CONTOSO, FABRIKAM, NORTHWIND, PARTNER, REFRESH_TOKEN, users_of
from .test_graph_gdap import GRAPH_SCOPE, USER_ADMIN, assert_graph_error

CONTOSO_RELATIONSHIP = "9a9d0001-0000-4000-8000-000000000001-c0000001-0000-4000-8000-000000000001"


def customer_token(http: requests.Session, sim, tenant: str) -> requests.Response:
    return http.post(
        f"{sim.url}/{tenant}/oauth2/v2.0/token",
        data={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": REFRESH_TOKEN,
            "scope": f"{GRAPH_SCOPE} offline_access",
        },
    )


@pytest.fixture
def domains(http, sim) -> Callable[..., requests.Response]:
    """``domains(method, path, tenant=CONTOSO, **kwargs)`` against /v1.0/domains with that tenant's token."""
    tokens: dict[str, str] = {}

    def call(method: str, path: str = "", tenant: str = CONTOSO, **kwargs: Any) -> requests.Response:
        if tenant not in tokens:
            answer = customer_token(http, sim, tenant)
            assert answer.status_code == 200, answer.text
            tokens[tenant] = answer.json()["access_token"]
        headers = {"Authorization": f"Bearer {tokens[tenant]}"}
        return http.request(method, f"{sim.url}/v1.0/domains{path}", headers=headers, timeout=30, **kwargs)

    call.forget_tokens = tokens.clear  # after a reset
    return call


def test_add_read_records_verify_delete(sim, domains):
    created = domains("POST", json={"id": "contoso.example"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["id"], body["isVerified"], body["isDefault"], body["authenticationType"]) == (
        "contoso.example", False, False, "Managed",
    )  # fmt: skip
    assert body["supportedServices"] == []
    records = domains("GET", "/contoso.example/verificationDnsRecords").json()["value"]
    txt = next(r for r in records if r["recordType"] == "Txt")
    assert txt["text"].startswith("MS=ms") and len(txt["text"]) == len("MS=ms12345678")
    assert (txt["label"], txt["ttl"], txt["isOptional"]) == ("contoso.example", 3600, False)
    assert {r["recordType"] for r in records} == {"Txt", "Mx"}
    # the record stays the same while the domain does
    assert domains("GET", "/contoso.example/verificationDnsRecords").json()["value"] == records

    refused = assert_graph_error(domains("POST", "/contoso.example/verify"), 400, "Request_BadRequest")
    assert txt["text"] in refused["message"]
    assert domains("GET", "/contoso.example").json()["isVerified"] is False

    published = sim.publish_dns_record(CONTOSO, "contoso.example")
    assert published["text"] == txt["text"]
    verified = domains("POST", "/contoso.example/verify")
    assert verified.status_code == 200 and verified.json()["isVerified"] is True
    assert verified.json()["availabilityStatus"] == "AvailableImmediately"
    # one truth: Partner Center sees it as a verified custom domain of the customer
    customer = next(c for c in sim.state()["partners"][0]["customers"] if c["id"] == CONTOSO)
    assert "contoso.example" in [d["name"] for d in customer["custom_domains"]]
    assert customer["graph_domains"] == []
    assert_graph_error(domains("POST", "/contoso.example/verify"), 400, "Request_BadRequest")

    assert domains("DELETE", "/contoso.example").status_code == 204
    assert_graph_error(domains("GET", "/contoso.example"), 404, "Request_ResourceNotFound")
    customer = next(c for c in sim.state()["partners"][0]["customers"] if c["id"] == CONTOSO)
    assert "contoso.example" not in [d["name"] for d in customer["custom_domains"]]


def test_partner_center_sees_the_verified_domain(sim, domains, pc, user_token):
    domains("POST", json={"id": "pc-sees.example"})
    sim.publish_dns_record(CONTOSO, "pc-sees.example")
    domains("POST", "/pc-sees.example/verify")
    assert "pc-sees.example" in pc("GET", f"/customers/{CONTOSO}/customDomains", user_token).json()
    assert pc("HEAD", "/domains/pc-sees.example", user_token).status_code == 200


def test_existing_partner_center_domains_are_verified_graph_domains(sim, domains):
    listed = {d["id"]: d for d in domains("GET").json()["value"]}
    initial = listed["contoso-demo.onmicrosoft.com"]
    assert (initial["isVerified"], initial["isInitial"], initial["isDefault"]) == (True, True, True)
    assert_graph_error(domains("DELETE", "/contoso-demo.onmicrosoft.com"), 400, "Request_BadRequest")


def test_unpublished_records_and_seeded_graph_domains_survive_a_state_round_trip(sim, domains):
    domains("POST", json={"id": "round.example"})
    saved = sim.state()
    customer = next(c for c in saved["partners"][0]["customers"] if c["id"] == CONTOSO)
    assert customer["graph_domains"] == [{"name": "round.example", "dns_published": False}]
    customer["graph_domains"][0]["dns_published"] = True
    sim.reset(saved)
    domains.forget_tokens()
    assert domains("POST", "/round.example/verify").status_code == 200


def test_duplicates_and_other_tenants_domains_are_refused(sim, domains):
    assert domains("POST", json={"id": "twice.example"}).status_code == 201
    assert_graph_error(domains("POST", json={"id": "twice.example"}), 400, "Request_BadRequest")
    # an unverified domain may be added by another tenant too
    assert domains("POST", tenant=FABRIKAM, json={"id": "twice.example"}).status_code == 201
    sim.publish_dns_record(FABRIKAM, "twice.example")
    assert domains("POST", "/twice.example/verify", tenant=FABRIKAM).status_code == 200
    sim.publish_dns_record(CONTOSO, "twice.example")
    assert "another tenant" in assert_graph_error(domains("POST", "/twice.example/verify"), 400)["message"]
    domains("POST", tenant=FABRIKAM, json={"id": "taken.example"})
    sim.publish_dns_record(FABRIKAM, "taken.example")
    domains("POST", "/taken.example/verify", tenant=FABRIKAM)
    assert "another tenant" in assert_graph_error(domains("POST", json={"id": "taken.example"}), 400)["message"]
    assert_graph_error(domains("POST", json={"id": "fabrikam-demo.onmicrosoft.com"}), 400, "Request_BadRequest")


@pytest.mark.parametrize("body", [{"id": "not a domain"}, {"id": "nodot"}, {"name": "x.example"}, {}])
def test_invalid_bodies_are_refused(sim, domains, body):
    assert_graph_error(domains("POST", json=body), 400)


def test_subdomain_of_a_verified_domain_is_verified_at_once(sim, domains):
    domains("POST", json={"id": "root.example"})
    sim.publish_dns_record(CONTOSO, "root.example")
    domains("POST", "/root.example/verify")
    sub = domains("POST", json={"id": "mail.root.example"})
    assert sub.status_code == 201 and sub.json()["isVerified"] is True and sub.json()["isRoot"] is False


def test_a_domain_used_by_users_is_not_deleted(sim, domains, pc, user_token):
    domains("POST", json={"id": "used.example"})
    sim.publish_dns_record(CONTOSO, "used.example")
    domains("POST", "/used.example/verify")
    user = {
        "userPrincipalName": "someone@used.example", "displayName": "Someone", "usageLocation": "US",
        "passwordProfile": {"password": "Example-Passw0rd!", "forceChangePassword": True},
    }  # fmt: skip
    assert pc("POST", f"/customers/{CONTOSO}/users", user_token, json=user).status_code in (200, 201)
    assert_graph_error(domains("DELETE", "/used.example"), 400, "Request_BadRequest")
    assert any(u["user_principal_name"] == "someone@used.example" for u in users_of(sim, CONTOSO))


def test_gdap_decides_what_a_customer_tenant_token_may_do(sim, http, domains):
    # Northwind has no relationship: its token is issued, its Graph calls are refused
    assert_graph_error(domains("GET", tenant=NORTHWIND), 403, "Authorization_RequestDenied")
    # a relationship without Domain Name Administrator reads but does not write
    graph_token = http.post(
        f"{sim.url}/{PARTNER}/oauth2/v2.0/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
              "refresh_token": REFRESH_TOKEN, "scope": GRAPH_SCOPE},
    ).json()["access_token"]  # fmt: skip
    relationship = http.post(
        f"{sim.url}/v1.0/tenantRelationships/delegatedAdminRelationships",
        headers={"Authorization": f"Bearer {graph_token}"},
        json={"displayName": "Northwind users only", "duration": "P30D", "customer": {"tenantId": NORTHWIND},
              "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN}]}},
    ).json()  # fmt: skip
    http.post(
        f"{sim.url}/v1.0/tenantRelationships/delegatedAdminRelationships/{relationship['id']}/requests",
        headers={"Authorization": f"Bearer {graph_token}"}, json={"action": "lockForApproval"},
    )  # fmt: skip
    sim.approve_relationship(relationship["id"])
    assert domains("GET", tenant=NORTHWIND).status_code == 200
    assert_graph_error(domains("POST", tenant=NORTHWIND, json={"id": "nw.example"}), 403, "Authorization_RequestDenied")
    # an expired relationship grants nothing
    sim.expire_relationship(CONTOSO_RELATIONSHIP)
    assert_graph_error(domains("GET"), 403, "Authorization_RequestDenied")


def test_a_partner_tenant_token_works_on_the_partners_own_domains(sim, http):
    token = http.post(
        f"{sim.url}/{PARTNER}/oauth2/v2.0/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
              "refresh_token": REFRESH_TOKEN, "scope": GRAPH_SCOPE},
    ).json()["access_token"]  # fmt: skip
    listed = http.get(f"{sim.url}/v1.0/domains", headers={"Authorization": f"Bearer {token}"}).json()["value"]
    assert [d["id"] for d in listed] == ["demopartner.onmicrosoft.com"]


def test_verify_failure_fault_free_journal(sim, domains):
    domains("POST", json={"id": "journal.example"})
    domains("POST", "/journal.example/verify")
    graph_entries = [(e["method"], e["path"], e["status"]) for e in sim.journal() if e["api"] == "graph"]
    assert graph_entries == [("POST", "/v1.0/domains", 201), ("POST", "/v1.0/domains/journal.example/verify", 400)]
    token_paths = [e["path"] for e in sim.journal() if e["api"] == "entra"]
    assert token_paths == [f"/{CONTOSO}/oauth2/v2.0/token"]
