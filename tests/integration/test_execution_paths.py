"""The two ways a task runs: in the controller's worker process (the default with connection: local) and as
an ordinary AnsiballZ module (csp_onboarding_in_process: false, or any other connection). Both must give
the same results, the same writes and the same refusals."""

import copy
import re

import pytest

from conftest import CONTOSO
from harness import DEMO, run_tasks, writes

UPN = "paths.user@contoso-demo.onmicrosoft.com"
PASSWORD = "Paths-Passw0rd!"
USER = {"customer_id": CONTOSO, "user_principal_name": UPN, "first_name": "Pat", "last_name": "Hs",
        "usage_location": "us", "password": PASSWORD}

TASKS = [
    {"csp.onboarding.customer_user": USER},
    {"csp.onboarding.customer_user": USER},
    {"csp.onboarding.customer_users": {"customer_id": CONTOSO, "users": [dict(
        (key, value) for key, value in USER.items() if key != "customer_id")]}},
    {"csp.onboarding.customer_user_info": {"customer_id": CONTOSO, "upn": UPN}},
    {"csp.onboarding.verified_domain": {"customer_id": CONTOSO, "name": "paths.contoso-demo.example"}},
    {"csp.onboarding.aps_bypass_validation": {"app_instance_id": DEMO["app_instance_id"], "account_id": 1000001,
                                              "ms_tenant_id": CONTOSO}},
    # Refusals: by the argument spec, and by the module's own validators.
    {"csp.onboarding.customer_user": dict(USER, colour="blue")},
    {"csp.onboarding.customer_user": dict(USER, state="gone")},
    {"csp.onboarding.verified_domain": {"customer_id": CONTOSO}},
    {"csp.onboarding.customer_user": dict(USER, customer_id="not-a-guid")},
]
# Differ by run, by design: ids that are new for every call.
VOLATILE = ("ms_correlation_id", "ms_request_id", "id", "aps_id")


def comparable(value):
    if isinstance(value, dict):
        return dict((key, comparable(item)) for key, item in value.items()
                    if key not in VOLATILE and not key.startswith("_ansible") and key != "invocation")
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def run_both(sim, demo_seed, env, check=False):
    outcomes = {}
    for in_process in (True, False):
        sim.reset(copy.deepcopy(demo_seed))
        results, output = run_tasks(TASKS, env, check=check, diff=True, args=["-vvv"],
                                    play_vars={"csp_onboarding_in_process": in_process})
        outcomes[in_process] = (results, output, [(entry["method"], entry["path"]) for entry in writes(sim.journal())])
    return outcomes


@pytest.mark.parametrize("check", [False, True], ids=["run", "check mode"])
def test_in_process_and_module_runs_agree(sim, demo_seed, env, check):
    outcomes = run_both(sim, demo_seed, env, check=check)
    (in_results, in_output, in_writes), (module_results, module_output, module_writes) = outcomes[True], outcomes[False]

    # The in-process run started none of the collection's modules;
    # the other one ran every task as AnsiballZ.
    assert not re.search(r"AnsiballZ_(customer|verified|aps)", in_output)
    assert "AnsiballZ_customer_user.py" in module_output and "AnsiballZ_verified_domain.py" in module_output

    for index, (in_result, module_result) in enumerate(zip(in_results, module_results)):
        assert comparable(in_result) == comparable(module_result), (index, TASKS[index], in_result, module_result)
    assert in_writes == module_writes
    if check:
        assert in_writes == []
    else:
        assert [method for method, _path in in_writes] == ["POST", "POST", "POST"]

    actions = [result.get("action") for result in in_results[:2]]
    assert actions == (["created", "created"] if check else ["created", "unchanged"])
    assert "Unsupported parameters for (csp.onboarding.customer_user) module: colour" in in_results[6]["msg"]
    assert "value of state must be one of" in in_results[7]["msg"]
    assert "missing required arguments: name" in in_results[8]["msg"]
    assert "customer_id must be a GUID" in in_results[9]["msg"]
    for output in (in_output, module_output):
        assert PASSWORD not in output and DEMO["client_secret"] not in output
