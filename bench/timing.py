"""Warm-up then timed repetitions, the same protocol as `m2c bench` (median and min of the timed calls)."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def warm_up(forward: Callable[[], object], seconds: float) -> None:
    """Calls `forward` untimed for `seconds` (at least once)."""
    start = time.perf_counter()
    forward()
    while time.perf_counter() - start < seconds:
        forward()


def time_forward(forward: Callable[[], object], warmup_seconds: float, reps: int) -> tuple[float, float]:
    """Calls `forward` for `warmup_seconds` (at least once) untimed, then `reps` times timed.
    Returns (median ms, min ms)."""
    warm_up(forward, warmup_seconds)
    samples = []
    for _ in range(max(1, reps)):
        t0 = time.perf_counter()
        forward()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples), min(samples)
