"""How the data side tells its listeners what changed.

Commands record a :class:`Change` on the session they run in; the store publishes the
recorded changes to its subscribers once the transaction has committed (never for a
transaction that rolled back). The UI adapts this to a Qt signal; nothing here knows Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

Op = Literal["insert", "update", "delete", "reload"]

_KEY = "copdesk.changes"


@dataclass(frozen=True, slots=True)
class Change:
    entity: str
    op: Op
    ids: tuple[int, ...] = field(default=())
    community_id: int | None = None


def record(session: Session, change: Change) -> None:
    """Remember ``change`` until the session's transaction commits."""
    session.info.setdefault(_KEY, []).append(change)


def take(session: Session) -> list[Change]:
    """The changes recorded on ``session``, removing them from it."""
    return list(session.info.pop(_KEY, []))
