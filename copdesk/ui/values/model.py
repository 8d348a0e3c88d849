"""The value log as a Qt table model, its filter proxy, and a checkable picker model.

:class:`EntryTableModel` holds :class:`~copdesk.data.values.EntryRow` objects (handed out
under ``ROW_ROLE``) and follows the store incrementally: new entries are inserted, edited
ones change in place, deleted ones are removed; a change to members, sessions or stories
(whose names the rows show) refreshes the rows in place. Only switching community resets it.
It sorts itself (see :mod:`copdesk.ui.rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from sqlalchemy.orm import Session

from copdesk.data import values
from copdesk.data.changes import Change
from copdesk.data.store import Store
from copdesk.data.values import MEMBER_KINDS, EntryFilter, EntryRow
from copdesk.framework import FUNCTION_BY_KEY
from copdesk.ui.members.model import fold
from copdesk.ui.rows import FilterProxy, RowProxy, RowTableModel

ROW_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex

MEMBER_TINT = "#2e7d6b"
ORGANISATION_TINT = "#7a5195"
MUTED = "#5d6d7e"


class Column(IntEnum):
    DATE = 0
    TITLE = 1
    KIND = 2
    CYCLE = 3
    BENEFICIARIES = 4
    FUNCTION = 5
    SESSION = 6
    MEASURE = 7
    STORY = 8
    LOGGED_BY = 9

    @property
    def title(self) -> str:
        return _TITLES[self]


_ALL_COLUMNS = tuple(Column)


_TITLES: dict[Column, str] = {
    Column.DATE: "Date",
    Column.TITLE: "Title",
    Column.KIND: "Kind of value",
    Column.CYCLE: "Cycle",
    Column.BENEFICIARIES: "Who benefited",
    Column.FUNCTION: "Function",
    Column.SESSION: "Session",
    Column.MEASURE: "Measure",
    Column.STORY: "Story",
    Column.LOGGED_BY: "Logged by",
}


def function_label(key: str) -> str:
    term = FUNCTION_BY_KEY.get(key)
    return term.label if term else key


def format_number(value: float) -> str:
    """12 → "12", 12.5 → "12.5", 1200 → "1,200"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def measure_text(row: EntryRow) -> str:
    if row.measure_value is None:
        return ""
    return f"{row.measure_unit}: {format_number(row.measure_value)}"


def beneficiaries_text(row: EntryRow) -> str:
    parts = list(row.beneficiaries)
    if row.hidden_beneficiaries:
        noun = "member" if row.hidden_beneficiaries == 1 else "members"
        parts.append(f"{row.hidden_beneficiaries} unnamed {noun}")
    if row.for_organisation:
        parts.append("the host organisation")
    return ", ".join(parts)


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _display(row: EntryRow, column: Column) -> str:
    match column:
        case Column.DATE:
            return date_text(row.entry_date)
        case Column.TITLE:
            return row.title
        case Column.KIND:
            return row.kind_label
        case Column.CYCLE:
            return row.cycle_label
        case Column.BENEFICIARIES:
            return beneficiaries_text(row)
        case Column.FUNCTION:
            return function_label(row.function)
        case Column.SESSION:
            return row.session_title
        case Column.MEASURE:
            return measure_text(row)
        case Column.STORY:
            return row.story_title
        case Column.LOGGED_BY:
            return row.logged_by
    return ""


def _sort_key(row: EntryRow, column: Column) -> Any:
    match column:
        case Column.DATE:
            return (row.entry_date.toordinal(), row.id)
        case Column.KIND:
            return (0 if row.kind in MEMBER_KINDS else 1, fold(row.kind_label))
        case Column.CYCLE:
            return values.CYCLE_ORDER.get(row.cycle, 99)
        case Column.MEASURE:
            return (fold(row.measure_unit), row.measure_value or 0.0)
    return fold(_display(row, column))


def search_text(row: EntryRow) -> str:
    return fold(" ".join((row.title, row.description, row.evidence, *row.beneficiaries)))


# --- keeping a list model in step without resets -------------------------------------------
R = TypeVar("R")


def sync_rows(model: Any, fresh: Sequence[R], key: Callable[[R], Hashable]) -> None:
    """Make ``model._rows`` equal ``fresh`` with row removals, in-place changes and inserts."""
    wanted = {key(r): r for r in fresh}
    rows: list[R] = model._rows
    for pos in range(len(rows) - 1, -1, -1):
        if key(rows[pos]) not in wanted:
            model.beginRemoveRows(QModelIndex(), pos, pos)
            del rows[pos]
            model.endRemoveRows()
    have = {key(r): i for i, r in enumerate(rows)}
    last_column = max(model.columnCount() - 1, 0)
    for k, row in wanted.items():
        pos = have.get(k, -1)
        if pos >= 0 and rows[pos] != row:
            rows[pos] = row
            model.dataChanged.emit(model.index(pos, 0), model.index(pos, last_column))
    new = [r for k, r in wanted.items() if k not in have]
    if new:
        first = len(rows)
        model.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        rows.extend(new)
        model.endInsertRows()


# --- the log -------------------------------------------------------------------------------
def entry_sort_key(row: EntryRow, column: int) -> Any:
    """The key for sorting by ``column`` (what ``SORT_ROLE`` gives), ties broken by date."""
    date = (row.entry_date.toordinal(), row.id)
    if column == Column.DATE:
        return (date, ())
    return (_sort_key(row, _ALL_COLUMNS[column]), date)


#: A sort column and the rows' keys for it by row id (as the model keeps them).
SortKeys = tuple[int, dict[int, tuple[Any, int]]]


def sort_keys(rows: Sequence[EntryRow], column: int) -> SortKeys | None:
    """The rows' sort keys for ``column``, computed at once (on the worker that read the
    rows: plain Python, no Qt); None when not sorting."""
    if column < 0:
        return None
    if column == Column.DATE:  # the usual sort: one comprehension, no call a row
        return column, {
            r.id: (((r.entry_date.toordinal(), r.id), ()), r.id) for r in rows
        }
    return column, {r.id: (entry_sort_key(r, column), r.id) for r in rows}


class EntryTableModel(RowTableModel[EntryRow]):
    """The value entries of one community, following the store's change events."""

    titles = tuple(c.title for c in Column)

    def sort_key(self, row: EntryRow, column: int) -> Any:
        """The row's key for sorting by ``column`` (what ``SORT_ROLE`` gives), ties broken
        by date."""
        return entry_sort_key(row, column)

    def load(
        self, session: Session, community_id: int, ids: Sequence[int] | None
    ) -> list[EntryRow]:
        return values.list_entries(session, community_id, ids=ids)

    @property
    def store(self) -> Store | None:
        return self._store

    def show_rows(
        self,
        store: Store | None,
        community_id: int | None,
        rows: Sequence[EntryRow],
        keys: SortKeys | None = None,
    ) -> None:
        """Show a community's rows read elsewhere (on a worker thread): what
        :meth:`set_source` does without reading them here. ``keys`` are the rows' sort
        keys computed there too (used if the model still sorts by their column)."""
        self._store = store
        self._community_id = community_id
        rows = rows if community_id is not None else []
        if keys is None or keys[0] != self._sort_column or self._sort_column < 0:
            self.reset_rows(rows)
            return
        # reset_rows, with the keys given instead of computed here one row at a time
        self.beginResetModel()
        self._rows = list(rows)
        self.forget_all()
        self._keys = keys[1]
        self._rows.sort(key=lambda r: self._keys[r.id], reverse=self._descending)
        self._reindex()
        self.endResetModel()

    def on_changes(self, recorded: Sequence[Change]) -> None:
        refresh_all = False
        for change in recorded:
            if change.community_id != self._community_id:
                continue
            if self.drops_community(change):
                return
            if change.entity == "value":
                if change.op == "reload":
                    refresh_all = True
                elif change.op == "delete":
                    self.remove(change.ids)
                else:
                    self.refresh(change.ids)
            elif change.entity in ("member", "session", "story"):
                refresh_all = True  # names shown in the rows may have changed
        if refresh_all:
            self.refresh_all()

    # -- QAbstractTableModel -----------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.TITLE and row.description:
                text = row.description
                return text if len(text) < 600 else text[:600] + "…"
            if column == Column.KIND:
                group = "to members" if row.kind in MEMBER_KINDS else "to the organisation"
                return f"{row.kind_label} (value {group})"
            if column == Column.CYCLE:
                term = values.VALUE_CYCLE_BY_KEY.get(row.cycle)
                return term.help if term else None
            text = _display(row, column)
            return text if len(text) > 30 else None
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.KIND:
            return QColor(MEMBER_TINT if row.kind in MEMBER_KINDS else ORGANISATION_TINT)
        return None


class SortProxy(FilterProxy):
    """Sorts by ``SORT_ROLE`` values compared in Python (tuples, dates, strings)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: Index, right: Index) -> bool:
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


class EntryFilterProxy(RowProxy):
    """Filters with :class:`~copdesk.data.values.EntryFilter`; the model sorts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = EntryFilter()
        self._everything = True
        self.setSortRole(SORT_ROLE)

    @property
    def entry_filter(self) -> EntryFilter:
        return self._filter

    def set_filter(self, entry_filter: EntryFilter) -> None:
        if entry_filter != self._filter:
            self.change_filter(lambda: self._set(entry_filter))

    def _set(self, entry_filter: EntryFilter) -> None:
        self._filter = entry_filter
        self._everything = entry_filter == EntryFilter()

    def is_filtering(self) -> bool:
        return self._filter != EntryFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._everything:  # no filter: called for every row on each reset
            return True
        model = self.sourceModel()
        if not isinstance(model, EntryTableModel) or source_parent.isValid():
            return True
        return self._filter.accepts(model.row_at(source_row))


# --- the filters' long lists ----------------------------------------------------------------
class ChoiceListModel(QAbstractListModel):
    """Texts and their data for a combo box (``DisplayRole`` and ``UserRole``), set at once.

    Filling a combo box item by item costs a call (and an item) each: 10,000 members
    are a tenth of a second. :meth:`set_items` replaces them all with one reset.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[str, object]] = []
        self._rows: dict[object, int] = {}

    def set_items(self, items: Sequence[tuple[str, object]]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._rows = {}
        for i, (_text, data) in enumerate(self._items):
            self._rows.setdefault(data, i)
        self.endResetModel()

    def row_of(self, data: object) -> int:
        """The first row holding ``data``, -1 if none (what ``findData`` gives, at once)."""
        return self._rows.get(data, -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._items)):
            return None
        text, data = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.UserRole:
            return data
        return None


# --- a checkable list with a search box (members in the form, entries in a story) --------
@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    text: str
    detail: str = ""  # shown as a tooltip and matched by the search


class CheckListModel(QAbstractListModel):
    """Items with check boxes; ``checked_ids()`` in the items' order."""

    checks_changed = Signal()

    def __init__(self, choices: Sequence[Choice] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Choice] = list(choices)
        self._search = [fold(f"{c.text} {c.detail}") for c in self._rows]
        self._checked: set[int] = set()

    def set_checked(self, ids: Sequence[int] | set[int]) -> None:
        self._checked = {i for i in ids if any(c.id == i for c in self._rows)}
        if self._rows:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._rows) - 1), [Qt.ItemDataRole.CheckStateRole]
            )
        self.checks_changed.emit()

    def toggle(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            cid = self._rows[row].id
            self._checked ^= {cid}
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
            self.checks_changed.emit()

    def checked_ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self._rows if c.id in self._checked)

    def is_checked(self, row: int) -> bool:
        return self._rows[row].id in self._checked

    def search_key(self, row: int) -> str:
        return self._search[row]

    def choice(self, row: int) -> Choice:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        choice = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return choice.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return choice.detail or None
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = choice.id in self._checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == ID_ROLE:
            return choice.id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(int(value))
        cid = self._rows[index.row()].id
        if (state == Qt.CheckState.Checked) == (cid in self._checked):
            return True
        self.toggle(index.row())
        return True


class CheckListProxy(FilterProxy):
    """Shows the items whose text holds every typed word (checked items stay visible)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.change_filter(lambda: setattr(self, "_words", fold(text).split()))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not self._words or not isinstance(model, CheckListModel):
            return True
        if model.is_checked(source_row):
            return True
        key = model.search_key(source_row)
        return all(w in key for w in self._words)


def source_of(model: QAbstractItemModel | None) -> QAbstractItemModel | None:
    from PySide6.QtCore import QSortFilterProxyModel

    while isinstance(model, QSortFilterProxyModel):
        model = model.sourceModel()
    return model
