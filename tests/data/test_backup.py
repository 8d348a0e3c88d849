"""Backups, restore, checks, locking and file permissions on real files and processes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copdesk.data import backup as B
from copdesk.data import communities, members
from copdesk.data.store import Store, StoreError, StoreInUseError
from copdesk.data.validation import MemberData

pytestmark = pytest.mark.sqlite_only  # backups of files, file locks and permissions


def filled(path: Path, n: int = 5) -> None:
    with Store.open(path) as store:
        cid = store.run(communities.create_community, "Water CoP")
        for i in range(n):
            store.run(members.add_member, cid, MemberData(full_name=f"Member {i}"))


def names(path: Path) -> list[str]:
    with Store.open(path) as store, store.session() as s:
        cid = communities.find_community(s, None).id
        return [r.full_name for r in members.list_members(s, cid)]


def test_backup_is_verified_and_counts_what_it_holds(store_path: Path, tmp_path: Path) -> None:
    filled(store_path)
    info = B.make_backup(store_path, tmp_path / "backups", now=dt.datetime(2026, 1, 2, 3, 4, 5))
    assert info.path.name == "copdesk-20260102-030405.sqlite"
    result = B.check_file(info.path)
    assert result.ok and result.counts["members"] == 5 and result.counts["communities"] == 1


def test_backup_of_an_open_store_with_uncheckpointed_writes(store_path: Path, tmp_path: Path) -> None:
    store = Store.open(store_path)
    try:
        cid = store.run(communities.create_community, "Live")
        store.run(members.add_member, cid, MemberData(full_name="Written just now"))
        # The write sits in the WAL; a plain file copy would miss it, the backup API does not.
        info = B.make_backup(store_path, tmp_path / "b")
    finally:
        store.close()
    assert names(info.path) == ["Written just now"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_store_and_backups_are_readable_by_their_owner_only(
    store_path: Path, tmp_path: Path
) -> None:
    filled(store_path)
    info = B.make_backup(store_path, tmp_path / "b")
    for path in (store_path, info.path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700


def test_thinning_keeps_recent_daily_weekly_monthly(tmp_path: Path) -> None:
    start = dt.datetime(2026, 1, 1, 12)
    infos = [B.BackupInfo(tmp_path / f"b{i}", start + dt.timedelta(hours=6 * i), 0)
             for i in range(4 * 365)]  # four a day for a year
    kept, dropped = B.thin(infos)
    assert len(kept) + len(dropped) == len(infos)
    assert len(kept) <= B.KEEP_RECENT + B.KEEP_DAILY + B.KEEP_WEEKLY + B.KEEP_MONTHLY
    newest = max(infos, key=lambda b: b.taken_at)
    assert newest in kept
    months = {(b.taken_at.year, b.taken_at.month) for b in kept}
    assert len(months) >= B.KEEP_MONTHLY


def test_restore_keeps_a_copy_of_the_current_store(store_path: Path, tmp_path: Path) -> None:
    filled(store_path, 3)
    info = B.make_backup(store_path, tmp_path / "b")
    with Store.open(store_path) as store:
        cid = store.run(communities.find_community, None).id
        store.run(members.add_member, cid, MemberData(full_name="Added after the backup"))
    kept = B.restore_file(store_path, info.path)
    assert "Added after the backup" not in names(store_path)
    assert "Added after the backup" in names(kept)


def test_a_damaged_backup_is_refused_and_the_store_untouched(store_path: Path, tmp_path: Path) -> None:
    filled(store_path)
    bad = tmp_path / "copdesk-20260101-000000.sqlite"
    bad.write_bytes(store_path.read_bytes()[:4096])
    before = store_path.read_bytes()
    with pytest.raises(B.BackupError, match="cannot be restored"):
        B.restore_file(store_path, bad)
    assert store_path.read_bytes() == before


def test_damaged_store_set_aside_and_newest_good_backup_found(
    store_path: Path, tmp_path: Path
) -> None:
    filled(store_path)
    folder = tmp_path / "b"
    good = B.make_backup(store_path, folder, now=dt.datetime(2026, 1, 1))
    newer_bad = folder / "copdesk-20260105-000000.sqlite"
    newer_bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    Store.open(store_path).close()
    raw = bytearray(store_path.read_bytes())
    raw[100:4096] = os.urandom(3996)  # damage the first page
    store_path.write_bytes(bytes(raw))
    with pytest.raises(StoreError):
        Store.open(store_path)
    assert not B.check_file(store_path).ok
    assert B.newest_good_backup(folder) == good
    aside = B.set_aside(store_path)
    assert aside.exists() and not store_path.exists()
    B.restore_file(store_path, good.path)
    assert len(names(store_path)) == 5


def test_check_names_broken_references_and_unknown_schema(store_path: Path) -> None:
    filled(store_path)
    con = sqlite3.connect(store_path)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("DELETE FROM community")
    con.commit()
    con.close()
    result = B.check_file(store_path)
    assert not result.ok and "broken references (in member)" in result.problems[0]
    con = sqlite3.connect(store_path)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    assert any("schema 9999 is unknown" in p for p in B.check_file(store_path).problems)


LOCKER = """
import sys, time
from copdesk.data.store import Store
store = Store.open(sys.argv[1], exclusive=True)
print("locked", flush=True)
time.sleep(60)
"""


def _start_locker(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_copdesk_gets_a_clear_message_not_a_hang(store_path: Path) -> None:
    filled(store_path)
    proc = _start_locker(store_path)
    try:
        started = time.monotonic()
        with pytest.raises(StoreInUseError, match=rf"already open in copdesk \(process {proc.pid}"):
            Store.open(store_path, exclusive=True)
        assert time.monotonic() - started < 5
        with Store.open(store_path) as reader, reader.session() as s:  # reading still works
            assert communities.list_communities(s)[0].member_count == 5
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_stale_lock_left_by_a_killed_process_is_taken_over(store_path: Path) -> None:
    filled(store_path)
    proc = _start_locker(store_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert store_path.with_name(store_path.name + ".lock").exists()
    with Store.open(store_path, exclusive=True) as store, store.session() as s:
        assert communities.list_communities(s)[0].name == "Water CoP"
