# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudBlue Commerce APS REST API calls: RQL queries, the account lookup, the ownership-validation bypass.

This file is private to the collection.
"""

import re

from urllib.parse import quote

from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

ACCOUNT_TYPE = "http://parallels.com/aps/types/pa/account/1.2"
OFFICE365_APP_TYPE = "http://www.parallels.com/Office365/Office365app"
DEFAULT_BYPASS_TYPE = "http://www.parallels.com/Office365/BypassOwnershipValidation/1.0"
PAGE_SIZE = 1000  # the documented default count of limit()
CONTENT_RANGE = re.compile(r"items\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


def rql_value(value):
    """A value safe inside an RQL term.

    RQL reserves space ! # % & ' ( ) , = ; [ ] (documented); those, quotes, ``+``, ``*`` and anything
    outside ASCII are percent-encoded so that a value can never end a term or start another.
    ``:`` and ``/`` stay as they are, as in the documented ``implementing(http://...)`` examples.
    """
    return quote(str(value), safe=":/@")


def implementing(type_id):
    return "implementing(%s)" % rql_value(type_id)


def eq(prop, value):
    return "eq(%s,%s)" % (prop, rql_value(value))


def parse_content_range(header):
    """(first, last, total) from ``Content-Range: items a-b/total``; None parts where unknown."""
    match = CONTENT_RANGE.search(header or "")
    if not match:
        return None, None, None
    first, last, total = match.groups()
    return (int(first) if first else None, int(last) if last else None,
            int(total) if total and total != "*" else None)


class ApsClient(object):

    def __init__(self, http, page_size=PAGE_SIZE):
        self.http = http
        self.page_size = page_size

    def query(self, *terms):
        """Every resource matching the RQL terms, page by page until ``Content-Range`` says the end.

        The next page starts after the last item the server says it sent, so a server that caps a page
        below the asked count is still read to the end.
        """
        start = 0
        while True:
            rql = ",".join(terms + ("limit(%d,%d)" % (start, self.page_size),))
            response = self.http.request("GET", "/aps/2/resources?" + rql)
            items = response.data if isinstance(response.data, list) else []
            yield from items
            first, last, total = parse_content_range(response.headers.get("Content-Range"))
            if not items:
                return
            next_start = last + 1 if last is not None else start + len(items)
            if (total is not None and next_start >= total) or (total is None and len(items) < self.page_size) \
                    or next_start <= start:
                return
            start = next_start

    def find_account(self, account_id):
        """The PAAccount resource with this system id, or None (also when the caller may not see it)."""
        for account in self.query(implementing(ACCOUNT_TYPE), eq("id", account_id)):
            return account
        return None

    def find_bypasses(self, bypass_type, ms_tenant_id, account_aps_id):
        """Bypass resources for this Microsoft tenant that link to the account.

        Assumed, undocumented: the resource holds ``ms_tenant_id`` and a link ``account``
        (``{"aps": {"id": ...}}``); both are compared case-insensitively.
        """
        wanted = account_aps_id.lower()
        return [resource for resource in self.query(implementing(bypass_type), eq("ms_tenant_id", ms_tenant_id))
                if linked_id(resource, "account") == wanted
                and str(resource.get("ms_tenant_id", "")).lower() == ms_tenant_id.lower()]

    def create_bypass(self, app_instance_id, account_id, ms_tenant_id):
        """POST the documented custom operation; 200, 201 or 204, with or without a JSON body.

        Sent once: APS has no idempotency key, so the caller re-reads after a lost answer instead of
        letting the transport repeat the POST.
        """
        path = "/aps/2/resources/%s/bypass_ownership_validation" % app_instance_id
        try:
            return self.http.request("POST", path, json={"account_id": account_id, "ms_tenant_id": ms_tenant_id},
                                     idempotent=False).data
        except ApiError as exc:
            if exc.status == 403:
                exc.message += (" The APS key's staff member needs the Allowed Operation %s + POST on its APS Bus "
                                "Access tab (custom operations are refused without it)." % OFFICE365_APP_TYPE)
            raise

    def resource_exists(self, aps_id):
        """``GET /aps/2/resources/<id>``: True when the resource is there, False on 404."""
        try:
            self.http.request("GET", "/aps/2/resources/%s" % aps_id)
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def delete_resource(self, aps_id):
        self.http.request("DELETE", "/aps/2/resources/%s" % aps_id, expected=(200, 202, 204))


def linked_id(resource, relation):
    link = resource.get(relation) or {}
    if isinstance(link, list):
        link = link[0] if link else {}
    return str((link.get("aps") or {}).get("id", "")).lower()


def bypass_view(resource, account_id, account_aps_id):
    return {
        "aps_id": (resource.get("aps") or {}).get("id"),
        "ms_tenant_id": resource.get("ms_tenant_id"),
        "account_id": account_id,
        "account_aps_id": account_aps_id,
    }
