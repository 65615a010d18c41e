# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Microsoft 365 application's ownership-validation bypass in CloudBlue Commerce: reads, writes, desired state.

APS has no idempotency key for the bypass POST, so two runs that both read "no bypass" would both create
one. Runs on one controller are serialised by an exclusive lock beside the token cache, keyed by the APS
URL, the account and the Microsoft tenant, held around read -> POST -> read-back. Runs on two controllers
at once cannot be protected; the next run that finds two bypasses for the same account and tenant fails
and names them, it never silently picks one.

This file is private to the collection.
"""

import contextlib
import errno
import os
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # not POSIX: no lock (modules run on the controller, which is POSIX)
    HAS_FCNTL = False

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._aps import DEFAULT_BYPASS_TYPE, bypass_view
from ansible_collections.csp.onboarding.plugins.module_utils._auth import beside_token_cache, default_token_cache_path
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

LOCK_TIMEOUT = 120  # seconds: longer than one read -> POST -> read-back with retries


def lock_path(params, account_id, ms_tenant_id):
    """The lock file beside the token cache (the Partner Center modules' cache path, or its default)."""
    cache_path = os.environ.get("PARTNER_CENTER_TOKEN_CACHE_PATH") or default_token_cache_path()
    return beside_token_cache(cache_path, "aps-bypass", (params.get("aps_url") or "").rstrip("/").lower(),
                              account_id, ms_tenant_id)


@contextlib.contextmanager
def exclusive(path, timeout=LOCK_TIMEOUT):
    """An exclusive ``flock`` on ``path`` (created 0600, never through a symlink), waited for at most ``timeout``.

    A plain fcntl lock kept here: the bypass needs only mutual exclusion of processes on this controller.
    """
    if not HAS_FCNTL or not path:
        yield
        return
    directory = os.path.dirname(path)
    try:
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except (IOError, OSError) as exc:
        raise validate.InvalidInput("the APS bypass lock %s cannot be opened (%s); set PARTNER_CENTER_TOKEN_CACHE_PATH "
                                    "to a usable path" % (path, exc.strerror or exc))
    try:
        deadline = time.time() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.time() >= deadline:
                    raise ApiError("Another run has held the APS bypass lock %s for %d s; not creating a bypass that "
                                   "could duplicate one it is creating. Run the task again." % (path, timeout))
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def ensure_bypass(task):
    params = task.params
    app_instance_id = validate.guid(params["app_instance_id"], "app_instance_id")
    ms_tenant_id = validate.guid(params["ms_tenant_id"], "ms_tenant_id")
    account_id = validate.positive_int(params["account_id"], "account_id")
    bypass_type = validate.text_field(params["bypass_type"], "bypass_type")
    if not bypass_type or "/" not in bypass_type:
        raise validate.InvalidInput("bypass_type must be a full APS type ID with its version, such as %s" % DEFAULT_BYPASS_TYPE)

    client = task.client
    account = client.find_account(account_id)
    if account is None:
        raise validate.InvalidInput("account %d was not found in CloudBlue Commerce, or this APS key may not see it" % account_id)
    account_aps_id = (account.get("aps") or {}).get("id")

    def existing():
        return client.find_bypasses(bypass_type, ms_tenant_id, account_aps_id)

    if params["state"] == "absent":
        matches = existing()
        before = bypass_view(matches[0], account_id, account_aps_id) if matches else None
        if not matches:
            return task.outcome("bypass", "unchanged", None, None, resource={})
        if not task.check_mode:
            for resource in matches:
                delete_if_present(client, resource["aps"]["id"])
        return task.outcome("bypass", "deleted", before, None, resource=before)

    with exclusive(None if task.check_mode else lock_path(params, account_id, ms_tenant_id)):
        matches = existing()
        if len(matches) > 1:
            raise ApiError("Found %d bypasses for account %d and Microsoft tenant %s (%s): runs on two controllers at "
                           "once may have created them. Delete the extra ones (state: absent removes all, then run "
                           "again); this task does not pick one." % (
                               len(matches), account_id, ms_tenant_id,
                               ", ".join(str((m.get("aps") or {}).get("id")) for m in matches)))
        if matches:
            before = bypass_view(matches[0], account_id, account_aps_id)
            return task.outcome("bypass", "unchanged", before, before)
        # The POST would fail on an application instance that does not exist: say so before writing.
        if not client.resource_exists(app_instance_id):
            raise validate.InvalidInput("app_instance_id %s: no such APS application instance (GET /aps/2/resources/%s "
                                        "answered 404)" % (app_instance_id, app_instance_id))
        planned = bypass_view({"ms_tenant_id": ms_tenant_id}, account_id, account_aps_id)
        if task.check_mode:
            return task.outcome("bypass", "created", None, planned)
        created = create_once(client, app_instance_id, account_id, ms_tenant_id, existing)
        if not (isinstance(created, dict) and (created.get("aps") or {}).get("id")):
            found = existing()  # a 204 or a body without the resource: the new resource is read back
            created = found[0] if found else None
    after = bypass_view(created, account_id, account_aps_id) if created else planned
    return task.outcome("bypass", "created", None, after)


def create_once(client, app_instance_id, account_id, ms_tenant_id, existing):
    """POST the bypass at most once per "nothing exists" reading; after any failure that may have been
    applied (no answer, 5xx), read back and converge, or fail saying that it may exist."""
    try:
        return client.create_bypass(app_instance_id, account_id, ms_tenant_id)
    except ApiError as exc:
        if exc.status is not None and exc.status < 500:
            raise  # refused (4xx): nothing was applied
        found = existing()
        if found:
            return found[0]  # applied, then the answer was lost or was an error: converged
        if exc.status is None and not exc.timed_out:
            # The connection dropped before an answer and nothing was created: posting again cannot duplicate.
            return client.create_bypass(app_instance_id, account_id, ms_tenant_id)
        exc.message += (" The bypass was not found afterwards, but APS may still apply the call; run the task "
                        "again to converge.")
        raise


def delete_if_present(client, aps_id):
    try:
        client.delete_resource(aps_id)
    except ApiError as exc:
        if exc.status != 404:  # already gone: that is the goal
            raise
