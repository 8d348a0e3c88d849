"""Marking a whole session's attendance in one batch (``sessions.set_attendance_many``).

The batch must give exactly what one ``set_attendance`` call per member gives, in a few
statements whatever the number of members (on a server store each statement is a round
trip), refuse bad input whole, and the demo must come out the same as with one call per
member. Runs on SQLite and, under ``make pytest-pg``, on the PostgreSQL server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.orm import Session

from copdesk.data import changes, communities, members
from copdesk.data import demo as D
from copdesk.data import sessions as S
from copdesk.data.models import Base
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError
from copdesk.framework import ATTENDANCE_ROLES, ATTENDANCE_STATUSES

STATUSES = [s.key for s in ATTENDANCE_STATUSES]
ROLES = [r.key for r in ATTENDANCE_ROLES]
START = dt.datetime(2026, 3, 2, 15)


@pytest.fixture
def people(store: Store, community_id: int) -> list[int]:
    return store.run(
        members.add_members, community_id,
        [MemberData(full_name=f"Member {n:02d}") for n in range(40)],
    )


def new_session(store: Store, community_id: int, title: str = "Practice call") -> int:
    return store.run(S.create_session, community_id, S.SessionData(title, START, "UTC", 60))


def listed(store: Store, session_id: int) -> list[tuple[int, str, str]]:
    with store.session() as s:
        return sorted((a.member_id, a.status, a.role) for a in S.list_attendance(s, session_id))


def one_by_one(
    session: Session, session_id: int, marks: Mapping[int, S.AttendanceMark]
) -> dict[int, tuple[str, str] | None]:
    """The reference: what the batch replaces, one set_attendance per member."""
    before: dict[int, tuple[str, str] | None] = {}
    for member_id, mark in marks.items():
        status, role = (mark, None) if isinstance(mark, str) else mark
        before[member_id] = S.set_attendance(session, session_id, member_id,
                                             status=status, role=role)
    return before


class Statements:
    """Counts the SQL statements a store sends (an executemany counts once)."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        self.store = store
        event.listen(store.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.store.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def statements(store: Store) -> Iterator[Statements]:
    counter = Statements(store)
    yield counter
    counter.close()


# --- the same result as one call per member -------------------------------------------------
mark_strategy = st.one_of(
    st.sampled_from(STATUSES),
    st.tuples(st.sampled_from(STATUSES), st.one_of(st.none(), st.sampled_from(ROLES))),
)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    invited=st.sets(st.integers(0, 11), max_size=8),
    earlier=st.dictionaries(st.integers(0, 11), mark_strategy, max_size=6),
    marks=st.dictionaries(st.integers(0, 11), mark_strategy, max_size=12),
)
def test_the_batch_gives_what_one_call_per_member_gives(
    store: Store, community_id: int, people: list[int],
    invited: set[int], earlier: dict[int, S.AttendanceMark],
    marks: dict[int, S.AttendanceMark],
) -> None:
    results = []
    for mark in (S.set_attendance_many, one_by_one):
        sid = new_session(store, community_id)
        store.run(S.invite, sid, [people[i] for i in sorted(invited)])
        store.run(one_by_one, sid, {people[i]: m for i, m in earlier.items()})
        before = store.run(mark, sid, {people[i]: m for i, m in marks.items()})
        results.append((before, listed(store, sid)))
    assert results[0] == results[1]


def test_new_rows_get_the_default_role_and_a_none_role_keeps_the_old_one(
    store: Store, community_id: int, people: list[int]
) -> None:
    sid = new_session(store, community_id)
    a, b, c = people[:3]
    store.run(S.set_attendance, sid, b, status="invited", role="presenter")
    before = store.run(S.set_attendance_many, sid,
                       {a: "attended", b: ("apologised", None), c: ("attended", "guest")})
    assert before == {a: None, b: ("invited", "presenter"), c: None}
    assert listed(store, sid) == sorted([
        (a, "attended", "participant"), (b, "apologised", "presenter"), (c, "attended", "guest"),
    ])


def test_the_previous_marks_undo_the_batch(
    store: Store, community_id: int, people: list[int]
) -> None:
    sid = new_session(store, community_id)
    store.run(S.invite, sid, people[:5])
    store.run(S.set_attendance, sid, people[1], status="apologised", role="presenter")
    original = listed(store, sid)
    before = store.run(S.set_attendance_many, sid,
                       {m: ("attended", "facilitator") for m in people[:10]})
    assert listed(store, sid) != original

    def undo(session: Session) -> None:
        S.set_attendance_many(session, sid, {m: p for m, p in before.items() if p is not None})
        S.remove_attendance(session, sid, [m for m, p in before.items() if p is None])

    store.run(undo)
    assert listed(store, sid) == original


# --- a few statements, whatever the number of members ------------------------------------------
@pytest.mark.parametrize("how_many", [5, 40])
def test_a_batch_takes_a_few_statements_whatever_its_size(
    store: Store, community_id: int, people: list[int], statements: Statements, how_many: int
) -> None:
    sid = new_session(store, community_id)
    store.run(S.invite, sid, people[: how_many // 2])  # half update, half insert
    statements.count = 0
    store.run(S.set_attendance_many, sid,
              {m: ("attended", "participant") if n % 3 else "apologised"
               for n, m in enumerate(people[:how_many])})
    batch = statements.count
    # begin/commit bookkeeping, session, members check, read, inserts, two kinds of update
    assert batch <= 10
    other = new_session(store, community_id, "Reference")
    store.run(S.invite, other, people[: how_many // 2])
    statements.count = 0
    store.run(one_by_one, other, {m: "attended" for m in people[:how_many]})
    assert statements.count >= 2 * how_many > batch


def test_one_change_is_published_for_the_batch(
    store: Store, community_id: int, people: list[int]
) -> None:
    sid = new_session(store, community_id)
    seen: list[list[changes.Change]] = []
    store.subscribe(seen.append)
    store.run(S.set_attendance_many, sid, dict.fromkeys(people[:20], "attended"))
    assert seen == [[changes.Change("attendance", "update", (sid,), community_id)]]


def test_an_empty_batch_changes_nothing(
    store: Store, community_id: int, people: list[int]
) -> None:
    sid = new_session(store, community_id)
    assert store.run(S.set_attendance_many, sid, {}) == {}
    assert listed(store, sid) == []


# --- bad input: refused whole, nothing written -------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("maybe", "status"),
        (("attended", "boss"), "role"),
        (("", None), "status"),
    ],
)
def test_one_bad_mark_refuses_the_whole_batch(
    store: Store, community_id: int, people: list[int], bad: S.AttendanceMark, field: str
) -> None:
    sid = new_session(store, community_id)
    store.run(S.invite, sid, people[:3])
    original = listed(store, sid)
    marks: dict[int, S.AttendanceMark] = dict.fromkeys(people[:10], "attended")
    marks[people[5]] = bad
    with pytest.raises(ValidationError) as err:
        store.run(S.set_attendance_many, sid, marks)
    assert field in err.value.errors
    assert listed(store, sid) == original


def test_a_member_of_another_community_refuses_the_batch(
    store: Store, community_id: int, people: list[int]
) -> None:
    other_cid = store.run(communities.create_community, "Soil CoP")
    stranger = store.run(members.add_member, other_cid, MemberData(full_name="Someone Else"))
    sid = new_session(store, community_id)
    marks = {**dict.fromkeys(people[:4], "attended"), stranger: "attended"}
    with pytest.raises(ValidationError, match="no longer exists"):
        store.run(S.set_attendance_many, sid, marks)
    for missing in (10**9, 2**63, -(2**70)):
        with pytest.raises(ValidationError, match="no longer exists"):
            store.run(S.set_attendance_many, sid, {people[0]: "attended", missing: "attended"})
    assert listed(store, sid) == []


def test_a_missing_session_is_refused(store: Store, community_id: int, people: list[int]) -> None:
    sid = new_session(store, community_id)
    store.run(S.delete_session, sid)
    for missing in (sid, 2**63, -(2**70)):
        with pytest.raises(LookupError, match="no session with id"):
            store.run(S.set_attendance_many, missing, {people[0]: "attended"})


# --- the demo -----------------------------------------------------------------------------
TODAY = dt.date(2025, 6, 1)
#: Columns set from the clock, not the seed.
CLOCK = {"created_at", "updated_at"}


def contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the clock columns and the store's bookkeeping)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name == "store_info":
                continue
            columns = [c for c in table.columns if c.name not in CLOCK]
            rows = conn.execute(table.select().with_only_columns(*columns)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_the_demo_is_the_same_as_with_one_call_per_member(
    store: Store, tmp_path: Path, new_store_target: Callable[[Path], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches: list[int] = []
    batch = S.set_attendance_many

    def counted(session: Session, session_id: int,
                marks: Mapping[int, S.AttendanceMark]) -> dict[int, tuple[str, str] | None]:
        batches.append(len(marks))
        return batch(session, session_id, marks)

    def no_single_calls(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the demo marks attendance one member at a time")

    with monkeypatch.context() as m:
        m.setattr(S, "set_attendance_many", counted)
        m.setattr(S, "set_attendance", no_single_calls)
        store.run(D.create_demo, today=TODAY)
    assert len(batches) > 10 and sum(batches) > 300
    reference = Store.open(new_store_target(tmp_path / "reference.sqlite"))
    try:
        monkeypatch.setattr(S, "set_attendance_many", one_by_one)
        reference.run(D.create_demo, today=TODAY)
        expected = contents(reference)
    finally:
        reference.close()
    got = contents(store)
    assert len(got["attendance"]) > 300
    assert got == expected
