"""A real read-only folder: a read-only bind mount, so the refusal is the kernel's (EROFS),
not a permission bit that root would ignore. Skipped where mounting is not allowed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from copdesk.data import communities, csvio, members
from copdesk.data.backup import BackupError, backup_file
from copdesk.data.store import Store, StoreError
from copdesk.data.validation import MemberData
from copdesk.reports.errors import ReportError
from copdesk.reports.roster import build_roster_pdf

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a store with one member, mounted read-only over itself."""
    folder = tmp_path / "ro"
    folder.mkdir()
    with Store.open(folder / "store.sqlite") as store:
        cid = store.run(communities.create_community, "Water CoP")
        store.run(members.add_member, cid, MemberData(full_name="Ada Lovelace"))
    for side in folder.glob("store.sqlite-*"):
        side.unlink()
    if shutil.which("mount") is None or os.name != "posix":
        pytest.skip("needs mount(8)")
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bind.stderr.decode().strip()}")
    try:
        ro = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True)
        if ro.returncode != 0:
            pytest.skip(f"cannot remount read-only: {ro.stderr.decode().strip()}")
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_writes_into_a_read_only_folder_fail_clearly_and_leave_nothing(
    read_only: Path, tmp_path: Path
) -> None:
    before = listing(read_only)
    # The store can be copied out of the read-only folder, and read there.
    copy = tmp_path / "copy.sqlite"
    backup_file(read_only / "store.sqlite", copy)
    with Store.open(copy) as store, store.session() as s:
        cid = communities.find_community(s, None).id
        with pytest.raises(csvio.CsvError, match=r"(?i)read-only|permission"):
            csvio.export_csv(s, cid, read_only / "roster.csv")
        with pytest.raises(ReportError, match=r"(?i)read-only|permission"):
            build_roster_pdf(s, cid, read_only / "roster.pdf")
    with pytest.raises(BackupError, match=r"(?i)read-only|permission"):
        backup_file(copy, read_only / "backup.sqlite")
    assert listing(read_only) == before


def test_a_store_in_a_read_only_folder_is_refused_with_a_message(read_only: Path) -> None:
    before = listing(read_only)
    with pytest.raises(StoreError) as err:
        Store.open(read_only / "store.sqlite", exclusive=True)
    assert "store.sqlite" in str(err.value)
    assert listing(read_only) == before


def test_the_cli_says_why_and_writes_nothing(read_only: Path) -> None:
    before = listing(read_only)
    out = subprocess.run(
        [sys.executable, "-m", "copdesk", "members", "export", str(read_only / "out.csv"),
         "--db", str(read_only / "store.sqlite")],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("copdesk: error: ")
    assert "Traceback" not in out.stderr
    assert listing(read_only) == before
