# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Microsoft 365 application's ownership-validation bypass in CloudBlue Commerce: reads, writes, desired state.

This file is private to the collection.
"""

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._aps import DEFAULT_BYPASS_TYPE, bypass_view
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError


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

    matches = existing()
    before = bypass_view(matches[0], account_id, account_aps_id) if matches else None
    if params["state"] == "absent":
        if not matches:
            return task.outcome("bypass", "unchanged", None, None, resource={})
        if not task.check_mode:
            for resource in matches:
                delete_if_present(client, resource["aps"]["id"])
        return task.outcome("bypass", "deleted", before, None, resource=before)

    if matches:
        return task.outcome("bypass", "unchanged", before, before)
    planned = bypass_view({"ms_tenant_id": ms_tenant_id}, account_id, account_aps_id)
    if task.check_mode:
        return task.outcome("bypass", "created", None, planned)
    try:
        created = client.create_bypass(app_instance_id, account_id, ms_tenant_id)
    except ApiError as exc:
        if exc.status is not None:
            raise
        # No answer: the operation may or may not have run, and APS has no idempotency key. Read back.
        created = None
        if not existing():
            if exc.timed_out:
                # A slow server may still apply it: posting again could make a second bypass.
                exc.message += " The bypass may still be created; run the task again to converge."
                raise
            # The connection dropped and nothing was created: posting again cannot make a duplicate.
            created = client.create_bypass(app_instance_id, account_id, ms_tenant_id)
    if not (isinstance(created, dict) and (created.get("aps") or {}).get("id")):
        found = existing()  # a 204 or a body without the resource: the new resource is read back
        created = found[0] if found else None
    after = bypass_view(created, account_id, account_aps_id) if created else planned
    return task.outcome("bypass", "created", None, after)


def delete_if_present(client, aps_id):
    try:
        client.delete_resource(aps_id)
    except ApiError as exc:
        if exc.status != 404:  # already gone: that is the goal
            raise
