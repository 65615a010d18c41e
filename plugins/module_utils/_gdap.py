# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Granular delegated admin privileges (GDAP) through Microsoft Graph, in the partner's tenant.

Reads, writes and the desired state of ``gdap_relationship``, ``gdap_relationship_info`` and
``gdap_access_assignment``, and :func:`check_access`, the pre-flight check of onboarding.

Documented (Graph v1.0, "delegatedAdminRelationship", "delegatedAdminRelationshipRequest",
"delegatedAdminAccessAssignment"): relationships live at ``/tenantRelationships/delegatedAdminRelationships``
(``$filter``, ``$top`` up to 300, ``@odata.nextLink``); a new one is ``created`` and is sent to the customer
with the request ``lockForApproval`` (then ``approvalPending`` until the customer's admin approves it, then
``active``, ``expiring`` near its end, ``expired``, or ``terminated`` after the request ``terminate``); only a
``created`` relationship can be changed or deleted, except ``autoExtendDuration``, which can also change while
``active``; display names are unique across the partner's relationships and at most 50 characters; the
duration is P1D to P2Y; ``autoExtendDuration`` is PT0S (P0D) or P180D, and P180D is refused with the Global
Administrator role. Access assignments give a partner security group some of the relationship's roles;
PATCH and DELETE need ``If-Match`` with the object's ETag, and Graph answers 412 to a stale one.

This file is private to the collection.
"""

import datetime
import re
import time

from ansible_collections.csp.onboarding.plugins.module_utils import _entra_roles as roles_table
from ansible_collections.csp.onboarding.plugins.module_utils import _validators as validate
from ansible_collections.csp.onboarding.plugins.module_utils._graph import MAX_TOP, etag_of, quoted
from ansible_collections.csp.onboarding.plugins.module_utils._http import ApiError

RELATIONSHIPS = "/tenantRelationships/delegatedAdminRelationships"
APPROVAL_URL = "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/%s"
# Every status of delegatedAdminRelationshipStatus (documented), for the status filter of the _info module.
STATUSES = ("activating", "active", "approvalPending", "approved", "created", "expired", "expiring",
            "terminated", "terminating", "terminationRequested")
USABLE = ("active", "expiring")  # the relationship grants its roles
GONE = ("expired", "terminated", "terminating", "terminationRequested")
MAX_DISPLAY_NAME = 50
MIN_DAYS, MAX_DAYS = 1, 730
NO_AUTO_EXTEND = "PT0S"
AUTO_EXTEND_CHOICES = ("P180D", NO_AUTO_EXTEND)
ASSIGNMENT_GONE = ("deleting", "deleted")

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)W)?(?:(\d+)D)?$")
_ANY_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


# --- durations, dates ---------------------------------------------------------------------------------------


def duration_days(value, option="duration"):
    """The days of a relationship's duration given as ``P<n>D``, ``P<n>W`` or ``P<n>Y`` (combined or not).

    Months are refused: their length is not fixed. Assumed, undocumented: Graph counts a year as 365 days, as
    its documented bounds P730D and P2Y suggest.
    """
    text = value.strip().upper() if isinstance(value, str) else ""
    match = _DURATION.match(text)
    if not match or text == "P":
        raise validate.InvalidInput("%s must be an ISO 8601 duration in days, weeks or years from P1D to P730D (P2Y), "
                                    "such as P730D or P90D; got %r" % (option, value))
    years, weeks, days = (int(part or 0) for part in match.groups())
    total = years * 365 + weeks * 7 + days
    if not MIN_DAYS <= total <= MAX_DAYS:
        raise validate.InvalidInput("%s must be from P1D to P730D (P2Y); %s is %d days" % (option, value, total))
    return total


def read_duration_days(text):
    """Days of a duration Graph returned (any ISO 8601 form), or None when it cannot be read."""
    match = _ANY_DURATION.match((text or "").strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        return None
    years, months, weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = (((years * 365 + months * 30 + weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
    return total / 86400.0


def auto_extend_of(text):
    """``autoExtendDuration`` as the module spells it: P0D and PT0S (documented as the same) become PT0S."""
    days = read_duration_days(text) if text else 0
    if not days:
        return NO_AUTO_EXTEND
    return "P%dD" % days if days == int(days) else text


def parse_time(text):
    """Seconds since the epoch of a Graph DateTimeOffset (``2026-12-02T10:00:00.1234567Z``), or None."""
    if not text:
        return None
    match = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$", text.strip())
    if not match:
        return None
    moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    seconds = (moment - datetime.datetime(1970, 1, 1)).total_seconds()
    if match.group(2):
        seconds += float("0." + match.group(2))
    zone = match.group(3)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds


def odata_string(value):
    """A string literal of an OData ``$filter`` (a quote is doubled)."""
    return "'%s'" % str(value).replace("'", "''")


# --- views ------------------------------------------------------------------------------------------------


def _role_ids_of(item):
    details = (item or {}).get("accessDetails") or {}
    return [str(role.get("roleDefinitionId") or "").lower() for role in details.get("unifiedRoles") or []
            if isinstance(role, dict)]


def relationship_view(item):
    """A relationship as the modules return it (snake_case, roles with their names, the approval link)."""
    if not item:
        return None
    customer = item.get("customer") or {}
    return {
        "id": item.get("id"),
        "display_name": item.get("displayName"),
        "status": item.get("status"),
        "customer_id": (customer.get("tenantId") or "").lower() or None,
        "customer_display_name": customer.get("displayName"),
        "roles": roles_table.role_views(_role_ids_of(item)),
        "duration": item.get("duration"),
        "start_date_time": item.get("activatedDateTime"),
        "end_date_time": item.get("endDateTime"),
        "auto_extend_duration": auto_extend_of(item.get("autoExtendDuration")),
        "created_date_time": item.get("createdDateTime"),
        "approval_url": APPROVAL_URL % item.get("id") if item.get("id") else None,
    }


def relationship_fields(view):
    """The managed fields of a relationship (what the diff shows)."""
    if not view:
        return None
    return {
        "display_name": view["display_name"],
        "customer_id": view["customer_id"],
        "roles": sorted(role["name"] or role["id"] for role in view["roles"]),
        "duration": view["duration"],
        "auto_extend_duration": view["auto_extend_duration"],
        "status": view["status"],
    }


def assignment_view(item):
    if not item:
        return None
    container = item.get("accessContainer") or {}
    return {
        "id": item.get("id"),
        "status": item.get("status"),
        "security_group_id": (container.get("accessContainerId") or "").lower() or None,
        "roles": roles_table.role_views(_role_ids_of(item)),
    }


def assignment_fields(view):
    if not view:
        return None
    return {"security_group_id": view["security_group_id"],
            "roles": sorted(role["name"] or role["id"] for role in view["roles"])}


def _ids(view):
    return set(role["id"] for role in view["roles"])


# --- Graph calls ----------------------------------------------------------------------------------------------


class Gdap(object):
    """The GDAP calls of the partner tenant."""

    def __init__(self, graph):
        self.graph = graph

    # relationships

    def relationships(self, customer_id=None, statuses=None, display_name=None):
        """Every relationship matching the filters, all pages (``$top`` at its documented maximum)."""
        clauses = []
        if customer_id:
            # Assumed, undocumented: customer/tenantId and displayName can be filtered on (the reference
            # only says that $filter is supported); the caller matches again on what comes back.
            clauses.append("customer/tenantId eq %s" % odata_string(customer_id))
        if display_name:
            clauses.append("displayName eq %s" % odata_string(display_name))
        if statuses:
            clauses.append("(%s)" % " or ".join("status eq %s" % odata_string(status) for status in statuses))
        params = {"$top": MAX_TOP}
        if clauses:
            params["$filter"] = " and ".join(clauses)
        return list(self.graph.pages(RELATIONSHIPS, params))

    def relationship(self, relationship_id):
        return self.graph.get("%s/%s" % (RELATIONSHIPS, quoted(relationship_id)))

    def find(self, display_name):
        """The relationship with this display name (unique across the partner, compared without case)."""
        wanted = display_name.lower()
        for item in self.relationships(display_name=display_name):
            if (item.get("displayName") or "").lower() == wanted:
                return item
        return None

    def create(self, body):
        return self.graph.post(RELATIONSHIPS, body).data

    def update(self, relationship_id, body, etag):
        return self.graph.patch("%s/%s" % (RELATIONSHIPS, quoted(relationship_id)), body, etag).data

    def delete(self, relationship_id, etag):
        return self.graph.delete("%s/%s" % (RELATIONSHIPS, quoted(relationship_id)), etag)

    def request(self, relationship_id, action):
        """``lockForApproval`` or ``terminate`` (a delegatedAdminRelationshipRequest)."""
        return self.graph.post("%s/%s/requests" % (RELATIONSHIPS, quoted(relationship_id)), {"action": action}).data

    # access assignments

    def _assignments_path(self, relationship_id):
        return "%s/%s/accessAssignments" % (RELATIONSHIPS, quoted(relationship_id))

    def assignments(self, relationship_id):
        return list(self.graph.pages(self._assignments_path(relationship_id)))

    def assignment(self, relationship_id, assignment_id):
        return self.graph.get("%s/%s" % (self._assignments_path(relationship_id), quoted(assignment_id)))

    def find_assignment(self, relationship_id, group_id):
        """The relationship's assignment for a security group (one per group), ignoring deleted ones."""
        for item in self.assignments(relationship_id):
            view = assignment_view(item)
            if view["security_group_id"] == group_id and view["status"] not in ASSIGNMENT_GONE:
                return item
        return None

    def create_assignment(self, relationship_id, group_id, role_ids):
        body = {"accessContainer": {"accessContainerId": group_id, "accessContainerType": "securityGroup"},
                "accessDetails": unified_roles(role_ids)}
        return self.graph.post(self._assignments_path(relationship_id), body).data

    def update_assignment(self, relationship_id, assignment_id, role_ids, etag):
        path = "%s/%s" % (self._assignments_path(relationship_id), quoted(assignment_id))
        return self.graph.patch(path, {"accessDetails": unified_roles(role_ids)}, etag)

    def delete_assignment(self, relationship_id, assignment_id, etag):
        return self.graph.delete("%s/%s" % (self._assignments_path(relationship_id), quoted(assignment_id)), etag)


def unified_roles(role_ids):
    return {"unifiedRoles": [{"roleDefinitionId": role} for role in role_ids]}


def _unanswered(exc):
    """A write whose answer was lost or was a server error: it may have been applied, so read back."""
    return exc.status is None or exc.status >= 500


# --- validation ----------------------------------------------------------------------------------------------


def display_name_of(params):
    name = params.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise validate.InvalidInput("display_name must not be empty")
    return validate.text_field(name, "display_name", MAX_DISPLAY_NAME)


def validated_relationship(params):
    """The desired relationship from the options, every check done before any request."""
    desired = {"customer_id": validate.guid(params["customer_id"], "customer_id"),
               "display_name": display_name_of(params), "state": params["state"]}
    if params["state"] == "absent":
        return desired
    if not params.get("roles"):
        raise validate.InvalidInput("roles must list at least one role to create a relationship")
    role_ids = roles_table.role_ids(params["roles"], "roles")
    days = duration_days(params.get("duration") or "P730D", "duration")
    auto_extend = params.get("auto_extend_duration") or "P180D"
    if auto_extend not in AUTO_EXTEND_CHOICES:
        raise validate.InvalidInput("auto_extend_duration must be one of %s, got %r"
                                    % (", ".join(AUTO_EXTEND_CHOICES), auto_extend))
    if auto_extend != NO_AUTO_EXTEND and roles_table.GLOBAL_ADMINISTRATOR in role_ids:
        raise validate.InvalidInput("auto_extend_duration must be PT0S when roles include Global Administrator: "
                                    "Microsoft does not extend relationships with that role automatically")
    desired.update(role_ids=role_ids, days=days, duration="P%dD" % days, auto_extend_duration=auto_extend)
    return desired


# --- gdap_relationship_info and the pre-flight check ------------------------------------------------------


def relationships_info(task):
    """``gdap_relationship_info``: the relationships, and with ``required_roles`` the check of one customer."""
    params = task.params
    customer_id = validate.guid(params["customer_id"], "customer_id") if params.get("customer_id") else None
    statuses = params.get("status") or []
    display_name = params.get("display_name")
    required = params.get("required_roles")
    if required is not None:
        if not customer_id:
            raise validate.InvalidInput("required_roles needs customer_id: the check is made for one customer")
        required_ids = roles_table.role_ids(required, "required_roles")
        min_days = params.get("min_days_left")
        if min_days is None or min_days < 0:
            raise validate.InvalidInput("min_days_left must be 0 or more, got %r" % (min_days,))
    gdap = Gdap(task.graph())
    # With required_roles, one read of every status of the customer serves both answers.
    items = gdap.relationships(customer_id=customer_id, display_name=display_name,
                               statuses=None if required is not None else statuses)
    views = [relationship_view(item) for item in items]
    if customer_id:
        views = [view for view in views if view["customer_id"] == customer_id]
    if display_name:
        views = [view for view in views if (view["display_name"] or "").lower() == display_name.lower()]
    result = dict(changed=False)
    if required is not None:
        result["check"] = evaluate_access(views, customer_id, required_ids, min_days)
    wanted = set(status.lower() for status in statuses)
    result["relationships"] = [view for view in views if not wanted or (view["status"] or "").lower() in wanted]
    return result


def check_access(graph, customer_id, required_roles, min_days_left=30, now=None):
    """The pre-flight check of onboarding: does an active relationship with ``customer_id`` grant ``required_roles``
    and end more than ``min_days_left`` days from now?

    One Graph read per tenant: the customer's relationships with ``$filter`` on ``customer/tenantId`` (one page
    of up to 300). Chosen over one partner-wide read because its cost does not grow with the partner's customers
    (a partner-wide read is one page per 300 relationships, for every host unless shared through a file), it
    needs no state shared between hosts (AWX job slicing runs hosts in separate jobs), and it is always fresh.

    ``required_roles`` are names or ids. Returns the dict of :func:`evaluate_access`.
    """
    required_ids = roles_table.role_ids(required_roles, "required_roles")
    items = Gdap(graph).relationships(customer_id=customer_id)
    views = [relationship_view(item) for item in items]
    return evaluate_access([view for view in views if view["customer_id"] == customer_id.lower()],
                           customer_id.lower(), required_ids, min_days_left, now)


def _days_left(view, now):
    end = parse_time(view.get("end_date_time"))
    return None if end is None else (end - now) / 86400.0


def _auto_extends(view):
    return view["auto_extend_duration"] != NO_AUTO_EXTEND and \
        roles_table.GLOBAL_ADMINISTRATOR not in _ids(view)


def evaluate_access(views, customer_id, required_ids, min_days_left, now=None):
    """The check on relationships already read (pure): which relationship covers the roles, or why none does.

    Returns ``covered`` (bool), ``status`` (of the relationship reported, ``none`` without any),
    ``end_date_time``, ``days_left``, ``missing_roles`` (names), ``relationship`` (the covering one, else the
    closest: a pending invitation that covers the roles, then an active one, then the latest), ``approval_url``
    and, when not covered, ``msg``: a sentence naming the missing roles and the status.
    """
    now = time.time() if now is None else now
    required = set(required_ids)

    def covers(view):
        return required <= _ids(view)

    def days(view):
        left = _days_left(view, now)
        return left if left is not None else -1.0

    def lasting(view):
        # A relationship that auto-extends (P180D, without Global Administrator) does not run out.
        return _auto_extends(view) or days(view) > min_days_left

    usable = [view for view in views if view["status"] in USABLE]
    covering = sorted([view for view in usable if covers(view) and lasting(view)], key=days, reverse=True)
    pending = [view for view in views if view["status"] in ("approvalPending", "approved", "activating")
               and covers(view)]
    ending = sorted([view for view in usable if covers(view)], key=days, reverse=True)
    partial = sorted(usable, key=lambda view: (len(required & _ids(view)), days(view)), reverse=True)
    latest = sorted(views, key=lambda view: (view.get("end_date_time") or "", view.get("created_date_time") or ""),
                    reverse=True)
    chosen = (covering or pending or ending or partial or latest or [None])[0]

    missing = [role for role in required_ids if chosen is None or chosen["status"] not in USABLE
               or role not in _ids(chosen)]
    left = _days_left(chosen, now) if chosen else None
    result = {
        "customer_id": customer_id,
        "covered": bool(covering),
        "status": chosen["status"] if chosen else "none",
        "end_date_time": chosen["end_date_time"] if chosen else None,
        "days_left": int(left) if left is not None else None,
        "auto_extends": _auto_extends(chosen) if chosen else False,
        "missing_roles": roles_table.describe(missing),
        "required_roles": roles_table.describe(required_ids),
        "relationship": chosen,
        "approval_url": chosen["approval_url"] if chosen and chosen["status"] == "approvalPending" else None,
    }
    if covering:
        result["missing_roles"] = []
        return result
    names = ", ".join(roles_table.describe(required_ids))
    if chosen is None:
        result["msg"] = ("Customer %s has no GDAP relationship with the partner: an active one granting %s is needed"
                         % (customer_id, names))
    elif chosen in pending:
        result["msg"] = ("The GDAP relationship '%s' with customer %s is %s: the customer's admin must approve it at "
                         "%s" % (chosen["display_name"], customer_id, chosen["status"], chosen["approval_url"]))
    elif chosen in ending:
        result["msg"] = ("The GDAP relationship '%s' with customer %s ends in %s days (%s), not more than "
                         "min_days_left %d, and does not extend automatically: extend it or invite anew"
                         % (chosen["display_name"], customer_id, result["days_left"], chosen["end_date_time"],
                            min_days_left))
    else:
        result["msg"] = ("No active GDAP relationship with customer %s grants %s (relationship '%s' is %s%s)"
                         % (customer_id, ", ".join(result["missing_roles"]), chosen["display_name"],
                            chosen["status"], "" if chosen["status"] not in USABLE else
                            ", without these roles"))
    return result


# --- gdap_relationship -------------------------------------------------------------------------------------


def _refuse_other_customer(view, desired):
    if view["customer_id"] and view["customer_id"] != desired["customer_id"]:
        raise validate.InvalidInput(
            "display_name %r is the GDAP relationship %s with customer %s, not %s: display names are unique across "
            "the partner's relationships; choose another one"
            % (desired["display_name"], view["id"], view["customer_id"], desired["customer_id"]))


def ensure_relationship(task):
    """``gdap_relationship``: present (created and locked for the customer's approval) or absent (terminated)."""
    desired = validated_relationship(task.params)
    gdap = Gdap(task.graph())
    for attempt in (1, 2):
        try:
            return _converge_relationship(task, gdap, desired)
        except ApiError as exc:
            # Someone changed the relationship between our read and our write: read again, once.
            if exc.status != 412 or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _create_body(desired):
    return {"displayName": desired["display_name"], "duration": desired["duration"],
            "customer": {"tenantId": desired["customer_id"]},
            "accessDetails": unified_roles(desired["role_ids"]),
            "autoExtendDuration": desired["auto_extend_duration"]}


def _converge_relationship(task, gdap, desired):
    current = gdap.find(desired["display_name"])
    view = relationship_view(current)
    before = relationship_fields(view)
    if view is not None:
        _refuse_other_customer(view, desired)

    if desired["state"] == "absent":
        return _terminate(task, gdap, current, view, before)

    if view is None:
        after_view = dict(relationship_view(dict(_create_body(desired), id=None)), status="approvalPending",
                          approval_url=None, customer_display_name=None)
        if not task.check_mode:
            created = _create(gdap, desired)
            after_view = _lock(gdap, created)
        return task.outcome("relationship", "created", None, relationship_fields(after_view), resource=after_view)

    if view["status"] in GONE:
        raise validate.InvalidInput(
            "display_name %r is the GDAP relationship %s, which is %s; display names stay taken by ended "
            "relationships: choose another display_name to invite the customer again"
            % (desired["display_name"], view["id"], view["status"]))

    role_diff = _ids(view) != set(desired["role_ids"])
    days = read_duration_days(view["duration"])
    duration_diff = days is None or int(round(days)) != desired["days"]
    auto_extend_diff = view["auto_extend_duration"] != desired["auto_extend_duration"]

    if view["status"] == "created":
        # Not sent to the customer yet (a run stopped between create and lock): still editable, then locked.
        changes = {}
        if role_diff:
            changes["accessDetails"] = unified_roles(desired["role_ids"])
        if duration_diff:
            changes["duration"] = desired["duration"]
        if auto_extend_diff:
            changes["autoExtendDuration"] = desired["auto_extend_duration"]
        after_view = dict(view, status="approvalPending", duration=desired["duration"] if duration_diff else
                          view["duration"], auto_extend_duration=desired["auto_extend_duration"],
                          roles=roles_table.role_views(desired["role_ids"]))
        if not task.check_mode:
            item = current
            if changes:
                item = gdap.update(view["id"], changes, etag_of(current)) or gdap.relationship(view["id"])
            after_view = _lock(gdap, item)
        return task.outcome("relationship", "updated", before, relationship_fields(after_view), resource=after_view)

    if role_diff or duration_diff:
        what = []
        if role_diff:
            what.append("roles %s (asked: %s)" % (", ".join(sorted(before["roles"])) or "none",
                                                  ", ".join(sorted(roles_table.describe(desired["role_ids"])))))
        if duration_diff:
            what.append("duration %s (asked: %s)" % (view["duration"], desired["duration"]))
        raise validate.InvalidInput(
            "The GDAP relationship %r (%s) is %s with %s: the roles and duration of a relationship cannot change once "
            "it is locked for approval. Invite the customer with a new relationship under another display_name, "
            "and terminate this one if it is no longer needed"
            % (desired["display_name"], view["id"], view["status"], " and ".join(what)))

    if auto_extend_diff:
        if view["status"] not in ("active",):
            raise validate.InvalidInput(
                "auto_extend_duration of the GDAP relationship %r can change only while it is active; it is %s"
                % (desired["display_name"], view["status"]))
        after_view = dict(view, auto_extend_duration=desired["auto_extend_duration"])
        if not task.check_mode:
            updated = gdap.update(view["id"], {"autoExtendDuration": desired["auto_extend_duration"]},
                                  etag_of(current))
            after_view = relationship_view(updated or gdap.relationship(view["id"]))
        return task.outcome("relationship", "updated", before, relationship_fields(after_view), resource=after_view)

    return task.outcome("relationship", "unchanged", before, before, resource=view)


def _create(gdap, desired):
    """POST the relationship; a lost answer is converged by reading it back by its display name."""
    try:
        return gdap.create(_create_body(desired))
    except ApiError as exc:
        if not (_unanswered(exc) or exc.is_conflict):
            raise
        found = gdap.find(desired["display_name"])
        view = relationship_view(found)
        if view is None or view["customer_id"] != desired["customer_id"] or view["status"] != "created" \
                or _ids(view) != set(desired["role_ids"]):
            raise
        return found


def _lock(gdap, item):
    """``lockForApproval``: the relationship goes to the customer; returns its view (``approvalPending``)."""
    relationship_id = item["id"]
    try:
        gdap.request(relationship_id, "lockForApproval")
    except ApiError as exc:
        if not _unanswered(exc):
            raise
        read = relationship_view(gdap.relationship(relationship_id))
        if read is None or read["status"] == "created":
            raise
        return read
    # Documented: a locked relationship is approvalPending; the request's answer is the request, not the
    # relationship, so the view is built from what was read or created.
    return dict(relationship_view(item), status="approvalPending")


def _terminate(task, gdap, current, view, before):
    if view is None or view["status"] in GONE:
        return task.outcome("relationship", "unchanged", before, before, resource=view or {})
    if view["status"] not in ("created",) + USABLE:
        raise validate.InvalidInput(
            "The GDAP relationship %r is %s: Graph terminates active relationships and deletes unsent ones; this one "
            "waits for the customer, who can decline it (an unapproved invitation expires after 90 days)"
            % (view["display_name"], view["status"]))
    after_view = dict(view, status="terminated")
    if not task.check_mode:
        if view["status"] == "created":
            # Never sent to the customer: deleted outright (documented for the status created only).
            gdap.delete(view["id"], etag_of(current))
            after_view = dict(view, status="deleted")
        else:
            try:
                gdap.request(view["id"], "terminate")
            except ApiError as exc:
                if not _unanswered(exc):
                    raise
            # Graph may show terminationRequested or terminating for a while: the result says what it shows.
            read = relationship_view(gdap.relationship(view["id"]))
            if read is None or read["status"] not in GONE:
                raise ApiError("The GDAP relationship %r was not terminated: Graph shows it %s"
                               % (view["display_name"], read["status"] if read else "missing"))
            after_view = read
    elif view["status"] == "created":
        after_view = dict(view, status="deleted")
    return task.outcome("relationship", "deleted", before, relationship_fields(after_view), resource=after_view)


# --- gdap_access_assignment ------------------------------------------------------------------------------------


def ensure_access_assignment(task):
    """``gdap_access_assignment``: a partner security group holds exactly ``roles`` through a relationship."""
    params = task.params
    relationship_id = params.get("relationship_id")
    if not isinstance(relationship_id, str) or not re.match(r"^[0-9A-Za-z-]{1,200}$", relationship_id.strip()):
        raise validate.InvalidInput("relationship_id must be the id of a GDAP relationship (as "
                                    "gdap_relationship_info returns it), got %r" % (relationship_id,))
    relationship_id = relationship_id.strip()
    group_id = validate.guid(params["security_group_id"], "security_group_id")
    role_ids = None
    if params["state"] == "present":
        if not params.get("roles"):
            raise validate.InvalidInput("roles must list at least one role of the relationship")
        role_ids = roles_table.role_ids(params["roles"], "roles")
    gdap = Gdap(task.graph())
    relationship = relationship_view(gdap.relationship(relationship_id))
    if relationship is None:
        raise validate.InvalidInput("relationship_id %s: the partner has no GDAP relationship with this id"
                                    % relationship_id)
    if role_ids is not None:
        extra = [role for role in role_ids if role not in _ids(relationship)]
        if extra:
            raise validate.InvalidInput(
                "roles %s are not granted by the GDAP relationship %r (%s), which grants %s: an access assignment "
                "can only give roles of its relationship"
                % (", ".join(roles_table.describe(extra)), relationship["display_name"], relationship_id,
                   ", ".join(roles_table.describe(sorted(_ids(relationship))))))
        if relationship["status"] not in USABLE:
            raise validate.InvalidInput(
                "The GDAP relationship %r (%s) is %s: access can be assigned once the customer has approved it%s"
                % (relationship["display_name"], relationship_id, relationship["status"],
                   " at %s" % relationship["approval_url"] if relationship["status"] == "approvalPending" else ""))
    for attempt in (1, 2):
        try:
            return _converge_assignment(task, gdap, relationship_id, group_id, role_ids)
        except ApiError as exc:
            # A stale ETag (412): the assignment changed since it was read. Read it again, once.
            if exc.status != 412 or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _converge_assignment(task, gdap, relationship_id, group_id, role_ids):
    current = gdap.find_assignment(relationship_id, group_id)
    view = assignment_view(current)
    before = assignment_fields(view)

    if role_ids is None:  # absent
        if view is None:
            return task.outcome("access_assignment", "unchanged", None, None, resource={})
        if not task.check_mode:
            gdap.delete_assignment(relationship_id, view["id"], etag_of(current))
        return task.outcome("access_assignment", "deleted", before, None, resource=dict(view, status="deleted"))

    wanted = {"id": view["id"] if view else None, "status": "pending", "security_group_id": group_id,
              "roles": roles_table.role_views(role_ids)}
    if view is None:
        after_view = wanted
        if not task.check_mode:
            after_view = assignment_view(_create_assignment(gdap, relationship_id, group_id, role_ids))
        return task.outcome("access_assignment", "created", None, assignment_fields(after_view), resource=after_view)

    if _ids(view) == set(role_ids):
        return task.outcome("access_assignment", "unchanged", before, before, resource=view)

    after_view = wanted
    if not task.check_mode:
        answer = gdap.update_assignment(relationship_id, view["id"], role_ids, etag_of(current))
        # Documented: usually 202 Accepted (a long-running operation) without a body; 200 with the object.
        if answer.data and answer.data.get("id"):
            after_view = assignment_view(answer.data)
    return task.outcome("access_assignment", "updated", before, assignment_fields(after_view), resource=after_view)


def _create_assignment(gdap, relationship_id, group_id, role_ids):
    try:
        return gdap.create_assignment(relationship_id, group_id, role_ids)
    except ApiError as exc:
        if not (_unanswered(exc) or exc.is_conflict):
            raise
        found = gdap.find_assignment(relationship_id, group_id)
        if found is None or _ids(assignment_view(found)) != set(role_ids):
            raise
        return found
