# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seek paging as Partner Center documents it: links.next with its uri and its headers."""

import json

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError, HttpClient
from ansible_collections.csp.onboarding.plugins.module_utils._partner_center import PartnerCenterClient


def page(items, token=None):
    body = {"totalCount": len(items), "items": items, "links": {"self": {"uri": "/x"}},
            "attributes": {"objectType": "Collection"}}
    if token:
        body["links"]["next"] = {"uri": "/customers/c/users?size=2&seekOperation=Next", "method": "GET",
                                 "headers": [{"key": "MS-ContinuationToken", "value": token}]}
    return 200, {}, body


def client(server):
    return PartnerCenterClient(HttpClient(server.url, max_retries=0))


def test_every_page_is_read_with_the_continuation_header(server):
    server.script = [page([{"n": 1}, {"n": 2}], "t1"), page([{"n": 3}, {"n": 4}], "t2"), page([{"n": 5}])]
    assert [item["n"] for item in client(server).list_users("c")] == [1, 2, 3, 4, 5]
    assert server.requests[0]["path"].startswith("/v1/customers/c/users?size=500")
    assert server.requests[1]["path"] == "/v1/customers/c/users?size=2&seekOperation=Next"
    assert [r["headers"].get("MS-ContinuationToken") for r in server.requests] == [None, "t1", "t2"]


def test_deleted_users_are_listed_with_the_documented_filter(server):
    server.script = [page([])]
    list(client(server).list_users("c", deleted=True))
    query = server.requests[0]["path"].split("filter=", 1)[1]
    from urllib.parse import unquote_plus
    assert json.loads(unquote_plus(query)) == {"Field": "UserState", "Value": "Inactive", "Operator": "equals"}


def test_a_repeated_continuation_token_stops_instead_of_looping(server):
    server.script = [page([{"n": 1}], "same"), page([{"n": 2}], "same")]
    with pytest.raises(ApiError, match="same continuation token"):
        list(client(server).list_users("c"))


def test_find_user_looks_among_deleted_users_after_active_ones(server):
    server.script = [page([{"userPrincipalName": "a@x.com", "state": "active"}]),
                     page([{"userPrincipalName": "Jane@X.com", "state": "inactive"}])]
    assert client(server).find_user("c", "jane@x.COM")["state"] == "inactive"


def test_custom_domains_are_read_as_names_or_objects(server):
    server.script = [(200, {}, ["Contoso.com", {"name": "contoso.net"}]),
                     (200, {}, {"items": [{"name": "x.org"}], "totalCount": 1})]
    assert client(server).custom_domain_names("c") == {"contoso.com", "contoso.net"}
    assert client(server).custom_domain_names("c") == {"x.org"}


def test_a_customer_names_its_custom_and_default_domains():
    customer = {"companyProfile": {"domain": "Contoso.onmicrosoft.com"}, "customDomains": ["x.org"]}
    assert PartnerCenterClient.customer_domain_names(customer) == {"contoso.onmicrosoft.com", "x.org"}


def test_a_missing_customer_is_none(server):
    server.script = [(404, {}, {"code": "60003", "description": "Tenant not found"})]
    assert client(server).get_customer("c") is None
