"""make demo: onboard the demo tenants against the local simulator, twice.

The first run creates what the demo inventory describes; the second must change nothing (and the
simulator's journal must show no write). Then the report's path and summary are printed.
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from simulator import control  # noqa: E402  (the test tree is not a package)
from harness import connection_env, run_playbook, token_requests, writes  # noqa: E402


def plural(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--workdir", required=True)
    options = parser.parse_args()
    report_dir = os.path.join(options.workdir, "reports")
    os.makedirs(options.workdir, exist_ok=True)
    # The new demo customer's initial admin: written once, on create; an earlier demo's file would be refused.
    credentials = os.path.join(options.workdir, "tailspin-demo-admin.json")
    if os.path.exists(credentials):
        os.unlink(credentials)

    print("Starting the local Partner Center + Entra + APS simulator...")
    sim = control.start(os.path.join(options.workdir, "simulator"))
    try:
        env = connection_env(sim, os.path.join(options.workdir, "token-cache.json"))
        for run, expectation in ((1, "onboards the tenants"), (2, "must write nothing to any tenant")):
            print("\n=== Run %d of playbooks/bulk_onboard.yml: %s ===" % (run, expectation), flush=True)
            sim.clear_journal()
            code, output = run_playbook("playbooks/bulk_onboard.yml", env, inventory=options.inventory,
                                        extra_vars={"onboarding_report_dir": report_dir,
                                                    "demo_admin_credentials_path": credentials},
                                        args=["--forks", "10"])
            print(output)
            journal = sim.journal()
            written = writes(journal)
            by_method = {}
            for entry in written:
                by_method[entry["method"]] = by_method.get(entry["method"], 0) + 1
            summary = ", ".join("%d %s" % (count, method) for method, count in sorted(by_method.items()))
            print("Run %d: exit code %d; %s, %s%s, %s." % (
                run, code, plural(len([e for e in journal if e["api"] != "entra"]), "API request"),
                plural(len(written), "write"), (" (%s)" % summary) if summary else "",
                plural(len(token_requests(journal)), "token request")))
            if run == 2 and not written:
                print("Run 2 made no write to any tenant. (The report files are local and rewritten by every run; "
                      "the recap counts them as changed.)")
            if code != 0:
                print("make demo: run %d failed." % run)
                return 1
            report = os.path.join(report_dir, "onboarding-report.md")
            with open(report) as handle:
                print("\nReport of run %d: %s (and onboarding-report.json beside it)\n\n%s" % (run, report, handle.read()))
            if run == 1 and os.path.exists(credentials):
                print("The new customer tailspin-demo.onmicrosoft.com was created; its initial admin's user name and "
                      "password are in %s (mode 0600), and nowhere else." % credentials)
            if run == 2 and written:
                print("make demo: the second run wrote %d times; it should have changed nothing." % len(written))
                return 1
        return 0
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
