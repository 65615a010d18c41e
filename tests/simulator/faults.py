"""Fault injection: latency, a per-partner rate limit, and rules that break chosen requests.

The rules only decide; the middleware carries the faults out (see middleware.py).
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

FaultName = Literal[
    "429", "500", "502", "503", "504", "reset", "lost_response", "slow", "applied_502", "applied_504"
]  # fmt: skip
# Faults that let the request be processed and committed, then answer this status instead of the real answer.
APPLIED_FAULTS = {"applied_502": 502, "applied_504": 504}
# Partner Center documents its limits per minute; tests may shorten the window (``rate_limit_window_s``).
RATE_LIMIT_WINDOW_S = 60.0


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fault: FaultName
    count: int | None = Field(None, ge=0, description="Fault at most this many matching requests; None = no limit.")
    rate: float | None = Field(None, ge=0, le=1, description="Probability per matching request; None = always.")
    method: str | None = None
    path: str | None = Field(None, description="Regular expression searched in the request path (no query).")
    api: Literal["pc", "aps", "entra", "graph"] | None = None
    retry_after: int = Field(1, ge=0, description="Retry-After seconds of a 429 (and of a 503).")
    delay_s: float = Field(5.0, ge=0, description="How long `slow` waits before processing.")

    @field_validator("path")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class FaultConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(0, ge=0)
    latency_jitter_ms: int = Field(0, ge=0)
    rate_limit_rpm: int | None = Field(None, ge=1, description="Per-partner sliding-window limit (pc and aps).")
    rate_limit_window_s: float = Field(
        RATE_LIMIT_WINDOW_S,
        gt=0,
        le=3600,
        description="Length of the rate limit's sliding window: rate_limit_rpm requests are allowed per window "
        "(60 s, the default, makes it a per-minute limit as documented; shorter windows make tests quicker).",
    )
    random_seed: int | None = None
    rules: list[FaultRule] = []


class _ArmedRule:
    def __init__(self, rule: FaultRule) -> None:
        self.rule = rule
        self.remaining = rule.count
        self.path = re.compile(rule.path) if rule.path is not None else None
        self.method = rule.method.upper() if rule.method else None

    def matches(self, api: str, method: str, path: str) -> bool:
        return (
            (self.rule.api is None or self.rule.api == api)
            and (self.method is None or self.method == method)
            and (self.path is None or self.path.search(path) is not None)
        )


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rules = [_ArmedRule(rule) for rule in config.rules]
        # Two generators, so that turning jitter on or off does not change which requests fail.
        self._fault_random = random.Random(config.random_seed)
        self._jitter_random = random.Random(config.random_seed)
        self._windows: dict[str | None, deque[float]] = {}

    def latency_s(self) -> float:
        jitter = self._jitter_random.uniform(0, self.config.latency_jitter_ms) if self.config.latency_jitter_ms else 0.0
        return (self.config.latency_ms + jitter) / 1000.0

    def pick(self, api: str, method: str, path: str) -> FaultRule | None:
        """The first rule that fires for this request, consuming one of its ``count``."""
        for armed in self._rules:
            if armed.remaining == 0 or not armed.matches(api, method, path):
                continue
            if armed.rule.rate is not None and self._fault_random.random() >= armed.rule.rate:
                continue
            if armed.remaining is not None:
                armed.remaining -= 1
            return armed.rule
        return None

    def rate_limit_wait(self, caller: str | None, now: float) -> int:
        """0 if the caller may go on (and counts the request), else whole seconds until a slot frees."""
        limit = self.config.rate_limit_rpm
        if limit is None:
            return 0
        length = self.config.rate_limit_window_s
        window = self._windows.setdefault(caller, deque())
        while window and window[0] <= now - length:
            window.popleft()
        if len(window) >= limit:
            return max(1, math.ceil(window[0] + length - now))
        window.append(now)
        return 0
