"""Agenda arithmetic: clock times computed from the session start and the blocks before.

Pure functions and a small run-mode state machine; nothing here touches the store, so the
session planner, run mode, the run sheet PDF and the tests all share one definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Above this share of the planned length an overrun is flagged as "far over".
FAR_OVER_RATIO = 1.5


@dataclass(frozen=True, slots=True)
class Timing:
    start: dt.datetime
    end: dt.datetime
    minutes: int


@dataclass(frozen=True, slots=True)
class AgendaSummary:
    timings: tuple[Timing, ...]
    total_minutes: int
    planned_minutes: int

    @property
    def overrun_minutes(self) -> int:
        return max(0, self.total_minutes - self.planned_minutes)

    @property
    def spare_minutes(self) -> int:
        return max(0, self.planned_minutes - self.total_minutes)

    @property
    def is_over(self) -> bool:
        return self.total_minutes > self.planned_minutes

    @property
    def is_far_over(self) -> bool:
        return self.planned_minutes > 0 and (
            self.total_minutes > self.planned_minutes * FAR_OVER_RATIO
        )

    def message(self) -> str:
        """One line for the planner: the total against the slot, overruns named."""
        if self.is_over:
            return (
                f"Agenda {fmt_minutes(self.total_minutes)} is "
                f"{fmt_minutes(self.overrun_minutes)} over the planned "
                f"{fmt_minutes(self.planned_minutes)}"
            )
        if self.spare_minutes:
            return (
                f"Agenda {fmt_minutes(self.total_minutes)} of "
                f"{fmt_minutes(self.planned_minutes)} planned "
                f"({fmt_minutes(self.spare_minutes)} spare)"
            )
        return f"Agenda fills the planned {fmt_minutes(self.planned_minutes)} exactly"


def fmt_minutes(minutes: int) -> str:
    hours, mins = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if hours and mins:
        return f"{sign}{hours} h {mins:02d} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{mins} min"


def timings(start: dt.datetime, minutes: Sequence[int]) -> tuple[Timing, ...]:
    """Each block's start and end, each starting when the one before ends."""
    out: list[Timing] = []
    at = start
    for m in minutes:
        end = at + dt.timedelta(minutes=m)
        out.append(Timing(at, end, m))
        at = end
    return tuple(out)


def summarise(start: dt.datetime, minutes: Sequence[int], planned: int) -> AgendaSummary:
    return AgendaSummary(timings(start, minutes), sum(minutes), planned)


@dataclass
class RunState:
    """Run mode in the room: the current block, its time left, extensions and skips.

    ``now`` is passed in by the caller (the UI's clock), which keeps this testable.
    """

    start: dt.datetime
    minutes: list[int]
    titles: list[str]
    planned_minutes: int
    current: int = 0
    block_started: dt.datetime | None = None
    done: list[int] = field(default_factory=list)  # minutes actually spent on past blocks

    def __post_init__(self) -> None:
        if self.block_started is None:
            self.block_started = self.start

    @property
    def finished(self) -> bool:
        return self.current >= len(self.minutes)

    def current_end(self) -> dt.datetime:
        assert self.block_started is not None
        return self.block_started + dt.timedelta(minutes=self.minutes[self.current])

    def time_left(self, now: dt.datetime) -> dt.timedelta:
        if self.finished:
            return dt.timedelta(0)
        return self.current_end() - now

    def projected(self) -> tuple[Timing, ...]:
        """Clock times of the current and later blocks as things stand now."""
        if self.finished:
            return ()
        assert self.block_started is not None
        return timings(self.block_started, self.minutes[self.current :])

    def projected_end(self) -> dt.datetime:
        proj = self.projected()
        return proj[-1].end if proj else (self.block_started or self.start)

    def planned_end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.planned_minutes)

    def running_over(self) -> dt.timedelta:
        """How far the projected end runs past the planned end (negative: ahead)."""
        return self.projected_end() - self.planned_end()

    def extend(self, minutes: int = 5) -> None:
        if not self.finished:
            self.minutes[self.current] += minutes

    def advance(self, now: dt.datetime) -> None:
        """Close the current block now and start the next one (skip ahead)."""
        if self.finished:
            return
        assert self.block_started is not None
        spent = max(0, round((now - self.block_started).total_seconds() / 60))
        self.done.append(spent)
        self.current += 1
        self.block_started = now
