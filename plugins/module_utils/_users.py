# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired state of customer users, shared by ``customer_user`` (one) and ``customer_users`` (many).

A plan is computed from the user as Partner Center holds it (active, soft-deleted or absent) and what
the task asks; check mode stops at the plan, a real run applies it. Passwords cannot be read back, so
they never make a plan "changed" unless ``update_password: always`` asks for a reset.

This file is private to the collection.
"""

import fnmatch
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._compare import MASK, casefold, changed_fields
from ansible_collections.csp.onboarding.plugins.module_utils._directory_roles import ROLE_OPTIONS
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError
from ansible_collections.csp.onboarding.plugins.module_utils._licenses import LICENSE_OPTIONS, UserAccess

# Module option -> Partner Center property. The UPN is the identity key, so it is never PATCHed.
FIELDS = (
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("display_name", "displayName"),
    ("usage_location", "usageLocation"),
    ("immutable_id", "immutableId"),
)
VIEW_FIELDS = (("id", "id"), ("user_principal_name", "userPrincipalName")) + FIELDS + (
    ("state", "state"), ("user_domain_type", "userDomainType"), ("soft_deletion_time", "softDeletionTime"),
    ("last_directory_sync_time", "lastDirectorySyncTime"))
# licenses and directory_roles: set on a plan by _licenses.UserAccess when the task manages them.
DIFF_KEYS = ("user_principal_name",) + tuple(option for option, _prop in FIELDS) + (
    "state", "licenses", "directory_roles")
NORMALISERS = {"usage_location": casefold}

MAX_CONCURRENCY = 32


class UserFailure(Exception):
    """A user's failure that is not an API error (an unreadable answer, a bug): reported for that user."""


USER_OPTIONS = dict(
    user_principal_name=dict(type="str", required=True, aliases=["upn"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    first_name=dict(type="str"),
    last_name=dict(type="str"),
    display_name=dict(type="str"),
    usage_location=dict(type="str"),
    immutable_id=dict(type="str"),
    password=dict(type="str", no_log=True),
    force_change_password=dict(type="bool", default=True, no_log=False),
)
USER_OPTIONS.update(LICENSE_OPTIONS)
USER_OPTIONS.update(ROLE_OPTIONS)
DOMAIN_OPTIONS = dict(
    expected_domains=dict(type="list", elements="str", default=[]),
)
POLICY_OPTIONS = dict(
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    restore=dict(type="bool", default=True),
)


def user_view(user):
    """A Partner Center user as the modules return it: snake_case, never a password."""
    return dict((option, user.get(prop)) for option, prop in VIEW_FIELDS)


def diff_view(view):
    return dict((key, view.get(key)) for key in DIFF_KEYS if view.get(key) is not None)


def desired_user(spec):
    """The task's user, validated and normalised; raises InvalidInput before any request."""
    upn = validate.user_principal_name(spec["user_principal_name"])
    desired = {"user_principal_name": upn, "state": spec.get("state") or "present"}
    for option, _prop in FIELDS:
        desired[option] = validate.text_field(spec.get(option), option)
    if desired["usage_location"] is not None:
        desired["usage_location"] = validate.country_code(desired["usage_location"])
    desired["password"] = validate.text_field(spec.get("password"), "password")
    desired["force_change_password"] = spec.get("force_change_password", True) is not False
    return desired


class UserPlan(object):
    """What to do for one user: the action, the writes in order, and the views before and after."""

    def __init__(self, action, before, after, steps=()):
        self.action = action
        self.before = before
        self.after = after
        self.steps = list(steps)

    @property
    def diff(self):
        before = diff_view(self.before) if self.before else {}
        after = diff_view(self.after) if self.after else {}
        if any(step[0] == "reset_password" for step in self.steps):
            after["password"] = MASK
        return {"before": before, "after": after}


def plan_user(current, desired, update_password="on_create", restore=True):
    """Compare one user with what the task asks. ``current`` is the API's user (active or not) or None."""
    before = user_view(current) if current else None
    managed = dict((option, desired.get(option)) for option, _prop in FIELDS)
    if desired["state"] == "absent":
        if before is None or before["state"] == "inactive":
            return UserPlan("unchanged", before, before)
        return UserPlan("deleted", before, dict(before, state="inactive"), [("delete",)])

    if before is None:
        if not desired.get("password"):
            raise validate.InvalidInput("password is required to create user %s" % desired["user_principal_name"])
        if managed["display_name"] is None:
            managed["display_name"] = " ".join(part for part in (managed["first_name"], managed["last_name"])
                                               if part) or None
        after = dict(user_view({}), user_principal_name=desired["user_principal_name"], state="active",
                     **dict((key, value) for key, value in managed.items() if value is not None))
        return UserPlan("created", None, after, [("create", create_body(desired, managed))])

    steps = []
    action = "unchanged"
    if before["state"] == "inactive":
        if not restore:
            raise validate.InvalidInput(
                "user %s is soft-deleted; set restore: true to restore it (a new user with the same UPN cannot be "
                "created while the deleted one exists)" % desired["user_principal_name"])
        steps.append(("restore",))
        action = "restored"
    changes = changed_fields(before, managed, NORMALISERS)
    if changes:
        steps.append(("patch", dict((prop, changes[option]) for option, prop in FIELDS if option in changes)))
        action = "restored" if action == "restored" else "updated"
    if update_password == "always" and desired.get("password"):
        steps.append(("reset_password", password_body(desired)))
        action = "restored" if action == "restored" else "updated"
    after = dict(before, state="active", **changes)
    return UserPlan(action, before, after, steps)


def create_body(desired, managed):
    body = dict((prop, managed[option]) for option, prop in FIELDS if managed.get(option) is not None)
    body["userPrincipalName"] = desired["user_principal_name"]
    body.update(password_body(desired))
    return body


def password_body(desired):
    return {"passwordProfile": {"password": desired["password"],
                                "forceChangePassword": desired["force_change_password"]}}


def apply_plan(client, customer_id, plan, desired):
    """Send the plan's writes; return the user's view afterwards.

    A create answered "already exists" (a create whose first answer was lost, on a server that does not
    honour the request id) is re-read and converged instead of failing.
    """
    user = None
    user_id = plan.before["id"] if plan.before else None
    for step in plan.steps:
        kind = step[0]
        if kind == "create":
            try:
                user = client.create_user(customer_id, step[1])
            except ApiError as exc:
                if not exc.is_conflict:
                    raise
                existing = client.find_user(customer_id, desired["user_principal_name"])
                if existing is None:
                    raise
                converged = plan_user(existing, desired, "on_create", restore=True)
                return apply_plan(client, customer_id, converged, desired) if converged.steps else user_view(existing)
            if not (isinstance(user, dict) and user.get("id")):
                # A 2xx without the user (empty or not JSON): the user was written; read it back.
                user = client.find_user(customer_id, desired["user_principal_name"])
                if user is None:
                    raise ApiError("Partner Center answered the creation of user %s without the user, and the "
                                   "user cannot be read back; run the task again to converge"
                                   % desired["user_principal_name"])
            user_id = user.get("id")
        elif kind == "restore":
            user = client.restore_user(customer_id, user_id)
        elif kind in ("patch", "reset_password"):
            user = client.update_user(customer_id, user_id, step[1])
        elif kind == "delete":
            client.delete_user(customer_id, user_id)  # 204: the planned view is the answer
    return user_view(user) if user is not None else plan.after


class DomainCheck(object):
    """Whether the customer has the domain of a UPN that is about to be created.

    Partner Center refuses a user on a domain that is neither the customer's default domain nor one of
    its custom domains (documented: "the domain portion of the userPrincipalName property is invalid").
    The domains are read only when a user is to be created on a domain not named in
    ``expected_domains`` (the domains the same run adds first), at most once per task: the customer
    resource (its default and custom domains), then, when it does not name the domain, ``customDomains``.
    """

    def __init__(self, client, customer_id, expected_domains):
        self.client = client
        self.customer_id = customer_id
        self.known = set(validate.domain_name(domain, "expected_domains") for domain in expected_domains or [])
        self._customer_read = False
        self._custom_read = False

    def refusal(self, upn):
        """None when the UPN's domain is usable, else the message of the refusal."""
        domain = upn.rpartition("@")[2].lower()
        if domain in self.known:
            return None
        if not self._customer_read:
            self._customer_read = True
            customer = self.client.get_customer(self.customer_id)
            if customer is not None:
                self.known.update(self.client.customer_domain_names(customer))
        if domain not in self.known and not self._custom_read:
            self._custom_read = True
            self.known.update(self.client.custom_domain_names(self.customer_id))
        if domain in self.known:
            return None
        return ("user_principal_name %s: the domain %s is neither the default nor a custom domain of customer %s, "
                "so Partner Center would refuse the user; add the domain first (a domain the same run adds is "
                "listed in expected_domains)" % (upn, domain, self.customer_id))


def ensure_user(task):
    """``customer_user``: one user, read through every page of active, then deleted users."""
    params = task.params
    customer_id = validate.guid(params["customer_id"], "customer_id")
    desired = desired_user(params)
    domains = DomainCheck(task.client, customer_id, params.get("expected_domains"))
    access = UserAccess(task.client, customer_id, [params])
    current = task.client.find_user(customer_id, desired["user_principal_name"])
    plan = plan_user(current, desired, params["update_password"], params["restore"])
    if plan.action == "created":
        refusal = domains.refusal(desired["user_principal_name"])
        if refusal:
            raise validate.InvalidInput(refusal)
    access.prepare({desired["user_principal_name"].lower(): current} if current else {})
    access.attach(plan, desired)
    user = plan.after
    if plan.steps and not task.check_mode:
        user = access.apply(plan, apply_plan(task.client, customer_id, plan, desired))
    return task.outcome("user", plan.action, plan.diff["before"] or None, plan.diff["after"] or None,
                        resource=user)


def ensure_users(task):
    """``customer_users``: every user of a tenant from one read of its users, writes in parallel.

    Users are read once: every page of active users, then, only when a listed user is missing from them,
    every page of soft-deleted users.
    """
    params = task.params
    customer_id = validate.guid(params["customer_id"], "customer_id")
    concurrency = validate.int_range(params["concurrency"], "concurrency", 1, MAX_CONCURRENCY)
    desired_list = [desired_user(spec) for spec in params["users"]]
    if params.get("purge") and not desired_list and not params.get("purge_all"):
        raise validate.InvalidInput(
            "purge: true with no user listed in users would soft-delete every active user of the tenant, its "
            "admins included; set purge_all: true as well if that is what you mean")
    domains = DomainCheck(task.client, customer_id, params.get("expected_domains"))
    seen = set()
    for desired in desired_list:
        key = desired["user_principal_name"].lower()
        if key in seen:
            raise validate.InvalidInput("user %s is listed twice in users" % desired["user_principal_name"])
        seen.add(key)
    excludes = [pattern.lower() for pattern in params.get("purge_exclude") or []]
    access = UserAccess(task.client, customer_id, params["users"])

    client = task.client
    index = dict((user.get("userPrincipalName", "").lower(), user) for user in client.list_users(customer_id))
    # Soft-deleted users matter only for listed users that are not active: a re-run of a converged tenant
    # reads the active users alone.
    if any(d["state"] == "present" and d["user_principal_name"].lower() not in index for d in desired_list):
        for user in client.list_users(customer_id, deleted=True):
            index.setdefault(user.get("userPrincipalName", "").lower(), user)
    access.prepare(dict((key, index[key]) for key in seen if key in index), concurrency)

    work = []  # (upn, plan or error, desired)
    for desired in desired_list:
        try:
            plan = plan_user(index.get(desired["user_principal_name"].lower()), desired, params["update_password"],
                             params["restore"])
            refusal = domains.refusal(desired["user_principal_name"]) if plan.action == "created" else None
            if refusal:
                raise validate.InvalidInput(refusal)
            access.attach(plan, desired)
            work.append((desired["user_principal_name"], plan, desired))
        except validate.InvalidInput as exc:
            work.append((desired["user_principal_name"], exc, desired))
    if params.get("purge"):
        for key, user in sorted(index.items()):
            if key in seen or user.get("state") == "inactive" or any(fnmatch.fnmatch(key, p) for p in excludes):
                continue
            upn = user.get("userPrincipalName")
            work.append((upn, plan_user(user, {"user_principal_name": upn, "state": "absent"}), None))

    def run(item):
        upn, plan, desired = item
        if isinstance(plan, Exception):
            return upn, "failed", plan, None
        if not plan.steps or task.check_mode:
            return upn, plan.action, None, plan.after
        try:
            return upn, plan.action, None, access.apply(plan, apply_plan(client, customer_id, plan, desired or {}))
        except ApiError as exc:
            return upn, "failed", exc, plan.before
        except Exception as exc:  # pylint: disable=broad-except
            # One user's bug or unreadable answer is that user's failure: the others' outcomes are kept.
            return upn, "failed", UserFailure("%s: %s" % (type(exc).__name__, exc)), plan.before

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(run, work))
    diffs = dict((upn, plan.diff) for upn, plan, _desired in work if isinstance(plan, UserPlan))
    result = task.bulk_outcome(outcomes, "user_principal_name", "users", diffs=diffs)
    # Licenses and roles written (or that would be), compact, for reports: the users' views are large.
    written = set(upn for upn, action, _error, _resource in outcomes if action != "failed")
    result["access_changes"] = [change for change in (UserAccess.changes(upn, plan) for upn, plan, _d in work
                                                      if upn in written and isinstance(plan, UserPlan)) if change]
    return result


def list_users(task):
    params = task.params
    customer_id = validate.guid(params["customer_id"], "customer_id")
    wanted = params["user_principal_name"]
    if wanted is not None:
        wanted = validate.user_principal_name(wanted).lower()
    users = []
    for deleted in (False, True) if params["include_deleted"] else (False,):
        users.extend(user_view(user) for user in task.client.list_users(customer_id, deleted=deleted)
                     if wanted is None or (user.get("userPrincipalName") or "").lower() == wanted)
    return dict(changed=False, users=users)
