"""Partner Center licenses and directory roles: subscribed SKUs, license updates with unit counting, role members."""

from __future__ import annotations

import copy

import pytest

from .support import (
    CLIENT_SECRET,
    CONTOSO,
    FABRIKAM,
    REFRESH_TOKEN,
    USER_SCOPE,
    new_request_id,
    token_request,
    users_of,
)

BUSINESS_PREMIUM = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"  # O365_BUSINESS_PREMIUM, 1000 units
EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"  # 25 units
SPE_E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"  # no unit left
TEAMS1 = "57ff2da0-773e-42df-b2af-ffb7a2317929"
MCOSTANDARD = "0feaeb32-d00e-4d66-bd5a-43b5b83db82c"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
CONTOSO_ADMIN = "admin@contoso-demo.onmicrosoft.com"


def user_id(sim, upn: str, customer: str = CONTOSO) -> str:
    return next(u["id"] for u in users_of(sim, customer) if u["user_principal_name"] == upn)


def skus(pc, token: str, customer: str = CONTOSO) -> dict[str, dict]:
    answer = pc("GET", f"/customers/{customer}/subscribedskus", token)
    assert answer.status_code == 200
    return {item["productSku"]["skuPartNumber"]: item for item in answer.json()["items"]}


def license_update(pc, token, uid, assign=(), remove=(), customer=CONTOSO, headers=None):
    body = {
        "LicensesToAssign": [{"SkuId": sku, "ExcludedPlans": plans} for sku, plans in assign] or None,
        "LicensesToRemove": list(remove) or None,
        "Attributes": {"ObjectType": "LicenseUpdate"},
    }
    return pc("POST", f"/customers/{customer}/users/{uid}/licenseupdates", token, json=body, headers=headers)


def licenses(pc, token, uid, customer=CONTOSO) -> dict[str, list[str]]:
    """SKU part number -> service names the user has."""
    answer = pc("GET", f"/customers/{customer}/users/{uid}/licenses", token)
    assert answer.status_code == 200 and answer.json()["attributes"] == {"objectType": "Collection"}
    return {
        item["productSku"]["skuPartNumber"]: sorted(plan["serviceName"] for plan in item["servicePlans"])
        for item in answer.json()["items"]
    }


def seed_with(sim, http, change) -> str:
    """Reset to the current state changed by ``change(contoso seed)``; returns a new App+User token."""
    seed = copy.deepcopy(sim.state())
    change(next(c for c in seed["partners"][0]["customers"] if c["id"] == CONTOSO))
    sim.reset(seed)
    answer = token_request(
        http,
        sim,
        grant_type="refresh_token",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        scope=USER_SCOPE,
    )
    return answer.json()["access_token"]


# --- subscribed SKUs -----------------------------------------------------------------------------


def test_subscribed_skus_are_one_collection_with_units_and_plans(pc, user_token):
    answer = pc("GET", f"/customers/{CONTOSO}/subscribedskus", user_token).json()
    assert answer["attributes"] == {"objectType": "Collection"} and "continuationToken" not in answer
    assert answer["totalCount"] == len(answer["items"]) == 3
    by_part = {item["productSku"]["skuPartNumber"]: item for item in answer["items"]}
    premium = by_part["O365_BUSINESS_PREMIUM"]
    assert premium["productSku"] == {
        "id": BUSINESS_PREMIUM,
        "name": "Microsoft 365 Business Standard",
        "skuPartNumber": "O365_BUSINESS_PREMIUM",
        "targetType": "User",
        "licenseGroupId": "group1",
    }
    assert (premium["activeUnits"], premium["consumedUnits"], premium["availableUnits"]) == (1000, 0, 1000)
    assert premium["attributes"] == {"objectType": "SubscribedSku"} and premium["capabilityStatus"] == "Enabled"
    names = {plan["serviceName"] for plan in premium["servicePlans"]}
    assert {"EXCHANGE_S_STANDARD", "MCOSTANDARD", "TEAMS1"} <= names
    assert by_part["SPE_E3"]["availableUnits"] == 0


def test_license_and_role_endpoints_refuse_app_only_tokens(pc, app_token, sim):
    uid = user_id(sim, CONTOSO_ADMIN)
    for method, path in [
        ("GET", f"/customers/{CONTOSO}/subscribedskus"),
        ("GET", f"/customers/{CONTOSO}/users/{uid}/licenses"),
        ("POST", f"/customers/{CONTOSO}/users/{uid}/licenseupdates"),
        ("GET", f"/customers/{CONTOSO}/directoryroles"),
        ("GET", f"/customers/{CONTOSO}/directoryroles/{USER_ADMIN}/usermembers"),
        ("POST", f"/customers/{CONTOSO}/directoryroles/{USER_ADMIN}/usermembers"),
        ("DELETE", f"/customers/{CONTOSO}/directoryroles/{GLOBAL_ADMIN}/usermembers/{uid}"),
        ("GET", f"/customers/{CONTOSO}/users/{uid}/directoryroles"),
    ]:
        answer = pc(method, path, app_token, json={})
        assert (answer.status_code, answer.json()["code"]) == (403, 2032), path
    assert sim.state()["partners"][0]["customers"][0]["directory_roles"] == {}


# --- license updates -----------------------------------------------------------------------------


def test_assign_with_excluded_plans_moves_consumed_units(sim, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    answer = license_update(pc, user_token, uid, assign=[(BUSINESS_PREMIUM, [TEAMS1])])
    assert answer.status_code == 201
    assert answer.json() == {
        "licensesToAssign": [{"skuId": BUSINESS_PREMIUM, "excludedPlans": [TEAMS1]}],
        "licenseWarnings": [],
        "attributes": {"objectType": "LicenseUpdate"},
    }
    held = licenses(pc, user_token, uid)
    assert list(held) == ["O365_BUSINESS_PREMIUM"] and "TEAMS1" not in held["O365_BUSINESS_PREMIUM"]
    assert "EXCHANGE_S_STANDARD" in held["O365_BUSINESS_PREMIUM"]
    premium = skus(pc, user_token)["O365_BUSINESS_PREMIUM"]
    assert (premium["consumedUnits"], premium["availableUnits"]) == (1, 999)
    # assigning it again with other exclusions changes the plans, not the units
    assert license_update(pc, user_token, uid, assign=[(BUSINESS_PREMIUM, [MCOSTANDARD])]).status_code == 201
    held = licenses(pc, user_token, uid)["O365_BUSINESS_PREMIUM"]
    assert "TEAMS1" in held and "MCOSTANDARD" not in held
    assert skus(pc, user_token)["O365_BUSINESS_PREMIUM"]["consumedUnits"] == 1
    # removing frees the unit
    assert license_update(pc, user_token, uid, remove=[BUSINESS_PREMIUM]).status_code == 201
    assert licenses(pc, user_token, uid) == {}
    assert skus(pc, user_token)["O365_BUSINESS_PREMIUM"]["consumedUnits"] == 0
    posts = [e for e in sim.journal() if e["method"] == "POST" and e["path"].endswith("/licenseupdates")]
    assert [e["status"] for e in posts] == [201, 201, 201]


def test_camel_case_bodies_and_assign_plus_remove_in_one_request(sim, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    license_update(pc, user_token, uid, assign=[(EMS, None)])
    body = {"licensesToAssign": [{"skuId": BUSINESS_PREMIUM.upper()}], "licensesToRemove": [EMS]}
    answer = pc("POST", f"/customers/{CONTOSO}/users/{uid}/licenseupdates", user_token, json=body)
    assert answer.status_code == 201
    assert list(licenses(pc, user_token, uid)) == ["O365_BUSINESS_PREMIUM"]
    counts = skus(pc, user_token)
    assert (counts["EMS"]["consumedUnits"], counts["O365_BUSINESS_PREMIUM"]["consumedUnits"]) == (0, 1)


def test_no_unit_left_is_60012_and_changes_nothing(sim, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    answer = license_update(pc, user_token, uid, assign=[(BUSINESS_PREMIUM, None), (SPE_E3, None)])
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == 60012 and "SPE_E3" in error["description"] and error["source"] == "PartnerCenter"
    assert licenses(pc, user_token, uid) == {}
    assert skus(pc, user_token)["O365_BUSINESS_PREMIUM"]["consumedUnits"] == 0


def test_the_last_unit_goes_to_one_user_only(sim, http, pc):
    user_token = seed_with(sim, http, lambda c: c.update(subscribed_skus=[{**_sku(EMS, "EMS"), "active_units": 1}]))
    first = user_id(sim, CONTOSO_ADMIN)
    pc("POST", f"/customers/{CONTOSO}/users", user_token, json=_user("second"))
    second = user_id(sim, "second@contoso-demo.onmicrosoft.com")
    assert license_update(pc, user_token, first, assign=[(EMS, None)]).status_code == 201
    assert license_update(pc, user_token, second, assign=[(EMS, None)]).json()["code"] == 60012
    # a soft-deleted user frees its unit; restoring it takes the unit again
    assert pc("DELETE", f"/customers/{CONTOSO}/users/{first}", user_token).status_code == 204
    assert skus(pc, user_token)["EMS"]["availableUnits"] == 1
    assert license_update(pc, user_token, second, assign=[(EMS, None)]).status_code == 201
    assert skus(pc, user_token)["EMS"]["availableUnits"] == 0


def _sku(sku_id: str, part: str, group: str = "group1") -> dict:
    return {
        "id": sku_id,
        "part_number": part,
        "name": part,
        "active_units": 5,
        "license_group_id": group,
        "service_plans": [{"id": TEAMS1, "service_name": "TEAMS1", "display_name": "Microsoft Teams"}],
    }


def _user(local: str, usage_location: str | None = "US") -> dict:
    body = {
        "userPrincipalName": f"{local}@contoso-demo.onmicrosoft.com",
        "displayName": local,
        "usageLocation": usage_location,
        "passwordProfile": {"password": "Example-Passw0rd!", "forceChangePassword": True},
    }
    return body


def test_a_user_without_usage_location_gets_no_license(sim, http, pc):
    user_token = seed_with(
        sim, http, lambda c: c["users"].append({"user_principal_name": "nowhere@contoso-demo.onmicrosoft.com"})
    )
    uid = user_id(sim, "nowhere@contoso-demo.onmicrosoft.com")
    answer = license_update(pc, user_token, uid, assign=[(BUSINESS_PREMIUM, None)])
    assert answer.status_code == 400 and "usage location" in answer.json()["description"]
    assert licenses(pc, user_token, uid) == {}
    # once it has one, the license is given
    pc("PATCH", f"/customers/{CONTOSO}/users/{uid}", user_token, json={"usageLocation": "de"})
    assert license_update(pc, user_token, uid, assign=[(BUSINESS_PREMIUM, None)]).status_code == 201


def test_one_license_group_per_request(sim, http, pc):
    minecraft = "9f3d9c1d-25a5-4aaa-8e59-23a1e6450a67"
    user_token = seed_with(
        sim, http, lambda c: c.update(subscribed_skus=[_sku(EMS, "EMS"), _sku(minecraft, "MINECRAFT", "group2")])
    )
    uid = user_id(sim, CONTOSO_ADMIN)
    mixed = license_update(pc, user_token, uid, assign=[(EMS, None), (minecraft, None)])
    assert mixed.status_code == 400 and "license group" in mixed.json()["description"]
    assert license_update(pc, user_token, uid, assign=[(minecraft, None)]).status_code == 201
    assert license_update(pc, user_token, uid, assign=[(EMS, None)]).status_code == 201
    group2 = pc("GET", f"/customers/{CONTOSO}/users/{uid}/licenses?licenseGroupIds=Group2", user_token).json()
    assert [item["productSku"]["skuPartNumber"] for item in group2["items"]] == ["MINECRAFT"]


@pytest.mark.parametrize(
    ("assign", "remove", "text"),
    [
        ([("00000000-0000-4000-8000-00000000beef", None)], [], "valid company License"),
        ([(BUSINESS_PREMIUM, ["00000000-0000-4000-8000-00000000beef"])], [], "service plan"),
        ([], [EMS], "corresponding license"),
        ([(EMS, None)], [EMS], "more than once"),
        ([], [], "required"),
    ],
)
def test_bad_license_updates_are_400_and_change_nothing(sim, pc, user_token, assign, remove, text):
    uid = user_id(sim, CONTOSO_ADMIN)
    before = sim.state()
    answer = license_update(pc, user_token, uid, assign=assign, remove=remove)
    assert answer.status_code == 400 and text in answer.json()["description"]
    assert sim.state() == before


def test_a_repeated_request_id_is_applied_once(sim, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    request_id = new_request_id()
    first = license_update(pc, user_token, uid, assign=[(EMS, None)], headers=request_id)
    again = license_update(pc, user_token, uid, assign=[(EMS, None)], headers=request_id)
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert skus(pc, user_token)["EMS"]["consumedUnits"] == 1


def test_licenses_are_in_the_state_and_survive_a_reload(sim, http, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    license_update(pc, user_token, uid, assign=[(BUSINESS_PREMIUM, [TEAMS1])])
    state = sim.state()
    user = next(u for u in users_of(sim, CONTOSO) if u["id"] == uid)
    assert user["licenses"] == [{"sku": BUSINESS_PREMIUM, "excluded_plans": [TEAMS1]}]
    token = seed_with(sim, http, lambda customer: None)
    assert sim.state()["partners"][0]["customers"] == state["partners"][0]["customers"]
    assert skus(pc, token)["O365_BUSINESS_PREMIUM"]["consumedUnits"] == 1


def test_seeded_licenses_accept_part_and_plan_names(sim, http, pc):
    def give(customer):
        customer["users"][0]["licenses"] = [{"sku": "o365_business_premium", "excluded_plans": ["TEAMS1"]}]

    user_token = seed_with(sim, http, give)
    uid = user_id(sim, CONTOSO_ADMIN)
    assert "TEAMS1" not in licenses(pc, user_token, uid)["O365_BUSINESS_PREMIUM"]
    assert skus(pc, user_token)["O365_BUSINESS_PREMIUM"]["consumedUnits"] == 1


# --- directory roles -----------------------------------------------------------------------------


def test_directory_roles_are_the_built_in_ones_with_template_ids(pc, user_token):
    answer = pc("GET", f"/customers/{FABRIKAM}/directoryroles", user_token).json()
    roles = {item["name"]: item["id"] for item in answer["items"]}
    assert roles["Global Administrator"] == GLOBAL_ADMIN and roles["User Administrator"] == USER_ADMIN
    assert roles["License Administrator"] == "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
    assert roles["Privileged Role Administrator"] == "e8611ab8-c189-46e8-94e1-60213ab1f814"
    assert roles["Helpdesk Administrator"] == "729827e3-9c14-49f7-bb1b-9608f156bbb8"
    assert answer["items"][0]["attributes"] == {"objectType": "DirectoryRole"}


def test_add_list_and_remove_a_role_member(sim, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    members = f"/customers/{CONTOSO}/directoryroles/{USER_ADMIN}/usermembers"
    assert pc("GET", members, user_token).json()["items"] == []
    body = {"Id": uid, "DisplayName": "Contoso Admin", "UserPrincipalName": CONTOSO_ADMIN,
            "Attributes": {"ObjectType": "UserMember"}}  # fmt: skip
    added = pc("POST", members, user_token, json=body)
    assert added.status_code == 201
    assert added.json() == {
        "userPrincipalName": CONTOSO_ADMIN,
        "displayName": "Contoso Admin",
        "id": uid,
        "roleId": USER_ADMIN,
        "attributes": {"objectType": "UserMember"},
    }
    assert [m["id"] for m in pc("GET", members, user_token).json()["items"]] == [uid]
    roles = pc("GET", f"/customers/{CONTOSO}/users/{uid}/directoryroles", user_token).json()["items"]
    assert [role["name"] for role in roles] == ["User Administrator"]
    again = pc("POST", members, user_token, json={"id": uid})
    assert again.status_code == 400 and "already exist" in again.json()["description"]
    assert pc("DELETE", f"{members}/{uid}", user_token).status_code == 204
    assert pc("DELETE", f"{members}/{uid}", user_token).status_code == 404
    assert pc("GET", members, user_token).json()["items"] == []
    writes = [
        (e["method"], e["status"]) for e in sim.journal() if e["api"] == "pc" and e["method"] in ("POST", "DELETE")
    ]
    assert writes == [("POST", 201), ("POST", 400), ("DELETE", 204), ("DELETE", 404)]


def test_role_errors(sim, pc, user_token):
    uid = user_id(sim, CONTOSO_ADMIN)
    unknown_role = pc(
        "POST", f"/customers/{CONTOSO}/directoryroles/not-a-role/usermembers", user_token, json={"id": uid}
    )
    assert (unknown_role.status_code, unknown_role.json()["code"]) == (404, 1000)
    members = f"/customers/{CONTOSO}/directoryroles/{USER_ADMIN}/usermembers"
    unknown_user = pc("POST", members, user_token, json={"id": "00000000-0000-4000-8000-000000000000"})
    assert (unknown_user.status_code, unknown_user.json()["code"]) == (404, 60002)
    assert pc("POST", members, user_token, json={}).status_code == 400
    # a soft-deleted member is not listed
    pc("POST", members, user_token, json={"id": uid})
    pc("DELETE", f"/customers/{CONTOSO}/users/{uid}", user_token)
    assert pc("GET", members, user_token).json()["items"] == []


def test_the_admin_api_changes_a_skus_units(sim, pc, user_token):
    counts = sim.set_sku_units(CONTOSO, "ems", active_units=1)
    assert (counts["id"], counts["active_units"], counts["available_units"]) == (EMS, 1, 1)
    uid = user_id(sim, CONTOSO_ADMIN)
    assert license_update(pc, user_token, uid, assign=[(EMS, None)]).status_code == 201
    assert sim.set_sku_units(CONTOSO, EMS)["available_units"] == 0
    assert skus(pc, user_token)["EMS"]["availableUnits"] == 0
    with pytest.raises(Exception, match="404"):
        sim.set_sku_units(CONTOSO, "NO_SUCH_SKU", active_units=1)
    with pytest.raises(Exception, match="422"):
        sim.set_sku_units(CONTOSO, "EMS", active_units=-1)


def test_seeded_role_members_by_name_and_upn(sim, http, pc):
    user_token = seed_with(sim, http, lambda c: c.update(directory_roles={"global administrator": [CONTOSO_ADMIN]}))
    uid = user_id(sim, CONTOSO_ADMIN)
    members = pc("GET", f"/customers/{CONTOSO}/directoryroles/{GLOBAL_ADMIN}/usermembers", user_token).json()
    assert [m["userPrincipalName"] for m in members["items"]] == [CONTOSO_ADMIN]
    assert sim.state()["partners"][0]["customers"][0]["directory_roles"] == {GLOBAL_ADMIN: [uid]}
    with pytest.raises(Exception, match="422"):
        seed_with(sim, http, lambda c: c.update(directory_roles={"Global Administrator": ["nobody@x.example.com"]}))
    with pytest.raises(Exception, match="422"):
        seed_with(sim, http, lambda c: c.update(directory_roles={"No Such Role": []}))
