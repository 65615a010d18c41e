"""Partner Center: creating customers, domain prefix and address validations, agreements."""

from __future__ import annotations

import copy
import datetime
import json
from urllib.parse import quote

import pytest

from .support import CONTOSO, PARTNER, new_request_id

MCA_TEMPLATE = "117a69e1-8f0f-4e7e-a7a7-1f4f63a3f5c9"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
INVALID_ADDRESS = {
    "AddressLine1": "1 Nowhere Lane",
    "City": "Redmond",
    "State": "WA",
    "PostalCode": "99999",
    "Country": "US",
}  # fmt: skip  (the demo seed's address_validation rule)


def new_customer_body(prefix: str = "wingtiptoys", **address: str) -> dict:
    """The create-a-customer doc example, in its PascalCase spelling."""
    return {
        "Id": None,
        "CompanyProfile": {"TenantId": None, "Domain": f"{prefix}.onmicrosoft.com", "CompanyName": None},
        "BillingProfile": {
            "Email": "tania@wingtiptoys.example.com",
            "Culture": "EN-US",
            "Language": "En",
            "CompanyName": "Wingtip Toys",
            "DefaultAddress": {
                "Country": "US",
                "City": "Redmond",
                "State": "WA",
                "AddressLine1": "One Microsoft Way",
                "PostalCode": "98052",
                "FirstName": "Tania",
                "LastName": "Carr",
                "PhoneNumber": "4255550101",
                **address,
            },
        },
        "Attributes": {"ObjectType": "Customer"},
    }


def customer_ids(sim) -> list[str]:
    return [customer["id"] for customer in sim.state()["partners"][0]["customers"]]


# --- create --------------------------------------------------------------------------------------


def test_create_a_customer_with_its_initial_admin(sim, pc, app_token, user_token):
    answer = pc("POST", "/customers", app_token, json=new_customer_body(), headers=new_request_id())
    assert answer.status_code == 201
    customer = answer.json()
    assert customer["companyProfile"]["domain"] == "wingtiptoys.onmicrosoft.com"
    assert customer["companyProfile"]["companyName"] == "Wingtip Toys"
    assert customer["companyProfile"]["tenantId"] == customer["id"]
    assert customer["billingProfile"]["defaultAddress"]["postalCode"] == "98052"
    assert customer["relationshipToPartner"] == "reseller" and customer["attributes"] == {"objectType": "Customer"}
    credentials = customer["userCredentials"]
    assert credentials["userName"] == "admin@wingtiptoys.onmicrosoft.com" and len(credentials["password"]) >= 8
    # at once in the list (last), by Domain filter and by id, and its domain exists everywhere
    listed = pc("GET", "/customers", app_token).json()["items"]
    assert listed[-1]["id"] == customer["id"]
    spec = quote(json.dumps({"Field": "Domain", "Value": "wingtiptoys", "Operator": "starts_with"}))
    assert [c["id"] for c in pc("GET", f"/customers?filter={spec}", app_token).json()["items"]] == [customer["id"]]
    fetched = pc("GET", f"/customers/{customer['id']}", app_token).json()
    assert "userCredentials" not in fetched and fetched["billingProfile"]["email"] == "tania@wingtiptoys.example.com"
    assert pc("HEAD", "/domains/wingtiptoys.onmicrosoft.com", app_token).status_code == 200
    assert pc("GET", "/validations/checkdomainavailability/wingtiptoys", app_token).json() is False
    # the admin is a Global Administrator who must change the password; GET never shows it
    users = pc("GET", f"/customers/{customer['id']}/users", user_token).json()["items"]
    assert [u["userPrincipalName"] for u in users] == ["admin@wingtiptoys.onmicrosoft.com"]
    assert credentials["password"] not in json.dumps(users)
    members = pc("GET", f"/customers/{customer['id']}/directoryroles/{GLOBAL_ADMIN}/usermembers", user_token).json()
    assert [m["id"] for m in members["items"]] == [users[0]["id"]]
    stored = next(c for c in sim.state()["partners"][0]["customers"] if c["id"] == customer["id"])
    assert stored["users"][0]["password"] == credentials["password"] and stored["users"][0]["usage_location"] == "US"


def test_a_new_customer_can_be_onboarded_at_once(pc, app_token, user_token):
    customer = pc("POST", "/customers", app_token, json=new_customer_body("fresh-start")).json()["id"]
    domain = {
        "verifiedDomainName": "fresh-start.example.com",
        "domain": {"name": "fresh-start.example.com", "authenticationType": "managed", "capability": "email",
                   "status": "verified", "verificationMethod": "dns_record"},
    }  # fmt: skip
    assert pc("POST", f"/customers/{customer}/verifieddomain", app_token, json=domain).status_code == 201
    user = {
        "userPrincipalName": "jo@fresh-start.example.com",
        "displayName": "Jo",
        "usageLocation": "US",
        "passwordProfile": {"password": "Example-Passw0rd!", "forceChangePassword": True},
    }
    created = pc("POST", f"/customers/{customer}/users", user_token, json=user)
    assert created.status_code == 201
    skus = pc("GET", f"/customers/{customer}/subscribedskus", user_token).json()["items"]
    premium = next(s for s in skus if s["productSku"]["skuPartNumber"] == "O365_BUSINESS_PREMIUM")
    update = {"LicensesToAssign": [{"SkuId": premium["productSku"]["id"]}]}
    uid = created.json()["id"]
    assert pc("POST", f"/customers/{customer}/users/{uid}/licenseupdates", user_token, json=update).status_code == 201


def test_the_same_request_id_creates_one_customer(sim, pc, app_token):
    request_id = new_request_id()
    first = pc("POST", "/customers", app_token, json=new_customer_body(), headers=request_id)
    again = pc("POST", "/customers", app_token, json=new_customer_body(), headers=request_id)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert len(customer_ids(sim)) == 11
    # a new request id for the same domain is refused: the prefix is taken
    third = pc("POST", "/customers", app_token, json=new_customer_body(), headers=new_request_id())
    assert (third.status_code, third.json()["code"]) == (409, 600011)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda b: b["CompanyProfile"].update(Domain="contoso-demo.onmicrosoft.com"), 409, 600011),
        (lambda b: b["CompanyProfile"].update(Domain="demopartner"), 409, 600011),
        (lambda b: b["CompanyProfile"].update(Domain="wingtip.example.com"), 400, 3000),
        (lambda b: b["CompanyProfile"].update(Domain="-bad-"), 400, 3000),
        (lambda b: b["BillingProfile"]["DefaultAddress"].update(Country="IN"), 400, 600002),
        (lambda b: b["CompanyProfile"].update(organizationRegistrationNumber="#?"), 400, 600049),
        (lambda b: b["BillingProfile"]["DefaultAddress"].update(PhoneNumber="call me"), 400, 600050),
        (lambda b: b["BillingProfile"]["DefaultAddress"].update(INVALID_ADDRESS), 400, 600051),
        (lambda b: b.update(AssociatedPartnerId="00000000-0000-4000-8000-000000000000"), 403, 600006),
        (lambda b: b["BillingProfile"].pop("Email"), 400, 3000),
        (lambda b: b["BillingProfile"]["DefaultAddress"].pop("PostalCode"), 400, 3000),
        (lambda b: b["BillingProfile"]["DefaultAddress"].update(Country="USA"), 400, 3000),
    ],
)
def test_refused_creates_write_nothing(sim, pc, app_token, change, status, code):
    body = new_customer_body()
    change(body)
    before = sim.state()
    answer = pc("POST", "/customers", app_token, json=body)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.json()["source"] == "PartnerCenter" and answer.json()["description"]
    assert sim.state() == before


def test_a_registration_number_makes_the_create_pass_where_one_is_required(pc, app_token):
    body = new_customer_body("indiaco", Country="IN", State="KA", PostalCode="560001", City="Bengaluru")
    body["CompanyProfile"]["OrganizationRegistrationNumber"] = "U72200KA2020PTC123456"
    assert pc("POST", "/customers", app_token, json=body).status_code == 201


# --- validations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "free"),
    [("brand-new-co", True), ("contoso-demo", False), ("CONTOSO-DEMO", False), ("demopartner", False),
     ("contoso-demo.onmicrosoft.com", False)],
)  # fmt: skip
def test_domain_prefix_availability_spans_every_tenant(pc, app_token, prefix, free):
    answer = pc("GET", f"/validations/checkdomainavailability/{prefix}", app_token)
    assert answer.status_code == 200 and answer.json() is free


def test_a_prefix_that_is_not_a_label_is_400(pc, app_token):
    answer = pc("GET", "/validations/checkdomainavailability/not_a_label!", app_token)
    assert (answer.status_code, answer.json()["code"]) == (400, 3000)


def test_address_validation(pc, app_token):
    good = {
        "addressLine1": "One Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "country": "us",
    }
    answer = pc("POST", "/validations/address", app_token, json=good).json()
    assert answer["status"] == "VerifiedShippable" and answer["suggestedAddresses"] == []
    assert answer["originalAddress"]["country"] == "US"
    bad = pc("POST", "/validations/address", app_token, json={**INVALID_ADDRESS, "AddressLine1": "1 NOWHERE lane"})
    assert bad.status_code == 200
    body = bad.json()
    assert body["status"] == "StreetPartial" and "PostalCode" in body["validationMessage"]
    assert body["suggestedAddresses"] == [
        {"addressLine1": "One Microsoft Way", "city": "Redmond", "state": "WA", "postalCode": "98052", "country": "US"}
    ]
    missing = pc("POST", "/validations/address", app_token, json={"addressLine1": "One Microsoft Way"})
    assert (missing.status_code, missing.json()["code"]) == (400, 3000)


def test_invalid_addresses_come_from_the_seed(sim, http, pc):
    seed = copy.deepcopy(sim.state())
    seed["address_validation"] = [
        {"address_line1": "10 Downing Street", "postal_code": "SW1A 2AA", "country": "GB", "status": "Multiple",
         "validation_message": "More than one match",
         "suggested_addresses": [{"address_line1": "10 Downing St", "city": "London", "postal_code": "SW1A 2AA",
                                  "country": "GB"}]},
    ]  # fmt: skip
    sim.reset(seed)
    from .support import APP_SCOPE, CLIENT_SECRET, token_request

    token = token_request(http, sim, grant_type="client_credentials", client_secret=CLIENT_SECRET, scope=APP_SCOPE)
    token = token.json()["access_token"]
    address = {"addressLine1": "10 downing street", "city": "London", "postalCode": "sw1a 2aa", "country": "GB"}
    answer = pc("POST", "/validations/address", token, json=address).json()
    assert answer["status"] == "Multiple" and answer["suggestedAddresses"][0]["addressLine1"] == "10 Downing St"
    assert sim.state()["address_validation"] == seed["address_validation"]


# --- agreements ----------------------------------------------------------------------------------


def agreement_body(date_agreed: str | None = None, **contact: str) -> dict:
    return {
        "primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "tania@contoso.example.com",
                           "phoneNumber": "4255550101", **contact},
        "templateId": MCA_TEMPLATE,
        "dateAgreed": date_agreed or datetime.date.today().isoformat(),
        "type": "MicrosoftCustomerAgreement",
    }  # fmt: skip


def test_the_customer_agreement_template(pc, user_token, app_token):
    answer = pc("GET", "/agreements?agreementType=MicrosoftCustomerAgreement", user_token)
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert len(items) == 1 and items[0]["templateId"] == MCA_TEMPLATE
    assert items[0]["agreementType"] == "MicrosoftCustomerAgreement"
    assert items[0]["attributes"] == {"objectType": "AgreementMetaData"}
    assert pc("GET", "/agreements?agreementType=NoSuchAgreement", user_token).status_code == 400
    assert pc("GET", "/agreements?agreementType=MicrosoftCustomerAgreement", app_token).status_code == 403


def test_attest_and_read_the_agreement(sim, pc, user_token):
    path = f"/customers/{CONTOSO}/agreements"
    assert pc("GET", f"{path}?agreementType=MicrosoftCustomerAgreement", user_token).json()["items"] == []
    created = pc("POST", path, user_token, json=agreement_body("2026-01-15"))
    assert created.status_code == 201
    assert created.json()["dateAgreed"] == "2026-01-15T00:00:00Z"
    assert created.json()["primaryContact"]["email"] == "tania@contoso.example.com"
    listed = pc("GET", f"{path}?agreementType=MicrosoftCustomerAgreement", user_token).json()["items"]
    assert [a["templateId"] for a in listed] == [MCA_TEMPLATE]
    assert pc("GET", path, user_token).json()["items"] == []  # the default type is MicrosoftCloudAgreement
    assert len(pc("GET", f"{path}?agreementType=*", user_token).json()["items"]) == 1
    # the same contact again is 600061; another contact may attest again
    again = pc("POST", path, user_token, json=agreement_body("2026-01-15"))
    assert (again.status_code, again.json()["code"]) == (400, 600061)
    assert pc("POST", path, user_token, json=agreement_body(email="other@contoso.example.com")).status_code == 201
    stored = sim.state()["partners"][0]["customers"][0]["agreements"]
    assert [a["email"] for a in stored] == ["tania@contoso.example.com", "other@contoso.example.com"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda b: b.update(dateAgreed=(datetime.date.today() + datetime.timedelta(days=2)).isoformat()), 600002),
        (lambda b: b.update(dateAgreed="yesterday"), 3000),
        (lambda b: b.update(templateId="00000000-0000-4000-8000-000000000000"), 3000),
        (lambda b: b.update(type="MicrosoftCloudAgreement"), 3000),
        (lambda b: b["primaryContact"].pop("email"), 3000),
    ],
)
def test_refused_agreements_write_nothing(sim, pc, user_token, change, code):
    body = agreement_body()
    change(body)
    answer = pc("POST", f"/customers/{CONTOSO}/agreements", user_token, json=body)
    assert (answer.status_code, answer.json()["code"]) == (400, code)
    assert sim.state()["partners"][0]["customers"][0]["agreements"] == []


def test_agreements_are_app_user_only(pc, app_token):
    assert pc("GET", f"/customers/{CONTOSO}/agreements", app_token).json()["code"] == 2032
    answer = pc("POST", f"/customers/{CONTOSO}/agreements", app_token, json=agreement_body())
    assert (answer.status_code, answer.json()["code"]) == (403, 2032)


def test_a_new_customers_writes_are_journaled_for_the_partner(sim, pc, app_token):
    pc("POST", "/customers", app_token, json=new_customer_body())
    entry = [e for e in sim.journal() if e["api"] == "pc"][-1]
    assert (entry["method"], entry["path"], entry["status"], entry["partner"]) == (
        "POST",
        "/v1/customers",
        201,
        PARTNER,
    )


def test_the_admin_api_replaces_the_refused_addresses(sim, pc, app_token):
    rule = {"address_line1": "One Microsoft Way", "postal_code": "98052", "country": "US", "status": "Multiple",
            "validation_message": "More than one match", "suggested_addresses": []}  # fmt: skip
    assert sim.set_address_rules([rule]) == [rule]
    good = {
        "addressLine1": "One Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "country": "US",
    }
    assert pc("POST", "/validations/address", app_token, json=good).json()["status"] == "Multiple"
    assert pc("POST", "/validations/address", app_token, json=INVALID_ADDRESS).json()["status"] == "VerifiedShippable"
    assert sim.state()["address_validation"] == [rule]
