# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SecretMasker: every spelling of a no_log value, and echoed credentials, masked in nested results."""

import json

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._compare import (
    MASK, NO_LOG_PLACEHOLDER, SecretMasker, spellings)

try:
    from urllib.parse import quote, quote_plus, urlencode
except ImportError:
    from urllib import quote, quote_plus, urlencode

SECRET = 'Pa$$ w/rd"\\é&=+'


@pytest.mark.parametrize("spelling", [
    SECRET,
    json.dumps(SECRET)[1:-1],
    json.dumps(SECRET, ensure_ascii=False)[1:-1],
    quote(SECRET, safe=""),
    quote(SECRET),
    quote_plus(SECRET),
    quote_plus(SECRET).lower().replace("pa", "Pa"),  # lower-case hex escapes
])
def test_every_spelling_of_a_secret_is_masked(spelling):
    masker = SecretMasker([SECRET])
    text = masker.text("the server said: <%s> back" % spelling)
    assert text == "the server said: <%s> back" % MASK


def test_an_error_echoing_a_json_request_or_a_form_body_shows_no_secret():
    masker = SecretMasker([SECRET, "client-secret-1", "refresh/token+2"])
    echoed = json.dumps({"passwordProfile": {"password": SECRET}})
    form = urlencode({"client_secret": "client-secret-1", "refresh_token": "refresh/token+2"})
    result = masker.mask({"msg": "HTTP 400: %s" % echoed, "details": [form, {"body": form}]})
    text = json.dumps(result)
    for secret in (SECRET, "client-secret-1", "refresh/token+2", quote_plus("refresh/token+2"),
                   json.dumps(SECRET)[1:-1]):
        assert secret not in text
    assert result["details"][0] == "client_secret=%s&refresh_token=%s" % (MASK, MASK)


def test_exact_values_get_the_placeholder_ansible_uses_and_other_types_survive():
    masker = SecretMasker(["hunter22", "12345"])
    result = masker.mask({"password": "hunter22", "n": 12345, "m": 7, "ok": True, "none": None,
                          "tuple": ("hunter22",), "set": set(["x"])})
    assert result == {"password": NO_LOG_PLACEHOLDER, "n": NO_LOG_PLACEHOLDER, "m": 7, "ok": True, "none": None,
                      "tuple": [NO_LOG_PLACEHOLDER], "set": set(["x"])}


@pytest.mark.parametrize("text, expected", [
    ("Authorization: Bearer eyJ0eXAiOiJKV1Qi.eyJhdWQiOi.sig-_x rest", "Authorization: Bearer %s rest" % MASK),
    ('{"Authorization": "bearer abc.def=="}', '{"Authorization": "bearer %s"}' % MASK),
    ("authorization=Bearer%20abc.def", "authorization=Bearer%%20%s" % MASK),
    ("APS-Token: 0123abcd==", "APS-Token: %s" % MASK),
    ('{"APS-Token": "0123abcd"}', '{"APS-Token": "%s"}' % MASK),
    ("no credential here", "no credential here"),
])
def test_echoed_bearer_and_aps_tokens_are_masked_without_knowing_them(text, expected):
    assert SecretMasker([]).text(text) == expected


def test_a_longer_secret_is_masked_whole_not_as_its_shorter_prefix():
    masker = SecretMasker(["abc", "abcdef", "abd"])
    assert masker.text("x abcdefg abd abcx ab") == "x %sg %s %sx ab" % (MASK, MASK, MASK)


def test_many_secrets_of_similar_shape_and_a_long_token():
    secrets = ["Initial-Passw0rd-%05d!" % index for index in range(2000)] + ["t" * 3000 + "end"]
    masker = SecretMasker(secrets)
    assert masker.text("a Initial-Passw0rd-01234! b") == "a %s b" % MASK
    assert masker.text("x" + "t" * 3000 + "end" + "y") == "x%sy" % MASK
    assert masker.text("Initial-Passw0rd-1234!") == "Initial-Passw0rd-1234!"  # not a secret


def test_empty_and_boolean_values_are_not_secrets():
    assert SecretMasker(["", None, True]).text("True and false") == "True and false"
    assert "" not in spellings("x")
