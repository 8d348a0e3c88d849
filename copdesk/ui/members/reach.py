"""The community's reach: members by level, organisation and region, inside vs outside."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import members
from copdesk.data.members import Reach
from copdesk.data.store import Store
from copdesk.framework import LEVEL_TERMS, level_label
from copdesk.ui.members.model import LEVEL_COLOURS, Index


class CountsModel(QAbstractTableModel):
    """Rows of (label, count) with each count's share of the total."""

    HEADERS = ("", "Members", "Share")

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._rows: list[tuple[str, int, str]] = []  # label, count, colour key
        self._total = 0

    def set_counts(self, counts: list[tuple[str, int, str]], total: int) -> None:
        self.beginResetModel()
        self._rows = counts
        self._total = total
        self.endResetModel()

    def counts(self) -> dict[str, int]:
        return {label: n for label, n, _ in self._rows}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

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
            return self._title if section == 0 else self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        label, count, colour = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return label
            if col == 1:
                return str(count)
            share = count / self._total if self._total else 0.0
            return f"{share:.0%}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and colour:
            return QColor(colour)
        return None


def _table(model: CountsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
    return view


def _fit_height(view: QTableView) -> None:
    model = view.model()
    rows = model.rowCount() if model is not None else 0
    height = view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
    body = sum(view.rowHeight(r) for r in range(rows))
    height += body or view.verticalHeader().defaultSectionSize()
    view.setFixedHeight(height)


class ReachView(QWidget):
    """Four small count tables and a headline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by_level = CountsModel("Participation level", self)
        self.by_organisation = CountsModel("Organisation", self)
        self.by_region = CountsModel("Region", self)
        self.inside_outside = CountsModel("Perspective", self)
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)

        self.level_table = _table(self.by_level)
        self.perspective_table = _table(self.inside_outside)
        left = QVBoxLayout()
        left.addWidget(self.level_table)
        left.addSpacing(10)
        left.addWidget(self.perspective_table)
        left.addStretch(1)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.addLayout(left, 0, 0)
        grid.addWidget(_table(self.by_organisation), 0, 1)
        grid.addWidget(_table(self.by_region), 0, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addWidget(self.headline)
        layout.addSpacing(6)
        layout.addLayout(grid, 1)

    def refresh(self, store: Store | None, community_id: int | None) -> None:
        reach: Reach | None = None
        if store is not None and community_id is not None:
            with store.session() as session:
                reach = members.reach(session, community_id)
        if reach is None:
            for model in (self.by_level, self.by_organisation, self.by_region,
                          self.inside_outside):
                model.set_counts([], 0)
            self.headline.setText("")
            return
        total = reach.total
        self.by_level.set_counts(
            [(level_label(k), n, LEVEL_COLOURS.get(k, "")) for k, n in reach.by_level.items()
             if k in LEVEL_TERMS],
            total,
        )
        self.by_organisation.set_counts(
            [(k, n, "") for k, n in reach.by_organisation.items()], total
        )
        self.by_region.set_counts([(k, n, "") for k, n in reach.by_region.items()], total)
        self.inside_outside.set_counts(
            [("Inside the community", reach.inside, "#3a8d8f"),
             ("Outside guests", reach.outside_guests, "#f4b942")],
            total,
        )
        for table in (self.level_table, self.perspective_table):
            _fit_height(table)
        left = f", {reach.left} who left not counted" if reach.left else ""
        orgs = len([k for k in reach.by_organisation if k != "(not given)"])
        regions = len([k for k in reach.by_region if k != "(not given)"])
        self.headline.setText(
            f"<span style='font-size:15pt'><b>{total}</b></span> active members "
            f"from <b>{orgs}</b> organisations in <b>{regions}</b> regions · "
            f"{reach.consenting} agree to be named in host reports{left}."
        )
