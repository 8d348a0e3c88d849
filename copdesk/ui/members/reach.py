"""The community's reach: members by level, organisation and region, inside vs outside."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
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

        grid = QGridLayout()
        boxes = (
            ("By participation level", self.by_level),
            ("Inside and outside perspectives", self.inside_outside),
            ("By organisation", self.by_organisation),
            ("By region", self.by_region),
        )
        for i, (title, model) in enumerate(boxes):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(_table(model))
            grid.addWidget(box, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
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
        left = f", {reach.left} who left not counted" if reach.left else ""
        self.headline.setText(
            f"<span style='font-size:15pt'><b>{total}</b></span> active members "
            f"from <b>{len(reach.by_organisation)}</b> organisations in "
            f"<b>{len(reach.by_region)}</b> regions · "
            f"{reach.consenting} agree to be named in host reports{left}."
        )
