"""The roster as a Qt table model, and the proxy that filters and sorts it.

:class:`MemberTableModel` holds :class:`~copdesk.data.members.MemberRow` objects (handed
out under ``Qt.UserRole``) and follows the store incrementally: inserted members arrive
with ``beginInsertRows``, edits with ``dataChanged`` for their row, deletions with
``beginRemoveRows``. Only switching community resets it. It sorts itself (see
:mod:`copdesk.ui.rows`); the proxy filters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap
from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.changes import Change
from copdesk.data.members import MemberRow
from copdesk.framework import Level, MemberStatus, level_label, role_label
from copdesk.ui.rows import FilterProxy as FilterProxy  # where the other tabs find it
from copdesk.ui.rows import RowProxy, RowTableModel

ROW_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex

#: One colour per participation level, deep at the core, pale at the edge.
LEVEL_COLOURS: dict[str, str] = {
    Level.CORE: "#1f5f6b",
    Level.ACTIVE: "#3a8d8f",
    Level.OCCASIONAL: "#7db9a8",
    Level.PERIPHERAL: "#c3d9c9",
    Level.TRANSACTIONAL: "#e1e1dc",
}


class Column(IntEnum):
    NAME = 0
    LEVEL = 1
    ROLES = 2
    ORGANISATION = 3
    REGION = 4
    EXPERTISE = 5
    INTERESTS = 6
    EMAIL = 7
    JOINED = 8
    CONSENT = 9
    STATUS = 10

    @property
    def title(self) -> str:
        return _TITLES[self]


_COLUMNS = tuple(Column)

_TITLES: dict[Column, str] = {
    Column.NAME: "Name",
    Column.LEVEL: "Participation",
    Column.ROLES: "Roles",
    Column.ORGANISATION: "Organisation",
    Column.REGION: "Region",
    Column.EXPERTISE: "Expertise",
    Column.INTERESTS: "Interests",
    Column.EMAIL: "Email",
    Column.JOINED: "Joined",
    Column.CONSENT: "Host reports",
    Column.STATUS: "Status",
}


def fold(text: str) -> str:
    """Text folded for matching and sorting: case-folded, accents removed."""
    if text.isascii():  # most text: nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_text(row: MemberRow) -> str:
    """What the filter box matches: name, organisation, region, expertise, interests."""
    parts = [row.full_name, row.organisation, row.region, *row.expertise, *row.interests]
    return fold(" \u241f ".join(parts))


def _display(row: MemberRow, column: Column) -> str:
    match column:
        case Column.NAME:
            return row.full_name
        case Column.LEVEL:
            return level_label(row.level)
        case Column.ROLES:
            return ", ".join(role_label(r) for r in row.roles)
        case Column.ORGANISATION:
            return row.organisation
        case Column.REGION:
            return row.region
        case Column.EXPERTISE:
            return ", ".join(row.expertise)
        case Column.INTERESTS:
            return ", ".join(row.interests)
        case Column.EMAIL:
            return row.email
        case Column.JOINED:
            return row.joined_on.isoformat() if row.joined_on else ""
        case Column.CONSENT:
            return "Named" if row.consent else "Counted only"
        case Column.STATUS:
            return "Erased" if row.erased else MemberStatus(row.status).label
    return ""


def _sort_key(row: MemberRow, column: Column) -> Any:
    match column:
        case Column.NAME:
            return fold(row.full_name)
        case Column.LEVEL:
            try:
                return Level(row.level).rank
            except ValueError:
                return len(Level)
        case Column.ROLES:
            order = {r: i for i, r in enumerate(("sponsor", "coordinator", "core_member",
                                                  "expert", "member", "outside_guest"))}
            return "".join(chr(65 + order.get(r, 25)) for r in row.roles) or "~"
        case Column.JOINED:
            return row.joined_on.isoformat() if row.joined_on else "9999"
        case Column.CONSENT:
            return 0 if row.consent else 1
        case Column.STATUS:
            return 2 if row.erased else (0 if row.status == MemberStatus.ACTIVE else 1)
    return fold(_display(row, column))


class MemberTableModel(RowTableModel[MemberRow]):
    """The members of one community, following the store's change events."""

    titles = tuple(c.title for c in Column)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: What the filter box matches, by member id, folded on first use.
        self._search: dict[int, str] = {}

    # -- source ------------------------------------------------------------------------
    def load(
        self, session: Session, community_id: int, ids: Sequence[int] | None
    ) -> list[MemberRow]:
        return members.list_members(session, community_id, ids=ids)

    def on_changes(self, recorded: list[Change]) -> None:
        """Apply the store's change records incrementally."""
        for change in recorded:
            if self.drops_community(change):
                continue
            if change.entity != "member" or change.community_id != self._community_id:
                continue
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
        member = self._rows[row]
        key = self._search.get(member.id)
        if key is None:
            key = self._search[member.id] = search_text(member)
        return key

    def sort_key(self, row: MemberRow, column: int) -> tuple[Any, str]:
        """The row's key for sorting by ``column``, ties broken by the folded name."""
        name = fold(row.full_name)
        if column == Column.NAME:
            return (name, "")
        return (_sort_key(row, _COLUMNS[column]), name)

    # -- QAbstractTableModel -----------------------------------------------------------
    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section == Column.CONSENT
        ):
            return "Whether the member agreed to be named in reports shared with the host"
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = _display(row, column)
            if role == Qt.ItemDataRole.ToolTipRole:
                if column == Column.LEVEL:
                    return text + " — " + _level_help(row.level)
                return text if len(text) > 30 else None
            return text
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.LEVEL:
            return level_dot(row.level)
        if role == Qt.ItemDataRole.ForegroundRole and (row.status != "active" or row.erased):
            return QColor("#8a8f94")
        if role == Qt.ItemDataRole.FontRole and row.erased:
            font = QFont()
            font.setItalic(True)
            return font
        return None


_DOTS: dict[str, QIcon] = {}


def level_dot(level: str) -> QIcon:
    """A small round swatch in the level's colour (with a rim, so pale ones show)."""
    if level not in _DOTS:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#9aa5a8"), 1.5))
        painter.setBrush(QColor(LEVEL_COLOURS.get(level, "#cccccc")))
        painter.drawEllipse(5, 5, 22, 22)
        painter.end()
        _DOTS[level] = QIcon(pixmap)
    return _DOTS[level]


def _level_help(level: str) -> str:
    from copdesk.framework import LEVEL_TERMS

    term = LEVEL_TERMS.get(level)
    return term.help if term else ""


ANY = ""


class MemberFilterProxy(RowProxy):
    """Filters by typed text (all words must match) and by level, role and status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._level = ANY
        self._role = ANY
        self._status = ANY
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.change_filter(lambda: setattr(self, "_words", fold(text).split()))

    def set_level(self, level: str) -> None:
        self.change_filter(lambda: setattr(self, "_level", level))

    def set_role(self, role: str) -> None:
        self.change_filter(lambda: setattr(self, "_role", role))

    def set_status(self, status: str) -> None:
        self.change_filter(lambda: setattr(self, "_status", status))

    def is_filtering(self) -> bool:
        return bool(self._words or self._level or self._role or self._status)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, MemberTableModel) or source_parent.isValid():
            return True
        row = model.row_at(source_row)
        if self._level and row.level != self._level:
            return False
        if self._role and self._role not in row.roles:
            return False
        if self._status and row.status != self._status:
            return False
        if self._words:
            haystack = model.search_key(source_row)
            return all(word in haystack for word in self._words)
        return True
