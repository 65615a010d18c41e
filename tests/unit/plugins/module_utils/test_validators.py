# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import base64

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate


def test_guid_is_lower_cased():
    assert validate.guid("C0000001-0000-4000-8000-000000000001", "customer_id") == "c0000001-0000-4000-8000-000000000001"


@pytest.mark.parametrize("value", ["", None, "c0000001", "c0000001-0000-4000-8000-00000000000g",
                                   "{c0000001-0000-4000-8000-000000000001}"])
def test_bad_guids(value):
    with pytest.raises(ValueError, match="customer_id must be a GUID"):
        validate.guid(value, "customer_id")


@pytest.mark.parametrize("value, expected", [("Contoso.COM", "contoso.com"), ("a-b.c.example", "a-b.c.example"),
                                             ("xn--bcher-kva.example", "xn--bcher-kva.example")])
def test_domains(value, expected):
    assert validate.domain_name(value) == expected


@pytest.mark.parametrize("value, message", [
    ("", "empty"), ("   ", "empty"), (None, "empty"), ("con toso.com", "spaces"), (" contoso.com", "spaces"),
    ("contoso.com.", "dot"), ("contoso", "domain name"), ("-contoso.com", "domain name"), ("contoso..com", "domain name"),
    ("contoso.123", "domain name"), ("a" * 64 + ".com", "domain name"), ("cont'oso.com", "domain name"),
    ("bücher.example", "domain name"),
])
def test_bad_domains(value, message):
    with pytest.raises(ValueError, match=message):
        validate.domain_name(value)


@pytest.mark.parametrize("value", ["jane.doe@contoso.com", "j_o'neil+x@contoso.com", "A@b.co"])
def test_upns(value):
    assert validate.user_principal_name(value) == value[:value.index("@")] + value[value.index("@"):].lower()


@pytest.mark.parametrize("value", ["jane", "@contoso.com", "jane@", "jane doe@contoso.com", ".jane@contoso.com",
                                   "jane.@contoso.com", "ja..ne@contoso.com", "jane@contoso", "jane@con toso.com",
                                   "j(ane)@contoso.com", "x" * 65 + "@contoso.com", None, 42])
def test_bad_upns(value):
    with pytest.raises(ValueError, match="user_principal_name"):
        validate.user_principal_name(value)


def test_country_codes():
    assert validate.country_code("us") == "US"
    for bad in ("USA", "U", "1A", "", None, "u s"):
        with pytest.raises(ValueError, match="two-letter"):
            validate.country_code(bad)


def test_text_fields():
    assert validate.text_field("Zoë O'Brien", "first_name") == "Zoë O'Brien"
    with pytest.raises(ValueError, match="at most 256"):
        validate.text_field("x" * 10240, "first_name")
    with pytest.raises(ValueError, match="control characters"):
        validate.text_field("a\nb", "first_name")


def test_base64():
    cert = base64.b64encode(b"\x30\x82\x01\x0a" * 40).decode()
    folded = "\n".join(cert[i:i + 64] for i in range(0, len(cert), 64))
    assert validate.base64_text(folded, "signing_certificate") == cert
    for bad in ("not base64!", "", "abc", "-----BEGIN CERTIFICATE-----"):
        with pytest.raises(ValueError, match="base64"):
            validate.base64_text(bad, "signing_certificate")


@pytest.mark.parametrize("value", [0, -1, True, "1000001", 1.5])
def test_positive_int(value):
    with pytest.raises(ValueError, match="positive integer"):
        validate.positive_int(value, "account_id")
