"""``copdesk backup``, ``copdesk restore`` and ``copdesk check`` as real subprocesses on real
store files: a round trip with the data verified, damaged files, a store held open by
another process, and server URLs; and the write commands refusing a store in use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from copdesk.data import communities, members
from copdesk.data.store import Store, head_revision
from copdesk.data.validation import MemberData
from tests.cli.test_cli import Run, _run, _run_code, failed, ok

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]  # about store files themselves


@pytest.fixture
def run() -> Run:
    return _run


def make_store(path: Path, names: list[str]) -> Path:
    with Store.open(path) as store:
        cid = store.run(communities.create_community, "Water CoP")
        for name in names:
            store.run(members.add_member, cid, MemberData(full_name=name, consent=True))
    return path


def names_in(path: Path) -> list[str]:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return sorted(r[0] for r in con.execute("SELECT full_name FROM member"))
    finally:
        con.close()


def add_member(path: Path, name: str) -> None:
    with Store.open(path) as store, store.session() as s:
        cid = communities.find_community(s, None).id
        store.run(members.add_member, cid, MemberData(full_name=name))


def test_backup_check_restore_round_trip(run: Run, tmp_path: Path) -> None:
    db = make_store(tmp_path / "store.sqlite", ["Zoë Martin", "Baraka Mushi"])
    copies = tmp_path / "copies"
    copies.mkdir()
    backup = copies / "monday.sqlite"

    out = ok(run("backup", "--db", db, "--out", backup))
    assert out == (f"Backed up {db} to {backup} (verified: 1 community, 2 members, "
                   "0 sessions, 0 assessments, 0 value entries).\n")
    assert names_in(backup) == ["Baraka Mushi", "Zoë Martin"]
    if os.name == "posix":
        assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only

    out = ok(run("check", "--db", backup))
    assert out.splitlines() == [
        f"Checked {backup}",
        "  integrity:      ok",
        "  foreign keys:   ok",
        f"  schema version: {head_revision()} (current)",
        "  counts:         1 community, 2 members, 0 sessions, 0 assessments, "
        "0 value entries",
        "No problems found.",
    ]

    # A change after the backup is undone by the restore, and kept in the copy it makes.
    add_member(db, "Ελένη Κωνσταντίνου")
    result = run("restore", "--from", backup, "--db", db)
    lines = ok(result).splitlines()
    assert lines[0] == (f"Restored {db} from {backup} (1 community, 2 members, 0 sessions, "
                        "0 assessments, 0 value entries).")
    assert lines[1].startswith(f"The store it replaced was kept as {db}.before-restore-")
    kept = Path(lines[1].removeprefix("The store it replaced was kept as ").rstrip("."))
    assert kept.exists() and kept.parent == db.parent
    assert names_in(db) == ["Baraka Mushi", "Zoë Martin"]
    assert names_in(kept) == ["Baraka Mushi", "Zoë Martin", "Ελένη Κωνσταντίνου"]
    assert "No problems found." in ok(run("check", "--db", db))
    with Store.open(db) as store, store.session() as s:  # and copdesk opens it as usual
        assert len(members.list_members(s, communities.find_community(s, None).id)) == 2

    # Restoring into a store that does not exist yet creates it, and keeps nothing.
    fresh = tmp_path / "fresh.sqlite"
    out = ok(run("restore", "--db", fresh, "--from", backup))
    assert out == (f"Restored {fresh} from {backup} (1 community, 2 members, 0 sessions, "
                   "0 assessments, 0 value entries).\n")
    assert names_in(fresh) == ["Baraka Mushi", "Zoë Martin"]


def test_check_names_the_problem(run: Run, tmp_path: Path) -> None:
    # Broken references, written past copdesk as a foreign tool might.
    db = make_store(tmp_path / "refs.sqlite", ["Ana"])
    con = sqlite3.connect(db)
    with con:
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("UPDATE member SET community_id = 999")
    con.close()
    result = run("check", "--db", db)
    assert "  foreign keys:   FAILED" in result.stdout
    assert "  integrity:      ok" in result.stdout
    line = failed(result, str(db), "broken references (in member)")
    assert line.startswith(f"copdesk: error: {db} has a problem: 1 broken")

    # A damaged file: pages overwritten in the middle.
    damaged = make_store(tmp_path / "damaged.sqlite", [f"Member {i}" for i in range(300)])
    data = bytearray(damaged.read_bytes())
    assert len(data) > 8 * 4096
    data[3 * 4096: 6 * 4096] = b"\xde\xad\xbe\xef" * (3 * 1024)
    damaged.write_bytes(bytes(data))
    result = run("check", "--db", damaged)
    assert "  integrity:      FAILED" in result.stdout
    failed(result, str(damaged))
    assert damaged.read_bytes() == bytes(data)  # check only reads

    # Not a database at all, and an older copdesk's unknown schema.
    text = tmp_path / "notes.sqlite"
    text.write_text("shopping list\n", encoding="utf-8")
    result = run("check", "--db", text)
    assert "nothing else checked" in result.stdout
    failed(result, "is not an SQLite database")
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.close()
    result = run("check", "--db", foreign)
    assert "  schema version: FAILED (none)" in result.stdout
    failed(result, "no schema version: this is not a copdesk store")
    failed(run("check", "--db", tmp_path / "missing.sqlite"), "no store at")
    assert not (tmp_path / "missing.sqlite").exists()


def test_backup_and_restore_failures(run: Run, tmp_path: Path) -> None:
    db = make_store(tmp_path / "store.sqlite", ["Ana"])
    before = db.read_bytes()
    failed(run("backup", "--db", db, "--out", tmp_path / "nope" / "b.sqlite"),
           "does not exist")
    failed(run("backup", "--db", db, "--out", db), "cannot replace the store itself")
    failed(run("backup", "--db", tmp_path / "missing.sqlite", "--out", tmp_path / "b.sqlite"),
           "no store at")
    failed(run("restore", "--db", db, "--from", tmp_path / "missing.sqlite"), "no backup at")
    failed(run("restore", "--db", db, "--from", db), "the backup is the store itself")
    failed(run("restore", "--db", tmp_path / "nope" / "s.sqlite", "--from", db),
           "the folder", "does not exist")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    failed(run("restore", "--db", db, "--from", junk), "cannot be restored")
    for command in (["backup", "--out", tmp_path / "b.sqlite"],
                    ["restore", "--from", junk], ["check"]):
        line = failed(run(*command, "--db", "postgresql://ana:secret@db.example/cop"))
        assert "works on SQLite store files only" in line
        assert "secret" not in line
    failed(run("check", "--db", tmp_path), "is a folder")
    assert db.read_bytes() == before
    left = sorted(p.name for p in tmp_path.iterdir()
                  if not p.name.endswith(("-wal", "-shm", ".lock")))
    assert left == ["junk.sqlite", "store.sqlite"]  # no partial backup left behind


# --- a store held open by another copdesk -----------------------------------------------------
_HOLDER = (
    "import sys\n"
    "from copdesk.data.store import Store\n"
    "store = Store.open(sys.argv[1], exclusive=True)\n"
    "print('locked', flush=True)\n"
    "sys.stdin.readline()\n"
    "store.close()\n"
)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A store held open (locked) by a child process, as a copdesk window holds it."""
    db = make_store(tmp_path / "held.sqlite", ["Ana", "Bo"])
    child = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        yield db, child
    finally:
        if child.poll() is None:
            child.communicate("\n", timeout=60)


def test_restore_and_writes_refused_while_the_store_is_open(
    run: Run, tmp_path: Path, holder: tuple[Path, subprocess.Popen[str]]
) -> None:
    db, child = holder
    backup = tmp_path / "b.sqlite"
    ok(run("backup", "--db", db, "--out", backup))  # the online backup works while open
    other = make_store(tmp_path / "other.sqlite", ["Cy"])
    ok(run("restore", "--db", other, "--from", backup))  # another store is not locked
    assert names_in(other) == ["Ana", "Bo"]
    before = names_in(db)
    csv = tmp_path / "p.csv"
    csv.write_text("Name\nDee\n", encoding="utf-8")
    for command in (["restore", "--from", backup], ["demo"], ["members", "import", csv]):
        line = failed(run(*command, "--db", db), "is already open in copdesk (process",
                      "Close it there first")
        assert str(child.pid) in line
    assert names_in(db) == before
    assert not list(tmp_path.glob("held.sqlite.before-restore-*"))
    # Reading is fine while it is open.
    assert "No problems found." in ok(run("check", "--db", db))
    assert ok(run("communities", "--db", db)).startswith("Water CoP\t")
    ok(run("members", "import", csv, "--db", db, "--dry-run"))

    child.communicate("\n", timeout=60)  # the window closes: now it works
    out = ok(run("restore", "--db", db, "--from", backup))
    assert "The store it replaced was kept as" in out
    assert names_in(db) == ["Ana", "Bo"]


def test_file_commands_never_import_qt(tmp_path: Path) -> None:
    db = make_store(tmp_path / "store.sqlite", ["Ana"])
    code = (
        "import sys\n"
        "from copdesk.cli import main\n"
        "db, out = sys.argv[1], sys.argv[2]\n"
        "assert main(['check', '--db', db]) == 0\n"
        "assert main(['backup', '--db', db, '--out', out]) == 0\n"
        "assert main(['restore', '--db', db, '--from', out]) == 0\n"
        "print('QT', sorted(m for m in sys.modules if m.startswith(('PySide6', 'copdesk.ui'))))\n"
    )
    result = _run_code(code, str(db), str(tmp_path / "b.sqlite"))
    assert result.returncode == 0, result.stderr
    assert "QT []" in result.stdout
