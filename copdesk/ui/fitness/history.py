"""History: a trend chart per dimension, and two assessments compared side by side.

QtCharts is not available, so :class:`TrendChart` draws small multiples with QPainter: one
panel per dimension (and the overall score), the share of the maximum at each assessment as
a labelled point, the red/amber/green bands shaded behind, colours from Okabe and Ito's
colour-blind-safe palette (each panel is also named, so colour is never the only cue).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import fitness
from copdesk.data.fitness import AssessmentRow, Comparison, Thresholds, TrendPoint
from copdesk.data.store import Store
from copdesk.framework import CHECKLIST_BY_KEY, CHECKLISTS
from copdesk.text import plural
from copdesk.ui.fitness.common import (
    BAND_BACKGROUNDS,
    MUTED,
    OKABE_ITO,
    STATUS_WORDS,
    date_text,
    percent,
)
from copdesk.ui.fitness.model import ROW_ROLE, CompareColumn, ComparisonModel

Index = QModelIndex | QPersistentModelIndex

#: Dimension lines: Okabe-Ito without black (the overall line) and the pale yellow.
DIMENSION_COLOURS: tuple[str, ...] = tuple(c for c in OKABE_ITO if c not in ("#000000", "#F0E442"))


@dataclass(frozen=True, slots=True)
class Series:
    key: str
    label: str
    colour: str
    values: tuple[float | None, ...]  # shares, one per assessment (None: not scored)


class TrendChart(QWidget):
    """Small multiples: one line chart per dimension across the assessments, oldest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self.setMinimumHeight(220)
        self.dates: tuple[dt.date, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.limits = Thresholds()
        self.empty_text = "No assessments yet."

    def set_trend(
        self,
        points: list[TrendPoint],
        dimensions: list[tuple[str, str]],
        limits: Thresholds,
        empty_text: str = "No assessments of this checklist yet.",
    ) -> None:
        self.dates = tuple(p.held_on for p in points)
        self.limits = limits
        self.empty_text = empty_text
        series = [Series("overall", "Overall", "#000000", tuple(p.overall for p in points))]
        for i, (key, label) in enumerate(dimensions):
            series.append(
                Series(
                    key,
                    label,
                    DIMENSION_COLOURS[i % len(DIMENSION_COLOURS)],
                    tuple(p.dimensions.get(key) for p in points),
                )
            )
        self.series = tuple(series) if points else ()
        self.update()

    def values(self) -> dict[str, list[str]]:
        """What the chart shows, as labelled percentages per panel (for tests and tooltips)."""
        return {s.label: [percent(v) for v in s.values] for s in self.series}

    def sizeHint(self) -> QSize:
        return QSize(760, 420)

    def _grid(self) -> tuple[int, int]:
        n = len(self.series)
        columns = 3 if n > 4 else 2 if n > 1 else 1
        if self.width() > 1100 and n > 6:
            columns = 4
        return columns, math.ceil(n / columns)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.series:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        columns, rows = self._grid()
        w = (self.width() - 8) / columns
        h = (self.height() - 8) / rows
        for i, series in enumerate(self.series):
            r, c = divmod(i, columns)
            self._panel(painter, QRectF(4 + c * w, 4 + r * h, w, h).adjusted(4, 4, -4, -4), series)
        painter.end()

    def _panel(self, painter: QPainter, box: QRectF, series: Series) -> None:
        painter.setPen(QPen(QColor("#d5dbdb"), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 4, 4)
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(QColor(series.colour))
        painter.drawLine(
            QPointF(box.left() + 8, box.top() + 12), QPointF(box.left() + 22, box.top() + 12)
        )
        painter.setPen(QColor("#1c2833"))
        title_box = QRectF(box.left() + 27, box.top() + 3, box.width() - 32, 18)
        painter.drawText(
            title_box,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(title_font).elidedText(
                series.label, Qt.TextElideMode.ElideRight, int(title_box.width())
            ),
        )
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() - 1.5))
        painter.setFont(small)
        plot = QRectF(box.left() + 34, box.top() + 26, box.width() - 48, box.height() - 46)
        if plot.height() < 20 or plot.width() < 40:
            return

        def y_of(share: float) -> float:
            return plot.bottom() - share * plot.height()

        # the bands behind the line
        amber, green = self.limits.amber_from / 100, self.limits.green_from / 100
        bands = ((0.0, amber, "red"), (amber, green, "amber"), (green, 1.0, "green"))
        for low, high, band in bands:
            painter.fillRect(
                QRectF(plot.left(), y_of(high), plot.width(), y_of(low) - y_of(high)),
                QColor(BAND_BACKGROUNDS[band]),
            )
        painter.setPen(QPen(QColor("#aab7b8"), 1, Qt.PenStyle.DotLine))
        for share in (0.0, 0.5, 1.0):
            painter.drawLine(QPointF(plot.left(), y_of(share)), QPointF(plot.right(), y_of(share)))
            painter.setPen(QColor(MUTED))
            painter.drawText(
                QRectF(box.left() + 2, y_of(share) - 8, 30, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{round(share * 100)}%",
            )
            painter.setPen(QPen(QColor("#aab7b8"), 1, Qt.PenStyle.DotLine))
        n = len(series.values)

        def x_of(i: int) -> float:
            if n == 1:
                return plot.center().x()
            return plot.left() + 14 + i * (plot.width() - 28) / (n - 1)

        # dates under the plot (thinned when crowded)
        painter.setPen(QColor(MUTED))
        step = max(1, math.ceil(n * 52 / max(plot.width(), 1)))
        for i, day in enumerate(self.dates):
            if i % step and i != n - 1:
                continue
            painter.drawText(
                QRectF(x_of(i) - 30, plot.bottom() + 2, 60, 16),
                Qt.AlignmentFlag.AlignCenter,
                f"{day:%b %Y}",
            )
        # the line (broken where a dimension was not scored), points and their values
        colour = QColor(series.colour)
        path = QPainterPath()
        pen_down = False
        for i, value in enumerate(series.values):
            if value is None:
                pen_down = False
                continue
            point = QPointF(x_of(i), y_of(value))
            if pen_down:
                path.lineTo(point)
            else:
                path.moveTo(point)
                pen_down = True
        painter.setPen(QPen(colour, 2.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        label_font = QFont(small)
        label_font.setBold(True)
        painter.setFont(label_font)
        for i, value in enumerate(series.values):
            if value is None:
                continue
            point = QPointF(x_of(i), y_of(value))
            painter.setPen(QPen(QColor("#ffffff"), 1.5))
            painter.setBrush(colour)
            painter.drawEllipse(point, 4.2, 4.2)
            above = value < 0.85
            text_box = QRectF(point.x() - 24, point.y() + (-20 if above else 5), 48, 15)
            painter.setPen(QColor("#1c2833"))
            painter.drawText(text_box, Qt.AlignmentFlag.AlignCenter, percent(value))


class ChangesOnlyProxy(QSortFilterProxyModel):
    """Hides the questions that stayed the same (or cannot be compared) when asked to."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._only_changes = False

    def set_only_changes(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._only_changes = on
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # Qt before 6.10
            self._only_changes = on
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._only_changes:
            return True
        q = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        return q is None or q.direction in ("rose", "fell")


class HistoryView(QWidget):
    """The trend of one checklist and a side-by-side comparison of two assessments."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitnessHistory")
        self.store: Store | None = None
        self.community_id: int | None = None
        self._rows: list[AssessmentRow] = []

        self.checklist = QComboBox()
        self.checklist.setObjectName("trendChecklist")
        for c in CHECKLISTS:
            self.checklist.addItem(c.label, c.key)
        self.chart = TrendChart()
        self.first = QComboBox()
        self.first.setObjectName("compareFirst")
        self.second = QComboBox()
        self.second.setObjectName("compareSecond")
        self.only_changes = QCheckBox("Only what changed")
        self.only_changes.setObjectName("onlyChanges")
        self.summary = QLabel()
        self.summary.setObjectName("compareSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.compare_model = ComparisonModel(self)
        self.compare_proxy = ChangesOnlyProxy(self)
        self.compare_proxy.setSourceModel(self.compare_model)
        self.table = QTableView()
        self.table.setObjectName("comparisonTable")
        self.table.setModel(self.compare_proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(CompareColumn.QUESTION, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (CompareColumn.DIMENSION, 130),
            (CompareColumn.BEFORE, 110),
            (CompareColumn.AFTER, 110),
            (CompareColumn.CHANGE, 80),
        ):
            header.resizeSection(column, width)

        top = QHBoxLayout()
        trend_label = QLabel("&Trend of:")
        trend_label.setBuddy(self.checklist)
        top.addWidget(trend_label)
        top.addWidget(self.checklist)
        self.trend_note = QLabel()
        self.trend_note.setStyleSheet(f"color: {MUTED};")
        top.addWidget(self.trend_note, 1)
        chart_page = QWidget()
        chart_layout = QVBoxLayout(chart_page)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addLayout(top)
        chart_layout.addWidget(self.chart, 1)

        pick = QHBoxLayout()
        compare_label = QLabel("C&ompare:")
        compare_label.setBuddy(self.first)
        pick.addWidget(compare_label)
        pick.addWidget(self.first, 1)
        pick.addWidget(QLabel("with"))
        pick.addWidget(self.second, 1)
        pick.addWidget(self.only_changes)
        compare_page = QWidget()
        compare_layout = QVBoxLayout(compare_page)
        compare_layout.setContentsMargins(0, 0, 0, 0)
        compare_layout.addLayout(pick)
        compare_layout.addWidget(self.summary)
        compare_layout.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("historySplitter")
        self.splitter.addWidget(chart_page)
        self.splitter.addWidget(compare_page)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.splitter)

        self.checklist.currentIndexChanged.connect(lambda _i: self._checklist_changed())
        self.first.currentIndexChanged.connect(lambda _i: self.refresh_comparison())
        self.second.currentIndexChanged.connect(lambda _i: self.refresh_comparison())
        self.only_changes.toggled.connect(self.compare_proxy.set_only_changes)

    # -- data -----------------------------------------------------------------------------
    def set_source(self, store: Store | None, community_id: int | None) -> None:
        self.store, self.community_id = store, community_id

    def refresh(self, rows: list[AssessmentRow], *, checklist: str | None = None) -> None:
        """Re-read the trend and the comparison (rows: the assessments, newest first)."""
        self._rows = rows
        if checklist is not None:
            self.checklist.blockSignals(True)
            self.checklist.setCurrentIndex(max(0, self.checklist.findData(checklist)))
            self.checklist.blockSignals(False)
        self._fill_pickers()
        self.refresh_trend()
        self.refresh_comparison()

    def _checklist_changed(self) -> None:
        self._fill_pickers(default=True)
        self.refresh_trend()
        self.refresh_comparison()

    def chosen_checklist(self) -> str:
        return str(self.checklist.currentData())

    def refresh_trend(self) -> None:
        key = self.chosen_checklist()
        spec = CHECKLIST_BY_KEY[key]
        points: list[TrendPoint] = []
        limits = Thresholds()
        if self.store is not None and self.community_id is not None:
            with self.store.session() as session:
                points = fitness.trend(session, self.community_id, key)
                limits = fitness.thresholds(session, self.community_id)
        dims = [(d.key, d.label) for d in spec.dimensions]
        self.chart.set_trend(points, dims, limits)
        finals = sum(1 for r in self._rows if r.checklist == key and r.status == "final")
        drafts = sum(1 for r in self._rows if r.checklist == key and r.status == "draft")
        self.trend_note.setText(
            f"  {plural(len(points), 'assessment')}, oldest first ({finals} final, {drafts} draft);"
            f" bands: red below {limits.amber_from}%, green from {limits.green_from}%"
            if points
            else ""
        )

    def _fill_pickers(self, *, default: bool = False) -> None:
        key = self.chosen_checklist()
        keep = (self.first.currentData(), self.second.currentData())
        for combo in (self.first, self.second):
            combo.blockSignals(True)
            combo.clear()
            for r in self._rows:
                word = STATUS_WORDS.get(r.status, r.status)
                combo.addItem(
                    f"{date_text(r.held_on)} · {r.checklist_label} · {percent(r.overall)}"
                    f" ({word})",
                    r.id,
                )
        same = [r.id for r in self._rows if r.checklist == key]
        first_id, second_id = keep
        ids = [r.id for r in self._rows]
        if default or first_id not in ids or second_id not in ids or first_id == second_id:
            second_id = same[0] if same else (ids[0] if ids else None)
            others = [i for i in (same[1:] or ids) if i != second_id]
            first_id = others[0] if others else None
        self.first.setCurrentIndex(self.first.findData(first_id))
        self.second.setCurrentIndex(self.second.findData(second_id))
        for combo in (self.first, self.second):
            combo.blockSignals(False)

    def select_pair(self, first_id: int, second_id: int) -> None:
        self.first.setCurrentIndex(self.first.findData(first_id))
        self.second.setCurrentIndex(self.second.findData(second_id))
        self.refresh_comparison()

    def refresh_comparison(self) -> None:
        a, b = self.first.currentData(), self.second.currentData()
        comparison: Comparison | None = None
        if (
            self.store is not None
            and isinstance(a, int)
            and isinstance(b, int)
            and a != b
        ):
            try:
                with self.store.session() as session:
                    comparison = fitness.compare(session, a, b)
            except LookupError:
                comparison = None
        self.compare_model.set_comparison(comparison)
        self.summary.setText(summary_html(comparison, bool(self._rows)))


def summary_html(comparison: Comparison | None, has_rows: bool) -> str:
    if comparison is None:
        if not has_rows:
            return f"<span style='color:{MUTED}'>Comparisons need two assessments.</span>"
        return f"<span style='color:{MUTED}'>Choose two different assessments.</span>"
    rose, fell = comparison.rose, comparison.fell
    dims = []
    for label, before, after in comparison.dimensions:
        if before is None or after is None:
            arrow = "·"
        elif after > before:
            arrow = "<span style='color:#1e7b4a'>▲</span>"
        elif after < before:
            arrow = "<span style='color:#b03a2e'>▼</span>"
        else:
            arrow = "="
        dims.append(f"{label} {percent(before)} → {percent(after)} {arrow}")
    return (
        f"From <b>{date_text(comparison.before.held_on)}</b> to"
        f" <b>{date_text(comparison.after.held_on)}</b>:"
        f" <span style='color:#1e7b4a'><b>▲ {len(rose)} rose</b></span>,"
        f" <span style='color:#b03a2e'><b>▼ {len(fell)} fell</b></span>."
        f"<br>{' &nbsp;·&nbsp; '.join(dims)}"
    )
