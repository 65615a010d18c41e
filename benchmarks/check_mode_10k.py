#!/usr/bin/env python
"""Check mode of ``customer_users`` with 10,000 users (each with a password, so 10,000 ``no_log`` values).

Starts the simulator with the demo seed, runs one ``ansible-playbook --check --diff`` task that lists
10,000 new users of one customer, and prints the wall time of the run and of the task. Not a test: a
figure to quote, measured on the machine at hand.

    make install
    .venv/bin/python benchmarks/check_mode_10k.py [--users 10000] [--collections build/collections]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for path in (os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "integration")):
    if path not in sys.path:
        sys.path.insert(0, path)

from simulator import control  # noqa: E402
from harness import BIN, ansible_env, connection_env  # noqa: E402

FABRIKAM = "c0000002-0000-4000-8000-000000000002"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--collections", default=os.path.join(ROOT, "build", "collections"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        sim = control.start(os.path.join(work, "simulator"))
        try:
            users = [{"upn": "bench.user%05d@fabrikam-demo.onmicrosoft.com" % index, "first_name": "Bench",
                      "last_name": "User %d" % index, "usage_location": "US",
                      "password": "Bench-Passw0rd-%05d!" % index} for index in range(args.users)]
            vars_path = os.path.join(work, "users.json")
            with open(vars_path, "w") as handle:
                json.dump({"bench_users": users}, handle)
            playbook = os.path.join(work, "play.yml")
            with open(playbook, "w") as handle:
                handle.write(
                    "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
                    "  vars:\n    ansible_python_interpreter: %s\n  tasks:\n"
                    "    - name: Plan 10,000 users\n      csp.onboarding.customer_users:\n"
                    "        customer_id: %s\n        users: \"{{ bench_users }}\"\n        concurrency: 8\n"
                    "      register: planned\n"
                    "    - ansible.builtin.assert:\n        that: planned.created | length == %d\n"
                    % (sys.executable, FABRIKAM, args.users))
            env = ansible_env(dict(connection_env(sim, os.path.join(work, "tokens.json")),
                                   ANSIBLE_COLLECTIONS_PATH=args.collections))
            command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", playbook, "-e", "@" + vars_path,
                       "--check"]
            start = time.monotonic()
            process = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     universal_newlines=True)
            elapsed = time.monotonic() - start
        finally:
            sim.stop()
    if process.returncode != 0:
        print(process.stdout[-3000:])
        print("FAILED (exit %d) after %.1f s" % (process.returncode, elapsed))
        return 1
    print("check mode of customer_users with %d users (in-process path): %.1f s wall, ansible-playbook included"
          % (args.users, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
