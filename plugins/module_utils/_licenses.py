# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Licenses of customer users, and what ``customer_user``/``customer_users`` add to an account.

The customer's SKUs (``subscribedskus``) are read once per task and name every SKU and service plan a
task may use: a SKU by its part number or its product SKU id, a plan by its service name, its display
name or its id, all case-insensitively. A user's licenses are read once, compared with the task's, and
only the differences are written, one ``licenseupdates`` request per license group (Partner Center
takes licenses of one group per request).

Units are counted before any write: a SKU the user does not hold yet needs a free unit, and the units
that the same task assigns to earlier users are no longer free, so the user for whom none is left
fails before its write, in check mode as in a real run. Units that the same task frees (a license
removed, a user deleted) are not counted as free: the order of parallel writes is not known in advance.

:class:`UserAccess` plans and applies a user's licenses and its directory roles (``_directory_roles``)
for both user modules, so the single and the bulk module share every line of it.

This file is private to the collection.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._directory_roles import (
    RoleCatalog, desired_roles, plan_roles)

LICENSE_OPTIONS = dict(
    licenses=dict(type="list", elements="dict", options=dict(
        sku=dict(type="str", required=True),
        excluded_plans=dict(type="list", elements="str", default=[]),
    )),
    remove_unlisted_licenses=dict(type="bool", default=False),
)
DEFAULT_LICENSE_GROUP = "group1"  # documented: licenses managed by Microsoft Entra ID


def _lower(value):
    return (value or "").lower()


def _units(sku, key):
    value = sku.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def sku_id(sku):
    return (sku.get("productSku") or {}).get("id") or ""


def part_number(sku):
    return (sku.get("productSku") or {}).get("skuPartNumber") or ""


def license_group(sku):
    return (sku.get("productSku") or {}).get("licenseGroupId") or DEFAULT_LICENSE_GROUP


def available_units(sku):
    """Free units of a SKU: ``availableUnits``, or active minus consumed when the answer has no such count."""
    if isinstance(sku.get("availableUnits"), int):
        return sku["availableUnits"]
    return max(0, _units(sku, "activeUnits") - _units(sku, "consumedUnits"))


def sku_view(sku):
    """A subscribed SKU as ``customer_license_info`` returns it."""
    product = sku.get("productSku") or {}
    return {
        "sku_id": product.get("id"),
        "sku_part_number": product.get("skuPartNumber"),
        "name": product.get("name"),
        "target_type": product.get("targetType"),
        "available_units": available_units(sku),
        "active_units": _units(sku, "activeUnits"),
        "consumed_units": _units(sku, "consumedUnits"),
        "suspended_units": _units(sku, "suspendedUnits"),
        "warning_units": _units(sku, "warningUnits"),
        "capability_status": sku.get("capabilityStatus"),
        "service_plans": [{"id": plan.get("id"), "name": plan.get("displayName"),
                           "service_name": plan.get("serviceName")} for plan in sku.get("servicePlans") or []],
    }


def counts_text(sku):
    return "available_units %d, active_units %d, consumed_units %d, suspended_units %d, warning_units %d" % (
        available_units(sku), _units(sku, "activeUnits"), _units(sku, "consumedUnits"),
        _units(sku, "suspendedUnits"), _units(sku, "warningUnits"))


class LicenseShortage(validate.InvalidInput):
    """A SKU has no free unit for a user: that user fails before its write."""


class SkuCatalog(object):
    """The customer's SKUs, read at most once, and the units this task has already given out."""

    def __init__(self, client, customer_id):
        self.client = client
        self.customer_id = customer_id
        self._skus = None
        self.assigned = {}  # lower-cased SKU id -> units this task assigns to users without the SKU

    @property
    def skus(self):
        if self._skus is None:
            self._skus = [sku for sku in self.client.list_subscribed_skus(self.customer_id) if sku_id(sku)]
        return self._skus

    def by_id(self, wanted):
        return next((sku for sku in self.skus if sku_id(sku).lower() == wanted.lower()), None)

    def resolve(self, name, who):
        """The SKU a task names by part number or product SKU id, else InvalidInput with the SKUs there are."""
        wanted = name.lower()
        for sku in self.skus:
            if wanted in (sku_id(sku).lower(), part_number(sku).lower()):
                return sku
        raise validate.InvalidInput(
            "licenses: customer %s has no SKU %r (%s); its SKUs: %s" % (
                self.customer_id, name, who,
                ", ".join("%s (%s)" % (part_number(sku), sku_id(sku))
                          for sku in sorted(self.skus, key=part_number)) or "none"))

    @staticmethod
    def resolve_plan(sku, name, who):
        wanted = name.lower()
        for plan in sku.get("servicePlans") or []:
            if wanted in (_lower(plan.get("id")), _lower(plan.get("serviceName")), _lower(plan.get("displayName"))):
                return plan.get("id")
        raise validate.InvalidInput(
            "licenses: SKU %s has no service plan %r (%s); its plans: %s" % (
                part_number(sku), name, who,
                ", ".join("%s (%s)" % (plan.get("serviceName"), plan.get("displayName"))
                          for plan in sku.get("servicePlans") or []) or "none"))

    def groups(self):
        return sorted(set(license_group(sku) for sku in self.skus))

    def reserve(self, skus, who):
        """Take one unit of each SKU for a user, or raise LicenseShortage (taking none) when one has none left."""
        for sku in skus:
            taken = self.assigned.get(sku_id(sku).lower(), 0)
            if available_units(sku) - taken < 1:
                raise LicenseShortage(
                    "licenses: SKU %s (%s) has no free unit for %s: %s; this run already assigns %d of them to "
                    "other users. Buy more units, or free one, before assigning it" % (
                        part_number(sku), sku_id(sku), who, counts_text(sku), taken))
        for sku in skus:
            self.assigned[sku_id(sku).lower()] = self.assigned.get(sku_id(sku).lower(), 0) + 1


def plan_names(sku, plan_ids):
    """Service names of plan ids (the id itself for a plan the SKU does not list), sorted."""
    names = dict((_lower(plan.get("id")), plan.get("serviceName") or plan.get("id"))
                 for plan in (sku or {}).get("servicePlans") or [])
    return sorted(names.get(plan_id.lower(), plan_id) for plan_id in plan_ids)


def license_view(catalog, assignments):
    """``{sku id: excluded plan ids}`` as the modules return it, sorted by part number."""
    entries = []
    for key, excluded in assignments.items():
        sku = catalog.by_id(key)
        entries.append({"sku_id": sku_id(sku) if sku else key, "sku_part_number": part_number(sku) if sku else None,
                        "excluded_plans": plan_names(sku, excluded)})
    return sorted(entries, key=lambda entry: (entry["sku_part_number"] or "", entry["sku_id"]))


def current_assignments(catalog, licenses):
    """A user's licenses as ``{lower-cased SKU id: excluded plan ids}``.

    Assumed, undocumented: a license's ``servicePlans`` are the plans the user has, so the excluded plans
    are the SKU's plans that the license does not list.
    """
    result = {}
    for entry in licenses:
        key = _lower((entry.get("productSku") or {}).get("id"))
        if not key:
            continue
        sku = catalog.by_id(key)
        held = set(_lower(plan.get("id")) for plan in entry.get("servicePlans") or [])
        all_plans = [plan.get("id") for plan in (sku or {}).get("servicePlans") or [] if plan.get("id")]
        result[key] = [plan_id for plan_id in all_plans if plan_id.lower() not in held]
    return result


def desired_licenses(spec, who):
    """The task's ``licenses`` of one user as ``[(name, [plan names])]``, or None when not managed."""
    licenses = spec.get("licenses")
    if licenses is None:
        if spec.get("remove_unlisted_licenses"):
            raise validate.InvalidInput(
                "remove_unlisted_licenses needs licenses (%s); licenses: [] removes every license" % who)
        return None
    result = []
    for entry in licenses:
        name = validate.text_field((entry or {}).get("sku"), "licenses[].sku")
        if not name:
            raise validate.InvalidInput("licenses[].sku is required (%s)" % who)
        plans = [validate.text_field(plan, "licenses[].excluded_plans") for plan in entry.get("excluded_plans") or []]
        result.append((name, [plan for plan in plans if plan]))
    return result


class LicensePlan(object):
    """One user's license writes: ``[(group, [(sku id, excluded ids)], [sku ids to remove])]``."""

    def __init__(self, before, after, requests):
        self.before = before
        self.after = after
        self.requests = requests


def plan_licenses(catalog, current, wanted, remove_unlisted, who):
    """Compare a user's licenses (``{sku id: excluded ids}``) with the resolved ``wanted`` ones.

    ``wanted`` is ``[(sku, [excluded plan ids])]``. Raises LicenseShortage before any unit is taken.
    """
    target = dict(current)
    assign = []
    needs_unit = []
    listed = set()
    for sku, excluded in wanted:
        key = sku_id(sku).lower()
        listed.add(key)
        have = current.get(key)
        if have is None or set(p.lower() for p in have) != set(p.lower() for p in excluded):
            # Assumed, undocumented: assigning a SKU the user holds replaces its excluded plans and takes no unit.
            assign.append((sku, excluded))
            target[key] = list(excluded)
            if have is None:
                needs_unit.append(sku)
    remove = []
    if remove_unlisted:
        for key in sorted(current):
            if key not in listed:
                remove.append(key)
                del target[key]
    catalog.reserve(needs_unit, who)
    groups = {}
    for sku, excluded in assign:
        groups.setdefault(license_group(sku), ([], []))[0].append((sku_id(sku), excluded))
    for key in remove:
        sku = catalog.by_id(key)
        groups.setdefault(license_group(sku) if sku else DEFAULT_LICENSE_GROUP, ([], []))[1].append(
            sku_id(sku) if sku else key)
    requests = [(group, groups[group][0], groups[group][1]) for group in sorted(groups)]
    return LicensePlan(license_view(catalog, current), license_view(catalog, target), requests)


class AccessPlan(object):
    """A user's license and role changes, planned before any write and applied after the account's."""

    def __init__(self, licenses=None, roles=None):
        self.licenses = licenses
        self.roles = roles

    @property
    def has_writes(self):
        return bool((self.licenses and self.licenses.requests) or (self.roles and self.roles.has_writes))

    def fields(self, which):
        result = {}
        if self.licenses is not None:
            result["licenses"] = getattr(self.licenses, which)
        if self.roles is not None:
            result["directory_roles"] = getattr(self.roles, which)
        return result


class UserAccess(object):
    """Licenses and directory roles of the users of one task (``customer_user`` or ``customer_users``).

    :param specs: the task's user entries (the module's parameters for ``customer_user``), validated here
        before any request.
    """

    def __init__(self, client, customer_id, specs):
        self.client = client
        self.customer_id = customer_id
        self.skus = SkuCatalog(client, customer_id)
        self.roles = RoleCatalog(client, customer_id)
        self.specs = {}
        for spec in specs:
            if (spec.get("state") or "present") != "present":
                continue
            upn = spec["user_principal_name"]
            who = "user %s" % upn
            wanted = (desired_licenses(spec, who), bool(spec.get("remove_unlisted_licenses")),
                      desired_roles(spec, who), bool(spec.get("remove_unlisted_directory_roles")))
            if wanted[0] is not None or wanted[2] is not None:
                self.specs[upn.lower()] = wanted
        self.licenses = {}  # lower-cased user id -> {sku id: excluded ids}
        self.resolved = {}

    def prepare(self, users, concurrency=1):
        """Resolve every SKU, plan and role name (InvalidInput lists the names that exist), then read the
        licenses of the listed users that exist and the members of each role concerned, once each.

        :param users: lower-cased UPN -> the Partner Center user (active or soft-deleted), for the users
            that exist.
        """
        if not self.specs:
            return
        for upn, (licenses, _remove, roles, remove_roles) in sorted(self.specs.items()):
            who = "user %s" % upn
            resolved_licenses = None
            if licenses is not None:
                resolved_licenses = []
                seen = set()
                for name, plans in licenses:
                    sku = self.skus.resolve(name, who)
                    if sku_id(sku).lower() in seen:
                        raise validate.InvalidInput("licenses: SKU %s is listed twice (%s)" % (name, who))
                    seen.add(sku_id(sku).lower())
                    excluded = []
                    for plan in plans:
                        plan_id = self.skus.resolve_plan(sku, plan, who)
                        if plan_id.lower() not in set(p.lower() for p in excluded):
                            excluded.append(plan_id)
                    resolved_licenses.append((sku, excluded))
            resolved_roles = self.roles.resolve_all(roles, who) if roles is not None else None
            self.resolved[upn] = (resolved_licenses, resolved_roles, remove_roles)
        # Role members: of every role when a user removes unlisted roles, else of the roles listed.
        if any(remove for _l, roles, remove in self.resolved.values() if roles is not None and remove):
            self.roles.read_members(role["id"] for role in self.roles.roles)
        else:
            self.roles.read_members(role["id"] for _l, roles, _r in self.resolved.values() for role in roles or [])
        readers = [user.get("id") for upn, user in sorted(users.items())
                   if upn in self.resolved and self.resolved[upn][0] is not None and user and user.get("id")]
        if readers:
            groups = self.skus.groups()

            def read(user_id):
                return user_id, self.client.list_user_licenses(self.customer_id, user_id, groups)
            with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(readers)))) as pool:
                for user_id, licenses in pool.map(read, readers):
                    self.licenses[user_id.lower()] = current_assignments(self.skus, licenses)

    def attach(self, plan, desired):
        """Add the user's license and role changes to its account plan (``_users.UserPlan``).

        Raises InvalidInput (a license without a usage location) or LicenseShortage for this user only,
        before any of its writes.
        """
        upn = desired["user_principal_name"]
        if desired.get("state", "present") != "present" or upn.lower() not in self.resolved:
            return
        licenses, roles, remove_roles = self.resolved[upn.lower()]
        remove_licenses = self.specs[upn.lower()][1]
        who = "user %s" % upn
        before = plan.before or {}
        user_id = before.get("id")
        access = AccessPlan()
        if licenses is not None:
            if licenses and not (desired.get("usage_location") or before.get("usage_location")):
                raise validate.InvalidInput(
                    "licenses: %s has no usage_location, and Partner Center assigns no license without one; "
                    "set usage_location" % who)
            current = self.licenses.get(_lower(user_id), {}) if user_id else {}
            access.licenses = plan_licenses(self.skus, current, licenses, remove_licenses, who)
        if roles is not None:
            access.roles = plan_roles(self.roles, user_id, roles, remove_roles)
        plan.access = access
        if plan.before is not None:
            plan.before.update(access.fields("before"))
        plan.after.update(access.fields("after"))
        if access.has_writes:
            plan.steps.append(("access",))
            if plan.action == "unchanged":
                plan.action = "updated"

    @staticmethod
    def changes(upn, plan):
        """The user's license and role changes as a report lists them (part numbers and role names), or None.

        A SKU counts as assigned when it is new or its excluded plans change.
        """
        access = getattr(plan, "access", None)
        if access is None or not access.has_writes:
            return None
        change = {"user_principal_name": upn}
        if access.licenses is not None:
            def keyed(entries):
                return dict((entry["sku_id"].lower(), entry) for entry in entries)
            before, after = keyed(access.licenses.before), keyed(access.licenses.after)
            change["licenses_assigned"] = [entry["sku_part_number"] or entry["sku_id"] for key, entry in after.items()
                                           if before.get(key) != entry]
            change["licenses_removed"] = [entry["sku_part_number"] or entry["sku_id"] for key, entry in before.items()
                                          if key not in after]
        if access.roles is not None:
            change["roles_added"] = [name for name in access.roles.after if name not in access.roles.before]
            change["roles_removed"] = [name for name in access.roles.before if name not in access.roles.after]
        return change

    def apply(self, plan, view):
        """After the account's writes: send the user's license and role writes; return the user's view."""
        access = getattr(plan, "access", None)
        if access is None:
            return view
        user_id = view.get("id")
        if access.licenses is not None:
            for _group, assign, remove in access.licenses.requests:
                self.client.update_user_licenses(self.customer_id, user_id, assign, remove)
        if access.roles is not None:
            access.roles.apply(self.client, self.customer_id, view)
        return dict(view, **access.fields("after"))


def list_licenses(task):
    """``customer_license_info``: the customer's subscribed SKUs."""
    customer_id = validate.guid(task.params["customer_id"], "customer_id")
    skus = task.client.list_subscribed_skus(customer_id)
    return dict(changed=False, licenses=sorted((sku_view(sku) for sku in skus),
                                               key=lambda view: (view["sku_part_number"] or "", view["sku_id"] or "")))
