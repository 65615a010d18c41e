"""The admin API, seeds, the command line, persistence and the control helper."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator import control

from .support import CONTOSO, DOC_USER, PARTNER

TESTS_DIR = Path(control.__file__).resolve().parent.parent  # what PYTHONPATH holds


def test_state_round_trips_through_reset(sim, pc, user_token):
    pc("POST", f"/customers/{CONTOSO}/users", user_token, json=DOC_USER)
    before = sim.state()
    sim.reset(before)
    assert sim.state() == before


def test_reset_clears_journal_faults_and_tokens(sim, pc, app_token):
    sim.set_faults({"rules": [{"fault": "500", "count": 5}]})
    sim.reset()
    assert sim.journal() == []
    assert sim.counters()["total"] == 0
    assert pc("GET", "/customers", app_token).status_code == 401  # tokens are forgotten


def test_journal_clear_in_the_same_call(sim, pc, app_token):
    pc("GET", "/customers", app_token)
    assert len(sim.journal(clear=True)) == 2
    assert sim.journal() == []


def test_a_bad_seed_or_setting_is_refused_and_changes_nothing(sim):
    before = sim.state()
    with pytest.raises(control.SimulatorError, match="422"):
        sim.reset({"partners": [{"tenant_id": "x"}]})  # no domain
    with pytest.raises(control.SimulatorError, match="422"):
        sim.reset({"partners": [{"tenant_id": "x", "domain": "a.onmicrosoft.com", "typo": 1}]})
    with pytest.raises(control.SimulatorError, match="422"):
        sim.settings({"create_user_status": 202})
    assert sim.state() == before


def test_settings_are_partial_updates(sim):
    settings = sim.settings({"pc_max_page_size": 7})
    assert settings["pc_max_page_size"] == 7 and settings["aps_max_page_size"] == 1000
    assert sim.settings()["pc_max_page_size"] == 7


def test_a_bulk_seed_loads_quickly(sim, pc, app_token, http):
    seed = {
        "partners": [
            {
                "tenant_id": PARTNER,
                "domain": "demopartner.onmicrosoft.com",
                "apps": [{"client_id": "7d5c9a10-0000-4000-8000-0000000000a1", "client_secret": "s"}],
                "customers_generate": {"count": 1000, "users_each": 20},
            }
        ]
    }
    started = time.monotonic()
    sim.reset(seed)
    assert time.monotonic() - started < 10
    state = sim.state()
    customers = state["partners"][0]["customers"]
    assert len(customers) == 1000 and sum(len(c["users"]) for c in customers) == 20_000
    # and the state itself, 20,000 users, loads back as a JSON seed
    started = time.monotonic()
    sim.reset(state)
    assert time.monotonic() - started < 10


def test_openapi_schema_is_served(sim, http):
    schema = http.get(f"{sim.url}/openapi.json").json()
    assert "/v1/customers/{customer_id}/users" in schema["paths"]
    assert "VerifiedDomainIn" in schema["components"]["schemas"]


def test_admin_requests_are_not_journaled(sim):
    sim.state()
    sim.settings()
    assert sim.journal() == []


def test_command_line_state_file_and_clean_stop(tmp_path):
    state_file = tmp_path / "state.json"
    workdir = tmp_path / "run"
    options = ["--token-lifetime", "60", "--rate-limit-rpm", "5", "--rate-limit-window-s", "2.5"]
    with control.start(workdir, extra_args=["--state-file", str(state_file), *options]) as first:
        info = json.loads((workdir / "simulator.json").read_text())
        assert info == {
            "url": first.url,
            "ca_path": str(workdir / "ca.pem"),
            "pid": first.pid,
            "port": int(first.url.rsplit(":", 1)[1]),
        }
        assert first.settings()["token_lifetime"] == 60
        first.set_faults({"latency_ms": 1})
        first.clear_faults()  # back to the command line's
        faults = first.faults()
        assert (faults["rate_limit_rpm"], faults["rate_limit_window_s"], faults["latency_ms"]) == (5, 2.5, 0)
        seed = first.state()
        seed["partners"][0]["customers"][0]["users"].append(
            {"user_principal_name": "kept@contoso-demo.onmicrosoft.com"}
        )
        first.reset(seed)
        process = first._process
    assert process.returncode == 0
    assert not (workdir / "simulator.json").exists()
    log = (workdir / "simulator.log").read_text()
    assert f"simulator ready: url={first.url} ca={workdir / 'ca.pem'}" in log
    with control.start(workdir, extra_args=["--state-file", str(state_file)]) as second:
        users = second.state()["partners"][0]["customers"][0]["users"]
        assert "kept@contoso-demo.onmicrosoft.com" in [user["user_principal_name"] for user in users]


def test_control_command_line_wait_and_stop(tmp_path):
    sim = control.start(tmp_path)
    env = {"PYTHONPATH": str(TESTS_DIR)}
    waited = subprocess.run(
        [sys.executable, "-m", "simulator.control", "wait", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert (waited.returncode, waited.stdout.strip()) == (0, sim.url)
    stopped = subprocess.run(
        [sys.executable, "-m", "simulator.control", "stop", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert stopped.returncode == 0
    assert sim._process.wait(5) == 0
