"""Function coverage: agenda minutes per CoP function as a bar chart, and the method mix."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from copdesk.data import coverage_queries
from copdesk.data.agenda import fmt_minutes
from copdesk.data.sessions import Coverage
from copdesk.data.store import Store, StoreError
from copdesk.framework import FUNCTIONS, method_label
from copdesk.ui.sessions.common import MUTED, WARN
from copdesk.ui.tasks import BusyIndicator, QueryRunner, error_message

BAR = "#3a8d8f"
BAR_NEW = "#e59f3c"

#: A community with fewer sessions than this gets its coverage computed right away on the
#: UI thread (a few milliseconds); busier ones on a worker thread, with "Computing…" shown.
INLINE_BELOW = 200


class CoverageChart(QWidget):
    """A horizontal bar chart: one bar per function, minutes written at its end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageChart")
        self.bars: list[tuple[str, int, str]] = []  # (label, minutes, tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.row_height = 24

    def set_coverage(self, coverage: Coverage | None) -> None:
        self.bars = []
        if coverage is not None:
            for term in FUNCTIONS:
                self.bars.append((term.label, coverage.minutes.get(term.key, 0), term.help))
            if coverage.untagged_minutes:
                self.bars.append(("No function given", coverage.untagged_minutes, ""))
        self.setFixedHeight(max(1, len(self.bars)) * self.row_height + 12)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(560, max(1, len(self.bars)) * self.row_height + 12)

    def values(self) -> dict[str, int]:
        return {label: minutes for label, minutes, _tip in self.bars}

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        metrics = QFontMetrics(font)
        label_w = max((metrics.horizontalAdvance(lb) for lb, _m, _t in self.bars), default=0) + 14
        value_w = metrics.horizontalAdvance("99 h 59 min") + 12
        most = max((m for _l, m, _t in self.bars), default=0)
        area = max(40, self.width() - label_w - value_w - 8)
        y = 6
        for label, minutes, _tip in self.bars:
            h = self.row_height
            painter.setPen(QColor("#2c3e50") if minutes else QColor(WARN))
            painter.drawText(QRectF(0, y, label_w - 8, h), int(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
            width = area * minutes / most if most else 0
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#eef2f2"))
            painter.drawRoundedRect(QRectF(label_w, y + 4, area, h - 8), 3, 3)
            if minutes:
                painter.setBrush(QColor(BAR))
                painter.drawRoundedRect(QRectF(label_w, y + 4, max(width, 3), h - 8), 3, 3)
            painter.setPen(QPen(QColor("#2c3e50") if minutes else QColor(WARN)))
            text = fmt_minutes(minutes) if minutes else "never"
            painter.drawText(QRectF(label_w + area + 8, y, value_w, h), int(
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            y += h
        if not self.bars:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "No data")
        painter.end()


class MethodMix(QWidget):
    """Familiar (recurring) against new methods: a split bar (design principle 6)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.familiar = 0
        self.new = 0
        self.setFixedHeight(18)

    def set_counts(self, familiar: int, new: int) -> None:
        self.familiar, self.new = familiar, new
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        total = self.familiar + self.new
        rect = QRectF(0, 2, self.width(), self.height() - 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#eef2f2"))
        painter.drawRoundedRect(rect, 4, 4)
        if total:
            split = rect.width() * self.familiar / total
            painter.setBrush(QColor(BAR))
            painter.drawRoundedRect(QRectF(rect.x(), rect.y(), split, rect.height()), 4, 4)
            painter.setBrush(QColor(BAR_NEW))
            painter.drawRoundedRect(
                QRectF(rect.x() + split, rect.y(), rect.width() - split, rect.height()), 4, 4
            )
        painter.end()


PERIODS: tuple[tuple[str, int | None], ...] = (
    ("Last 3 months", 91),
    ("Last 12 months", 365),
    ("Last 2 years", 730),
    ("All time", None),
    ("Custom period", -1),
)


class CoverageView(QWidget):
    """Pick a period; see minutes per function, the functions never served, the method mix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageView")
        self.store: Store | None = None
        self.community_id: int | None = None
        self.today = dt.date.today
        self.coverage: Coverage | None = None
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("periodCombo")
        for label, days in PERIODS:
            self.period_combo.addItem(label, days)
        self.period_combo.setCurrentIndex(1)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        self.from_edit.setDate(QDate(today.year - 1, today.month, 1))
        self.to_edit.setDate(QDate(today.year, today.month, today.day))
        self.planned_check = QCheckBox("Include planned sessions")
        self.planned_check.setObjectName("includePlanned")
        self.heading = QLabel()
        self.heading.setObjectName("coverageHeading")
        self.heading.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.chart = CoverageChart()
        self.never_label = QLabel()
        self.never_label.setObjectName("neverServed")
        self.never_label.setWordWrap(True)
        self.never_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mix = MethodMix()
        self.mix_label = QLabel()
        self.mix_label.setObjectName("methodMix")
        self.mix_label.setWordWrap(True)
        self.mix_label.setTextFormat(Qt.TextFormat.PlainText)
        self._build_state()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Period:"))
        bar.addWidget(self.period_combo)
        bar.addWidget(self.from_edit)
        self.to_label = QLabel("to")
        bar.addWidget(self.to_label)
        bar.addWidget(self.to_edit)
        bar.addSpacing(12)
        bar.addWidget(self.planned_check)
        bar.addStretch(1)
        bar.addWidget(self.busy)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addWidget(self.error_label)
        inner.addWidget(self.heading)
        inner.addWidget(self.chart)
        inner.addWidget(self.never_label)
        inner.addSpacing(8)
        mix_title = QLabel("Familiar and new methods (design principle 6: combine familiarity "
                           "and excitement)")
        mix_title.setStyleSheet("font-weight: 600;")
        inner.addWidget(mix_title)
        inner.addWidget(self.mix)
        inner.addWidget(self.mix_label)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        self.period_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.from_edit.dateChanged.connect(lambda _d: self._custom_changed())
        self.to_edit.dateChanged.connect(lambda _d: self._custom_changed())
        self.planned_check.toggled.connect(lambda _on: self.refresh())
        self._update_custom()

    def _build_state(self) -> None:
        """The worker that computes the figures and what shows it is busy or failed."""
        self.runner = QueryRunner(self)
        self.busy = BusyIndicator("Computing the coverage…")
        self.runner.busy_changed.connect(self.busy.set_busy)
        self.inline_below = INLINE_BELOW
        self.error_label = QLabel()
        self.error_label.setObjectName("coverageError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet(f"color: {WARN};")
        self.error_label.hide()

    def set_source(self, store: Store | None, community_id: int | None) -> None:
        self.store, self.community_id = store, community_id
        self.refresh()

    def _update_custom(self) -> None:
        custom = self.period_combo.currentData() == -1
        self.from_edit.setVisible(custom)
        self.to_edit.setVisible(custom)
        self.to_label.setVisible(custom)

    def _custom_changed(self) -> None:
        if self.period_combo.currentData() == -1:
            self.refresh()

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        days = self.period_combo.currentData()
        today = self.today()
        if days is None:
            return None, None
        if days == -1:
            a, b = self.from_edit.date(), self.to_edit.date()
            return (dt.date(a.year(), a.month(), a.day()), dt.date(b.year(), b.month(), b.day()))
        return today - dt.timedelta(days=int(days)), today

    def refresh(self) -> None:
        """Compute the coverage of the chosen period (a busy community: on a worker thread).

        The chart shown so far stays, with "Computing…" beside the period, until the new
        figures arrive; a newer choice (another period, an edit) supersedes one running.
        """
        self._update_custom()
        start, end = self.period()
        planned = self.planned_check.isChecked()
        store, community_id = self.store, self.community_id
        if store is None or community_id is None:
            self.runner.cancel()
            self._show(None, start, end, planned)
            return

        def query(session: Session) -> Coverage:
            return coverage_queries.function_coverage(
                session, community_id, start, end, include_planned=planned
            )

        def done(coverage: Coverage) -> None:
            if (self.store, self.community_id) != (store, community_id):
                return  # the tab moved to another store or community meanwhile
            self._show(coverage, start, end, planned)

        try:
            with store.session() as session:
                small = coverage_queries.session_count(session, community_id) < self.inline_below
        except (StoreError, SQLAlchemyError, OSError) as exc:
            self.runner.cancel()
            self._failed(error_message(exc))
            return
        if small:
            self.runner.run_now(store, query, done, self._failed)
        else:
            self.runner.submit(store, query, done, self._failed)

    def is_computing(self) -> bool:
        return self.runner.is_busy()

    def _failed(self, message: str) -> None:
        """The figures could not be read: say so; the chart shown before stays."""
        self.error_label.setText(f"The coverage could not be brought up to date: {message}.")
        self.error_label.show()

    def _show(
        self, coverage: Coverage | None, start: dt.date | None, end: dt.date | None,
        planned: bool,
    ) -> None:
        self.error_label.hide()
        self.coverage = coverage
        self.chart.set_coverage(coverage)
        if coverage is None:
            self.heading.setText("No community open")
            self.never_label.setText("")
            self.mix_label.setText("")
            self.mix.set_counts(0, 0)
            return
        which = "held and planned" if planned else "held"
        span = (f"{start:%d %b %Y} – {end:%d %b %Y}" if start and end else "all time")
        self.heading.setText(
            f"Agenda time per CoP function in {which} sessions, {span}: "
            f"{fmt_minutes(coverage.total_minutes)} in all"
        )
        never = [t.label for t in FUNCTIONS if t.key in coverage.never_served]
        if not coverage.total_minutes:
            self.never_label.setText("No agenda time in this period yet.")
            self.never_label.setStyleSheet(f"color: {MUTED};")
        elif never:
            self.never_label.setText("Never served in this period: " + ", ".join(never) + ".")
            self.never_label.setStyleSheet(f"color: {WARN}; font-weight: 600;")
        else:
            self.never_label.setText("Every one of the twelve functions was served.")
            self.never_label.setStyleSheet("color: #1e7b4a;")
        familiar = sum(coverage.familiar_methods.values())
        new = sum(coverage.new_methods.values())
        self.mix.set_counts(familiar, new)

        def names(counts: dict[str, int]) -> str:
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
            return ", ".join(f"{method_label(k)} ×{n}" for k, n in top) or "none"

        total = familiar + new
        share = f" ({familiar / total:.0%} familiar)" if total else ""
        known, fresh = names(coverage.familiar_methods), names(coverage.new_methods)
        self.mix_label.setText(
            f"Familiar (used at an earlier session): {familiar} blocks — {known}\n"
            f"New (first time tried): {new} blocks — {fresh}{share}"
        )
