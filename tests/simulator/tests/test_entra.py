"""Microsoft Entra: MSAL for Python obtains tokens from the simulator, and mistakes get Entra's answers."""

from __future__ import annotations

import base64
import datetime
import json

import jwt
import msal
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .support import (
    APP_SCOPE,
    CLIENT_ID,
    CLIENT_SECRET,
    CONTOSO,
    PARTNER,
    PARTNER_DOMAIN,
    REFRESH_TOKEN,
    USER_SCOPE,
    token_request,
)


def msal_app(sim, client_credential, tenant=PARTNER, client_id=CLIENT_ID) -> msal.ConfidentialClientApplication:
    # MSAL's own `verify=` loses to REQUESTS_CA_BUNDLE when that is set (requests lets the environment
    # override a session's verify), so MSAL gets a session that ignores the environment.
    session = requests.Session()
    session.trust_env = False
    session.verify = sim.ca_path
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=client_credential,
        authority=f"{sim.url}/{tenant}",
        instance_discovery=False,
        http_client=session,
    )


def self_signed_certificate() -> tuple[str, str, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "simulator test app")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode(), certificate


@pytest.fixture(scope="module")
def app_certificate():
    return self_signed_certificate()


def seed_with_certificate(sim, certificate_pem: str) -> None:
    seed = sim.state()
    seed["partners"][0]["apps"][0]["certificate_pem"] = certificate_pem
    sim.reset(seed)


@pytest.mark.parametrize("tenant", [PARTNER, PARTNER_DOMAIN])
def test_discovery_points_back_at_the_simulator(sim, http, tenant):
    config = http.get(f"{sim.url}/{tenant}/v2.0/.well-known/openid-configuration").json()
    assert config["token_endpoint"] == f"{sim.url}/{PARTNER}/oauth2/v2.0/token"
    assert config["issuer"] == f"{sim.url}/{PARTNER}/v2.0"
    for key in ("authorization_endpoint", "device_authorization_endpoint", "jwks_uri"):
        assert config[key].startswith(f"{sim.url}/{PARTNER}/")


def test_unknown_tenant_fails_discovery(sim, http):
    answer = http.get(f"{sim.url}/nosuchtenant.onmicrosoft.com/v2.0/.well-known/openid-configuration")
    assert answer.status_code == 400
    assert answer.json()["error_codes"] == [90002]


def test_msal_client_secret_gets_an_app_only_token(sim, pc):
    result = msal_app(sim, CLIENT_SECRET, tenant=PARTNER_DOMAIN).acquire_token_for_client(scopes=[APP_SCOPE])
    assert "error" not in result, result
    assert result["token_type"] == "Bearer" and result["expires_in"] > 3000
    assert pc("GET", "/customers?size=5", result["access_token"]).status_code == 200
    assert pc("GET", "/customers/c0000001-0000-4000-8000-000000000001/users", result["access_token"]).status_code == 403


@pytest.mark.parametrize("style", ["sha1 thumbprint (RS256)", "public certificate (PS256)"])
def test_msal_certificate_assertion_gets_a_token(sim, pc, app_certificate, style):
    key_pem, certificate_pem, certificate = app_certificate
    seed_with_certificate(sim, certificate_pem)
    if style.startswith("sha1"):
        credential = {"private_key": key_pem, "thumbprint": certificate.fingerprint(hashes.SHA1()).hex()}
    else:
        credential = {"private_key": key_pem, "public_certificate": certificate_pem}
    result = msal_app(sim, credential).acquire_token_for_client(scopes=[APP_SCOPE])
    assert "error" not in result, result
    assert pc("GET", "/customers", result["access_token"]).status_code == 200


def test_assertion_signed_by_an_unregistered_certificate_is_refused(sim, app_certificate):
    seed_with_certificate(sim, app_certificate[1])
    other_key, other_certificate_pem, _ = self_signed_certificate()
    result = msal_app(
        sim, {"private_key": other_key, "public_certificate": other_certificate_pem}
    ).acquire_token_for_client(scopes=[APP_SCOPE])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [700027]


def test_msal_refresh_token_gets_an_app_user_token_and_a_rotated_refresh_token(sim, pc):
    app = msal_app(sim, CLIENT_SECRET)
    first = app.acquire_token_by_refresh_token(REFRESH_TOKEN, scopes=[USER_SCOPE])
    assert "error" not in first, first
    rotated = first["refresh_token"]
    assert rotated != REFRESH_TOKEN
    assert first["id_token_claims"]["tid"] == PARTNER
    users = pc("GET", "/customers/c0000001-0000-4000-8000-000000000001/users", first["access_token"])
    assert users.status_code == 200
    # the rotated token works, and so does the old one (Entra keeps it valid until it expires)
    assert "access_token" in app.acquire_token_by_refresh_token(rotated, scopes=[USER_SCOPE])
    assert "access_token" in app.acquire_token_by_refresh_token(REFRESH_TOKEN, scopes=[USER_SCOPE])
    assert rotated in sim.state()["partners"][0]["refresh_tokens"]


def test_wrong_secret_is_invalid_client(sim, http):
    answer = token_request(http, sim, grant_type="client_credentials", client_secret="wrong", scope=APP_SCOPE)
    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == "invalid_client"
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert body["error_codes"] == [7000215]
    assert {"timestamp", "trace_id", "correlation_id"} <= body.keys()


def test_msal_reports_a_wrong_secret(sim):
    result = msal_app(sim, "wrong").acquire_token_for_client(scopes=[APP_SCOPE])
    assert result["error"] == "invalid_client"


def test_unknown_client_is_unauthorized_client(sim, http):
    answer = http.post(
        f"{sim.url}/{PARTNER}/oauth2/v2.0/token",
        data={
            "client_id": "00000000-0000-0000-0000-000000000000",
            "client_secret": "x",
            "grant_type": "client_credentials",
            "scope": APP_SCOPE,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unauthorized_client"
    assert answer.json()["error_codes"] == [700016]


def test_bad_and_expired_refresh_tokens_are_invalid_grant(sim, http):
    seed = sim.state()
    seed["partners"][0]["expired_refresh_tokens"] = ["an-expired-refresh-token"]
    sim.reset(seed)
    common = {"grant_type": "refresh_token", "client_secret": CLIENT_SECRET, "scope": USER_SCOPE}
    bad = token_request(http, sim, refresh_token="not-a-refresh-token", **common)
    expired = token_request(http, sim, refresh_token="an-expired-refresh-token", **common)
    assert (bad.status_code, bad.json()["error"], bad.json()["error_codes"]) == (400, "invalid_grant", [70000])
    assert (expired.status_code, expired.json()["error"], expired.json()["error_codes"]) == (
        400,
        "invalid_grant",
        [700082],
    )


def test_client_credentials_need_a_default_scope(sim, http):
    answer = token_request(http, sim, grant_type="client_credentials", client_secret=CLIENT_SECRET, scope=USER_SCOPE)
    assert answer.json()["error"] == "invalid_scope"


def test_token_lifetime_setting_and_expiry(sim, http, pc, app_token):
    sim.settings({"token_lifetime": 120})
    answer = token_request(http, sim, grant_type="client_credentials", client_secret=CLIENT_SECRET, scope=APP_SCOPE)
    assert answer.json()["expires_in"] == 120
    sim.expire_tokens()
    for token in (app_token, answer.json()["access_token"]):
        refused = pc("GET", "/customers", token)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("OAuth realm=urn:cpsvc:cpid:")
        assert {"code", "description", "data", "source"} <= refused.json().keys()


def test_missing_and_unknown_tokens_get_401(sim, http, pc):
    missing = http.get(f"{sim.url}/v1/customers")
    assert missing.status_code == 401 and missing.json()["code"] == 800001
    assert "WWW-Authenticate" in missing.headers
    assert pc("GET", "/customers", "not-a-token").status_code == 401


def test_token_for_another_resource_is_refused_by_partner_center(sim, http, pc):
    answer = token_request(
        http,
        sim,
        grant_type="client_credentials",
        client_secret=CLIENT_SECRET,
        scope="https://graph.microsoft.com/.default",
    )
    assert pc("GET", "/customers", answer.json()["access_token"]).status_code == 401


def test_client_info_and_id_token_describe_the_partner_user(sim, http):
    answer = token_request(
        http,
        sim,
        grant_type="refresh_token",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        scope=f"{USER_SCOPE} openid profile offline_access",
        client_info="1",
    ).json()
    client_info = json.loads(base64.urlsafe_b64decode(answer["client_info"] + "=="))
    assert client_info["utid"] == PARTNER
    keys = http.get(f"{sim.url}/{PARTNER}/discovery/v2.0/keys").json()["keys"]
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(keys[0]))
    claims = jwt.decode(answer["id_token"], public_key, algorithms=["RS256"], audience=CLIENT_ID)
    assert claims["preferred_username"] == f"admin@{PARTNER_DOMAIN}"


def test_token_requests_are_journaled_with_their_grant_type(sim, app_token, user_token):
    grants = [entry["grant_type"] for entry in sim.journal() if entry["api"] == "entra"]
    assert grants == ["client_credentials", "refresh_token"]
    assert sim.counters()["token_requests"] == {"client_credentials": 1, "refresh_token": 1}


# --- Microsoft Graph audiences and customer-tenant authorities ---------------------------------------------

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GRAPH_RELATIONSHIPS = "/v1.0/tenantRelationships/delegatedAdminRelationships"


def graph_get(http, sim, path, token):
    return http.get(f"{sim.url}{path}", headers={"Authorization": f"Bearer {token}"})


def test_msal_gets_app_only_and_app_user_graph_tokens(sim, http, pc):
    app = msal_app(sim, CLIENT_SECRET)
    app_only = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert "error" not in app_only, app_only
    app_user = app.acquire_token_by_refresh_token(REFRESH_TOKEN, scopes=[GRAPH_SCOPE])
    assert "error" not in app_user, app_user
    for result in (app_only, app_user):
        assert graph_get(http, sim, GRAPH_RELATIONSHIPS, result["access_token"]).status_code == 200
        # a Graph token is not a Partner Center token
        assert pc("GET", "/customers", result["access_token"]).status_code == 401


def test_partner_center_tokens_are_refused_by_graph(sim, http, app_token, user_token):
    for token in (app_token, user_token):
        answer = graph_get(http, sim, GRAPH_RELATIONSHIPS, token)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


@pytest.mark.parametrize("authority", [CONTOSO, "contoso-demo.onmicrosoft.com"])
def test_msal_customer_tenant_authority_gives_a_graph_token_of_that_tenant(sim, http, authority):
    config = http.get(f"{sim.url}/{authority}/v2.0/.well-known/openid-configuration").json()
    assert config["token_endpoint"] == f"{sim.url}/{CONTOSO}/oauth2/v2.0/token"
    result = msal_app(sim, CLIENT_SECRET, tenant=authority).acquire_token_by_refresh_token(
        REFRESH_TOKEN, scopes=[GRAPH_SCOPE]
    )
    assert "error" not in result, result
    assert result["id_token_claims"]["tid"] == CONTOSO
    domains = graph_get(http, sim, "/v1.0/domains", result["access_token"]).json()["value"]
    assert [d["id"] for d in domains] == ["contoso-demo.onmicrosoft.com"]
    entry = [e for e in sim.journal() if e["api"] == "entra" and e["grant_type"] == "refresh_token"][-1]
    assert entry["path"] == f"/{CONTOSO}/oauth2/v2.0/token" and entry["partner"] == PARTNER  # the discovered endpoint


def test_customer_tenant_of_another_partner_refuses_the_partner_user(sim, http):
    seed = sim.state()
    seed["partners"].append(
        {
            "tenant_id": "4b1f2c3d-0000-4000-8000-000000000002",
            "domain": "otherpartner.onmicrosoft.com",
            "customers": [
                {"id": "c0000099-0000-4000-8000-000000000099", "company_name": "Not Ours", "domain": "notours.onmicrosoft.com"}
            ],
        }
    )
    sim.reset(seed)
    answer = http.post(
        f"{sim.url}/c0000099-0000-4000-8000-000000000099/oauth2/v2.0/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
              "refresh_token": REFRESH_TOKEN, "scope": GRAPH_SCOPE},
    )  # fmt: skip
    assert answer.status_code == 400
    assert (answer.json()["error"], answer.json()["error_codes"]) == ("invalid_grant", [50020])
    unknown = http.post(
        f"{sim.url}/00000000-0000-4000-8000-00000000beef/oauth2/v2.0/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
              "refresh_token": REFRESH_TOKEN, "scope": GRAPH_SCOPE},
    )  # fmt: skip
    assert unknown.json()["error_codes"] == [90002]


def test_customer_tenant_refuses_app_only_tokens_and_wrong_secrets(sim, http):
    common = {"client_id": CLIENT_ID, "scope": GRAPH_SCOPE}
    app_only = http.post(
        f"{sim.url}/{CONTOSO}/oauth2/v2.0/token",
        data={**common, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"},
    )
    assert app_only.json()["error_codes"] == [700016]
    wrong = http.post(
        f"{sim.url}/{CONTOSO}/oauth2/v2.0/token",
        data={**common, "client_secret": "wrong", "grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN},
    )
    assert (wrong.status_code, wrong.json()["error_codes"]) == (401, [7000215])
    bad_grant = http.post(
        f"{sim.url}/{CONTOSO}/oauth2/v2.0/token",
        data={**common, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token", "refresh_token": "nope"},
    )
    assert bad_grant.json()["error_codes"] == [70000]


def test_certificate_assertion_at_a_customer_authority_names_that_token_endpoint(sim, http, app_certificate):
    key_pem, certificate_pem, certificate = app_certificate
    seed_with_certificate(sim, certificate_pem)
    credential = {"private_key": key_pem, "public_certificate": certificate_pem}
    result = msal_app(sim, credential, tenant=CONTOSO).acquire_token_by_refresh_token(REFRESH_TOKEN, scopes=[GRAPH_SCOPE])
    assert "error" not in result, result
    assert graph_get(http, sim, "/v1.0/domains", result["access_token"]).status_code == 200


def test_customer_tenant_tokens_are_for_graph_only(sim, http):
    answer = http.post(
        f"{sim.url}/{CONTOSO}/oauth2/v2.0/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
              "refresh_token": REFRESH_TOKEN, "scope": USER_SCOPE},
    )  # fmt: skip
    assert (answer.status_code, answer.json()["error_codes"]) == (400, [500011])
