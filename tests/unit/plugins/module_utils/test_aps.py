# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RQL building and paging, and OAuth 1.0a signatures checked by oauthlib's own server-side verifier."""

import pytest
import requests
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from ansible_collections.csp.onboarding.plugins.module_utils._aps import (
    ApsClient, eq, implementing, parse_content_range, rql_value)
from ansible_collections.csp.onboarding.plugins.module_utils._auth import ApsAuth
from ansible_collections.csp.onboarding.plugins.module_utils._http import HttpClient


@pytest.mark.parametrize("value, encoded", [
    ("O'Brien", "O%27Brien"), ('a"b', "a%22b"), ("x)", "x%29"), ("a,b", "a%2Cb"), ("a&b=c", "a%26b%3Dc"),
    ("semi;colon", "semi%3Bcolon"), ("[x]", "%5Bx%5D"), ("a b", "a%20b"), ("50%", "50%25"), ("a+b*", "a%2Bb%2A"),
    ("Zoë", "Zo%C3%AB"),
])
def test_rql_values_cannot_break_out_of_a_term(value, encoded):
    assert rql_value(value) == encoded
    assert eq("name", value) == "eq(name,%s)" % encoded


def test_type_ids_keep_their_readable_form():
    assert implementing("http://parallels.com/aps/types/pa/account/1.2") == \
        "implementing(http://parallels.com/aps/types/pa/account/1.2)"


@pytest.mark.parametrize("header, expected", [
    ("items 0-99/250", (0, 99, 250)), ("items 100-199/250", (100, 199, 250)), ("items */0", (None, None, 0)),
    (None, (None, None, None)), ("bytes 0-1/2", (None, None, None)),
])
def test_content_range(header, expected):
    assert parse_content_range(header) == expected


class Validator(RequestValidator):
    """The consumer store of the verifying side; two-legged, so no tokens."""

    enforce_ssl = False
    dummy_client = "dummy"

    def __init__(self, secrets):
        super(Validator, self).__init__()
        self.secrets = secrets

    @property
    def safe_characters(self):
        return set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")

    def check_client_key(self, client_key):
        return True

    def validate_client_key(self, client_key, request):
        return client_key in self.secrets

    def get_client_secret(self, client_key, request):
        return self.secrets.get(client_key, "unknown")

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                     access_token=None):
        return True


def signed_request(url, secret):
    auth = ApsAuth("key-1", secret)
    prepared = requests.Request("GET", url, auth=auth.apply({})).prepare()
    return prepared


@pytest.mark.parametrize("value", ["plain", "O'Brien", 'quo"te', "pa)ren", "com,ma", "amp&ersand"])
def test_oauth1_signature_verifies_with_oauthlib(value):
    url = "https://brand.example/aps/2/resources?%s,%s,limit(0,1000)" % (
        implementing("http://www.parallels.com/Office365/BypassOwnershipValidation/1.0"), eq("name", value))
    prepared = signed_request(url, "s3cret")
    endpoint = SignatureOnlyEndpoint(Validator({"key-1": "s3cret"}))
    valid, _request = endpoint.validate_request(prepared.url, "GET", None, dict(prepared.headers))
    assert valid
    header = prepared.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    assert 'oauth_signature_method="HMAC-SHA1"' in header and "oauth_token" not in header


def test_a_wrong_secret_does_not_verify():
    prepared = signed_request("https://brand.example/aps/2/resources?implementing(http://x/y/1.0)", "wrong")
    endpoint = SignatureOnlyEndpoint(Validator({"key-1": "s3cret"}))
    assert not endpoint.validate_request(prepared.url, "GET", None, dict(prepared.headers))[0]


def test_aps_token_instead_of_signing():
    headers = {}
    assert ApsAuth(token="tok").apply(headers) is None and headers == {"APS-Token": "tok"}


def test_paging_follows_content_range_past_a_server_cap(server):
    server.script = [(206, {"Content-Range": "items 0-1/5"}, [{"n": 0}, {"n": 1}]),
                     (206, {"Content-Range": "items 2-3/5"}, [{"n": 2}, {"n": 3}]),
                     (200, {"Content-Range": "items 4-4/5"}, [{"n": 4}])]
    client = ApsClient(HttpClient(server.url, max_retries=0), page_size=1000)
    assert [item["n"] for item in client.query("implementing(t)")] == [0, 1, 2, 3, 4]
    assert [request["path"].rsplit(",limit", 1)[-1] for request in server.requests] == \
        ["(0,1000)", "(2,1000)", "(4,1000)"]


def test_an_empty_result_is_one_request(server):
    server.script = [(200, {"Content-Range": "items */0"}, [])]
    client = ApsClient(HttpClient(server.url, max_retries=0))
    assert list(client.query("implementing(t)")) == [] and len(server.requests) == 1
