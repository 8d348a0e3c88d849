"""The overview report's set-based queries, on a real SQLite store."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from copdesk.data import members, overview_queries, sessions
from copdesk.data.overview_queries import (
    attendance_by_month,
    level_movements,
    levels_on,
    month_starts,
    voices,
)
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.data.validation import MemberData

TODAY = dt.date(2026, 6, 30)


def _member(store: Store, cid: int, name: str, level: str, joined: dt.date, *,
            roles: tuple[str, ...] = ("member",), status: str = "active") -> int:  # fmt: skip
    data = MemberData(full_name=name, level=level, joined_on=joined, roles=roles, status=status)
    return store.run(members.add_member, cid, data, today=TODAY)


def _session(store: Store, cid: int, start: dt.datetime, status: str = "held") -> int:
    data = SessionData(title=f"Call {start:%d %b}", starts_at=start, status=status)
    return store.run(sessions.create_session, cid, data)


def _attend(store: Store, sid: int, mid: int, status: str = "attended") -> None:
    store.run(sessions.set_attendance, sid, mid, status=status)


def test_month_starts_cover_every_overlapping_month() -> None:
    assert month_starts(dt.date(2025, 11, 15), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1),
    ]  # fmt: skip


def test_levels_on_follow_the_level_history(store: Store, community_id: int) -> None:
    a = _member(store, community_id, "Ana", "peripheral", dt.date(2025, 1, 10))
    store.run(members.set_level, a, "active", on=dt.date(2025, 9, 1))
    store.run(members.set_level, a, "core", on=dt.date(2026, 3, 1))
    _member(store, community_id, "Bo", "occasional", dt.date(2026, 2, 1))
    _member(store, community_id, "Cy", "core", dt.date(2024, 5, 1), status="left")
    days = (dt.date(2025, 6, 30), dt.date(2025, 12, 31), TODAY)
    with store.session() as s:
        counts = levels_on(s, community_id, days)
        reach = members.reach(s, community_id)
    assert counts[days[0]] == {"core": 0, "active": 0, "occasional": 0, "peripheral": 1,
                               "transactional": 0}  # fmt: skip
    assert counts[days[1]]["active"] == 1 and sum(counts[days[1]].values()) == 1
    # today: the same as the roster's own counts (members who left are not counted)
    assert counts[TODAY] == reach.by_level
    # The histories read once (as the overview does) give the same counts and moves.
    with store.session() as s:
        histories = overview_queries.timelines(s, community_id)
        assert levels_on(s, community_id, days, histories=histories) == counts
        start, end = dt.date(2025, 7, 1), TODAY
        assert overview_queries.level_movements(
            s, community_id, start, end, histories=histories
        ) == overview_queries.level_movements(s, community_id, start, end)


def test_level_movements_count_moves_joins_and_steady_members(
    store: Store, community_id: int
) -> None:
    start, end = dt.date(2025, 7, 1), TODAY
    inward = _member(store, community_id, "In", "peripheral", dt.date(2024, 1, 1))
    store.run(members.set_level, inward, "active", on=dt.date(2025, 10, 1))
    store.run(members.set_level, inward, "core", on=dt.date(2026, 2, 1))
    outward = _member(store, community_id, "Out", "active", dt.date(2024, 1, 1))
    store.run(members.set_level, outward, "occasional", on=dt.date(2026, 1, 1))
    back = _member(store, community_id, "Back", "active", dt.date(2024, 1, 1))
    store.run(members.set_level, back, "occasional", on=dt.date(2025, 8, 1))
    store.run(members.set_level, back, "active", on=dt.date(2026, 1, 1))  # same as before
    _member(store, community_id, "New", "peripheral", dt.date(2026, 3, 1))
    _member(store, community_id, "Steady", "core", dt.date(2023, 1, 1))
    before_period = _member(store, community_id, "Early", "peripheral", dt.date(2024, 1, 1))
    store.run(members.set_level, before_period, "active", on=dt.date(2025, 3, 1))
    with store.session() as s:
        m = level_movements(s, community_id, start, end)
    assert (m.toward_core, m.outward, m.joined, m.stayed) == (1, 1, 1, 3)
    assert m.moves == {("peripheral", "core"): 1, ("active", "occasional"): 1}


def test_attendance_by_month_counts_held_sessions_only(store: Store, community_id: int) -> None:
    ids = [_member(store, community_id, f"M{i}", "active", dt.date(2024, 1, 1)) for i in range(4)]
    jan = _session(store, community_id, dt.datetime(2026, 1, 15, 14))
    for mid in ids[:3]:
        _attend(store, jan, mid)
    _attend(store, jan, ids[3], "apologised")
    jan2 = _session(store, community_id, dt.datetime(2026, 1, 29, 14))
    _attend(store, jan2, ids[0])
    _attend(store, jan2, ids[1], "absent")
    cancelled = _session(store, community_id, dt.datetime(2026, 2, 12, 14), "cancelled")
    _attend(store, cancelled, ids[0], "invited")
    planned = _session(store, community_id, dt.datetime(2026, 3, 12, 14), "planned")
    _attend(store, planned, ids[0], "invited")
    _session(store, community_id, dt.datetime(2026, 4, 1, 0))  # held, nobody on the list
    _session(store, community_id, dt.datetime(2025, 12, 31, 23, 59))  # before the period
    with store.session() as s:
        months = attendance_by_month(s, community_id, dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert [m.month for m in months] == [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]
    jan_row, feb, mar, apr = months
    assert (jan_row.sessions_held, jan_row.invited, jan_row.attended) == (2, 6, 4)
    assert jan_row.rate == pytest.approx(4 / 6)
    assert (feb.sessions_held, feb.invited, feb.rate) == (0, 0, None)
    assert mar.sessions_held == 0
    assert (apr.sessions_held, apr.invited, apr.rate) == (1, 0, None)


def test_voices_split_inside_members_and_outside_guests(store: Store, community_id: int) -> None:
    inside = [_member(store, community_id, f"I{i}", "active", dt.date(2024, 1, 1))
              for i in range(3)]  # fmt: skip
    guest = _member(store, community_id, "Guest", "transactional", dt.date(2024, 1, 1),
                    roles=("outside_guest",))  # fmt: skip
    for day in (10, 20):
        sid = _session(store, community_id, dt.datetime(2026, 5, day, 14))
        for mid in inside[:2]:
            _attend(store, sid, mid)
        _attend(store, sid, inside[2], "absent")
        _attend(store, sid, guest)
    with store.session() as s:
        v = voices(s, community_id, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
        empty = voices(s, community_id, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert (v.inside_attendances, v.outside_attendances) == (4, 2)
    assert (v.inside_people, v.outside_people, v.people, v.attendances) == (2, 1, 3, 6)
    assert empty.people == 0 and empty.attendances == 0


def test_queries_are_set_based(store: Store, community_id: int) -> None:
    """The number of SQL statements does not grow with members or sessions."""

    def statements() -> int:
        count = 0

        def seen(*_: object) -> None:
            nonlocal count
            count += 1

        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            with store.session() as s:
                start, end = dt.date(2025, 7, 1), TODAY
                levels_on(s, community_id, (start, end))
                overview_queries.level_movements(s, community_id, start, end)
                attendance_by_month(s, community_id, start, end)
                voices(s, community_id, start, end)
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        return count

    def grow(n: int) -> None:
        ids = [_member(store, community_id, f"P{n}-{i}", "active", dt.date(2024, 1, 1))
               for i in range(n)]  # fmt: skip
        for k in range(n):
            sid = _session(store, community_id, dt.datetime(2026, 1 + k % 5, 1 + k, 14))
            for mid in ids:
                _attend(store, sid, mid)

    grow(2)
    small = statements()
    grow(8)
    assert statements() == small
