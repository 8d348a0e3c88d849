"""Other people's changes, shown in the open window within a few seconds.

On a shared store several facilitators edit at once. :class:`LiveUpdates` asks the store
on a timer whether another connection committed (``Store.poll_external_changes``: one
cheap query) and, when one did, works out what differs and emits ordinary change
records through ``workspace.events.changed``. The tab models apply those in place, so the
user's selection, scroll position and unsaved form input stay as they were.

A store that stops answering is reported once through ``connection_changed(False, ...)``
(offline, retrying) instead of an error on every tick, and ``connection_changed(True,
...)`` when it answers again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.changes import Change
from copdesk.data.members import MemberRow
from copdesk.data.models import Assessment, CopSession, Story, ValueEntry
from copdesk.data.store import Store, StoreError, describe
from copdesk.ui.workspace import Workspace

#: How often the store is asked, in milliseconds.
POLL_INTERVAL_MS = 3000

#: Entities other than members whose rows the tabs show, with the table holding them.
OTHER_ENTITIES: tuple[tuple[str, type[CopSession | Assessment | ValueEntry | Story]], ...] = (
    ("session", CopSession),
    ("assessment", Assessment),
    ("value", ValueEntry),
    ("story", Story),
)

#: Each member's (version, hash of its row's content) by id, and the ids of the rest.
Snapshot = tuple[dict[int, tuple[int, int]], dict[str, set[int]]]


def fingerprint(row: MemberRow) -> tuple[int, int]:
    """What tells one read of a member row from another: its version and content.

    Two small numbers instead of the row itself: the snapshot of 10,000 members stays
    well under a megabyte instead of holding a second copy of the roster.
    """
    return row.version, hash(row)


def read_snapshot(session: Session, community_id: int) -> Snapshot:
    """The community's members (fingerprinted) and the ids of everything else it holds."""
    rows = {r.id: fingerprint(r) for r in members.list_members(session, community_id)}
    ids: dict[str, set[int]] = {}
    for entity, model in OTHER_ENTITIES:
        ids[entity] = set(
            session.scalars(select(model.id).where(model.community_id == community_id))
        )
    return rows, ids


def diff(before: Snapshot, after: Snapshot, community_id: int) -> list[Change]:
    """Change records turning what was shown (``before``) into the store's ``after``.

    Members: inserted, changed and deleted rows exactly. Other entities: every current id
    as an update (their sub-records, e.g. an agenda, have no row of their own here) and
    the vanished ones as deletes.
    """
    old_rows, old_ids = before
    new_rows, new_ids = after
    out: list[Change] = []
    added = tuple(sorted(set(new_rows) - set(old_rows)))
    changed = tuple(
        sorted(i for i, row in new_rows.items() if i in old_rows and row != old_rows[i])
    )
    gone = tuple(sorted(set(old_rows) - set(new_rows)))
    if gone:
        out.append(Change("member", "delete", gone, community_id))
    if added:
        out.append(Change("member", "insert", added, community_id))
    if changed:
        out.append(Change("member", "update", changed, community_id))
    for entity, _model in OTHER_ENTITIES:
        was, now = old_ids.get(entity, set()), new_ids.get(entity, set())
        vanished = tuple(sorted(was - now))
        if vanished:
            out.append(Change(entity, "delete", vanished, community_id))
        if now:
            out.append(Change(entity, "update", tuple(sorted(now)), community_id))
    return out


class LiveUpdates(QObject):
    """Polls the workspace's store and replays other people's changes as change records.

    ``interval_ms`` is the timer's period (tests pass a short one or call :meth:`poll`).
    """

    #: (online, message): False once when the store stops answering, True when it is back.
    connection_changed = Signal(bool, str)

    def __init__(
        self,
        workspace: Workspace,
        *,
        interval_ms: int = POLL_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else workspace)
        self.workspace = workspace
        self.online = True
        self._shown: Snapshot | None = None
        self._shown_key: tuple[int, int] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        workspace.switched.connect(self._forget)

    def start(self) -> None:
        """Follow the store: take what it holds now as seen, then poll."""
        if self._shown is None and self.online:
            self._baseline()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _forget(self) -> None:
        """Another store or community: start again from what it holds now."""
        self._shown = None
        self._shown_key = None
        if self.online and self.timer.isActive():  # not following (a local file): no need
            self._baseline()

    def _baseline(self) -> None:
        store, cid = self.workspace.store, self.workspace.community_id
        if store is None or cid is None:
            return
        try:
            with store.session() as session:
                self._shown = read_snapshot(session, cid)
            self._shown_key = (id(store), cid)
        except (StoreError, SQLAlchemyError, OSError):
            self._shown = None  # the next poll reports the connection

    def poll(self) -> bool:
        """Look once; True when other people's changes were passed on to the tabs."""
        store, cid = self.workspace.store, self.workspace.community_id
        if store is None:
            return False
        try:
            changed = store.poll_external_changes()
            was_offline = not self.online
            if cid is None or not (changed or was_offline or self._shown is None):
                self._set_online(store, True)
                return False
            with store.session() as session:
                now = read_snapshot(session, cid)
        except (StoreError, SQLAlchemyError, OSError) as exc:
            self._set_online(store, False, exc)
            return False
        self._set_online(store, True)
        before = self._shown if self._shown_key == (id(store), cid) else None
        self._shown, self._shown_key = now, (id(store), cid)
        if before is None:
            return False
        records = diff(before, now, cid)
        if not records or not (changed or was_offline):
            return False
        self.workspace.events.changed.emit(records)
        return True

    def _set_online(self, store: Store, online: bool, exc: BaseException | None = None) -> None:
        if online == self.online:
            return
        self.online = online
        where = describe(store.url)
        if online:
            message = f"Connected to {where} again; showing the latest changes."
        else:
            seconds = max(1, round(self.timer.interval() / 1000))
            reason = str(exc).splitlines()[0][:160] if exc is not None else ""
            message = (
                f"Offline: {where} is not answering ({reason}). Retrying every "
                f"{seconds} s; changes you make now will not be saved."
            )
        self.connection_changed.emit(online, message)
