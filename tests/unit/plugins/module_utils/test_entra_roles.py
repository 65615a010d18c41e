# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Entra built-in role table: names to template ids and back."""

import re

import pytest

from ansible_collections.csp.onboarding.plugins.module_utils import _entra_roles as roles
from ansible_collections.csp.onboarding.plugins.module_utils._validators import InvalidInput

# The template ids the GDAP guide and onboarding rely on (documented, "Microsoft Entra built-in roles").
KNOWN = {
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Domain Name Administrator": "8329153b-31d0-4727-b945-745eb3bc5f31",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
}


@pytest.mark.parametrize("name, role_id", sorted(KNOWN.items()))
def test_documented_ids_both_ways(name, role_id):
    assert roles.role_id(name) == role_id
    assert roles.role_name(role_id) == name


def test_names_match_without_case_or_extra_spaces():
    assert roles.role_id("  user   ADMINISTRATOR ") == KNOWN["User Administrator"]
    assert roles.role_id("sharepoint administrator") == KNOWN["SharePoint Administrator"]


def test_former_names_resolve_to_the_current_role():
    assert roles.role_id("Company Administrator") == KNOWN["Global Administrator"]
    assert roles.role_name(roles.role_id("Exchange Service Administrator")) == "Exchange Administrator"


def test_ids_pass_through_lower_cased_even_when_the_table_does_not_know_them():
    assert roles.role_id("FE930BE7-5E62-47DB-91AF-98C3A49A38B1") == KNOWN["User Administrator"]
    other = "11111111-2222-4333-8444-555555555555"
    assert roles.role_id(other) == other and roles.role_name(other) is None
    assert roles.role_views([other]) == [{"id": other, "name": None}]
    assert roles.describe([other, KNOWN["Global Reader"]]) == [other, "Global Reader"]


def test_an_unknown_name_lists_the_names_and_the_option():
    with pytest.raises(InvalidInput) as error:
        roles.role_id("User Admin", "required_roles")
    message = str(error.value)
    assert message.startswith("required_roles: 'User Admin' is not")
    assert "User Administrator" in message and "License Administrator" in message and "GUID" in message


@pytest.mark.parametrize("value", ["", None, 42])
def test_empty_or_non_text_is_refused(value):
    with pytest.raises(InvalidInput):
        roles.role_id(value)


def test_lists_keep_order_and_drop_repeats():
    assert roles.role_ids(["License Administrator", "user administrator", KNOWN["License Administrator"]]) == \
        [KNOWN["License Administrator"], KNOWN["User Administrator"]]
    with pytest.raises(InvalidInput):
        roles.role_ids("User Administrator")


def test_the_table_is_consistent():
    guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    names = [entry[0].lower() for entry in roles.BUILT_IN_ROLES]
    ids = [entry[1] for entry in roles.BUILT_IN_ROLES]
    assert len(set(names)) == len(names) and len(set(ids)) == len(ids)
    assert all(guid.match(role_id) for role_id in ids)
    assert not set(entry[0].lower() for entry in roles.ALIASES) & set(names)
    assert all(entry[1] in roles.NAMES for entry in roles.ALIASES)
