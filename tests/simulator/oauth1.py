"""Server-side check of two-legged OAuth 1.0a HMAC-SHA1 signatures (RFC 5849), with oauthlib.

Clients sign with a consumer key and secret and no token (``requests_oauthlib.OAuth1(key,
client_secret=secret)``). The signature covers the URL exactly as the client sent it, so the
caller passes the raw path and query string that reached the server, RQL punctuation and all.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import SIGNATURE_HMAC_SHA1

from .state import ApsConsumer

NONCE_LIFETIME_S = 600  # oauthlib refuses timestamps further than this from now, so older nonces can go


class _ConsumerValidator(RequestValidator):
    """What oauthlib asks about consumers, answered from the simulator's state."""

    def __init__(self, consumers: Callable[[], dict[str, ApsConsumer]], nonces: "_NonceRegistry") -> None:
        super().__init__()
        self._consumers = consumers
        self._nonces = nonces

    # Assumed, undocumented: HMAC-SHA1 only (the doc's example header is cut after "H").
    allowed_signature_methods = (SIGNATURE_HMAC_SHA1,)
    enforce_ssl = True
    dummy_client = "simulator-dummy-consumer"  # verified against when the key is unknown, in near-constant time

    def check_client_key(self, client_key: str) -> bool:
        # oauthlib's default allows only 20-30 alphanumerics; real consumer keys need not follow that.
        return 0 < len(client_key) <= 256 and client_key.isprintable()

    def check_nonce(self, nonce: str) -> bool:
        return 0 < len(nonce) <= 256 and nonce.isprintable()

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key in self._consumers()

    def get_client_secret(self, client_key: str, request: Any) -> str:
        consumer = self._consumers().get(client_key)
        return consumer.secret if consumer else "simulator-dummy-secret"

    def validate_timestamp_and_nonce(
        self, client_key: str, timestamp: str, nonce: str, request: Any, **kwargs: Any
    ) -> bool:
        return self._nonces.first_use(client_key, timestamp, nonce)


class _NonceRegistry:
    """Refuses a (key, timestamp, nonce) seen before: a replayed request fails authentication.

    Assumed, undocumented: that the platform checks nonces at all. A client that retries by resending
    the same signed request (instead of signing it again) is refused, as a strict OAuth server would.
    """

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str]] = set()
        self._order: deque[tuple[float, tuple[str, str, str]]] = deque()

    def first_use(self, client_key: str, timestamp: str, nonce: str) -> bool:
        now = time.monotonic()
        while self._order and self._order[0][0] <= now - NONCE_LIFETIME_S:
            self._seen.discard(self._order.popleft()[1])
        entry = (client_key, timestamp, nonce)
        if entry in self._seen:
            return False
        self._seen.add(entry)
        self._order.append((now, entry))
        return True


class ConsumerVerifier:
    def __init__(self, consumers: Callable[[], dict[str, ApsConsumer]]) -> None:
        self._endpoint = SignatureOnlyEndpoint(_ConsumerValidator(consumers, _NonceRegistry()))

    def verify(self, url: str, method: str, headers: dict[str, str], body: bytes) -> str | None:
        """The consumer key of a correctly signed request, else None.

        ``url`` is origin + raw path + ``?`` + raw query string, as received.
        """
        try:
            valid, request = self._endpoint.validate_request(url, method, body.decode("utf-8", "replace"), headers)
        except ValueError:  # oauthlib rejects a query string that is not valid URL encoding
            return None
        return request.client_key if valid else None
