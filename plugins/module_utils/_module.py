# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every module: check mode, diff, ``changed``, masking and errors, in one place.

A module declares its own options and a function from "what the task asks" to an outcome
(:class:`ModuleDefinition`); :class:`CspTask` does the rest: it builds the clients from the connection
options (``_connection.py``), turns the outcome into ``changed``/``action``/diff with secrets masked, and
turns an ``ApiError`` into a failure with the status, the API's error fields and the request and
correlation ids, and an ``InvalidInput`` into a failure that names the option.

This file is private to the collection.
"""

import traceback
import uuid

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.csp.onboarding.plugins.module_utils import _http
from ansible_collections.csp.onboarding.plugins.module_utils._auth import HAS_MSAL, HAS_REQUESTS_OAUTHLIB
from ansible_collections.csp.onboarding.plugins.module_utils._compare import SecretMasker, masked
from ansible_collections.csp.onboarding.plugins.module_utils._connection import (
    Connections, argument_spec as connection_spec, insecure_warnings)
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

ACTIONS = ("created", "updated", "restored", "verified", "deleted", "unchanged")
BULK_ACTIONS = ("created", "updated", "restored", "deleted", "unchanged")


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
        # connection None: a module that runs other modules' definitions (tenant_onboarding), with their options.
        spec = connection_spec(connection) if connection else {}
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
        if self.work is None:
            module.fail_json(msg="This module runs only as the collection's action plugin, on the controller: run it "
                                 "with connection: local, and without async.")
        missing = missing_library(self.connection, module.params)
        if missing:
            module.fail_json(**missing)
        task = CspTask(module.params, self.connection, check_mode=module.check_mode, diff=module._diff,
                       secret_keys=self.secret_keys, secret_values=module.no_log_values)
        failure, result = task.execute(self.work)
        for warning in (failure if failure is not None else result).pop("warnings", []):
            module.warn(warning)
        if failure is not None:
            module.fail_json(**failure)
        module.exit_json(**result)


class CspTask(object):
    """One run of a module's desired-state function: the validated options, check and diff mode, the client.

    :param connection: ``"partner_center"`` or ``"aps"``: which connection options and client.
    :param secret_keys: keys masked wherever they appear in the result or the diff.
    :param secret_values: the values of the task's ``no_log`` options: masked in every spelling
        (as is, JSON-escaped, URL- and form-encoded) in every string of the result, as are echoed
        ``Bearer`` and ``APS-Token`` credentials.
    :param connections: clients shared with other runs (the steps of ``tenant_onboarding``), built from the same
        connection options; their owner closes them. By default the task builds its own and closes them.
    """

    def __init__(self, params, connection, check_mode=False, diff=False, secret_keys=(), secret_values=(),
                 connections=None):
        self.params = params
        self.connection = connection
        self.check_mode = check_mode
        self.diff = diff
        self.secret_keys = frozenset(secret_keys)
        self.masker = SecretMasker(secret_values)
        self.warnings = []
        self._owns_connections = connections is None
        if connections is None:
            connections = Connections(params, str(uuid.uuid4()))
        else:
            connections.budget.restart()
        self.connections = connections
        self.correlation_id = connections.correlation_id
        self._client = None

    @property
    def client(self):
        """The Partner Center or APS client, built on first use (after input validation)."""
        if self._client is None:
            if self.connection == "partner_center":
                self._client = self.connections.partner_center()
            else:
                self._client = self.connections.aps()
        return self._client

    def graph(self, tenant_id=None):
        """A Microsoft Graph client: the partner's tenant, or with ``tenant_id`` a customer's (through GDAP)."""
        return self.connections.graph(tenant_id)

    def warn(self, message):
        self.warnings.append(message)

    def execute(self, work):
        """Run ``work(self)``; return ``(failure, None)`` or ``(None, result)``, never raise.

        API failures become the fields the interface names. Failures are built after the ``except``
        blocks: ansible-core attaches the traceback of an exception being handled to ``fail_json``,
        and an expected API error is not a crash.
        """
        failure = None
        result = None
        try:
            self.connections.check(self.connection)
            self.warnings.extend(insecure_warnings(self.params))
            result = masked(work(self), self.secret_keys)
            result.setdefault("ms_correlation_id", self.correlation_id)
            failures = [item for key, items in result.items() if key.startswith("failed_") for item in items]
            if failures:
                result["msg"] = "%d of the items failed; the others were applied: %s" % (
                    len(failures), "; ".join(item["msg"] for item in failures[:5]))
                failure, result = result, None
        except InvalidInput as exc:  # bad input, found before any write: the message names the option
            failure = dict(msg=str(exc))
        except _http.ApiError as exc:
            failure = exc.to_result()
            failure["msg"] = str(exc)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for -vvv
            failure = dict(msg="Unexpected error in csp.onboarding: %s: %s" % (type(exc).__name__, exc),
                           exception=traceback.format_exc())
        finally:
            if self._owns_connections:
                self.connections.close()
        if failure is not None:
            failure["ms_correlation_id"] = failure.get("ms_correlation_id") or self.correlation_id
        if self.warnings:
            (failure if failure is not None else result)["warnings"] = list(self.warnings)
        # Text from a server (an error echoing the request) may carry a secret in another spelling.
        if failure is not None:
            return self.masker.mask(failure), None
        return None, self.masker.mask(result)

    def outcome(self, resource_key, action, before, after, resource=None, **extra):
        """The result of a single-resource module: ``changed`` follows from ``action``, nowhere else.

        ``before``/``after`` are the managed fields (None when the resource does not exist); the diff
        shows them whole, so a create shows every field it sets, not just absent -> present.
        ``resource`` is what the module returns under ``resource_key`` (default: ``after``).
        """
        if action not in ACTIONS:
            raise AssertionError("unknown action %r" % action)
        result = dict(changed=action != "unchanged", action=action, **extra)
        result[resource_key] = resource if resource is not None else (after if after is not None else before)
        if self.diff:
            result["diff"] = {"before": before or {}, "after": after or {}}
        return result

    def bulk_outcome(self, outcomes, key_name, resources_key, diffs=None):
        """The result of a bulk module from ``(key, action or "failed", error, resource)`` tuples.

        Each action lists its keys; ``changed`` is true when any key was written (or would be, in check
        mode). Failures are listed under ``failed_<resources_key>``: ``failed`` itself is Ansible's
        boolean, which a list would override. One key's failure does not hide the others.
        ``diffs`` maps a key to its ``{"before": ..., "after": ...}``; in diff mode the result's ``diff``
        is the list of those of the keys written (or that would be), each headed by its key.
        """
        failed_key = "failed_" + resources_key
        result = dict((action, []) for action in BULK_ACTIONS)
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
        result["changed"] = any(result[action] for action in BULK_ACTIONS if action != "unchanged")
        if self.diff and diffs is not None:
            result["diff"] = [dict(diffs[key], before_header=key, after_header=key)
                              for key, action, _error, _resource in outcomes
                              if action not in ("failed", "unchanged") and key in diffs]
        return result
