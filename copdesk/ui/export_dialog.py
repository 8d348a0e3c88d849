"""File > Export report… (Ctrl+E): choose a report, its period and sections, and a file.

The dialog offers every PDF copdesk writes: the roster, a session's run sheet or summary,
the fitness report, the value report and the community overview. Before exporting it checks
that the fonts can print every character (and warns about those that would appear as
boxes); the export then runs on a worker thread with its own store session, so the window
keeps repainting, with a progress bar and Cancel (a cancelled export leaves no file).
When it is done the dialog offers to open the PDF or show its folder. Errors (no write
permission, disk full, a file open in another program) are shown as the report builders
word them; an earlier file at the path is left untouched.

Every modal goes through :mod:`copdesk.ui.dialogs`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QDate, QObject, QRunnable, QSettings, Qt, QThreadPool, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from copdesk.data import communities, sessions
from copdesk.data.store import Store, StoreError
from copdesk.logs import get_logger
from copdesk.reports import fitness_report, overview, roster, session_reports, values_report
from copdesk.reports.errors import ReportError
from copdesk.reports.style import Coverage
from copdesk.ui import dialogs

__all__ = [
    "PERIODS",
    "REPORTS",
    "ExportDialog",
    "ExportRequest",
    "ReportKind",
    "build_report",
    "period_dates",
    "report_coverage",
    "suggested_name",
]

log = get_logger("export")

SETTINGS_FOLDER = "export/folder"
SETTINGS_REPORT = "export/report"


@dataclass(frozen=True, slots=True)
class ReportKind:
    key: str
    label: str
    help: str
    needs_session: bool = False
    has_period: bool = False
    has_sections: bool = False
    can_cancel: bool = False  # the builder takes progress and cancel hooks


REPORTS: tuple[ReportKind, ...] = (
    ReportKind("overview", "Community overview (for the host)",
               "One document that makes the case for the community: impact, health, fitness, "
               "knowledge and what comes next, compared with the period before.",
               has_period=True, has_sections=True, can_cancel=True),
    ReportKind("roster", "Member roster",
               "Members by level, organisation and region, the knowledge map and the "
               "directory of consenting members."),
    ReportKind("runsheet", "Run sheet of a session",
               "The agenda with clock times, functions, methods and owners, for the room.",
               needs_session=True),
    ReportKind("summary", "Session summary",
               "Attendance, outcomes, decisions and follow-up actions of a session.",
               needs_session=True),
    ReportKind("fitness", "Fitness report",
               "The latest fitness assessment: scores, trend, action plan and evidence."),
    ReportKind("values", "Value report",
               "The value matrix, highlights, stories and measures of a period.",
               has_period=True),
)  # fmt: skip
REPORT_BY_KEY = {r.key: r for r in REPORTS}

#: Period choices: key -> label ("custom" uses the two dates; "all" only for the value log).
PERIODS: tuple[tuple[str, str], ...] = (
    ("year", "Last 12 months"),
    ("quarter", "Last 3 months"),
    ("last_quarter", "Previous calendar quarter"),
    ("last_year", "Previous calendar year"),
    ("custom", "Custom dates"),
    ("all", "All time"),
)


def period_dates(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The (start, end) of a period choice, ``today`` included in the rolling ones."""
    if key == "year":
        return overview.default_period(today).start, today
    if key == "quarter":
        month = today.month - 3
        year = today.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        day = min(today.day, 28)
        return dt.date(year, month, day) + dt.timedelta(days=1), today
    if key == "last_quarter":
        first_this = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = first_this - dt.timedelta(days=1)
        return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if key == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None, None


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "report"


def suggested_name(community: str, kind: str, end: dt.date | None, today: dt.date) -> str:
    """``water-sanitation-practitioners-overview-2026-06-30.pdf``."""
    return f"{_slug(community)}-{kind}-{(end or today).isoformat()}.pdf"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Everything a worker needs to write one report (no Qt, no store objects)."""

    kind: str
    community_id: int
    out: Path
    start: dt.date | None = None
    end: dt.date | None = None
    sections: tuple[str, ...] | None = None
    session_id: int | None = None
    today: dt.date | None = None
    check_coverage: bool = True


def report_coverage(session: Session, request: ExportRequest) -> Coverage:
    """The font check of the report the request asks for (before exporting)."""
    kind, cid = request.kind, request.community_id
    if kind == "overview":
        return overview.overview_coverage(session, cid, start=request.start, end=request.end,
                                          sections=request.sections,
                                          today=request.today)  # fmt: skip
    if kind == "roster":
        return roster.roster_coverage(session, cid)
    if kind in ("runsheet", "summary"):
        if request.session_id is None:
            raise ReportError("choose the session to report on")
        return session_reports.session_report_coverage(session, request.session_id, kind)
    if kind == "fitness":
        return fitness_report.fitness_coverage(session, cid)
    if kind == "values":
        return values_report.values_coverage(session, cid, start=request.start, end=request.end)
    raise ReportError(f"unknown report {kind!r}")


def build_report(
    session: Session,
    request: ExportRequest,
    *,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Write the report the request asks for; progress and cancel where the builder can."""
    kind, cid, out = request.kind, request.community_id, request.out
    if kind == "overview":
        return overview.build_overview_pdf(
            session, cid, out, start=request.start, end=request.end, sections=request.sections,
            today=request.today, progress=progress, cancelled=cancelled,
        )  # fmt: skip
    if kind == "roster":
        return roster.build_roster_pdf(session, cid, out, today=request.today)
    if kind in ("runsheet", "summary"):
        if request.session_id is None:
            raise ReportError("choose the session to report on")
        return session_reports.build_session_pdf(session, request.session_id, out, kind=kind,
                                                 today=request.today)  # fmt: skip
    if kind == "fitness":
        return fitness_report.build_fitness_pdf(session, cid, out, today=request.today)
    if kind == "values":
        return values_report.build_values_pdf(session, cid, out, start=request.start,
                                              end=request.end, today=request.today)  # fmt: skip
    raise ReportError(f"unknown report {kind!r}")


# --- the worker ---------------------------------------------------------------------------------
class _Signals(QObject):
    progress = Signal(float)
    building = Signal()  # the coverage check passed; the report itself is being built
    coverage = Signal(str)  # characters would print as boxes: the message
    finished = Signal(str)  # the path written
    failed = Signal(str)  # a message for the user
    cancelled = Signal()


class _ExportJob(QRunnable):
    """Runs on a pool thread with its own store session (sessions are not shared)."""

    def __init__(self, store: Store, request: ExportRequest, stop: threading.Event) -> None:
        super().__init__()
        # The dialog keeps the job (and its signals) alive: a Python QRunnable deleted by
        # the pool while Python still holds it crashes the interpreter at exit.
        self.setAutoDelete(False)
        self.store = store
        self.request = request
        self.stop = stop
        self.signals = _Signals()

    def run(self) -> None:
        signals = self.signals
        request = self.request
        try:
            with self.store.session() as session:
                if request.check_coverage:
                    cov = report_coverage(session, request)
                    if self.stop.is_set():
                        signals.cancelled.emit()
                        return
                    if not cov.ok:
                        signals.coverage.emit(cov.message())
                        return
                signals.building.emit()
                can_cancel = REPORT_BY_KEY[request.kind].can_cancel
                written = build_report(
                    session,
                    request,
                    progress=signals.progress.emit if can_cancel else None,
                    cancelled=self.stop.is_set if can_cancel else None,
                )
        except overview.ReportCancelled:
            signals.cancelled.emit()
        except ReportError as exc:
            signals.failed.emit(str(exc))
        except (StoreError, OSError) as exc:
            signals.failed.emit(str(exc))
        except Exception as exc:  # never a traceback for the user; the log keeps the detail
            log.exception("export failed")
            signals.failed.emit(f"the report could not be written ({type(exc).__name__}: {exc})")
        else:
            signals.finished.emit(str(written))


# --- the dialog ---------------------------------------------------------------------------------
class ExportDialog(QDialog):
    """Choose a report, its period, sections and file; export it off the UI thread.

    ``settings`` remembers the last folder (and report); ``session_id`` is the session
    selected in the Sessions tab, offered first for the run sheet and summary; ``today``
    fixes the date for tests.
    """

    def __init__(
        self,
        store: Store,
        community_id: int,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        session_id: int | None = None,
        report: str | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.community_id = community_id
        self.settings = settings
        self.today = today or dt.date.today()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._stop = threading.Event()
        self._running: ExportRequest | None = None
        self._building = False
        self.written: Path | None = None
        self._name_edited = False
        self._showing_problem = False
        self._jobs: list[_ExportJob] = []
        with store.session() as s:
            self.community_name = communities.get_community(s, community_id).name
            self._sessions = [r for r in sessions.list_sessions(s, community_id)]
        self.setWindowTitle("Export report")
        self.setObjectName("exportDialog")
        self._build_ui()
        chosen = report or str(settings.value(SETTINGS_REPORT, "overview"))
        index = self.report_combo.findData(chosen if chosen in REPORT_BY_KEY else "overview")
        self.report_combo.setCurrentIndex(max(0, index))
        if session_id is not None:
            i = self.session_combo.findData(session_id)
            if i >= 0:
                self.session_combo.setCurrentIndex(i)
        self._update()

    # -- building the form ---------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.report_combo = QComboBox()
        self.report_combo.setObjectName("reportCombo")
        for kind in REPORTS:
            self.report_combo.addItem(kind.label, kind.key)
        form.addRow("&Report:", self.report_combo)
        self.report_help = QLabel()
        self.report_help.setWordWrap(True)
        self.report_help.setObjectName("reportHelp")
        form.addRow("", self.report_help)

        self.session_combo = QComboBox()
        self.session_combo.setObjectName("sessionCombo")
        for r in reversed(self._sessions):
            self.session_combo.addItem(f"{r.starts_at:%Y-%m-%d} · {r.title} ({r.status})", r.id)
        self.session_label = QLabel("&Session:")
        self.session_label.setBuddy(self.session_combo)
        form.addRow(self.session_label, self.session_combo)

        self.period_box = QGroupBox("Period")
        grid = QGridLayout(self.period_box)
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("periodCombo")
        for key, label in PERIODS:
            self.period_combo.addItem(label, key)
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for edit, name in ((self.start_edit, "startEdit"), (self.end_edit, "endEdit")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.period_note = QLabel()
        self.period_note.setObjectName("periodNote")
        self.period_note.setWordWrap(True)
        grid.addWidget(self.period_combo, 0, 0, 1, 4)
        grid.addWidget(QLabel("From"), 1, 0)
        grid.addWidget(self.start_edit, 1, 1)
        grid.addWidget(QLabel("to"), 1, 2)
        grid.addWidget(self.end_edit, 1, 3)
        grid.addWidget(self.period_note, 2, 0, 1, 4)
        form.addRow(self.period_box)

        self.sections_box = QGroupBox("Sections")
        sections_grid = QGridLayout(self.sections_box)
        self.section_checks: dict[str, QCheckBox] = {}
        for i, key in enumerate(overview.SECTIONS):
            check = QCheckBox(overview.SECTION_TITLES[key])
            check.setObjectName(f"section_{key}")
            check.setChecked(True)
            self.section_checks[key] = check
            sections_grid.addWidget(check, i // 2, i % 2)
        form.addRow(self.sections_box)

        file_row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        self.browse_button = QPushButton("&Browse…")
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.file_edit)
        form.addRow(file_label, file_row)
        layout.addLayout(form)

        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)

        self.buttons = QDialogButtonBox()
        action = QDialogButtonBox.ButtonRole.ActionRole
        self.export_button = self.buttons.addButton("&Export", action)
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.open_button = self.buttons.addButton("&Open PDF", action)
        self.open_button.setObjectName("openButton")
        self.folder_button = self.buttons.addButton("Show in &folder", action)
        self.folder_button.setObjectName("folderButton")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelButton")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeButton")
        layout.addWidget(self.buttons)

        self.report_combo.currentIndexChanged.connect(self._report_changed)
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        self.start_edit.dateChanged.connect(self._dates_changed)
        self.end_edit.dateChanged.connect(self._dates_changed)
        self.file_edit.textEdited.connect(self._file_edited)
        self.browse_button.clicked.connect(self.browse)
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self.open_pdf)
        self.folder_button.clicked.connect(self.show_folder)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.close_button.clicked.connect(self.reject)
        for check in self.section_checks.values():
            check.toggled.connect(self._update)
        self._period_changed()

    # -- state -----------------------------------------------------------------------------
    def kind(self) -> ReportKind:
        return REPORT_BY_KEY[str(self.report_combo.currentData())]

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        key = str(self.period_combo.currentData())
        if key == "custom":
            return self.start_edit.date().toPython(), self.end_edit.date().toPython()  # type: ignore[return-value]
        if key == "all":
            return None, None
        return period_dates(key, self.today)

    def sections(self) -> tuple[str, ...]:
        return tuple(k for k, check in self.section_checks.items() if check.isChecked())

    def folder(self) -> Path:
        remembered = self.settings.value(SETTINGS_FOLDER, "")
        if isinstance(remembered, str) and remembered and Path(remembered).is_dir():
            return Path(remembered)
        documents = Path.home() / "Documents"
        return documents if documents.is_dir() else Path.home()

    def out_path(self) -> Path | None:
        text = self.file_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        if not path.name or text.endswith(("/", "\\")) or path.is_dir():
            return None  # a folder, not a file
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        return path

    def request(self) -> ExportRequest | None:
        out = self.out_path()
        if out is None:
            return None
        kind = self.kind()
        start, end = self.period() if kind.has_period else (None, None)
        session_id = self.session_combo.currentData() if kind.needs_session else None
        return ExportRequest(
            kind=kind.key,
            community_id=self.community_id,
            out=out,
            start=start,
            end=end,
            sections=self.sections() if kind.has_sections else None,
            session_id=int(session_id) if session_id is not None else None,
            today=self.today,
        )

    def is_running(self) -> bool:
        return self._running is not None

    # -- reacting to the form ------------------------------------------------------------
    def _report_changed(self) -> None:
        self._suggest_name()
        self._update()

    def _period_changed(self) -> None:
        key = str(self.period_combo.currentData())
        start, end = period_dates(key, self.today)
        custom = key == "custom"
        if not custom and start is not None and end is not None:
            for edit, day in ((self.start_edit, start), (self.end_edit, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        elif not custom and key == "all":
            pass
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        self._suggest_name()
        self._update()

    def _dates_changed(self) -> None:
        self._suggest_name()
        self._update()

    def _file_edited(self) -> None:
        self._name_edited = bool(self.file_edit.text().strip())
        self._update()

    def _suggest_name(self) -> None:
        if self._name_edited:
            return
        kind = self.kind()
        end = self.period()[1] if kind.has_period else None
        name = suggested_name(self.community_name, kind.key, end, self.today)
        self.file_edit.setText(str(self.folder() / name))

    def _update(self) -> None:
        kind = self.kind()
        running = self.is_running()
        self.report_help.setText(kind.help)
        self.session_label.setVisible(kind.needs_session)
        self.session_combo.setVisible(kind.needs_session)
        self.period_box.setVisible(kind.has_period)
        self.sections_box.setVisible(kind.has_sections)
        # "All time" only makes sense for the value log
        all_index = self.period_combo.findData("all")
        view = self.period_combo.view()
        if isinstance(view, QListView):
            view.setRowHidden(all_index, kind.key != "values")
        if kind.key != "values" and self.period_combo.currentData() == "all":
            self.period_combo.setCurrentIndex(0)
        problem = self._problem()
        if kind.has_period:
            start, end = self.period()
            if start is None or end is None:
                self.period_note.setText("Every value entry, whatever its date.")
            elif kind.key == "overview":
                days = (end - start).days + 1
                self.period_note.setText(
                    f"Compared with the {days} days before, "
                    f"{(start - dt.timedelta(days=days)).isoformat()} to "
                    f"{(start - dt.timedelta(days=1)).isoformat()}."
                )
            else:
                self.period_note.setText("")
        for widget in (self.report_combo, self.session_combo, self.period_box,
                       self.sections_box, self.file_edit, self.browse_button):  # fmt: skip
            widget.setEnabled(not running)
        self.export_button.setEnabled(not running and problem is None)
        self.export_button.setToolTip(problem or "")
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running and (kind.can_cancel or not self._building))
        self.close_button.setEnabled(not running)
        done = self.written is not None and self.written.exists() and not running
        self.open_button.setVisible(done)
        self.folder_button.setVisible(done)
        if not running and problem is not None:
            self.status.setText(problem)
            self._showing_problem = True
        elif not running and self._showing_problem:
            self.status.setText("")
            self._showing_problem = False

    def _problem(self) -> str | None:
        """Why Export is not possible yet (None: it is)."""
        kind = self.kind()
        if kind.needs_session and self.session_combo.count() == 0:
            return "This community has no session yet."
        if kind.has_sections and not self.sections():
            return "Choose at least one section."
        if kind.has_period:
            start, end = self.period()
            if start is not None and end is not None and start > end:
                return "The period starts after it ends."
        if self.out_path() is None:
            return "Choose the file to write (a name, not only a folder)."
        return None

    # -- actions ---------------------------------------------------------------------------
    def browse(self) -> None:
        current = self.out_path()
        suggested = str(current) if current else str(self.folder())
        path = dialogs.save_file(self, "Export the report as PDF", "PDF files (*.pdf)", suggested)
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.file_edit.setText(str(path))
        self._name_edited = True
        self._update()

    def export(self) -> None:
        """Check, then start the export on the worker thread."""
        if self.is_running():
            return
        request = self.request()
        problem = self._problem()
        if request is None or problem is not None:
            self.status.setText(problem or "Choose the file to write.")
            return
        if request.out.exists() and not dialogs.confirm(
            self, "Replace the file?", f"{request.out.name} already exists in "
            f"{request.out.parent}.", ok_text="Replace",
            informative="The earlier file is kept until the new report is complete.",
        ):  # fmt: skip
            return
        self.settings.setValue(SETTINGS_REPORT, request.kind)
        self._start(request)

    def _start(self, request: ExportRequest) -> None:
        self._stop = threading.Event()
        self._running = request
        self._building = False
        self.written = None
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)  # busy until the report says how far it got
        self.status.setText("Checking that every character can be printed…"
                            if request.check_coverage else "Preparing the report…")  # fmt: skip
        job = _ExportJob(self.store, request, self._stop)
        job.signals.progress.connect(self._on_progress)
        job.signals.building.connect(self._on_building)
        job.signals.coverage.connect(self._on_coverage)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)
        self._jobs = [*self._jobs[-4:], job]  # only one runs at a time
        self._update()
        self.pool.start(job)

    def cancel_export(self) -> None:
        if not self.is_running():
            return
        self._stop.set()
        self.status.setText("Cancelling…")
        self.cancel_button.setEnabled(False)

    def open_pdf(self) -> None:
        if self.written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written)))

    def show_folder(self) -> None:
        if self.written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written.parent)))

    def wait_for_export(self, msecs: int = 30000) -> bool:
        """Block until the worker is idle (for tests and for closing)."""
        return bool(self.pool.waitForDone(msecs))

    # -- worker signals --------------------------------------------------------------------
    def _on_building(self) -> None:
        self._building = True
        kind = REPORT_BY_KEY[self._running.kind] if self._running else self.kind()
        if kind.can_cancel:
            self.progress.setRange(0, 1000)
            self.progress.setValue(0)
            self.status.setText(f"Writing the {kind.label.lower()}…")
        else:
            self.status.setText(
                f"Writing the {kind.label.lower()}… This report cannot be cancelled once it "
                "has started; it takes a few seconds."
            )
        self._update()

    def _on_progress(self, share: float) -> None:
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1000)
        self.progress.setValue(round(1000 * max(0.0, min(1.0, share))))

    def _finish(self) -> None:
        self._running = None
        self._building = False
        self.progress.setVisible(False)
        self.progress.setRange(0, 1000)

    def _on_coverage(self, message: str) -> None:
        request = self._running
        self._finish()
        self._update()
        if request is None:
            return
        if dialogs.confirm(self, "Some characters cannot be printed", message,
                           ok_text="Export anyway",
                           informative="They would appear as empty boxes in the PDF."):  # fmt: skip
            self._start(replace(request, check_coverage=False))
        else:
            self.status.setText("Not exported: " + message)

    def _on_finished(self, path: str) -> None:
        self._finish()
        self.written = Path(path)
        self.settings.setValue(SETTINGS_FOLDER, str(self.written.parent))
        self.status.setText(f"Saved to {self.written}")
        self._update()
        self.open_button.setFocus()

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.status.setText(f"Not exported: {message}")
        self._update()
        dialogs.error(self, "The report was not written", message[:1].upper() + message[1:] + ".")

    def _on_cancelled(self) -> None:
        self._finish()
        self.status.setText("Export cancelled; no file was written.")
        self._update()

    # -- closing ---------------------------------------------------------------------------
    def reject(self) -> None:
        if self.is_running():
            if self.kind().can_cancel or not self._building:
                self.cancel_export()
                self.wait_for_export()
            else:
                self.status.setText("The report is being written; close when it is done.")
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_running() and not (self.kind().can_cancel or not self._building):
            event.ignore()
            return
        super().closeEvent(event)
