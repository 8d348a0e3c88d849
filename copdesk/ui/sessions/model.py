"""The community's sessions as a Qt table model, and the proxy that filters and sorts it.

Like the roster, :class:`SessionTableModel` follows the store incrementally: new sessions
arrive with ``beginInsertRows``, edits (of the session, its agenda or its attendance, or
of a facilitator's name) with ``dataChanged``, deletions with ``beginRemoveRows``. Only
switching community resets it. It sorts itself (see :mod:`copdesk.ui.rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from sqlalchemy.orm import Session

from copdesk.data import sessions
from copdesk.data.changes import Change
from copdesk.data.sessions import SessionRow
from copdesk.framework import SESSION_MODES, SESSION_SPACES, term_label
from copdesk.ui.members.model import fold
from copdesk.ui.rows import RowProxy, RowTableModel
from copdesk.ui.sessions.common import (
    NO_FACILITATOR,
    STATUS_COLOURS,
    WARN,
    Clock,
    local_time_note,
    status_label,
    system_now,
)

ROW_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex
EPOCH = dt.datetime(1900, 1, 1)


class Column(IntEnum):
    WHEN = 0
    TIME = 1
    TITLE = 2
    STATUS = 3
    SPACE = 4
    MODE = 5
    AGENDA = 6
    FACILITATORS = 7
    ATTENDANCE = 8
    SERIES = 9

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES: dict[Column, str] = {
    Column.WHEN: "Date",
    Column.TIME: "Time",
    Column.TITLE: "Title",
    Column.STATUS: "Status",
    Column.SPACE: "Space",
    Column.MODE: "Mode",
    Column.AGENDA: "Agenda",
    Column.FACILITATORS: "Facilitators",
    Column.ATTENDANCE: "Attended",
    Column.SERIES: "Series",
}


def search_text(row: SessionRow) -> str:
    parts = [row.title, row.purpose, row.location, row.series_title, *row.facilitators]
    return fold(" \u241f ".join(parts))


def agenda_text(row: SessionRow) -> str:
    if not row.block_count:
        return "—"
    return f"{row.agenda_minutes} of {row.planned_minutes} min"


def _display(row: SessionRow, column: Column) -> str:
    match column:
        case Column.WHEN:
            return f"{row.starts_at:%a %d %b %Y  %H:%M}"
        case Column.TIME:
            return f"{row.starts_at:%H:%M} {row.time_zone}"
        case Column.TITLE:
            return row.title
        case Column.STATUS:
            return status_label(row.status)
        case Column.SPACE:
            return term_label(SESSION_SPACES, row.space)
        case Column.MODE:
            return term_label(SESSION_MODES, row.mode)
        case Column.AGENDA:
            return agenda_text(row)
        case Column.FACILITATORS:
            return ", ".join(row.facilitators) or NO_FACILITATOR
        case Column.ATTENDANCE:
            return f"{row.attended} of {row.invited}" if row.invited else "—"
        case Column.SERIES:
            return row.series_title
    return ""


class SessionTableModel(RowTableModel[SessionRow]):
    """The sessions of one community, following the store's change events.

    ``clock`` gives "now" (naive local time), which splits upcoming from past sessions.
    """

    titles = tuple(c.title for c in Column)

    def __init__(self, parent: QObject | None = None, *, clock: Clock = system_now) -> None:
        super().__init__(parent)
        self.clock = clock
        #: What the filter box matches, by session id, folded on first use.
        self._search: dict[int, str] = {}

    # -- source ------------------------------------------------------------------------
    def load(
        self, session: Session, community_id: int, ids: Sequence[int] | None
    ) -> list[SessionRow]:
        return sessions.list_sessions(session, community_id, ids=ids)

    def on_changes(self, recorded: list[Change]) -> None:
        for change in recorded:
            if self.drops_community(change) or change.community_id != self._community_id:
                continue
            if change.entity == "member":
                # Facilitators' names (or a deleted facilitator) show in every row.
                self.refresh(self.ids())
            elif change.entity in ("agenda", "attendance"):
                self.refresh(change.ids)
            elif change.entity == "session":
                if change.op == "reload":
                    self.set_source(self._store, self._community_id)
                elif change.op == "delete":
                    self.remove(change.ids)
                else:
                    self.refresh(change.ids)

    def forget(self, row_id: int) -> None:
        self._search.pop(row_id, None)

    def forget_all(self) -> None:
        self._search = {}

    # -- access ------------------------------------------------------------------------
    def search_key(self, row: int) -> str:
        session = self._rows[row]
        key = self._search.get(session.id)
        if key is None:
            key = self._search[session.id] = search_text(session)
        return key

    def is_upcoming(self, row: SessionRow) -> bool:
        return row.ends_at >= self.clock()

    def when_key(self, row: SessionRow) -> tuple[int, float]:
        """Upcoming sessions first (soonest first), then past ones (latest first)."""
        stamp = (row.starts_at - EPOCH).total_seconds()
        return (0, stamp) if self.is_upcoming(row) else (1, -stamp)

    # -- QAbstractTableModel -----------------------------------------------------------
    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section == Column.WHEN:
                return "Upcoming sessions first (soonest first), then past ones"
            if section == Column.AGENDA:
                return "Agenda time against the planned length"
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.AGENDA and row.agenda_minutes > row.planned_minutes:
                over = row.agenda_minutes - row.planned_minutes
                return f"The agenda runs {over} min over the planned length"
            if column in (Column.WHEN, Column.TIME):
                note = local_time_note(row.starts_at, row.time_zone)
                return f"{row.starts_at:%H:%M} {row.time_zone} {note}".strip()
            if column == Column.TITLE and row.purpose:
                return row.purpose
            if column == Column.SPACE:
                return next((t.help for t in SESSION_SPACES if t.key == row.space), None)
            return None
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return self._column_key(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.STATUS:
                return QColor(STATUS_COLOURS.get(row.status, "#000000"))
            if column == Column.AGENDA and row.agenda_minutes > row.planned_minutes:
                return QColor(WARN)
            if column == Column.FACILITATORS and not row.facilitators:
                return QColor("#8a8f94")
            if row.status == "cancelled" or not self.is_upcoming(row):
                return QColor("#6c7378")
            return None
        if role == Qt.ItemDataRole.FontRole:
            if row.status == "cancelled":
                font = QFont()
                font.setStrikeOut(column == Column.TITLE)
                return font
            if column == Column.AGENDA and row.agenda_minutes > row.planned_minutes:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def sort_key(self, row: SessionRow, column: int) -> tuple[Any, tuple[int, float]]:
        """The row's key for sorting by ``column``, ties broken by :meth:`when_key`."""
        return (self._column_key(row, Column(column)), self.when_key(row))

    def _column_key(self, row: SessionRow, column: Column) -> Any:
        match column:
            case Column.WHEN:
                return self.when_key(row)
            case Column.TIME:
                return (row.starts_at.time().isoformat(), row.time_zone)
            case Column.AGENDA:
                return (row.agenda_minutes - row.planned_minutes, row.agenda_minutes)
            case Column.ATTENDANCE:
                return (row.attended, row.invited)
            case Column.STATUS:
                return ("planned", "held", "cancelled").index(row.status) if row.status in (
                    "planned", "held", "cancelled") else 9
        return fold(_display(row, column))


class SessionFilterProxy(RowProxy):
    """Filters by typed words (all must match), status and space; the model sorts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._status = ""
        self._space = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.change_filter(lambda: setattr(self, "_words", fold(text).split()))

    def set_status(self, status: str) -> None:
        self.change_filter(lambda: setattr(self, "_status", status))

    def set_space(self, space: str) -> None:
        self.change_filter(lambda: setattr(self, "_space", space))

    def is_filtering(self) -> bool:
        return bool(self._words or self._status or self._space)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, SessionTableModel) or source_parent.isValid():
            return True
        row = model.row_at(source_row)
        if self._status and row.status != self._status:
            return False
        if self._space and row.space != self._space:
            return False
        if self._words:
            haystack = model.search_key(source_row)
            return all(word in haystack for word in self._words)
        return True
