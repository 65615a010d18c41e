"""The csp.onboarding performance benchmark: the collection against a careful ansible.builtin.uri baseline.

    make bench                                   # everything, as recorded in benchmarks/results/
    PYTHONPATH=tests .venv/bin/python benchmarks/run.py --quick          # a smoke run with small T
    PYTHONPATH=tests .venv/bin/python benchmarks/run.py --scenarios fresh,rerun --tenants 20

(``make bench`` builds and installs the collection first; run.py uses the installed artifact in
build/collections, as the demo and the integration tests do.)

One local simulator (tests/simulator) serves Entra, Partner Center and APS on 127.0.0.1 with a fixed
latency per request (``--latency-ms``, default 20). Before every measured run it is reset to the
workload's seed (benchmarks/workload.py), so each side starts from the same state. Each run is one
``ansible-playbook`` process with ANSIBLE_CONFIG=benchmarks/ansible.cfg, the same for both sides.

Scenarios (``--scenarios``, comma-separated; default all):
  fresh      T tenants x U users onboarded by the collection (playbooks/bulk_onboard.yml) and by the
             baseline (benchmarks/baseline_uri.yml), side by side.
  rerun      the same playbook again right after its fresh run: nothing to change.
  slow       the collection's fresh run and re-run at Partner Center's real latency (default 250 ms,
             T=100, forks 20): network-bound or controller-bound?
  growth     the collection's fresh run at several T (default 10, 100, 1000), to show how cost grows.
  throttled  the collection's fresh run under the simulator's per-partner rate limit (R requests/min),
             plus a run whose limit is below the collection's natural request rate (the limit binds).
  profile    where the time goes, at a small T: per-task timings split into HTTP and the rest, and
             variants (latency 0, pipelining off, strategy free, forks, users concurrency).

For each run: wall time, controller CPU (user+sys of the ansible-playbook process tree, from wait4),
peak memory of that tree, requests by API and method from the simulator's journal, token requests,
writes, 429s, the minimum number of requests for that work (see ``minimum()``) with the ratio, and the
HTTP lower bound (``lower_bound()``) with the wall time as a multiple of it. The workload is the whole
onboarding (GDAP check, domain, users with one license each, APS bypass); what the installed role does
not take yet is left out of the collection's inventory, with a NOTE (``collection_features()``).
Results: benchmarks/results/<date>.json and .md (the Markdown table is printed too), then each goal
as PASS or FAIL.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for path in (os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "integration"), HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from simulator import control  # noqa: E402  (tests/ is not a package; PYTHONPATH=tests or the lines above)
from harness import ansible_env, connection_env  # noqa: E402

import workload  # noqa: E402

BIN = os.path.dirname(sys.executable)
WORK = os.path.join(HERE, "scratch")
RESULTS = os.path.join(HERE, "results")
ANSIBLE_CFG = os.path.join(HERE, "ansible.cfg")
# The collection under test: a snapshot of the installed artifact (make install -> build/collections), taken
# when the benchmark starts, so that a rebuild during a long run cannot change what is measured. The bulk
# playbook is the artifact's own copy (playbooks/ ships in it).
SNAPSHOT = os.path.join(WORK, "collections")
SNAPSHOT_COLLECTION = os.path.join(SNAPSHOT, "ansible_collections", "csp", "onboarding")
COLLECTION_PLAYBOOK = os.path.join(SNAPSHOT_COLLECTION, "playbooks", "bulk_onboard.yml")
BASELINE_PLAYBOOK = os.path.join(HERE, "baseline_uri.yml")
API_NAMES = ("pc", "aps", "graph")
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
PC_PAGE_SIZE = 500  # pc_max_page_size of the generated seed, and Partner Center's usual page
EXISTING_USERS = 1  # users each generated tenant has before onboarding (its admin), see workload.py
GIB = 1024 ** 3
ALL_SCENARIOS = ("fresh", "rerun", "slow", "growth", "throttled", "profile")
DEFAULT_USER_CONCURRENCY = 4  # tenant_onboarding_user_concurrency, unless the role's defaults say otherwise


# --- the minimum -----------------------------------------------------------------------------------


def user_pages(count, page_size=PC_PAGE_SIZE):
    """Pages of one GET /users listing: at least one, even for an empty tenant."""
    return max(1, int(math.ceil(count / float(page_size))))


def minimum(kind, tenants, users, existing_users=EXISTING_USERS, features=workload.FEATURES):
    """The fewest requests that do this work, for a client that converges: it reads before it writes,
    so that a run with nothing to change writes nothing.

    Per tenant, ``fresh`` (nothing onboarded yet):
      reads   1 customer GET (does the customer exist, before any write)
              1 GDAP GET (Graph: the customer's delegatedAdminRelationships, one page) -- with ``gdap``
              1 customDomains GET (is the domain there?)
              the active users' list pages (ceil(existing / 500), at least 1)
              1 subscribedskus GET (the SKU ids and free units of the part numbers) -- with ``licenses``
              2 APS GETs: the account lookup (the bypass links to the account's APS id) and the bypass lookup
      writes  1 verified-domain POST, U user POSTs, U licenseupdates POSTs (with ``licenses``; one license
              group per user), 1 bypass POST
      A user created by this run has no license: its licenses need no read.
      NOT counted: a second customer GET before the domain POST (the collection's verified_domain reads the
      customer to check its default domain; the role has just read it), and the soft-deleted users' list
      (a client can create first and look for a soft-deleted user only when the create answers 409).
    Per tenant, ``rerun`` (everything already there): the same reads (users pages over U + existing users)
    plus, with ``licenses``, one licenses GET per listed user (Partner Center's user has no licenses in
    it, and there is no listing of every user's licenses); no writes.
    For the run: 1 token request per credential and audience: Partner Center (App+User), and Microsoft
    Graph of the partner tenant with ``gdap``; APS OAuth 1.0a signing needs no token. MSAL's OpenID
    discovery GET before a token request is not counted (it is reported as "entra other").

    With U=20 and everything: fresh 7 reads + 42 writes = 49 per tenant, re-run 27 reads, 2 tokens.

    The baseline does the same work, so it has the same minimum; on a fresh run it can go below it, since it
    writes blind (POST and accept 409) instead of reading first -- and so it writes again on every re-run.
    """
    gdap = 1 if "gdap" in features else 0
    licenses = 1 if "licenses" in features else 0
    if kind == "fresh":
        reads = 1 + gdap + 1 + user_pages(existing_users) + licenses + 2
        writes = 1 + users + licenses * users + 1
    elif kind == "rerun":
        reads = 1 + gdap + 1 + user_pages(existing_users + users) + licenses * (1 + users) + 2
        writes = 0
    else:
        raise ValueError(kind)
    tokens = 1 + gdap
    return {"reads": reads * tenants, "writes": writes * tenants, "tokens": tokens,
            "api": (reads + writes) * tenants, "total": (reads + writes) * tenants + tokens,
            "per_tenant": {"reads": reads, "writes": writes}}


def critical_path(kind, users, existing_users=EXISTING_USERS, features=workload.FEATURES,
                  concurrency=DEFAULT_USER_CONCURRENCY):
    """Request round trips on ONE tenant's critical path, for the minimum's requests, in the role's order
    (customer -> GDAP check -> domains -> users -> APS bypass: each step needs the one before it).
    Requests of one step that do not need each other's answers count as one round trip (the users' list
    and subscribedskus; the two APS lookups); a step's writes follow its reads; the users are written
    ``concurrency`` at a time (tenant_onboarding_user_concurrency), and a user's license needs its create
    answer (the user's id), so each user is two rounds in sequence.

      fresh:  customer 1, GDAP 1, domains 2 (read, POST), users' reads 1 + user pages beyond the first,
              users 2 x ceil(U / concurrency) (1 x without licenses), APS 2 (lookups, POST)
      rerun:  customer 1, GDAP 1, domains 1, users' reads user pages, licenses ceil(U / concurrency), APS 1
    With U=20, concurrency 4 and everything: fresh 17, re-run 10. The token requests (one per audience) are
    added once per run, by :func:`lower_bound`.
    """
    gdap = 1 if "gdap" in features else 0
    licenses = "licenses" in features
    waves = int(math.ceil(users / float(max(1, concurrency))))
    if kind == "fresh":
        return 1 + gdap + 2 + user_pages(existing_users) + (2 if licenses else 1) * waves + 2
    if kind == "rerun":
        return 1 + gdap + 1 + user_pages(existing_users + users) + (waves if licenses else 0) + 1
    raise ValueError(kind)


def lower_bound(kind, tenants, users, forks, latency_ms, throughput_rps=None, features=workload.FEATURES,
                concurrency=DEFAULT_USER_CONCURRENCY):
    """The HTTP lower bound of a run, in seconds: ``forks`` tenants at once, each its critical path of round
    trips (:func:`critical_path`) times the latency, in ceil(T / forks) waves, plus the token requests once;
    and never below the minimum's requests divided by the simulator's own measured throughput (requests/s at
    0 ms latency, tests/simulator/bench_throughput.py on this machine), whatever the latency."""
    rounds = critical_path(kind, users, features=features, concurrency=concurrency)
    least = minimum(kind, tenants, users, features=features)
    waves = int(math.ceil(tenants / float(max(1, forks))))
    latency_s = latency_ms / 1000.0
    by_latency = (waves * rounds + least["tokens"]) * latency_s
    by_throughput = least["total"] / float(throughput_rps) if throughput_rps else 0.0
    return {"bound_s": round(max(by_latency, by_throughput), 3), "by_latency_s": round(by_latency, 3),
            "by_throughput_s": round(by_throughput, 3), "rounds_per_tenant": rounds, "waves": waves,
            "token_rounds": least["tokens"], "throughput_rps": throughput_rps,
            "binding": "throughput" if by_throughput > by_latency else "latency"}


def bound_factor(latency_ms):
    """The goal's allowed multiple of the lower bound: 4x at 20 ms, 1.5x at 250 ms (and above)."""
    return 1.5 if latency_ms >= 250 else 4.0


def simulator_throughput(seconds=5, threads=4):
    """Requests/s of the simulator at 0 ms latency, from tests/simulator/bench_throughput.py (its own
    simulator, same machine); None when it cannot be measured."""
    script = os.path.join(ROOT, "tests", "simulator", "bench_throughput.py")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "tests")
    try:
        answer = subprocess.run([sys.executable, script, "--seconds", str(seconds), "--threads", str(threads)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, "not measured: %s" % exc
    for line in answer.stdout.splitlines():
        if line.endswith("requests/s"):
            try:
                return float(line.split(":")[-1].split()[0]), line.strip()
            except (ValueError, IndexError):
                break
    return None, "not measured: %s" % (answer.stdout.strip().splitlines() or ["no output"])[-1]


# --- the collection under test ---------------------------------------------------------------------


def snapshot_collection():
    """Copy the installed collection into benchmarks/scratch/collections; return what was copied."""
    installed_root = (os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(ROOT, "build", "collections"))
    installed = None
    for root in installed_root.split(os.pathsep):
        candidate = os.path.join(root, "ansible_collections", "csp", "onboarding")
        if os.path.isfile(os.path.join(candidate, "MANIFEST.json")):
            installed = candidate
            break
    if installed is None:
        raise SystemExit("csp.onboarding is not installed in %s: run make bench (it runs make install first)."
                         % installed_root)
    if os.path.isdir(SNAPSHOT):
        shutil.rmtree(SNAPSHOT)
    shutil.copytree(installed, SNAPSHOT_COLLECTION)
    with open(os.path.join(SNAPSHOT_COLLECTION, "MANIFEST.json")) as handle:
        version = json.load(handle)["collection_info"]["version"]

    def git(*args):
        try:
            return subprocess.run(["git"] + list(args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  universal_newlines=True, timeout=30).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return None

    dirty = git("status", "--porcelain", "--", "plugins", "roles", "playbooks", "meta", "galaxy.yml")
    return {"version": version, "installed_from": os.path.relpath(installed, ROOT), "commit": git("rev-parse", "HEAD"),
            "uncommitted_changes": [line[3:] for line in (dirty or "").splitlines()],
            "installed_at": datetime.datetime.fromtimestamp(
                os.path.getmtime(os.path.join(installed, "MANIFEST.json"))).isoformat(timespec="seconds")}


def collection_features(collection=SNAPSHOT_COLLECTION):
    """What the collection under test takes of the workload, from its role's argument spec and the
    customer_users module's options (the role is still being extended: a part it does not take yet is left
    out of its inventory rather than failing every tenant). Returns (features, notes, role settings)."""
    import yaml  # ansible-core's dependency

    notes = []
    role = os.path.join(collection, "roles", "tenant_onboarding")
    try:
        with open(os.path.join(role, "meta", "argument_specs.yml")) as handle:
            options = yaml.safe_load(handle)["argument_specs"]["main"]["options"] or {}
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        options = {}
        notes.append("the role's argument spec could not be read (%s)" % exc)
    try:
        with open(os.path.join(role, "defaults", "main.yml")) as handle:
            defaults = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError):
        defaults = {}
    tasks_text = ""
    for directory, _dirs, files in os.walk(os.path.join(role, "tasks")):
        for name in files:
            try:
                with open(os.path.join(directory, name)) as handle:
                    tasks_text += handle.read()
            except OSError:
                pass
    features = []
    if "tenant_onboarding_gdap" in options and "tenant_onboarding_gdap" in tasks_text:
        features.append("gdap")
    else:
        notes.append("the role does not take tenant_onboarding_gdap yet: the collection's inventory has no GDAP "
                     "check, so its side makes no Graph token request and no GDAP read")
    users_spec = options.get("tenant_onboarding_users") or {}
    role_takes_licenses = not users_spec.get("options") or "licenses" in users_spec["options"]
    module_takes_licenses = False
    for name in ("plugins/modules/customer_users.py", "plugins/module_utils/_users.py",
                 "plugins/module_utils/_licenses.py"):
        try:
            with open(os.path.join(collection, name)) as handle:
                text = handle.read()
        except OSError:
            continue
        module_takes_licenses = module_takes_licenses or "LICENSE_OPTIONS" in text or "licenses=dict(" in text
    if role_takes_licenses and module_takes_licenses:
        features.append("licenses")
    else:
        notes.append("%s does not take licenses on users yet: the collection's users get no license, so its side "
                     "makes no subscribedskus, licenses or licenseupdates request" % (
                         "the role's tenant_onboarding_users" if not role_takes_licenses else "customer_users"))
    concurrency = defaults.get("tenant_onboarding_user_concurrency", DEFAULT_USER_CONCURRENCY)
    try:
        concurrency = int(concurrency)
    except (TypeError, ValueError):
        concurrency = DEFAULT_USER_CONCURRENCY
    return tuple(features), notes, {"user_concurrency": concurrency}


# --- the machine -----------------------------------------------------------------------------------


def machine_info():
    model = None
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import ansible.release
        ansible_version = ansible.release.__version__
    except ImportError:  # pragma: no cover
        ansible_version = None
    mem_total = None
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    mem_total = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem_total / GIB, 1) if mem_total else None,
        "python": platform.python_version(),
        "ansible_core": ansible_version,
        "platform": platform.platform(),
        "loadavg_at_start": load_average(),
        "env": dict((name, os.environ.get(name)) for name in ("PYTHONDONTWRITEBYTECODE",) if os.environ.get(name)),
    }


def load_average():
    try:
        with open("/proc/loadavg") as handle:
            return [float(value) for value in handle.read().split()[:3]]
    except OSError:
        return None


# --- measuring one ansible-playbook run --------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _proc_stat(pid):
    """(ppid, utime+stime seconds) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / float(CLOCK_TICKS)


def _rss_pss(pid):
    """(RSS, PSS) in bytes; PSS from smaps_rollup (shared pages counted once across the tree)."""
    rss = pss = 0
    try:
        with open("/proc/%d/statm" % pid) as handle:
            rss = int(handle.read().split()[1]) * PAGE_SIZE
        with open("/proc/%d/smaps_rollup" % pid) as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    """Samples the process tree under ``root`` every ``interval`` s: peak summed RSS and PSS, process count,
    and the root's own CPU time (the controller's main process, without its workers and modules)."""

    def __init__(self, root, interval=0.5):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = self.peak_processes = 0
        self.root_cpu = 0.0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.wait(self.interval):
            self.sample()

    def sample(self):
        children = collections.defaultdict(list)
        for name in os.listdir("/proc"):
            if name.isdigit():
                stat = _proc_stat(int(name))
                if stat:
                    children[stat[0]].append(int(name))
        root_stat = _proc_stat(self.root)
        if root_stat is None:
            return
        self.root_cpu = max(self.root_cpu, root_stat[1])
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        rss = pss = 0
        for pid in tree:
            one_rss, one_pss = _rss_pss(pid)
            rss += one_rss
            pss += one_pss
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_processes = max(self.peak_processes, len(tree))

    def stop(self):
        self._halt.set()
        self.join()


def run_measured(playbook, inventory, env, log_path, forks, extra_vars=None, timeout=3 * 3600):
    """Run ansible-playbook once; return its exit code and what it cost the controller."""
    command = [os.path.join(BIN, "ansible-playbook"), playbook, "-i", inventory, "--forks", str(forks)]
    for key, value in (extra_vars or {}).items():
        command += ["-e", json.dumps({key: value})]
    full_env = ansible_env(env)
    full_env.pop("PYTHONPATH", None)  # the benchmark's own import path is no business of Ansible's
    load_before = load_average()
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    timer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGTERM))
    timer.start()
    try:
        # wait4 gives the resource usage of the whole tree: ansible-playbook and every descendant it reaped
        # (workers, modules), CPU summed and ru_maxrss the largest single process.
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
        sampler.stop()
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "exit_code": process.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "cpu_user_s": round(usage.ru_utime, 2),
        "cpu_sys_s": round(usage.ru_stime, 2),
        "main_process_cpu_s": round(sampler.root_cpu, 2),
        "peak_rss_largest_mib": round(usage.ru_maxrss / 1024.0, 1),
        "peak_rss_tree_mib": round(sampler.peak_rss / 2.0 ** 20, 1),
        "peak_pss_tree_mib": round(sampler.peak_pss / 2.0 ** 20, 1),
        "peak_processes": sampler.peak_processes,
        "load_before": load_before,
        "load_after": load_average(),
        # Paths relative to the clone, wherever they stand in an argument: results name no machine's folders.
        "command": " ".join(command).replace(ROOT + os.sep, ""),
    }


def simulator_cpu(sim):
    stat = _proc_stat(sim.pid)
    return stat[1] if stat else 0.0


# --- reading the journal ---------------------------------------------------------------------------


def journal_summary(journal):
    by_api_method = collections.defaultdict(collections.Counter)
    statuses = collections.Counter()
    by_caller = collections.Counter()
    for entry in journal:
        by_api_method[entry["api"]][entry["method"]] += 1
        statuses[str(entry["status"])] += 1
        if entry["api"] in API_NAMES and entry.get("fault") != "rate_limit":
            by_caller["%s:%s" % (entry["api"], entry.get("partner"))] += 1
    api = [entry for entry in journal if entry["api"] in API_NAMES]
    tokens = [entry for entry in journal if entry["api"] == "entra" and entry["method"] == "POST"]
    by_method = collections.Counter(entry["method"] for entry in api)
    throttled = [entry for entry in journal if entry.get("fault") == "rate_limit"]
    return {
        "total": len(journal),
        "api": len(api),
        "api_admitted": len(api) - len(throttled),
        "by_method": dict(by_method),
        "by_api_method": dict((name, dict(methods)) for name, methods in by_api_method.items()),
        # Writes the API accepted to process (a 429 from the rate limit is not a write; the retry is).
        "reads": sum(1 for entry in api if entry["method"] not in WRITE_METHODS and entry.get("fault") != "rate_limit"),
        "writes": sum(1 for entry in api if entry["method"] in WRITE_METHODS and entry.get("fault") != "rate_limit"),
        "writes_answered_409": sum(1 for entry in api if entry["method"] in WRITE_METHODS and entry["status"] == 409),
        "token_requests": len(tokens),
        "token_grants": dict(collections.Counter(entry.get("grant_type") for entry in tokens)),
        "entra_other": sum(1 for entry in journal if entry["api"] == "entra" and entry["method"] != "POST"),
        "throttled_429": len(throttled),
        "statuses": dict(statuses),
        "admitted_by_caller": dict(by_caller),
    }


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def http_spans(journal, latency_s):
    """Per correlation id (one module run): the time from its first request's arrival to its last answer
    (the journal has arrival times; the last answer is taken as arrival + latency)."""
    spans = {}
    for entry in journal:
        cid = entry.get("correlation_id")
        if not cid:
            continue
        moment = parse_time(entry["time"])
        first, last, count = spans.get(cid, (moment, moment, 0))
        spans[cid] = (min(first, moment), max(last, moment), count + 1)
    return dict((cid, {"span_s": last - first + latency_s, "requests": count})
                for cid, (first, last, count) in spans.items())


# --- end state and failures ------------------------------------------------------------------------


def end_state(sim, tenants, users, features=workload.FEATURES):
    """Count what the fresh run should have produced: domains, active users (with their license), bypasses."""
    state = sim.state()
    wanted = set(workload.customer_id(number) for number in range(1, tenants + 1))
    domains = active_users = licensed_users = 0
    for partner in state["partners"]:
        for customer in partner["customers"]:
            if customer["id"] not in wanted:
                continue
            number = int(customer["id"].split("-")[-1], 16)
            names = set((d if isinstance(d, str) else d["name"]).lower() for d in customer["custom_domains"])
            domains += workload.managed_domain(number) in names
            listed = [user for user in customer["users"] if user.get("state", "active") == "active"
                      and user["user_principal_name"].lower().startswith("user")]
            active_users += len(listed)
            licensed_users += sum(1 for user in listed if any(
                (entry.get("sku") or "").lower() == workload.LICENSE_SKU_ID for entry in user.get("licenses") or []))
    bypasses = state["aps"]["bypasses"]
    tenants_with_bypass = len(set(bypass["ms_tenant_id"].lower() for bypass in bypasses) & wanted)
    expected = {"domains": tenants, "users": tenants * users, "tenants_with_bypass": tenants, "bypasses": tenants}
    found = {"domains": domains, "users": active_users, "tenants_with_bypass": tenants_with_bypass,
             "bypasses": len(bypasses)}
    if "licenses" in features:
        expected["licensed_users"] = tenants * users
        found["licensed_users"] = licensed_users
    return {"expected": expected, "found": found, "complete": found == expected}


def failed_tenants(side, report_dir, log_path):
    """Tenants that failed: from the collection's report, or from the PLAY RECAP of the baseline."""
    if side == "collection":
        try:
            with open(os.path.join(report_dir, "onboarding-report.json")) as handle:
                return json.load(handle)["summary"]["failed"]
        except (OSError, ValueError, KeyError):
            return None
    failed = 0
    with open(log_path) as handle:
        in_recap = False
        for line in handle:
            if line.startswith("PLAY RECAP"):
                in_recap = True
            elif in_recap and " : ok=" in line:
                counts = dict(part.split("=") for part in line.split(" : ", 1)[1].split())
                failed += int(counts.get("failed", 0)) > 0 or int(counts.get("unreachable", 0)) > 0
    return failed


# --- the benchmark ---------------------------------------------------------------------------------


class Bench(object):

    def __init__(self, options):
        self.options = options
        self.sim = None
        self.workloads = {}
        self.runs = collections.OrderedDict()
        self.profile = None
        self.label = options.label
        self.run_dir = os.path.join(WORK, "runs", self.label)
        # What each side is asked to do: the baseline always the whole onboarding, the collection what its
        # role and modules take (collection_features, set by main()).
        self.features = {"collection": workload.FEATURES, "baseline": workload.FEATURES}
        self.user_concurrency = DEFAULT_USER_CONCURRENCY
        self.throughput_rps = None

    # the simulator and the workloads

    def workload(self, tenants, features=workload.FEATURES):
        key = (tenants, self.options.users, tuple(features))
        if key not in self.workloads:
            self.workloads[key] = workload.generate(tenants, self.options.users, features=features)
        return self.workloads[key]

    def start(self):
        if os.path.isdir(self.run_dir):
            shutil.rmtree(self.run_dir)
        os.makedirs(self.run_dir)
        # --latency-ms on the command line: a reset puts the faults back to it.
        self.sim = control.start(os.path.join(WORK, "simulator"), seed=None,
                                 extra_args=["--latency-ms", str(self.options.latency_ms)], timeout=60)

    def stop(self):
        if self.sim is not None:
            self.sim.stop()

    def prepare(self, tenants, latency_ms=None, rate_limit_rpm=None):
        """Reset the simulator to the workload's seed (journal, tokens and faults too), then set the faults."""
        self.sim.reset(self.workload(tenants, self.features["collection"])["seed"])  # the same seed for every side
        faults = {"latency_ms": self.options.latency_ms if latency_ms is None else latency_ms}
        if rate_limit_rpm:
            faults["rate_limit_rpm"] = rate_limit_rpm
        self.sim.set_faults(faults)

    def env(self, side, name, overrides=None):
        cache = os.path.join(self.run_dir, name + ".token-cache.json")
        for suffix in ("", ".lock"):
            if os.path.exists(cache + suffix):
                os.remove(cache + suffix)  # every run starts without a token, as a new AWX job does
        env = connection_env(self.sim, cache)
        env["ANSIBLE_CONFIG"] = ANSIBLE_CFG
        env["ANSIBLE_COLLECTIONS_PATH"] = SNAPSHOT
        if side == "baseline":
            env["APS_TOKEN"] = workload.APS_TOKEN  # uri cannot sign OAuth 1.0a: the baseline uses an APS-Token
        env.update(overrides or {})
        return env

    # one measured run

    def run(self, name, side, kind, tenants, forks=None, latency_ms=None, rate_limit_rpm=None, env=None,
            extra_vars=None, check_state=False, profile=False, record=True):
        options = self.options
        forks = forks or options.forks
        latency_ms = options.latency_ms if latency_ms is None else latency_ms
        features = self.features[side]
        load = self.workload(tenants, features)
        playbook = COLLECTION_PLAYBOOK if side == "collection" else BASELINE_PLAYBOOK
        report_dir = os.path.join(self.run_dir, name + ".reports")
        log_path = os.path.join(self.run_dir, name + ".log")
        variables = dict(extra_vars or {})
        if side == "collection":
            variables["onboarding_report_dir"] = report_dir
        env = self.env(side, name, env)
        profile_path = None
        if profile:
            profile_path = os.path.join(self.run_dir, name + ".profile.json")
            env.update({"ANSIBLE_CALLBACKS_ENABLED": "bench_profile", "BENCH_PROFILE_OUT": profile_path,
                        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins")})
        print("[%s] %s: %s, T=%d U=%d forks=%d latency=%d ms%s%s ..." % (
            time.strftime("%H:%M:%S"), name, side, tenants, options.users, forks, latency_ms,
            ", rate limit %d/min" % rate_limit_rpm if rate_limit_rpm else "",
            "" if features == workload.FEATURES else ", WITHOUT %s" % ", ".join(
                name for name in workload.FEATURES if name not in features)), flush=True)
        sim_cpu_before = simulator_cpu(self.sim)
        measured = run_measured(playbook, load["inventory"], env, log_path, forks, variables)
        measured["simulator_cpu_s"] = round(simulator_cpu(self.sim) - sim_cpu_before, 2)
        journal = self.sim.journal()
        requests = journal_summary(journal)
        least = minimum(kind, tenants, options.users, features=features)
        concurrency = int((extra_vars or {}).get("tenant_onboarding_user_concurrency", self.user_concurrency))
        bound = lower_bound(kind, tenants, options.users, forks, latency_ms, self.throughput_rps, features,
                            concurrency)
        result = collections.OrderedDict([
            ("name", name), ("side", side), ("kind", kind), ("tenants", tenants), ("users", options.users),
            ("forks", forks), ("latency_ms", latency_ms), ("rate_limit_rpm", rate_limit_rpm),
            ("features", list(features)),
            ("extra", {"env": dict((k, v) for k, v in (env or {}).items() if k.startswith("ANSIBLE_STRATEGY")
                                   or k == "ANSIBLE_PIPELINING"), "vars": extra_vars or {}}),
        ])
        result.update(measured)
        result["failed_tenants"] = failed_tenants(side, report_dir, log_path)
        result["requests"] = requests
        result["minimum"] = least
        # Actual: every request the run sent (Entra discovery and 429 answers included).
        result["ratio_to_minimum"] = round(requests["total"] / float(least["total"]), 3)
        result["api_ratio_to_minimum"] = round(requests["api"] / float(least["api"]), 3)
        result["lower_bound"] = bound
        result["wall_to_bound"] = round(result["wall_s"] / bound["bound_s"], 2) if bound["bound_s"] else None
        result["log"] = os.path.relpath(log_path, ROOT)
        if check_state:
            result["end_state"] = end_state(self.sim, tenants, options.users, features)
        if profile_path:
            result["profile"] = task_profile(profile_path, journal, latency_ms / 1000.0)
        print("    exit %d, wall %.1f s, CPU %.1f s, %d API requests (%d writes, %d answered 409), %d token "
              "requests, %d x 429, peak tree PSS %.0f MiB; HTTP lower bound %.2f s (%s), wall = %.2fx it%s" % (
                  result["exit_code"], result["wall_s"], result["cpu_s"], requests["api"], requests["writes"],
                  requests["writes_answered_409"], requests["token_requests"], requests["throttled_429"],
                  result["peak_pss_tree_mib"], bound["bound_s"], bound["binding"], result["wall_to_bound"] or 0,
                  "" if not check_state else ", end state %s" % (
                      "complete" if result["end_state"]["complete"] else "INCOMPLETE %s" % result["end_state"])),
              flush=True)
        if record:
            self.runs[name] = result
        return result

    # scenarios

    def scenario_fresh_and_rerun(self, scenarios):
        tenants = self.options.tenants
        for side in self.options.sides:
            self.prepare(tenants)
            self.run("fresh-" + side, side, "fresh", tenants, check_state=True)
            if "rerun" in scenarios:
                self.sim.clear_journal()
                self.run("rerun-" + side, side, "rerun", tenants)

    def scenario_slow(self):
        """The collection's fresh run and re-run at a realistic latency (default 250 ms), every fork busy."""
        options = self.options
        tenants, latency = options.slow_tenants, options.slow_latency_ms
        self.prepare(tenants, latency_ms=latency)
        self.run("slow-fresh-collection", "collection", "fresh", tenants, forks=options.slow_forks,
                 latency_ms=latency, check_state=True)
        self.sim.clear_journal()
        self.run("slow-rerun-collection", "collection", "rerun", tenants, forks=options.slow_forks,
                 latency_ms=latency)

    def scenario_growth(self):
        for tenants in self.options.growth:
            fresh = self.runs.get("fresh-collection")
            if fresh is not None and fresh["tenants"] == tenants:
                self.runs["growth-T%d" % tenants] = dict(fresh, name="growth-T%d" % tenants,
                                                          reused_from="fresh-collection")
                print("[%s] growth-T%d: the fresh-collection run (same T, U, forks, latency)" % (
                    time.strftime("%H:%M:%S"), tenants), flush=True)
                continue
            self.prepare(tenants)
            self.run("growth-T%d" % tenants, "collection", "fresh", tenants, check_state=True)

    def scenario_throttled(self):
        options = self.options
        self.prepare(options.throttle_tenants, rate_limit_rpm=options.throttle_rpm)
        self.run("throttled", "collection", "fresh", options.throttle_tenants,
                 rate_limit_rpm=options.throttle_rpm, check_state=True)
        if options.binding_rpm:
            # A limit below the collection's own request rate: every request competes for the limit, which
            # exercises the retries (Retry-After) rather than the collection's speed.
            self.prepare(options.binding_tenants, rate_limit_rpm=options.binding_rpm)
            self.run("throttled-binding", "collection", "fresh", options.binding_tenants,
                     rate_limit_rpm=options.binding_rpm, check_state=True)

    def scenario_profile(self):
        """Where the time goes, at a small T: the reference run with per-task timings, then one change at a
        time; then the unit cost of one task per host for a few kinds of task."""
        options = self.options
        tenants = options.profile_tenants
        variants = [
            ("reference", "collection", {}, {}),
            # The same modules run as AnsiballZ processes instead of in the worker (the action plugins'
            # fallback): what the in-process path saves.
            ("as AnsiballZ modules", "collection", {}, {"csp_onboarding_in_process": False}),
            ("latency 0 ms", "collection", {"latency_ms": 0}, {}),
            ("pipelining on", "collection", {"env": {"ANSIBLE_PIPELINING": "True"}}, {}),
            ("strategy free", "collection", {"env": {"ANSIBLE_STRATEGY": "free"}}, {}),
            ("forks 5", "collection", {"forks": 5}, {}),
            ("forks 20", "collection", {"forks": 20}, {}),
            ("users concurrency 1", "collection", {}, {"tenant_onboarding_user_concurrency": 1}),
            ("users concurrency 16", "collection", {}, {"tenant_onboarding_user_concurrency": 16}),
            ("baseline reference", "baseline", {}, {}),
            ("baseline latency 0 ms", "baseline", {"latency_ms": 0}, {}),
            ("baseline pipelining on", "baseline", {"env": {"ANSIBLE_PIPELINING": "True"}}, {}),
            ("baseline strategy free", "baseline", {"env": {"ANSIBLE_STRATEGY": "free"}}, {}),
        ]
        if options.quick:
            variants = [variant for variant in variants if variant[0] in (
                "reference", "as AnsiballZ modules", "latency 0 ms", "baseline reference", "baseline latency 0 ms")]
        rows = []
        for index, (label, side, settings, extra_vars) in enumerate(variants):
            side_tenants = tenants if side == "collection" else options.profile_baseline_tenants
            self.prepare(side_tenants, latency_ms=settings.get("latency_ms"))
            result = self.run("profile-%02d" % index, side, "fresh", side_tenants, forks=settings.get("forks"),
                              latency_ms=settings.get("latency_ms"), env=settings.get("env"),
                              extra_vars=extra_vars, profile=True, record=False)
            result["variant"] = label
            rows.append(result)
        self.profile = {"tenants": tenants, "baseline_tenants": options.profile_baseline_tenants, "variants": rows,
                        "unit_costs": self.unit_costs(options.unit_hosts)}

    def unit_costs(self, hosts):
        """Controller CPU of ONE task on each of ``hosts`` hosts, by kind of task: (CPU of a play with that one
        task - CPU of the same play with no task) / hosts. Same ansible.cfg and forks as the runs."""
        directory = os.path.join(WORK, "unit")
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        os.makedirs(os.path.join(directory, "inventory", "group_vars"))
        with open(os.path.join(directory, "inventory", "hosts.yml"), "w") as handle:
            json.dump({"tenants": {"hosts": dict(("unit-%03d" % number, None) for number in range(hosts))}}, handle)
        with open(os.path.join(directory, "inventory", "group_vars", "all.yml"), "w") as handle:
            handle.write(workload.GROUP_VARS)
        self.prepare(1)
        customer = workload.customer_id(1)
        kinds = collections.OrderedDict([
            ("no task (start-up, inventory, play)", None),
            ("skipped task (when: false)", {"ansible.builtin.debug": {"msg": "x"}, "when": False}),
            ("debug", {"ansible.builtin.debug": {"msg": "x"}}),
            ("set_fact", {"ansible.builtin.set_fact": {"unit_fact": "{{ inventory_hostname }}"}}),
            ("ping module (Python start-up + AnsiballZ + module_utils.basic)", {"ansible.builtin.ping": {}}),
            ("uri module, 1 GET (not journaled)", {"ansible.builtin.uri": {
                "url": self.sim.url + "/_sim/health", "ca_path": self.sim.ca_path}}),
            ("csp.onboarding.customer_info, 1 GET, in the worker (the default)",
             {"csp.onboarding.customer_info": {"customer_id": customer}}),
            ("csp.onboarding.customer_info, 1 GET, as an AnsiballZ module",
             {"csp.onboarding.customer_info": {"customer_id": customer}, "vars": {"csp_onboarding_in_process": False}}),
        ])
        rows = []
        empty_cpu = None
        for index, (label, task) in enumerate(kinds.items()):
            play = [{"name": "Unit cost", "hosts": "tenants", "gather_facts": False,
                     "tasks": [dict({"name": label}, **task)] if task else []}]
            playbook = os.path.join(directory, "unit-%d.yml" % index)
            with open(playbook, "w") as handle:
                json.dump(play, handle)
            env = self.env("collection", "unit-%d" % index)
            print("[%s] unit cost: %s x %d hosts ..." % (time.strftime("%H:%M:%S"), label, hosts), flush=True)
            measured = run_measured(playbook, os.path.join(directory, "inventory"), env,
                                    os.path.join(self.run_dir, "unit-%d.log" % index), self.options.forks)
            if empty_cpu is None:
                empty_cpu = measured["cpu_s"]
            rows.append({"kind": label, "hosts": hosts, "exit_code": measured["exit_code"],
                         "wall_s": measured["wall_s"], "cpu_s": measured["cpu_s"],
                         "cpu_per_host_task_ms": round(1000 * (measured["cpu_s"] - empty_cpu) / hosts, 1)
                         if task else None})
        return rows


def task_profile(path, journal, latency_s):
    """Per task: host count, mean and total host-seconds; for module tasks, the HTTP part (from the journal,
    by correlation id) and the rest (Ansible's task start-up: worker fork, templating, module transfer,
    Python start-up and imports, result handling)."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    spans = http_spans(journal, latency_s)
    tasks = collections.OrderedDict()
    for record in data["records"]:
        if record["start"] is None:
            continue
        key = record["task"]
        entry = tasks.setdefault(key, {"task": key, "action": record["action"], "hosts": 0, "host_s": 0.0,
                                       "http_s": 0.0, "module_runs": 0, "requests": 0, "skipped": 0})
        entry["hosts"] += 1
        entry["skipped"] += record["status"] == "skipped"
        entry["host_s"] += record["end"] - record["start"]
        for cid in record["correlation_ids"]:
            span = spans.get(cid)
            if span:
                entry["module_runs"] += 1
                entry["http_s"] += span["span_s"]
                entry["requests"] += span["requests"]
    rows = []
    total_host_s = sum(entry["host_s"] for entry in tasks.values())
    total_http_s = sum(entry["http_s"] for entry in tasks.values())
    for entry in tasks.values():
        hosts = entry["hosts"] or 1
        rows.append({
            "task": entry["task"], "action": entry["action"], "hosts": entry["hosts"], "skipped": entry["skipped"],
            "mean_s": round(entry["host_s"] / hosts, 3), "host_s": round(entry["host_s"], 1),
            "http_mean_s": round(entry["http_s"] / hosts, 3) if entry["module_runs"] else None,
            "other_mean_s": round((entry["host_s"] - entry["http_s"]) / hosts, 3),
            "requests_per_host": round(entry["requests"] / float(hosts), 1) if entry["module_runs"] else None,
        })
    return {"tasks": rows, "total_host_s": round(total_host_s, 1), "total_http_s": round(total_http_s, 1),
            "http_share": round(total_http_s / total_host_s, 3) if total_host_s else None,
            "playbook_s": round(data["t_end"] - data["t0"], 2)}


# --- goals -----------------------------------------------------------------------------------------


def evaluate_goals(runs, options):
    goals = []
    quick = " (quick run: T=%d, not the goal's T=100)" % options.tenants if options.tenants != 100 else ""

    def goal(name, passed, figures):
        goals.append({"goal": name, "result": "SKIP" if passed is None else ("PASS" if passed else "FAIL"),
                      "figures": figures})

    def less(*named):
        """A note when a collection run did less than the whole onboarding (the role does not take it yet)."""
        missing = sorted(set(name for run in named if run and run["side"] == "collection"
                             for name in workload.FEATURES if name not in run.get("features", workload.FEATURES)))
        return (" -- NOTE: the collection ran WITHOUT %s (not taken by its role yet), so it did less work than "
                "the goal is about" % ", ".join(missing)) if missing else ""

    fresh_c, fresh_b = runs.get("fresh-collection"), runs.get("fresh-baseline")
    if fresh_c and fresh_b:
        ratio = fresh_c["wall_s"] / fresh_b["wall_s"]
        goal("Fresh onboarding, %d ms: the collection's wall time <= 1/20 of the uri baseline's%s" % (
                 fresh_c["latency_ms"], quick),
             ratio <= 0.05 and fresh_c["exit_code"] == 0 and fresh_b["exit_code"] == 0,
             "the collection took %.3fx the baseline's wall time (%.1f s vs %.1f s; CPU %.3fx: %.1f s vs %.1f s); "
             "exit codes %d/%d%s" % (ratio, fresh_c["wall_s"], fresh_b["wall_s"], fresh_c["cpu_s"] / fresh_b["cpu_s"],
                                    fresh_c["cpu_s"], fresh_b["cpu_s"], fresh_c["exit_code"], fresh_b["exit_code"],
                                    less(fresh_c)))
    else:
        goal("Fresh onboarding: the collection's wall time <= 1/20 of the uri baseline's", None, "not run")

    # The HTTP lower bound: fresh and re-run, at the main latency and at the slow scenario's.
    for name in ("fresh-collection", "rerun-collection", "slow-fresh-collection", "slow-rerun-collection"):
        run = runs.get(name)
        if not run:
            continue
        bound, factor = run["lower_bound"], bound_factor(run["latency_ms"])
        goal("%s (T=%d, forks %d, %d ms): wall <= %.1fx the HTTP lower bound%s" % (
                 name, run["tenants"], run["forks"], run["latency_ms"], factor,
                 " (quick run: T=%d, not the goal's T=100)" % run["tenants"] if run["tenants"] != 100 else ""),
             run["exit_code"] == 0 and run["wall_s"] <= factor * bound["bound_s"],
             "wall %.2f s = %.2fx the bound %.2f s (%s-bound: %d waves x %d round trips + %d token requests, x %d ms "
             "= %.2f s; minimum %d requests / %s requests/s = %.2f s); exit %d%s" % (
                 run["wall_s"], run["wall_to_bound"], bound["bound_s"], bound["binding"], bound["waves"],
                 bound["rounds_per_tenant"], bound["token_rounds"], run["latency_ms"], bound["by_latency_s"],
                 run["minimum"]["total"], "%.0f" % bound["throughput_rps"] if bound["throughput_rps"] else "?",
                 bound["by_throughput_s"], run["exit_code"], less(run)))

    rerun = runs.get("rerun-collection")
    if rerun and fresh_c:
        requests, least = rerun["requests"], rerun["minimum"]
        checks = {
            "zero writes": requests["writes"] == 0,
            "reads == minimum": requests["reads"] == least["reads"] and requests["api"] == least["api"],
            "one token per credential and audience": requests["token_requests"] == least["tokens"],
            "wall <= 0.4x fresh": rerun["wall_s"] <= 0.4 * fresh_c["wall_s"],
            "exit 0": rerun["exit_code"] == 0,
        }
        goal("Re-run with nothing to change: zero writes, reads equal to the minimum, one token per credential and "
             "audience, wall <= 0.4x fresh" + quick, all(checks.values()),
             "%d writes; %d reads vs minimum %d (%.2fx); %d token request(s) vs %d (+%d Entra discovery GET); "
             "wall %.1f s = %.3fx the fresh run's %.1f s; failed checks: %s%s" % (
                 requests["writes"], requests["reads"], least["reads"], requests["reads"] / float(least["reads"]),
                 requests["token_requests"], least["tokens"], requests["entra_other"], rerun["wall_s"],
                 rerun["wall_s"] / fresh_c["wall_s"], fresh_c["wall_s"],
                 ", ".join(name for name, ok in checks.items() if not ok) or "none", less(rerun)))
    else:
        goal("Re-run with nothing to change", None, "not run")

    growth = sorted((run for name, run in runs.items() if name.startswith("growth-T")), key=lambda run: run["tenants"])
    if len(growth) >= 2:
        small, big = growth[-2], growth[-1]
        scale = big["tenants"] / float(small["tenants"])
        ratio = big["wall_s"] / small["wall_s"]
        # Memory of the controller: the ansible-playbook process tree's PSS (each shared page counted once; the
        # forks share most of their pages with the main process), sampled every 0.5 s. The summed RSS, which
        # counts a shared page once per process, and the largest single process are reported beside it.
        peak = max(run["peak_pss_tree_mib"] for run in growth)
        peak_rss = max(run["peak_rss_tree_mib"] for run in growth)
        peak_largest = max(run["peak_rss_largest_mib"] for run in growth)
        label = "Growth: T=%d -> %d wall ratio <= %.1f (no worse than linear), peak controller memory < 1 GiB" % (
            small["tenants"], big["tenants"], 1.1 * scale)
        goal(label, ratio <= 1.1 * scale and peak < 1024 and all(run["exit_code"] == 0 for run in growth),
             "wall %.1f s -> %.1f s: ratio %.2f for %.0fx the tenants (%.3f -> %.3f s per tenant); peak memory of "
             "the ansible-playbook process tree %.0f MiB PSS (RSS summed over its processes %.0f MiB, largest single "
             "process %.0f MiB); exit codes %s" % (
                 small["wall_s"], big["wall_s"], ratio, scale, small["wall_s"] / small["tenants"],
                 big["wall_s"] / big["tenants"], peak, peak_rss, peak_largest,
                 "/".join(str(run["exit_code"]) for run in growth)) + less(*growth))
    else:
        goal("Growth: wall ratio no worse than linear, peak RSS < 1 GiB", None, "not run")

    def time_bound(run):
        """The throttled goal's bound for a run: 1.25 x (admitted requests / R) + 30 s."""
        rpm = run["rate_limit_rpm"]
        admitted = run["requests"]["api_admitted"]
        return rpm, admitted, 1.25 * admitted / float(rpm) * 60 + 30

    throttled = runs.get("throttled")
    if throttled:
        rpm, admitted, bound = time_bound(throttled)
        busiest = max(throttled["requests"]["admitted_by_caller"].values() or [0])
        strict = 1.25 * busiest / float(rpm) * 60 + 30
        failed = throttled["failed_tenants"]
        goal("Throttled: R=%d requests/min, no failed tenant, wall <= 1.25 x (requests / R) + 30 s" % rpm,
             failed == 0 and throttled["exit_code"] == 0 and throttled["wall_s"] <= bound,
             "T=%d: %s failed tenants, exit %d; wall %.1f s vs bound %.1f s (requests = %d admitted API requests; "
             "%d answered 429); stricter bound with the busiest caller's %d requests: %.1f s; the run's mean rate "
             "%.0f requests/min" % (throttled["tenants"], failed, throttled["exit_code"], throttled["wall_s"], bound,
                                     admitted, throttled["requests"]["throttled_429"], busiest, strict,
                                     admitted / throttled["wall_s"] * 60))
    else:
        goal("Throttled: no failed tenant, wall <= 1.25 x (requests / R) + 30 s", None, "not run")
    binding = runs.get("throttled-binding")
    if binding:
        rpm, admitted, bound = time_bound(binding)
        goals.append({"goal": "(not a goal) Throttled with a limit that binds: R=%d requests/min, the same test" % rpm,
                      "result": "INFO: %s" % ("within" if binding["failed_tenants"] == 0 and binding["exit_code"] == 0
                                              and binding["wall_s"] <= bound else "outside"),
                      "figures": "T=%d: %s failed tenants, exit %d; wall %.1f s vs bound %.1f s (%d admitted API "
                                 "requests, %d answered 429; requests / R alone = %.1f s)" % (
                                     binding["tenants"], binding["failed_tenants"], binding["exit_code"],
                                     binding["wall_s"], bound, admitted, binding["requests"]["throttled_429"],
                                     admitted / float(rpm) * 60)})
    return goals


# --- output ----------------------------------------------------------------------------------------


def methods_text(requests):
    return " ".join("%s %d" % (method, count) for method, count in sorted(requests["by_method"].items()))


def results_table(runs):
    lines = [
        "| run | side | T x U | forks | latency | R/min | exit | wall s | CPU s | peak MiB: PSS tree / RSS tree / "
        "largest process | API requests | by method | tokens | writes (409) | 429 | minimum | actual/min "
        "| HTTP bound s | wall/bound | without |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs.values():
        requests = run["requests"]
        bound = run.get("lower_bound") or {}
        lines.append("| %s | %s | %d x %d | %d | %d ms | %s | %d | %.1f | %.1f | %.0f / %.0f / %.0f | %d | %s | %d | %d (%d) "
                     "| %d | %d | %.2f | %s | %s | %s |" % (
                         run["name"] + (" (= %s)" % run["reused_from"] if run.get("reused_from") else ""),
                         run["side"], run["tenants"], run["users"], run["forks"], run["latency_ms"],
                         run["rate_limit_rpm"] or "-", run["exit_code"], run["wall_s"], run["cpu_s"],
                         run["peak_pss_tree_mib"], run["peak_rss_tree_mib"], run["peak_rss_largest_mib"], requests["api"],
                         methods_text(requests), requests["token_requests"], requests["writes"],
                         requests["writes_answered_409"], requests["throttled_429"], run["minimum"]["total"],
                         run["ratio_to_minimum"], "%.2f" % bound["bound_s"] if bound else "-",
                         "%.2f" % run["wall_to_bound"] if run.get("wall_to_bound") else "-",
                         ", ".join(name for name in workload.FEATURES if name not in run.get("features", workload.FEATURES))
                         or "-"))
    return "\n".join(lines)


def profile_tables(profile):
    if not profile:
        return ""
    lines = ["Variants (one change at a time from the reference; the collection at T=%d, the baseline at T=%d):" % (
        profile["tenants"], profile["baseline_tenants"]), "",
        "| variant | side | T | forks | exit | wall s | CPU s | CPU s per tenant | main process CPU s | "
        "simulator CPU s | API requests |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in profile["variants"]:
        lines.append("| %s | %s | %d | %d | %d | %.1f | %.1f | %.2f | %.1f | %.1f | %d |" % (
            run["variant"], run["side"], run["tenants"], run["forks"], run["exit_code"], run["wall_s"], run["cpu_s"],
            run["cpu_s"] / run["tenants"], run["main_process_cpu_s"], run["simulator_cpu_s"],
            run["requests"]["api"]))
    by_variant = dict((run["variant"], run) for run in profile["variants"])
    for side, reference, no_latency in (("collection", "reference", "latency 0 ms"),
                                        ("baseline", "baseline reference", "baseline latency 0 ms")):
        run, fast = by_variant.get(reference), by_variant.get(no_latency)
        if not run or not run.get("profile"):
            continue
        data = run["profile"]
        fast_tasks = dict((row["task"], row) for row in ((fast or {}).get("profile") or {}).get("tasks", []))
        lines += ["", "Per task, %s (T=%d): %.1f host-seconds in tasks; Partner Center HTTP spans (journal, by "
                  "correlation id) %.1f of them; playbook %.1f s; the same run with 0 ms latency: %s." % (
                      side, run["tenants"], data["total_host_s"], data["total_http_s"], data["playbook_s"],
                      "%.1f s wall" % fast["wall_s"] if fast else "not run"), "",
                  "| task | action | hosts | mean s per host, 20 ms | mean s per host, 0 ms | PC HTTP span mean s "
                  "| requests per host |", "|---|---|---|---|---|---|---|"]
        for row in data["tasks"]:
            other = fast_tasks.get(row["task"])
            lines.append("| %s | %s | %d | %.3f | %s | %s | %s |" % (
                row["task"], row["action"], row["hosts"], row["mean_s"],
                "%.3f" % other["mean_s"] if other else "-",
                "%.3f" % row["http_mean_s"] if row["http_mean_s"] is not None else "-",
                row["requests_per_host"] if row["requests_per_host"] is not None else "-"))
    if profile.get("unit_costs"):
        lines += ["", "Unit costs: controller CPU of one task per host (the play's CPU minus the empty play's, "
                  "divided by the hosts):", "", "| task | hosts | exit | wall s | CPU s | CPU ms per host-task |",
                  "|---|---|---|---|---|---|"]
        for row in profile["unit_costs"]:
            lines.append("| %s | %d | %d | %.1f | %.1f | %s |" % (
                row["kind"], row["hosts"], row["exit_code"], row["wall_s"], row["cpu_s"],
                "%.0f" % row["cpu_per_host_task_ms"] if row["cpu_per_host_task_ms"] is not None else "-"))
    return "\n".join(lines)


def markdown(document):
    machine = document["machine"]
    parts = [
        "# csp.onboarding benchmark, %s" % document["date"], "",
        "Machine: %s x %s, %s GiB, Python %s, ansible-core %s; load average at start %s. Latency %d ms per request; "
        "ansible.cfg: benchmarks/ansible.cfg for both sides." % (
            machine["nproc"], machine["cpu_model"], machine["memory_gib"], machine["python"], machine["ansible_core"],
            machine["loadavg_at_start"], document["options"]["latency_ms"]), "",
        "Command: `%s`; %.0f s in all." % (document["command"], document["duration_s"]), "",
        "Collection: csp.onboarding %s, built from commit %s%s." % (
            document["collection"]["version"], (document["collection"]["commit"] or "?")[:12],
            " with uncommitted changes in %s" % ", ".join(document["collection"]["uncommitted_changes"])
            if document["collection"]["uncommitted_changes"] else ""), "",
        "Workload: T tenants x U users, each tenant with a GDAP check (an active relationship in the seed, "
        "`required_roles` in the inventory), one domain, U users with one license each, the APS bypass. %s" % (
            "The collection took all of it." if not document["collection_notes"] else
            "The collection did LESS: %s." % "; ".join(document["collection_notes"])), "",
        "HTTP lower bound: per tenant the round trips of its critical path (see `critical_path()`), x the latency, "
        "for `forks` tenants at once, + the token requests; not below the minimum's requests / the simulator's "
        "throughput (%s)." % document["simulator_throughput"]["text"], "",
        "## Runs", "", results_table(document["runs"]), "",
        "## Goals", "",
    ]
    for goal in document["goals"]:
        parts.append("- **%s** %s: %s" % (goal["result"], goal["goal"], goal["figures"]))
    if document.get("profile"):
        parts += ["", "## Profile", "", profile_tables(document["profile"])]
    return "\n".join(parts) + "\n"


# --- main ------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: T=5 (fresh/rerun), growth 5 and 20, throttled T=20, a short profile")
    parser.add_argument("--scenarios", default=",".join(ALL_SCENARIOS),
                        help="comma-separated subset of %s" % ",".join(ALL_SCENARIOS))
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--tenants", type=int, help="T of fresh and rerun (default 100; quick 5)")
    parser.add_argument("--users", type=int, default=20, help="U, users per tenant (default 20)")
    parser.add_argument("--slow-latency-ms", type=int, default=250,
                        help="latency of the slow scenario (default 250)")
    parser.add_argument("--slow-tenants", type=int, help="T of the slow scenario (default 100; quick 5)")
    parser.add_argument("--slow-forks", type=int, default=20, help="forks of the slow scenario (default 20)")
    parser.add_argument("--sides", default="collection,baseline",
                        help="sides of the fresh and rerun scenarios (default collection,baseline; the goal that "
                             "compares them is SKIP without the baseline)")
    parser.add_argument("--growth", help="comma-separated T of the growth runs (default 10,100,1000; quick 5,20)")
    parser.add_argument("--throttle-rpm", type=int, default=3000, help="R, requests/min per partner (default 3000)")
    parser.add_argument("--throttle-tenants", type=int, help="T of the throttled run (default 150; quick 20)")
    parser.add_argument("--binding-rpm", type=int,
                        help="R of the second throttled run, below the collection's own rate (default 600; quick "
                             "100; 0 = skip)")
    parser.add_argument("--binding-tenants", type=int, help="T of that run (default 60; quick 5)")
    parser.add_argument("--profile-tenants", type=int, help="T of the collection's profile runs (default 20; quick 5)")
    parser.add_argument("--profile-baseline-tenants", type=int, help="T of the baseline's profile runs (default 5)")
    parser.add_argument("--unit-hosts", type=int, help="hosts of the unit-cost plays (default 40; quick 10)")
    parser.add_argument("--label", help="results file name (default: the date, with -quick or -partial)")
    options = parser.parse_args(argv)
    quick = options.quick
    options.scenarios = [name.strip() for name in options.scenarios.split(",") if name.strip()]
    unknown = set(options.scenarios) - set(ALL_SCENARIOS)
    if unknown:
        parser.error("unknown scenarios: %s" % ", ".join(sorted(unknown)))
    options.tenants = options.tenants or (5 if quick else 100)
    options.slow_tenants = options.slow_tenants or (5 if quick else 100)
    options.sides = [name.strip() for name in options.sides.split(",") if name.strip()]
    if not options.sides or set(options.sides) - {"collection", "baseline"}:
        parser.error("--sides: collection and/or baseline")
    options.growth = [int(value) for value in (options.growth or ("5,20" if quick else "10,100,1000")).split(",")]
    options.throttle_tenants = options.throttle_tenants or (20 if quick else 150)
    if options.binding_rpm is None:
        options.binding_rpm = 100 if quick else 600
    options.binding_tenants = options.binding_tenants or (5 if quick else 60)
    options.profile_tenants = options.profile_tenants or (5 if quick else 20)
    options.profile_baseline_tenants = options.profile_baseline_tenants or 5
    options.unit_hosts = options.unit_hosts or (10 if quick else 40)
    if not options.label:
        date = datetime.date.today().isoformat()
        options.label = date + ("-quick" if quick else "") + (
            "" if set(options.scenarios) == set(ALL_SCENARIOS) else "-" + "-".join(options.scenarios))
    return options


def main(argv=None):
    options = parse_args(argv)
    started = time.time()
    bench = Bench(options)
    print("csp.onboarding benchmark: scenarios %s; results benchmarks/results/%s.{json,md}" % (
        ",".join(options.scenarios), options.label), flush=True)
    machine = machine_info()
    collection = snapshot_collection()
    print("collection csp.onboarding %s from %s (commit %s%s)" % (
        collection["version"], collection["installed_from"], (collection["commit"] or "?")[:12],
        ", uncommitted changes in %s" % ", ".join(collection["uncommitted_changes"])
        if collection["uncommitted_changes"] else ""), flush=True)
    features, notes, role_settings = collection_features()
    bench.features["collection"] = features
    bench.user_concurrency = role_settings["user_concurrency"]
    for note in notes:
        print("NOTE: %s." % note, flush=True)
    if notes:
        print("NOTE: the baseline still does the whole onboarding; goals that compare the sides say so.", flush=True)
    throughput, throughput_text = simulator_throughput()
    bench.throughput_rps = throughput
    print("simulator throughput at 0 ms: %s" % throughput_text, flush=True)
    bench.start()
    try:
        print("simulator %s (latency %d ms per request)" % (bench.sim.url, options.latency_ms), flush=True)
        if "fresh" in options.scenarios or "rerun" in options.scenarios:
            bench.scenario_fresh_and_rerun(options.scenarios)
        if "slow" in options.scenarios:
            bench.scenario_slow()
        if "growth" in options.scenarios:
            bench.scenario_growth()
        if "throttled" in options.scenarios:
            bench.scenario_throttled()
        if "profile" in options.scenarios:
            bench.scenario_profile()
    finally:
        bench.stop()
    document = collections.OrderedDict([
        ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("command", " ".join(["benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:]))),
        ("duration_s", round(time.time() - started, 1)),
        ("machine", machine),
        ("collection", collection),
        ("collection_features", list(features)),
        ("collection_notes", notes),
        ("role_settings", role_settings),
        ("simulator_throughput", {"requests_per_s": throughput, "text": throughput_text}),
        ("options", dict((key, value) for key, value in vars(options).items())),
        ("minimum_definition", minimum.__doc__),
        ("critical_path_definition", critical_path.__doc__),
        ("lower_bound_definition", lower_bound.__doc__),
        ("runs", bench.runs),
        ("goals", evaluate_goals(bench.runs, options)),
        ("profile", bench.profile),
    ])
    document["machine"]["loadavg_at_end"] = load_average()
    os.makedirs(RESULTS, exist_ok=True)
    json_path = os.path.join(RESULTS, options.label + ".json")
    md_path = os.path.join(RESULTS, options.label + ".md")
    with open(json_path, "w") as handle:
        json.dump(document, handle, indent=1)
    text = markdown(document)
    with open(md_path, "w") as handle:
        handle.write(text)
    print("\n" + text)
    print("Results: %s and %s" % (os.path.relpath(json_path, ROOT), os.path.relpath(md_path, ROOT)))
    # A failed goal fails the command (and make bench), after the results are written.
    return 0 if all(goal["result"] != "FAIL" for goal in document["goals"]) else 1


if __name__ == "__main__":
    sys.exit(main())
