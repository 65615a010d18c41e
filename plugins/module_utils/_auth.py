# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials: Microsoft Entra tokens for Partner Center, and APS bus signing.

Partner Center tokens come from MSAL's ``ConfidentialClientApplication``, whose HTTP calls go through
the collection's transport (same TLS settings, same retries). Tokens are kept in a locked on-disk cache
(mode 0600) that every fork of a play shares: the lock is held from "is there a valid token?" to "the
new token is written", so N parallel module runs make one token request, not N. The rotated refresh
token of the App+User mode is kept there too, so the next run starts from the newest one.

This file is private to the collection.
"""

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import re
import ssl
import threading
import time

from urllib.parse import urlencode, urlparse

# msal and requests-oauthlib are imported when first used: a run with a cached token needs no msal, an
# APS run no msal at all, and every module run pays for the imports it makes.
HAS_MSAL = importlib.util.find_spec("msal") is not None
HAS_REQUESTS_OAUTHLIB = importlib.util.find_spec("requests_oauthlib") is not None

from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

# Documented audience of Partner Center tokens. Inferred: the sovereign clouds use the same audience;
# the reference notes only give their API and login hosts.
PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"
APP_ONLY_SCOPES = [PARTNER_CENTER_RESOURCE + "/.default"]
APP_USER_SCOPES = [PARTNER_CENTER_RESOURCE + "/user_impersonation"]

CLOUDS = {
    "public": {"partner_center_url": "https://api.partnercenter.microsoft.com",
               "authority_url": "https://login.microsoftonline.com"},
    "usgov": {"partner_center_url": "https://api.partnercenter.microsoft.com",
              "authority_url": "https://login.microsoftonline.us"},
    "china": {"partner_center_url": "https://partner.partnercenterapi.microsoftonline.cn",
              "authority_url": "https://login.chinacloudapi.cn"},
}
# MSAL's instance discovery only knows Microsoft's login hosts; anything else (a simulator, a proxy)
# must skip it or MSAL refuses the authority.
MICROSOFT_LOGIN_HOSTS = frozenset(urlparse(cloud["authority_url"]).hostname for cloud in CLOUDS.values()) | {
    "login.windows.net", "login.microsoft.com", "sts.windows.net", "login.partner.microsoftonline.cn"}

# A cached token is used until this many seconds before it expires (or a tenth of its lifetime,
# when that is shorter), so a token does not expire between the check and the call.
EXPIRY_MARGIN = 300


class AuthError(ApiError):
    """A credential that could not be used: bad options, or a token request that Entra refused."""


def default_token_cache_path():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "csp.onboarding", "partner_center_tokens.json")


def beside_token_cache(cache_path, kind, *identity):
    """A file next to the token cache for other state the forks of a play share, or None without a cache.

    Its name carries a digest of ``identity`` (API URL, tenant...), never the values themselves.
    """
    if not cache_path:
        return None
    return "%s.%s-%s" % (cache_path, kind, _digest(json.dumps([str(part) for part in identity]))[:16])


class TokenCache(object):
    """A JSON file of token entries, read and written under an exclusive ``flock``.

    ``path`` None keeps entries in memory (``token_cache_path: ""``).
    """

    def __init__(self, path):
        self.path = path
        self._memory = {}
        # flock orders processes; this orders the threads of one module run (bulk writes).
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def locked(self):
        with self._thread_lock:
            if not self.path:
                yield self._memory
            else:
                with self._file_locked() as entries:
                    yield entries

    @contextlib.contextmanager
    def _file_locked(self):
        directory = os.path.dirname(self.path)
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        lock_fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            entries = self._read()
            before = json.dumps(entries, sort_keys=True)
            yield entries
            if json.dumps(entries, sort_keys=True) != before:
                self._write(entries)
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)

    def _read(self):
        try:
            if os.stat(self.path).st_mode & 0o077:
                os.chmod(self.path, 0o600)  # never leave tokens readable by others
            with open(self.path) as handle:
                entries = json.load(handle)
            return entries if isinstance(entries, dict) else {}
        except (OSError, IOError, ValueError):
            return {}  # missing or unreadable: start afresh, the next write replaces it

    def _write(self, entries):
        now = time.time()
        kept = dict((key, entry) for key, entry in entries.items()
                    if entry.get("refresh_token") or entry.get("expires_at", 0) > now)
        temp_path = "%s.%d.tmp" % (self.path, os.getpid())
        fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(kept, handle)
        os.rename(temp_path, self.path)


class MsalTransport(object):
    """MSAL's ``http_client``: its token and discovery calls go through our retrying transport."""

    def __init__(self, http):
        self.http = http

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        return self.http.send("POST", _with_query(url, params), data=data, headers=headers)

    def get(self, url, params=None, headers=None, **kwargs):
        return self.http.send("GET", _with_query(url, params), headers=headers)

    def close(self):
        """The session belongs to the transport, which closes it."""


class PartnerCenterAuth(object):
    """Bearer tokens for Partner Center, in the mode the options select.

    Modes, first match wins: ``access_token`` (used as given), ``refresh_token`` (App+User, the
    secure application model), ``client_certificate_path`` or ``client_secret`` (app-only).
    """

    def __init__(self, options, entra_http, cache):
        self.options = options
        self.entra_http = entra_http
        self.cache = cache
        self.token = None
        if options.get("access_token"):
            self.mode = "access_token"
        elif options.get("refresh_token"):
            self.mode = "app_user"
        else:
            self.mode = "app_only"
        if self.mode != "access_token":
            missing = [name for name in ("partner_tenant_id", "client_id") if not options.get(name)]
            if not (options.get("client_secret") or options.get("client_certificate_path")):
                missing.append("client_secret or client_certificate_path")
            if missing:
                raise AuthError("Partner Center credentials are incomplete: set %s (or access_token)."
                                % ", ".join(missing))
        self.authority = "%s/%s" % (options["authority_url"].rstrip("/"), options.get("partner_tenant_id"))

    @property
    def is_app_user(self):
        """Whether calls carry a user's token (access_token given elsewhere is assumed to be one)."""
        return self.mode in ("app_user", "access_token")

    def apply(self, headers):
        if self.token is None:
            self.token = self._token()
        headers["Authorization"] = "Bearer " + self.token
        return None

    def renew(self):
        """After a 401: drop the refused token and get another, unless it was given as-is."""
        if self.mode == "access_token":
            return False
        self.token = self._token(refused=self.token)
        return True

    def for_resource(self, audience, tenant_id=None):
        """The same credentials for another audience (Microsoft Graph), in the partner's tenant or a customer's.

        A customer tenant's token is requested from the customer's authority with the partner's refresh
        token (GDAP decides what it may do). It shares this object's cache, so the forks of a run make one
        request per (authority, audience).
        """
        if self.mode == "access_token":
            raise AuthError("access_token holds a Partner Center token, which Microsoft Graph does not accept: set the "
                            "app credentials (client_id, client_secret or client_certificate_path, refresh_token) "
                            "for the Graph-based modules.")
        authority = self.authority
        if tenant_id:
            authority = "%s/%s" % (self.options["authority_url"].rstrip("/"), tenant_id)
        return ResourceAuth(self, authority, [audience.rstrip("/") + "/.default"])

    def _token(self, refused=None, authority=None, scopes=None):
        if self.mode == "access_token":
            return self.options["access_token"]
        authority = authority or self.authority
        key = self._cache_key(authority, scopes)
        with self.cache.locked() as entries:
            entry = entries.get(key) or {}
            if entry.get("access_token") and entry["access_token"] != refused and not _expiring(entry):
                return entry["access_token"]
            result = self._acquire(entry.get("refresh_token"), authority, scopes)
            lifetime = int(result.get("expires_in") or 3600)
            entries[key] = {
                "access_token": result["access_token"],
                "expires_at": time.time() + lifetime,
                "lifetime": lifetime,
                # Entra rotates refresh tokens; keep the newest so the next run starts from it.
                "refresh_token": result.get("refresh_token") or entry.get("refresh_token"),
            }
            return result["access_token"]

    def _acquire(self, rotated_refresh_token, authority, scopes=None):
        app = self._msal_app(authority)
        try:
            if self.mode == "app_only":
                return _checked(app.acquire_token_for_client(scopes=scopes or APP_ONLY_SCOPES),
                                self._describe(authority))
            candidates = [rotated_refresh_token, self.options["refresh_token"]]
            last_error = None
            for refresh_token in [token for index, token in enumerate(candidates)
                                  if token and token not in candidates[:index]]:
                result = app.acquire_token_by_refresh_token(refresh_token, scopes=scopes or APP_USER_SCOPES)
                if "access_token" in result:
                    return result
                last_error = result  # a stale rotated token: fall back to the configured one
            return _checked(last_error, self._describe(authority))
        except ValueError as exc:  # MSAL's word for an authority it cannot use
            raise AuthError("Microsoft Entra authority %s could not be used: %s" % (authority, exc))

    def _msal_app(self, authority):
        """One MSAL application per authority for this run: its discovery is fetched once, not per token."""
        if not HAS_MSAL:
            raise AuthError("The Python library msal is required for Partner Center authentication.")
        apps = self.__dict__.setdefault("_msal_apps", {})
        if authority not in apps:
            import msal
            host = urlparse(authority).hostname
            apps[authority] = msal.ConfidentialClientApplication(
                self.options["client_id"],
                client_credential=self._client_credential(),
                authority=authority,
                http_client=MsalTransport(self.entra_http),
                instance_discovery=host in MICROSOFT_LOGIN_HOSTS,
            )
        return apps[authority]

    def _client_credential(self):
        path = self.options.get("client_certificate_path")
        if not path:
            return self.options["client_secret"]
        return load_certificate_credential(path)

    def _cache_key(self, authority=None, scopes=None):
        secret = self.options.get("client_secret") or ""
        if self.options.get("client_certificate_path"):
            secret = "certificate:" + os.path.abspath(self.options["client_certificate_path"])
        refresh_token = self.options.get("refresh_token") or ""
        # Only digests of the secrets: the cache file names which credential a token belongs to
        # without holding the credential itself.
        identity = [authority or self.authority, self.options["client_id"], self.mode, _digest(secret),
                    _digest(refresh_token)]
        if scopes:
            identity.append(sorted(scopes))  # Partner Center's key stays what it was: existing caches stay valid
        material = json.dumps(identity)
        return _digest(material)

    def _describe(self, authority=None):
        how = {"app_only": "app-only", "app_user": "App+User (refresh token)"}[self.mode]
        tenant = (authority or self.authority).rstrip("/").rsplit("/", 1)[-1]
        return "%s token for client %s in tenant %s" % (how, self.options["client_id"], tenant)


class ResourceAuth(object):
    """Bearer tokens for another audience or tenant, from a :class:`PartnerCenterAuth`'s credentials and cache."""

    def __init__(self, parent, authority, scopes):
        self.parent = parent
        self.authority = authority
        self.scopes = scopes
        self.token = None

    def apply(self, headers):
        if self.token is None:
            self.token = self.parent._token(authority=self.authority, scopes=self.scopes)
        headers["Authorization"] = "Bearer " + self.token
        return None

    def renew(self):
        self.token = self.parent._token(refused=self.token, authority=self.authority, scopes=self.scopes)
        return True


def load_certificate_credential(path):
    """MSAL's certificate credential from a PEM file holding the certificate and its private key."""
    try:
        with open(path) as handle:
            pem = handle.read()
    except (OSError, IOError) as exc:
        raise AuthError("client_certificate_path %s cannot be read: %s" % (path, exc.strerror or exc))
    key = re.search(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----.+?-----END (?:[A-Z]+ )?PRIVATE KEY-----", pem, re.S)
    cert = re.search(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.S)
    if not key or not cert:
        raise AuthError("client_certificate_path %s must hold a PEM certificate and its unencrypted private key."
                        % path)
    thumbprint = hashlib.sha1(ssl.PEM_cert_to_DER_cert(cert.group(0))).hexdigest()  # nosec - x5t is SHA-1 by spec
    return {"private_key": key.group(0), "thumbprint": thumbprint, "public_certificate": cert.group(0)}


class ApsAuth(object):
    """APS bus credentials: two-legged OAuth 1.0a HMAC-SHA1 (key and secret), or an ``APS-Token``."""

    def __init__(self, consumer_key=None, consumer_secret=None, token=None):
        self.token = token
        self.signer = None
        if token:
            return
        if not (consumer_key and consumer_secret):
            raise AuthError("APS credentials are incomplete: set aps_consumer_key and aps_consumer_secret, "
                            "or aps_token.")
        if not HAS_REQUESTS_OAUTHLIB:
            raise AuthError("The Python library requests-oauthlib is required for APS OAuth 1.0a signing.")
        from requests_oauthlib import OAuth1
        # No resource-owner token: the APS bus uses the consumer key and secret alone (documented).
        self.signer = OAuth1(consumer_key, client_secret=consumer_secret, signature_method="HMAC-SHA1",
                             signature_type="AUTH_HEADER")

    def apply(self, headers):
        if self.token:
            headers["APS-Token"] = self.token
        return self.signer

    def renew(self):
        return False


def _checked(result, what):
    if result and "access_token" in result:
        return result
    result = result or {}
    lines = (result.get("error_description") or "").strip().splitlines()
    description = lines[0] if lines else None
    error = result.get("error", "no token returned")
    raise AuthError("Microsoft Entra refused the %s: %s%s" % (what, error, ": " + description if description else ""),
                    error=result.get("error"), description=description, correlation_id=result.get("correlation_id"))


def _expiring(entry):
    margin = min(EXPIRY_MARGIN, entry.get("lifetime", 3600) / 10.0)
    return entry.get("expires_at", 0) - margin <= time.time()


def _digest(value):
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _with_query(url, params):
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params)
