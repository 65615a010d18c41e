# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Microsoft Entra built-in roles: names and role definition (template) ids, in one table.

GDAP relationships and access assignments name roles by ``roleDefinitionId``, the role's template id,
which is the same in every tenant. The ids below are the documented template ids ("Microsoft Entra
built-in roles", permissions reference). Names are matched without regard to case or repeated spaces;
a few former names that still appear in older tools and in Partner Center's role list are accepted as
aliases of the current name.

This file is private to the collection.
"""

import re

from ansible_collections.csp.onboarding.plugins.module_utils._validators import GUID, InvalidInput

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"

# (name, template id): the roles a CSP partner asks for in GDAP, and those its tools commonly list.
BUILT_IN_ROLES = (
    ("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
    ("Application Developer", "cf1c38e5-3621-4004-a7cb-879624dced7c"),
    ("Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f"),
    ("Authentication Policy Administrator", "0526716b-113d-4c15-b2c8-68e3c22b9f80"),
    ("Azure DevOps Administrator", "e3973bdf-4987-49ae-837a-ba8e231c7286"),
    ("Azure Information Protection Administrator", "7495fdc4-34c4-4d15-a289-98788ce399fd"),
    ("Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe"),
    ("Cloud App Security Administrator", "892c5842-a9a6-463a-8041-72aa08ca3cf6"),
    ("Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"),
    ("Cloud Device Administrator", "7698a772-787b-4ac8-901f-60d6b08affd2"),
    ("Compliance Administrator", "17315797-102d-40b4-93e0-432062caca18"),
    ("Compliance Data Administrator", "e6d1a23a-da11-4be4-9570-befc86d067a7"),
    ("Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"),
    ("Desktop Analytics Administrator", "38a96431-2bdf-4b4c-8b6e-5d3d8abac1a4"),
    ("Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"),
    ("Directory Writers", "9360feb5-f418-4baa-8175-e2a00bac4301"),
    ("Domain Name Administrator", "8329153b-31d0-4727-b945-745eb3bc5f31"),
    ("Dynamics 365 Administrator", "44367163-eba1-44c3-98af-f5787879f96a"),
    ("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"),
    ("Exchange Recipient Administrator", "31392ffb-586c-42d1-9346-e59415a2cc4e"),
    ("Fabric Administrator", "a9ea8996-122f-4c74-9520-8edcd192826c"),
    ("Global Administrator", GLOBAL_ADMINISTRATOR),
    ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
    ("Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c"),
    ("Guest Inviter", "95e79109-95c0-4d8e-aee3-d01accf2d47b"),
    ("Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8"),
    ("Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"),
    ("Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5"),
    ("License Administrator", "4d6ac14f-3453-41d0-bef9-a3e0c569773a"),
    ("Message Center Reader", "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b"),
    ("Office Apps Administrator", "2b745bdf-0803-4d80-aa65-822c4493daac"),
    ("Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d"),
    ("Power Platform Administrator", "11648597-926c-4cf3-9c36-bcebb0ba8dcc"),
    ("Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"),
    ("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"),
    ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
    ("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d"),
    ("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"),
    ("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509"),
    ("Service Support Administrator", "f023fd81-a637-4b56-95fd-791ac0226033"),
    ("SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"),
    ("Skype for Business Administrator", "75941009-915a-4869-abe7-691bff18279e"),
    ("Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8"),
    ("Teams Communications Administrator", "baf37b3a-610e-45da-9e62-d9d1e5e8914b"),
    ("Teams Devices Administrator", "3d762c5a-1b6c-493f-843e-55a3b42923d4"),
    ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
    ("Windows 365 Administrator", "11451d60-acb2-45eb-a7d6-43d0f0125c13"),
)

# Former names of the same template ids (the role template list of Entra ID still shows some of them).
ALIASES = (
    ("Company Administrator", GLOBAL_ADMINISTRATOR),
    ("Exchange Service Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"),
    ("SharePoint Service Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"),
    ("Lync Service Administrator", "75941009-915a-4869-abe7-691bff18279e"),
    ("Teams Service Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8"),
    ("Power BI Administrator", "a9ea8996-122f-4c74-9520-8edcd192826c"),
    ("Power BI Service Administrator", "a9ea8996-122f-4c74-9520-8edcd192826c"),
    ("Intune Service Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5"),
)

NAMES = dict((role_id, name) for name, role_id in BUILT_IN_ROLES)


def _key(name):
    return re.sub(r"\s+", " ", name.strip()).lower()


_BY_NAME = dict((_key(name), role_id) for name, role_id in BUILT_IN_ROLES + ALIASES)


def role_name(role_id):
    """The current name of a role id, or None for an id this table does not know (a custom role)."""
    return NAMES.get(str(role_id or "").lower())


def role_id(value, option="roles"):
    """A role's template id, from its name (case-insensitive) or from an id given as it is.

    An id is accepted whether or not the table knows it: GDAP accepts any built-in role, and the table
    lists the common ones only.
    """
    text = value.strip() if isinstance(value, str) else ""
    if GUID.match(text):
        return text.lower()
    found = _BY_NAME.get(_key(text)) if text else None
    if found is None:
        raise InvalidInput("%s: %r is not a Microsoft Entra built-in role this collection knows. Use one of: %s; "
                           "or give the role's template id (a GUID)."
                           % (option, value, ", ".join(NAMES[known] for known in sorted(NAMES, key=NAMES.get))))
    return found


def role_ids(values, option="roles"):
    """Template ids of a list of names or ids, in the order given, without repeats."""
    if not isinstance(values, (list, tuple)):
        raise InvalidInput("%s must be a list of role names or role ids" % option)
    ids = []
    for value in values:
        resolved = role_id(value, option)
        if resolved not in ids:
            ids.append(resolved)
    return ids


def describe(role_ids_):
    """Role ids as the names a user reads (the id itself where the table has no name)."""
    return [role_name(value) or value for value in role_ids_]


def role_views(role_ids_):
    """``[{id, name}]`` of role ids, as the modules return them."""
    return [{"id": value, "name": role_name(value)} for value in role_ids_]
