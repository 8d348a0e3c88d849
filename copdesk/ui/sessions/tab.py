"""The Sessions tab: plan sessions offline, run them in the room, and log what happened."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from copdesk.data import session_queries, sessions
from copdesk.data.changes import Change
from copdesk.data.sessions import SessionData, SessionRow, SessionSnapshot, Template
from copdesk.data.store import ConflictError, Store, StoreError
from copdesk.data.validation import ValidationError
from copdesk.framework import SESSION_MODES, SESSION_SPACES, SESSION_STATUSES, term_label
from copdesk.ui import conflicts, dialogs
from copdesk.ui.icons import icon
from copdesk.ui.rows import make_table
from copdesk.ui.sessions.actions import ActionsView, OutcomesView
from copdesk.ui.sessions.agenda import AgendaEditor
from copdesk.ui.sessions.attendance import AttendanceView, DriftingMembersView
from copdesk.ui.sessions.calendar import SessionCalendar
from copdesk.ui.sessions.common import (
    MUTED,
    NO_FACILITATOR,
    WARN,
    Clock,
    MemberDirectory,
    local_time_note,
    local_zone_name,
    status_label,
    system_now,
)
from copdesk.ui.sessions.coverage import CoverageView
from copdesk.ui.sessions.editor import SessionForm
from copdesk.ui.sessions.model import ROW_ROLE, Column, SessionFilterProxy, SessionTableModel
from copdesk.ui.sessions.run_mode import RunModeWindow
from copdesk.ui.tabs import TabPage
from copdesk.ui.undo import perform_done
from copdesk.ui.workspace import Workspace

THIS_ONLY = "This session only"
THIS_AND_FOLLOWING = "This and the following sessions of the series"

PLAN, COVERAGE, ACTIONS, DRIFTING = 0, 1, 2, 3
AGENDA, ATTENDANCE, OUTCOMES = 0, 1, 2

WIDTHS = {
    Column.WHEN: 172, Column.TIME: 150, Column.TITLE: 200, Column.STATUS: 72,
    Column.SPACE: 62, Column.MODE: 72, Column.AGENDA: 100, Column.FACILITATORS: 150,
    Column.ATTENDANCE: 70,
}
HIDDEN = (
    Column.TIME, Column.MODE, Column.SPACE, Column.SERIES, Column.FACILITATORS, Column.ATTENDANCE
)


class TemplateNameDialog(QDialog):
    """Name (and describe) a template made from a session's agenda."""

    def __init__(self, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateNameDialog")
        self.setWindowTitle("Save agenda as template")
        self.name_edit = QLineEdit(suggested)
        self.name_edit.setObjectName("templateName")
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("templateDescription")
        self.description_edit.setPlaceholderText("What this format is good for")
        self.error = QLabel()
        self.error.setObjectName("templateError")
        self.error.setStyleSheet(f"color: {WARN};")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        form.addRow("", self.error)
        form.addRow("Description:", self.description_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.submit: Any = None

    def accept(self) -> None:
        if self.submit is not None:
            try:
                self.submit(self.name_edit.text(), self.description_edit.text())
            except ValidationError as exc:
                self.error.setText("; ".join(exc.errors.values()))
                self.error.show()
                return
        super().accept()


class WrappedLines(QWidget):
    """A box of word-wrapped lines that is always as tall as its lines need.

    Layouts size a wrapped label by a guessed width, so a narrow column clipped or
    overlapped the rhythm lines; this box asks its layout for the height at its real
    width whenever the width or the text changes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # its style sheet's box

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        height = layout.heightForWidth(self.width())
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)


class SessionsTab(TabPage):
    #: "Log value" on a held session: the main window opens the Value tab's form with it.
    log_value_requested = Signal(int)

    """Plan, run and log the community's sessions."""

    title = "Sessions"
    icon_name = "sessions"

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, clock: Clock = system_now
    ) -> None:
        super().__init__(workspace, parent)
        self.setObjectName("sessionsTab")
        self.clock = clock
        self.directory = MemberDirectory()
        self.run_window: RunModeWindow | None = None
        self._init_models()
        self._init_actions()
        self._init_widgets()
        self._init_layout()
        self._connect()
        self._update_actions()

    # -- building --------------------------------------------------------------------------
    def _init_models(self) -> None:
        self.model = SessionTableModel(self, clock=lambda: self.clock())
        self.proxy = SessionFilterProxy(self)
        self.proxy.setSourceModel(self.model)

    def _action(self, text: str, icon_name: str, tip: str, shortcut: str = "") -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip += f" ({shortcut})"
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _init_actions(self) -> None:
        self.new_action = self._action(
            "New session…", "add", "Plan a session, blank or from a template", "Ctrl+N")
        self.series_action = self._action(
            "New series…", "sessions", "Plan a series of sessions: the community's rhythm",
            "Ctrl+Shift+N")
        self.edit_action = self._action("Edit…", "edit", "Edit the selected session")
        self.delete_action = self._action("Delete", "delete", "Delete the selected session")
        self.template_action = self._action(
            "Save as template…", "export", "Save this session's agenda as a template")
        self.log_value_action = self._action(
            "Log value…", "value", "Log the value this held session created", "Ctrl+L")
        self.run_action = self._action(
            "Run mode", "", "Open the room view of this session's agenda", "F5")

    def _init_widgets(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("sessionFilter")
        self.filter_edit.setPlaceholderText("Filter by title, purpose, facilitator… (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem("All statuses", "")
        for term in SESSION_STATUSES:
            self.status_filter.addItem(term.label, term.key)
        self.space_filter = QComboBox()
        self.space_filter.setObjectName("spaceFilter")
        self.space_filter.addItem("Public and private", "")
        for term in SESSION_SPACES:
            self.space_filter.addItem(f"{term.label} only", term.key)
            self.space_filter.setItemData(self.space_filter.count() - 1, term.help,
                                          Qt.ItemDataRole.ToolTipRole)
        self.count_label = QLabel()
        self.count_label.setObjectName("sessionCount")
        self.count_label.setStyleSheet(f"color: {MUTED};")
        self.rhythm_label = QLabel()
        self.rhythm_label.setObjectName("rhythmLine")
        self.rhythm_label.setWordWrap(True)
        self.rhythm_label.setTextFormat(Qt.TextFormat.PlainText)
        self.next_label = QLabel()
        self.next_label.setObjectName("nextPlanned")
        self.next_label.setTextFormat(Qt.TextFormat.PlainText)
        self.next_label.setWordWrap(True)

        self.table = make_table(
            self.proxy, "sessionTable", sort=(Column.WHEN, Qt.SortOrder.AscendingOrder),
            row_height=25, widths=WIDTHS.items(), hidden=HIDDEN,
        )  # fmt: skip
        self.calendar = SessionCalendar()

        self.heading = QLabel()
        self.heading.setObjectName("sessionHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600; color: #1f3a4d;")
        self.info = QLabel()
        self.info.setObjectName("sessionInfo")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.agenda = AgendaEditor(self.workspace, self.directory)
        self.attendance = AttendanceView(self.workspace, self.directory)
        self.outcomes = OutcomesView(self.workspace)
        self.session_actions = ActionsView(self.workspace, self.directory)
        self.all_actions = ActionsView(self.workspace, self.directory, across=True)
        self.coverage = CoverageView()
        self.drifting = DriftingMembersView()

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    def _init_layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.setSpacing(2)
        for action in (self.new_action, self.series_action, self.edit_action,
                       self.delete_action):
            toolbar.addWidget(self._button(action))
        toolbar.addSpacing(12)
        for action in (self.template_action, self.run_action, self.log_value_action):
            toolbar.addWidget(self._button(action))
        toolbar.addStretch(1)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.space_filter)

        rhythm = self.rhythm_box = WrappedLines()
        rhythm.setObjectName("rhythmBox")
        rhythm.setStyleSheet("QWidget#rhythmBox { background: #f2f6f7; border-radius: 6px; }")
        rbox = QVBoxLayout(rhythm)
        rbox.setContentsMargins(8, 5, 8, 5)
        rbox.setSpacing(1)
        rbox.addWidget(self.count_label)
        rbox.addWidget(self.rhythm_label)
        rbox.addWidget(self.next_label)

        self.left_split = QSplitter(Qt.Orientation.Vertical)
        self.left_split.setObjectName("sessionListSplitter")
        self.left_split.addWidget(self.table)
        self.left_split.addWidget(self.calendar)
        self.left_split.setStretchFactor(0, 3)
        self.left_split.setStretchFactor(1, 2)
        self.left_split.setChildrenCollapsible(False)
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addLayout(filters)
        lbox.addWidget(rhythm)
        lbox.addWidget(self.left_split, 1)

        outcomes_page = QSplitter(Qt.Orientation.Vertical)
        outcomes_page.setObjectName("outcomesSplitter")
        outcomes_page.addWidget(self.outcomes)
        actions_box = QWidget()
        abox = QVBoxLayout(actions_box)
        abox.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Follow-up actions")
        title.setStyleSheet("font-weight: 600;")
        abox.addWidget(title)
        abox.addWidget(self.session_actions)
        outcomes_page.addWidget(actions_box)
        outcomes_page.setSizes([330, 330])
        self.details = QTabWidget()
        self.details.setObjectName("sessionDetails")
        self.details.setDocumentMode(True)
        self.details.addTab(self.agenda, "Agenda")
        self.details.addTab(self.attendance, "Attendance")
        self.details.addTab(outcomes_page, "Outcomes and actions")
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(6, 0, 0, 0)
        rlay.addWidget(self.heading)
        rlay.addWidget(self.info)
        rlay.addWidget(self.details, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("sessionSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([560, 720])
        self.splitter.setChildrenCollapsible(False)

        self.views = QTabWidget()
        self.views.setObjectName("sessionViews")
        self.views.setDocumentMode(True)
        self.views.addTab(self.splitter, icon("sessions"), "Plan and log")
        self.views.addTab(self.coverage, icon("reach"), "Function coverage")
        self.views.addTab(self.all_actions, icon("edit"), "Open actions")
        self.views.addTab(self.drifting, icon("members"), "Drifting members")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(toolbar)
        layout.addWidget(self.views, 1)

    def _connect(self) -> None:
        self.follow_workspace(self.reload, self._on_store_changes)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_status(str(self.status_filter.currentData())))
        self.space_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_space(str(self.space_filter.currentData())))
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved):
            signal.connect(lambda *_: self._list_changed())
        self.proxy.modelReset.connect(self._list_changed)
        self.proxy.layoutChanged.connect(lambda *_: self._update_counts())
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.activated.connect(lambda _i: self.edit_selected())
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.calendar.clicked.connect(self._calendar_clicked)
        self.calendar.activated.connect(self._calendar_clicked)
        self.new_action.triggered.connect(lambda: self.new_session())
        self.series_action.triggered.connect(lambda: self.new_session(as_series=True))
        self.edit_action.triggered.connect(self.edit_selected)
        self.delete_action.triggered.connect(self.delete_selected)
        self.template_action.triggered.connect(self.save_template)
        self.run_action.triggered.connect(self.start_run_mode)
        self.log_value_action.triggered.connect(self._request_log_value)
        self.views.currentChanged.connect(lambda _i: self._refresh_view())

    # -- following the store ---------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.workspace.store

    @property
    def community_id(self) -> int | None:
        return self.workspace.community_id

    def reload(self) -> None:
        self.directory.load(self.store, self.community_id)
        self.model.set_source(self.store, self.community_id)
        self.coverage.today = lambda: self.clock().date()
        self.all_actions.today = lambda: self.clock().date()
        self.session_actions.today = lambda: self.clock().date()
        self.drifting.today = lambda: self.clock().date()
        self.coverage.store = self.store
        self.coverage.community_id = self.community_id
        self.drifting.store = self.store
        self.drifting.community_id = self.community_id
        self.all_actions.refresh(reset=True)
        self._refresh_view()
        # The list, counts and rhythm were brought up to date by the model's reset
        # (proxy.modelReset): reading the rhythm again would cost a second query.
        if self.current_row() is None and self.proxy.rowCount():
            # Open on the next planned session (the list shows upcoming ones first).
            self.table.selectRow(0)
        self._on_selection()

    def _on_store_changes(self, recorded: list[object]) -> None:
        changes = [c for c in recorded if isinstance(c, Change)]
        mine = [c for c in changes if c.community_id in (None, self.community_id)]
        if not mine:
            return
        if any(c.entity == "member" for c in mine):
            self.directory.load(self.store, self.community_id)
        self.model.on_changes(mine)
        self._show_details(keep=True)
        self.agenda.on_changes(mine)
        self.attendance.on_changes(mine)
        self.outcomes.on_changes(mine)
        self.session_actions.on_changes(mine)
        self.all_actions.on_changes(mine)
        self._list_changed()
        self._refresh_view()

    def _refresh_view(self) -> None:
        current = self.views.currentIndex()
        if current == COVERAGE:
            self.coverage.refresh()
        elif current == DRIFTING:
            self.drifting.refresh()

    def _list_changed(self) -> None:
        self.calendar.set_sessions(self.model.all_rows())
        self._update_counts()
        self._update_rhythm()

    def _update_counts(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "session" if total == 1 else "sessions"
        upcoming = sum(1 for r in self.model.all_rows()
                       if r.status == "planned" and self.model.is_upcoming(r))
        text = f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}"
        self.count_label.setText(f"{text} · {upcoming} upcoming")

    def _update_rhythm(self) -> None:
        if self.store is None or self.community_id is None:
            self.rhythm_label.setText("")
            self.next_label.setText("")
            return
        try:
            with self.store.session() as session:
                rhythm = sessions.rhythm(session, self.community_id, now=self.clock())
        except StoreError:
            return
        regular = rhythm.regularity
        colour = "#1e7b4a" if regular is None or regular >= 0.75 else (
            "#b9770e" if regular >= 0.5 else WARN)
        self.rhythm_label.setText("Rhythm: " + rhythm.message())
        self.rhythm_label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        nxt = rhythm.next_planned
        if nxt is None:
            self.next_label.setText("No session planned: plan the next one to keep the rhythm.")
            self.next_label.setStyleSheet(f"color: {WARN};")
        else:
            days = (nxt.starts_at.date() - self.clock().date()).days
            when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
            self.next_label.setText(
                f"Next planned: {nxt.title}, {nxt.starts_at:%a %d %b %Y %H:%M} "
                f"{nxt.time_zone} ({when})"
            )
            self.next_label.setStyleSheet(f"color: {MUTED};")
        self.rhythm_box.fit()

    # -- selection -------------------------------------------------------------------------
    def _request_log_value(self) -> None:
        row = self.current_row()
        if row is not None and row.status == "held":
            self.log_value_requested.emit(row.id)

    def current_row(self) -> SessionRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return row if isinstance(row, SessionRow) else None

    def select_session(self, session_id: int) -> bool:
        pos = self.model.row_of(session_id)
        if pos < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _on_selection(self, *_args: QItemSelection) -> None:
        self._show_details(keep=False)
        row = self.current_row()
        if row is not None:
            d = row.starts_at.date()
            self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
        self._update_actions()

    def _show_details(self, *, keep: bool) -> None:
        row = self.current_row()
        if row is None:
            self.heading.setText("No session chosen" if self.model.rowCount()
                                 else "No sessions yet")
            self.info.setText(
                "Choose a session in the list or the calendar."
                if self.model.rowCount() else
                "Plan the first session (Ctrl+N), start one from a template, or plan a "
                "series to give the community its rhythm (Ctrl+Shift+N)."
            )
            self.info.setStyleSheet(f"color: {MUTED};")
        else:
            self.heading.setText(row.title)
            self.info.setText(describe(row))
            self.info.setStyleSheet("color: #2c3e50;")
        self.agenda.set_session(row)
        self.attendance.set_session(row)
        self.outcomes.set_session(row)
        self.session_actions.set_session(row)
        self._update_actions()

    def _calendar_clicked(self, date: QDate) -> None:
        day = dt.date(date.year(), date.month(), date.day())
        rows = self.calendar.sessions_on(day)
        if rows and not self.select_session(rows[0].id):
            # Hidden by the filters: show all again so the chosen session can be seen.
            self.filter_edit.clear()
            self.status_filter.setCurrentIndex(0)
            self.space_filter.setCurrentIndex(0)
            self.select_session(rows[0].id)

    def _update_actions(self) -> None:
        has = self.community_id is not None and self.store is not None
        row = self.current_row()
        self.new_action.setEnabled(has)
        self.series_action.setEnabled(has)
        self.edit_action.setEnabled(row is not None)
        self.delete_action.setEnabled(row is not None)
        self.template_action.setEnabled(row is not None and row.block_count > 0)
        self.run_action.setEnabled(row is not None and row.block_count > 0)
        self.log_value_action.setEnabled(row is not None and row.status == "held")

    # -- TabPage -----------------------------------------------------------------------------
    def focus_filter(self) -> bool:
        self.views.setCurrentIndex(PLAN)
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()
        return True

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("sessions/splitter", self.splitter.saveState())
        settings.setValue("sessions/listSplitter", self.left_split.saveState())
        settings.setValue("sessions/header", self.table.horizontalHeader().saveState())
        settings.setValue("sessions/view", self.views.currentIndex())
        settings.setValue("sessions/details", self.details.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        for key, widget in (("sessions/splitter", self.splitter),
                            ("sessions/listSplitter", self.left_split)):
            value = settings.value(key)
            if value is not None:
                widget.restoreState(value)
        header = settings.value("sessions/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        for key, tabs in (("sessions/view", self.views), ("sessions/details", self.details)):
            value = settings.value(key, 0, type=int)
            if isinstance(value, int) and 0 <= value < tabs.count():
                tabs.setCurrentIndex(value)

    # -- commands -----------------------------------------------------------------------------
    def _ready(self) -> tuple[Store, int] | None:
        if self.store is None or self.community_id is None:
            return None
        return self.store, self.community_id

    def _templates(self, store: Store, cid: int) -> list[Template]:
        try:
            with store.session() as session:
                return sessions.list_templates(session, cid)
        except StoreError:
            return list(sessions.STARTER_TEMPLATES)

    def _default_zone(self) -> str:
        zones = Counter(r.time_zone for r in self.model.all_rows())
        return zones.most_common(1)[0][0] if zones else local_zone_name()

    def new_session(self, *, as_series: bool = False) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        created: list[int] = []

        def submit(form: SessionForm) -> None:
            data = form.session_data()
            template = form.template()
            blocks = list(template.blocks) if template else []
            rule = form.series_rule()
            if rule is not None:
                series_id, ids = store.run(sessions.create_series, cid, rule, data, blocks)
                held: dict[str, Any] = {}

                def undo() -> None:
                    held["snap"] = store.run(session_queries.delete_series, series_id)

                perform_done(
                    self.workspace.undo_stack,
                    f"Plan the series “{data.title.strip()}” ({len(ids)} sessions)",
                    undo=undo,
                    redo=lambda: store.run(session_queries.restore_series, held["snap"]),
                )
                created.extend(ids)
                return
            sid = store.run(sessions.create_session, cid, data, blocks)
            snap = store.run(sessions.snapshot_session, sid)
            perform_done(
                self.workspace.undo_stack,
                f"Plan “{snap.data.title}”",
                undo=lambda: store.run(sessions.delete_session, sid),
                redo=lambda: store.run(sessions.restore_session, snap),
            )
            created.append(sid)

        form = SessionForm(
            submit,
            directory=self.directory,
            templates=self._templates(store, cid),
            as_series=as_series,
            default_zone=self._default_zone(),
            default_start=(self.clock() + dt.timedelta(days=7)).replace(
                hour=14, minute=0, second=0, microsecond=0),
            parent=self,
        )
        if self._run_form(form) and created:
            self.views.setCurrentIndex(PLAN)
            self.select_session(created[0])

    def edit_selected(self) -> None:
        ready = self._ready()
        row = self.current_row()
        if ready is None or row is None:
            return
        store, _cid = ready
        sid = row.id
        try:
            with store.session() as session:
                data = sessions.session_data(session, sid)
                version = sessions.get_session(session, sid).version
                later = session_queries.later_in_series(session, sid)
                # What the form starts from, to put the session back if someone deletes it.
                opened = sessions.snapshot_session(session, sid)
        except (StoreError, LookupError) as exc:
            self._refresh_rows((sid,))
            dialogs.error(self, "Cannot edit this session", str(exc))
            return
        held: dict[str, str] = {}

        def load_current() -> tuple[SessionData, int] | None:
            self._refresh_rows((sid,))
            with store.session() as session:
                try:
                    current = sessions.get_session(session, sid)
                    return sessions.session_data(session, sid), current.version
                except LookupError:
                    return None

        def submit(form: SessionForm) -> None:
            new = form.session_data()
            if form.recreate:
                before = store.run(_recreate_session, opened, new)
                text = f"Re-create “{new.title.strip()}”"
                ids = [sid]
            else:
                if new == form.initial and form.expected_version is not None:
                    return
                scope = held.get("scope", THIS_ONLY)
                if later and "scope" not in held:
                    choice = dialogs.choose(
                        self,
                        "Edit a session of a series",
                        f"“{row.title}” is part of the series “{row.series_title}”, with "
                        f"{len(later)} planned session{'s' if len(later) != 1 else ''} after "
                        "it. Apply the changes to:",
                        [THIS_ONLY, THIS_AND_FOLLOWING],
                    )
                    if choice is None:
                        raise ValidationError({"series": "Not saved yet: choose whether the "
                                                         "changes apply to the following "
                                                         "sessions"})
                    scope = held["scope"] = choice  # asked once, also after a conflict
                ids = [sid, *later] if scope == THIS_AND_FOLLOWING else [sid]
                try:
                    before = store.run(
                        _update_checked, sid, new, ids, scope == THIS_AND_FOLLOWING,
                        form.expected_version,
                    )
                except LookupError:  # gone, and no version to check: offer to re-create
                    raise ConflictError(
                        "Someone else deleted this session while you were editing it.",
                        entity="session", row_id=sid,
                    ) from None
                except ConflictError:
                    self._refresh_rows(tuple(ids))
                    raise
                if scope == THIS_AND_FOLLOWING:
                    text = f"Edit “{new.title.strip()}” and the {len(later)} following"
                else:
                    text = f"Edit “{new.title.strip()}”"
            after = store.run(session_queries.snapshot_sessions, ids)
            perform_done(
                self.workspace.undo_stack,
                text,
                undo=lambda: store.run(_put_back, ids, before),
                redo=lambda: store.run(session_queries.restore_sessions, after),
            )

        form = SessionForm(
            submit,
            directory=self.directory,
            data=data,
            series_title=row.series_title,
            default_zone=row.time_zone,
            expected_version=version,
            load_current=load_current,
            parent=self,
        )
        self._run_form(form)

    def _refresh_rows(self, ids: tuple[int, ...]) -> None:
        """Show the store's rows for ``ids`` now (after a conflict), selection kept."""
        cid = self.community_id
        if cid is not None:
            self.model.on_changes([Change("session", "update", ids, cid)])

    def _run_form(self, form: QDialog) -> bool:
        try:
            return dialogs.run(form)
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "The change was not saved", str(exc))
            return False
        finally:
            form.deleteLater()

    def delete_selected(self) -> None:
        ready = self._ready()
        row = self.current_row()
        if ready is None or row is None:
            return
        store, _cid = ready
        details = []
        if row.block_count:
            details.append(f"its agenda of {row.block_count} blocks")
        if row.invited:
            details.append(f"the attendance of {row.invited} members")
        informative = ("This also removes " + " and ".join(details) + ". " if details else "")
        if not dialogs.confirm(
            self,
            "Delete session",
            f"Delete “{row.title}” on {row.starts_at:%a %d %b %Y}?",
            ok_text="Delete",
            informative=informative + "You can undo this with Ctrl+Z.",
            destructive=True,
        ):
            return
        sid = row.id
        try:
            snap = _delete_as_seen(store, row)
        except ConflictError as exc:
            self._refresh_rows((sid,))
            if not self._confirm_delete_conflict(exc, row):
                return
            try:
                snap = store.run(sessions.delete_session, sid)
            except (StoreError, LookupError) as again:
                dialogs.error(self, "Nothing was deleted", str(again))
                return
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "Nothing was deleted", str(exc))
            return
        perform_done(
            self.workspace.undo_stack,
            f"Delete “{row.title}”",
            undo=lambda: store.run(sessions.restore_session, snap),
            redo=lambda: store.run(sessions.delete_session, sid),
        )

    def _confirm_delete_conflict(self, exc: ConflictError, seen: SessionRow) -> bool:
        """Someone else changed or deleted the session being deleted: delete anyway?"""
        current = exc.current if isinstance(exc.current, SessionRow) else None
        name = f"“{seen.title}”"
        if current is None:
            self._status(f"Someone else already deleted {name}")
            dialogs.information(self, "Nothing to delete", f"Someone else already deleted {name}.")
            return False
        dialog = conflicts.ConflictDialog(
            conflicts.delete_headline(name, False, "session"),
            ROW_LABELS,
            describe_row(seen),
            describe_row(current),
            what="session",
            overwrite_text="Delete anyway",
            reload_text="Keep it",
            mine_title="What you saw",
            parent=self,
        )
        return conflicts.ask(dialog) == conflicts.OVERWRITE

    def save_template(self) -> None:
        ready = self._ready()
        row = self.current_row()
        if ready is None or row is None:
            return
        store, _cid = ready
        sid = row.id
        held: dict[str, int] = {}

        def submit(name: str, description: str) -> None:
            tid = store.run(sessions.save_template, sid, name, description=description)
            held["id"] = tid

            def redo() -> None:
                held["id"] = store.run(sessions.save_template, sid, name,
                                       description=description)

            perform_done(
                self.workspace.undo_stack,
                f"Save template “{name.strip()}”",
                undo=lambda: store.run(sessions.delete_template, held["id"]),
                redo=redo,
            )

        dialog = TemplateNameDialog(row.title, self)
        dialog.submit = submit
        try:
            if dialogs.run(dialog) and "id" in held:
                self._status(f"Saved the agenda of “{row.title}” as a template")
        except StoreError as exc:
            dialogs.error(self, "The template was not saved", str(exc))
        finally:
            dialog.deleteLater()

    def make_run_window(self, row: SessionRow) -> RunModeWindow | None:
        """Build (not show) the run-mode window for ``row``; None if it has no agenda."""
        store = self.store
        if store is None:
            return None
        try:
            with store.session() as session:
                blocks = [b.to_data() for b in sessions.list_blocks(session, row.id)]
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "Cannot open run mode", str(exc))
            return None
        if not blocks:
            dialogs.information(self, "Run mode", f"“{row.title}” has no agenda yet: add "
                                                  "blocks before running it.")
            return None
        return RunModeWindow(row, blocks, self.directory, clock=self.clock, parent=self)

    def start_run_mode(self) -> RunModeWindow | None:
        row = self.current_row()
        if row is None:
            return None
        if self.run_window is not None:
            self.run_window.close()
            self.run_window.deleteLater()
        self.run_window = self.make_run_window(row)
        if self.run_window is not None:
            self.run_window.show()
            if QGuiApplication.platformName() != "offscreen":
                self.run_window.raise_()
                self.run_window.activateWindow()
        return self.run_window

    def _status(self, message: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(message, 8000)


def _delete_as_seen(store: Store, seen: SessionRow) -> SessionSnapshot:
    """Delete the session if it is still as the user saw it; ConflictError if not.

    A list row's version can lag behind the store while its content is unchanged (e.g.
    after the outcomes were written, which the row does not show); that is no conflict,
    so the delete is retried against the version the store has, if its row equals.
    """
    version = seen.version
    for _ in range(3):
        try:
            return store.run(sessions.delete_session, seen.id, expected_version=version)
        except ConflictError as exc:
            if exc.current != seen or exc.current_version is None:
                raise
            version = exc.current_version
    return store.run(sessions.delete_session, seen.id, expected_version=version)


def _update_checked(
    session: Session,
    session_id: int,
    data: SessionData,
    ids: list[int],
    following: bool,
    expected_version: int | None,
) -> tuple[SessionSnapshot, ...]:
    """Save the form in one transaction: the snapshots of ``ids`` before, for undo.

    The session is checked against ``expected_version`` before anything is written.
    """
    before = session_queries.snapshot_sessions(session, ids)
    if following:
        sessions.update_rest_of_series(
            session, session_id, data, expected_version=expected_version
        )
    else:
        sessions.update_session(session, session_id, data, expected_version=expected_version)
    return before


def _recreate_session(
    session: Session, snap: SessionSnapshot, data: SessionData
) -> tuple[SessionSnapshot, ...]:
    """Put back a session someone else deleted (same id, agenda and attendance), with
    ``data``; nothing before (for undo: delete it again)."""
    sessions.restore_session(session, snap)
    session.flush()
    sessions.update_session(session, snap.id, data)
    return ()


def _put_back(
    session: Session, ids: list[int], before: tuple[SessionSnapshot, ...]
) -> None:
    """Undo an edit: the sessions as in ``before``; one re-created (not in it) goes again."""
    known = {snap.id for snap in before}
    for sid in ids:
        if sid not in known:
            sessions.delete_session(session, sid)
    session_queries.restore_sessions(session, before)


#: The fields of a session row as a delete conflict shows them, in display order.
ROW_LABELS: dict[str, str] = {
    "title": "Title",
    "when": "When",
    "where": "Mode and place",
    "space": "Space",
    "status": "Status",
    "facilitators": "Facilitators",
    "agenda": "Agenda",
    "attendance": "Attendance",
    "purpose": "Purpose",
}


def describe_row(row: SessionRow) -> dict[str, str]:
    """A session row's fields as people read them (for a delete conflict)."""
    return {
        "title": row.title,
        "when": f"{row.starts_at:%a %Y-%m-%d %H:%M}–{row.ends_at:%H:%M} {row.time_zone}",
        "where": term_label(SESSION_MODES, row.mode)
        + (f": {row.location}" if row.location else ""),
        "space": term_label(SESSION_SPACES, row.space),
        "status": status_label(row.status),
        "facilitators": ", ".join(row.facilitators) or "(none)",
        "agenda": f"{row.block_count} blocks, {row.agenda_minutes} min",
        "attendance": f"{row.invited} invited, {row.attended} attended",
        "purpose": row.purpose or "(empty)",
    }


def describe(row: SessionRow) -> str:
    """The session's when, where and who, for the detail header."""
    end = row.ends_at
    note = local_time_note(row.starts_at, row.time_zone)
    when = (f"{row.starts_at:%a %d %b %Y, %H:%M}–{end:%H:%M} {row.time_zone}"
            + (f" {note}" if note else ""))
    where = term_label(SESSION_MODES, row.mode) + (f": {row.location}" if row.location else "")
    space = next((f"{t.label} space ({t.help.lower()})" for t in SESSION_SPACES
                  if t.key == row.space), row.space)
    who = ("Facilitators: " + ", ".join(row.facilitators)) if row.facilitators else NO_FACILITATOR
    parts = [status_label(row.status), space, who]
    if row.series_title:
        parts.append(f"Series: {row.series_title}")
    lines = [when + " · " + where, " · ".join(parts)]
    if row.purpose:
        lines.append(row.purpose)
    return "\n".join(lines)


__all__ = ["SessionData", "SessionsTab"]
