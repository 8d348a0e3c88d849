"""A month calendar with the sessions marked on their days: the rhythm at a glance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QCalendarWidget, QWidget

from copdesk.data.sessions import SessionRow
from copdesk.ui.sessions.common import STATUS_COLOURS


class SessionCalendar(QCalendarWidget):
    """Days with sessions carry one dot per session, coloured by status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionCalendar")
        self.setGridVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.by_day: dict[dt.date, list[SessionRow]] = defaultdict(list)

    def set_sessions(self, rows: Sequence[SessionRow]) -> None:
        self.by_day = defaultdict(list)
        for row in rows:
            self.by_day[row.starts_at.date()].append(row)
        self.updateCells()

    def sessions_on(self, day: dt.date) -> list[SessionRow]:
        return list(self.by_day.get(day, []))

    def paintCell(self, painter: QPainter, rect: QRect, date: QDate) -> None:
        day = dt.date(date.year(), date.month(), date.day())
        rows = self.by_day.get(day, [])
        super().paintCell(painter, rect, date)
        if rows:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            tint = QColor(STATUS_COLOURS.get(rows[0].status, "#888888"))
            tint.setAlpha(60)
            painter.setPen(QPen(QColor(STATUS_COLOURS.get(rows[0].status, "#888888")), 1.5))
            painter.setBrush(tint)
            painter.drawRoundedRect(rect.adjusted(3, 2, -3, -2), 5, 5)
            size = max(5, min(8, rect.height() // 5))
            total = len(rows) * (size + 2) - 2
            x = rect.center().x() - total // 2
            y = rect.bottom() - size - 3
            for row in rows[:4]:
                painter.setPen(QPen(QColor("white"), 1))
                painter.setBrush(QColor(STATUS_COLOURS.get(row.status, "#888")))
                painter.drawEllipse(x, y, size, size)
                x += size + 2
            painter.restore()
