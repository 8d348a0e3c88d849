"""Backups, restore and checks of SQLite stores: nothing a facilitator enters is lost.

Backups are made with SQLite's online backup API (never a plain copy of an open file),
verified with ``PRAGMA integrity_check`` before older ones are rotated out, and thinned
to keep recent, daily, weekly and monthly copies. Restoring keeps a copy of the current
store first. Damaged stores are set aside, never deleted or overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from copdesk.data.files import reason
from copdesk.data.store import (
    SQLITE_HEADER,
    StoreError,
    create_private,
    head_revision,
    known_revisions,
)

BACKUP_RE = re.compile(r"^copdesk-(\d{8}-\d{6})(?:-\d+)?\.sqlite$")
STAMP = "%Y%m%d-%H%M%S"

#: How many backups the thinning keeps: the newest few, then one per day, week, month.
KEEP_RECENT = 5
KEEP_DAILY = 7
KEEP_WEEKLY = 5
KEEP_MONTHLY = 12


class BackupError(StoreError):
    """A backup, restore or check could not be done; the message is for the user."""


def backups_folder(store_path: Path) -> Path:
    """Where the backups of a store live: the user data folder, one folder per store."""
    resolved = store_path.expanduser().resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:10]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", resolved.stem)[:40] or "store"
    return user_data_path("copdesk", appauthor=False) / "backups" / f"{name}-{digest}"


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an SQLite file, also on read-only media.

    A store in write-ahead-log mode needs its ``-shm`` file even to be read; in a folder
    that cannot be written that file cannot be made, so the file is then opened as
    immutable (nothing can be writing to it there).
    """
    uri = path.resolve().as_uri()
    con = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.OperationalError:
        con.close()
        if os.access(path.parent, os.W_OK) and not _read_only_mount(path.parent):
            raise
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


# --- checking ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CheckResult:
    path: Path
    problems: tuple[str, ...]
    revision: str | None
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


COUNTED = {
    "communities": "community",
    "members": "member",
    "sessions": "cop_session",
    "assessments": "assessment",
    "value entries": "value_entry",
}


def check_file(path: Path) -> CheckResult:
    """Integrity, foreign keys and schema version of an SQLite store, read-only."""
    problems: list[str] = []
    revision: str | None = None
    counts: dict[str, int] = {}
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        return CheckResult(path, (f"cannot read {path}: {reason(exc)}",), None, {})
    if header != SQLITE_HEADER:
        return CheckResult(path, (f"{path} is not an SQLite database",), None, {})
    try:
        con = open_read_only(path)
    except sqlite3.Error as exc:
        return CheckResult(path, (f"cannot open {path}: {exc}",), None, {})
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems.append("integrity check failed: " + "; ".join(rows[:5]))
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            where = sorted({r[0] for r in broken})
            problems.append(f"{len(broken)} broken references (in {', '.join(where)})")
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in names:
            problems.append("no schema version: this is not a copdesk store")
        else:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
            if revision not in known_revisions():
                problems.append(
                    f"schema {revision} is unknown to this copdesk (it knows up to "
                    f"{head_revision()})"
                )
        for label, table in COUNTED.items():
            if table in names:
                counts[label] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    except sqlite3.DatabaseError as exc:
        problems.append(f"the file is damaged: {exc}")
    finally:
        con.close()
    return CheckResult(path, tuple(problems), revision, counts)


# --- making backups -----------------------------------------------------------------------
def backup_file(source: Path, target: Path) -> CheckResult:
    """Copy an SQLite store to ``target`` with the backup API, verify it, then move it in.

    A copy that does not verify is removed and BackupError names the problem; an
    earlier file at ``target`` is left untouched.
    """
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if target.exists() and target.is_dir():
        raise BackupError(f"cannot write {target}: it is a folder")
    folder = target.parent
    if not folder.is_dir():
        raise BackupError(f"cannot write {target}: the folder {folder} does not exist")
    tmp = folder / f".{target.name}.part"
    try:
        src = open_read_only(source)
        try:
            create_private(tmp)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        result = check_file(tmp)
        if not result.ok:
            raise BackupError(f"the backup did not verify: {'; '.join(result.problems)}")
        os.replace(tmp, target)
        return CheckResult(target, (), result.revision, result.counts)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    size: int

    def describe(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S} ({self.size / 1024:,.0f} KiB)"


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in a folder, newest first (files not named like backups are ignored)."""
    if not folder.is_dir():
        return []
    out = []
    for path in folder.iterdir():
        m = BACKUP_RE.match(path.name)
        if m and path.is_file():
            taken = dt.datetime.strptime(m.group(1), STAMP)
            out.append(BackupInfo(path, taken, path.stat().st_size))
    return sorted(out, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def thin(backups: Iterable[BackupInfo]) -> tuple[list[BackupInfo], list[BackupInfo]]:
    """Split backups into those to keep and those to remove.

    Keeps the newest ``KEEP_RECENT``, then the newest of each of the last ``KEEP_DAILY``
    days, ``KEEP_WEEKLY`` weeks and ``KEEP_MONTHLY`` months.
    """
    ordered = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    keep: dict[Path, BackupInfo] = {b.path: b for b in ordered[:KEEP_RECENT]}
    buckets = [("day", KEEP_DAILY), ("week", KEEP_WEEKLY), ("month", KEEP_MONTHLY)]
    for unit, count in buckets:
        seen: set[tuple[int, ...]] = set()
        for b in ordered:
            t = b.taken_at
            key: tuple[int, ...]
            if unit == "day":
                key = (t.year, t.month, t.day)
            elif unit == "week":
                key = tuple(t.isocalendar()[:2])
            else:
                key = (t.year, t.month)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > count:
                break
            keep.setdefault(b.path, b)
    kept = [b for b in ordered if b.path in keep]
    dropped = [b for b in ordered if b.path not in keep]
    return kept, dropped


def make_backup(
    store_path: Path, folder: Path | None = None, *, now: dt.datetime | None = None
) -> BackupInfo:
    """A verified backup of a store into its backups folder, then thinning of the old ones."""
    folder = folder or backups_folder(store_path)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"cannot create the backups folder {folder}: {reason(exc)}") from None
    now = now or dt.datetime.now()
    name = f"copdesk-{now:{STAMP}}.sqlite"
    n = 1
    while (folder / name).exists():
        n += 1
        name = f"copdesk-{now:{STAMP}}-{n}.sqlite"
    backup_file(store_path, folder / name)
    _, dropped = thin(list_backups(folder))
    for old in dropped:
        with contextlib.suppress(OSError):
            old.path.unlink()
    return next(b for b in list_backups(folder) if b.path.name == name)


# --- restoring ------------------------------------------------------------------------------
def restore_file(store_path: Path, backup: Path, *, now: dt.datetime | None = None) -> Path:
    """Put ``backup`` in place of the store, after keeping a copy of the current store.

    The store must not be open in this process (close it first). Returns the path of the
    copy kept of the replaced store (or of nothing, if there was no store).
    """
    check = check_file(backup)
    if not check.ok:
        raise BackupError(f"{backup} cannot be restored: {'; '.join(check.problems)}")
    now = now or dt.datetime.now()
    kept = store_path.with_name(f"{store_path.name}.before-restore-{now:{STAMP}}.bak")
    if store_path.exists():
        current = check_file(store_path)
        damaged = any("not an SQLite" in p or "damaged" in p for p in current.problems)
        if damaged:
            # A damaged store cannot go through the backup API: set the file itself aside.
            os.replace(store_path, kept)
        else:
            backup_file(store_path, kept)
    tmp = store_path.with_name(f".{store_path.name}.restoring")
    try:
        src = open_read_only(backup)
        try:
            create_private(tmp)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                store_path.with_name(store_path.name + suffix).unlink()
        os.replace(tmp, store_path)
    except (OSError, sqlite3.Error) as exc:
        msg = reason(exc) if isinstance(exc, OSError) else str(exc)
        raise BackupError(f"cannot restore into {store_path}: {msg}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return kept


def set_aside(store_path: Path, *, now: dt.datetime | None = None) -> Path:
    """Move a damaged store out of the way (never deleted) and return where it went."""
    now = now or dt.datetime.now()
    aside = store_path.with_name(f"{store_path.name}.damaged-{now:{STAMP}}")
    os.replace(store_path, aside)
    for suffix in ("-wal", "-shm"):
        side = store_path.with_name(store_path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside


def newest_good_backup(folder: Path) -> BackupInfo | None:
    """The newest backup in ``folder`` that passes the checks, if any."""
    for b in list_backups(folder):
        if check_file(b.path).ok:
            return b
    return None
