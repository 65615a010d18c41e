"""Fixtures: one simulator for the session, reset to a known seed before every test."""

import copy
import os
import sys

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, connection_env  # noqa: E402
from simulator import control  # noqa: E402

DEMO_SEED_PATH = os.path.join(ROOT, "tests", "simulator", "seeds", "demo.yml")


@pytest.fixture(scope="session")
def demo_seed():
    with open(DEMO_SEED_PATH) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    sim = control.start(str(tmp_path_factory.mktemp("simulator")))
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator, demo_seed):
    """The simulator with the demo seed, no faults, an empty journal."""
    simulator.reset(copy.deepcopy(demo_seed))
    return simulator


@pytest.fixture
def env(sim, tmp_path):
    """App+User connection settings (user operations need them), with a fresh token cache."""
    return connection_env(sim, str(tmp_path / "token-cache.json"))


@pytest.fixture
def seeded(simulator, demo_seed):
    """Reset the simulator to the demo seed changed by a function: ``seeded(lambda seed: ...)``."""
    def reset(change):
        seed = copy.deepcopy(demo_seed)
        change(seed)
        simulator.reset(seed)
        return simulator
    return reset


CONTOSO = "c0000001-0000-4000-8000-000000000001"
FABRIKAM = "c0000002-0000-4000-8000-000000000002"
NORTHWIND = "c0000003-0000-4000-8000-000000000003"
