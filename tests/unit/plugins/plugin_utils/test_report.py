# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk report's rendering: what each file says, from the tenants' outcomes."""

import datetime
import json
import os
import stat

from ansible_collections.csp.onboarding.plugins.plugin_utils._report import (
    failed_list, json_report, markdown_report, summary, tenants_of, write_file)

NOW = datetime.datetime(2026, 12, 5, 16, 0, 0, tzinfo=datetime.timezone.utc)
OK = {"customer_id": "c1", "status": "ok", "changed": True, "failed": False, "diff": [{"before": {}}],
      "customer": {"action": "found"}, "agreement": {"action": "skipped"},
      "gdap": {"status": "active", "days_left": 700, "missing_roles": []},
      "domains": {"created": ["a.example"], "unchanged": [], "failed": [], "method": "graph",
                  "dns_records": [{"domain": "a.example", "record_type": "txt", "label": "@", "text": "MS=ms1",
                                   "ttl": 3600, "is_optional": False}]},
      "users": {"created": ["x@a.example"], "held_back": [{"user_principal_name": "y@a.example", "reason": "wait"}],
                "access_changes": [{"user_principal_name": "x@a.example", "licenses_assigned": ["E3"],
                                    "licenses_removed": [], "roles_added": [], "roles_removed": []}]},
      "aps_bypass": {"action": "created"}}
WAITING = {"customer_id": "c2", "status": "awaiting_approval", "changed": True,
           "gdap": {"status": "awaiting_approval", "relationship": "Onboarding C2", "invitation": "created",
                    "approval_url": "https://admin.microsoft.com/x"}}
FAILED = {"customer_id": "c3", "status": "failed", "changed": False,
          "failure": {"step": "Add the verified domains", "msg": "b.example: taken\nby another", "status": 409,
                      "code": 600011, "ms_correlation_id": "corr", "ms_request_id": "req"},
          "users": {"failed": [{"user_principal_name": "z@b.example", "msg": "no"}]}}


def tenants():
    return tenants_of(["ok.test", "waiting.test", "failed.test", "gone.test"], [OK, WAITING, FAILED, {}])


def test_outcomes_keep_their_keys_and_a_host_without_one_is_failed():
    ok, _waiting, _failed, gone = tenants()
    assert ok["tenant"] == "ok.test" and "failed" not in ok and "diff" not in ok
    assert gone["status"] == "failed" and "no outcome was recorded" in gone["failure"]["msg"]
    assert summary(tenants()) == {"tenants": 4, "failed": 2, "failed_tenants": ["failed.test", "gone.test"],
                                  "changed": 2, "awaiting_approval": ["waiting.test"]}


def test_the_json_report_holds_the_summary_and_every_tenant():
    report = json.loads(json_report(tenants(), True, NOW))
    assert report["generated_at"] == "2026-12-05T16:00:00Z" and report["check_mode"] is True
    assert report["summary"] == {"tenants": 4, "failed": 2, "changed": 2, "failed_tenants": ["failed.test", "gone.test"]}
    assert report["awaiting_approval"] == ["waiting.test"]
    assert [tenant["tenant"] for tenant in report["tenants"]] == ["ok.test", "waiting.test", "failed.test", "gone.test"]


def test_the_markdown_report_has_a_row_per_tenant_and_its_sections():
    text = markdown_report(tenants(), False, NOW, "/r")
    assert text.startswith("# Tenant onboarding report\n")
    assert "4 tenants, 2 changed, 2 failed." in text
    assert "| ok.test | c1 | ok | found / skipped | active, 700 days left | 1 / 0 / 0 | 1 / 0 / 0 / 0 / 0 / 0 / 1 " \
           "| created |  |" in text
    assert '- **waiting.test**: relationship "Onboarding C2" (created): https://admin.microsoft.com/x' in text
    assert "| ok.test | a.example | TXT | @ | MS=ms1 | 3600 | no |" in text
    assert "- ok.test: user y@a.example held back: wait" in text
    assert "| ok.test | x@a.example | E3 |  |  |  |" in text
    # A failure on one line, with its ids, its users, and how to retry.
    assert '- **failed.test** (c3), step "Add the verified domains": b.example: taken by another' in text
    assert "(status 409, code 600011, MS-CorrelationId corr, MS-RequestId req)" in text
    assert "  - user z@b.example: no" in text
    assert "--limit @/r/failed-tenants.txt" in text
    assert "Tenant onboarding plan" in markdown_report(tenants(), True, NOW, "/r")


def test_the_failed_list_has_one_tenant_per_line():
    assert failed_list(tenants()) == "failed.test\ngone.test\n"
    assert failed_list(tenants()[:2]) == ""


def test_files_are_replaced_whole_and_left_alone_when_unchanged(tmp_path):
    path = str(tmp_path / "report.json")
    assert write_file(path, "one\n", 0o640) is True
    assert write_file(path, "one\n", 0o640) is False
    assert write_file(path, "two\n", 0o640) is True
    assert open(path).read() == "two\n" and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.listdir(str(tmp_path)) == ["report.json"]
