"""Set-based queries for the community overview report (no Qt).

Each function runs a fixed number of queries whatever the size of the community, so the
overview of 10,000 members and 2,000 sessions costs the same handful of round trips as
that of sixty members: the work left in Python is one pass over the rows.

- :func:`levels_on`: members per participation level on given days (from the level history).
- :func:`level_movements`: who moved toward the core, who drifted outward and who joined
  in a period (counts, and the moves from level to level).
- :func:`attendance_by_month`: held sessions, invitations and attendances per month.
- :func:`voices`: attendances of members inside the community against outside guests.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from copdesk.data.models import Attendance, CopSession, LevelChange, Member, MemberRole
from copdesk.framework import Level, Role

__all__ = [
    "LevelMovements",
    "MonthAttendance",
    "Timelines",
    "Voices",
    "attendance_by_month",
    "day_range",
    "level_movements",
    "levels_on",
    "month_starts",
    "timelines",
    "voices",
]

_RANK = {lv.value: lv.rank for lv in Level}


def day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The half-open datetime range [start 00:00, the day after end 00:00)."""
    return (dt.datetime.combine(start, dt.time.min),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))  # fmt: skip


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month that overlaps [start, end], in order."""
    out: list[dt.date] = []
    day = start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


# --- levels --------------------------------------------------------------------------------
Timelines = dict[int, list[tuple[dt.date, str]]]


def timelines(session: Session, community_id: int) -> Timelines:
    """Every active member's level history, oldest first (two Core queries).

    A member without any recorded history (an older store) counts at their current level
    from the day they joined (or always, without a joining date). Read once and hand it
    to :func:`levels_on` and :func:`level_movements` when both are wanted.
    """
    if session.autoflush:
        session.flush()
    conn = session.connection()
    out: Timelines = defaultdict(list)
    for mid, day, level in conn.execute(
        select(LevelChange.member_id, LevelChange.changed_on, LevelChange.level)
        .join(Member, Member.id == LevelChange.member_id)
        .where(Member.community_id == community_id, Member.status == "active")
        .order_by(LevelChange.member_id, LevelChange.changed_on, LevelChange.id)
    ):
        out[mid].append((day, level))
    for mid, joined, level in conn.execute(
        select(Member.id, Member.joined_on, Member.level).where(
            Member.community_id == community_id, Member.status == "active"
        )
    ):
        if mid not in out:
            out[mid].append((joined or dt.date.min, level))
    return out


def _level_at(timeline: Sequence[tuple[dt.date, str]], day: dt.date) -> str | None:
    """The level on ``day`` (None: not a member yet)."""
    level: str | None = None
    for changed_on, value in timeline:
        if changed_on > day:
            break
        level = value
    return level


def levels_on(
    session: Session, community_id: int, days: Iterable[dt.date],
    *, histories: Timelines | None = None,
) -> dict[dt.date, dict[str, int]]:
    """Active members per level on each of ``days``, every level present (zeros too).

    Members who have left are not counted (the store does not record when they left);
    members who joined after a day are not counted on it. ``histories``: the
    :func:`timelines` already read.
    """
    if histories is None:
        histories = timelines(session, community_id)
    out: dict[dt.date, dict[str, int]] = {}
    for day in days:
        counts = {lv.value: 0 for lv in Level}
        for timeline in histories.values():
            level = _level_at(timeline, day)
            if level is not None:
                counts[level] = counts.get(level, 0) + 1
        out[day] = counts
    return out


@dataclass(frozen=True, slots=True)
class LevelMovements:
    """How active members moved between participation levels in a period."""

    toward_core: int  # members whose level at the end is closer to the core than before
    outward: int  # members who drifted toward the edge
    joined: int  # members who were not members before the period
    stayed: int  # members at the same level before and after
    moves: dict[tuple[str, str], int] = field(default_factory=dict)  # (from, to) -> members


def level_movements(
    session: Session, community_id: int, start: dt.date, end: dt.date,
    *, histories: Timelines | None = None,
) -> LevelMovements:
    """Compare every active member's level the day before ``start`` with that on ``end``
    (``histories``: the :func:`timelines` already read)."""
    if histories is None:
        histories = timelines(session, community_id)
    before_day = start - dt.timedelta(days=1)
    toward = outward = joined = stayed = 0
    moves: Counter[tuple[str, str]] = Counter()
    for timeline in histories.values():
        after = _level_at(timeline, end)
        if after is None:
            continue
        before = _level_at(timeline, before_day)
        if before is None:
            joined += 1
            continue
        if before == after:
            stayed += 1
            continue
        moves[(before, after)] += 1
        if _RANK.get(after, 99) < _RANK.get(before, 99):
            toward += 1
        else:
            outward += 1
    ordered = dict(sorted(moves.items(), key=lambda kv: (_RANK.get(kv[0][1], 99),
                                                         _RANK.get(kv[0][0], 99))))  # fmt: skip
    return LevelMovements(toward, outward, joined, stayed, ordered)


# --- attendance ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MonthAttendance:
    month: dt.date  # the first day of the month
    sessions_held: int
    invited: int  # attendance records of held sessions (invited, attended, apologised, absent)
    attended: int

    @property
    def rate(self) -> float | None:
        """Attended over invited (None: nobody was on a list)."""
        return self.attended / self.invited if self.invited else None


def attendance_by_month(
    session: Session, community_id: int, start: dt.date, end: dt.date
) -> list[MonthAttendance]:
    """Per month of [start, end]: held sessions, invitations and attendances (one query)."""
    low, high = day_range(start, end)
    attended = func.sum(case((Attendance.status == "attended", 1), else_=0))
    rows = session.execute(
        select(CopSession.starts_at, func.count(Attendance.member_id), attended)
        .outerjoin(Attendance, Attendance.session_id == CopSession.id)
        .where(
            CopSession.community_id == community_id,
            CopSession.status == "held",
            CopSession.starts_at >= low,
            CopSession.starts_at < high,
        )
        .group_by(CopSession.id, CopSession.starts_at)
    ).all()
    held: Counter[dt.date] = Counter()
    invited: Counter[dt.date] = Counter()
    came: Counter[dt.date] = Counter()
    for starts_at, n_invited, n_attended in rows:
        month = starts_at.date().replace(day=1)
        held[month] += 1
        invited[month] += int(n_invited or 0)
        came[month] += int(n_attended or 0)
    return [MonthAttendance(m, held[m], invited[m], came[m]) for m in month_starts(start, end)]


@dataclass(frozen=True, slots=True)
class Voices:
    """Who spoke in the held sessions of a period: inside members against outside guests."""

    inside_attendances: int
    outside_attendances: int
    inside_people: int  # distinct members who attended at least once
    outside_people: int

    @property
    def people(self) -> int:
        return self.inside_people + self.outside_people

    @property
    def attendances(self) -> int:
        return self.inside_attendances + self.outside_attendances


def voices(session: Session, community_id: int, start: dt.date, end: dt.date) -> Voices:
    """Attendances at held sessions of the period, split by the outside-guest role."""
    low, high = day_range(start, end)
    guests = set(
        session.scalars(
            select(MemberRole.member_id)
            .join(Member, Member.id == MemberRole.member_id)
            .where(
                Member.community_id == community_id,
                MemberRole.role == Role.OUTSIDE_GUEST.value,
            )
        )
    )
    inside = outside = inside_people = outside_people = 0
    for mid, n in session.execute(
        select(Attendance.member_id, func.count())
        .join(CopSession, CopSession.id == Attendance.session_id)
        .where(
            CopSession.community_id == community_id,
            CopSession.status == "held",
            CopSession.starts_at >= low,
            CopSession.starts_at < high,
            Attendance.status == "attended",
        )
        .group_by(Attendance.member_id)
    ):
        if mid in guests:
            outside += n
            outside_people += 1
        else:
            inside += n
            inside_people += 1
    return Voices(inside, outside, inside_people, outside_people)
