# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._compare import (
    MASK, casefold, changed_fields, masked, pascal_enum, snake_enum)


@pytest.mark.parametrize("value, expected", [
    ("DnsRecord", "dns_record"), ("dnsRecord", "dns_record"), ("dns_record", "dns_record"),
    ("Federated", "federated"), ("WsFed", "ws_fed"), ("TranslateToFreshPasswordAuth", "translate_to_fresh_password_auth"),
    ("authenticationType", "authentication_type"), (None, None),
])
def test_snake_enum(value, expected):
    assert snake_enum(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("dns_record", "DnsRecord"), ("ws_fed", "WsFed"), ("email", "Email"), ("issuer_uri", "IssuerUri"),
    ("office_communications_online", "OfficeCommunicationsOnline"),
])
def test_pascal_enum(value, expected):
    assert pascal_enum(value) == expected


def test_only_the_keys_the_task_sets_are_compared():
    current = {"first_name": "Jane", "last_name": "Doe", "usage_location": "US"}
    assert changed_fields(current, {"first_name": "Jane", "last_name": None, "display_name": None}) == {}
    assert changed_fields(current, {"last_name": "Smith"}) == {"last_name": "Smith"}


def test_normalisers_apply_to_both_sides():
    assert changed_fields({"usage_location": "us"}, {"usage_location": "US"}, {"usage_location": casefold}) == {}
    assert changed_fields({"usage_location": "us"}, {"usage_location": "US"}) == {"usage_location": "US"}


def test_a_missing_current_value_differs():
    assert changed_fields({}, {"immutable_id": "abc"}) == {"immutable_id": "abc"}


def test_masking_at_any_depth():
    data = {"user": {"password": "s3cret", "name": "x"}, "users": [{"password": "p"}, {"password": None}]}
    assert masked(data, {"password"}) == {"user": {"password": MASK, "name": "x"},
                                          "users": [{"password": MASK}, {"password": None}]}
    assert data["user"]["password"] == "s3cret"  # a copy, not in place
