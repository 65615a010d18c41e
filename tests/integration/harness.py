"""Running the collection against the simulator, as a user would: ansible-playbook over HTTPS.

Shared by the integration tests and the demo: the simulator's connection settings as the environment
variables an AWX credential would inject, a playbook runner that returns every task's result, and the
journal questions the tests ask ("which writes happened?").
"""

import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")

DEMO = {
    "partner_tenant_id": "4b1f2c3d-0000-4000-8000-000000000001",
    "client_id": "7d5c9a10-0000-4000-8000-0000000000a1",
    "client_secret": "demo-client-secret-not-a-real-one",
    "refresh_token": "demo-refresh-token-not-a-real-one",
    "aps_consumer_key": "demo-aps-consumer-key",
    "aps_consumer_secret": "demo-aps-consumer-secret-not-real",
    "aps_readonly_key": "demo-aps-readonly-key",
    "aps_readonly_secret": "demo-aps-readonly-secret-not-real",
    "aps_token": "demo-aps-token-not-a-real-one",
    "app_instance_id": "a7000000-0000-4000-8000-000000000365",
}


def connection_env(sim, token_cache_path, app_user=True):
    """The PARTNER_CENTER_* / APS_* variables pointing at the simulator, with the demo credentials."""
    env = {
        "PARTNER_CENTER_URL": sim.url,
        "PARTNER_CENTER_AUTHORITY_URL": sim.url,
        "PARTNER_CENTER_GRAPH_URL": sim.url,
        "PARTNER_CENTER_TENANT_ID": DEMO["partner_tenant_id"],
        "PARTNER_CENTER_CLIENT_ID": DEMO["client_id"],
        "PARTNER_CENTER_CLIENT_SECRET": DEMO["client_secret"],
        "PARTNER_CENTER_CA_PATH": sim.ca_path,
        "PARTNER_CENTER_TOKEN_CACHE_PATH": token_cache_path,
        "APS_URL": sim.url,
        "APS_CONSUMER_KEY": DEMO["aps_consumer_key"],
        "APS_CONSUMER_SECRET": DEMO["aps_consumer_secret"],
        "APS_CA_PATH": sim.ca_path,
    }
    if app_user:
        env["PARTNER_CENTER_REFRESH_TOKEN"] = DEMO["refresh_token"]
    return env


def ansible_env(extra):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH",
                                                   os.path.join(ROOT, "build", "collections")),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
        # save_results: the harness's own action, which writes the registered results without a module process.
        "ANSIBLE_ACTION_PLUGINS": os.path.join(os.path.dirname(os.path.abspath(__file__)), "action_plugins"),
    })
    env.update(extra)
    return env


def run_playbook(playbook, env, inventory=None, extra_vars=None, args=(), timeout=900):
    """Run ansible-playbook; return (exit code, combined output)."""
    command = [os.path.join(BIN, "ansible-playbook"), playbook]
    if inventory:
        command += ["-i", inventory]
    for key, value in (extra_vars or {}).items():
        command += ["-e", json.dumps({key: value})]
    command += list(args)
    process = subprocess.run(command, env=ansible_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, timeout=timeout, cwd=ROOT)
    return process.returncode, process.stdout


def run_tasks(tasks, env, check=False, diff=False, args=(), play_vars=None):
    """Run tasks on localhost, each registered with errors ignored; return (results, output).

    Every task's registered result is written to a JSON file at the end, so tests assert on what the
    modules returned, not on the text Ansible printed.
    """
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "results.json")
        play_tasks = []
        for index, task in enumerate(tasks):
            play_tasks.append(dict(task, register="result_%d" % index, ignore_errors=True))
        names = ", ".join("'%d': result_%d | default({})" % (index, index) for index in range(len(tasks)))
        play_tasks.append({"name": "Save the results", "save_results": {
            "content": "{{ {%s} | to_json }}" % names, "dest": out}, "check_mode": False, "diff": False})
        play = [{"name": "Test", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "vars": dict({"ansible_python_interpreter": sys.executable}, **(play_vars or {})),
                 "tasks": play_tasks}]
        playbook = os.path.join(work, "play.yml")
        with open(playbook, "w") as handle:
            yaml.safe_dump(play, handle)
        extra = list(args) + (["--check"] if check else []) + (["--diff"] if diff else [])
        code, output = run_playbook(playbook, env, inventory="localhost,", args=extra)
        if not os.path.exists(out):
            raise AssertionError("the playbook did not finish (exit %d):\n%s" % (code, output[-4000:]))
        with open(out) as handle:
            results = json.load(handle)
        return [results[str(index)] for index in range(len(tasks))], output


# --- steps of one playbook ---------------------------------------------------------------------------------
# An ansible-playbook run costs about 1.5 s of CPU, a task a tenth of that: a test of several steps runs them in one
# playbook, with tasks between them that read (or change) the simulator through its admin API, never journaled.

def sim_read(sim, what):
    """A task whose result's ``msg`` is the simulator's answer to GET /_sim/<what>."""
    return {"ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.url', '%s/_sim/%s', ca_path='%s', "
                                             "split_lines=False, use_proxy=False) | from_json }}"
                                             % (sim.url, what, sim.ca_path)},
            "no_log": True}  # registered in full, but kept out of the output (the state holds passwords)


def journal_read(sim):
    """A task whose result's ``msg`` is the simulator's journal since the last read; the journal is emptied."""
    return sim_read(sim, "requests?clear=true")


def sim_post(sim, path, method="POST", status_code=(200, 204)):
    """A task that calls the simulator's admin API at that point of the play (``path`` may be templated)."""
    return {"ansible.builtin.uri": {"url": "%s/_sim/%s" % (sim.url, path), "method": method, "ca_path": sim.ca_path,
                                    "use_proxy": False, "status_code": list(status_code)}}


def run_steps(sim, env, tasks, state=False, **options):
    """Run ``tasks`` as one playbook and read the simulator after each one: the journal since the read before
    (then emptied, as ``sim.clear_journal()`` would) and, with ``state``, the whole state.

    Returns (results, journals, states, output); states is None without ``state``.
    """
    reads = ["requests?clear=true"] + (["state"] if state else [])
    per = 1 + len(reads)
    played, output = run_tasks([item for task in tasks for item in [task] + [sim_read(sim, what) for what in reads]],
                               env, **options)
    answers = [read for index, read in enumerate(played) if index % per]
    assert not any(read.get("failed") for read in answers), answers
    journals = [read["msg"]["requests"] for read in played[1::per]]
    return played[0::per], journals, [read["msg"] for read in played[2::per]] if state else None, output


# POSTs that store nothing: Partner Center's address validation answers a question (check mode asks it too).
READ_ONLY_POSTS = ("/v1/validations/address",)


def writes(journal, api=None):
    """The write requests of a journal, optionally of one API (pc, aps, graph)."""
    return [entry for entry in journal if entry["method"] in WRITE_METHODS and entry["api"] != "entra"
            and entry["path"] not in READ_ONLY_POSTS and (api is None or entry["api"] == api)]


def token_requests(journal):
    return [entry for entry in journal if entry["api"] == "entra" and entry["method"] == "POST"]
