"""The value matrix (kinds against cycles), value per function and value by member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import values
from copdesk.data.store import Store
from copdesk.data.values import EntryRow, Matrix, MemberValue
from copdesk.framework import FUNCTIONS, VALUE_CYCLES, VALUE_TO_MEMBERS, VALUE_TO_ORGANISATION
from copdesk.ui.values.model import (
    MEMBER_TINT,
    MUTED,
    ORGANISATION_TINT,
    SORT_ROLE,
    Index,
    SortProxy,
    format_number,
    sync_rows,
)

#: Periods offered above the matrix and in the log's filter bar.
PERIODS: tuple[tuple[str, str], ...] = (
    ("all", "Any time"),
    ("12m", "Last 12 months"),
    ("90d", "Last 3 months"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
)


def period_range(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    match key:
        case "12m":
            return today - dt.timedelta(days=365), None
        case "90d":
            return today - dt.timedelta(days=91), None
        case "this_year":
            return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
        case "last_year":
            return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None, None


@dataclass(frozen=True, slots=True)
class MatrixRow:
    label: str
    kinds: tuple[str, ...]
    kind: str = ""  # "" for a group or the total row
    group: str = ""  # "members", "organisation" or "" for the total


def _matrix_rows() -> list[MatrixRow]:
    rows: list[MatrixRow] = []
    for group, heading, terms in (
        ("members", "Value to members", VALUE_TO_MEMBERS),
        ("organisation", "Value to the organisation", VALUE_TO_ORGANISATION),
    ):
        rows.append(MatrixRow(heading, tuple(t.key for t in terms), "", group))
        rows.extend(MatrixRow(t.label, (t.key,), t.key, group) for t in terms)
    rows.append(MatrixRow("Total", tuple(t.key for t in (*VALUE_TO_MEMBERS,
                                                          *VALUE_TO_ORGANISATION))))
    return rows


MATRIX_ROWS = _matrix_rows()
TOTAL_COLUMN = len(VALUE_CYCLES)


class MatrixModel(QAbstractTableModel):
    """Rows: the ten kinds under their two groups, then the total; columns: the cycles."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._matrix = Matrix({})

    @property
    def matrix(self) -> Matrix:
        return self._matrix

    def set_matrix(self, matrix: Matrix) -> None:
        self._matrix = matrix
        self.dataChanged.emit(
            self.index(0, 0), self.index(len(MATRIX_ROWS) - 1, TOTAL_COLUMN)
        )

    def cycles_at(self, column: int) -> tuple[str, ...]:
        if column == TOTAL_COLUMN:
            return tuple(t.key for t in VALUE_CYCLES)
        return (VALUE_CYCLES[column].key,)

    def selection_at(self, index: Index) -> tuple[frozenset[str], frozenset[str]]:
        """The kinds and cycles a cell stands for (empty set: any)."""
        row = MATRIX_ROWS[index.row()]
        kinds = frozenset() if not row.group else frozenset(row.kinds)
        cycles = frozenset() if index.column() == TOTAL_COLUMN else frozenset(
            self.cycles_at(index.column())
        )
        return kinds, cycles

    def count_at(self, row: int, column: int) -> int:
        kinds = MATRIX_ROWS[row].kinds
        cycles = self.cycles_at(column)
        return sum(self._matrix.count(k, c) for k in kinds for c in cycles)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MATRIX_ROWS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(VALUE_CYCLES) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section <= TOTAL_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                if section == TOTAL_COLUMN:
                    return "Total"
                return VALUE_CYCLES[section].label.replace(" value", "")
            if role == Qt.ItemDataRole.ToolTipRole and section < TOTAL_COLUMN:
                term = VALUE_CYCLES[section]
                return f"{term.label}: {term.help}"
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(MATRIX_ROWS):
            row = MATRIX_ROWS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return row.label if not row.kind else "   " + row.label
            if role == Qt.ItemDataRole.FontRole and not row.kind:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole and row.group:
                return QColor(MEMBER_TINT if row.group == "members" else ORGANISATION_TINT)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < len(MATRIX_ROWS) and 0 <= index.column() <= TOTAL_COLUMN
        ):
            return None
        row = MATRIX_ROWS[index.row()]
        count = self.count_at(index.row(), index.column())
        summary = not row.kind or index.column() == TOTAL_COLUMN
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count) if count or summary else ""
        if role == Qt.ItemDataRole.EditRole:
            return count
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            cycle = "all cycles" if index.column() == TOTAL_COLUMN else (
                VALUE_CYCLES[index.column()].label.lower())
            noun = "entry" if count == 1 else "entries"
            return f"{count} {noun}: {row.label}, {cycle}. Enter or click to list them."
        if role == Qt.ItemDataRole.FontRole and summary:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if summary:
                return QBrush(QColor("#eef1f3"))
            if count:
                top = max((self._matrix.count(k, c) for k, c in self._matrix.cells), default=1)
                strength = 0.15 + 0.6 * count / max(top, 1)
                tint = QColor(MEMBER_TINT if row.group == "members" else ORGANISATION_TINT)
                tint.setAlphaF(strength)
                return QBrush(tint)
        if role == Qt.ItemDataRole.ForegroundRole and not summary and count:
            top = max((self._matrix.count(k, c) for k, c in self._matrix.cells), default=1)
            return QColor("white") if count / max(top, 1) > 0.55 else QColor("#1c2833")
        return None


# --- value per function --------------------------------------------------------------------
FUNCTION_KEYS: tuple[str, ...] = (*(t.key for t in FUNCTIONS), "")


class FunctionModel(QAbstractTableModel):
    """How many entries each of the twelve functions produced (and those not recorded)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[str, int] = {}

    def set_counts(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        self.dataChanged.emit(self.index(0, 0), self.index(len(FUNCTION_KEYS) - 1, 2))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FUNCTION_KEYS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < 3
        ):
            return ("Function", "Entries", "Share")[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(FUNCTION_KEYS)):
            return None
        key = FUNCTION_KEYS[index.row()]
        count = self._counts.get(key, 0)
        total = sum(self._counts.values())
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return FUNCTIONS[index.row()].label if key else "(function not recorded)"
            if index.column() == 1:
                return str(count)
            return f"{round(100 * count / total)}%" if total else ""
        if role == SORT_ROLE:
            if not index.column():
                return index.row()
            return (count if key else -1, -index.row())  # "not recorded" last
        if role == Qt.ItemDataRole.ToolTipRole and key and index.column() == 0:
            return FUNCTIONS[index.row()].help
        if role == Qt.ItemDataRole.ForegroundRole and not count:
            return QColor("#a0a6ab")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


# --- value by member -----------------------------------------------------------------------
class MemberValueModel(QAbstractTableModel):
    """Who benefits and who contributes (logs value), consenting members named."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MemberValue] = []

    def set_rows(self, rows: Sequence[MemberValue]) -> None:
        sync_rows(self, list(rows), lambda r: r.name)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 3:
            if role == Qt.ItemDataRole.DisplayRole:
                return ("Member", "Benefited", "Logged")[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return ("Members who agreed to be named in reports shared with the host",
                        "Entries in which they benefited",
                        "Entries they logged (contributed)")[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, str(row.benefited), str(row.contributed))[index.column()]
        if role == SORT_ROLE:
            return (row.name.casefold(), row.benefited, row.contributed)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


def measures_text(sums: dict[str, float]) -> str:
    if not sums:
        return "No measures logged in this period."
    return " · ".join(f"{unit}: {format_number(v)}" for unit, v in sums.items())


class MatrixPage(QWidget):
    """The matrix with its period, the per-function and per-member tables, and measures."""

    cell_chosen = Signal(frozenset, frozenset, str)  # kinds, cycles, period key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("valueMatrixPage")
        self.period = QComboBox()
        self.period.setObjectName("matrixPeriod")
        for key, label in PERIODS:
            self.period.addItem(label, key)
        self.total = QLabel()
        self.total.setStyleSheet(f"color: {MUTED};")
        self.model = MatrixModel(self)
        self.table = QTableView()
        self.table.setObjectName("valueMatrix")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        height = (24 * len(MATRIX_ROWS) + self.table.horizontalHeader().sizeHint().height()
                  + 2 * self.table.frameWidth())
        self.table.setFixedHeight(height)
        self.table.setCornerButtonEnabled(False)

        self.functions = FunctionModel(self)
        self.function_proxy = SortProxy(self)
        self.function_proxy.setSourceModel(self.functions)
        self.function_table = _summary_table("valuePerFunction", self.function_proxy)
        self.function_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)

        self.members = MemberValueModel(self)
        self.member_proxy = SortProxy(self)
        self.member_proxy.setSourceModel(self.members)
        self.member_table = _summary_table("valueByMember", self.member_proxy)
        self.member_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.hidden_note = QLabel()
        self.hidden_note.setObjectName("hiddenNote")
        self.hidden_note.setWordWrap(True)
        self.hidden_note.setStyleSheet(f"color: {MUTED};")

        self.measures = QLabel()
        self.measures.setObjectName("measuresLabel")
        self.measures.setWordWrap(True)
        self.measures.setTextFormat(Qt.TextFormat.PlainText)

        top = QHBoxLayout()
        top.addWidget(_heading("Value matrix: kinds of value against value-creation cycles"))
        top.addStretch(1)
        top.addWidget(self.total)
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.period)
        hint = QLabel("Click a cell, or move to it and press Enter, to list its entries.")
        hint.setStyleSheet(f"color: {MUTED};")

        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addWidget(_heading("Value per function"))
        lbox.addWidget(self.function_table)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        rbox.addWidget(_heading("Value by member (who benefits, who contributes)"))
        rbox.addWidget(self.member_table)
        rbox.addWidget(self.hidden_note)
        self.summaries = QSplitter(Qt.Orientation.Horizontal)
        self.summaries.setObjectName("valueSummarySplitter")
        self.summaries.addWidget(left)
        self.summaries.addWidget(right)
        self.summaries.setChildrenCollapsible(False)

        measures_row = QHBoxLayout()
        measures_row.addWidget(_heading("Measures, summed by unit:"))
        measures_row.addWidget(self.measures, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        layout.addLayout(measures_row)
        layout.addWidget(self.summaries, 1)

        self.table.clicked.connect(self._choose)
        self.table.activated.connect(self._choose)

    def period_key(self) -> str:
        return str(self.period.currentData())

    def refresh(self, store: Store | None, community_id: int | None, today: dt.date) -> None:
        rows: list[EntryRow] = []
        if store is not None and community_id is not None:
            start, end = period_range(self.period_key(), today)
            with store.session() as session:
                rows = values.list_entries(
                    session, community_id, named="consenting", start=start, end=end
                )
        self.show_rows(rows)

    def show_rows(self, rows: Sequence[EntryRow]) -> None:
        self.model.set_matrix(values.matrix(rows))
        self.functions.set_counts(values.per_function(rows))
        named, hidden = values.by_member(rows)
        self.members.set_rows(named)
        self.hidden_note.setText(
            f"Members who did not agree to be named in host reports are counted, not named: "
            f"{hidden} more {'benefit' if hidden == 1 else 'benefits'} in this period."
            if hidden else "Every beneficiary in this period agreed to be named."
        )
        self.measures.setText(measures_text(values.measures(rows)))
        n = len(rows)
        self.total.setText(f"{n} {'entry' if n == 1 else 'entries'}")

    def _choose(self, index: QModelIndex) -> None:
        if index.isValid():
            kinds, cycles = self.model.selection_at(index)
            self.cell_chosen.emit(kinds, cycles, self.period_key())


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600; color: #34495e;")
    return label


def _summary_table(name: str, model: SortProxy) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSortingEnabled(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in (1, 2):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table
