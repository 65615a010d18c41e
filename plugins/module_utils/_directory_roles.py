# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Directory role memberships of customer users, through Partner Center.

The customer's roles (``directoryroles``) are read once per task and name every role a task may use, by
its name or its id, case-insensitively. The members of a role are read at most once per task, however
many users the task lists: the roles the task names, or every role when a user also leaves the roles it
does not list. A user becomes a member with ``POST .../usermembers`` and stops being one with
``DELETE .../usermembers/{user id}``; only the differences are written.

This file is private to the collection.
"""

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

ROLE_OPTIONS = dict(
    directory_roles=dict(type="list", elements="str"),
    remove_unlisted_directory_roles=dict(type="bool", default=False),
)
# Assumed, undocumented: the directory has long called the Global Administrator role "Company
# Administrator"; either name finds it, whichever one the tenant answers with.
ALIASES = {"global administrator": "company administrator", "company administrator": "global administrator"}


def _lower(value):
    return (value or "").lower()


def desired_roles(spec, who):
    """The task's ``directory_roles`` of one user, or None when not managed."""
    roles = spec.get("directory_roles")
    if roles is None:
        if spec.get("remove_unlisted_directory_roles"):
            raise validate.InvalidInput(
                "remove_unlisted_directory_roles needs directory_roles (%s); directory_roles: [] leaves every "
                "role" % who)
        return None
    result = []
    for name in roles:
        name = validate.text_field(name, "directory_roles")
        if not name:
            raise validate.InvalidInput("directory_roles: an empty role name (%s)" % who)
        result.append(name)
    return result


class RoleCatalog(object):
    """The customer's directory roles, read at most once, and the members of each role read."""

    def __init__(self, client, customer_id):
        self.client = client
        self.customer_id = customer_id
        self._roles = None
        self.members = {}  # lower-cased role id -> set of lower-cased user ids

    @property
    def roles(self):
        if self._roles is None:
            self._roles = [role for role in self.client.list_directory_roles(self.customer_id) if role.get("id")]
        return self._roles

    def name_of(self, role_id):
        role = next((role for role in self.roles if _lower(role.get("id")) == _lower(role_id)), None)
        return (role or {}).get("name") or role_id

    def resolve(self, name, who):
        wanted = name.lower()
        for candidates in ((wanted,), (ALIASES.get(wanted),)):
            for role in self.roles:
                if _lower(role.get("id")) in candidates or _lower(role.get("name")) in candidates:
                    return role
        raise validate.InvalidInput(
            "directory_roles: customer %s has no directory role %r (%s); its roles: %s" % (
                self.customer_id, name, who,
                ", ".join(sorted(role.get("name") or role["id"] for role in self.roles)) or "none"))

    def resolve_all(self, names, who):
        """The roles named, without repeats, in the order given."""
        result = []
        for name in names:
            role = self.resolve(name, who)
            if all(_lower(role["id"]) != _lower(other["id"]) for other in result):
                result.append(role)
        return result

    def read_members(self, role_ids):
        """Read the members of each role not read yet (once per role and task)."""
        for role_id in role_ids:
            key = role_id.lower()
            if key not in self.members:
                self.members[key] = set(_lower(member.get("id"))
                                        for member in self.client.list_role_members(self.customer_id, role_id)
                                        if member.get("id"))

    def roles_of(self, user_id):
        """Lower-cased ids of the roles read that have the user as a member."""
        if not user_id:
            return set()
        return set(role_id for role_id, members in self.members.items() if user_id.lower() in members)


class RolePlan(object):
    """One user's role writes and the role names before and after."""

    def __init__(self, catalog, current, add, remove):
        self.add = add          # roles (dicts)
        self.remove = remove    # role ids
        target = (set(current) | set(_lower(role["id"]) for role in add)) - set(_lower(r) for r in remove)
        self.before = sorted(catalog.name_of(role_id) for role_id in current)
        self.after = sorted(catalog.name_of(role_id) for role_id in target)

    @property
    def has_writes(self):
        return bool(self.add or self.remove)

    def apply(self, client, customer_id, view):
        """Add and remove the user's memberships. A member already there, or already gone, has converged
        (a write whose answer was lost, or a membership that came back with a restored user)."""
        user = {"id": view.get("id"), "userPrincipalName": view.get("user_principal_name"),
                "displayName": view.get("display_name")}
        for role in self.add:
            try:
                client.add_role_member(customer_id, role["id"], user)
            except ApiError as exc:
                if not exc.is_conflict:
                    raise
        for role_id in self.remove:
            try:
                client.remove_role_member(customer_id, role_id, user["id"])
            except ApiError as exc:
                if exc.status != 404:
                    raise


def plan_roles(catalog, user_id, wanted, remove_unlisted):
    """Compare the user's memberships (among the roles read) with the ``wanted`` roles."""
    current = catalog.roles_of(user_id)
    wanted_ids = set(_lower(role["id"]) for role in wanted)
    add = [role for role in wanted if _lower(role["id"]) not in current]
    remove = [role["id"] for role in catalog.roles
              if _lower(role["id"]) in current and _lower(role["id"]) not in wanted_ids] if remove_unlisted else []
    return RolePlan(catalog, current, add, remove)
