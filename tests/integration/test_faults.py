"""Fault matrix: every writing module under every fault converges, or fails clearly and converges on a re-run.

Never a traceback, never a duplicate, never a lost write. A full run writes the table of what it saw to
``$CSP_FAULT_MATRIX`` (default build/fault-matrix.md); ``make fault-matrix`` points it at docs/fault-matrix.md.
"""

import datetime
import os

import pytest

from conftest import CONTOSO, FABRIKAM, NORTHWIND
from harness import DEMO, ROOT, run_tasks, sim_post, sim_read

USER = "fm.single@contoso-demo.onmicrosoft.com"
BULK = ["fm.bulk1@fabrikam-demo.onmicrosoft.com", "fm.bulk2@fabrikam-demo.onmicrosoft.com"]
DOMAIN = "fm.northwind-demo.example"
MODULES = ("customer_user", "customer_users", "verified_domain", "aps_bypass_validation")
WRITE_PATHS = {
    "customer_user": "/customers/%s/users$" % CONTOSO,
    "customer_users": "/customers/%s/users$" % FABRIKAM,
    "verified_domain": "/verifieddomain$",
    "aps_bypass_validation": "/bypass_ownership_validation$",
}


def rules(fault, **extra):
    return [dict({"fault": fault, "count": 2, "method": "POST", "path": WRITE_PATHS[m]}, **extra) for m in MODULES]


# fault name -> (simulator faults, simulator settings, task options, what the fault is)
# Waits are kept short where the behaviour allows: Retry-After is 1 s (the least a server can ask for); the rate
# limit lets 8 requests through per 5-second window instead of per minute, so the ninth Partner Center request
# of the run (they come within a fraction of a second) is refused with a Retry-After of up to 5 s, not 57 s;
# with tokens that live 1 s, 300 ms of latency per request makes the fourth request after a token a 401.
FAULTS = {
    "429 + Retry-After": ({"rules": rules("429", retry_after=1)}, {}, {}),
    "429 above a rate limit": ({"rate_limit_rpm": 8, "rate_limit_window_s": 5}, {}, {}),
    "500": ({"rules": rules("500")}, {}, {}),
    "502": ({"rules": rules("502")}, {}, {}),
    "503": ({"rules": rules("503")}, {}, {}),
    "504": ({"rules": rules("504")}, {}, {}),
    "connection reset": ({"rules": rules("reset", count=1)}, {}, {}),
    "lost response": ({"rules": rules("lost_response", count=1)}, {}, {}),
    "applied, then 502": ({"rules": rules("applied_502", count=1)}, {}, {}),
    "applied, then 504": ({"rules": rules("applied_504", count=1)}, {}, {}),
    "token expires mid-run": ({"latency_ms": 300}, {"token_lifetime": 1}, {}),
    "slow answer past timeout": ({"rules": rules("slow", count=1, delay_s=3)}, {}, {"timeout": 1}),
}


def tasks(options):
    return [
        {"csp.onboarding.customer_user": dict(customer_id=CONTOSO, upn=USER, first_name="F", usage_location="US",
                                              password="Initial-Passw0rd!", **options)},
        {"csp.onboarding.customer_users": dict(customer_id=FABRIKAM, users=[
            {"upn": upn, "first_name": "B", "usage_location": "US", "password": "Initial-Passw0rd!"} for upn in BULK],
            **options)},
        {"csp.onboarding.verified_domain": dict(customer_id=NORTHWIND, name=DOMAIN, **options)},
        {"csp.onboarding.aps_bypass_validation": dict(app_instance_id=DEMO["app_instance_id"], account_id=1000003,
                                                      ms_tenant_id=NORTHWIND, **options)},
    ]


def counts(sim):
    """How many of each object the modules should have made exactly once."""
    state = sim.state()
    customers = dict((c["id"], c) for c in state["partners"][0]["customers"])

    def users(customer_id, upn):
        return len([u for u in customers[customer_id]["users"] if u["user_principal_name"].lower() == upn])

    domains = [d["name"] if isinstance(d, dict) else d for d in customers[NORTHWIND]["custom_domains"]]
    bypasses = [b for b in state["aps"]["bypasses"] if str(b.get("account_id")) == "1000003"
                or b.get("account_aps_id") == "a0000003-0000-4000-8000-000000000003"]
    return {"customer_user": users(CONTOSO, USER),
            "customer_users": min(users(FABRIKAM, upn) for upn in BULK) if all(users(FABRIKAM, u) == 1 for u in BULK)
            else max(users(FABRIKAM, upn) for upn in BULK) or 0,
            "verified_domain": domains.count(DOMAIN),
            "aps_bypass_validation": len(bypasses)}


MATRIX = {}


def action_of(result):
    """The single-resource modules say ``action``; the bulk one lists its users per action."""
    if "action" in result:
        return result["action"]
    return next((action for action in ("created", "updated", "restored", "deleted") if result.get(action)),
                "unchanged")


def with_rerun(sim, options):
    """The modules' tasks; then, only if one of them failed (as ``when:`` says), the journal so far, the faults
    cleared (as sim.clear_faults() would) and the tasks again without the options: one playbook instead of a
    second ansible-playbook run for the re-run (about 1.5 s of CPU)."""
    first = tasks(options)
    any_failed = " or ".join("result_%d.failed | default(false)" % index for index in range(len(first)))
    after = [sim_read(sim, "requests"), sim_post(sim, "faults", method="DELETE")] + tasks({})
    return first + [dict(task, when=any_failed) for task in after]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault(sim, env, fault):
    faults, settings, options = FAULTS[fault]
    if settings:
        sim.settings(settings)
    sim.set_faults(dict({"random_seed": 1}, **faults))
    played, output = run_tasks(with_rerun(sim, options), env)
    results, (journal, cleared), rerun = played[:4], played[4:6], played[6:]
    # ansible-core marks every failed result "exception: (traceback unavailable)"; a crash would carry one.
    assert "Traceback" not in output and not any("Traceback" in str(r.get("exception")) for r in results), output
    assert not any("Unexpected error" in str(r.get("msg")) for r in results)
    if any(r.get("failed") for r in results):
        # Read in the play before the faults were cleared and the tasks ran again.
        assert not journal.get("failed") and cleared.get("status") == 204, (journal, cleared)
        journal = journal["msg"]["requests"]
    else:
        assert all(task.get("skipped") for task in played[4:]), "no re-run without a failure"
        rerun = None
        journal = sim.journal()
    # Faults the simulator injected (none after they were cleared; a "slow" one is counted once its wait is
    # over), plus the 401s of tokens that expired under the first run's modules.
    injected = sum(sim.counters()["faults"].values()) + len([e for e in journal if e["status"] == 401])
    sim.clear_faults()
    cells = {}
    for index, module in enumerate(MODULES):
        result = results[index]
        if result.get("failed"):
            assert result["msg"] and result.get("ms_correlation_id"), result
            if fault.startswith("applied"):
                # The write was applied: the module reads back and converges, or says it could not know.
                assert "may still" in result["msg"] or "run the task again" in result["msg"], (module, result["msg"])
            assert not rerun[index].get("failed"), rerun[index].get("msg")
            cells[module] = "failed clearly (%s); re-run: %s" % (_short(result["msg"]), action_of(rerun[index]))
        else:
            assert result["changed"] and action_of(result) == "created", (module, result)
            cells[module] = "converged: created"
    made = counts(sim)
    assert made == dict((module, 1) for module in MODULES), made  # nothing lost, nothing twice
    assert injected, "the fault never happened"
    MATRIX[fault] = dict(cells, injected=injected)


def _short(msg):
    for hint in ("timed out", "lost the connection", "HTTP 429", "HTTP 5"):
        if hint in msg:
            return hint
    return msg[:60]


def teardown_module(module):
    """Write the table of what this run saw (to build/ unless ``CSP_FAULT_MATRIX`` names another file)."""
    if len(MATRIX) != len(FAULTS):
        return  # a partial run (-k) does not overwrite the full table
    lines = ["# Fault matrix", "",
             "Generated by `tests/integration/test_faults.py` on %s UTC against the simulator. Each module creates one "
             "object while the fault is injected; the cell says what the task did. In every cell the simulator's state "
             "afterwards holds exactly one of the object: nothing was lost and nothing was created twice." %
             datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), "",
             "| fault | faults injected | %s |" % " | ".join(MODULES),
             "|---|---|%s" % ("---|" * len(MODULES))]
    for fault in FAULTS:
        row = MATRIX[fault]
        lines.append("| %s | %d | %s |" % (fault, row["injected"], " | ".join(row[m] for m in MODULES)))
    lines += ["", "Partner Center writes are retried with the same `MS-RequestId`, the documented idempotency key. "
              "The APS bypass has no such key, so the transport never repeats its POST after it may have been applied "
              "(a lost answer, a 5xx such as \"applied, then 502/504\", where the server wrote and then answered an "
              "error): the module reads back and converges when the bypass is there; after a dropped connection it "
              "posts again only when nothing was created; after a timeout it fails and asks for a re-run, because the "
              "slow call may still apply. Runs on one controller share an exclusive lock around read, POST and "
              "read-back."]
    path = os.environ.get("CSP_FAULT_MATRIX") or os.path.join(ROOT, "build", "fault-matrix.md")
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
