"""Writing files so that a failure leaves nothing half-written.

Every export (CSV, iCalendar, PDF) writes a temporary file beside its target and moves it
into place in one step. On any failure the temporary file is removed, an earlier file at
the target is left untouched, and :class:`WriteError` says why in words for the user.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOENT: "the folder does not exist",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "part of the path is not a folder",
}


class WriteError(Exception):
    """A file could not be written; nothing was left at its path."""


def reason(exc: OSError) -> str:
    """A short, lower-case reason for an OS error, fit for a one-line message."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return (exc.strerror or str(exc)).rstrip(".").lower() or "unknown error"


def check_target(out: Path) -> None:
    """Refuse, before any work, a target that cannot possibly be written."""
    if not out.name:
        raise WriteError(f"cannot write {out}: no file name given")
    folder = out.parent
    if not folder.exists():
        raise WriteError(f"cannot write {out}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise WriteError(f"cannot write {out}: {folder} is not a folder")
    if out.is_dir():
        raise WriteError(f"cannot write {out}: it is a folder")


@contextlib.contextmanager
def atomic_output(out: Path | str, *, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path beside ``out``; on success move it to ``out`` at once.

    The caller writes the whole file to the yielded path. Exceptions inside the block
    remove the temporary file and propagate (OS errors become :class:`WriteError`).
    """
    out = Path(out).expanduser()
    check_target(out)
    tmp: Path | None = None
    try:
        for _ in range(20):
            candidate = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
            try:
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            os.close(fd)
            tmp = candidate
            break
        if tmp is None:  # pragma: no cover - twenty random clashes in a row
            raise WriteError(f"cannot write {out}: no temporary file could be created")
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, out.stat().st_mode & 0o777 if out.exists() else mode)
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM) and out.exists():
            why = "permission denied (is the file open in another program?)"
        else:
            why = reason(exc)
        raise WriteError(f"cannot write {out}: {why}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def write_bytes_atomically(out: Path | str, data: bytes) -> Path:
    out = Path(out).expanduser()
    with atomic_output(out) as tmp:
        tmp.write_bytes(data)
    return out
