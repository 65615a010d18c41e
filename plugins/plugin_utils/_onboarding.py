# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding of one tenant, whole, in one task: the action of the module ``tenant_onboarding``.

The role ``tenant_onboarding`` runs this one task per tenant. Its steps are the collection's modules (customer
or customer_info, customer_agreement, gdap_relationship_info, gdap_relationship, gdap_access_assignment,
verified_domain or customer_domain, customer_users, aps_bypass_validation), each run as its own task would run
it: its ``module_defaults`` (action groups included), its argument spec, its ``CspTask`` (check mode, diff,
``changed``, masking, errors). What the one task saves, measured in ``benchmarks/``: ansible-core's cost of a
task per host and step (a worker process, templating, callbacks, results: some 50 ms of controller CPU each,
more than the HTTP work of most steps) and a TLS handshake per step, since the steps that share connection
options share their clients here.

:func:`onboarding_outcome` turns the steps' results into the tenant's compact outcome; the filter
``csp.onboarding.onboarding_outcome`` exposes it to playbooks that run the modules themselves.

This file is private to the collection.
"""

import importlib
import re
import uuid

from ansible_collections.csp.onboarding.plugins.module_utils._compare import SecretMasker
from ansible_collections.csp.onboarding.plugins.module_utils._connection import OPTIONS, Connections
from ansible_collections.csp.onboarding.plugins.module_utils._module import CspTask, missing_library
from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import (
    ControllerAction, CoreInternals, module_definition, plain, validated_arguments)

# A GDAP relationship in these statuses waits for the customer's approval.
WAITING = ("created", "approvalPending", "approved", "activating")
DOMAIN_ITEM = "tenant_onboarding_domain"
ASSIGNMENT_ITEM = "tenant_onboarding_assignment"


def _dict(value):
    return value if isinstance(value, dict) else {}


def _items(loop_result):
    return [item for item in _dict(loop_result).get("results") or [] if isinstance(item, dict)]


def _item_name(item, key="name"):
    return _dict(item.get(DOMAIN_ITEM)).get(key)


def _predicted_for_new_customer(settings):
    """Check mode of a customer still to be created: nothing exists to read, so everything listed is new."""
    present = [user for user in settings.get("users") or [] if (user.get("state") or "present") == "present"]
    access = []
    for user in present:
        change = {"user_principal_name": user["user_principal_name"]}
        if user.get("licenses") is not None:
            change.update(licenses_assigned=[entry["sku"] for entry in user["licenses"]], licenses_removed=[])
        if user.get("directory_roles") is not None:
            change.update(roles_added=list(user["directory_roles"]), roles_removed=[])
        if user.get("licenses") or user.get("directory_roles"):
            access.append(change)
    users = {"changed": bool(present), "created": [user["user_principal_name"] for user in present],
             "access_changes": access}
    domains = [{"action": "created", DOMAIN_ITEM: domain} for domain in settings.get("domains") or []]
    return users, domains


def onboarding_outcome(steps, settings):
    if not isinstance(steps, dict) or not isinstance(settings, dict):
        raise TypeError("onboarding_outcome takes the steps' results and the settings, both dicts")
    create = _dict(steps.get("create"))
    lookup = _dict(steps.get("lookup"))
    found = (lookup.get("customers") or [{}])[0]
    agreement = _dict(steps.get("agreement"))
    gdap = _dict(steps.get("gdap"))
    check = _dict(gdap.get("check"))
    invite = _dict(steps.get("invite"))
    assignments = [item for item in _items(steps.get("assignments")) if "action" in item]
    domain_items = _items(steps.get("domains")) + _items(steps.get("graph_domains"))
    users = _dict(steps.get("users"))
    bypass = _dict(steps.get("bypass"))
    failure = _dict(steps.get("failure"))
    tenant_id = settings.get("tenant_id") or None
    agreement_wanted = bool(settings.get("agreement"))

    if settings.get("check_mode") and create.get("action") == "created" and not tenant_id:
        users, domain_items = _predicted_for_new_customer(settings)
        if agreement_wanted:
            agreement = {"action": "created", "changed": True}

    records, pending = [], []
    for item in domain_items:
        if item.get("verification_dns_records"):
            pending.append(_item_name(item))
            records.extend(dict(record, domain=_item_name(item)) for record in item["verification_dns_records"])
    held_back = []
    pattern = settings.get("held_back_pattern")
    if pattern and users:
        for user in settings.get("users") or []:
            upn = user["user_principal_name"]
            if re.search(pattern, upn):
                held_back.append({"user_principal_name": upn, "reason": (
                    "its domain %s is not verified yet: publish its DNS records (dns_records) and run again"
                    % upn.split("@")[-1])})

    def named(action):
        return [_item_name(item) for item in domain_items if item.get("action") == action]

    created_domains = named("created")
    relationship = _dict(invite.get("relationship")) or _dict(check.get("relationship"))
    awaiting = _dict(invite.get("relationship")).get("status") in WAITING
    status = "failed" if failure else ("awaiting_approval" if awaiting else "ok")
    domains = {
        "created": created_domains,
        "unchanged": named("unchanged"),
        "failed": [_item_name(item) for item in domain_items if item.get("failed")],
    }
    if settings.get("domain_method") == "graph":
        domains.update(method="graph", pending_verification=pending, dns_records=records)
    return {
        "customer_id": tenant_id,
        "company_name": _dict(create.get("customer")).get("company_name", found.get("company_name")),
        "status": status,
        "changed": bool(create.get("changed") or agreement.get("changed") or invite.get("changed")
                        or any(item.get("changed") for item in assignments) or created_domains or named("verified")
                        or users.get("changed") or bypass.get("changed")),
        "customer": {
            "action": create.get("action") or ("found" if found else "not run"),
            "admin_user_name": create.get("admin_user_name"),
            "admin_credentials_path": create.get("admin_credentials_path"),
        },
        "agreement": {"action": agreement.get("action") or (
            "skipped" if agreement.get("skipped") or not agreement_wanted else "not run")},
        "gdap": {} if not check else {
            "status": "awaiting_approval" if awaiting else check.get("status"),
            "covered": check.get("covered"),
            "relationship": relationship.get("display_name"),
            "relationship_id": relationship.get("id"),
            "end_date_time": relationship.get("end_date_time"),
            "days_left": check.get("days_left"),
            "missing_roles": check.get("missing_roles"),
            "invitation": invite.get("action"),
            "approval_url": relationship.get("approval_url") or check.get("approval_url"),
            "access_assignments": ["%s: %s" % (_dict(item.get(ASSIGNMENT_ITEM)).get("security_group_id"),
                                               item["action"]) for item in assignments],
        },
        "domains": domains,
        "users": {
            "created": users.get("created") or [],
            "updated": users.get("updated") or [],
            "restored": users.get("restored") or [],
            "deleted": users.get("deleted") or [],
            "unchanged": users.get("unchanged") or [],
            "failed": users.get("failed_users") or [],
            "held_back": held_back,
            "access_changes": users.get("access_changes") or [],
        },
        "aps_bypass": {
            "action": bypass.get("action") or ("skipped" if bypass.get("skipped") else "not run"),
            "aps_id": _dict(bypass.get("bypass")).get("aps_id"),
        },
        "failure": failure or None,
        "correlation_ids": {
            "customer": create.get("ms_correlation_id") or lookup.get("ms_correlation_id"),
            "gdap": gdap.get("ms_correlation_id"),
            "domains": [item["ms_correlation_id"] for item in domain_items if item.get("ms_correlation_id")],
            "users": users.get("ms_correlation_id"),
            "aps_bypass": bypass.get("ms_correlation_id"),
        },
    }


# The steps, named as the role named its tasks: a failure names its step, and reports and runbooks quote them.
CREATE = "Create the customer, or find it by its initial domain"
LOOKUP = "Check that the customer exists"
AGREEMENT = "Attest the Microsoft Customer Agreement"
GDAP = "Check the GDAP relationship"
INVITE = "Invite the customer to a GDAP relationship"
ASSIGN = "Assign the GDAP roles to the partner's security groups"
DOMAINS = "Add the verified domains"
GRAPH_DOMAINS = "Add the domains through Microsoft Graph"
USERS = "Converge the users in one module run"
BYPASS = "Bypass the CloudBlue Commerce ownership validation"

# The modules the steps run. Imported here, when ansible-core loads this action plugin in its main process, so that
# the forked workers inherit them, with the libraries the steps use (measured: some 15 ms of CPU per tenant when
# each worker imported them itself).
STEP_MODULES = ("customer", "customer_info", "customer_agreement", "gdap_relationship_info", "gdap_relationship",
                "gdap_access_assignment", "verified_domain", "customer_domain", "customer_users",
                "aps_bypass_validation")
for _name in STEP_MODULES:
    module_definition("csp.onboarding." + _name)
for _library in ("msal", "requests_oauthlib"):
    try:
        importlib.import_module(_library)
    except ImportError:  # a step that needs it says so
        pass

# A placeholder for an ID that an earlier step returns, when every step's arguments are validated up front.
FROM_AN_EARLIER_STEP = "from-an-earlier-step"


class StepFailed(Exception):
    """A step failed: the tenant's failure, already shaped for its outcome."""

    def __init__(self, failure):
        super(StepFailed, self).__init__(failure["msg"])
        self.failure = failure


def _failure(step, result=None, items=(), label=None, msg=None):
    """The ``failure`` of the outcome: the step, a message of its own, and the ids of the first failed call."""
    result = result or {}
    failed_items = [item for item in items if item.get("failed")]
    if failed_items:
        msg = "; ".join("%s: %s" % (label(item), item.get("msg") or "failed") for item in failed_items)
    first = (failed_items or result.get("failed_users") or [result])[0]
    return dict(step=step, msg=msg or result.get("msg") or "failed", status=first.get("status"), code=first.get("code"),
                ms_request_id=first.get("ms_request_id"),
                ms_correlation_id=first.get("ms_correlation_id") or result.get("ms_correlation_id"))


class TenantOnboardingAction(ControllerAction):
    """The action of ``tenant_onboarding``: the role's steps, in its order, in one task."""

    MODULE = "csp.onboarding.tenant_onboarding"
    ON_THE_CONTROLLER = "runs on the controller: set connection: local for its task (the tenant's APIs are reached " \
                        "from there)"

    def run(self, tmp=None, task_vars=None):
        result = super(TenantOnboardingAction, self).run(tmp, task_vars or {})
        params, failure = self.checked_arguments(result)
        if failure is not None:
            return failure
        if not params["customer_id"] and not params["customer"]:
            return dict(result, failed=True, msg="Set customer_id (the role's tenant_onboarding_customer_id), or "
                        "customer (tenant_onboarding_customer) to create the customer.")
        missing = missing_library("partner_center", {})
        if missing:
            return dict(result, failed=True, **missing)
        # The task's environment: reaches the steps' env fallbacks, as for the in-process modules.
        CoreInternals.apply_task_environment(self)
        result.update(TenantRun(self, params).run())
        return result

    def step_arguments(self, module, args):
        """What a task of ``module`` with ``args`` would receive: its module_defaults, then ``args``."""
        return CoreInternals.module_args_with_defaults(self, "csp.onboarding." + module, plain(args))


class TenantRun(object):
    """One tenant's steps: arguments validated up front, shared clients, one outcome."""

    def __init__(self, action, params):
        self.action = action
        self.params = params
        self.check_mode = bool(action._task.check_mode)
        self.diff = bool(action._task.diff)
        self.correlation_id = str(uuid.uuid4())
        self.secret_values = set()
        self.connections = {}
        self.steps = {}
        self.diffs = []
        self.warnings = []

    # --- running one step --------------------------------------------------------------------------------

    def validated(self, module, args):
        definition = module_definition("csp.onboarding." + module)
        params, no_log_values, failure, notes = validated_arguments(
            definition, self.action.step_arguments(module, args), "csp.onboarding." + module)
        self.secret_values.update(no_log_values)
        return definition, params, no_log_values, failure, notes

    def shared_connections(self, connection, params):
        # The steps with the same connection options share clients (and so connections and tokens in memory).
        key = (connection,) + tuple(repr(params.get(option.name)) for option in OPTIONS[connection])
        if key not in self.connections:
            self.connections[key] = Connections(params, self.correlation_id)
        return self.connections[key]

    def step(self, module, args, header=None):
        """Run one module as its own task would; its result, failed or not."""
        definition, params, no_log_values, failure, notes = self.validated(module, args)
        if failure is not None:
            return failure
        task = CspTask(params, definition.connection, check_mode=self.check_mode, diff=self.diff,
                       secret_keys=definition.secret_keys, secret_values=no_log_values,
                       connections=self.shared_connections(definition.connection, params))
        failure, outcome = task.execute(definition.work)
        result = dict(failure, failed=True) if failure is not None else outcome
        self.warnings.extend(result.pop("warnings", []) + notes.get("warnings", []))
        diff = result.pop("diff", None)
        if diff:
            for entry in diff if isinstance(diff, list) else [diff]:
                name = entry.get("before_header") or header
                title = "%s: %s" % (module, name) if name else module
                self.diffs.append(dict(entry, before_header=title, after_header=title))
        return result

    # --- the tenant ---------------------------------------------------------------------------------------

    def plan(self):
        """Every step's arguments, validated before the first request (IDs of earlier steps as placeholders)."""
        params = self.params
        tenant_id = params["customer_id"] or FROM_AN_EARLIER_STEP
        gdap = params["gdap"] or {}
        planned = []
        if params["customer"]:
            planned.append((CREATE, "customer", params["customer"]))
        if params["agreement"]:
            planned.append((AGREEMENT, "customer_agreement", dict(params["agreement"], customer_id=tenant_id)))
        if gdap.get("relationship"):
            planned.append((INVITE, "gdap_relationship", self.invitation(tenant_id)))
        for assignment in gdap.get("access_assignments") or []:
            planned.append((ASSIGN, "gdap_access_assignment", self.assignment(FROM_AN_EARLIER_STEP, assignment)))
        for domain in params["domains"]:
            planned.append(self.domain_step(tenant_id, domain))
        if params["users"]:
            planned.append((USERS, "customer_users", self.users(tenant_id, params["users"])))
        if params["aps_bypass"]:
            planned.append((BYPASS, "aps_bypass_validation", self.bypass(tenant_id)))
        for step, module, args in planned:
            failure = self.validated(module, args)[3]
            if failure is not None:
                raise StepFailed(_failure(step, msg="%s (nothing was written to the tenant)" % failure["msg"]))

    def invitation(self, tenant_id):
        gdap = self.params["gdap"]
        relationship = gdap["relationship"]
        args = dict(customer_id=tenant_id, display_name=relationship.get("display_name"),
                    roles=relationship.get("roles") or gdap.get("required_roles"))
        for name in ("duration", "auto_extend_duration"):
            if relationship.get(name) is not None:
                args[name] = relationship[name]
        return args

    @staticmethod
    def assignment(relationship_id, assignment):
        return dict(relationship_id=relationship_id, security_group_id=assignment.get("security_group_id"),
                    roles=assignment.get("roles"))

    def domain_step(self, tenant_id, domain):
        if self.params["domain_method"] == "graph":
            return (GRAPH_DOMAINS, "customer_domain", dict(
                customer_id=tenant_id, name=domain.get("name"),
                state="verified" if self.params["domain_verify"] else "present"))
        return (DOMAINS, "verified_domain", dict(domain, customer_id=tenant_id))

    def users(self, tenant_id, users):
        return dict(customer_id=tenant_id, users=users, concurrency=self.params["user_concurrency"],
                    update_password=self.params["update_password"],
                    # The domains of this run: in check mode they do not exist yet, and UPNs on them are accepted.
                    expected_domains=[domain.get("name") for domain in self.params["domains"]])

    def bypass(self, tenant_id):
        bypass = self.params["aps_bypass"]
        return dict(bypass, ms_tenant_id=bypass.get("ms_tenant_id") or tenant_id)

    def run(self):
        held_back = ""
        tenant_id = self.params["customer_id"] or None
        failure = None
        try:
            self.plan()
            tenant_id = self.customer()
            if tenant_id:
                held_back = self.onboard(tenant_id)
            else:
                # Check mode, the customer still to be created: nothing of it can be read, the rest is predicted.
                self.steps["bypass"] = ({"action": "created", "changed": True} if self.params["aps_bypass"]
                                        else {"skipped": True})
        except StepFailed as exc:
            failure = exc.failure
        finally:
            for connections in self.connections.values():
                connections.close()
        self.steps["failure"] = failure or {}
        settings = dict(tenant_id=tenant_id, check_mode=self.check_mode, domain_method=self.params["domain_method"],
                        domains=self.params["domains"], users=self.params["users"], agreement=self.params["agreement"],
                        held_back_pattern=held_back)
        outcome = onboarding_outcome(self.steps, settings)
        if self.warnings:
            outcome["warnings"] = self.warnings
        if self.diff and self.diffs:
            outcome["diff"] = self.diffs
        if failure and self.params["fail_on_error"]:
            outcome.update(failed=True, msg="Onboarding of %s failed at '%s': %s" % (
                tenant_id or self.params["customer"].get("domain"), failure["step"], failure["msg"]))
        return SecretMasker(self.secret_values).mask(outcome)

    def customer(self):
        """The customer's ID: created or found by its domain, or the one given, checked."""
        params = self.params
        if params["customer"]:
            create = self.steps["create"] = self.step("customer", params["customer"])
            if create.get("failed"):
                raise StepFailed(_failure(CREATE, create))
            return params["customer_id"] or (create.get("customer") or {}).get("id")
        lookup = self.steps["lookup"] = self.step("customer_info", dict(customer_id=params["customer_id"]))
        if lookup.get("failed"):
            raise StepFailed(_failure(LOOKUP, lookup))
        if not lookup.get("customers"):
            raise StepFailed(_failure(LOOKUP, lookup, msg="Customer %s was not found among the partner's customers."
                                      % params["customer_id"]))
        return params["customer_id"]

    def onboard(self, tenant_id):
        """The steps after the customer; the regex of the UPNs held back, or ''."""
        params = self.params
        if params["agreement"]:
            agreement = self.steps["agreement"] = self.step("customer_agreement",
                                                            dict(params["agreement"], customer_id=tenant_id))
            if agreement.get("failed"):
                raise StepFailed(_failure(AGREEMENT, agreement))
        if not self.gdap(tenant_id):
            return ""  # invited: the customer's approval comes first
        held_back = self.domains(tenant_id)
        if params["users"]:
            users = [user for user in params["users"]
                     if not (held_back and re.search(held_back, user.get("user_principal_name") or ""))]
            result = self.steps["users"] = self.step("customer_users", self.users(tenant_id, users))
            if result.get("failed"):
                raise StepFailed(_failure(USERS, result))
        if params["aps_bypass"]:
            result = self.steps["bypass"] = self.step("aps_bypass_validation", self.bypass(tenant_id))
            if result.get("failed"):
                raise StepFailed(_failure(BYPASS, result))
        else:
            self.steps["bypass"] = {"skipped": True}
        return held_back

    def gdap(self, tenant_id):
        """Check (and invite, and assign); False when the tenant now waits for the customer's approval."""
        gdap = self.params["gdap"] or {}
        if not gdap.get("required_roles"):
            return True
        result = self.steps["gdap"] = self.step("gdap_relationship_info", dict(
            customer_id=tenant_id, required_roles=gdap["required_roles"],
            min_days_left=gdap.get("min_days_left") if gdap.get("min_days_left") is not None else 30,
            status=["active"]))
        check = result.get("check") or {}
        if result.get("failed"):
            raise StepFailed(_failure(GDAP, result))
        if not check.get("covered"):
            if not gdap.get("relationship"):
                raise StepFailed(_failure(GDAP, result, msg=check.get("msg")))
            invite = self.steps["invite"] = self.step("gdap_relationship", self.invitation(tenant_id))
            if invite.get("failed"):
                raise StepFailed(_failure(INVITE, invite))
            relationship = invite.get("relationship") or {}
            if relationship.get("status") not in WAITING:
                # That name is taken by a relationship that waits for nothing (ending, expired, terminated): it is
                # why the check failed. Inviting anew needs another display_name.
                raise StepFailed(_failure(INVITE, invite, msg=(
                    "%s. The relationship to invite, '%s', exists and is %s: set another display_name to invite anew."
                    % (check.get("msg"), relationship.get("display_name"), relationship.get("status")))))
            return False
        items = []
        for assignment in gdap.get("access_assignments") or []:
            args = self.assignment((check.get("relationship") or {}).get("id"), assignment)
            items.append(dict(self.step("gdap_access_assignment", args, header=assignment.get("security_group_id")),
                              **{ASSIGNMENT_ITEM: assignment}))
        self.steps["assignments"] = {"results": items}
        if any(item.get("failed") for item in items):
            raise StepFailed(_failure(ASSIGN, items=items, label=lambda item: item[ASSIGNMENT_ITEM].get(
                "security_group_id")))
        return True

    def domains(self, tenant_id):
        """Add the domains; the regex of the UPNs on Graph domains not verified yet (their users wait), or ''."""
        items = []
        graph = self.params["domain_method"] == "graph"
        for domain in self.params["domains"]:
            step, module, args = self.domain_step(tenant_id, domain)
            result = self.step(module, args, header=domain.get("name"))
            if graph and result.get("failed") and result.get("verification_dns_records") is not None:
                # Not verified yet because its DNS records are not published: reported with them, not a failure.
                result["failed"] = False
            items.append(dict(result, **{DOMAIN_ITEM: domain}))
        self.steps["graph_domains" if graph else "domains"] = {"results": items}
        if any(item.get("failed") for item in items):
            raise StepFailed(_failure(GRAPH_DOMAINS if graph else DOMAINS, items=items,
                                      label=lambda item: item[DOMAIN_ITEM].get("name")))
        unverified = [item["domain"]["name"] for item in items
                      if graph and isinstance(item.get("domain"), dict) and not item["domain"].get("is_verified")]
        if not unverified:
            return ""
        return "(?i)@(%s)$" % "|".join(re.escape(name) for name in unverified)
