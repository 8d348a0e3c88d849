"""Two people on one store: conflicts caught, changes by others noticed, no lost update.

Every test runs on both backends (SQLite file, or the PostgreSQL server of
``make pytest-pg``), with two real connections (two Store objects) and, where the
timing matters, two processes.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from copdesk.data import communities, members, sessions, values
from copdesk.data import fitness as F
from copdesk.data.models import Member
from copdesk.data.store import ConflictError, NewerStoreError, Store, StoreError
from copdesk.data.validation import MemberData

Target = Path | str


@pytest.fixture
def two(store_path: Target) -> tuple[Store, Store]:
    a = Store.open(store_path)
    b = Store.open(store_path)
    yield a, b  # type: ignore[misc]
    a.close()
    b.close()


def _member(store: Store, cid: int, name: str = "Ada Lovelace", **kw: object) -> int:
    return store.run(members.add_member, cid, MemberData(full_name=name, **kw))  # type: ignore[arg-type]


def _row(store: Store, mid: int) -> members.MemberRow:
    with store.session() as s:
        return members.get_member(s, mid)


def test_a_save_against_a_changed_member_is_refused_with_both_versions(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    cid = a.run(communities.create_community, "Water CoP")
    mid = _member(a, cid, organisation="Rivers Trust")
    seen_by_a = _row(a, mid)
    seen_by_b = _row(b, mid)
    assert seen_by_a.version == seen_by_b.version == 1

    b.run(members.update_member, mid,
          MemberData(full_name="Ada Lovelace", organisation="Analytical Engines"),
          expected_version=seen_by_b.version)
    with pytest.raises(ConflictError) as err:
        a.run(members.update_member, mid,
              MemberData(full_name="Ada Lovelace", organisation="Difference Ltd"),
              expected_version=seen_by_a.version)
    conflict = err.value
    assert isinstance(conflict, StoreError)
    now = _row(b, mid).version
    assert conflict.expected_version == 1 and conflict.current_version == now > 1
    assert isinstance(conflict.current, members.MemberRow)
    assert conflict.current.organisation == "Analytical Engines"
    assert "Ada Lovelace" in str(conflict) and "version 1" in str(conflict)
    assert not conflict.deleted
    assert _row(b, mid).organisation == "Analytical Engines"  # nothing of A's was saved

    # Overwrite: A saves again without a version; reload: A reads version 2.
    a.run(members.update_member, mid,
          MemberData(full_name="Ada Lovelace", organisation="Difference Ltd"))
    assert _row(b, mid).organisation == "Difference Ltd" and _row(b, mid).version > now


def test_saving_or_deleting_a_member_someone_deleted_is_a_conflict(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    cid = a.run(communities.create_community, "Water CoP")
    mid = _member(a, cid)
    version = _row(a, mid).version
    b.run(members.delete_member, mid, expected_version=version)
    with pytest.raises(ConflictError) as err:
        a.run(members.update_member, mid, MemberData(full_name="Ada L."),
              expected_version=version)
    assert err.value.deleted and err.value.current is None
    with pytest.raises(ConflictError):
        a.run(members.delete_member, mid, expected_version=version)
    with pytest.raises(LookupError):  # no version: the old behaviour
        a.run(members.update_member, mid, MemberData(full_name="Ada L."))


def test_deleting_a_member_someone_changed_is_a_conflict(two: tuple[Store, Store]) -> None:
    a, b = two
    cid = a.run(communities.create_community, "Water CoP")
    mid = _member(a, cid)
    b.run(members.update_member, mid, MemberData(full_name="Ada King"))
    with pytest.raises(ConflictError) as err:
        a.run(members.delete_member, mid, expected_version=1)
    assert err.value.current_version == _row(b, mid).version > 1
    with b.session() as s:
        assert members.get_member(s, mid).full_name == "Ada King"


def test_sessions_entries_and_assessments_carry_versions(two: tuple[Store, Store]) -> None:
    import datetime as dt

    a, b = two
    cid = a.run(communities.create_community, "Water CoP")
    start = dt.datetime(2026, 3, 2, 15)
    sid = a.run(sessions.create_session, cid, sessions.SessionData("Kick-off", start, "UTC", 60))
    with a.session() as s:
        (row,) = sessions.list_sessions(s, cid)
    b.run(sessions.update_session, sid, sessions.SessionData("Kick-off!", start, "UTC", 60),
          expected_version=row.version)
    with pytest.raises(ConflictError) as err:
        a.run(sessions.update_session, sid, sessions.SessionData("Start", start, "UTC", 60),
              expected_version=row.version)
    assert err.value.current.title == "Kick-off!"  # type: ignore[attr-defined]

    eid = a.run(values.add_entry, cid, values.EntryData(
        entry_date=dt.date(2026, 3, 2), title="Pump fixed", kind="strategic_capabilities",
        cycle="applied", for_organisation=True), today=dt.date(2026, 3, 3))
    with a.session() as s:
        (entry,) = values.list_entries(s, cid)
    b.run(values.delete_entry, eid, expected_version=entry.version)
    with pytest.raises(ConflictError):
        a.run(values.delete_entry, eid, expected_version=entry.version)

    aid = a.run(F.start_assessment, cid, "fitness_test", dt.date(2026, 3, 2),
                today=dt.date(2026, 3, 3))
    with a.session() as s:
        (arow,) = F.list_assessments(s, cid)
    b.run(F.update_assessment, aid, held_on=dt.date(2026, 3, 1), participant_ids=(),
          notes="moved", today=dt.date(2026, 3, 3), expected_version=arow.version)
    with pytest.raises(ConflictError):
        a.run(F.update_assessment, aid, held_on=dt.date(2026, 3, 2), participant_ids=(),
              notes="mine", today=dt.date(2026, 3, 3), expected_version=arow.version)


def test_changes_by_others_are_noticed_and_own_changes_are_not(
    two: tuple[Store, Store],
) -> None:
    a, b = two
    assert not a.poll_external_changes() and not b.poll_external_changes()
    cid = a.run(communities.create_community, "Water CoP")
    assert not a.poll_external_changes()  # its own commit
    assert b.poll_external_changes()  # A's commit
    assert not b.poll_external_changes()  # seen once
    _member(b, cid)
    assert a.poll_external_changes()
    # B commits, then A commits before polling: A's next poll still reports B's change.
    _member(b, cid, "Grace Hopper")
    _member(a, cid, "Alan Turing")
    assert a.poll_external_changes()
    assert b.poll_external_changes()
    assert not a.poll_external_changes() and not b.poll_external_changes()
    # A transaction that changes nothing, or that fails, is not a change.
    with pytest.raises(LookupError):
        a.run(members.update_member, 999_999, MemberData(full_name="Nobody"))
    assert not b.poll_external_changes()


_WRITER = textwrap.dedent("""
    import sys
    from copdesk.data import members
    from copdesk.data.store import ConflictError, Store
    from copdesk.data.validation import MemberData

    target, mid, label, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    saved = conflicts = 0
    with Store.open(target) as store:
        while saved < rounds:
            with store.session() as s:
                row = members.get_member(s, mid)
            notes = row.notes + label
            try:
                store.run(members.update_member, mid,
                          MemberData(full_name=row.full_name, notes=notes),
                          expected_version=row.version)
                saved += 1
            except ConflictError:
                conflicts += 1
    print(saved, conflicts)
""")


@pytest.mark.slow
def test_two_processes_editing_one_member_lose_no_update(store: Store, store_path: Target) -> None:
    """Each process appends its letter to the notes, re-reading after a conflict: every
    append must survive (a lost update would drop letters)."""
    cid = store.run(communities.create_community, "Water CoP")
    mid = _member(store, cid)
    rounds = 15
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(store_path), str(mid), label,
                          str(rounds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for label in "ab"
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert out.split()[0] == str(rounds)
    row = _row(store, mid)
    assert sorted(row.notes) == sorted("a" * rounds + "b" * rounds)
    assert row.version >= 1 + 2 * rounds  # every save rose the version
    assert store.poll_external_changes()


def test_undo_reinserts_an_old_id_and_new_rows_never_reuse_it(store: Store) -> None:
    cid = store.run(communities.create_community, "Water CoP")
    first = _member(store, cid, "First")
    second = _member(store, cid, "Second")
    snap = store.run(members.delete_member, second)
    store.run(members.restore_member, snap)
    third = _member(store, cid, "Third")
    assert third not in (first, second)
    # A row put back under an id the id generator never handed out (e.g. copied in).
    gone = store.run(members.delete_member, third)
    big = dataclasses.replace(gone, id=third + 50, history=tuple(
        (hid + 50, level, on) for hid, level, on in gone.history))
    store.run(members.restore_member, big)
    fourth = _member(store, cid, "Fourth")
    assert fourth > third + 50
    with store.session() as s:
        assert s.get(Member, third + 50) is not None


def test_a_newer_store_on_any_backend_is_refused_without_writing(store_path: Target) -> None:
    Store.open(store_path).close()
    url = store_path if isinstance(store_path, str) else f"sqlite:///{store_path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        conn.execute(text("UPDATE store_info SET value = '9.0.0' WHERE key = 'app_version'"))

    def dump() -> list[tuple[object, ...]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT key, value FROM store_info ORDER BY key")).all()] + [
                tuple(r) for r in conn.execute(text("SELECT * FROM alembic_version")).all()]

    before = dump()
    with pytest.raises(NewerStoreError) as err:
        Store.open(store_path)
    assert "9999" in str(err.value) and "9.0.0" in str(err.value)
    assert dump() == before
    engine.dispose()


def test_urls_kept_in_settings_and_logs_carry_no_password() -> None:
    from copdesk.data.store import describe, url_without_password

    url = "postgresql+psycopg://ada:s3cr%40t@db.example.org:5432/cop?sslmode=require"
    kept = url_without_password(url)
    assert "s3cr" not in kept and "s3cr" not in describe(url)
    assert kept == "postgresql+psycopg://ada@db.example.org:5432/cop?sslmode=require"
    plain = "postgresql+psycopg://ada@db.example.org/cop"
    assert url_without_password(plain) == plain
    assert url_without_password("/home/ada/copdesk.sqlite") == "/home/ada/copdesk.sqlite"
    assert url_without_password("sqlite:////tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"


def test_lists_sort_the_same_whatever_the_server_collation(store: Store) -> None:
    """Communities sort by code point (SQLite's binary order) on every database."""
    for name in ("beta CoP", "Évora CoP", "Alpha CoP", "Zulu CoP"):
        store.run(communities.create_community, name)
    with store.session() as s:
        names = [c.name for c in communities.list_communities(s)]
    assert names == ["Alpha CoP", "Zulu CoP", "beta CoP", "Évora CoP"]
