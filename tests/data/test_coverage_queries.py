"""The set-based function coverage gives exactly what a plain Python reading gives.

:func:`reference_coverage` is the straightforward computation (every agenda block read in
start order, counted in Python); the database-side one must agree with it everywhere.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from copdesk.data import communities, coverage_queries, demo
from copdesk.data import sessions as S
from copdesk.data.models import AgendaBlock, CopSession
from copdesk.data.store import Store
from copdesk.framework import FUNCTIONS

T0 = dt.datetime(2024, 1, 1, 9, 0)
#: Spellings that differ only in case are one method; "break" and "" are no method;
#: "Break" is a method (only the exact "break" is a break).
METHODS = ("Peer assist", "peer ASSIST", "Fishbowl", "World café", "WORLD CAFÉ", "break",
           "Break", "", "Straße walk", "STRASSE WALK")  # fmt: skip
FUNCTION_KEYS = (*(f.key for f in FUNCTIONS[:4]), "")


def reference_coverage(
    session: Session,
    community_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    include_planned: bool = False,
) -> S.Coverage:
    """Every block of the community's (held, or not cancelled) sessions, in start order
    (then session id): minutes per function inside the period; a method (case folded;
    "" and "break" are none) is new in the first session that ever used it."""
    stmt = (
        select(AgendaBlock.function, AgendaBlock.method, AgendaBlock.minutes,
               CopSession.starts_at, CopSession.id)
        .join(CopSession, CopSession.id == AgendaBlock.session_id)
        .where(CopSession.community_id == community_id, CopSession.status != "cancelled")
        .order_by(CopSession.starts_at, CopSession.id)
    )  # fmt: skip
    if not include_planned:
        stmt = stmt.where(CopSession.status == "held")
    minutes = {f.key: 0 for f in FUNCTIONS}
    untagged = 0
    first_session: dict[str, int] = {}
    familiar: Counter[str] = Counter()
    new: Counter[str] = Counter()
    for function, method, mins, starts, sid in session.execute(stmt):
        key = method.casefold() if method and method != "break" else ""
        first = first_session.setdefault(key, sid) if key else None
        day = starts.date()
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        if function in minutes:
            minutes[function] += mins
        else:
            untagged += mins
        if key:
            (new if first == sid else familiar)[method] += 1
    return S.Coverage(minutes, untagged, dict(familiar), dict(new))


def _random_community(session: Session, seed: int) -> int:
    rnd = random.Random(seed)
    cid = communities.create_community(session, f"Random {seed}")
    times = [T0 + dt.timedelta(days=rnd.randrange(0, 700), hours=rnd.choice((0, 0, 5)))
             for _ in range(24)]  # fmt: skip
    times += times[:4]  # sessions that start at the very same time: the lower id is first
    for i, at in enumerate(times):
        status = rnd.choice(("held", "held", "planned", "cancelled"))
        sid = S.create_session(session, cid, S.SessionData(f"S{i}", at, "UTC", status=status))
        blocks = [
            S.BlockData(f"B{j}", rnd.choice((5, 10, 30)), rnd.choice(FUNCTION_KEYS),
                        rnd.choice(METHODS))
            for j in range(rnd.randrange(0, 6))
        ]
        S.set_agenda(session, sid, blocks)
    return cid


def _periods(seed: int) -> list[tuple[dt.date | None, dt.date | None]]:
    rnd = random.Random(seed + 1000)
    periods: list[tuple[dt.date | None, dt.date | None]] = [(None, None)]
    for _ in range(12):
        a = T0.date() + dt.timedelta(days=rnd.randrange(-30, 730))
        b = a + dt.timedelta(days=rnd.randrange(0, 400))
        periods += [(a, b), (a, None), (None, b)]
    periods.append((b, a))  # an empty period (starts after it ends)
    return periods


@pytest.mark.parametrize("seed", range(6))
def test_same_as_the_reference_on_random_agendas(store: Store, seed: int) -> None:
    cid = store.run(_random_community, seed)
    with store.session() as s:
        for start, end in _periods(seed):
            for planned in (False, True):
                want = reference_coverage(s, cid, start, end, include_planned=planned)
                fast = coverage_queries.function_coverage(s, cid, start, end,
                                                          include_planned=planned)  # fmt: skip
                assert fast == want, (start, end, planned)
        assert coverage_queries.session_count(s, cid) == 28


def test_same_as_the_reference_on_the_demo(store: Store) -> None:
    today = dt.date(2026, 6, 30)
    cid = store.run(demo.create_demo, today=today)
    with store.session() as s:
        for start, end in ((None, None), (dt.date(2025, 7, 1), today),
                           (dt.date(2026, 4, 1), today), (dt.date(2026, 1, 1), None)):  # fmt: skip
            for planned in (False, True):
                want = reference_coverage(s, cid, start, end, include_planned=planned)
                fast = coverage_queries.function_coverage(s, cid, start, end,
                                                          include_planned=planned)  # fmt: skip
                assert fast == want
                assert fast.total_minutes > 0 or start is not None


def test_a_method_first_used_in_another_spelling_before_the_period_is_familiar(
    store: Store, community_id: int
) -> None:
    def build(session: Session) -> None:
        for at, method in ((dt.datetime(2025, 1, 5, 10), "World Café"),
                           (dt.datetime(2026, 2, 5, 10), "world café"),
                           (dt.datetime(2026, 3, 5, 10), "Fishbowl")):  # fmt: skip
            sid = S.create_session(session, community_id,
                                   S.SessionData("S", at, "UTC", status="held"))  # fmt: skip
            S.set_agenda(session, sid, [S.BlockData("B", 30, "problem_solves", method)])

    store.run(build)
    with store.session() as s:
        cov = coverage_queries.function_coverage(s, community_id, dt.date(2026, 1, 1), None)
    assert cov.familiar_methods == {"world café": 1}
    assert cov.new_methods == {"Fishbowl": 1}
    assert cov.minutes["problem_solves"] == 60


def test_an_empty_community(store: Store, community_id: int) -> None:
    with store.session() as s:
        cov = coverage_queries.function_coverage(s, community_id)
        assert coverage_queries.session_count(s, community_id) == 0
    assert cov.total_minutes == 0 and len(cov.never_served) == len(FUNCTIONS)
    assert cov.familiar_methods == {} and cov.new_methods == {}


def test_two_sessions_at_the_same_time_the_lower_id_used_it_first(
    store: Store, community_id: int
) -> None:
    at = dt.datetime(2026, 2, 5, 10)

    def build(session: Session) -> None:
        for n in (2, 1, 3):  # three sessions at once, with 2, 1 and 3 fishbowl blocks
            sid = S.create_session(session, community_id,
                                   S.SessionData("S", at, "UTC", status="held"))  # fmt: skip
            S.set_agenda(session, sid, [S.BlockData("B", 10, "", "Fishbowl")] * n)

    store.run(build)
    with store.session() as s:
        cov = coverage_queries.function_coverage(s, community_id, dt.date(2026, 1, 1), None)
        assert cov == reference_coverage(s, community_id, dt.date(2026, 1, 1), None)
    assert cov.new_methods == {"Fishbowl": 2} and cov.familiar_methods == {"Fishbowl": 4}
    assert cov.untagged_minutes == 60


def test_the_old_name_gives_the_database_side_coverage(store: Store) -> None:
    """sessions.function_coverage (kept for its callers) is the set-based one."""
    cid = store.run(_random_community, 7)
    with store.session() as s:
        for start, end in _periods(7)[:6]:
            assert S.function_coverage(s, cid, start, end) == reference_coverage(
                s, cid, start, end)
