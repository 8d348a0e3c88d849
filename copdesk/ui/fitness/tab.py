"""The Fitness tab: score the community's health with evidence, and follow it over time.

Left, the assessments (newest first) and the scores of the one chosen; right, its
questionnaire and the history (trend per dimension, two assessments compared). Every change
is saved at once and is one step on the window's undo stack; typed evidence merges into one
step per stretch of typing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtGui import QUndoCommand as _QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from copdesk.data import fitness, members
from copdesk.data import sessions as S
from copdesk.data.changes import Change
from copdesk.data.fitness import AnswerData, AssessmentSnapshot, AssessmentView, OpenAction
from copdesk.data.models import Assessment
from copdesk.data.store import ConflictError, Store, StoreError
from copdesk.data.validation import ValidationError
from copdesk.framework import CHECKLISTS, NOT_ASSESSED, score_label
from copdesk.ui import conflicts, dialogs
from copdesk.ui.fitness.common import (
    BAND_BACKGROUNDS,
    BAND_COLOURS,
    MUTED,
    WARN,
    date_text,
    score_text,
)
from copdesk.ui.fitness.dialogs import AssessmentDialog, Details, SessionPickerDialog
from copdesk.ui.fitness.history import HistoryView
from copdesk.ui.fitness.model import (
    ROW_ROLE,
    AssessmentProxy,
    AssessmentTableModel,
    Column,
    DimensionScoreModel,
    ScoreColumn,
)
from copdesk.ui.fitness.questionnaire import QuestionCard, QuestionnaireView
from copdesk.ui.icons import icon
from copdesk.ui.rows import make_table
from copdesk.ui.tabs import TabPage
from copdesk.ui.undo import StoreCommand, perform_done
from copdesk.ui.workspace import Workspace

QUESTIONNAIRE, HISTORY = 0, 1
#: QUndoCommand id shared by evidence edits that may merge (same question, same stretch).
EVIDENCE_MERGE_ID = 4404

WHAT_TEXT: dict[str, str] = {
    "evidence": "Evidence",
    "action": "Agreed action",
    "done": "Action done",
    "links": "Evidence links",
}


class AnswerCommand(StoreCommand):
    """A saved answer; consecutive saves of the same typing stretch merge into one step."""

    def __init__(
        self,
        text: str,
        *,
        redo: Callable[[], Any],
        undo: Callable[[], Any],
        merge_key: tuple[object, ...] | None = None,
    ) -> None:
        super().__init__(text, redo=redo, undo=undo, done=True)
        self.merge_key = merge_key

    def id(self) -> int:
        return EVIDENCE_MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: _QUndoCommand) -> bool:
        if not isinstance(other, AnswerCommand) or other.merge_key != self.merge_key:
            return False
        self._redo = other._redo  # undo stays: back to before the first keystroke
        return True


def _normalised(data: AnswerData) -> AnswerData:
    return AnswerData(
        data.score, data.evidence.strip(), data.action.strip(), data.action_done, data.links
    )


class FitnessTab(TabPage):
    """Run fitness checks, see the scores and follow them over time."""

    title = "Fitness"
    icon_name = "fitness"

    def __init__(
        self,
        workspace: Workspace,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(workspace, parent)
        self.setObjectName("fitnessTab")
        self.today = today
        self.view: AssessmentView | None = None
        #: The store the questionnaire was read from: typed text still pending when the
        #: window switches store or closes is saved there, never into another store.
        self._loaded_store: Store | None = None
        self._commands: list[StoreCommand] = []  # keeps the Python side of pushed commands
        self._history_dirty = True
        self._selecting = False  # reload selects a row and then loads it itself
        self._init_models()
        self._init_actions()
        self._init_widgets()
        self._init_layout()
        self._connect_signals()
        self._update_actions()

    # -- building --------------------------------------------------------------------------
    def _init_models(self) -> None:
        self.model = AssessmentTableModel(self)
        self.proxy = AssessmentProxy(self)
        self.proxy.setSourceModel(self.model)
        self.scores_model = DimensionScoreModel(self)

    def _action(self, text: str, icon_name: str, tip: str, shortcut: str = "") -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)
        return action

    def _init_actions(self) -> None:
        self.new_action = self._action(
            "New assessment…", "add", "Start a fitness check (Ctrl+N)", "Ctrl+N"
        )
        self.edit_action = self._action(
            "Details…", "edit", "Change the date and who took part (Ctrl+E)", "Ctrl+E"
        )
        self.delete_action = QAction(icon("delete"), "Delete", self)
        self.delete_action.setToolTip("Delete the selected assessment (Del in the list)")
        self.final_action = self._action(
            "Mark final",
            "",
            "Mark the assessment final (agreed), or reopen it as a draft (Ctrl+Shift+F)",
            "Ctrl+Shift+F",
        )
        self.final_action.setCheckable(True)

    def _init_widgets(self) -> None:
        self.checklist_filter = QComboBox()
        self.checklist_filter.setObjectName("checklistFilter")
        self.checklist_filter.addItem("All checklists", "")
        for c in CHECKLISTS:
            self.checklist_filter.addItem(c.label, c.key)
        self.table = make_table(
            self.proxy, "assessmentTable", sort=(Column.DATE, Qt.SortOrder.DescendingOrder),
            widths=((Column.DATE, 88), (Column.CHECKLIST, 108), (Column.STATUS, 62),
                    (Column.OVERALL, 122)),
        )  # fmt: skip
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.delete_action)
        self.empty_label = QLabel("No fitness checks yet: start one with “New assessment”.")
        self.empty_label.setObjectName("fitnessEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(f"color: {MUTED}; padding: 6px;")

        self.overall_label = QLabel()
        self.overall_label.setObjectName("overallScore")
        self.status_badge = QLabel()
        self.status_badge.setObjectName("statusBadge")
        self.scores = QTableView()
        self.scores.setObjectName("dimensionScores")
        self.scores.setModel(self.scores_model)
        self.scores.verticalHeader().hide()
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.scores.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scores.verticalHeader().setDefaultSectionSize(24)
        sheader = self.scores.horizontalHeader()
        sheader.setSectionResizeMode(ScoreColumn.DIMENSION, QHeaderView.ResizeMode.Stretch)
        for score_column in (ScoreColumn.SCORE, ScoreColumn.BAND, ScoreColumn.SCORED):
            sheader.setSectionResizeMode(score_column, QHeaderView.ResizeMode.ResizeToContents)

        self.amber_spin = QSpinBox()
        self.amber_spin.setObjectName("amberFrom")
        self.green_spin = QSpinBox()
        self.green_spin.setObjectName("greenFrom")
        for spin in (self.amber_spin, self.green_spin):
            spin.setRange(1, 100)
            spin.setSuffix("%")
            spin.setKeyboardTracking(False)
            spin.setAccelerated(True)
        self.amber_spin.setToolTip("A score from this share of the maximum is amber")
        self.green_spin.setToolTip("A score from this share is green: the dimension passes")
        self.threshold_error = QLabel()
        self.threshold_error.setObjectName("thresholdError")
        self.threshold_error.setStyleSheet(f"color: {WARN};")
        self.threshold_error.setWordWrap(True)
        self.threshold_error.hide()

        self.previous_label = QLabel()
        self.previous_label.setObjectName("previousActionsTitle")
        self.previous_label.setWordWrap(True)
        self.previous_actions = QListWidget()
        self.previous_actions.setObjectName("previousActions")
        self.previous_actions.setToolTip("Tick an action when it has been carried out")
        self.previous_actions.setWordWrap(True)

        self.heading = QLabel()
        self.heading.setObjectName("assessmentHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.final_button = QPushButton("Mark final")
        self.final_button.setObjectName("finalButton")
        self.final_button.setCheckable(True)
        self.final_button.setToolTip(self.final_action.toolTip())
        self.status_error = QLabel()
        self.status_error.setObjectName("statusError")
        self.status_error.setStyleSheet(f"color: {WARN};")
        self.status_error.hide()
        self.questionnaire = QuestionnaireView()
        self.history = HistoryView()

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    def _init_layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.setSpacing(2)
        for action in (self.new_action, self.edit_action, self.delete_action):
            toolbar.addWidget(self._button(action))
        toolbar.addStretch(1)
        bands = QLabel("Bands: amber from")
        bands.setStyleSheet(f"color: {MUTED};")
        bands.setBuddy(self.amber_spin)
        toolbar.addWidget(bands)
        toolbar.addWidget(self.amber_spin)
        green = QLabel("green (passes) from")
        green.setStyleSheet(f"color: {MUTED};")
        green.setBuddy(self.green_spin)
        toolbar.addWidget(green)
        toolbar.addWidget(self.green_spin)

        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.checklist_filter)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.empty_label)

        scores_page = QWidget()
        scores_layout = QVBoxLayout(scores_page)
        scores_layout.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.overall_label, 1)
        top.addWidget(self.status_badge)
        scores_layout.addLayout(top)
        scores_layout.addWidget(self.scores, 2)
        scores_layout.addWidget(self.threshold_error)
        scores_layout.addWidget(self.previous_label)
        scores_layout.addWidget(self.previous_actions, 1)

        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.setObjectName("fitnessLeft")
        self.left.addWidget(list_page)
        self.left.addWidget(scores_page)
        self.left.setSizes([300, 420])
        self.left.setChildrenCollapsible(False)

        assessment_page = QWidget()
        page = QVBoxLayout(assessment_page)
        page.setContentsMargins(0, 4, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.final_button, 0, Qt.AlignmentFlag.AlignTop)
        page.addLayout(head)
        page.addWidget(self.status_error)
        page.addWidget(self.questionnaire, 1)

        self.views = QTabWidget()
        self.views.setObjectName("fitnessViews")
        self.views.setDocumentMode(True)
        self.views.addTab(assessment_page, icon("fitness"), "Questionnaire")
        self.views.addTab(self.history, icon("reach"), "History")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("fitnessSplitter")
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([470, 810])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(toolbar)
        layout.addWidget(self.splitter, 1)

    def _connect_signals(self) -> None:
        self.follow_workspace(self.reload, self._on_store_changes)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.activated.connect(lambda _i: self.focus_questionnaire())
        self.proxy.rowsInserted.connect(self._list_changed)
        self.proxy.rowsRemoved.connect(self._list_changed)
        self.proxy.modelReset.connect(self._list_changed)
        self.checklist_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_checklist(str(self.checklist_filter.currentData()))
        )
        self.new_action.triggered.connect(self.new_assessment)
        self.edit_action.triggered.connect(self.edit_details)
        self.delete_action.triggered.connect(self.delete_selected)
        self.final_action.triggered.connect(self.set_final)
        self.final_button.clicked.connect(self.set_final)
        self.amber_spin.editingFinished.connect(self.apply_thresholds)
        self.green_spin.editingFinished.connect(self.apply_thresholds)
        self.amber_spin.valueChanged.connect(lambda _v: self.apply_thresholds())
        self.green_spin.valueChanged.connect(lambda _v: self.apply_thresholds())
        self.questionnaire.edited.connect(self._save_card)
        self.questionnaire.link_requested.connect(self.link_session)
        self.previous_actions.itemChanged.connect(self._previous_action_toggled)
        self.views.currentChanged.connect(lambda _i: self._refresh_history())

    # -- following the store -------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.workspace.store

    @property
    def community_id(self) -> int | None:
        return self.workspace.community_id

    def reload(self) -> None:
        self.questionnaire.commit_pending()
        self.model.set_source(self.store, self.community_id)
        self.history.set_source(self.store, self.community_id)
        self._show_thresholds()
        self._history_dirty = True
        self._refresh_history()
        if self.proxy.rowCount():
            # Load the selected assessment (and its evidence hints) once, below, not also
            # from the selection signal selectRow emits.
            self._selecting = True
            try:
                self.table.selectRow(0)
            finally:
                self._selecting = False
        self._on_selection()

    def _on_store_changes(self, recorded: list[object]) -> None:
        cid = self.community_id
        changes = [
            c for c in recorded if isinstance(c, Change) and c.community_id in (None, cid)
        ]
        if not changes or cid is None:
            return
        self.model.on_changes(changes)
        entities = {c.entity for c in changes}
        if "fitness" in entities:
            self._show_thresholds()
        if entities & {"assessment", "fitness"}:
            self._history_dirty = True
            self._refresh_history()
        if entities & {"assessment", "fitness", "session", "value", "member", "attendance"}:
            self._refresh_current(hints=bool(entities - {"assessment", "fitness"}))
        self._update_actions()

    def _refresh_history(self) -> None:
        if not self._history_dirty or self.views.currentIndex() != HISTORY:
            return
        checklist = self.view.checklist if self.view is not None else None
        self.history.refresh(self.model.all_rows_newest_first(), checklist=checklist)
        self._history_dirty = False

    def _list_changed(self, *_args: object) -> None:
        has_rows = self.model.rowCount() > 0
        self.empty_label.setVisible(not has_rows and self.community_id is not None)

    # -- selection -----------------------------------------------------------------------
    def current_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return int(row.id) if row is not None else None

    def select_assessment(self, assessment_id: int) -> bool:
        pos = self.model.row_of(assessment_id)
        if pos < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if not index.isValid():
            self.checklist_filter.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(pos, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _on_selection(self, *_args: QItemSelection) -> None:
        if self._selecting:
            return
        self.questionnaire.commit_pending()
        self._load(self.current_id())

    def _load(self, assessment_id: int | None) -> None:
        view: AssessmentView | None = None
        hints: dict[str, list[str]] = {}
        store, cid = self.store, self.community_id
        if assessment_id is not None and store is not None and cid is not None:
            try:
                with store.session() as session:
                    view = fitness.get_assessment(session, assessment_id)
                    hints = fitness.evidence_hints(session, cid, view.held_on)
            except (LookupError, StoreError):
                view = None
        self.view = view
        self._loaded_store = store if view is not None else None
        self.questionnaire.set_view(view, hints)
        self._show_view()

    def _refresh_current(self, *, hints: bool = False) -> None:
        store = self.store
        if self.view is None or store is None or self.community_id is None:
            self._show_previous_actions()
            return
        try:
            with store.session() as session:
                view = fitness.get_assessment(session, self.view.id)
                new_hints = (
                    fitness.evidence_hints(session, self.community_id, view.held_on)
                    if hints or view.held_on != self.view.held_on
                    else None
                )
        except LookupError:
            self._load(self.current_id())
            return
        self.view = view
        self.questionnaire.set_view(view, {})
        if new_hints is not None:
            self.questionnaire.set_hints(new_hints)
        self._show_view()

    def _show_view(self) -> None:
        view = self.view
        self.scores_model.set_view(view)
        self.status_error.hide()
        if view is None:
            self.heading.setText(
                f"<span style='color:{MUTED}'>No assessment chosen.</span>"
                if self.model.rowCount()
                else ""
            )
            self.overall_label.setText("")
            self.status_badge.setText("")
            self.status_badge.setStyleSheet("")
        else:
            people = (
                ", ".join(view.participants[:6])
                + (f" and {len(view.participants) - 6} more" if len(view.participants) > 6 else "")
                if view.participants
                else "participants not recorded"
            )
            notes = f"<br><i>{_escape(view.notes)}</i>" if view.notes else ""
            self.heading.setText(
                f"<span style='font-size:13pt; font-weight:600'>{_escape(view.checklist_label)}"
                f" · {date_text(view.held_on)}</span><br>"
                f"<span style='color:{MUTED}'>With {_escape(people)}</span>{notes}"
            )
            band = view.overall_band
            self.overall_label.setText(f"Overall {score_text(view.overall, band)}")
            self.overall_label.setStyleSheet(
                f"font-size: 13pt; font-weight: 600; color: {BAND_COLOURS[band]};"
                f" background: {BAND_BACKGROUNDS[band]}; border-radius: 4px; padding: 4px 8px;"
            )
            if view.is_draft:
                left = view.unanswered
                todo = f" · {left} not assessed" if left else ""
                self.status_badge.setText(f"✎ DRAFT{todo}")
                self.status_badge.setStyleSheet(
                    "color: #7a5200; background: #fdf0cf; border: 1px dashed #9a6700;"
                    " border-radius: 4px; padding: 4px 8px; font-weight: 600;"
                )
            else:
                self.status_badge.setText("✓ FINAL")
                self.status_badge.setStyleSheet(
                    "color: #1e7b4a; background: #dff3e7; border: 1px solid #1e7b4a;"
                    " border-radius: 4px; padding: 4px 8px; font-weight: 600;"
                )
        final = view is not None and not view.is_draft
        for widget in (self.final_action, self.final_button):
            widget.blockSignals(True)
            widget.setChecked(final)
            widget.blockSignals(False)
        self.final_button.setText("Reopen as draft" if final else "Mark final")
        self.final_action.setText("Reopen as draft" if final else "Mark final")
        self._show_previous_actions()
        self._update_actions()

    def _show_previous_actions(self) -> None:
        actions: list[OpenAction] = []
        store = self.store
        if self.view is not None and store is not None:
            with store.session() as session:
                actions = fitness.actions_from_previous(session, self.view.id)
        self.previous_actions.blockSignals(True)
        self.previous_actions.clear()
        for a in actions:
            item = QListWidgetItem(f"{a.action} — {a.question_text}")
            item.setData(Qt.ItemDataRole.UserRole, (a.assessment_id, a.question_key))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(a.action)
            self.previous_actions.addItem(item)
        self.previous_actions.blockSignals(False)
        if actions:
            self.previous_label.setText(
                f"<b>Open actions from {date_text(actions[0].held_on)}</b> "
                f"<span style='color:{MUTED}'>(tick when done)</span>"
            )
        elif self.view is not None:
            self.previous_label.setText(
                f"<span style='color:{MUTED}'>No open actions from the previous assessment.</span>"
            )
        else:
            self.previous_label.setText("")
        self.previous_actions.setVisible(bool(actions))

    def _update_actions(self) -> None:
        ready = self.community_id is not None and self.store is not None
        has = self.view is not None
        self.new_action.setEnabled(ready)
        self.edit_action.setEnabled(has)
        self.delete_action.setEnabled(has)
        self.final_action.setEnabled(has)
        self.final_button.setEnabled(has)
        for spin in (self.amber_spin, self.green_spin):
            spin.setEnabled(ready)

    def _show_thresholds(self) -> None:
        limits = fitness.Thresholds()
        if self.store is not None and self.community_id is not None:
            with self.store.session() as session:
                limits = fitness.thresholds(session, self.community_id)
        pairs = ((self.amber_spin, limits.amber_from), (self.green_spin, limits.green_from))
        for spin, value in pairs:
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    # -- TabPage ---------------------------------------------------------------------------
    def focus_filter(self) -> bool:
        """Ctrl+F: the keyboard goes to the assessment list."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.selectionModel().hasSelection() and self.proxy.rowCount():
            self.table.selectRow(0)
        return True

    def focus_questionnaire(self) -> None:
        self.views.setCurrentIndex(QUESTIONNAIRE)
        card = self.questionnaire.current_card()
        if card is None and self.questionnaire.cards:
            self.questionnaire.focus_question(0)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("fitness/splitter", self.splitter.saveState())
        settings.setValue("fitness/left", self.left.saveState())
        settings.setValue("fitness/history", self.history.splitter.saveState())
        settings.setValue("fitness/view", self.views.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        for key, splitter in (
            ("fitness/splitter", self.splitter),
            ("fitness/left", self.left),
            ("fitness/history", self.history.splitter),
        ):
            state = settings.value(key)
            if state is not None:
                splitter.restoreState(state)
        view = settings.value("fitness/view", 0, type=int)
        if isinstance(view, int) and 0 <= view < self.views.count():
            self.views.setCurrentIndex(view)

    # -- commands --------------------------------------------------------------------------
    def _ready(self) -> tuple[Store, int] | None:
        if self.store is None or self.community_id is None:
            return None
        return self.store, self.community_id

    def _push(self, command: StoreCommand) -> None:
        command.stack = self.workspace.undo_stack
        self._commands.append(command)
        if len(self._commands) > 500:
            self._commands = self._commands[-250:]
        self.workspace.undo_stack.push(command)

    def _people(self, store: Store, cid: int) -> list[tuple[int, str]]:
        with store.session() as session:
            rows = members.list_members(session, cid)
        return [(r.id, r.full_name) for r in rows if not r.erased and r.status == "active"]

    def new_assessment(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        self.questionnaire.commit_pending()
        created: list[int] = []

        def actions_for(day: dt.date, checklist: str) -> list[OpenAction]:
            with store.session() as session:
                return fitness.open_actions(session, cid, before=day, checklist=checklist)

        def submit(checklist: str, held_on: dt.date, people: list[int], notes: str) -> None:
            aid = store.run(
                fitness.start_assessment,
                cid,
                checklist,
                held_on,
                participant_ids=people,
                notes=notes,
                today=self.today(),
            )
            created.append(aid)
            holder: dict[str, AssessmentSnapshot] = {}

            def undo() -> None:
                holder["snap"] = store.run(fitness.delete_assessment, aid)

            def redo() -> None:
                store.run(fitness.restore_assessment, holder["snap"])

            self._push(
                StoreCommand(f"New assessment of {date_text(held_on)}", undo=undo, redo=redo)
            )

        dialog = AssessmentDialog(
            self._people(store, cid), submit, today=self.today(), actions_for=actions_for,
            parent=self,
        )
        try:
            dialogs.run(dialog)
        except StoreError as exc:
            dialogs.error(self, "The assessment was not started", str(exc))
        finally:
            dialog.deleteLater()
        if created:
            self.checklist_filter.setCurrentIndex(0)
            self.select_assessment(created[0])
            self.focus_questionnaire()
            self._status("Started a draft assessment: score with 0-3 or N, ↑/↓ between questions")

    def edit_details(self) -> None:
        ready = self._ready()
        view = self.view
        if ready is None or view is None:
            return
        store, cid = ready
        self.questionnaire.commit_pending()
        aid = view.id
        try:
            with store.session() as session:
                opened = fitness.get_assessment(session, aid)
                snap = fitness.snapshot_assessment(session, aid)
        except (LookupError, StoreError) as exc:
            self._refresh_current()
            dialogs.error(self, "This assessment cannot be edited", str(exc))
            return

        def load_current() -> tuple[Details, int] | None:
            with store.session() as session:
                try:
                    now = fitness.get_assessment(session, aid)
                except LookupError:
                    return None
            return (now.held_on, now.participant_ids, now.notes), now.version

        def submit(_checklist: str, held_on: dt.date, people: list[int], notes: str) -> None:
            before: tuple[dt.date, list[int], str] | None
            if dialog.recreate:
                store.run(_recreate, snap, held_on, people, notes, self.today())
                before = None
            else:
                current = load_current() if dialog.expected_version is None else None
                if dialog.expected_version is None and current is None:
                    raise ConflictError("Someone else deleted this assessment.",
                                        entity="assessment", row_id=aid)
                if current is not None:
                    base = current[0]
                    before = (base[0], list(base[1]), base[2])
                else:
                    before = (opened.held_on, list(opened.participant_ids), opened.notes)
                store.run(
                    fitness.update_assessment,
                    aid,
                    held_on=held_on,
                    participant_ids=people,
                    notes=notes,
                    today=self.today(),
                    expected_version=dialog.expected_version,
                )
            old = before

            def undo() -> None:
                if old is None:
                    store.run(fitness.delete_assessment, aid)
                    return
                store.run(
                    fitness.update_assessment,
                    aid,
                    held_on=old[0],
                    participant_ids=old[1],
                    notes=old[2],
                    today=max(old[0], self.today()),
                )

            def redo() -> None:
                store.run(_recreate, snap, held_on, people, notes, max(held_on, self.today()))

            perform_done(
                self.workspace.undo_stack,
                f"Edit assessment of {date_text(held_on)}",
                undo=undo,
                redo=redo,
            )

        dialog = AssessmentDialog(
            self._people(store, cid), submit, today=self.today(), checklist=opened.checklist,
            held_on=opened.held_on, participant_ids=opened.participant_ids, notes=opened.notes,
            editing=True, expected_version=opened.version, load_current=load_current,
            parent=self,
        )
        try:
            dialogs.run(dialog)
        except StoreError as exc:
            dialogs.error(self, "The change was not saved", str(exc))
        finally:
            dialog.deleteLater()
            self._refresh_current()

    def delete_selected(self) -> None:
        ready = self._ready()
        view = self.view
        if ready is None or view is None:
            return
        store, _cid = ready
        scored = len(view.answers) - view.unanswered
        if not dialogs.confirm(
            self,
            "Delete assessment",
            f"Delete the {view.checklist_label.lower()} of {date_text(view.held_on)}?",
            ok_text="Delete",
            informative=f"{scored} scored answers, their evidence and actions go too. "
            "You can undo this with Ctrl+Z.",
            destructive=True,
        ):
            return
        aid = view.id
        try:
            snap = self._delete_as_seen(store, view)
        except ConflictError:
            now = self._current_view(store, aid)
            self._refresh_current()
            if not self._confirm_delete_conflict(view, now):
                return
            try:
                snap = store.run(fitness.delete_assessment, aid)
            except (StoreError, LookupError) as again:
                dialogs.error(self, "Nothing was deleted", str(again))
                return
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "Nothing was deleted", str(exc))
            return
        holder = {"snap": snap}

        def redo() -> None:
            holder["snap"] = store.run(fitness.delete_assessment, aid)

        self._push(
            StoreCommand(
                f"Delete assessment of {date_text(view.held_on)}",
                undo=lambda: store.run(fitness.restore_assessment, holder["snap"]),
                redo=redo,
            )
        )
        self._status(f"Deleted the assessment of {date_text(view.held_on)} (Ctrl+Z brings it back)")

    @staticmethod
    def _current_view(store: Store, aid: int) -> AssessmentView | None:
        with store.session() as session:
            try:
                return fitness.get_assessment(session, aid)
            except LookupError:
                return None

    def _delete_as_seen(self, store: Store, seen: AssessmentView) -> AssessmentSnapshot:
        """Delete the assessment if it is still as the user saw it; ConflictError if not
        (a version that rose without any change shown is no conflict)."""
        version = seen.version
        for _ in range(3):
            try:
                return store.run(fitness.delete_assessment, seen.id, expected_version=version)
            except ConflictError:
                now = self._current_view(store, seen.id)
                if now is None or now != seen:
                    raise
                version = now.version
        return store.run(fitness.delete_assessment, seen.id, expected_version=version)

    def _confirm_delete_conflict(
        self, seen: AssessmentView, now: AssessmentView | None
    ) -> bool:
        """Someone else changed or deleted the assessment being deleted: delete anyway?"""
        name = f"the assessment of {date_text(seen.held_on)}"
        if now is None:
            dialogs.information(self, "Nothing to delete", f"Someone else already deleted {name}.")
            return False
        dialog = conflicts.ConflictDialog(
            conflicts.delete_headline(name, False, "assessment"),
            VIEW_LABELS,
            describe_view(seen),
            describe_view(now),
            what="assessment",
            overwrite_text="Delete anyway",
            reload_text="Keep it",
            mine_title="What you saw",
            parent=self,
        )
        return conflicts.ask(dialog) == conflicts.OVERWRITE

    def set_final(self, *_args: object) -> None:
        ready = self._ready()
        view = self.view
        if ready is None or view is None:
            return
        store, _cid = ready
        self.questionnaire.commit_pending()
        status = "final" if view.is_draft else "draft"
        try:
            before = store.run(fitness.set_status, view.id, status,
                               expected_version=view.version)
        except ConflictError:
            now = self._current_view(store, view.id)
            self._refresh_current()
            if now is None or now.status == status:
                self._show_view_keep_error()
                if now is None:
                    dialogs.information(self, "Status not changed",
                                        "Someone else deleted this assessment meanwhile.")
                return
            mine = describe_view(view)
            mine["status"] = "Final" if status == "final" else "Draft"
            dialog = conflicts.ConflictDialog(
                "Someone else changed this assessment since you opened it.",
                VIEW_LABELS, mine, describe_view(now), what="assessment",
                overwrite_text="Mark final anyway" if status == "final" else "Reopen anyway",
                reload_text="Show their version", parent=self,
            )
            if conflicts.ask(dialog) != conflicts.OVERWRITE:
                self._show_view_keep_error()
                return
            try:
                before = store.run(fitness.set_status, view.id, status)
            except ValidationError as exc:
                self.status_error.setText("; ".join(exc.errors.values()))
                self.status_error.show()
                self._show_view_keep_error()
                return
            except (StoreError, LookupError) as exc:
                dialogs.error(self, "The status was not changed", str(exc))
                return
        except ValidationError as exc:
            self.status_error.setText("; ".join(exc.errors.values()))
            self.status_error.show()
            self._show_view_keep_error()
            return
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "The status was not changed", str(exc))
            return
        aid = view.id
        perform_done(
            self.workspace.undo_stack,
            "Mark assessment final" if status == "final" else "Reopen assessment as draft",
            undo=lambda: store.run(fitness.set_status, aid, before),
            redo=lambda: store.run(fitness.set_status, aid, status),
        )

    def _show_view_keep_error(self) -> None:
        final = self.view is not None and not self.view.is_draft
        for widget in (self.final_action, self.final_button):
            widget.blockSignals(True)
            widget.setChecked(final)
            widget.blockSignals(False)

    def apply_thresholds(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        amber, green = self.amber_spin.value(), self.green_spin.value()
        with store.session() as session:
            current = fitness.thresholds(session, cid)
        if (amber, green) == (current.amber_from, current.green_from):
            self.threshold_error.hide()
            return
        try:
            before = store.run(fitness.set_thresholds, cid, amber, green)
        except ValidationError as exc:
            self.threshold_error.setText("; ".join(exc.errors.values()))
            self.threshold_error.show()
            return
        self.threshold_error.hide()
        perform_done(
            self.workspace.undo_stack,
            f"Bands: amber from {amber}%, green from {green}%",
            undo=lambda: store.run(
                fitness.set_thresholds, cid, before.amber_from, before.green_from
            ),
            redo=lambda: store.run(fitness.set_thresholds, cid, amber, green),
        )

    def _save_card(self, card: QuestionCard, what: str) -> None:
        store = self._loaded_store
        aid = self.questionnaire.assessment_id
        if store is None or aid is None:
            return
        data = card.data()
        key = card.question_key
        try:
            before = store.run(fitness.set_answer, aid, key, data, expected=card.base)
        except ValidationError as exc:
            card.show_error("; ".join(exc.errors.values()))
            return
        except ConflictError as exc:
            resolved = self._resolve_answer_conflict(store, aid, card, data, exc)
            if resolved is None:
                return
            before = resolved
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "The answer was not saved", str(exc))
            self._refresh_current()
            return
        after = _normalised(data)
        card.base = fitness.normalised_answer(data)
        if before == after or store is not self.store:
            return  # nothing changed, or saved on the way out of a store (history cleared)
        if what == "score":
            text = f"Score {score_label(after.score).lower()} for question {card.number}"
        else:
            text = f"{WHAT_TEXT.get(what, 'Answer')} for question {card.number}"
        merge = (aid, key, "evidence", card.evidence_round) if what == "evidence" else None
        self._push(
            AnswerCommand(
                text,
                undo=lambda: store.run(fitness.set_answer, aid, key, before),
                redo=lambda: store.run(fitness.set_answer, aid, key, after),
                merge_key=merge,
            )
        )

    def _resolve_answer_conflict(
        self, store: Store, aid: int, card: QuestionCard, data: AnswerData, exc: ConflictError
    ) -> AnswerData | None:
        """Someone else changed the answer (or deleted the assessment) meanwhile: show both;
        the answer before the overwrite (for undo), or None when nothing was saved."""
        theirs = exc.current if isinstance(exc.current, AnswerData) else None
        if theirs is None:  # the assessment is gone
            dialogs.information(
                self, "The answer was not saved",
                "Someone else deleted this assessment while you were filling it in; "
                "your answer was not saved.",
            )
            self._load(self.current_id())
            return None
        dialog = conflicts.ConflictDialog(
            f"Someone else changed the answer to question {card.number} while you were "
            "filling it in.",
            ANSWER_LABELS,
            describe_answer(data),
            describe_answer(theirs),
            what="answer",
            parent=self,
        )
        choice = conflicts.ask(dialog)
        if choice == conflicts.RELOAD:
            card.show_stored(theirs)
            self._refresh_current()
            return None
        if choice != conflicts.OVERWRITE:
            card.unsaved("Not saved: someone else changed this answer. Save again to "
                         "choose whose answer to keep.")
            return None
        try:
            return store.run(fitness.set_answer, aid, card.question_key, data)
        except ValidationError as again:
            card.show_error("; ".join(again.errors.values()))
            return None

    def link_session(self, card: QuestionCard) -> None:
        ready = self._ready()
        if ready is None or card.read_only:
            return
        store, cid = ready
        with store.session() as session:
            rows = S.list_sessions(session, cid)
        picker = SessionPickerDialog(rows, card.question_text, self)
        try:
            if not dialogs.run(picker) or picker.chosen_id is None:
                return
            try:
                with store.session() as session:
                    link = fitness.session_link(session, picker.chosen_id)
            except LookupError:
                card.show_error("That session no longer exists")
                return
            card.add_link(link)
        finally:
            picker.deleteLater()
            card.link_button.setFocus()

    def _previous_action_toggled(self, item: QListWidgetItem) -> None:
        store = self.store
        target = item.data(Qt.ItemDataRole.UserRole)
        if store is None or item.checkState() != Qt.CheckState.Checked or not target:
            return
        aid, key = target
        try:
            old = store.run(_mark_done, aid, key)
        except (StoreError, LookupError, ValidationError) as exc:
            dialogs.error(self, "The action was not updated", str(exc))
            return
        new = AnswerData(old.score, old.evidence, old.action, True, old.links)
        perform_done(
            self.workspace.undo_stack,
            f"Action done: {old.action[:40]}",
            undo=lambda: store.run(fitness.set_answer, aid, key, old),
            redo=lambda: store.run(fitness.set_answer, aid, key, new),
        )

    def _status(self, message: str) -> None:
        bar = getattr(self.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(message, 8000)


def _recreate(
    session: Session,
    snap: AssessmentSnapshot,
    held_on: dt.date,
    people: list[int],
    notes: str,
    today: dt.date,
) -> None:
    """The assessment of ``snap`` with these details: put back first if it is gone."""
    if session.get(Assessment, snap.id) is None:
        fitness.restore_assessment(session, snap)
        session.flush()
    fitness.update_assessment(
        session, snap.id, held_on=held_on, participant_ids=people, notes=notes, today=today
    )


#: An assessment as a delete or status conflict shows it, in display order.
VIEW_LABELS: dict[str, str] = {
    "held_on": "Date",
    "checklist": "Checklist",
    "status": "Status",
    "participants": "Who took part",
    "notes": "Notes",
    "scored": "Scored",
    "overall": "Overall",
}


def describe_view(view: AssessmentView) -> dict[str, str]:
    scored = len(view.answers) - view.unanswered
    return {
        "held_on": date_text(view.held_on),
        "checklist": view.checklist_label,
        "status": "Draft" if view.is_draft else "Final",
        "participants": ", ".join(view.participants) or "(nobody recorded)",
        "notes": view.notes or "(empty)",
        "scored": f"{scored} of {len(view.answers)} questions",
        "overall": score_text(view.overall, view.overall_band),
    }


#: One answer as an answer conflict shows it, in display order.
ANSWER_LABELS: dict[str, str] = {
    "score": "Score",
    "evidence": "Evidence",
    "links": "Linked sessions",
    "action": "Agreed action",
    "done": "Action done",
}


def describe_answer(data: AnswerData) -> dict[str, str]:
    return {
        "score": NOT_ASSESSED if data.score is None
        else f"{data.score} ({score_label(data.score)})",
        "evidence": data.evidence.strip() or "(empty)",
        "links": "; ".join(label for _k, _t, label in data.links) or "(none)",
        "action": data.action.strip() or "(none)",
        "done": "Yes" if data.action_done else "No",
    }


def _mark_done(session: Session, assessment_id: int, question_key: str) -> AnswerData:
    old = fitness.answer_data(session, assessment_id, question_key)
    fitness.set_answer(
        session,
        assessment_id,
        question_key,
        AnswerData(old.score, old.evidence, old.action, True, old.links),
    )
    return old


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
