# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials: Microsoft Entra tokens for Partner Center, and APS bus signing.

Partner Center and Microsoft Graph tokens (partner tenant, or a customer's tenant) come from MSAL's
``ConfidentialClientApplication``, whose HTTP calls go through the collection's transport (same TLS
settings, same retries). Tokens are kept in MSAL's token cache, in a locked on-disk file (mode 0600,
replaced atomically, refused when it is a symlink or another user's) that every fork of a play shares: the lock is held from "is there a valid token?" to "the
new token is written", so N parallel module runs make one token request, not N. The rotated refresh
token of the App+User mode is kept there too, so the next run starts from the newest one.

This file is private to the collection.
"""

import contextlib
import errno
import fcntl
import hashlib
import importlib.util
import json
import os
import re
import ssl
import stat
import tempfile
import threading
import time

from urllib.parse import urlencode, urlparse

# msal and requests-oauthlib are imported when first used: a run with a cached token needs no msal, an
# APS run no msal at all, and every module run pays for the imports it makes.
HAS_MSAL = importlib.util.find_spec("msal") is not None
HAS_REQUESTS_OAUTHLIB = importlib.util.find_spec("requests_oauthlib") is not None

from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

# Documented audience of Partner Center tokens. Inferred: the sovereign clouds use the same audience;
# the reference notes only give their API and login hosts.
PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"
APP_ONLY_SCOPES = [PARTNER_CENTER_RESOURCE + "/.default"]
APP_USER_SCOPES = [PARTNER_CENTER_RESOURCE + "/user_impersonation"]

# ``graph_audience`` is the cloud's Graph resource id (documented national-cloud endpoints): tokens are
# asked for it whatever ``graph_url`` points at (a simulator, a proxy), as for Partner Center.
CLOUDS = {
    "public": {"partner_center_url": "https://api.partnercenter.microsoft.com",
               "authority_url": "https://login.microsoftonline.com",
               "graph_url": "https://graph.microsoft.com",
               "graph_audience": "https://graph.microsoft.com"},
    "usgov": {"partner_center_url": "https://api.partnercenter.microsoft.com",
              "authority_url": "https://login.microsoftonline.us",
              "graph_url": "https://graph.microsoft.us",
              "graph_audience": "https://graph.microsoft.us"},
    "china": {"partner_center_url": "https://partner.partnercenterapi.microsoftonline.cn",
              "authority_url": "https://login.chinacloudapi.cn",
              "graph_url": "https://microsoftgraph.chinacloudapi.cn",
              "graph_audience": "https://microsoftgraph.chinacloudapi.cn"},
}
# MSAL's instance discovery only knows Microsoft's login hosts; anything else (a simulator, a proxy)
# must skip it or MSAL refuses the authority.
MICROSOFT_LOGIN_HOSTS = frozenset(urlparse(cloud["authority_url"]).hostname for cloud in CLOUDS.values()) | {
    "login.windows.net", "login.microsoft.com", "sts.windows.net", "login.partner.microsoftonline.cn"}

# How long a run waits for a lock that another run holds before it fails naming the lock file.
LOCK_TIMEOUT = 60.0
# The cache file's layout: {"version": 2, "entries": {credential digest: MSAL token cache}}. Anything else
# (an older layout, valid JSON of another shape) counts as an empty cache and is replaced on the next write.
CACHE_VERSION = 2

TOKEN_RENEWAL_MARGIN = 300  # seconds before expiry when a cached token is no longer handed out

# One MSAL application per (authority, client, credential) and one MSAL token cache per credential in a
# process, so discovery runs once per authority and the partner and customer authorities share the
# refresh token. MSAL objects are not documented as thread-safe: every use holds this lock.
_MSAL_LOCK = threading.RLock()
_MSAL_APPS = {}
_MSAL_CACHES = {}


class AuthError(ApiError):
    """A credential that could not be used: bad options, or a token request that Entra refused."""


class LockTimeout(ApiError):
    """A lock file that another process held for longer than the wait allows."""


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


# --- private files ---------------------------------------------------------------------------------
# msal-extensions' FilePersistence and CrossPlatLock do not fit here, so this file keeps its own code:
# they open the cache and the lock through symlinks, write the cache in place (a reader can see half a
# file), check no owner, delete the lock file on release (two runs can then lock two different files),
# and stop waiting after 5 s by locking anyway. msal's SerializableTokenCache is used for the content.


def _unusable(path, reason, option):
    return InvalidInput("%s %s cannot be used: %s. Point %s at a file in a directory of your own, or set it to "
                        "\"\" to keep tokens in memory for this task only." % (option, path, reason, option))


def _ensure_directory(directory, option):
    if not directory or os.path.isdir(directory):
        return
    if os.path.lexists(directory):
        raise _unusable(directory, "it is not a directory", option)
    try:
        os.makedirs(directory, 0o700)
    except OSError as exc:
        if not os.path.isdir(directory):  # another fork may have made it meanwhile
            raise _unusable(directory, "its directory cannot be created (%s)" % (exc.strerror or exc), option)


def _open_owned(path, flags, option):
    """(fd, stat) of a regular file of the running user, never through a symlink; None if absent and not created.

    ``O_NONBLOCK``: a FIFO planted at the path must not hang the open.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ENOENT and not flags & os.O_CREAT:
            return None
        if exc.errno == errno.ELOOP:
            raise _unusable(path, "it is a symbolic link, which is refused (it could point at any file)", option)
        raise _unusable(path, exc.strerror or str(exc), option)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _unusable(path, "it is not a regular file", option)
        if info.st_uid != os.geteuid():
            raise _unusable(path, "it is owned by uid %d, not by the user running the module (uid %d)"
                            % (info.st_uid, os.geteuid()), option)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


@contextlib.contextmanager
def exclusive_lock(path, timeout=LOCK_TIMEOUT, option="token_cache_path"):
    """Hold an exclusive ``flock`` on ``path`` for the ``with`` block; yield ``path``.

    The file is created 0600 if absent (its directory 0700), never opened through a symlink, and must be
    a regular file of the running user; it is left in place on release (deleting it would let two runs
    lock two different files). Waits at most ``timeout`` seconds, then raises :class:`LockTimeout`
    naming the file. A path that cannot be used raises ``InvalidInput`` naming ``option``.
    """
    _ensure_directory(os.path.dirname(path), option)
    fd = _open_owned(path, os.O_RDWR | os.O_CREAT, option)[0]
    try:
        deadline = time.monotonic() + timeout
        pause = 0.02
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise _unusable(path, exc.strerror or str(exc), option)
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockTimeout("Another run has held the lock file %s for more than %d s; giving up. If no other "
                                  "run is active, a stuck process holds it." % (path, timeout), path=path)
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.5)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class TokenCache(object):
    """A JSON file of named entries (each a JSON object), read and written under :func:`exclusive_lock`.

    The file is replaced atomically by a ``mkstemp`` file (0600, ``O_EXCL``) of the same directory; it is
    never chmodded. ``path`` empty or None keeps entries in memory (``token_cache_path: ""``).
    """

    def __init__(self, path, lock_timeout=LOCK_TIMEOUT):
        self.path = path
        self.lock_timeout = lock_timeout
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
        with exclusive_lock(self.path + ".lock", self.lock_timeout):
            entries, stale = self._read()
            before = json.dumps(entries, sort_keys=True)
            completed = False
            try:
                yield entries
                completed = True
            finally:
                # Written only when the block finished: a failed token request leaves the file as it was.
                if completed and (stale or json.dumps(entries, sort_keys=True) != before):
                    self._write(entries)

    def _read(self):
        """(entries, stale): stale when the file must be rewritten (wrong shape, readable by others)."""
        opened = _open_owned(self.path, os.O_RDONLY, "token_cache_path")
        if opened is None:
            return {}, False
        fd, info = opened
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read()
        try:
            document = json.loads(raw.decode("utf-8"))
        except ValueError:
            return {}, True  # corrupt: start afresh, the next write replaces it
        if not isinstance(document, dict) or document.get("version") != CACHE_VERSION or \
                not isinstance(document.get("entries"), dict):
            return {}, True
        entries = dict((key, value) for key, value in document["entries"].items() if isinstance(value, dict))
        # A cache that others can read is replaced by a fresh 0600 file (the existing one is never chmodded).
        return entries, len(entries) != len(document["entries"]) or bool(info.st_mode & 0o077)

    def _write(self, entries):
        directory = os.path.dirname(self.path) or "."
        try:
            fd, temp_path = tempfile.mkstemp(prefix=".%s." % os.path.basename(self.path), suffix=".tmp",
                                             dir=directory)
        except OSError as exc:
            raise _unusable(self.path, "no file can be created beside it (%s)" % (exc.strerror or exc),
                            "token_cache_path")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump({"version": CACHE_VERSION, "entries": entries}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(temp_path, self.path)
        except BaseException as exc:
            try:
                os.unlink(temp_path)
            except OSError:
                pass
            if isinstance(exc, OSError):
                raise _unusable(self.path, exc.strerror or str(exc), "token_cache_path")
            raise


# --- Microsoft Entra -------------------------------------------------------------------------------


def entra_error(method, url, status, headers, text, request_id=None, retries=0):
    """None for a usable Entra answer (2xx with a JSON object); else the :class:`AuthError` for it.

    Carries the HTTP status, the AADSTS code and text, Entra's correlation id and its trace id (as the
    request id): what Microsoft support asks for.
    """
    text = text or ""
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    if 200 <= status < 300 and isinstance(body, dict):
        return None
    lowered = dict((str(key).lower(), value) for key, value in (headers or {}).items())
    path = _path_only(url)
    error = code = description = None
    if isinstance(body, dict):
        error = body.get("error")
        raw = (body.get("error_description") or "").strip()
        codes = body.get("error_codes")
        match = re.match(r"AADSTS(\d+)", raw)
        if isinstance(codes, list) and codes:
            code = "AADSTS%s" % codes[0]
        elif match:
            code = "AADSTS%s" % match.group(1)
        # "AADSTS50000: text. Trace ID: ... Correlation ID: ... Timestamp: ...": the ids are reported apart.
        description = re.split(r"\s+Trace ID:", raw.splitlines()[0] if raw else "")[0]
        description = re.sub(r"^AADSTS\d+:\s*", "", description) or None
        correlation_id = body.get("correlation_id") or lowered.get("client-request-id")
        trace_id = body.get("trace_id") or lowered.get("x-ms-request-id")
        detail = ": ".join(part for part in (error, code, description) if part) or "an error without a description"
    else:
        correlation_id = lowered.get("client-request-id")
        trace_id = lowered.get("x-ms-request-id")
        detail = "an empty body" if not text.strip() else "a body that is not JSON (%s)" % text.strip()[:200]
    message = "Microsoft Entra answered %s %s with HTTP %s: %s%s [correlation id: %s, trace id: %s]" % (
        method, path, status, detail, " (after %d retries)" % retries if retries else "", correlation_id,
        trace_id)
    return AuthError(message, status=status, code=code, description=description, error=error, method=method,
                     path=path, request_id=trace_id or request_id, correlation_id=correlation_id, retries=retries)


class MsalTransport(object):
    """MSAL's ``http_client``: its token and discovery calls go through our retrying transport.

    An answer MSAL cannot use (an error status, an empty or non-JSON body) is raised here as an
    :class:`AuthError` with everything the answer says, rather than left to MSAL, which reports a 5xx as
    a bare "HTTP Error" and a non-JSON body as an unusable authority.
    """

    def __init__(self, http):
        self.http = http

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        return self._checked("POST", self.http.send("POST", _with_query(url, params), data=data, headers=headers))

    def get(self, url, params=None, headers=None, **kwargs):
        return self._checked("GET", self.http.send("GET", _with_query(url, params), headers=headers))

    @staticmethod
    def _checked(method, response):
        error = entra_error(method, response.url, response.status_code, response.headers, response.text,
                            request_id=getattr(response, "request_id", None),
                            retries=getattr(response, "attempts", 0))
        if error is not None:
            raise error
        return response

    def close(self):
        """The session belongs to the transport, which closes it."""


class ResourceAuth(object):
    """Bearer tokens for one audience in one tenant: the ``auth`` of an ``_http.HttpClient``."""

    def __init__(self, owner, scopes_by_mode, tenant_id=None, audience=None):
        self.owner = owner
        self.scopes_by_mode = scopes_by_mode
        self.tenant_id = tenant_id
        self.audience = audience
        self.token = None

    @property
    def is_app_user(self):
        return self.owner.is_app_user

    def apply(self, headers):
        if self.token is None:
            self.token = self.owner.token_for(self.scopes_by_mode, self.tenant_id)
        headers["Authorization"] = "Bearer " + self.token
        return None

    def renew(self):
        """After a 401: drop the refused token and get another, unless it was given as-is."""
        if self.owner.mode == "access_token":
            return False
        self.token = self.owner.token_for(self.scopes_by_mode, self.tenant_id, refused=self.token)
        return True


class PartnerCenterAuth(object):
    """Bearer tokens for Partner Center, in the mode the options select, and for other audiences.

    Modes, first match wins: ``access_token`` (used as given), ``refresh_token`` (App+User, the
    secure application model), ``client_certificate_path`` or ``client_secret`` (app-only).
    :meth:`for_resource` gives the same credentials' tokens for another audience (Microsoft Graph) and
    tenant (a customer's, through GDAP); all of them share one MSAL token cache in the locked file.
    """

    def __init__(self, options, entra_http, cache):
        self.options = options
        self.entra_http = entra_http
        self.cache = cache
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
        self.authority_url = options["authority_url"].rstrip("/")
        self.authority = self._authority(None)
        self._partner_center = ResourceAuth(self, {"app_only": APP_ONLY_SCOPES, "app_user": APP_USER_SCOPES},
                                            audience=PARTNER_CENTER_RESOURCE)
        self._resources = {}

    @property
    def is_app_user(self):
        """Whether calls carry a user's token (access_token given elsewhere is assumed to be one)."""
        return self.mode in ("app_user", "access_token")

    @property
    def token(self):
        return self._partner_center.token

    def apply(self, headers):
        if self.mode == "access_token":
            headers["Authorization"] = "Bearer " + self.options["access_token"]
            return None
        return self._partner_center.apply(headers)

    def renew(self):
        return self._partner_center.renew()

    def for_resource(self, audience, tenant_id=None):
        """An ``auth`` for ``<audience>/.default`` tokens of the partner's tenant, or of ``tenant_id``.

        One object per (audience, tenant) per task, so the token is asked for (or read from the cache) once.
        """
        audience = audience.rstrip("/")
        if self.mode == "access_token":
            raise InvalidInput("access_token is a Partner Center token given as is: it cannot be used for %s. "
                               "Set client_id with client_secret (and refresh_token) instead, so that tokens for "
                               "that audience can be requested." % audience)
        key = (audience, (tenant_id or "").lower())
        if key not in self._resources:
            scopes = [audience + "/.default"]
            self._resources[key] = ResourceAuth(self, {"app_only": scopes, "app_user": scopes}, tenant_id=tenant_id,
                                                audience=audience)
        return self._resources[key]

    def _authority(self, tenant_id):
        return "%s/%s" % (self.authority_url, tenant_id or self.options.get("partner_tenant_id"))

    def token_for(self, scopes_by_mode, tenant_id=None, refused=None):
        """An access token for the scopes of this mode in ``tenant_id`` (default: the partner's tenant).

        The file lock is held from "is there a valid token?" to "the new token is written", so parallel
        forks make one token request per (authority, audience). MSAL's token cache decides what is still
        valid (it renews 5 minutes before expiry) and keeps the refresh token Entra rotates.
        """
        if self.mode == "access_token":
            return self.options["access_token"]
        if not HAS_MSAL:
            raise AuthError("The Python library msal is required for Partner Center authentication.")
        scopes = scopes_by_mode[self.mode]
        authority = self._authority(tenant_id)
        key = self._cache_key()
        with self.cache.locked() as entries:
            with _MSAL_LOCK:
                msal_cache = _MSAL_CACHES.get(key)
                if msal_cache is None:
                    import msal
                    msal_cache = _MSAL_CACHES[key] = msal.SerializableTokenCache()
                blob = entries.get(key)
                msal_cache.deserialize(json.dumps(blob if _is_msal_cache(blob) else {}))
                if refused:
                    _forget_access_token(msal_cache, refused)
                cached = _valid_access_token(msal_cache, self.options["client_id"], scopes,
                                             tenant_id or self.options["partner_tenant_id"])
                if cached:
                    return cached
                app = self._msal_app(authority, key, msal_cache)
                result = self._acquire(app, scopes, tenant_id)
                if msal_cache.has_state_changed:
                    entries[key] = json.loads(msal_cache.serialize())
                return result["access_token"]

    def _acquire(self, app, scopes, tenant_id):
        what = self._describe(scopes, tenant_id)
        if self.mode == "app_only":
            return _checked(app.acquire_token_for_client(scopes=scopes), what)  # MSAL reads its cache first
        for account in app.get_accounts():
            try:
                result = app.acquire_token_silent_with_error(scopes, account=account)
            except AuthError as exc:
                if exc.status == 400 and exc.error == "invalid_grant":
                    break  # the rotated refresh token is no longer good: start again from the configured one
                raise
            if result and "access_token" in result:
                return result
        return _checked(app.acquire_token_by_refresh_token(self.options["refresh_token"], scopes=scopes), what)

    def _msal_app(self, authority, key, msal_cache):
        app_key = (authority.lower(), self.options["client_id"], key)
        known = _MSAL_APPS.get(app_key)
        if known is None:
            import msal
            transport = MsalTransport(self.entra_http)
            try:
                app = msal.ConfidentialClientApplication(
                    self.options["client_id"],
                    client_credential=self._client_credential(),
                    authority=authority,
                    http_client=transport,
                    instance_discovery=urlparse(authority).hostname in MICROSOFT_LOGIN_HOSTS,
                    token_cache=msal_cache,
                )
            except ValueError as exc:  # MSAL's word for an authority URL it cannot use
                raise AuthError("Microsoft Entra authority %s could not be used: %s" % (authority, exc))
            known = _MSAL_APPS[app_key] = (app, transport)
        known[1].http = self.entra_http  # this task's transport (TLS options, retry budget)
        return known[0]

    def _client_credential(self):
        path = self.options.get("client_certificate_path")
        if not path:
            return self.options["client_secret"]
        return load_certificate_credential(path)

    def _cache_key(self):
        """The cache entry of this credential: the partner's and the customers' authorities share it."""
        secret = self.options.get("client_secret") or ""
        if self.options.get("client_certificate_path"):
            secret = "certificate:" + os.path.abspath(self.options["client_certificate_path"])
        refresh_token = self.options.get("refresh_token") or ""
        # Only digests of the secrets: the cache file names which credential a token belongs to
        # without holding the credential itself.
        material = json.dumps([self.authority_url, self.options["client_id"], self.mode, _digest(secret),
                               _digest(refresh_token)])
        return _digest(material)

    def _describe(self, scopes, tenant_id):
        how = {"app_only": "app-only", "app_user": "App+User (refresh token)"}[self.mode]
        return "%s token for %s for client %s in tenant %s" % (
            how, " ".join(scopes), self.options["client_id"], tenant_id or self.options["partner_tenant_id"])


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
    codes = result.get("error_codes")
    raise AuthError("Microsoft Entra refused the %s: %s%s [correlation id: %s]" % (
        what, error, ": " + description if description else "", result.get("correlation_id")),
        error=result.get("error"), description=description, correlation_id=result.get("correlation_id"),
        code="AADSTS%s" % codes[0] if isinstance(codes, list) and codes else None)


def _is_msal_cache(blob):
    """MSAL's serialized cache shape: {credential type: {key: item}}; anything else is an empty cache."""
    return isinstance(blob, dict) and all(
        isinstance(items, dict) and all(isinstance(item, dict) for item in items.values()) for items in blob.values())


def _valid_access_token(msal_cache, client_id, scopes, tenant, now=None):
    """An access token of MSAL's cache for these scopes, client and tenant, valid for 5 minutes more, or None.

    Read before an MSAL application is built: building one fetches the authority's OpenID configuration (a
    request to Entra per task, since every task runs in a new worker process), which a cached token does not
    need. MSAL decides everything else (renewal, refresh tokens) when this finds nothing. Tokens of other
    tenants (a customer's, through GDAP) are told apart by their realm, compared case-insensitively.
    """
    import msal
    now = time.time() if now is None else now
    for item in msal_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=list(scopes),
                                  query={"client_id": client_id}, now=now):
        if (item.get("realm") or "").lower() != (tenant or "").lower():
            continue
        # MSAL renews a token 5 minutes before it expires; so does this, by handing over to MSAL.
        if int(item.get("expires_on") or 0) - now > TOKEN_RENEWAL_MARGIN and item.get("secret"):
            return item["secret"]
    return None


def _forget_access_token(msal_cache, token):
    """Remove a token the API refused (401) from MSAL's cache, so that the next call gets a new one."""
    import msal
    for item in list(msal_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
        if item.get("secret") == token:
            msal_cache.remove_at(item)


def _path_only(url):
    without_scheme = (url or "").split("://", 1)[-1]
    path = "/" + without_scheme.split("/", 1)[1] if "/" in without_scheme else "/"
    return path.split("?", 1)[0]


def _digest(value):
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _with_query(url, params):
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params)
