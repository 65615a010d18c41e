"""Shapes of the APS resources the simulator holds (reference: cloudblue_aps_api.md §2, §4.1)."""

from __future__ import annotations

import re
from typing import Any

from .state import iso_utc

ACCOUNT_TYPE = "http://parallels.com/aps/types/pa/account/1.2"
OFFICE365_APP_TYPE = "http://www.parallels.com/Office365/Office365app/1.16"
# Assumed, undocumented: the version of the bypass type and its property/relation names
# (`ms_tenant_id`, `account`); the docs name only the type without a version.
BYPASS_TYPE = "http://www.parallels.com/Office365/BypassOwnershipValidation/1.0"
CORE_RESOURCE_TYPE = "http://aps-standard.org/types/core/resource/1.0"  # implemented by every resource

_VERSIONED_TYPE = re.compile(r"^(?P<base>.+)/(?P<major>\d+)\.(?P<minor>\d+)$")


def split_type(type_id: str) -> tuple[str, tuple[int, int] | None]:
    """``http://x/T/1.16`` -> (``http://x/T``, (1, 16)); a type id without a version -> (id, None)."""
    match = _VERSIONED_TYPE.match(type_id)
    if not match:
        return type_id, None
    return match["base"], (int(match["major"]), int(match["minor"]))


def type_base(type_id: str) -> str:
    return split_type(type_id)[0]


def _meta(aps_id: str, type_id: str) -> dict[str, Any]:
    return {"id": aps_id, "type": type_id, "status": "aps:ready", "revision": 1, "modified": iso_utc()}


def strong_link(target: dict[str, Any]) -> dict[str, Any]:
    aps_id = target["aps"]["id"]
    return {"aps": {"link": "strong", "href": f"/aps/2/resources/{aps_id}", "id": aps_id}}


def account_resource(aps_id: str, account_id: int, name: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {"aps": _meta(aps_id, ACCOUNT_TYPE), "id": account_id, "type": "CUSTOMER"}
    if name is not None:
        resource["companyName"] = name
    return resource


def application_resource(aps_id: str, type_id: str, name: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {"aps": _meta(aps_id, type_id)}
    if name is not None:
        resource["name"] = name
    return resource


def bypass_resource(aps_id: str, ms_tenant_id: str, account: dict[str, Any]) -> dict[str, Any]:
    return {"aps": _meta(aps_id, BYPASS_TYPE), "ms_tenant_id": ms_tenant_id, "account": strong_link(account)}


def is_link(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("aps"), dict) and "link" in value["aps"]


def find_account(resources: dict[str, dict[str, Any]], account_id: int) -> dict[str, Any] | None:
    for resource in resources.values():
        if resource.get("id") == account_id and type_base(resource["aps"]["type"]) == type_base(ACCOUNT_TYPE):
            return resource
    return None
