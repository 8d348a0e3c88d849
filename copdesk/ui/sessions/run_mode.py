"""Run mode for the room: the current block large, its time left, what comes next.

A separate top-level window (not modal), so the facilitator can put it on the room's
screen. ``clock`` gives "now"; tests pass a fake clock and call :meth:`tick` themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.agenda import RunState, fmt_minutes
from copdesk.data.sessions import BlockData, SessionRow
from copdesk.framework import FUNCTION_BY_KEY, method_label
from copdesk.ui.sessions.common import NO_OWNER, WARN, Clock, MemberDirectory, system_now

EXTEND_MINUTES = 5


def fmt_left(left: dt.timedelta) -> str:
    """mm:ss (or h:mm:ss), with a minus sign when the block has run over."""
    seconds = int(left.total_seconds())
    sign = "−" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


class RunModeWindow(QWidget):
    """The room view of one session's agenda."""

    def __init__(
        self,
        row: SessionRow,
        blocks: Sequence[BlockData],
        directory: MemberDirectory,
        *,
        clock: Clock = system_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("runMode")
        self.setWindowTitle(f"Run mode — {row.title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.row = row
        self.blocks = list(blocks)
        self.directory = directory
        self.clock = clock
        self.started = clock()
        self.state = RunState(
            start=self.started,
            minutes=[b.minutes for b in self.blocks],
            titles=[b.title for b in self.blocks],
            planned_minutes=row.planned_minutes,
        )
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.tick()

    # -- building --------------------------------------------------------------------------
    def _label(self, name: str, size: int, *, bold: bool = False, colour: str = "#ecf0f1",
               wrap: bool = True) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(wrap)
        label.setTextFormat(Qt.TextFormat.PlainText)
        weight = "700" if bold else "400"
        label.setStyleSheet(f"color: {colour}; font-size: {size}pt; font-weight: {weight};")
        return label

    def _build(self) -> None:
        self.setStyleSheet("QWidget#runMode { background: #1c2833; }"
                           "QPushButton { font-size: 15pt; padding: 10px 22px; "
                           "border-radius: 8px; background: #34495e; color: white; }"
                           "QPushButton:focus { border: 2px solid #f5b041; }")
        self.session_label = self._label("runSession", 13, colour="#aab7b8")
        self.session_label.setText(
            f"{self.row.title} · started {self.started:%H:%M} · planned "
            f"{fmt_minutes(self.row.planned_minutes)}"
        )
        self.position_label = self._label("runPosition", 13, colour="#aab7b8")
        self.current_label = self._label("runCurrent", 34, bold=True, colour="white")
        self.detail_label = self._label("runDetail", 15, colour="#d5dbdb")
        self.left_label = self._label("runLeft", 96, bold=True, colour="#58d68d", wrap=False)
        self.left_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.left_caption = self._label("runLeftCaption", 14, colour="#aab7b8")
        self.left_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_label = self._label("runNext", 20, colour="#f7dc6f")
        self.later_label = self._label("runLater", 13, colour="#aab7b8")
        self.total_label = self._label("runTotal", 16, bold=True, colour="#ecf0f1")
        self.extend_button = QPushButton(f"Extend +{EXTEND_MINUTES} min  (E)")
        self.extend_button.setObjectName("extendButton")
        self.skip_button = QPushButton("Skip ahead  (Space)")
        self.skip_button.setObjectName("skipButton")
        self.close_button = QPushButton("Close  (Esc)")
        self.extend_button.clicked.connect(self.extend)
        self.skip_button.clicked.connect(self.skip)
        self.close_button.clicked.connect(self.close)
        for button in (self.extend_button, self.skip_button, self.close_button):
            # Keys go to the window (Space must skip, not press a focused button).
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #34495e;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.extend_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 24, 36, 24)
        top = QHBoxLayout()
        top.addWidget(self.session_label, 1)
        top.addWidget(self.position_label)
        layout.addLayout(top)
        layout.addSpacing(12)
        layout.addWidget(self.current_label)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)
        layout.addWidget(self.left_label)
        layout.addWidget(self.left_caption)
        layout.addStretch(1)
        layout.addWidget(line)
        layout.addWidget(self.next_label)
        layout.addWidget(self.later_label)
        layout.addSpacing(8)
        layout.addWidget(self.total_label)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        self.resize(1100, 720)

    # -- commands --------------------------------------------------------------------------
    def extend(self) -> None:
        self.state.extend(EXTEND_MINUTES)
        self.tick()

    def skip(self) -> None:
        self.state.advance(self.clock())
        self.tick()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_E, Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.extend()
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_N, Qt.Key.Key_Right, Qt.Key.Key_Return,
                     Qt.Key.Key_Enter):
            self.skip()
        elif key == Qt.Key.Key_Escape:
            self.close()
        elif key == Qt.Key.Key_F11:
            self.toggle_full_screen()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        super().closeEvent(event)

    # -- display ---------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock()
        state = self.state
        total = len(self.blocks)
        if state.finished or not self.blocks:
            self.position_label.setText(f"{total} of {total} blocks done" if total else "")
            self.current_label.setText("The agenda is done" if total else "This agenda is empty")
            self.detail_label.setText("")
            self.left_label.setText("—")
            self.left_caption.setText(f"ended {now:%H:%M}")
            self.next_label.setText("")
            self.later_label.setText("")
            self.extend_button.setEnabled(False)
            self.skip_button.setEnabled(False)
            spent = sum(state.done)
            self.total_label.setText(
                f"Ran {fmt_minutes(spent)} against the planned "
                f"{fmt_minutes(self.row.planned_minutes)}"
            )
            return
        i = state.current
        block = self.blocks[i]
        projected = state.projected()
        self.position_label.setText(f"Block {i + 1} of {total}")
        self.current_label.setText(block.title)
        bits = []
        if block.function in FUNCTION_BY_KEY:
            bits.append(FUNCTION_BY_KEY[block.function].label)
        if block.method:
            bits.append(method_label(block.method))
        bits.append(self.directory.name(block.owner_id, NO_OWNER))
        self.detail_label.setText(" · ".join(bits))
        left = state.time_left(now)
        self.left_label.setText(fmt_left(left))
        colour = "#58d68d"
        if left.total_seconds() < 0:
            colour = "#ec7063"
        elif left.total_seconds() <= 120:
            colour = "#f5b041"
        self.left_label.setStyleSheet(f"color: {colour}; font-size: 96pt; font-weight: 700;")
        over = left.total_seconds() < 0
        self.left_caption.setText(
            ("over time — " if over else "left — ")
            + f"{projected[0].start:%H:%M}–{projected[0].end:%H:%M}, "
            f"{fmt_minutes(state.minutes[i])}"
        )
        if len(projected) > 1:
            nxt = self.blocks[i + 1]
            self.next_label.setText(
                f"Next at {projected[1].start:%H:%M}: {nxt.title} ({fmt_minutes(nxt.minutes)})"
            )
            later = [
                f"{t.start:%H:%M} {self.blocks[i + k].title}"
                for k, t in enumerate(projected[2:5], start=2)
            ]
            more = len(projected) - 5
            self.later_label.setText(
                "Then: " + " · ".join(later) + (f" · and {more} more" if more > 0 else "")
                if later else "Then: the end"
            )
        else:
            self.next_label.setText("Next: the end of the session")
            self.later_label.setText("")
        drift = state.running_over()
        drift_min = round(drift.total_seconds() / 60)
        end = state.projected_end()
        planned_end = state.planned_end()
        if drift_min > 0:
            verdict = f"{fmt_minutes(drift_min)} over"
            style = f"color: {WARN}; background: #fadbd8;"
        elif drift_min < 0:
            verdict = f"{fmt_minutes(-drift_min)} spare"
            style = "color: #ecf0f1;"
        else:
            verdict = "on time"
            style = "color: #ecf0f1;"
        self.total_label.setText(
            f"Projected end {end:%H:%M} against the planned end {planned_end:%H:%M}: {verdict}"
        )
        self.total_label.setStyleSheet(
            f"{style} font-size: 16pt; font-weight: 700; padding: 4px 8px; border-radius: 4px;"
        )
        self.extend_button.setEnabled(True)
        self.skip_button.setEnabled(True)
        self.skip_button.setText(
            "Skip ahead  (Space)" if i + 1 < total else "Finish  (Space)"
        )
