"""One table model for the tabs' lists of rows, the proxy that filters it, and the table view.

:class:`RowTableModel` holds rows keyed by their ``id`` (frozen data-layer rows such as
:class:`~copdesk.data.members.MemberRow`), read through its ``load`` hook from the store
and community :meth:`~RowTableModel.set_source` names, and follows the store
incrementally: :meth:`~RowTableModel.reset_rows` is the one reset (switching community),
:meth:`~RowTableModel.apply` replaces changed rows in place (``dataChanged``), inserts new
ones (``beginInsertRows``) and removes the ones gone (``beginRemoveRows``), and
:meth:`~RowTableModel.remove` removes by id; :meth:`~RowTableModel.refresh` and
:meth:`~RowTableModel.refresh_all` read rows again and apply them.

The model sorts its own rows: :meth:`~RowTableModel.sort` orders them with one Python sort
on keys computed once per row (:meth:`~RowTableModel.sort_key`), and keeps that order as rows
change (a new row goes straight to its place, an edited one moves there). Sorting 10,000
rows in a ``QSortFilterProxyModel`` instead calls a Python ``lessThan`` ~150,000 times, each
making Qt indexes that ask the model for its row and column counts: seconds, not
milliseconds. :class:`RowProxy` therefore only filters, hands sorting to the model and keeps
the model's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView
from sqlalchemy.orm import Session

from copdesk.data.changes import Change
from copdesk.data.store import Store

Index = QModelIndex | QPersistentModelIndex

#: More new or changed rows than this in one change are put in place by one sort of the
#: whole list (one layout change) instead of one insert or move each.
BULK = 32


class Keyed(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=Keyed)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows keyed by id, sorted by the model itself, changed without resets.

    Subclasses give :attr:`titles` (one a column), :meth:`load` (the rows of a community,
    or some of them, from the store), :meth:`data` and, for sorting, :meth:`sort_key`;
    :meth:`forget` hears of every row replaced or removed (to drop caches).
    """

    titles: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.column_count = len(self.titles)
        self._store: Store | None = None
        self._community_id: int | None = None
        self._rows: list[R] = []
        self._pos: dict[int, int] = {}
        self._sort_column = -1
        self._descending = False
        #: Sort keys for the current sort column by row id, computed once per row.
        self._keys: dict[int, tuple[Any, int]] = {}

    # -- hooks -------------------------------------------------------------------------
    def load(self, session: Session, community_id: int, ids: Sequence[int] | None) -> list[R]:
        """The community's rows (all, or those of ``ids`` that exist)."""
        return []

    def sort_key(self, row: R, column: int) -> Any:
        """The row's key for sorting by ``column`` (ties are then broken by id)."""
        return row.id

    def forget(self, row_id: int) -> None:
        """A row was replaced or removed: drop what was computed from it."""

    def forget_all(self) -> None:
        """Every row was replaced: drop everything computed from rows."""

    # -- source ------------------------------------------------------------------------
    @property
    def community_id(self) -> int | None:
        return self._community_id

    def set_source(self, store: Store | None, community_id: int | None) -> None:
        """Show another community (or none): the one place the model is reset."""
        self._store = store
        self._community_id = community_id
        self.reset_rows(self.fetch(None))

    def fetch(self, ids: Sequence[int] | None) -> list[R]:
        """Rows as they are in the store now: all of the community's, or those of ``ids``."""
        if self._store is None or self._community_id is None or (ids is not None and not ids):
            return []
        with self._store.session() as session:
            return self.load(session, self._community_id, ids)

    def refresh(self, ids: Sequence[int]) -> None:
        """Bring the rows of ``ids`` up to date (changed, new or gone)."""
        self.apply(self.fetch(ids), ids)

    def refresh_all(self) -> None:
        """Bring every row up to date without a reset."""
        fetched = self.fetch(None)
        self.apply(fetched, (*self.ids(), *(r.id for r in fetched)))

    def drops_community(self, change: Change) -> bool:
        """Whether ``change`` deletes or reloads the community shown (then shows none)."""
        if change.entity == "community" and change.op in ("delete", "reload"):
            if change.community_id == self._community_id:
                self.set_source(self._store, None)
            return True
        return False

    # -- access ------------------------------------------------------------------------
    def row_at(self, row: int) -> R:
        return self._rows[row]

    def row_of(self, row_id: int) -> int:
        """The row's position in the model, -1 when it is not there."""
        return self._pos.get(row_id, -1)

    def find(self, row_id: int) -> R | None:
        pos = self._pos.get(row_id, -1)
        return self._rows[pos] if pos >= 0 else None

    def all_rows(self) -> list[R]:
        """The rows in the model's (sorted) order."""
        return list(self._rows)

    def ids(self) -> tuple[int, ...]:
        return tuple(self._pos)

    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    # -- changes -----------------------------------------------------------------------
    def reset_rows(self, rows: Sequence[R]) -> None:
        """Show these rows instead (the one place the model is reset)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._keys = {}
        self.forget_all()
        if self._sort_column >= 0:
            self._rows.sort(key=self._key, reverse=self._descending)
        self._reindex()
        self.endResetModel()

    def apply(self, fetched: Iterable[R], ids: Iterable[int]) -> None:
        """Rows as they now are in the store for ``ids``: ``fetched`` holds the ones that
        still exist (changed ones are replaced in place, new ones inserted where the sort
        puts them); the rest of ``ids`` are removed."""
        fresh = {r.id: r for r in fetched}
        self.remove([i for i in dict.fromkeys(ids) if i not in fresh])
        changed: list[int] = []
        new: list[R] = []
        for rid, row in fresh.items():
            pos = self._pos.get(rid, -1)
            if pos < 0:
                new.append(row)
                continue
            old = self._rows[pos]
            self._rows[pos] = row  # always: the version read may have risen
            if row != old or getattr(row, "version", 0) != getattr(old, "version", 0):
                self._keys.pop(rid, None)
                self.forget(rid)
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, self.column_count - 1))
                changed.append(rid)
        if self._sort_column < 0:
            if new:
                self._append(new)
            return
        moved = [rid for rid in changed if not self._in_place(self._pos[rid])]
        if (moved and len(changed) > 1) or len(moved) + len(new) > BULK:
            # A row out of place among other changed rows (its neighbours were checked
            # against it, not against each other): one sort puts them all right.
            if new:
                self._append(new)
            self._resort()
            return
        for rid in moved:
            self._move_into_place(rid)
        for row in new:
            self._insert(row)

    def remove(self, ids: Iterable[int]) -> None:
        """Remove the rows with these ids (ids not shown are ignored)."""
        positions = sorted({self._pos[i] for i in ids if i in self._pos}, reverse=True)
        if not positions:
            return
        # Contiguous runs go in one call each (a whole series deleted is one run or a few).
        runs: list[tuple[int, int]] = []
        for pos in positions:
            if runs and runs[-1][0] == pos + 1:
                runs[-1] = (pos, runs[-1][1])
            else:
                runs.append((pos, pos))
        for first, last in runs:
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first : last + 1]:
                self._keys.pop(row.id, None)
                self._pos.pop(row.id, None)
                self.forget(row.id)
            del self._rows[first : last + 1]
            self._reindex(first)
            self.endRemoveRows()

    # -- sorting -----------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (-1: keep the present order and stop sorting)."""
        column = column if 0 <= column < self.column_count else -1
        if column != self._sort_column:
            self._keys = {}
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        if column >= 0:
            self._resort()

    def _key(self, row: R) -> tuple[Any, int]:
        key = self._keys.get(row.id)
        if key is None:
            key = self._keys[row.id] = (self.sort_key(row, self._sort_column), row.id)
        return key

    def _resort(self) -> None:
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [
            (self._rows[p.row()].id, p.column()) if 0 <= p.row() < len(self._rows) else None
            for p in persistent
        ]
        self._rows.sort(key=self._key, reverse=self._descending)
        self._reindex()
        self.changePersistentIndexList(
            persistent,
            [QModelIndex() if h is None else self.index(self._pos[h[0]], h[1]) for h in held],
        )
        self.layoutChanged.emit()

    def _before(self, a: tuple[Any, int], b: tuple[Any, int]) -> bool:
        """Whether key ``a`` comes before key ``b`` in the current order."""
        return bool(b < a) if self._descending else bool(a < b)

    def _in_place(self, pos: int) -> bool:
        """Whether the row at ``pos`` is in order with its neighbours."""
        key = self._key(self._rows[pos])
        if pos > 0 and self._before(key, self._key(self._rows[pos - 1])):
            return False
        last = len(self._rows) - 1
        return not (pos < last and self._before(self._key(self._rows[pos + 1]), key))

    def _place_for(self, key: tuple[Any, int], skip: int = -1) -> int:
        """Where a row with ``key`` belongs among the rows (leaving out position ``skip``)."""
        lo, hi = 0, len(self._rows) - (1 if skip >= 0 else 0)
        while lo < hi:
            mid = (lo + hi) // 2
            at = mid + 1 if 0 <= skip <= mid else mid
            if self._before(self._key(self._rows[at]), key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _insert(self, row: R) -> None:
        pos = self._place_for(self._key(row))
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, row)
        self._reindex(pos)
        self.endInsertRows()

    def _append(self, rows: list[R]) -> None:
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._reindex(first)
        self.endInsertRows()

    def _move_into_place(self, row_id: int) -> None:
        pos = self._pos[row_id]
        target = self._place_for(self._key(self._rows[pos]), skip=pos)
        if target == pos:
            return
        # Qt counts the destination before the row is taken out.
        self.beginMoveRows(QModelIndex(), pos, pos, QModelIndex(), target + (target > pos))
        self._rows.insert(target, self._rows.pop(pos))
        self._reindex(min(pos, target))
        self.endMoveRows()

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._pos = {r.id: i for i, r in enumerate(self._rows)}
            return
        pos = self._pos
        for i in range(start, len(self._rows)):
            pos[self._rows[i].id] = i

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.column_count

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < self.column_count
        ):
            return self.titles[section]
        return None


class FilterProxy(QSortFilterProxyModel):
    """A proxy whose filter settings change through :meth:`change_filter`.

    A re-filter removes and inserts rows in many small ranges (a thousand on a large
    roster); :attr:`filtering` is True meanwhile, so that listeners can wait for the one
    :attr:`filter_changed` at the end instead of working once per range.
    """

    filter_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.filtering = False

    def change_filter(self, apply: Callable[[], None]) -> None:
        """Apply a change of filter settings and re-filter the rows (Qt 6.10's way)."""
        self.filtering = True
        try:
            if hasattr(self, "beginFilterChange"):
                self.beginFilterChange()
                apply()
                self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
            else:  # Qt before 6.10
                apply()
                self.invalidateFilter()
        finally:
            self.filtering = False
        self.filter_changed.emit()


class RowProxy(FilterProxy):
    """Filters a :class:`RowTableModel`; sorting is the model's, the proxy keeps its order.

    :meth:`sort` (what a view with sorting enabled calls on a header click) sorts the
    source model; :meth:`sortColumn` and :meth:`sortOrder` report that sort.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)  # re-filter rows whose data changed

    def _rows_model(self) -> RowTableModel[Any] | None:
        model = self.sourceModel()
        return model if isinstance(model, RowTableModel) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self._rows_model()
        if model is None:
            super().sort(column, order)
        else:
            model.sort(column, order)

    def sortColumn(self) -> int:
        model = self._rows_model()
        return super().sortColumn() if model is None else model.sort_column()

    def sortOrder(self) -> Qt.SortOrder:
        model = self._rows_model()
        return super().sortOrder() if model is None else model.sort_order()


def make_table(
    model: QAbstractItemModel,
    name: str,
    *,
    sort: tuple[int, Qt.SortOrder],
    multiple: bool = False,
    row_height: int = 26,
    widths: Iterable[tuple[int, int]] = (),
    hidden: Iterable[int] = (),
    movable: bool = False,
) -> QTableView:
    """The tabs' list view: whole rows selected, read-only, sortable by a header click."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSortingEnabled(True)
    table.sortByColumn(*sort)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multiple
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(row_height)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setSectionsMovable(movable)
    header.setHighlightSections(False)
    for column, width in widths:
        header.resizeSection(column, width)
    for column in hidden:
        header.hideSection(column)
    return table
