"""Microsoft Entra ID v2 endpoints, as far as MSAL for Python needs them for a confidential client.

Served: OpenID discovery, the signing keys, and the token endpoint with the client_credentials and
refresh_token grants; clients authenticate with a secret or a certificate-signed assertion.
Errors carry the AADSTS codes Entra uses for the same mistakes.

Authorities: the partner tenant (GUID or domain), and a customer tenant (its id or default domain),
where the partner's app redeems the partner's refresh token for a token of that tenant (``tid`` =
the customer), as GDAP allows; Graph then checks the partner's relationships with that customer.
Audiences: the resource of the scope (``https://graph.microsoft.com/.default`` gives
``https://graph.microsoft.com``; Partner Center's gives ``https://api.partnercenter.microsoft.com``).
"""

from __future__ import annotations

import base64
import functools
import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from .http_util import origin, scope_header, sim_state
from .journal import RequestRecord, current_record
from . import graph_state
from .graph import GRAPH_AUDIENCES
from .state import AccessToken, ClientApp, Customer, Partner, SimState

router = APIRouter(tags=["Microsoft Entra"])

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
RESERVED_SCOPES = {"openid", "profile", "offline_access", "email"}
GRAPH_AUDIENCE = "https://graph.microsoft.com"  # what Entra issues for when no resource scope is asked
_ASSERTION_ALGORITHMS = ["RS256", "PS256"]  # MSAL signs PS256 when it knows the certificate, else RS256


class EntraError(Exception):
    def __init__(self, status: int, error: str, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.code, self.message = status, error, code, message


# --- middleware hooks -----------------------------------------------------------------------------


def describe_request(record: RequestRecord, scope: dict[str, Any], state: SimState) -> None:
    tenant = scope["path"].split("/", 2)[1]
    partner = state.partner(tenant)
    customer = None if partner else _customer_tenant(state, tenant)
    record.partner = partner.tenant_id if partner else (customer.partner_id if customer else tenant)
    record.correlation_id = scope_header(scope, b"client-request-id") or str(uuid.uuid4())


def response_headers(record: RequestRecord, scope: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    return [(b"client-request-id", record.correlation_id.encode("latin-1"))]


def fault_response(status: int, retry_after: int, record: RequestRecord) -> Response:
    if status == 429:
        error = EntraError(
            429, "temporarily_unavailable", 90055, "There are too many incoming requests. Please try again later."
        )
    elif status == 500:
        error = EntraError(
            500, "server_error", 50000, "There was an error issuing a token or an issue with our sign-in service."
        )
    else:
        error = EntraError(
            status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again."
        )
    response = _error_response(error, record)
    if status in (429, 503):
        response.headers["Retry-After"] = str(retry_after)
    return response


def _error_response(error: EntraError, record: RequestRecord) -> JSONResponse:
    trace_id = str(uuid.uuid4())
    timestamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    description = (
        f"AADSTS{error.code}: {error.message} Trace ID: {trace_id} "
        f"Correlation ID: {record.correlation_id} Timestamp: {timestamp}"
    )
    body = {
        "error": error.error,
        "error_description": description,
        "error_codes": [error.code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": record.correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={error.code}",
    }
    return JSONResponse(body, status_code=error.status, headers={"Cache-Control": "no-store"})


# --- discovery ---------------------------------------------------------------------------------


def _known_partner(state: SimState, tenant: str) -> Partner:
    partner = state.partner(tenant)
    if partner is None:
        raise EntraError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
            "into the correct cloud.",
        )
    return partner


def _customer_tenant(state: SimState, tenant: str) -> Customer | None:
    """A customer tenant named by its id or its default (onmicrosoft.com) domain."""
    customer = state.customers.get(tenant.lower())
    if customer is None and "." in tenant:
        customer = next((c for c in state.customers.values() if c.domain.lower() == tenant.lower()), None)
    return customer


def _known_tenant(state: SimState, tenant: str) -> tuple[Partner | None, Customer | None]:
    """(partner, None) for a partner authority, (None, customer) for a customer one; else AADSTS90002."""
    partner = state.partner(tenant)
    if partner is not None:
        return partner, None
    customer = _customer_tenant(state, tenant)
    if customer is None:
        _known_partner(state, tenant)  # raises the same error as for any unknown tenant
    return None, customer


@router.get("/{tenant}/v2.0/.well-known/openid-configuration")
async def openid_configuration(tenant: str, request: Request) -> Response:
    record = current_record(request)
    try:
        partner, customer = _known_tenant(sim_state(request), tenant)
    except EntraError as error:
        return _error_response(error, record)
    base = f"{origin(request.scope)}/{partner.tenant_id if partner else customer.id}"
    return JSONResponse(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nbf",
                "name",
                "oid",
                "preferred_username",
                "tid",
                "ver",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        }
    )


@functools.cache
def _id_token_key() -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
    """The key that signs ID tokens (made once per process) and its public JWK."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "simulator-id-token-key", "use": "sig", "alg": "RS256"})
    return key, jwk


@router.get("/{tenant}/discovery/v2.0/keys")
async def signing_keys(tenant: str) -> Response:
    return JSONResponse({"keys": [_id_token_key()[1]]})


# --- token endpoint ----------------------------------------------------------------------------


@router.post("/{tenant}/oauth2/v2.0/token")
async def token(tenant: str, request: Request) -> Response:
    record = current_record(request)
    form = {key: values[0] for key, values in parse_qs((await request.body()).decode(), keep_blank_values=True).items()}
    record.grant_type = form.get("grant_type")
    state = sim_state(request)
    try:
        partner, customer = _known_tenant(state, tenant)
        if customer is not None:
            body = _customer_tenant_token(state, customer, form, request.scope, record.grant_type)
            return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
        app = _authenticated_app(partner, form, _token_endpoints(request.scope, partner))
        if record.grant_type == "client_credentials":
            body = _client_credentials(state, partner, app, form)
        elif record.grant_type == "refresh_token":
            body = _refresh_token(state, partner, app, form, origin(request.scope))
        else:
            raise EntraError(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{record.grant_type}'.",
            )
    except EntraError as error:
        return _error_response(error, record)
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _token_endpoints(scope: dict[str, Any], partner: Partner) -> list[str]:
    """The audiences a client assertion may name: this token endpoint under either tenant alias."""
    return [f"{origin(scope)}/{alias}/oauth2/v2.0/token" for alias in (partner.tenant_id, partner.domain)]


def _customer_tenant_token(
    state: SimState, customer: Customer, form: dict[str, str], scope: dict[str, Any], grant_type: str | None
) -> dict[str, Any]:
    """A token of a customer tenant, for the partner's app and the partner's refresh token.

    Assumed, undocumented in detail: the app is the partner's multi-tenant app, so its home partner is
    found by client id; app-only tokens are refused (no consent of the app in customer tenants is
    modelled), and a tenant that is not the home partner's customer refuses the partner's user
    (AADSTS50020, as Entra answers a user from another directory without access).
    """
    client_id = form.get("client_id") or ""
    home = next((p for p in state.partners.values() if client_id.lower() in p.apps), None)
    if home is None or grant_type == "client_credentials":
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{customer.domain}'. This can "
            "happen if the application has not been installed by the administrator of the tenant or consented to by "
            "any user in the tenant. You may have sent your authentication request to the wrong tenant.",
        )
    endpoints = [f"{origin(scope)}/{alias}/oauth2/v2.0/token" for alias in (customer.id, customer.domain)]
    app = _authenticated_app(home, form, endpoints)
    if grant_type != "refresh_token":
        raise EntraError(
            400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
        )
    _check_refresh_token(home, form)
    resources = {scope.rsplit("/", 1)[0] for scope in form.get("scope", "").split() if scope not in RESERVED_SCOPES}
    if resources - GRAPH_AUDIENCES:
        # Assumed: only Graph is served in customer tenants here; Partner Center calls use the partner's tenant.
        raise EntraError(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {', '.join(sorted(resources - GRAPH_AUDIENCES))} was not found in the "
            f"tenant named {customer.company_name}. This can happen if the application has not been installed by "
            "the administrator of the tenant or consented to by any user in the tenant.",
        )
    if customer.partner_id.lower() != home.tenant_id.lower():
        raise EntraError(
            400,
            "invalid_grant",
            50020,
            f"User account 'admin@{home.domain}' from identity provider 'https://sts.windows.net/{home.tenant_id}/' "
            f"does not exist in tenant '{customer.company_name}' and cannot access the application '{app.client_id}' "
            "in that tenant. The account needs to be added as an external user in the tenant first.",
        )
    return _refresh_token(state, home, app, form, origin(scope), tenant_id=customer.id)


def _authenticated_app(partner: Partner, form: dict[str, str], audiences: list[str]) -> ClientApp:
    client_id = form.get("client_id")
    if not client_id:
        raise EntraError(
            400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
        )
    app = partner.apps.get(client_id.lower())
    if app is None:
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{partner.domain}'. This can "
            "happen if the application has not been installed by the administrator of the tenant or consented to by "
            "any user in the tenant. You may have sent your authentication request to the wrong tenant.",
        )
    if form.get("client_assertion"):
        _verify_assertion(app, form, audiences)
    elif form.get("client_secret"):
        if app.client_secret is None or not secrets.compare_digest(form["client_secret"], app.client_secret):
            raise EntraError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{app.client_id}'.",
            )
    else:
        raise EntraError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    return app


def _verify_assertion(app: ClientApp, form: dict[str, str], audiences: list[str]) -> None:
    """Signature (RS256 or PS256) against the app's registered certificate, then aud, iss, sub and exp.

    The AADSTS code chosen for each failure is Entra's closest one (assumed: Entra does not document
    which code every assertion mistake gets).
    """
    if form.get("client_assertion_type") != JWT_BEARER:
        raise EntraError(
            400, "invalid_request", 90014, "The required field 'client_assertion_type' is missing or invalid."
        )
    assertion = form["client_assertion"]
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise EntraError(401, "invalid_client", 50027, "JWT token is invalid or malformed.") from None
    if app.certificate is None or not _names_certificate(header, app.certificate):
        raise EntraError(
            401,
            "invalid_client",
            700027,
            "The certificate with identifier used to sign the client assertion is not registered on application. "
            "[Reason - The key was not found., Please visit the Azure Portal, Entra ID, App registrations "
            f"for app '{app.client_id}'.]",
        )
    try:
        claims = jwt.decode(
            assertion,
            app.certificate.public_key(),
            algorithms=_ASSERTION_ALGORITHMS,
            audience=audiences,
            issuer=app.client_id,
            options={"require": ["exp", "aud", "iss", "sub"]},
        )
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
        raise EntraError(
            401, "invalid_client", 700024, "Client assertion is not within its valid time range."
        ) from None
    except jwt.InvalidIssuerError:
        raise EntraError(
            401,
            "invalid_client",
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        ) from None
    except jwt.InvalidAudienceError:
        raise EntraError(
            401,
            "invalid_client",
            700212,
            f"Client assertion audience claim does not match the token endpoint {audiences[0]}.",
        ) from None
    except jwt.PyJWTError:
        raise EntraError(401, "invalid_client", 700027, "Client assertion failed signature validation.") from None
    if claims["sub"] != app.client_id:
        raise EntraError(401, "invalid_client", 700021, "Client assertion subject doesn't match 'client_id' parameter.")


def _names_certificate(header: dict[str, Any], certificate: x509.Certificate) -> bool:
    """Whether the assertion's x5t (SHA-1) or x5t#S256 thumbprint is this certificate's."""
    wanted = {
        "x5t": certificate.fingerprint(hashes.SHA1()),  # noqa: S303 - the JOSE header's own hash
        "x5t#S256": certificate.fingerprint(hashes.SHA256()),
    }
    named = [name for name in wanted if name in header]
    return bool(named) and all(_b64url_decode(str(header[name])) == wanted[name] for name in named)


def _b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return b""


def _issue_access_token(
    state: SimState, partner: Partner, app: ClientApp, kind: str, audience: str, tenant_id: str | None = None
) -> dict[str, Any]:
    access_token = secrets.token_urlsafe(32)
    lifetime = state.settings.token_lifetime
    state.access_tokens[access_token] = AccessToken(
        partner.tenant_id, kind, app.client_id, audience, time.time() + lifetime
    )
    if tenant_id is not None:  # a customer tenant's token (tid); the partner's tenant otherwise
        graph_state.of(state).token_tenants[access_token] = tenant_id
    return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}


def _client_credentials(state: SimState, partner: Partner, app: ClientApp, form: dict[str, str]) -> dict[str, Any]:
    scopes = form.get("scope", "").split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise EntraError(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {' '.join(scopes)} is not valid. Client credential flows must have a "
            "scope value with /.default suffixed to the resource identifier (application ID URI).",
        )
    return _issue_access_token(state, partner, app, "app", scopes[0].removesuffix("/.default"))


def _check_refresh_token(partner: Partner, form: dict[str, str]) -> None:
    presented = form.get("refresh_token", "")
    if presented in partner.expired_refresh_tokens:
        raise EntraError(
            400,
            "invalid_grant",
            700082,
            "The refresh token has expired due to inactivity. The token was issued on 2024-01-01T00:00:00.0000000Z "
            "and was inactive for 90.00:00:00.",
        )
    # Assumed: a refresh token belongs to the partner tenant (any of its apps may redeem it) and stands
    # for one partner user, admin@<partner domain>.
    if presented not in partner.refresh_tokens:
        raise EntraError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")


def _refresh_token(
    state: SimState,
    partner: Partner,
    app: ClientApp,
    form: dict[str, str],
    issuer_origin: str,
    tenant_id: str | None = None,
) -> dict[str, Any]:
    _check_refresh_token(partner, form)
    scopes = form.get("scope", "").split()
    resources = {scope.rsplit("/", 1)[0] for scope in scopes if scope not in RESERVED_SCOPES}
    if len(resources) > 1:
        raise EntraError(
            400,
            "invalid_scope",
            28000,
            "Provided value for the input parameter scope is not valid because it contains more than one resource.",
        )
    audience = resources.pop() if resources else GRAPH_AUDIENCE
    body = _issue_access_token(state, partner, app, "app_user", audience, tenant_id)
    # Entra rotates the refresh token on use; the old one stays valid until it expires.
    rotated = secrets.token_urlsafe(48)
    partner.refresh_tokens[rotated] = None
    state.touch()
    body["refresh_token"] = rotated
    body["scope"] = " ".join(scope for scope in scopes if scope not in RESERVED_SCOPES) or "openid"
    user_oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{partner.tenant_id}/partner-admin"))
    if form.get("client_info") == "1":
        client_info = json.dumps({"uid": user_oid, "utid": partner.tenant_id}).encode()
        body["client_info"] = base64.urlsafe_b64encode(client_info).decode().rstrip("=")
    if "openid" in scopes:
        body["id_token"] = _id_token(partner, app, user_oid, issuer_origin, tenant_id or partner.tenant_id)
    return body


def _id_token(partner: Partner, app: ClientApp, user_oid: str, issuer_origin: str, tenant_id: str) -> str:
    key, jwk = _id_token_key()
    now = int(time.time())
    claims = {
        "aud": app.client_id,
        "iss": f"{issuer_origin}/{tenant_id}/v2.0",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "name": "Partner Admin",
        "oid": user_oid,
        "preferred_username": f"admin@{partner.domain}",
        "sub": str(uuid.uuid5(uuid.UUID(user_oid), app.client_id.lower())),
        "tid": tenant_id,
        "ver": "2.0",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": jwk["kid"]})
