"""The Value tab: the value log, value-creation stories and the value matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
)
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from copdesk.data import session_queries as SQ
from copdesk.data import sessions as S
from copdesk.data import value_queries as Q
from copdesk.data import values as V
from copdesk.data.changes import Change
from copdesk.data.session_queries import SessionChoice
from copdesk.data.sessions import SessionRow
from copdesk.data.store import ConflictError, Store, StoreError
from copdesk.data.validation import ValidationError
from copdesk.data.value_queries import Person
from copdesk.data.values import EntryData, EntryFilter, EntryRow, StoryData, StoryView
from copdesk.framework import VALUE_CYCLES, VALUE_TO_MEMBERS, VALUE_TO_ORGANISATION
from copdesk.ui import conflicts, dialogs
from copdesk.ui.icons import icon
from copdesk.ui.rows import make_table
from copdesk.ui.tabs import TabPage
from copdesk.ui.tasks import BusyIndicator, QueryRunner, error_message
from copdesk.ui.undo import perform_done
from copdesk.ui.values.form import EntryForm
from copdesk.ui.values.matrix import PERIODS, MatrixPage, period_range
from copdesk.ui.values.model import (
    MUTED,
    ROW_ROLE,
    ChoiceListModel,
    Column,
    EntryFilterProxy,
    EntryTableModel,
    SortKeys,
    sort_keys,
)
from copdesk.ui.values.stories import (
    StoryForm,
    StoryModel,
    StoryProxy,
    StoryReader,
    delete_story_as_seen,
    load_story,
    save_story,
)
from copdesk.ui.workspace import Workspace

LOG, STORIES, MATRIX = 0, 1, 2
#: The log's pages: the table, the empty log's invitation, the first load's "Loading…".
TABLE_PAGE, EMPTY_PAGE, LOADING_PAGE = 0, 1, 2

#: A community with fewer entries and members than this (together) is read right away on
#: the UI thread (tens of milliseconds); a larger one on a worker, with "Loading…" shown.
INLINE_BELOW = 3000

DEFAULT_WIDTHS: dict[Column, int] = {
    Column.DATE: 88,
    Column.TITLE: 300,
    Column.KIND: 170,
    Column.CYCLE: 125,
    Column.BENEFICIARIES: 220,
    Column.FUNCTION: 150,
    Column.SESSION: 190,
    Column.MEASURE: 130,
    Column.STORY: 170,
    Column.LOGGED_BY: 140,
}
HIDDEN_BY_DEFAULT = (Column.LOGGED_BY,)

GROUP_MEMBERS = "group:members"
GROUP_ORGANISATION = "group:organisation"
BETWEEN = "between"
WATCHED = frozenset({"value", "story", "member", "session", "community"})


def choice_label(row: SessionChoice) -> str:
    """A session as the filter and the "From a session…" list name it (as the entry form
    does)."""
    return f"{row.starts_at:%Y-%m-%d} · {row.title}"


def _today() -> dt.date:
    return dt.date.today()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(qd: QDate) -> dt.date:
    return dt.date(qd.year(), qd.month(), qd.day())


class ValueTab(TabPage):
    title = "Value"
    icon_name = "value"

    def __init__(
        self,
        workspace: Workspace,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = _today,
    ) -> None:
        super().__init__(workspace, parent)
        self.setObjectName("valueTab")
        self.today = today
        self._matrix_dirty = True
        self._last_logged_by: int | None = None
        self._members: list[Person] = []
        #: The sessions the filter and "From a session…" offer (light rows).
        self._session_choices: list[SessionChoice] = []
        #: Whole session rows for the entry form, read when a form first needs them.
        self._sessions: list[SessionRow] | None = None
        self.runner = QueryRunner(self)
        self.inline_below = INLINE_BELOW
        self._load_error = ""
        self._init_models()
        self._init_actions()
        self._init_filter_bar()
        self._init_log()
        self._init_stories()
        self._init_layout()
        self._connect_signals()
        self._fill_filter_lists()

    # -- building ------------------------------------------------------------------------
    def _init_models(self) -> None:
        self.model = EntryTableModel(self)
        self.proxy = EntryFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.story_model = StoryModel(self.today, self)
        self.story_proxy = StoryProxy(self)
        self.story_proxy.setSourceModel(self.story_model)

    def _action(self, text: str, icon_name: str, tip: str, keys: str = "") -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if keys:
            action.setShortcut(QKeySequence(keys))
        self.addAction(action)
        return action

    def _init_actions(self) -> None:
        self.add_action = self._action("Log value…", "add", "Log a value entry (Ctrl+N)",
                                       "Ctrl+N")
        self.from_session_action = self._action(
            "From a session…", "sessions",
            "Log value from a held session, its attendees filled in (Ctrl+Shift+N)",
            "Ctrl+Shift+N",
        )
        self.edit_action = self._action("Edit…", "edit", "Edit the selected entry (Enter)")
        self.delete_action = self._action("Delete", "delete",
                                          "Delete the selected entries (Del)")
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.new_story_action = self._action(
            "New story…", "value",
            "Build a value-creation story from the selected entries (Ctrl+Shift+S)",
            "Ctrl+Shift+S",
        )
        self.add_to_story_action = self._action(
            "Add to story…", "", "Add the selected entries to a story (Ctrl+Shift+A)",
            "Ctrl+Shift+A",
        )
        self.edit_story_action = self._action("Edit story…", "edit",
                                              "Edit the chosen story (Enter)")
        self.delete_story_action = self._action("Delete story", "delete",
                                                "Delete the chosen story (its entries stay)")
        self.follow_up_action = self._action(
            "Log follow-up value…", "add",
            "Log the applied or realised value this story led to, as its next entry",
        )

    def _init_filter_bar(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("valueFilter")
        self.filter_edit.setPlaceholderText(
            "Filter by title, description, evidence or beneficiary (Ctrl+F)"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(240)
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("kindFilter")
        self.kind_filter.addItem("All kinds of value", "")
        for group, heading, terms in (
            (GROUP_MEMBERS, "Value to members", VALUE_TO_MEMBERS),
            (GROUP_ORGANISATION, "Value to the organisation", VALUE_TO_ORGANISATION),
        ):
            self.kind_filter.addItem(f"{heading} (all)", group)
            for term in terms:
                self.kind_filter.addItem("    " + term.label, term.key)
        self.cycle_filter = QComboBox()
        self.cycle_filter.setObjectName("cycleFilter")
        self.cycle_filter.addItem("All cycles", "")
        for term in VALUE_CYCLES:
            self.cycle_filter.addItem(term.label, term.key)
            self.cycle_filter.setItemData(self.cycle_filter.count() - 1, term.help,
                                          Qt.ItemDataRole.ToolTipRole)
        self.member_filter = QComboBox()
        self.member_filter.setObjectName("memberFilter")
        self.member_filter.setMaximumWidth(190)
        self.member_choices = ChoiceListModel(self)
        self.member_filter.setModel(self.member_choices)
        self.session_filter = QComboBox()
        self.session_filter.setObjectName("sessionFilter")
        self.session_choices = ChoiceListModel(self)
        self.session_filter.setModel(self.session_choices)
        self.session_filter.setMaximumWidth(230)
        self.kind_filter.setMaximumWidth(210)
        self.cycle_filter.setMaximumWidth(150)
        for combo in (self.kind_filter, self.cycle_filter, self.member_filter,
                      self.session_filter):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.period_filter = QComboBox()
        self.period_filter.setObjectName("periodFilter")
        for key, label in PERIODS:
            self.period_filter.addItem(label, key)
        self.period_filter.addItem("Between dates…", BETWEEN)
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(_qdate(self.today()))
            edit.hide()
        self.start_edit.setDate(_qdate(self.today() - dt.timedelta(days=90)))
        self.clear_filters = QPushButton("Clear filters")
        self.clear_filters.setObjectName("clearFilters")
        self.count_label = QLabel()
        self.count_label.setObjectName("valueCount")
        self.count_label.setStyleSheet(f"color: {MUTED};")
        self.busy = BusyIndicator("Loading…")
        self.runner.busy_changed.connect(self._on_busy)

    def _init_log(self) -> None:
        self.table = make_table(
            self.proxy, "valueTable", sort=(Column.DATE, Qt.SortOrder.DescendingOrder),
            multiple=True, widths=DEFAULT_WIDTHS.items(), hidden=HIDDEN_BY_DEFAULT, movable=True,
        )  # fmt: skip
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self.empty_page = QWidget()
        empty = QVBoxLayout(self.empty_page)
        message = QLabel(
            "No value logged yet. After a meeting, log what it gave: Ctrl+Shift+N logs value "
            "from a held session with its attendees filled in."
        )
        message.setWordWrap(True)
        message.setStyleSheet(f"font-size: 11pt; color: {MUTED};")
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_add = QPushButton(icon("add"), "Log value…")
        self.empty_session = QPushButton(icon("sessions"), "Log value from a session…")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_add)
        row.addWidget(self.empty_session)
        row.addStretch(1)
        empty.addStretch(1)
        empty.addWidget(message)
        empty.addLayout(row)
        empty.addStretch(2)
        self.loading_label = QLabel("Loading the value log…")
        self.loading_label.setObjectName("valueLoading")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        self.loading_label.setStyleSheet(f"font-size: 11pt; color: {MUTED};")
        self.log_stack = QStackedWidget()
        self.log_stack.addWidget(self.table)
        self.log_stack.addWidget(self.empty_page)
        self.log_stack.addWidget(self.loading_label)

    def _init_stories(self) -> None:
        self.due_banner = QLabel()
        self.due_banner.setObjectName("dueBanner")
        self.due_banner.setWordWrap(True)
        self.due_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.due_banner.setStyleSheet(
            "QLabel#dueBanner { background: #fdecea; border: 1px solid #e6b0aa;"
            " border-radius: 6px; padding: 6px 10px; color: #7b241c; }"
        )
        self.due_only = QCheckBox("Only stories whose follow-up is due")
        self.due_only.setObjectName("dueOnly")
        self.story_table = QTableView()
        self.story_table.setObjectName("storyTable")
        self.story_table.setModel(self.story_proxy)
        self.story_table.setSortingEnabled(True)
        self.story_table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.story_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.story_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.story_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.story_table.setAlternatingRowColors(True)
        self.story_table.verticalHeader().hide()
        self.story_table.verticalHeader().setDefaultSectionSize(26)
        header = self.story_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.reader = StoryReader()
        buttons = QHBoxLayout()
        for action in (self.new_story_action, self.edit_story_action,
                       self.follow_up_action, self.delete_story_action):
            buttons.addWidget(self._tool_button(action))
        buttons.addStretch(1)
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addLayout(buttons)
        lbox.addWidget(self.due_only)
        lbox.addWidget(self.story_table, 1)
        self.story_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.story_splitter.setObjectName("storySplitter")
        self.story_splitter.addWidget(left)
        self.story_splitter.addWidget(self.reader)
        self.story_splitter.setSizes([640, 520])
        self.story_splitter.setChildrenCollapsible(False)
        self.stories_page = QWidget()
        box = QVBoxLayout(self.stories_page)
        box.setContentsMargins(0, 6, 0, 0)
        box.addWidget(self.due_banner)
        box.addWidget(self.story_splitter, 1)

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    def _init_layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.setSpacing(2)
        for action in (self.add_action, self.from_session_action, self.edit_action,
                       self.delete_action):
            toolbar.addWidget(self._tool_button(action))
        toolbar.addSpacing(12)
        for action in (self.new_story_action, self.add_to_story_action):
            toolbar.addWidget(self._tool_button(action))
        toolbar.addStretch(1)
        toolbar.addWidget(self.busy)
        toolbar.addWidget(self.count_label)

        # Two rows of filters, so the tab fits a small laptop screen.
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        for combo in (self.kind_filter, self.cycle_filter, self.member_filter):
            filters.addWidget(combo)
        more_filters = QHBoxLayout()
        more_filters.addWidget(self.session_filter)
        more_filters.addWidget(self.period_filter)
        more_filters.addWidget(self.start_edit)
        more_filters.addWidget(self.end_edit)
        more_filters.addStretch(1)
        more_filters.addWidget(self.clear_filters)

        log_page = QWidget()
        log = QVBoxLayout(log_page)
        log.setContentsMargins(0, 6, 0, 0)
        log.addLayout(filters)
        log.addLayout(more_filters)
        log.addWidget(self.log_stack, 1)

        self.matrix_page = MatrixPage()
        self.views = QTabWidget()
        self.views.setObjectName("valueViews")
        self.views.setDocumentMode(True)
        self.views.addTab(log_page, icon("value"), "Log")
        self.views.addTab(self.stories_page, icon("knowledge"), "Stories")
        # The matrix shows every row at full height: scroll it on a small screen.
        matrix_scroll = QScrollArea()
        matrix_scroll.setWidgetResizable(True)
        matrix_scroll.setFrameShape(QFrame.Shape.NoFrame)
        matrix_scroll.setWidget(self.matrix_page)
        self.views.addTab(matrix_scroll, icon("reach"), "Matrix")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(toolbar)
        layout.addWidget(self.views, 1)
        self._update_actions()

    def _connect_signals(self) -> None:
        self.follow_workspace(self.reload, self._on_store_changes)
        self.filter_edit.textChanged.connect(lambda _t: self._apply_filters())
        for combo in (self.kind_filter, self.cycle_filter, self.member_filter,
                      self.session_filter, self.period_filter):
            combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        for edit in (self.start_edit, self.end_edit):
            edit.dateChanged.connect(lambda _d: self._apply_filters())
        self.clear_filters.clicked.connect(self.reset_filters)
        # The proxy drops rows before its source does: count on both.
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._update_counts)
        self.proxy.modelReset.connect(self._update_counts)
        self.proxy.layoutChanged.connect(self._update_counts)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.activated.connect(lambda _i: self.edit_selected())
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.add_action.triggered.connect(self.add_entry)
        self.from_session_action.triggered.connect(self.log_from_chosen_session)
        self.edit_action.triggered.connect(self.edit_selected)
        self.delete_action.triggered.connect(self._delete_in_view)
        self.new_story_action.triggered.connect(self.new_story)
        self.add_to_story_action.triggered.connect(self.add_to_story)
        self.edit_story_action.triggered.connect(self.edit_story)
        self.delete_story_action.triggered.connect(self.delete_story)
        self.follow_up_action.triggered.connect(self.log_follow_up)
        self.empty_add.clicked.connect(self.add_entry)
        self.empty_session.clicked.connect(self.log_from_chosen_session)
        self.story_table.selectionModel().selectionChanged.connect(self._on_story_selection)
        self.story_table.activated.connect(lambda _i: self.edit_story())
        self.story_table.doubleClicked.connect(lambda _i: self.edit_story())
        self.story_proxy.dataChanged.connect(lambda *_a: self._on_story_selection())
        self.due_only.toggled.connect(self.story_proxy.set_due_only)
        self.matrix_page.period.currentIndexChanged.connect(lambda _i: self._refresh_matrix(True))
        self.matrix_page.cell_chosen.connect(self.show_cell)
        self.views.currentChanged.connect(self._on_view_changed)

    # -- following the store -------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.workspace.store

    @property
    def community_id(self) -> int | None:
        return self.workspace.community_id

    def loading(self) -> bool:
        """Whether the tab is still reading its rows (a large community, on a worker)."""
        return self.runner.is_busy()

    def reload(self) -> None:
        """Read the community's entries, stories, people and sessions again (a switch).

        One read of each: the stories are built from the log's rows. A small community
        is read right here; a large one on a worker thread while the window keeps
        repainting, "Loading…" shown, then shown at once (the one reset of the log).
        """
        store, cid = self.store, self.community_id
        self._load_error = ""
        if store is None or cid is None:
            self.runner.cancel()
            self._show_data(store, cid, None)
            return

        column = self.model.sort_column()

        def read(session: Session) -> tuple[Q.TabData, SortKeys | None]:
            data = Q.tab_data(session, cid)
            return data, sort_keys(data.entries, column)  # the sorting's work, here too

        def done(result: tuple[Q.TabData, SortKeys | None]) -> None:
            self._show_data(store, cid, *result)

        try:
            with store.session() as session:
                small = Q.tab_size(session, cid) < self.inline_below
        except (StoreError, SQLAlchemyError, OSError) as exc:
            self.runner.cancel()
            self._load_failed(error_message(exc))
            return
        if small:
            self.runner.run_now(store, read, done, self._load_failed)
            return
        if self.model.community_id != cid or self.model.store is not store:
            # Another community: none of the rows shown so far belong to it.
            self._show_data(store, cid, None)
        self.runner.submit(store, read, done, self._load_failed)
        self._update_counts()
        self._update_actions()

    def _show_data(
        self,
        store: Store | None,
        cid: int | None,
        data: Q.TabData | None,
        keys: SortKeys | None = None,
    ) -> None:
        """Show what was read for ``cid`` (None: nothing, for no community or meanwhile)."""
        self.model.show_rows(store, cid, data.entries if data else [], keys)
        self._members = data.people if data else []
        self._session_choices = data.sessions if data else []
        self._sessions = None
        self._fill_filter_lists()
        self.story_model.set_stories(data.stories if data else [], reset=True)
        self._matrix_dirty = True
        self._refresh_matrix()
        self._update_counts()
        self._update_due()
        self._on_selection()
        self._on_story_selection()

    def _load_failed(self, message: str) -> None:
        self._load_error = message
        self.loading_label.setText(f"The value log could not be read: {message}.")
        self._update_counts()
        self._update_actions()

    def _on_busy(self, busy: bool) -> None:
        self.busy.set_busy(busy)
        if busy and not self._load_error:
            self.loading_label.setText("Loading the value log…")
        self._update_counts()
        self._update_actions()

    def _on_store_changes(self, recorded: list[object]) -> None:
        changes = [
            c for c in recorded
            if isinstance(c, Change) and c.community_id == self.community_id
            and c.entity in WATCHED
        ]
        if not changes:
            return
        if self.loading():
            # What the worker reads may predate this change: read again (the newer
            # request supersedes the one in flight).
            self.reload()
            return
        self.model.on_changes(changes)
        entities = {c.entity for c in changes}
        if entities & {"member", "session"}:
            self._load_people()
            self._fill_filter_lists()
        self.story_model.set_stories(self._stories_from_log())
        self._update_due()
        self._matrix_dirty = True
        self._refresh_matrix()
        self._on_story_selection()

    def _load_people(self) -> None:
        """Read the people and sessions the filters and forms offer again (light rows)."""
        self._members, self._session_choices, self._sessions = [], [], None
        if self.store is None or self.community_id is None:
            return
        with self.store.session() as session:
            self._members = Q.people(session, self.community_id)
            self._session_choices = SQ.session_choices(session, self.community_id)

    def _form_sessions(self) -> list[SessionRow]:
        """The whole session rows the entry form takes, read when first needed."""
        if self._sessions is None:
            self._sessions = []
            if self.store is not None and self.community_id is not None:
                with self.store.session() as session:
                    self._sessions = S.list_sessions(session, self.community_id)
        return self._sessions

    def _stories_from_log(self) -> list[StoryView]:
        """The stories, their entries taken from the log's rows (up to date with the
        store): only the stories' own columns are read."""
        if self.store is None or self.community_id is None:
            return []
        with self.store.session() as session:
            return V.stories_of(session, self.community_id, self.model.all_rows())

    def _refresh_matrix(self, force: bool = False) -> None:
        if force:
            self._matrix_dirty = True
        if not self._matrix_dirty or self.views.currentIndex() != MATRIX:
            return
        self.matrix_page.refresh(self.store, self.community_id, self.today())
        self._matrix_dirty = False

    def _on_view_changed(self, _index: int) -> None:
        self._refresh_matrix()
        self._update_actions()

    def _update_counts(self, *_args: object) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "entry" if total == 1 else "entries"
        self.count_label.setText(
            "" if total == 0 and self.loading()  # not "0 entries" before the rows come
            else f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}"
        )
        if total == 0 and self.community_id is not None and (self.loading() or self._load_error):
            page = LOADING_PAGE
        elif total == 0 and self.community_id is not None:
            page = EMPTY_PAGE
        else:
            page = TABLE_PAGE
        self.log_stack.setCurrentIndex(page)

    def _update_due(self) -> None:
        due = self.story_model.due()
        if not due:
            self.due_banner.hide()
        else:
            names = "; ".join(
                f"{s.title} (since {s.follow_up_on:%d %b %Y})" for s in due[:4] if s.follow_up_on
            ) + (" …" if len(due) > 4 else "")
            n = len(due)
            self.due_banner.setText(
                f"{n} {'follow-up is' if n == 1 else 'follow-ups are'} due: go back and record "
                f"the applied or realised value. {names}"
            )
            self.due_banner.show()
        label = f"Stories ({len(due)} due)" if due else "Stories"
        self.views.setTabText(STORIES, label)

    # -- filters ---------------------------------------------------------------------------
    def _fill_filter_lists(self) -> None:
        member = self.member_filter.currentData()
        session = self.session_filter.currentData()
        for combo in (self.member_filter, self.session_filter):
            combo.blockSignals(True)
        # Whole lists at once (10,000 members are one reset, not 10,000 items).
        self.member_choices.set_items(
            [("Any member", None), *((m.full_name, m.id) for m in self._members if not m.erased)]
        )
        self.session_choices.set_items([
            ("Any session", None),
            *((choice_label(s), s.id)
              for s in sorted(self._session_choices, key=lambda s: s.starts_at, reverse=True)
              if s.status != "cancelled"),
        ])  # fmt: skip
        self.member_filter.setCurrentIndex(max(self.member_choices.row_of(member), 0))
        self.session_filter.setCurrentIndex(max(self.session_choices.row_of(session), 0))
        for combo in (self.member_filter, self.session_filter):
            combo.blockSignals(False)
        self._apply_filters()

    def current_filter(self) -> EntryFilter:
        kind = str(self.kind_filter.currentData() or "")
        if kind == GROUP_MEMBERS:
            kinds = frozenset(t.key for t in VALUE_TO_MEMBERS)
        elif kind == GROUP_ORGANISATION:
            kinds = frozenset(t.key for t in VALUE_TO_ORGANISATION)
        else:
            kinds = frozenset({kind}) if kind else frozenset()
        cycle = str(self.cycle_filter.currentData() or "")
        period = str(self.period_filter.currentData())
        between = period == BETWEEN
        self.start_edit.setVisible(between)
        self.end_edit.setVisible(between)
        if between:
            start: dt.date | None = _pydate(self.start_edit.date())
            end: dt.date | None = _pydate(self.end_edit.date())
        else:
            start, end = period_range(period, self.today())
        member = self.member_filter.currentData()
        session = self.session_filter.currentData()
        return EntryFilter(
            kinds=kinds,
            cycles=frozenset({cycle}) if cycle else frozenset(),
            member_id=int(member) if member is not None else None,
            session_id=int(session) if session is not None else None,
            start=start,
            end=end,
            text=self.filter_edit.text().strip(),
        )

    def _apply_filters(self) -> None:
        self.proxy.set_filter(self.current_filter())
        self.clear_filters.setEnabled(self.proxy.is_filtering())
        self._update_counts()

    def reset_filters(self) -> None:
        for combo in (self.kind_filter, self.cycle_filter, self.member_filter,
                      self.session_filter, self.period_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.filter_edit.blockSignals(True)
        self.filter_edit.clear()
        self.filter_edit.blockSignals(False)
        self._apply_filters()

    def show_cell(self, kinds: frozenset[str], cycles: frozenset[str], period: str) -> None:
        """List a matrix cell's entries: the log, filtered to its kinds, cycles and period."""
        self.reset_filters()
        members = frozenset(t.key for t in VALUE_TO_MEMBERS)
        organisation = frozenset(t.key for t in VALUE_TO_ORGANISATION)
        if kinds == members:
            kind_data = GROUP_MEMBERS
        elif kinds == organisation:
            kind_data = GROUP_ORGANISATION
        elif len(kinds) == 1:
            kind_data = next(iter(kinds))
        else:
            kind_data = ""
        cycle_data = next(iter(cycles)) if len(cycles) == 1 else ""
        for combo, data in ((self.kind_filter, kind_data), (self.cycle_filter, cycle_data),
                            (self.period_filter, period)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(data), 0))
            combo.blockSignals(False)
        self._apply_filters()
        self.views.setCurrentIndex(LOG)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))

    # -- selection -----------------------------------------------------------------------
    def selected_rows(self) -> list[EntryRow]:
        rows = self.table.selectionModel().selectedRows()
        return [r.data(ROW_ROLE) for r in sorted(rows, key=lambda i: i.row())]

    def current_row(self) -> EntryRow | None:
        selected = self.selected_rows()
        if len(selected) == 1:
            return selected[0]
        index = self.table.currentIndex()
        if selected and index.isValid():
            row = index.data(ROW_ROLE)
            return row if isinstance(row, EntryRow) else None
        return None

    def select_entry(self, entry_id: int) -> None:
        pos = self.model.row_of(entry_id)
        if pos < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if index.isValid():
            self._select(self.table, index)
            self.table.scrollTo(index)

    @staticmethod
    def _select(table: QTableView, index: QModelIndex) -> None:
        """Make ``index``'s row the only selected one (whatever keys are held)."""
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        table.selectionModel().setCurrentIndex(index, flags)

    def current_story(self) -> StoryView | None:
        rows = self.story_table.selectionModel().selectedRows()
        if not rows:
            return None
        story = rows[0].data(ROW_ROLE)
        return story if isinstance(story, StoryView) else None

    def select_story(self, story_id: int) -> None:
        pos = self.story_model.row_of(story_id)
        if pos < 0:
            return
        index = self.story_proxy.mapFromSource(self.story_model.index(pos, 0))
        if index.isValid():
            self._select(self.story_table, index)

    def _on_selection(self, *_args: QItemSelection) -> None:
        self._update_actions()

    def _on_story_selection(self, *_args: QItemSelection) -> None:
        self.reader.show_story(self.current_story(), self.today())
        self._update_actions()

    def _update_actions(self) -> None:
        count = len(self.selected_rows())
        # Not while the first rows are read: the form would offer nobody to choose.
        ready = self.community_id is not None and not self.loading() and not self._load_error
        for action in (self.add_action, self.from_session_action, self.new_story_action):
            action.setEnabled(ready)
        self.edit_action.setEnabled(self.current_row() is not None)
        self.delete_action.setEnabled(count > 0)
        self.delete_action.setText(f"Delete {count} entries" if count > 1 else "Delete")
        self.add_to_story_action.setEnabled(count > 0 and self.story_model.rowCount() > 0)
        story = self.current_story() is not None
        for action in (self.edit_story_action, self.delete_story_action, self.follow_up_action):
            action.setEnabled(story)

    def _table_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for action in (self.add_action, self.edit_action, self.delete_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.new_story_action)
        menu.addAction(self.add_to_story_action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- TabPage ---------------------------------------------------------------------------
    def focus_filter(self) -> bool:
        self.views.setCurrentIndex(LOG)
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()
        return True

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("values/header", self.table.horizontalHeader().saveState())
        settings.setValue("values/view", self.views.currentIndex())
        settings.setValue("values/story_splitter", self.story_splitter.saveState())
        settings.setValue("values/summary_splitter", self.matrix_page.summaries.saveState())
        if self._last_logged_by is not None:
            settings.setValue("values/logged_by", self._last_logged_by)

    def restore_state(self, settings: QSettings) -> None:
        header = settings.value("values/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        for key, splitter in (("values/story_splitter", self.story_splitter),
                              ("values/summary_splitter", self.matrix_page.summaries)):
            state = settings.value(key)
            if state is not None:
                splitter.restoreState(state)
        view = settings.value("values/view", 0, type=int)
        if isinstance(view, int) and 0 <= view < self.views.count():
            self.views.setCurrentIndex(view)
        logged = settings.value("values/logged_by", None)
        try:
            self._last_logged_by = int(str(logged)) if logged is not None else None
        except (TypeError, ValueError):
            self._last_logged_by = None

    # -- entries ---------------------------------------------------------------------------
    def _ready(self) -> tuple[Store, int] | None:
        if self.store is None or self.community_id is None:
            return None
        return self.store, self.community_id

    def default_logged_by(self, facilitator_ids: Sequence[int] = ()) -> int | None:
        """Who logs: the person who logged last here, else the session's facilitator,
        else the community's first coordinator."""
        live = {m.id for m in self._members if m.status == "active" and not m.erased}
        if self._last_logged_by in live:
            return self._last_logged_by
        for mid in facilitator_ids:
            if mid in live:
                return mid
        for m in self._members:
            if m.id in live and m.coordinator:
                return m.id
        return None

    def _entry_form(
        self,
        submit: Callable[[EntryData], None],
        initial: EntryData,
        *,
        editing: bool = False,
        heading: str = "",
        expected_version: int | None = None,
        load_current: Callable[[], tuple[EntryData, int] | None] | None = None,
    ) -> EntryForm:
        if not self._members and not self._session_choices:
            self._load_people()
        units = [r.measure_unit for r in self.model.all_rows() if r.measure_unit]
        return EntryForm(
            submit,
            members=self._members,
            sessions=self._form_sessions(),
            units=units,
            initial=initial,
            editing=editing,
            heading=heading,
            today=self.today(),
            expected_version=expected_version,
            load_current=load_current,
            parent=self,
        )

    def _run_form(self, form: EntryForm | StoryForm) -> bool:
        try:
            return dialogs.run(form)
        except StoreError as exc:
            dialogs.error(self, "The change was not saved", str(exc))
            return False
        finally:
            form.deleteLater()

    def _add(self, initial: EntryData, heading: str = "", story_id: int | None = None) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        added: list[int] = []

        def submit(data: EntryData) -> None:
            if story_id is None:
                eid = store.run(V.add_entry, cid, data)
            else:
                eid = store.run(Q.add_entry_to_story, cid, data, story_id)
            snap = store.run(Q.snapshot_entry, eid)
            perform_done(
                self.workspace.undo_stack,
                f"Log value “{snap.data.title}”",
                undo=lambda: store.run(V.delete_entry, eid),
                redo=lambda: store.run(V.restore_entry, snap),
            )
            added.append(eid)
            if data.logged_by_id is not None:
                self._last_logged_by = data.logged_by_id

        form = self._entry_form(submit, initial, heading=heading)
        if self._run_form(form) and added:
            self.views.setCurrentIndex(LOG)
            if self.model.row_of(added[0]) >= 0 and not self.proxy.mapFromSource(
                self.model.index(self.model.row_of(added[0]), 0)
            ).isValid():
                self.reset_filters()
            self.select_entry(added[0])

    def add_entry(self) -> None:
        self._add(EntryData(entry_date=self.today(), title="", kind="", cycle="",
                            logged_by_id=self.default_logged_by()))

    def log_value_from_session(self, session_id: int) -> None:
        """Open the entry form filled in from a held session: the session, its date, its
        attendees as beneficiaries, and who logs."""
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        try:
            with store.session() as session:
                row = S.get_session(session, session_id)
                attendance = S.list_attendance(session, session_id)
                facilitators = S.session_data(session, session_id).facilitator_ids
        except (LookupError, StoreError) as exc:
            dialogs.warning(self, "Cannot log value from this session", str(exc))
            return
        if row.community_id != cid:
            dialogs.warning(self, "Cannot log value from this session",
                            "That session belongs to another community.")
            return
        self._load_people()
        attended = tuple(a.member_id for a in attendance if a.status == "attended")
        day = min(row.starts_at.date(), self.today())
        heading = f"Value from “{row.title}”, {row.starts_at:%a %d %b %Y}"
        heading += (f": {len(attended)} attendees filled in as beneficiaries."
                    if attended else ": no attendance was recorded; choose who benefited.")
        self._add(
            EntryData(
                entry_date=day,
                title="",
                kind="",
                cycle="",
                beneficiary_ids=attended,
                session_id=session_id,
                logged_by_id=self.default_logged_by(facilitators),
            ),
            heading,
        )

    def log_from_chosen_session(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        self._load_people()
        held = sorted((s for s in self._session_choices
                       if s.status == "held" or (s.status == "planned"
                                                 and s.starts_at.date() <= self.today())),
                      key=lambda s: s.starts_at, reverse=True)
        if not held:
            dialogs.information(self, "Log value from a session",
                                "No session has been held yet. Log value without one (Ctrl+N).")
            return
        labels = [choice_label(s) for s in held]
        chosen = dialogs.choose(self, "Log value from a session", "Session:", labels, 0)
        if chosen is None:
            return
        self.log_value_from_session(held[labels.index(chosen)].id)

    def edit_selected(self) -> None:
        ready = self._ready()
        row = self.current_row()
        if ready is None or row is None:
            return
        store, cid = ready
        eid = row.id
        try:
            with store.session() as session:
                initial = V.entry_data(session, eid)
                version = V.get_entry(session, eid).version
                # What the form starts from, to put the entry back if someone deletes it.
                opened = Q.snapshot_entry(session, eid)
        except (LookupError, StoreError) as exc:
            self.model.on_changes([Change("value", "update", (eid,), cid)])
            dialogs.warning(self, "Cannot edit this entry", str(exc))
            return

        def load_current() -> tuple[EntryData, int] | None:
            self.model.on_changes([Change("value", "update", (eid,), cid)])
            with store.session() as session:
                try:
                    return V.entry_data(session, eid), V.get_entry(session, eid).version
                except LookupError:
                    return None

        def submit(data: EntryData) -> None:
            before: EntryData | None
            if form.recreate:
                store.run(Q.recreate_entry, opened, data)
                before = None
            else:
                try:
                    before = store.run(
                        V.update_entry, eid, data, expected_version=form.expected_version
                    )
                except LookupError:  # gone, and no version to check: offer to re-create
                    raise ConflictError(
                        "Someone else deleted this value entry while you were editing it.",
                        entity="value entry", row_id=eid,
                    ) from None
            after = store.run(V.entry_data, eid)
            old = before

            def undo() -> None:
                if old is None:
                    store.run(V.delete_entry, eid)
                else:
                    store.run(V.update_entry, eid, old)

            perform_done(
                self.workspace.undo_stack,
                f"Re-create “{after.title}”" if old is None else f"Edit “{after.title}”",
                undo=undo,
                redo=lambda: store.run(Q.restore_entry_as, opened, after),
            )

        form = self._entry_form(
            submit, initial, editing=True, expected_version=version, load_current=load_current
        )
        self._run_form(form)

    def _delete_in_view(self) -> None:
        """Del deletes what the visible page shows as selected: entries or a story."""
        if self.views.currentIndex() == LOG:
            self.delete_selected()
        elif self.views.currentIndex() == STORIES and self.story_table.hasFocus():
            self.delete_story()

    def delete_selected(self) -> None:
        ready = self._ready()
        rows = self.selected_rows()
        if ready is None or not rows:
            return
        store, _cid = ready
        if len(rows) == 1:
            question = f"Delete the entry “{rows[0].title}”?"
            text = f"Delete “{rows[0].title}”"
        else:
            titles = "; ".join(r.title for r in rows[:5]) + (" …" if len(rows) > 5 else "")
            question = f"Delete {len(rows)} value entries?\n\n{titles}"
            text = f"Delete {len(rows)} value entries"
        in_story = [r for r in rows if r.story_id is not None]
        informative = "You can undo this with Ctrl+Z."
        if in_story:
            informative = "They leave their stories too. " + informative
        if not dialogs.confirm(self, "Delete value entries", question, ok_text="Delete",
                               informative=informative, destructive=True):
            return
        ids = [r.id for r in rows]
        try:
            snaps = _delete_as_seen(store, rows)
        except ConflictError as exc:
            self.model.on_changes([Change("value", "update", tuple(ids), _cid)])
            if not self._confirm_delete_conflict(exc, rows):
                return
            try:
                snaps = store.run(Q.delete_entries_checked, [(i, None) for i in ids])
            except (StoreError, LookupError) as again:
                dialogs.error(self, "Nothing was deleted", str(again))
                return
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "Nothing was deleted", str(exc))
            return
        if not snaps:
            return
        gone = [snap.id for snap in snaps]
        perform_done(
            self.workspace.undo_stack,
            text,
            undo=lambda: store.run(Q.restore_entries, snaps),
            redo=lambda: store.run(Q.delete_entries, gone),
        )

    def _confirm_delete_conflict(self, exc: ConflictError, rows: list[EntryRow]) -> bool:
        """Someone else changed or deleted an entry being deleted: delete anyway?"""
        seen = next((r for r in rows if r.id == exc.row_id), None)
        current = exc.current if isinstance(exc.current, EntryRow) else None
        if seen is None:
            dialogs.error(self, "Nothing was deleted", str(exc))
            return False
        others = len(rows) > 1
        name = f"the entry “{seen.title}”"
        if current is None and not others:
            dialogs.information(self, "Nothing to delete", f"Someone else already deleted {name}.")
            return False
        dialog = conflicts.ConflictDialog(
            conflicts.delete_headline(name, current is None, "value entry"),
            ROW_LABELS,
            describe_row(seen),
            None if current is None else describe_row(current),
            what="value entry",
            overwrite_text="Delete the others" if current is None else "Delete anyway",
            reload_text="Keep them" if others else "Keep it",
            mine_title="What you saw",
            shown_when_deleted=("title", "entry_date"),
            deleted_note="It is no longer in the store. Delete the other selected entries, "
                         "or keep them all.",
            parent=self,
        )
        return conflicts.ask(dialog) == conflicts.OVERWRITE

    # -- stories ---------------------------------------------------------------------------
    def _story_form(
        self,
        submit: Callable[[StoryData, tuple[int, ...]], None],
        *,
        chosen: Sequence[int] = (),
        story: StoryView | None = None,
    ) -> StoryForm:
        store = self.workspace.store
        load = None
        if story is not None and store is not None:
            sid = story.id
            load = lambda: load_story(store, sid)  # noqa: E731
        return StoryForm(submit, entries=self.model.all_rows(), chosen=chosen, story=story,
                         load_current=load, parent=self)

    def _stored_story(self, story_id: int) -> StoryData:
        store = self.store
        if store is None:
            raise LookupError("That story no longer exists")
        with store.session() as session:
            return Q.story_data(session, story_id)

    def new_story(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        made: list[int] = []

        def submit(data: StoryData, ids: tuple[int, ...]) -> None:
            with store.session() as session:
                prior = Q.story_links(session, ids)
            sid = store.run(V.create_story, cid, data, ids)
            saved = self._stored_story(sid)
            perform_done(
                self.workspace.undo_stack,
                f"New story “{saved.title}”",
                undo=lambda: store.run(Q.undo_create_story, sid, cid, prior),
                redo=lambda: store.run(V.restore_story, sid, cid, saved, ids),
            )
            made.append(sid)

        form = self._story_form(submit, chosen=[r.id for r in self.selected_rows()])
        if self._run_form(form) and made:
            self.views.setCurrentIndex(STORIES)
            self.select_story(made[0])
            self.story_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _change_story(
        self, story: StoryView, data: StoryData, ids: Sequence[int], text: str,
        *, expected_version: int | None, recreate: bool = False,
    ) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        save_story(store, cid, self.workspace.undo_stack, story.id, data, ids, text,
                   expected_version=expected_version, recreate=recreate)

    def add_to_story(self) -> None:
        rows = self.selected_rows()
        stories = self.story_model.all_stories()
        if not rows or not stories or self._ready() is None:
            return
        labels = [s.title for s in stories]
        chosen = dialogs.choose(self, "Add to story",
                                f"Add {len(rows)} {'entry' if len(rows) == 1 else 'entries'} "
                                "to the story:", labels, 0)
        if chosen is None:
            return
        story = stories[labels.index(chosen)]
        ids = list(dict.fromkeys([*(e.id for e in story.entries), *(r.id for r in rows)]))
        data = StoryData(story.title, story.expected_ending, story.follow_up_on)
        try:
            self._change_story(story, data, ids, f"Add to story “{story.title}”",
                               expected_version=story.version)
        except ValidationError as exc:
            dialogs.warning(self, "Not added to the story", "; ".join(exc.errors.values()))
            return
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "Not added to the story", str(exc))
            return
        self._status(f"Added {len(rows)} to “{story.title}”")

    def edit_story(self) -> None:
        story = self.current_story()
        if story is None or self._ready() is None:
            return

        form: StoryForm | None = None

        def submit(data: StoryData, ids: tuple[int, ...]) -> None:
            assert form is not None
            verb = "Re-create" if form.recreate else "Edit"
            self._change_story(story, data, ids, f"{verb} story “{data.title.strip()}”",
                               expected_version=form.expected_version,
                               recreate=form.recreate)

        form = self._story_form(submit, story=story)
        self._run_form(form)

    def delete_story(self) -> None:
        ready = self._ready()
        story = self.current_story()
        if ready is None or story is None:
            return
        store, _cid = ready
        delete_story_as_seen(self, store, self.workspace.undo_stack, story)

    def log_follow_up(self) -> None:
        story = self.current_story()
        if story is None:
            return
        last = story.entries[-1] if story.entries else None
        people = tuple(dict.fromkeys(m for e in story.entries for m in e.beneficiary_ids))
        cycle = "realised" if story.complete else "applied"
        self._add(
            EntryData(
                entry_date=self.today(),
                title="",
                kind=last.kind if last else "",
                cycle=cycle,
                beneficiary_ids=people,
                for_organisation=any(e.for_organisation for e in story.entries),
                logged_by_id=self.default_logged_by(),
            ),
            f"Follow-up for the story “{story.title}”: what was applied, what difference "
            "did it make? The entry joins the story.",
            story_id=story.id,
        )
        self.views.setCurrentIndex(STORIES)
        self.select_story(story.id)

    def _status(self, message: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(message, 8000)

    def entry_index(self, entry_id: int) -> QModelIndex:
        """The log's index of an entry (invalid when filtered out)."""
        pos = self.model.row_of(entry_id)
        if pos < 0:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(pos, 0))


def _delete_as_seen(store: Store, rows: Sequence[EntryRow]) -> list[V.EntrySnapshot]:
    """Delete the entries if each is still as the user saw it; ConflictError if not.

    A list row's version can lag behind the store while its content is unchanged (a
    change the row does not show); that is no conflict, so the delete is retried
    against the version the store has for a row that still equals the one seen.
    """
    versions: dict[int, int | None] = {r.id: r.version for r in rows}
    seen = {r.id: r for r in rows}
    for _ in range(len(rows) + 2):
        try:
            return store.run(Q.delete_entries_checked, list(versions.items()))
        except ConflictError as exc:
            row_id, current = exc.row_id, exc.current
            if row_id not in seen or current != seen[row_id] or exc.current_version is None:
                raise
            versions[row_id] = exc.current_version
    return store.run(Q.delete_entries_checked, list(versions.items()))


#: The fields of an entry row as a delete conflict shows them, in display order.
ROW_LABELS: dict[str, str] = {
    "entry_date": "Date",
    "title": "Title",
    "kind": "Kind",
    "cycle": "Cycle",
    "beneficiaries": "Who benefited",
    "session": "Session",
    "measure": "Measure",
    "story": "Story",
    "description": "Description",
    "evidence": "Evidence",
}


def describe_row(row: EntryRow) -> dict[str, str]:
    """An entry row's fields as people read them."""
    who = list(row.beneficiaries)
    if row.hidden_beneficiaries:
        who.append(f"{row.hidden_beneficiaries} not named")
    if row.for_organisation:
        who.append("the host organisation")
    measure = "(none)"
    if row.measure_value is not None:
        measure = f"{row.measure_value:g} {row.measure_unit}".strip()

    def short(text: str) -> str:
        text = text.strip()
        return (text if len(text) <= 300 else text[:299] + "…") or "(empty)"

    return {
        "entry_date": row.entry_date.isoformat(),
        "title": row.title,
        "kind": row.kind_label,
        "cycle": row.cycle_label,
        "beneficiaries": ", ".join(who) or "(nobody)",
        "session": row.session_title or "(none)",
        "measure": measure,
        "story": row.story_title or "(none)",
        "description": short(row.description),
        "evidence": short(row.evidence),
    }
