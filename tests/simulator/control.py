"""Start, reach and stop a simulator from tests, benchmarks and Makefiles (stdlib + requests only).

    from simulator import control
    sim = control.start(tmp_path)          # a subprocess; sim.url, sim.ca_path
    sim.reset(); sim.set_faults({...}); sim.journal()
    sim.stop()

CLI: ``python -m simulator.control wait <workdir> [--timeout S]`` prints the URL once the simulator
in <workdir> answers; ``python -m simulator.control stop <workdir>`` stops it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import requests

ANNOUNCEMENT = "simulator.json"
_PACKAGE_PARENT = Path(__file__).resolve().parent.parent  # tests/, what PYTHONPATH must hold


class SimulatorError(RuntimeError):
    pass


class Sim:
    """A running simulator: its URL and CA bundle, and the admin API (/_sim) as methods."""

    def __init__(
        self, workdir: Path, url: str, ca_path: str, pid: int, process: subprocess.Popen | None = None
    ) -> None:
        self.workdir, self.url, self.ca_path, self.pid = workdir, url, ca_path, pid
        self._process = process
        self._http = requests.Session()
        self._http.trust_env = False  # REQUESTS_CA_BUNDLE or a proxy from the environment must not interfere

    def __enter__(self) -> "Sim":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _admin(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self._http.request(
            method, f"{self.url}/_sim/{path}", json=body, params=params, verify=self.ca_path, timeout=60
        )
        if response.status_code >= 400:
            raise SimulatorError(f"{method} /_sim/{path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def health(self) -> dict[str, Any]:
        return self._admin("GET", "health")

    def reset(self, seed_dict: dict[str, Any] | None = None) -> None:
        """Back to the start seed, or to ``seed_dict``; journal, faults and tokens are cleared too."""
        self._admin("POST", "reset", seed_dict)

    def journal(self, clear: bool = False) -> list[dict[str, Any]]:
        return self._admin("GET", "requests", clear=str(clear).lower())["requests"]

    def clear_journal(self) -> None:
        self._admin("DELETE", "requests")

    def counters(self) -> dict[str, Any]:
        return self._admin("GET", "counters")

    def state(self) -> dict[str, Any]:
        return self._admin("GET", "state")

    def set_faults(self, config: dict[str, Any]) -> dict[str, Any]:
        return self._admin("POST", "faults", config)

    def faults(self) -> dict[str, Any]:
        """The fault configuration in force."""
        return self._admin("GET", "faults")

    def clear_faults(self) -> None:
        self._admin("DELETE", "faults")

    def expire_tokens(self) -> None:
        self._admin("POST", "expire-tokens")

    def approve_relationship(self, relationship_id: str) -> dict[str, Any]:
        """The customer approves a GDAP relationship (approvalPending -> active); returns it as Graph shows it."""
        return self._admin("POST", f"gdap/relationships/{relationship_id}/approve")

    def expire_relationship(self, relationship_id: str, days_left: float | None = None) -> dict[str, Any]:
        """Expire a GDAP relationship now, or with ``days_left`` move its end date that far from now."""
        body = {"days_left": days_left} if days_left is not None else None
        return self._admin("POST", f"gdap/relationships/{relationship_id}/expire", body)

    def publish_dns_record(self, tenant_id: str, domain: str, published: bool = True) -> dict[str, Any]:
        """Publish (or withdraw) the TXT record of a domain added through Graph, so that verify succeeds."""
        return self._admin(
            "POST", f"graph/tenants/{tenant_id}/domains/{domain}/publish-dns", published=str(published).lower()
        )

    def set_sku_units(self, customer_id: str, sku: str, **units: Any) -> dict[str, Any]:
        """Change a customer's SKU (id or part number): ``active_units``, ``suspended_units``, ...; returns its counts."""
        return self._admin("POST", f"customers/{customer_id}/subscribedskus/{sku}", units)

    def set_address_rules(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace the addresses POST /v1/validations/address refuses (the seed's ``address_validation``)."""
        return self._admin("PUT", "address-validation", rules)

    def settings(self, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """Apply ``changes`` (if any) and return the settings now in force."""
        return self._admin("POST", "settings", changes) if changes else self._admin("GET", "settings")

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then wait for a clean exit (SIGKILL after ``timeout``)."""
        self._http.close()
        if self._process is not None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGTERM)
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            return
        _stop_pid(self.pid, self.workdir / ANNOUNCEMENT, timeout)


def start(
    workdir: str | os.PathLike[str],
    seed: str | os.PathLike[str] | dict[str, Any] | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 30,
) -> Sim:
    """Launch ``python -m simulator`` in ``workdir`` and wait until it listens.

    ``seed`` is a seed file or a seed dict (written to ``<workdir>/seed.json``); default: the demo seed.
    Output goes to ``<workdir>/simulator.log``.
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / ANNOUNCEMENT).unlink(missing_ok=True)
    command = [sys.executable, "-m", "simulator", "--workdir", str(workdir), *extra_args]
    if isinstance(seed, dict):
        seed_path = workdir / "seed.json"
        seed_path.write_text(json.dumps(seed))
        command += ["--seed", str(seed_path)]
    elif seed is not None:
        command += ["--seed", str(Path(seed).resolve())]
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(_PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    )
    with open(workdir / "simulator.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
    try:
        info = _await_announcement(workdir, timeout, process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return Sim(workdir, info["url"], info["ca_path"], info["pid"], process)


def attach(workdir: str | os.PathLike[str], timeout: float = 30) -> Sim:
    """A simulator started elsewhere (e.g. by a Makefile), found through ``<workdir>/simulator.json``."""
    workdir = Path(workdir).resolve()
    info = _await_announcement(workdir, timeout, None)
    return Sim(workdir, info["url"], info["ca_path"], info["pid"])


def _await_announcement(workdir: Path, timeout: float, process: subprocess.Popen | None) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    path = workdir / ANNOUNCEMENT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            log = (workdir / "simulator.log").read_text(errors="replace")[-4000:]
            raise SimulatorError(f"simulator exited with {process.returncode}:\n{log}")
        if path.exists():
            info = json.loads(path.read_text())
            if process is None or info["pid"] == process.pid:
                return info
        time.sleep(0.05)
    raise SimulatorError(f"no simulator announced itself in {workdir} within {timeout} s")


def _stop_pid(pid: int, announcement: Path, timeout: float) -> None:
    """SIGTERM a simulator we did not start, and wait until it has exited.

    Done means: the process is gone, or it removed its announcement (the last thing it does; a
    process that is not our child may stay a zombie until its own parent reaps it).
    """
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if not announcement.exists():
            return
        time.sleep(0.05)
    raise SimulatorError(f"simulator {pid} did not stop within {timeout} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.control")
    parser.add_argument("action", choices=["wait", "stop"])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args(argv)
    try:
        if args.action == "wait":
            sim = attach(args.workdir, args.timeout)
            sim.health()
            print(sim.url)
        else:
            announcement = args.workdir / ANNOUNCEMENT
            _stop_pid(json.loads(announcement.read_text())["pid"], announcement, args.timeout)
    except (SimulatorError, OSError, requests.RequestException) as error:
        print(f"simulator.control {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
