# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  aps_url:
    description:
      - V(https://BRAND_DOMAIN) of the CloudBlue Commerce brand whose APS booster serves the APS REST API.
      - If not set, the value of the E(APS_URL) environment variable is used.
    type: str
  aps_consumer_key:
    description:
      - OAuth 1.0a consumer key from a staff member's B(APS Bus Access) tab. Requests are signed with HMAC-SHA1
        (two-legged, no token).
      - If not set, the value of the E(APS_CONSUMER_KEY) environment variable is used.
    type: str
  aps_consumer_secret:
    description:
      - The consumer secret that goes with O(aps_consumer_key).
      - If not set, the value of the E(APS_CONSUMER_SECRET) environment variable is used.
    type: str
  aps_token:
    description:
      - An C(APS-Token) to send instead of signing with a consumer key and secret.
      - If not set, the value of the E(APS_TOKEN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate; V(false) adds a warning.
      - If not set, the value of the E(APS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify TLS. When set it wins over E(REQUESTS_CA_BUNDLE).
      - If not set, the value of the E(APS_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - If not set, the value of the E(APS_TIMEOUT) environment variable is used.
    type: int
    default: 30
  max_retries:
    description:
      - How many times a read is retried after a 429, a 500, 502, 503 or 504, a timeout or a lost connection,
        honouring C(Retry-After).
      - APS has no idempotency key, so a write is repeated only when the server refused it (429, or 503 with
        C(Retry-After)) or the connection was never made. After any other failure (a 502, a lost answer) the
        state is read back and converged, so a write is never applied twice by a retry.
      - If not set, the value of the E(APS_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
  max_retry_time:
    description:
      - Seconds of retry waiting (backoff and C(Retry-After)) that one task may spend in all.
      - If not set, the value of the E(APS_MAX_RETRY_TIME) environment variable is used.
    type: int
    default: 300
notes:
  - Every failure that came from the API returns C(status), the API's C(error) and C(description) (its
    C(message)), and the correlation id of the module run.
requirements:
  - requests
  - requests-oauthlib
"""
