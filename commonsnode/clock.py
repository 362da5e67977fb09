"""Time as a dependency: production reads the system clock, tests inject a fixed one."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Seconds since the Unix epoch, as a float."""

    def now(self) -> float: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        return time.time()


class FixedClock:
    """A clock that moves only when told to, so time-dependent rules are testable."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


class OffsetClock:
    """Another clock shifted by `offset` seconds, so a story can be replayed in the past with
    every rule (deadlines, signatures, proofs) checked at the time it says it happened."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self.offset = 0.0

    def now(self) -> float:
        return self._base.now() + self.offset
