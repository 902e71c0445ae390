"""Counts DynamoDB requests and the time spent in them, from botocore's own events."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any


class DynamoMeter:
    def __init__(self, client: Any) -> None:
        self.requests: Counter[str] = Counter()
        self.seconds = 0.0
        self.intervals: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._started = threading.local()
        events = client.meta.events
        events.register("before-call.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)

    def _before(self, model: Any, **_: Any) -> None:
        self._started.at = time.perf_counter()
        with self._lock:
            self.requests[model.name] += 1

    def _after(self, **_: Any) -> None:
        ended = time.perf_counter()
        started = getattr(self._started, "at", ended)
        with self._lock:
            self.seconds += ended - started
            self.intervals.append((started, ended))

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.seconds = 0.0
            self.intervals.clear()

    @property
    def round_trips(self) -> int:
        """Requests in flight at the same time count as one round trip of latency."""
        waves = 0
        wave_end = float("-inf")
        for started, ended in sorted(self.intervals):
            if started > wave_end:
                waves += 1
                wave_end = ended
            else:
                wave_end = max(wave_end, ended)
        return waves

    @property
    def total(self) -> int:
        return sum(self.requests.values())
