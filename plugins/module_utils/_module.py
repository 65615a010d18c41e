# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every module: connection options, clients, check mode, diff, ``changed`` and errors.

A module declares its own options and a function from "what the task asks" to an outcome; this class
does the rest in one place: it merges the connection options (with their environment fallbacks),
builds the clients, turns the outcome into ``changed``/``action``/diff (secrets masked), and turns an
``ApiError`` into ``fail_json`` with the status, API error fields and request/correlation ids.

This file is private to the collection.
"""

import traceback
import uuid

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.csp.onboarding.plugins.module_utils import _http
from ansible_collections.csp.onboarding.plugins.module_utils._auth import (
    CLOUDS, HAS_MSAL, HAS_REQUESTS_OAUTHLIB, ApsAuth,
    PartnerCenterAuth, TokenCache, beside_token_cache, default_token_cache_path)
from ansible_collections.csp.onboarding.plugins.module_utils._aps import ApsClient
from ansible_collections.csp.onboarding.plugins.module_utils._compare import masked
from ansible_collections.csp.onboarding.plugins.module_utils._partner_center import PartnerCenterClient


def _env(*names):
    return (env_fallback, list(names))


TRANSPORT_ARGS = dict(
    timeout=dict(type="int", default=30),
    max_retries=dict(type="int", default=5),
)

PARTNER_CENTER_ARGS = dict(
    cloud=dict(type="str", choices=sorted(CLOUDS), default="public", fallback=_env("PARTNER_CENTER_CLOUD")),
    partner_center_url=dict(type="str", fallback=_env("PARTNER_CENTER_URL")),
    authority_url=dict(type="str", fallback=_env("PARTNER_CENTER_AUTHORITY_URL")),
    partner_tenant_id=dict(type="str", fallback=_env("PARTNER_CENTER_TENANT_ID")),
    client_id=dict(type="str", fallback=_env("PARTNER_CENTER_CLIENT_ID")),
    client_secret=dict(type="str", no_log=True, fallback=_env("PARTNER_CENTER_CLIENT_SECRET")),
    client_certificate_path=dict(type="path", fallback=_env("PARTNER_CENTER_CLIENT_CERTIFICATE_PATH")),
    refresh_token=dict(type="str", no_log=True, fallback=_env("PARTNER_CENTER_REFRESH_TOKEN")),
    access_token=dict(type="str", no_log=True, fallback=_env("PARTNER_CENTER_ACCESS_TOKEN")),
    token_cache_path=dict(type="path", no_log=False, fallback=_env("PARTNER_CENTER_TOKEN_CACHE_PATH")),
    validate_certs=dict(type="bool", default=True, fallback=_env("PARTNER_CENTER_VALIDATE_CERTS")),
    ca_path=dict(type="path", fallback=_env("PARTNER_CENTER_CA_PATH")),
    **TRANSPORT_ARGS
)

APS_ARGS = dict(
    aps_url=dict(type="str", fallback=_env("APS_URL")),
    aps_consumer_key=dict(type="str", no_log=False, fallback=_env("APS_CONSUMER_KEY")),
    aps_consumer_secret=dict(type="str", no_log=True, fallback=_env("APS_CONSUMER_SECRET")),
    aps_token=dict(type="str", no_log=True, fallback=_env("APS_TOKEN")),
    validate_certs=dict(type="bool", default=True, fallback=_env("APS_VALIDATE_CERTS")),
    ca_path=dict(type="path", fallback=_env("APS_CA_PATH")),
    **TRANSPORT_ARGS
)

CONNECTION_ARGS = {"partner_center": PARTNER_CENTER_ARGS, "aps": APS_ARGS}
ACTIONS = ("created", "updated", "restored", "deleted", "unchanged")


def http_options(params):
    return dict(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                timeout=params["timeout"], max_retries=params["max_retries"])


def partner_center_client(params, correlation_id=None):
    """A Partner Center client from connection options (shared by the modules and the inventory plugin)."""
    cloud = CLOUDS[params.get("cloud") or "public"]
    options = dict(params)
    options["authority_url"] = params.get("authority_url") or cloud["authority_url"]
    http_settings = http_options(params)
    entra_http = _http.HttpClient(options["authority_url"], correlation_id=correlation_id, **http_settings)
    cache_path = params.get("token_cache_path")
    cache_path = default_token_cache_path() if cache_path is None else cache_path
    auth = PartnerCenterAuth(options, entra_http, TokenCache(cache_path))
    base_url = params.get("partner_center_url") or cloud["partner_center_url"]
    # Partner Center throttles per partner: the forks that share the token cache share the wait too.
    throttle_path = beside_token_cache(cache_path, "throttle", base_url, params.get("partner_tenant_id"))
    api_http = _http.HttpClient(base_url, auth=auth, correlation_id=entra_http.correlation_id,
                                throttle=_http.Throttle(throttle_path), **http_settings)
    return PartnerCenterClient(api_http)


def aps_client(params, correlation_id=None):
    if not params.get("aps_url"):
        raise _http.ApiError("aps_url is required: the https://BRAND_DOMAIN of the CloudBlue Commerce brand "
                             "(or the APS_URL environment variable).")
    auth = ApsAuth(params.get("aps_consumer_key"), params.get("aps_consumer_secret"), params.get("aps_token"))
    http = _http.HttpClient(params["aps_url"], auth=auth, correlation_id=correlation_id, **http_options(params))
    return ApsClient(http)


def missing_library(connection, params):
    """``fail_json`` fields when a Python library that a run needs is missing, else None."""
    if not _http.HAS_REQUESTS:
        return dict(msg=missing_required_lib("requests"), exception=str(_http.REQUESTS_IMPORT_ERROR))
    if connection == "partner_center" and not HAS_MSAL and not params.get("access_token"):
        return dict(msg=missing_required_lib("msal"))
    if connection == "aps" and not HAS_REQUESTS_OAUTHLIB and not params.get("aps_token"):
        return dict(msg=missing_required_lib("requests-oauthlib"))
    return None


class ModuleDefinition(object):
    """What a module is, apart from how it is run: its options, its connection and its desired-state function.

    ``work(task)`` receives a :class:`CspTask` and returns the result. The same definition runs as an
    Ansible module (:meth:`main`, on the target's Python) and in the controller's worker process (the
    collection's action plugins, see ``plugin_utils/_in_process.py``), so both paths share every line
    that validates, reads, writes and decides ``changed``.
    """

    def __init__(self, argument_spec, connection, work, secret_keys=(), **validation):
        spec = dict(CONNECTION_ARGS[connection])
        spec.update(argument_spec)
        self.argument_spec = spec
        self.connection = connection
        self.work = work
        self.secret_keys = frozenset(secret_keys)
        # mutually_exclusive, required_if, ...: what AnsibleModule and ArgumentSpecValidator both take.
        self.validation = validation

    def main(self):
        """Run as an Ansible module: parse the arguments, run, exit with ``exit_json``/``fail_json``."""
        module = AnsibleModule(argument_spec=self.argument_spec, supports_check_mode=True, **self.validation)
        missing = missing_library(self.connection, module.params)
        if missing:
            module.fail_json(**missing)
        task = CspTask(module.params, self.connection, check_mode=module.check_mode, diff=module._diff,
                       secret_keys=self.secret_keys)
        failure, result = task.execute(self.work)
        if failure is not None:
            module.fail_json(**failure)
        module.exit_json(**result)


class CspTask(object):
    """One run of a module's desired-state function: the validated options, check and diff mode, the client.

    :param connection: ``"partner_center"`` or ``"aps"``: which connection options and client.
    :param secret_keys: keys masked wherever they appear in the result or the diff.
    """

    def __init__(self, params, connection, check_mode=False, diff=False, secret_keys=()):
        self.params = params
        self.connection = connection
        self.check_mode = check_mode
        self.diff = diff
        self.secret_keys = frozenset(secret_keys)
        self.correlation_id = str(uuid.uuid4())
        self._client = None

    @property
    def client(self):
        """The Partner Center or APS client, built on first use (after input validation)."""
        if self._client is None:
            build = partner_center_client if self.connection == "partner_center" else aps_client
            self._client = build(self.params, self.correlation_id)
        return self._client

    def execute(self, work):
        """Run ``work(self)``; return ``(failure, None)`` or ``(None, result)``, never raise.

        API failures become the fields the interface names. Failures are built after the ``except``
        blocks: ansible-core attaches the traceback of an exception being handled to ``fail_json``,
        and an expected API error is not a crash.
        """
        failure = None
        result = None
        try:
            result = masked(work(self), self.secret_keys)
            result.setdefault("ms_correlation_id", self.correlation_id)
            failures = [item for key, items in result.items() if key.startswith("failed_") for item in items]
            if failures:
                result["msg"] = "%d of the items failed; the others were applied: %s" % (
                    len(failures), "; ".join(item["msg"] for item in failures[:5]))
                failure, result = result, None
        except ValueError as exc:  # the validators' word for bad input, raised before any write
            failure = dict(msg=str(exc))
        except _http.ApiError as exc:
            failure = exc.to_result()
            failure["msg"] = str(exc)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for -vvv
            failure = dict(msg="Unexpected error in csp.onboarding: %s: %s" % (type(exc).__name__, exc),
                           exception=traceback.format_exc())
        finally:
            if self._client is not None:
                self._client.http.close()
        if failure is not None:
            failure["ms_correlation_id"] = failure.get("ms_correlation_id") or self.correlation_id
        return failure, result

    def outcome(self, resource_key, action, before, after, resource=None, **extra):
        """The result of a single-resource module: ``changed`` follows from ``action``, nowhere else.

        ``before``/``after`` are the managed fields (None when the resource does not exist); the diff
        shows them whole, so a create shows every field it sets, not just absent -> present.
        ``resource`` is what the module returns under ``resource_key`` (default: ``after``).
        """
        if action not in ACTIONS:
            raise ValueError("unknown action %r" % action)
        result = dict(changed=action != "unchanged", action=action, **extra)
        result[resource_key] = resource if resource is not None else (after if after is not None else before)
        if self.diff:
            result["diff"] = {"before": before or {}, "after": after or {}}
        return result

    def bulk_outcome(self, outcomes, key_name, resources_key):
        """The result of a bulk module from ``(key, action or "failed", error, resource)`` tuples.

        Each action lists its keys; ``changed`` is true when any key was written (or would be, in check
        mode). Failures are listed under ``failed_<resources_key>``: ``failed`` itself is Ansible's
        boolean, which a list would override. One key's failure does not hide the others.
        """
        failed_key = "failed_" + resources_key
        result = dict((action, []) for action in ACTIONS)
        result.update({failed_key: [], resources_key: []})
        for key, action, error, resource in outcomes:
            if action == "failed":
                failure = {key_name: key, "msg": str(error)}
                if isinstance(error, _http.ApiError):
                    failure.update(dict((name, value) for name, value in error.to_result().items()
                                        if name in ("status", "code", "ms_request_id", "ms_correlation_id")))
                result[failed_key].append(failure)
            else:
                result[action].append(key)
            if resource is not None:
                result[resources_key].append(resource)
        result["changed"] = any(result[action] for action in ACTIONS if action != "unchanged")
        return result
