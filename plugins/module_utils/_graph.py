# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Microsoft Graph API as the collection uses it: ``@odata.nextLink`` paging, ETags, Graph's errors.

Graph answers errors as ``{"error": {"code", "message", "innerError": {"request-id", "date", ...}}}``
(documented in "Microsoft Graph error responses and resource types") and names each call with a
``request-id`` header. Both end up in the one :class:`_http.ApiError`, with Graph's ``code`` and
``message`` and the request id, so a Graph failure reads like a Partner Center one.

This file is private to the collection.
"""

from urllib.parse import quote

from ansible_collections.csp.onboarding.plugins.module_utils import _http

API_PREFIX = "/v1.0"
# Documented maximum of $top for delegatedAdminRelationships; other collections page by nextLink alone.
MAX_TOP = 300


def parse_graph_error(status, body, text):
    """Error fields from Graph's body, with a one-line ``detail`` (see :func:`_http.parse_error_body`)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return _http.parse_error_body(status, body, text)
    inner = error.get("innerError") or error.get("innererror") or {}
    fields = {"code": error.get("code"), "description": error.get("message"), "error": None,
              "request_id": inner.get("request-id") if isinstance(inner, dict) else None}
    parts = [str(part) for part in (fields["code"], fields["description"]) if part]
    fields["detail"] = " - ".join(parts)
    return fields


def quoted(value):
    """A value as one path segment."""
    return quote(str(value), safe="@")


class GraphClient(object):
    """Microsoft Graph calls of the collection. ``tenant_id`` names the customer tenant, if not the partner's."""

    def __init__(self, http, tenant_id=None):
        self.http = http
        self.tenant_id = tenant_id
        http.error_parser = parse_graph_error
        http.request_id_headers = ("request-id", "client-request-id")

    def get(self, path, params=None):
        """One object, or None when Graph answers 404."""
        try:
            return self.http.request("GET", _http.with_query(API_PREFIX + path, params)).data
        except _http.ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def pages(self, path, params=None):
        """Every item of a collection, following ``@odata.nextLink`` (an absolute URL) page by page."""
        url = _http.with_query(API_PREFIX + path, params)
        while url:
            data = self.http.request("GET", url).data or {}
            yield from data.get("value") or []
            url = data.get("@odata.nextLink")

    def post(self, path, body, expected=None):
        # Graph has no idempotency key: a POST is sent once, and a lost answer is converged by the
        # caller's read-back (``idempotent=False``).
        return self.http.request("POST", API_PREFIX + path, json=body, expected=expected, idempotent=False)

    def patch(self, path, body, etag):
        """A PATCH guarded by ``If-Match``: Graph answers 412 when the object changed since it was read."""
        return self.http.request("PATCH", API_PREFIX + path, json=body, headers={"If-Match": etag},
                                 idempotent=False)

    def delete(self, path, etag=None):
        """DELETE, with ``If-Match`` when the object has an ETag; True if it was there."""
        headers = {"If-Match": etag} if etag else None
        try:
            self.http.request("DELETE", API_PREFIX + path, headers=headers, idempotent=False)
        except _http.ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True


def etag_of(item):
    """The ETag Graph returns in an object (``@odata.etag``)."""
    return (item or {}).get("@odata.etag")
