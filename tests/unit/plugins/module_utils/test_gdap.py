# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GDAP pure logic: durations, Graph dates, and the pre-flight decision on relationships already read."""

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils import _gdap
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

USER = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
GLOBAL = "62e90394-69f5-4237-9190-012177145e10"
CUSTOMER = "c0000001-0000-4000-8000-000000000001"
NOW = _gdap.parse_time("2026-12-02T00:00:00Z")


@pytest.mark.parametrize("text, days", [
    ("P1D", 1), ("P730D", 730), ("p90d", 90), ("P2Y", 730), ("P1Y", 365), ("P2W", 14), ("P1Y10D", 375),
])
def test_durations_in_range(text, days):
    assert _gdap.duration_days(text) == days


@pytest.mark.parametrize("text, message", [
    ("P0D", "from P1D to P730D"), ("P731D", "731 days"), ("P3Y", "1095 days"), ("P1M", "ISO 8601"),
    ("PT24H", "ISO 8601"), ("730", "ISO 8601"), ("P", "ISO 8601"), ("", "ISO 8601"), (None, "ISO 8601"),
])
def test_durations_out_of_range_or_malformed_name_the_option(text, message):
    with pytest.raises(InvalidInput) as error:
        _gdap.duration_days(text)
    assert str(error.value).startswith("duration ") and message in str(error.value)


def test_graph_durations_and_auto_extend_spellings():
    assert _gdap.read_duration_days("P730D") == 730
    assert _gdap.read_duration_days("PT12H") == 0.5
    assert _gdap.read_duration_days("garbage") is None
    assert [_gdap.auto_extend_of(value) for value in ("PT0S", "P0D", None, "P180D")] == ["PT0S", "PT0S", "PT0S", "P180D"]


def test_graph_dates_with_fractions_and_offsets():
    assert _gdap.parse_time("2026-12-02T00:00:00Z") == 1796169600
    assert _gdap.parse_time("2026-12-02T00:00:00.5Z") == 1796169600.5
    assert _gdap.parse_time("2026-12-02T01:00:00+01:00") == 1796169600
    assert _gdap.parse_time(None) is None and _gdap.parse_time("yesterday") is None


def test_odata_literals_double_quotes():
    assert _gdap.odata_string("O'Brien") == "'O''Brien'"


def validated(**options):
    params = dict(customer_id=CUSTOMER, display_name="Onboarding", roles=["User Administrator"], duration="P730D",
                  auto_extend_duration="P180D", state="present")
    params.update(options)
    return _gdap.validated_relationship(params)


def test_a_valid_relationship_is_normalised():
    desired = validated(customer_id=CUSTOMER.upper(), roles=["user administrator", LICENSE], duration="P2Y")
    assert desired["customer_id"] == CUSTOMER and desired["role_ids"] == [USER, LICENSE]
    assert desired["duration"] == "P730D"


@pytest.mark.parametrize("options, message", [
    ({"display_name": "x" * 51}, "display_name is 51 characters long; at most 50"),
    ({"display_name": "  "}, "display_name must not be empty"),
    ({"duration": "P731D"}, "duration must be from P1D to P730D"),
    ({"roles": ["Global Administrator"]}, "auto_extend_duration must be PT0S when roles include Global Administrator"),
    ({"roles": ["Chief Administrator"]}, "roles: 'Chief Administrator' is not"),
    ({"roles": []}, "roles must list at least one role"),
    ({"customer_id": "contoso"}, "customer_id must be a GUID"),
])
def test_bad_relationships_are_refused(options, message):
    with pytest.raises(InvalidInput) as error:
        validated(**options)
    assert message in str(error.value)


def test_global_administrator_without_auto_extend_is_accepted():
    assert validated(roles=["Global Administrator"], auto_extend_duration="PT0S")["role_ids"] == [GLOBAL]


def relationship(name, status="active", roles=(USER, LICENSE), end="2028-12-01T00:00:00Z", auto_extend="PT0S"):
    return _gdap.relationship_view({
        "id": "id-" + name, "displayName": name, "status": status, "customer": {"tenantId": CUSTOMER},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in roles]},
        "duration": "P730D", "endDateTime": end, "autoExtendDuration": auto_extend,
    })


def evaluate(views, required=(USER, LICENSE), min_days=30):
    return _gdap.evaluate_access(views, CUSTOMER, list(required), min_days, now=NOW)


def test_an_active_relationship_with_the_roles_covers():
    check = evaluate([relationship("old", status="expired", end="2026-01-01T00:00:00Z"), relationship("current")])
    assert check["covered"] and check["status"] == "active" and check["missing_roles"] == []
    assert check["relationship"]["display_name"] == "current" and check["days_left"] == 730
    assert "msg" not in check


def test_no_relationship_at_all():
    check = evaluate([])
    assert not check["covered"] and check["status"] == "none" and check["relationship"] is None
    assert check["missing_roles"] == ["User Administrator", "License Administrator"]
    assert "has no GDAP relationship" in check["msg"]


def test_missing_roles_are_named_from_the_best_active_relationship():
    check = evaluate([relationship("users only", roles=(USER,))])
    assert not check["covered"] and check["missing_roles"] == ["License Administrator"]
    assert "License Administrator" in check["msg"] and "is active" in check["msg"]


def test_an_expired_relationship_misses_every_role_and_says_so():
    check = evaluate([relationship("gone", status="expired", end="2026-11-01T00:00:00Z")])
    assert check["status"] == "expired" and check["missing_roles"] == ["User Administrator", "License Administrator"]
    assert "is expired" in check["msg"]


def test_an_invitation_awaiting_approval_gives_its_link():
    check = evaluate([relationship("invited", status="approvalPending", end=None)])
    assert check["status"] == "approvalPending" and not check["covered"]
    assert check["approval_url"].endswith("/granularAdminRelationships/id-invited")
    assert "must approve it at https://admin.microsoft.com/" in check["msg"]


def test_ending_soon_fails_unless_it_extends_itself():
    soon = "2026-12-12T00:00:00Z"
    check = evaluate([relationship("soon", end=soon)])
    assert not check["covered"] and check["days_left"] == 10 and "not more than min_days_left 30" in check["msg"]
    assert evaluate([relationship("soon", end=soon)], min_days=5)["covered"]
    assert evaluate([relationship("soon", end=soon, auto_extend="P180D")])["covered"]
    # Global Administrator is never extended automatically, whatever the relationship says.
    assert not evaluate([relationship("soon", end=soon, auto_extend="P180D", roles=(USER, LICENSE, GLOBAL))])["covered"]


def test_the_longest_lasting_covering_relationship_is_reported():
    check = evaluate([relationship("short", end="2027-06-01T00:00:00Z"), relationship("long")])
    assert check["relationship"]["display_name"] == "long"
