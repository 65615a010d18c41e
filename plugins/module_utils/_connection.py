# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options, in one table, and the clients built from them.

:data:`OPTIONS` is the one source of truth for the connection options of the two action groups: the
modules' argument specs are derived from it here, the inventory plugin reads its options by these
names, and the AWX credential types inject these environment variables. The doc fragments
(``doc_fragments/partner_center.py``, ``doc_fragments/aps.py``) and the inventory plugin's
DOCUMENTATION are written for people, so they are prose; ``tests/unit/plugins/module_utils/
test_connection_options.py`` fails when any of them disagrees with this table (names, types,
defaults, choices, environment variables, ``no_log``).

This file is private to the collection.
"""

import os
import uuid

from urllib.parse import urlparse

from ansible.module_utils.basic import env_fallback

from ansible_collections.csp.onboarding.plugins.module_utils import _http
from ansible_collections.csp.onboarding.plugins.module_utils._auth import (
    CLOUDS, ApsAuth, PartnerCenterAuth, TokenCache, beside_token_cache, default_token_cache_path)
from ansible_collections.csp.onboarding.plugins.module_utils._aps import ApsClient
from ansible_collections.csp.onboarding.plugins.module_utils._graph import GraphClient
from ansible_collections.csp.onboarding.plugins.module_utils._partner_center import PartnerCenterClient
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

# The Graph endpoints of each cloud (documented national-cloud hosts). The token audience is the
# cloud's Graph resource id, whatever graph_url points at, as for Partner Center.
GRAPH_URLS = {
    "public": "https://graph.microsoft.com",
    "china": "https://microsoftgraph.chinacloudapi.cn",
    "usgov": "https://graph.microsoft.us",
}


class Option(object):
    """One connection option: what the argument spec, the docs and the credential types all describe."""

    def __init__(self, name, type, env, default=None, choices=None, no_log=False):
        self.name = name
        self.type = type
        self.env = env
        self.default = default
        self.choices = choices
        self.no_log = no_log

    def spec(self):
        spec = dict(type=self.type, fallback=(env_fallback, [self.env]))
        if self.default is not None:
            spec["default"] = self.default
        if self.choices:
            spec["choices"] = list(self.choices)
        if self.no_log or self.type == "path" or self.name.endswith(("_key", "_path")):
            # Explicit either way: ansible-core guesses no_log from names such as *_key.
            spec["no_log"] = self.no_log
        return spec


def _transport_options(prefix):
    return (
        Option("validate_certs", "bool", prefix + "_VALIDATE_CERTS", default=True),
        Option("ca_path", "path", prefix + "_CA_PATH"),
        Option("timeout", "int", prefix + "_TIMEOUT", default=30),
        Option("max_retries", "int", prefix + "_MAX_RETRIES", default=5),
        Option("max_retry_time", "int", prefix + "_MAX_RETRY_TIME", default=300),
    )


OPTIONS = {
    "partner_center": (
        Option("cloud", "str", "PARTNER_CENTER_CLOUD", default="public", choices=sorted(CLOUDS)),
        Option("partner_center_url", "str", "PARTNER_CENTER_URL"),
        Option("authority_url", "str", "PARTNER_CENTER_AUTHORITY_URL"),
        Option("graph_url", "str", "PARTNER_CENTER_GRAPH_URL"),
        Option("partner_tenant_id", "str", "PARTNER_CENTER_TENANT_ID"),
        Option("client_id", "str", "PARTNER_CENTER_CLIENT_ID"),
        Option("client_secret", "str", "PARTNER_CENTER_CLIENT_SECRET", no_log=True),
        Option("client_certificate_path", "path", "PARTNER_CENTER_CLIENT_CERTIFICATE_PATH"),
        Option("refresh_token", "str", "PARTNER_CENTER_REFRESH_TOKEN", no_log=True),
        Option("access_token", "str", "PARTNER_CENTER_ACCESS_TOKEN", no_log=True),
        Option("token_cache_path", "path", "PARTNER_CENTER_TOKEN_CACHE_PATH"),
    ) + _transport_options("PARTNER_CENTER"),
    "aps": (
        Option("aps_url", "str", "APS_URL"),
        Option("aps_consumer_key", "str", "APS_CONSUMER_KEY"),
        Option("aps_consumer_secret", "str", "APS_CONSUMER_SECRET", no_log=True),
        Option("aps_token", "str", "APS_TOKEN", no_log=True),
    ) + _transport_options("APS"),
}

URL_OPTIONS = ("partner_center_url", "authority_url", "graph_url", "aps_url")


def argument_spec(connection):
    """The argument spec of one connection's options (``partner_center`` or ``aps``)."""
    return dict((option.name, option.spec()) for option in OPTIONS[connection])


def checked_url(params, name):
    """An https URL without credentials, or InvalidInput naming the option; None when unset.

    Bearer tokens and APS tokens travel in headers, so a plain-http URL would send them in clear, and
    requests replaces the Authorization header with the credentials of a ``user:pass@`` URL.
    """
    value = params.get(name)
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme != "https" or not parsed.hostname:
        raise InvalidInput("%s must be an https:// URL (tokens are sent with every request), got %r" % (name, value))
    if parsed.username or parsed.password:
        raise InvalidInput("%s must not contain credentials (user:password@); set the credential options instead"
                           % name)
    return value.rstrip("/")


def http_options(params):
    """The transport settings of the options, checked: a CA bundle that cannot be read is bad input."""
    ca_path = params.get("ca_path") or None
    if ca_path and not os.path.isfile(ca_path):
        raise InvalidInput("ca_path %s is not a readable file: point it at a PEM CA bundle" % ca_path)
    for name in ("timeout", "max_retries", "max_retry_time"):
        value = params.get(name)
        if value is not None and (value < 0 or (name == "timeout" and value == 0)):
            wanted = "positive" if name == "timeout" else "0 or more"
            raise InvalidInput("%s must be %s, got %s" % (name, wanted, value))
    return dict(validate_certs=params.get("validate_certs", True), ca_path=ca_path,
                timeout=params.get("timeout") or 30, max_retries=params.get("max_retries", 5))


def insecure_warnings(params):
    if params.get("validate_certs") is False and not params.get("ca_path"):
        return ["validate_certs is false: TLS certificates are not verified, so a machine in the middle can read "
                "the tokens. Use ca_path for a private CA instead."]
    return []


class Connections(object):
    """The clients of one task, built on first use from its options, sharing one Entra login.

    A Partner Center task may also talk to Microsoft Graph (partner tenant, or a customer's tenant):
    all of them share the same credentials, token cache, correlation id and retry budget. Each client is
    built once, so the steps of ``tenant_onboarding`` that share these options also share its connections
    (one TLS handshake per API and tenant instead of one per step).
    """

    def __init__(self, params, correlation_id):
        self.params = params
        self.correlation_id = correlation_id or str(uuid.uuid4())
        self.budget = _http.RetryBudget(params.get("max_retry_time"))
        self._auth = None
        self._cache_path = None
        self._clients = {}
        self._built = {}

    def _once(self, key, build):
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    def _http(self, base_url, auth=None, throttle=None):
        client = _http.HttpClient(base_url, auth=auth, correlation_id=self.correlation_id, throttle=throttle,
                                  budget=self.budget, **http_options(self.params))
        self._clients[id(client)] = client
        return client

    def _cloud(self):
        return CLOUDS[self.params.get("cloud") or "public"]

    def _throttle(self, kind, *identity):
        if not self._cache_path:
            return None
        return _http.Throttle(beside_token_cache(self._cache_path, kind, *identity))

    def partner_auth(self):
        if self._auth is None:
            params = self.params
            options = dict(params)
            options["authority_url"] = checked_url(params, "authority_url") or self._cloud()["authority_url"]
            cache_path = params.get("token_cache_path")
            self._cache_path = default_token_cache_path() if cache_path is None else cache_path
            entra_http = self._http(options["authority_url"])
            self._auth = PartnerCenterAuth(options, entra_http, TokenCache(self._cache_path))
        return self._auth

    def partner_center(self):
        return self._once(("partner_center",), self._partner_center)

    def _partner_center(self):
        auth = self.partner_auth()
        base_url = checked_url(self.params, "partner_center_url") or self._cloud()["partner_center_url"]
        # Partner Center throttles per partner: the forks that share the token cache share the wait too.
        throttle = self._throttle("throttle", base_url, self.params.get("partner_tenant_id"))
        return PartnerCenterClient(self._http(base_url, auth=auth, throttle=throttle))

    def graph(self, tenant_id=None):
        """A Graph client for the partner's tenant, or with ``tenant_id`` for a customer's tenant (via GDAP)."""
        return self._once(("graph", tenant_id), lambda: self._graph(tenant_id))

    def _graph(self, tenant_id):
        cloud = self.params.get("cloud") or "public"
        base_url = checked_url(self.params, "graph_url") or self._cloud().get("graph_url") or GRAPH_URLS[cloud]
        audience = self._cloud().get("graph_audience") or GRAPH_URLS[cloud]
        auth = self.partner_auth().for_resource(audience, tenant_id)
        # Graph throttles per app and tenant: one shared wait per tenant.
        throttle = self._throttle("graph-throttle", base_url, tenant_id or self.params.get("partner_tenant_id"))
        return GraphClient(self._http(base_url, auth=auth, throttle=throttle), tenant_id=tenant_id)

    def aps(self):
        return self._once(("aps",), self._aps)

    def _aps(self):
        params = self.params
        aps_url = checked_url(params, "aps_url")
        if not aps_url:
            raise InvalidInput("aps_url is required: the https://BRAND_DOMAIN of the CloudBlue Commerce brand "
                               "(or the APS_URL environment variable).")
        auth = ApsAuth(params.get("aps_consumer_key"), params.get("aps_consumer_secret"), params.get("aps_token"))
        return ApsClient(self._http(aps_url, auth=auth))

    def check(self, connection):
        """Refuse unusable connection options before any request (URLs, CA bundle, numbers)."""
        names = [option.name for option in OPTIONS[connection]]
        for name in URL_OPTIONS:
            if name in names:
                checked_url(self.params, name)
        http_options(self.params)

    def close(self):
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._built.clear()
