# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the auth layer: how an Entra answer becomes an error, scopes and audiences per cloud.

The token flows themselves are tested against the simulator (tests/integration/test_token_cache.py).
"""

import json

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._auth import (
    CLOUDS, AuthError, PartnerCenterAuth, TokenCache, entra_error)
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

TOKEN_URL = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
AADSTS_503 = {
    "error": "temporarily_unavailable",
    "error_description": "AADSTS90033: A transient error has occurred. Please try again. Trace ID: "
                         "trace-1 Correlation ID: corr-1 Timestamp: 2026-12-02 10:00:00Z",
    "error_codes": [90033], "trace_id": "trace-1", "correlation_id": "corr-1",
}


def options(**overrides):
    values = dict(authority_url="https://login.microsoftonline.com", partner_tenant_id="partner.onmicrosoft.com",
                  client_id="client", client_secret="secret", refresh_token="rt", access_token=None)
    values.update(overrides)
    return values


def test_an_entra_5xx_carries_status_aadsts_code_text_and_ids():
    error = entra_error("POST", TOKEN_URL, 503, {"client-request-id": "header-corr"}, json.dumps(AADSTS_503))
    assert isinstance(error, ApiError) and isinstance(error, AuthError)
    assert (error.status, error.code, error.error) == (503, "AADSTS90033", "temporarily_unavailable")
    assert error.description == "A transient error has occurred. Please try again."
    assert (error.correlation_id, error.request_id) == ("corr-1", "trace-1")
    result = error.to_result()
    assert result["ms_correlation_id"] == "corr-1" and result["ms_request_id"] == "trace-1"
    assert "HTTP 503" in str(error) and "AADSTS90033" in str(error) and "corr-1" in str(error)
    assert "MsalServiceError" not in str(error) and "authority" not in str(error)


@pytest.mark.parametrize("status, text, says", [
    (200, "", "an empty body"),
    (502, "", "an empty body"),
    (200, "<html>Bad gateway</html>", "not JSON (<html>Bad gateway</html>)"),
    (500, "upstream connect error", "not JSON (upstream connect error)"),
    (200, "[1, 2]", "not JSON"),
])
def test_an_empty_or_non_json_entra_answer_is_a_server_answer(status, text, says):
    error = entra_error("POST", TOKEN_URL + "?x=1", status, {"client-request-id": "corr-2", "x-ms-request-id": "t-2"},
                        text)
    assert error.status == status and error.path == "/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert (error.correlation_id, error.request_id) == ("corr-2", "t-2")
    assert says in str(error) and "authority" not in str(error)


def test_an_aadsts_refusal_keeps_its_code_and_a_usable_answer_is_none():
    body = {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.",
            "correlation_id": "c"}
    error = entra_error("POST", TOKEN_URL, 401, {}, json.dumps(body))
    assert (error.status, error.code, error.error) == (401, "AADSTS7000215", "invalid_client")
    assert entra_error("POST", TOKEN_URL, 200, {}, json.dumps({"access_token": "a"})) is None


def test_graph_urls_and_audiences_per_cloud():
    assert [(name, CLOUDS[name]["graph_url"], CLOUDS[name]["graph_audience"]) for name in sorted(CLOUDS)] == [
        ("china", "https://microsoftgraph.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
        ("public", "https://graph.microsoft.com", "https://graph.microsoft.com"),
        ("usgov", "https://graph.microsoft.us", "https://graph.microsoft.us"),
    ]


def test_for_resource_asks_for_the_default_scope_of_the_audience_per_tenant():
    auth = PartnerCenterAuth(options(), None, TokenCache(""))
    graph = auth.for_resource("https://graph.microsoft.com/")
    customer = auth.for_resource("https://graph.microsoft.com", tenant_id="C0000001-0000-4000-8000-000000000001")
    assert graph.scopes_by_mode == {"app_only": ["https://graph.microsoft.com/.default"],
                                    "app_user": ["https://graph.microsoft.com/.default"]}
    assert graph.tenant_id is None and customer.tenant_id == "C0000001-0000-4000-8000-000000000001"
    # One object per (audience, tenant) in a task, so its token is asked for once.
    assert auth.for_resource("https://graph.microsoft.com") is graph
    assert auth.for_resource("https://graph.microsoft.com", "c0000001-0000-4000-8000-000000000001") is customer
    assert callable(graph.apply) and callable(graph.renew)


def test_a_given_access_token_cannot_be_used_for_graph():
    auth = PartnerCenterAuth(options(access_token="pc-token"), None, TokenCache(""))
    headers = {}
    auth.apply(headers)
    assert headers["Authorization"] == "Bearer pc-token" and auth.renew() is False
    with pytest.raises(InvalidInput) as caught:
        auth.for_resource("https://graph.microsoft.com")
    assert str(caught.value).startswith("access_token ") and "https://graph.microsoft.com" in str(caught.value)
