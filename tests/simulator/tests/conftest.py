"""One simulator process for the whole session (real HTTPS, verified against its CA); a reset before each test."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import requests

from simulator import control

from .support import APP_SCOPE, CLIENT_SECRET, REFRESH_TOKEN, USER_SCOPE, token_request


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory) -> control.Sim:
    simulator = control.start(tmp_path_factory.mktemp("simulator"))
    yield simulator
    simulator.stop()


@pytest.fixture(autouse=True)
def fresh_state(sim: control.Sim) -> None:
    sim.reset()


@pytest.fixture
def http(sim: control.Sim) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # so that REQUESTS_CA_BUNDLE cannot replace the verify below
    session.verify = sim.ca_path
    yield session
    session.close()


@pytest.fixture
def app_token(http: requests.Session, sim: control.Sim) -> str:
    answer = token_request(http, sim, grant_type="client_credentials", client_secret=CLIENT_SECRET, scope=APP_SCOPE)
    return answer.json()["access_token"]


@pytest.fixture
def user_token(http: requests.Session, sim: control.Sim) -> str:
    answer = token_request(
        http,
        sim,
        grant_type="refresh_token",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        scope=f"{USER_SCOPE} offline_access openid profile",
    )
    return answer.json()["access_token"]


@pytest.fixture
def pc(http: requests.Session, sim: control.Sim) -> Callable[..., requests.Response]:
    """``pc(method, path, token, **requests_kwargs)`` against /v1."""

    def call(
        method: str, path: str, token: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
        return http.request(method, f"{sim.url}/v1{path}", headers=all_headers, timeout=30, **kwargs)

    return call
