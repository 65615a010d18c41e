# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning one user: which action, which writes, and that passwords never make a change by themselves."""

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils._compare import MASK
from ansible_collections.csp.onboarding.plugins.module_utils._users import desired_user, plan_user

ACTIVE = {"id": "u1", "userPrincipalName": "jane@contoso.com", "firstName": "Jane", "lastName": "Doe",
          "displayName": "Jane Doe", "usageLocation": "US", "state": "active"}
DELETED = dict(ACTIVE, state="inactive", softDeletionTime="2026-11-01T00:00:00Z")


def desired(**spec):
    spec.setdefault("user_principal_name", "Jane@Contoso.com")
    return desired_user(spec)


def kinds(plan):
    return [step[0] for step in plan.steps]


def test_create_sends_everything_with_a_default_display_name():
    plan = plan_user(None, desired(first_name="Jane", last_name="Doe", usage_location="us", password="P@ss"))
    assert plan.action == "created" and kinds(plan) == ["create"]
    body = plan.steps[0][1]
    assert body["displayName"] == "Jane Doe" and body["usageLocation"] == "US"
    assert body["passwordProfile"] == {"password": "P@ss", "forceChangePassword": True}
    assert "password" not in plan.diff["after"]


def test_create_without_password_is_refused_before_any_write():
    with pytest.raises(ValueError, match="password is required"):
        plan_user(None, desired(first_name="Jane"))


def test_unchanged_when_the_supplied_fields_match_case_insensitive_location():
    plan = plan_user(ACTIVE, desired(first_name="Jane", usage_location="us", password="ignored"))
    assert plan.action == "unchanged" and plan.steps == []


def test_only_changed_fields_are_patched():
    plan = plan_user(ACTIVE, desired(first_name="Jane", last_name="Smith", display_name="Jane Doe"))
    assert plan.action == "updated" and plan.steps == [("patch", {"lastName": "Smith"})]
    assert plan.diff == {"before": {"user_principal_name": "jane@contoso.com", "first_name": "Jane",
                                    "last_name": "Doe", "display_name": "Jane Doe", "usage_location": "US",
                                    "state": "active"},
                         "after": {"user_principal_name": "jane@contoso.com", "first_name": "Jane",
                                   "last_name": "Smith", "display_name": "Jane Doe", "usage_location": "US",
                                   "state": "active"}}


def test_update_password_always_resets_and_reports_it_masked():
    plan = plan_user(ACTIVE, desired(password="N3w"), update_password="always")
    assert plan.action == "updated" and kinds(plan) == ["reset_password"]
    assert plan.diff["after"]["password"] == MASK


def test_a_soft_deleted_user_is_restored_then_converged():
    plan = plan_user(DELETED, desired(usage_location="DE", password="x"))
    assert plan.action == "restored" and kinds(plan) == ["restore", "patch"]
    assert plan.after["state"] == "active"


def test_restore_false_fails_clearly():
    with pytest.raises(ValueError, match="soft-deleted"):
        plan_user(DELETED, desired(), restore=False)


@pytest.mark.parametrize("current, action", [(ACTIVE, "deleted"), (DELETED, "unchanged"), (None, "unchanged")])
def test_absent(current, action):
    plan = plan_user(current, desired(state="absent"))
    assert plan.action == action
    assert kinds(plan) == (["delete"] if action == "deleted" else [])


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="usage_location"):
        desired(usage_location="USA")
    with pytest.raises(ValueError, match="user_principal_name"):
        desired(user_principal_name="not-a-upn")
