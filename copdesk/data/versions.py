"""Optimistic locking: edits and deletes checked against the version the user read.

Members, sessions, assessments and value entries carry a ``version`` that SQLAlchemy
bumps on every update (``version_id_col``). A form remembers the version it was filled
from and hands it to the update or delete command as ``expected_version``; if the row
has changed or gone since, the command raises :class:`~copdesk.data.store.ConflictError`
and writes nothing. ``expected_version=None`` means "overwrite whatever is there".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from copdesk.data.store import ConflictError


class Versioned(Protocol):
    id: int
    version: int


V = TypeVar("V", bound=Versioned)


def row_for_edit(
    session: Session,
    model: type[V],
    row_id: int,
    expected_version: int | None,
    *,
    what: str,
    name: Callable[[V], str] | None = None,
    current: Callable[[Session, int], object] | None = None,
) -> V:
    """The row to change, locked until commit, checked against ``expected_version``.

    ``what`` names the kind of record for messages ("member"); ``name`` gives a row's
    name for them; ``current`` reads the row as the UI shows it (put on the error).
    Raises LookupError for a missing row when no version was expected (as before), and
    ConflictError when the row was deleted or changed since the expected version.
    """
    row = session.get(model, row_id, with_for_update=True, populate_existing=True)
    if row is None:
        if expected_version is None:
            raise LookupError(f"no {what} with id {row_id}")
        raise ConflictError(
            f"Someone else deleted this {what} while you were editing it; nothing was saved.",
            entity=what,
            row_id=row_id,
            expected_version=expected_version,
        )
    if expected_version is not None and row.version != expected_version:
        label = f"{what} {name(row)!r}" if name is not None else f"this {what}"
        raise ConflictError(
            f"Someone else changed {label} while you were editing it (you started from "
            f"version {expected_version}; the store now has version {row.version}). "
            "Nothing was saved: reload to see their changes, or save again to overwrite them.",
            entity=what,
            row_id=row_id,
            expected_version=expected_version,
            current_version=row.version,
            current=current(session, row_id) if current is not None else None,
        )
    return row
