# -*- coding: utf-8 -*-
# Benchmark helper, not part of the collection: records when each task started and ended on each host.
"""Aggregate callback for benchmarks/run.py's profile: per (host, task) start and end times.

Enabled only by the benchmark (ANSIBLE_CALLBACKS_ENABLED=bench_profile, ANSIBLE_CALLBACK_PLUGINS=
benchmarks/callback_plugins); writes JSON to $BENCH_PROFILE_OUT when the playbook ends. For module
results it keeps the ms_correlation_id, which the simulator's journal carries on every request of that
module run, so that a task's time can be split into HTTP and everything else.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_profile
type: aggregate
short_description: per-host task timings for the csp.onboarding benchmark
description: Writes every (host, task) start and end time to the file named by BENCH_PROFILE_OUT.
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_profile"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = os.environ.get("BENCH_PROFILE_OUT")
        self._started = {}
        self._records = []
        self._t0 = time.time()

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _end(self, result, status):
        now = time.time()
        host = result.host.get_name()
        task = result.task
        start = self._started.pop((host, task._uuid), None)
        data = getattr(result, "_return_data", None) or result.result  # no native copy: cheaper
        ids = []
        if data.get("ms_correlation_id"):
            ids.append(data["ms_correlation_id"])
        for item in data.get("results") or []:
            if isinstance(item, dict) and item.get("ms_correlation_id"):
                ids.append(item["ms_correlation_id"])
        self._records.append({"host": host, "task": task.get_name(), "action": task.action, "status": status,
                              "start": start, "end": now, "items": len(data.get("results") or []) or None,
                              "correlation_ids": ids})

    def v2_runner_on_ok(self, result):
        self._end(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._end(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._end(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._end(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        if not self._out:
            return
        with open(self._out, "w") as handle:
            json.dump({"t0": self._t0, "t_end": time.time(), "records": self._records}, handle)
