"""Requests per second the simulator serves over HTTPS with keep-alive (latency 0).

    PYTHONPATH=tests .venv/bin/python tests/simulator/bench_throughput.py [--threads 4] [--seconds 10]

Client threads share the 2 cores with the server, so this measures the pair; the target is >= 500/s.
Each thread cycles through: GET one customer, GET a page of 20 users, an OAuth 1.0a-signed APS RQL GET.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from requests_oauthlib import OAuth1

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from simulator import control, seed  # noqa: E402

PARTNER = "4b1f2c3d-0000-4000-8000-000000000001"
CUSTOMER = "c0000003-0000-4000-8000-000000000003"
ACCOUNT_QUERY = "implementing(http://parallels.com/aps/types/pa/account/1.2),eq(id,1000002),limit(0,10)"


def bench_seed() -> dict:
    data = seed.read_seed_file(Path(__file__).resolve().parent / "seeds" / "demo.yml")
    data["partners"][0]["customers"][2]["users_generate"] = {"count": 200}
    return data


def user_token(sim: control.Sim, session: requests.Session) -> str:
    answer = session.post(
        f"{sim.url}/{PARTNER}/oauth2/v2.0/token",
        data={
            "client_id": "7d5c9a10-0000-4000-8000-0000000000a1",
            "client_secret": "demo-client-secret-not-a-real-one",
            "grant_type": "refresh_token",
            "refresh_token": "demo-refresh-token-not-a-real-one",
            "scope": "https://api.partnercenter.microsoft.com/user_impersonation",
        },
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def client_loop(
    sim: control.Sim, token: str, deadline: float, max_requests: int, results: collections.Counter, lock: threading.Lock
) -> None:
    session = requests.Session()
    session.trust_env = False
    session.verify = sim.ca_path
    bearer = {"Authorization": f"Bearer {token}"}
    aps_auth = OAuth1("demo-aps-consumer-key", client_secret="demo-aps-consumer-secret-not-real")
    calls = [
        ("pc customer", lambda: session.get(f"{sim.url}/v1/customers/{CUSTOMER}", headers=bearer)),
        ("pc users page", lambda: session.get(f"{sim.url}/v1/customers/{CUSTOMER}/users?size=20", headers=bearer)),
        ("aps rql", lambda: session.get(f"{sim.url}/aps/2/resources?{ACCOUNT_QUERY}", auth=aps_auth)),
    ]
    local: collections.Counter = collections.Counter()
    done = 0
    while time.monotonic() < deadline and done < max_requests:
        name, call = calls[done % len(calls)]
        status = call().status_code
        local[name if status == 200 else f"{name} -> {status}"] += 1
        done += 1
    session.close()
    with lock:
        results.update(local)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=100_000, help="per thread, a bound on the loop")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="simulator-bench-") as workdir, control.start(
        workdir, seed=bench_seed()
    ) as sim:
        with requests.Session() as session:
            session.trust_env = False
            session.verify = sim.ca_path
            token = user_token(sim, session)
        results: collections.Counter = collections.Counter()
        lock = threading.Lock()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=client_loop, args=(sim, token, deadline, args.max_requests, results, lock))
            for _ in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        served = sim.counters()

    total = sum(results.values())
    print(f"{total} requests in {elapsed:.1f} s from {args.threads} threads: {total / elapsed:.0f} requests/s")
    for name, count in sorted(results.items()):
        print(f"  {name}: {count}")
    print(f"  server journal: {served['total']} API requests")
    failures = sum(count for name, count in results.items() if "->" in name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
