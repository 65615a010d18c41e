# -*- coding: utf-8 -*-
# Copyright: (c) 2026, csp.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk onboarding report (JSON, Markdown, the failed tenants' list): the action of ``onboarding_report``.

Written on the controller, in the worker process: the same three files written with ``ansible.builtin.file`` and
``ansible.builtin.template`` ran five AnsiballZ modules (file, stat and copy), about 3.5 s at the end of every bulk
run, whatever its size, measured in ``benchmarks/``. The rendering is plain Python, unit-tested in
``tests/unit/plugins/plugin_utils/test_report.py``.

This file is private to the collection.
"""

import datetime
import json
import os
import tempfile

from ansible_collections.csp.onboarding.plugins.plugin_utils._in_process import ControllerAction

# What a tenant's outcome holds (see the tenant_onboarding module's RETURN); the rest of a registered result
# (failed, diff, warnings, invocation) is not part of the report.
OUTCOME_KEYS = ("customer_id", "company_name", "status", "changed", "customer", "agreement", "gdap", "domains", "users",
                "aps_bypass", "failure", "correlation_ids")
NO_OUTCOME = {"status": "failed", "changed": False, "failure": {
    "step": "unknown", "msg": "no outcome was recorded (unreachable, or failed before the role ran)"}}


def tenants_of(hosts, results):
    """Each host's outcome, with its inventory name as ``tenant``; a host without one is a failure."""
    tenants = []
    for host, result in zip(hosts, results):
        result = result if isinstance(result, dict) and result.get("status") else NO_OUTCOME
        tenants.append(dict(((key, result[key]) for key in OUTCOME_KEYS if key in result), tenant=host))
    return tenants


def summary(tenants):
    failed = [tenant["tenant"] for tenant in tenants if tenant["status"] == "failed"]
    return {"tenants": len(tenants), "failed": len(failed), "failed_tenants": failed,
            "changed": len([tenant for tenant in tenants if tenant.get("changed")]),
            "awaiting_approval": [tenant["tenant"] for tenant in tenants if tenant["status"] == "awaiting_approval"]}


def json_report(tenants, plan, now):
    counts = summary(tenants)
    return json.dumps({
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "check_mode": plan,
        "summary": dict((key, counts[key]) for key in ("tenants", "failed", "changed", "failed_tenants")),
        "awaiting_approval": counts["awaiting_approval"], "tenants": tenants}, indent=2, sort_keys=True) + "\n"


def _or(value, default="-"):
    return default if value in (None, "", [], {}) else value


def _cell(value):
    """A Markdown table cell: one line, no column break."""
    return str(value).replace("\n", " ").replace("|", "\\|")


def _row(*cells):
    return "| %s |" % " | ".join(_cell(cell) for cell in cells)


def _gdap_cell(gdap):
    if not gdap:
        return "-"
    text = str(gdap.get("status"))
    if gdap.get("days_left") is not None:
        text += ", %s days left" % gdap["days_left"]
    if gdap.get("missing_roles"):
        text += ", missing " + ", ".join(gdap["missing_roles"])
    return text


def _counts(section, keys):
    return " / ".join(str(len(section.get(key) or [])) for key in keys)


def markdown_report(tenants, plan, now, report_dir):
    counts = summary(tenants)
    lines = ["# Tenant onboarding %s" % ("plan" if plan else "report"), "",
             "Generated %s UTC: %d %s, %d changed, %d failed.%s" % (
                 now.strftime("%Y-%m-%d %H:%M:%S"), counts["tenants"], "tenant" if counts["tenants"] == 1 else "tenants",
                 counts["changed"], counts["failed"],
                 " Check mode: these are predictions, nothing was changed." if plan else ""), "",
             "| Tenant | Customer | Status | Customer / agreement | GDAP | Domains created / unchanged / failed | Users "
             "created / updated / restored / deleted / unchanged / failed / held back | APS bypass | Failure (step: "
             "status, code, correlation id) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for tenant in tenants:
        failure = tenant.get("failure") or {}
        lines.append(_row(
            tenant["tenant"], _or(tenant.get("customer_id")), tenant["status"],
            "%s / %s" % ((tenant.get("customer") or {}).get("action", "-"), (tenant.get("agreement") or {}).get(
                "action", "-")),
            _gdap_cell(tenant.get("gdap") or {}),
            _counts(tenant.get("domains") or {}, ("created", "unchanged", "failed")),
            _counts(tenant.get("users") or {}, ("created", "updated", "restored", "deleted", "unchanged", "failed",
                                                "held_back")),
            (tenant.get("aps_bypass") or {}).get("action", "not run"),
            "%s: %s, %s, %s" % (failure.get("step"), _or(failure.get("status")), _or(failure.get("code")),
                                _or(failure.get("ms_correlation_id"))) if failure else ""))

    awaiting = [tenant for tenant in tenants if tenant["status"] == "awaiting_approval"]
    if awaiting:
        lines += ["", "## Awaiting the customer's GDAP approval", "",
                  "The customer's admin opens the link and approves; the next run onboards the tenant.", ""]
        for tenant in awaiting:
            gdap = tenant["gdap"]
            lines.append('- **%s**: relationship "%s" (%s): %s' % (
                tenant["tenant"], gdap.get("relationship"), gdap.get("invitation"), gdap.get("approval_url")))

    credentials = [tenant for tenant in tenants if (tenant.get("customer") or {}).get("admin_credentials_path")]
    if credentials:
        lines += ["", "## New customers' admin credentials", ""]
        lines += ["- **%s**: %s, password in %s" % (tenant["tenant"], _or(tenant["customer"].get("admin_user_name")),
                                                    tenant["customer"]["admin_credentials_path"])
                  for tenant in credentials]

    dns = [tenant for tenant in tenants if (tenant.get("domains") or {}).get("dns_records")]
    if dns:
        lines += ["", "## DNS records to publish", "",
                  "Publish these in each domain's DNS zone; a run after that verifies the domain "
                  "(tenant_onboarding_domain_verify) and onboards its users.", "",
                  "| Tenant | Domain | Type | Name | Value | TTL | Optional |", "|---|---|---|---|---|---|---|"]
        for tenant in dns:
            for record in tenant["domains"]["dns_records"]:
                lines.append(_row(tenant["tenant"], record.get("domain"), str(record.get("record_type")).upper(),
                                  record.get("label"), record.get("text", record.get("mail_exchange", "-")),
                                  record.get("ttl"), "yes" if record.get("is_optional") else "no"))
        for tenant in dns:
            for user in (tenant.get("users") or {}).get("held_back") or []:
                lines.append("- %s: user %s held back: %s" % (
                    tenant["tenant"], user["user_principal_name"], user["reason"]))

    access = [tenant for tenant in tenants if (tenant.get("users") or {}).get("access_changes")]
    if access:
        lines += ["", "## Licenses and directory roles", "",
                  "| Tenant | User | Licenses assigned | Licenses removed | Roles added | Roles removed |",
                  "|---|---|---|---|---|---|"]
        for tenant in access:
            for change in tenant["users"]["access_changes"]:
                lines.append(_row(tenant["tenant"], change["user_principal_name"], *(
                    ", ".join(change.get(key) or []) for key in ("licenses_assigned", "licenses_removed",
                                                                 "roles_added", "roles_removed"))))

    failed = [tenant for tenant in tenants if tenant["status"] == "failed"]
    if failed:
        lines += ["", "## Failures", ""]
        for tenant in failed:
            failure = tenant.get("failure") or {}
            lines.append('- **%s** (%s), step "%s": %s' % (
                tenant["tenant"], _or(tenant.get("customer_id")), failure.get("step"),
                str(failure.get("msg")).replace("\n", " ")))
            lines.append("  (status %s, code %s, MS-CorrelationId %s, MS-RequestId %s)" % (
                _or(failure.get("status")), _or(failure.get("code")), _or(failure.get("ms_correlation_id")),
                _or(failure.get("ms_request_id"))))
            for user in (tenant.get("users") or {}).get("failed") or []:
                lines.append("  - user %s: %s" % (user.get("user_principal_name"), user.get("msg")))
        lines += ["", "Retry them: `ansible-playbook ... --limit @%s/failed-tenants.txt`" % report_dir]
    return "\n".join(lines) + "\n"


def failed_list(tenants):
    return "".join("%s\n" % tenant["tenant"] for tenant in tenants if tenant["status"] == "failed")


def write_file(path, content, mode):
    """Write ``content`` to ``path`` unless it holds it already; True when written. Atomic: a reader never sees
    half a report."""
    try:
        with open(path) as handle:
            if handle.read() == content:
                os.chmod(path, mode)
                return False
    except (IOError, OSError):
        pass
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(content)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return True


class OnboardingReportAction(ControllerAction):
    """The action of ``onboarding_report``: render the report and write its files on the controller."""

    MODULE = "csp.onboarding.onboarding_report"
    ON_THE_CONTROLLER = "writes on the controller: set connection: local (or delegate_to: localhost) for its task"

    def run(self, tmp=None, task_vars=None):
        result = super(OnboardingReportAction, self).run(tmp, task_vars or {})
        params, failure = self.checked_arguments(result)
        if failure is not None:
            return failure
        if len(params["hosts"]) != len(params["results"]):
            return dict(result, failed=True, msg="hosts and results must be as long as each other (%d and %d)"
                        % (len(params["hosts"]), len(params["results"])))
        report_dir = os.path.abspath(os.path.expanduser(params["path"]))
        tenants = tenants_of(params["hosts"], params["results"])
        now = datetime.datetime.now(datetime.timezone.utc)
        files = [(os.path.join(report_dir, params["name"] + ".json"), json_report(tenants, params["plan"], now)),
                 (os.path.join(report_dir, params["name"] + ".md"),
                  markdown_report(tenants, params["plan"], now, report_dir))]
        if params["failed_list"]:
            files.append((os.path.join(report_dir, "failed-tenants.txt"), failed_list(tenants)))
        written = [path for path, _content in files]
        if not self._task.check_mode:
            try:
                if not os.path.isdir(report_dir):
                    os.makedirs(report_dir, 0o750)
                written = [path for path, content in files if write_file(path, content, 0o640)]
            except (IOError, OSError) as exc:
                return dict(result, failed=True, msg="path: cannot write the report in %s: %s" % (report_dir, exc))
        result.update(changed=bool(written), files=[path for path, _content in files], written=written,
                      summary=summary(tenants))
        return result
