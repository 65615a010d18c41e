# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - The Microsoft cloud, which picks the defaults of O(partner_center_url) and O(authority_url).
      - If not set, the value of the E(PARTNER_CENTER_CLOUD) environment variable is used.
    type: str
    choices: [public, china, usgov]
    default: public
  partner_center_url:
    description:
      - Root of the Partner Center REST API, without C(/v1).
      - Defaults per O(cloud), V(https://api.partnercenter.microsoft.com) for V(public).
      - If not set, the value of the E(PARTNER_CENTER_URL) environment variable is used.
    type: str
  authority_url:
    description:
      - The Microsoft Entra authority host that issues tokens, without the tenant.
      - Defaults per O(cloud), V(https://login.microsoftonline.com) for V(public). Any other host works too (a
        proxy or the collection's local simulator); instance discovery is then skipped.
      - If not set, the value of the E(PARTNER_CENTER_AUTHORITY_URL) environment variable is used.
    type: str
  graph_url:
    description:
      - Root of Microsoft Graph, without C(/v1.0), for the modules that use Graph (GDAP and customer domains).
      - Defaults per O(cloud), V(https://graph.microsoft.com) for V(public), V(https://microsoftgraph.chinacloudapi.cn)
        for V(china), V(https://graph.microsoft.us) for V(usgov). Graph tokens are requested for the cloud's Graph
        audience whatever this points at.
      - If not set, the value of the E(PARTNER_CENTER_GRAPH_URL) environment variable is used.
    type: str
  partner_tenant_id:
    description:
      - The partner's own Microsoft Entra tenant, as a GUID or a domain.
      - Required unless O(access_token) is set.
      - If not set, the value of the E(PARTNER_CENTER_TENANT_ID) environment variable is used.
    type: str
  client_id:
    description:
      - Application (client) ID of the partner's app registration.
      - Required unless O(access_token) is set.
      - If not set, the value of the E(PARTNER_CENTER_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - Secret of the app registration. Give this or O(client_certificate_path).
      - If not set, the value of the E(PARTNER_CENTER_CLIENT_SECRET) environment variable is used.
    type: str
  client_certificate_path:
    description:
      - PEM file holding the app registration's certificate and its unencrypted private key, used instead of
        O(client_secret).
      - If not set, the value of the E(PARTNER_CENTER_CLIENT_CERTIFICATE_PATH) environment variable is used.
    type: path
  refresh_token:
    description:
      - A refresh token of a partner user (the secure application model). When set, App+User tokens are used,
        which the customer user operations require.
      - Microsoft Entra rotates refresh tokens; the newest is kept in the token cache and used by later runs.
      - If not set, the value of the E(PARTNER_CENTER_REFRESH_TOKEN) environment variable is used.
    type: str
  access_token:
    description:
      - A bearer token obtained elsewhere. No token request is made, and a 401 answer is final.
      - If not set, the value of the E(PARTNER_CENTER_ACCESS_TOKEN) environment variable is used.
    type: str
  token_cache_path:
    description:
      - File in which tokens are shared by the module runs of a play, created with mode 0600 and locked, so that
        parallel forks make one token request per credential and token lifetime.
      - Defaults to C(csp.onboarding/partner_center_tokens.json) under the user's cache directory
        (E(XDG_CACHE_HOME) or C(~/.cache)). V("") keeps tokens in memory for one module run only.
      - If not set, the value of the E(PARTNER_CENTER_TOKEN_CACHE_PATH) environment variable is used.
    type: path
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Leave it on outside a lab; V(false) adds a warning.
      - If not set, the value of the E(PARTNER_CENTER_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify TLS, for token requests too. When set it wins over E(REQUESTS_CA_BUNDLE).
      - If not set, the value of the E(PARTNER_CENTER_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - If not set, the value of the E(PARTNER_CENTER_TIMEOUT) environment variable is used.
    type: int
    default: 30
  max_retries:
    description:
      - How many times a call is retried after a 429, a 500, 502, 503 or 504, a timeout or a lost connection.
      - A C(Retry-After) answer is honoured; otherwise retries back off exponentially with jitter.
      - Every retry of one call carries the same C(MS-RequestId), Partner Center's idempotency key, so a
        retried write is not applied twice. A write to an API without such a key (Microsoft Graph) is repeated
        only when the server refused it (429, or 503 with C(Retry-After)); otherwise it is read back.
      - A C(Retry-After) of more than 120 seconds is not waited for; the call fails and says so.
      - If not set, the value of the E(PARTNER_CENTER_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
  max_retry_time:
    description:
      - Seconds of retry waiting (backoff and C(Retry-After)) that one task may spend in all, over every call and
        every parallel write of a bulk task. Once spent, the remaining calls fail with a message that says so.
      - If not set, the value of the E(PARTNER_CENTER_MAX_RETRY_TIME) environment variable is used.
    type: int
    default: 300
notes:
  - The URL options must be C(https://) URLs without credentials in them; anything else is refused before any
    request, since every request carries a token.
  - Every failure that came from the API returns C(status), the API's C(code) and C(description), and the
    C(ms_request_id) and C(ms_correlation_id) of the call, for support tickets.
requirements:
  - requests
  - msal
"""
