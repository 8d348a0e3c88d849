"""The knowledge map: who knows what, who wants to learn it, and what nobody holds."""

from __future__ import annotations

import html
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.members import KnowledgeMap, TagEntry
from copdesk.data.store import Store, StoreError
from copdesk.ui.members.model import FilterProxy, Index, fold
from copdesk.ui.tasks import BusyIndicator, QueryRunner, error_message

ENTRY_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

GAP_BACKGROUND = "#fdecd2"
GAP_TEXT = "#9a4f00"
ERROR_TEXT = "#a93226"

#: A community with fewer members than this gets its map computed right away on the UI
#: thread (a few milliseconds); larger ones on a worker thread, with "Computing…" shown.
INLINE_BELOW = 1000


class KColumn(IntEnum):
    TAG = 0
    EXPERTS = 1
    SEEKERS = 2
    STATUS = 3
    WHO_KNOWS = 4
    WHO_SEEKS = 5


_TITLES = {
    KColumn.TAG: "Topic",
    KColumn.EXPERTS: "Know it",
    KColumn.SEEKERS: "Want to learn",
    KColumn.STATUS: "Status",
    KColumn.WHO_KNOWS: "Who knows",
    KColumn.WHO_SEEKS: "Who wants to learn",
}


def status_of(entry: TagEntry) -> str:
    if entry.is_gap:
        return "Gap: nobody holds it"
    if entry.seeker_count and entry.expert_count:
        return "Can be shared"
    return "Held, not sought"


class KnowledgeMapModel(QAbstractTableModel):
    """One row per tag of the knowledge map."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._map = KnowledgeMap(())

    @property
    def knowledge(self) -> KnowledgeMap:
        return self._map

    def set_map(self, kmap: KnowledgeMap) -> None:
        self.beginResetModel()
        self._map = kmap
        self.endResetModel()

    def entry(self, row: int) -> TagEntry:
        return self._map.entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._map.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(KColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(KColumn)
        ):
            return _TITLES[KColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._map.entries)):
            return None
        entry = self._map.entries[index.row()]
        column = KColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(entry, column)
        if role == ENTRY_ROLE:
            return entry
        if role == SORT_ROLE:
            if column == KColumn.EXPERTS:
                return entry.expert_count
            if column == KColumn.SEEKERS:
                return entry.seeker_count
            if column == KColumn.STATUS:
                return 0 if entry.is_gap else (1 if entry.seeker_count else 2)
            return fold(self._text(entry, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            KColumn.EXPERTS,
            KColumn.SEEKERS,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if entry.is_gap:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(GAP_BACKGROUND))
            if role == Qt.ItemDataRole.ForegroundRole and column in (KColumn.TAG, KColumn.STATUS):
                return QBrush(QColor(GAP_TEXT))
            if role == Qt.ItemDataRole.FontRole and column in (KColumn.TAG, KColumn.STATUS):
                font = QFont()
                font.setBold(True)
                return font
        return None

    @staticmethod
    def _text(entry: TagEntry, column: KColumn) -> str:
        match column:
            case KColumn.TAG:
                return entry.tag
            case KColumn.EXPERTS:
                return str(entry.expert_count)
            case KColumn.SEEKERS:
                return str(entry.seeker_count)
            case KColumn.STATUS:
                return status_of(entry)
            case KColumn.WHO_KNOWS:
                return _names(entry.experts, entry.hidden_experts) or "—"
            case KColumn.WHO_SEEKS:
                return _names(entry.seekers, entry.hidden_seekers) or "—"
        return ""


def _names(names: tuple[str, ...], hidden: int) -> str:
    text = ", ".join(names)
    if hidden:
        text += f"{', ' if text else ''}{hidden} not named"
    return text


class KnowledgeProxy(FilterProxy):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.gaps_only = False
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_gaps_only(self, on: bool) -> None:
        self.change_filter(lambda: setattr(self, "gaps_only", on))

    def set_text(self, text: str) -> None:
        self.change_filter(lambda: setattr(self, "_words", fold(text).split()))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, KnowledgeMapModel) or source_parent.isValid():
            return True
        entry = model.entry(source_row)
        if self.gaps_only and not entry.is_gap:
            return False
        if self._words:
            hay = fold(" ".join((entry.tag, *entry.experts, *entry.seekers)))
            return all(w in hay for w in self._words)
        return True


class KnowledgeMapView(QWidget):
    """The knowledge map panel: the gaps up front, then every topic."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = KnowledgeMapModel(self)
        self.proxy = KnowledgeProxy(self)
        self.proxy.setSourceModel(self.model)

        self.intro = QLabel(
            "Who knows what, and what are we missing? For every topic: the members who hold "
            "it as expertise and those who want to learn it. <b>Gaps</b> are interests that "
            "nobody in the community holds as expertise."
        )
        self.intro.setWordWrap(True)
        self.intro.setObjectName("intro")
        self.gap_banner = QLabel()
        self.gap_banner.setObjectName("gapBanner")
        self.gap_banner.setWordWrap(True)
        self.gap_banner.setTextFormat(Qt.TextFormat.RichText)
        self.gap_banner.setStyleSheet(
            f"QLabel#gapBanner {{ background: {GAP_BACKGROUND}; border: 1px solid #f0c58a;"
            " border-radius: 6px; padding: 8px 10px; }"
        )
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter topics or names…")
        self.filter_edit.setClearButtonEnabled(True)
        self.gaps_only = QCheckBox("Show gaps only")
        self.busy = BusyIndicator("Computing the knowledge map…")
        self.error_label = QLabel()
        self.error_label.setObjectName("knowledgeError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet(f"color: {ERROR_TEXT};")
        self.error_label.hide()
        self.runner = QueryRunner(self)
        self.runner.busy_changed.connect(self.busy.set_busy)
        self.inline_below = INLINE_BELOW

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(KColumn.STATUS, Qt.SortOrder.AscendingOrder)  # gaps first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in ((KColumn.TAG, 200), (KColumn.EXPERTS, 80), (KColumn.SEEKERS, 110),
                           (KColumn.STATUS, 170), (KColumn.WHO_KNOWS, 300)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.gaps_only)
        bar.addWidget(self.busy)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.gap_banner)
        layout.addWidget(self.error_label)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.gaps_only.toggled.connect(self.proxy.set_gaps_only)

    def refresh(self, store: Store | None, community_id: int | None) -> None:
        """Show the map of a community (none: empty).

        A large community's map is computed on a worker thread: the map shown so far stays
        until the new one arrives, with "Computing…" beside the filter; a newer refresh (an
        edit, another community) supersedes one still running.
        """
        if store is None or community_id is None:
            self.runner.cancel()
            self._show(KnowledgeMap(()))
            return

        def query(session: Session) -> KnowledgeMap:
            return members.knowledge_map(session, community_id)

        try:
            with store.session() as session:
                small = members.member_count(session, community_id) < self.inline_below
        except (StoreError, SQLAlchemyError, OSError) as exc:
            self.runner.cancel()
            self._failed(error_message(exc))
            return
        if small:
            self.runner.run_now(store, query, self._show, self._failed)
        else:
            self.runner.submit(store, query, self._show, self._failed)

    def is_computing(self) -> bool:
        return self.runner.is_busy()

    def _show(self, kmap: KnowledgeMap) -> None:
        self.error_label.hide()
        self.model.set_map(kmap)
        self._update_banner(kmap)

    def _failed(self, message: str) -> None:
        """The map could not be read: say so; the map shown before stays."""
        self.error_label.setText(
            f"The knowledge map could not be brought up to date: {message}."
        )
        self.error_label.show()

    def _update_banner(self, kmap: KnowledgeMap) -> None:
        gaps = kmap.gaps
        if not kmap.entries:
            self.gap_banner.setText(
                "No expertise or interests recorded yet. Add them to members to see the map."
            )
        elif not gaps:
            self.gap_banner.setText(
                "<b>No gaps.</b> Every interest is held as expertise by someone in the community."
            )
        else:
            shown = ", ".join(
                f"<b>{html.escape(g.tag)}</b> ({g.seeker_count} want to learn)" for g in gaps[:12]
            )
            more = f" and {len(gaps) - 12} more" if len(gaps) > 12 else ""
            noun = "gap" if len(gaps) == 1 else "gaps"
            self.gap_banner.setText(
                f"<span style='color:{GAP_TEXT}'><b>{len(gaps)} knowledge {noun}</b></span>"
                f" — wanted, but nobody holds it: {shown}{more}."
            )
