"""Table models of the Fitness tab: the assessments, the dimension scores, a comparison.

:class:`AssessmentTableModel` follows the store incrementally (inserted assessments arrive
with ``beginInsertRows``, edits with ``dataChanged``, deletions with ``beginRemoveRows``,
new thresholds with ``dataChanged`` for the rows whose score bands moved); only switching
community resets it. It sorts itself (see :mod:`copdesk.ui.rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont
from sqlalchemy.orm import Session

from copdesk.data import fitness
from copdesk.data.changes import Change
from copdesk.data.fitness import AssessmentRow, AssessmentView, Comparison, DimensionScore
from copdesk.framework import score_label
from copdesk.ui.fitness.common import (
    BAND_COLOURS,
    MUTED,
    STATUS_WORDS,
    band_swatch,
    band_text,
    date_text,
    percent,
    score_text,
)
from copdesk.ui.rows import RowProxy, RowTableModel

ROW_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex

DRAFT_COLOUR = "#9a6700"
FINAL_COLOUR = "#1e7b4a"


class Column(IntEnum):
    DATE = 0
    CHECKLIST = 1
    STATUS = 2
    OVERALL = 3
    ACTIONS = 4

    @property
    def title(self) -> str:
        return ("Date", "Checklist", "Status", "Overall", "Actions")[self]


def status_text(status: str) -> str:
    word = STATUS_WORDS.get(status, status)
    return f"✎ {word}" if status == "draft" else f"✓ {word}"


def _display(row: AssessmentRow, column: Column) -> str:
    match column:
        case Column.DATE:
            return date_text(row.held_on)
        case Column.CHECKLIST:
            return row.checklist_label
        case Column.STATUS:
            return status_text(row.status)
        case Column.OVERALL:
            return score_text(row.overall, row.band)
        case Column.ACTIONS:
            return str(row.open_actions) if row.open_actions else "—"
    return ""  # pragma: no cover


def _sort_key(row: AssessmentRow, column: Column) -> Any:
    match column:
        case Column.DATE:
            return (row.held_on.toordinal(), row.id)
        case Column.OVERALL:
            return (-1.0 if row.overall is None else row.overall, row.id)
        case Column.ACTIONS:
            return (row.open_actions, row.id)
    return (_display(row, column).casefold(), row.id)


class AssessmentTableModel(RowTableModel[AssessmentRow]):
    """The assessments of one community, following the store's change records."""

    titles = tuple(c.title for c in Column)

    # -- source ------------------------------------------------------------------------
    def load(
        self, session: Session, community_id: int, ids: Sequence[int] | None
    ) -> list[AssessmentRow]:
        rows = fitness.list_assessments(session, community_id)  # a few dozen at most
        return rows if ids is None else [r for r in rows if r.id in ids]

    def on_changes(self, recorded: list[Change]) -> None:
        """Apply the store's change records incrementally."""
        for change in recorded:
            if change.community_id != self._community_id or self._community_id is None:
                continue
            if change.entity == "fitness" or (
                change.entity == "assessment" and change.op == "reload"
            ):
                self.refresh_all()
            elif change.entity == "assessment" and change.op == "delete":
                self.remove(change.ids)
            elif change.entity == "assessment":
                self.refresh(change.ids)

    def sort_key(self, row: AssessmentRow, column: int) -> Any:
        return _sort_key(row, Column(column))

    def all_rows_newest_first(self) -> list[AssessmentRow]:
        return sorted(self._rows, key=lambda r: (r.held_on, r.id), reverse=True)

    # -- QAbstractTableModel -----------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.STATUS and row.status == "draft":
                return "A draft: still being filled in, not yet agreed"
            if column == Column.ACTIONS:
                return "Agreed actions not yet done"
            if column == Column.OVERALL:
                return f"Overall {percent(row.overall)} of the maximum: {band_text(row.band)}"
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.OVERALL:
            return band_swatch(row.band)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.STATUS:
                return QColor(DRAFT_COLOUR if row.status == "draft" else FINAL_COLOUR)
            if column == Column.OVERALL:
                return QColor(BAND_COLOURS.get(row.band, MUTED))
            return None
        if role == Qt.ItemDataRole.FontRole and column == Column.STATUS and row.status == "draft":
            font = QFont()
            font.setBold(True)
            return font
        return None


class AssessmentProxy(RowProxy):
    """Filters by checklist; the model sorts (newest first by default)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._checklist = ""
        self.setSortRole(SORT_ROLE)

    def set_checklist(self, key: str) -> None:
        self.change_filter(lambda: setattr(self, "_checklist", key))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not self._checklist or not isinstance(model, AssessmentTableModel):
            return True
        return model.row_at(source_row).checklist == self._checklist


# --- scores of one assessment -----------------------------------------------------------------
class ScoreColumn(IntEnum):
    DIMENSION = 0
    SCORE = 1
    BAND = 2
    SCORED = 3

    @property
    def title(self) -> str:
        return ("Dimension", "Score", "Band", "Scored")[self]


class DimensionScoreModel(QAbstractTableModel):
    """Each dimension's share of the maximum and its band, then the overall score."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dims: list[DimensionScore] = []
        self._overall: tuple[float | None, str] = (None, "none")
        self._assessment_id: int | None = None

    def set_view(self, view: AssessmentView | None) -> None:
        dims = list(view.dimensions) if view is not None else []
        aid = view.id if view is not None else None
        overall = (view.overall, view.overall_band) if view is not None else (None, "none")
        same_shape = aid == self._assessment_id and [d.key for d in dims] == [
            d.key for d in self._dims
        ]
        if same_shape:
            self._dims, self._overall = dims, overall
            if self.rowCount():
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, len(ScoreColumn) - 1)
                )
            return
        self.beginResetModel()
        self._dims, self._overall, self._assessment_id = dims, overall, aid
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._assessment_id is None:
            return 0
        return len(self._dims) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ScoreColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(ScoreColumn)
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return ScoreColumn(section).title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _row(self, row: int) -> tuple[str, float | None, str, str, bool]:
        if row < len(self._dims):
            d = self._dims[row]
            return d.label, d.share, d.band, f"{d.assessed} of {d.questions}", False
        scored = sum(d.assessed for d in self._dims)
        total = sum(d.questions for d in self._dims)
        return "Overall", self._overall[0], self._overall[1], f"{scored} of {total}", True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return None
        label, share, band, scored, overall = self._row(index.row())
        column = ScoreColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                ScoreColumn.DIMENSION: label,
                ScoreColumn.SCORE: percent(share),
                ScoreColumn.BAND: band_text(band, passes_word=not overall),
                ScoreColumn.SCORED: scored,
            }[column]
        if role == Qt.ItemDataRole.DecorationRole and column == ScoreColumn.BAND:
            return band_swatch(band)
        if role == Qt.ItemDataRole.ForegroundRole and column in (
            ScoreColumn.SCORE,
            ScoreColumn.BAND,
        ):
            return QColor(BAND_COLOURS.get(band, MUTED))
        if role == Qt.ItemDataRole.FontRole and overall:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ScoreColumn.SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# --- comparison ------------------------------------------------------------------------------
class CompareColumn(IntEnum):
    DIMENSION = 0
    QUESTION = 1
    BEFORE = 2
    AFTER = 3
    CHANGE = 4


DIRECTION_TEXT: dict[str, str] = {
    "rose": "▲ rose",
    "fell": "▼ fell",
    "same": "= same",
    "n/a": "n/a",
}
DIRECTION_COLOURS: dict[str, str] = {
    "rose": "#1e7b4a",
    "fell": "#b03a2e",
    "same": MUTED,
    "n/a": "#95a5a6",
}


def _short_score(score: int | None) -> str:
    return "—" if score is None else f"{score} {score_label(score)}"


class ComparisonModel(QAbstractTableModel):
    """Two assessments side by side: each question before and after, and which way it went."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._comparison: Comparison | None = None

    @property
    def comparison(self) -> Comparison | None:
        return self._comparison

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self._comparison = comparison
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._comparison is None:
            return 0
        return len(self._comparison.questions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CompareColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not 0 <= section < len(CompareColumn):
            return None
        c = self._comparison
        before = date_text(c.before.held_on) if c else "Before"
        after = date_text(c.after.held_on) if c else "After"
        return ("Dimension", "Question", before, after, "Change")[section]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        c = self._comparison
        if c is None or not index.isValid() or not (0 <= index.row() < len(c.questions)):
            return None
        q = c.questions[index.row()]
        column = CompareColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                CompareColumn.DIMENSION: q.dimension_label,
                CompareColumn.QUESTION: q.question_text,
                CompareColumn.BEFORE: _short_score(q.before),
                CompareColumn.AFTER: _short_score(q.after),
                CompareColumn.CHANGE: DIRECTION_TEXT[q.direction],
            }[column]
        if role == ROW_ROLE:
            return q
        if role == Qt.ItemDataRole.ToolTipRole and column == CompareColumn.QUESTION:
            return q.question_text
        if role == Qt.ItemDataRole.ForegroundRole and column == CompareColumn.CHANGE:
            return QColor(DIRECTION_COLOURS[q.direction])
        if role == Qt.ItemDataRole.FontRole and q.direction in ("rose", "fell"):
            font = QFont()
            font.setBold(column == CompareColumn.CHANGE)
            return font
        return None
