"""The Members tab: the roster, its knowledge map and its reach."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.changes import Change
from copdesk.data.members import Duplicate, MemberRow, MemberSnapshot
from copdesk.data.models import Member
from copdesk.data.store import ConflictError, Store, StoreError
from copdesk.data.validation import MemberData
from copdesk.framework import Level, MemberStatus, Role
from copdesk.ui import dialogs
from copdesk.ui.icons import icon
from copdesk.ui.members.detail import MemberDetail
from copdesk.ui.members.model import ROW_ROLE, Column, MemberFilterProxy, MemberTableModel
from copdesk.ui.rows import make_table
from copdesk.ui.tabs import TabPage
from copdesk.ui.tasks import BusyIndicator, QueryRunner
from copdesk.ui.undo import perform_done
from copdesk.ui.workspace import Workspace

# Forms, the CSV reader and its preview load when first used: the roster shows sooner
# and the window holds less while nobody edits or imports.
if TYPE_CHECKING:
    from copdesk.data import csvio
    from copdesk.ui.members.form import MemberForm
    from copdesk.ui.members.knowledge import KnowledgeMapView
    from copdesk.ui.members.reach import ReachView

DEFAULT_WIDTHS: dict[Column, int] = {
    Column.NAME: 175,
    Column.LEVEL: 120,
    Column.ROLES: 150,
    Column.ORGANISATION: 185,
    Column.REGION: 100,
    Column.EXPERTISE: 160,
    Column.INTERESTS: 230,
    Column.EMAIL: 220,
    Column.JOINED: 95,
    Column.CONSENT: 110,
    Column.STATUS: 75,
}
HIDDEN_BY_DEFAULT = (
    Column.INTERESTS, Column.EMAIL, Column.JOINED, Column.CONSENT, Column.STATUS
)

ROSTER, KNOWLEDGE, REACH = 0, 1, 2
#: A CSV file this small (about 1,500 rows) is read and imported right away; a larger one
#: on the worker thread, with "Importing…" in the toolbar, so the window keeps repainting.
IMPORT_INLINE_BELOW = 256 * 1024


@dataclass(frozen=True, slots=True)
class _Failed:
    """An expected failure of a background step, as the words to show."""

    message: str


def _restore_all(session: Session, snaps: Sequence[MemberSnapshot]) -> None:
    for snap in snaps:
        members.restore_member(session, snap)


def _recreate(session: Session, snap: MemberSnapshot, data: MemberData) -> None:
    """Put back a member someone else deleted (same id, links and history), with ``data``."""
    members.restore_member(session, snap)
    members.update_member(session, snap.id, data)


def _delete_checked(
    session: Session, rows: Sequence[tuple[int, int | None]]
) -> list[MemberSnapshot]:
    """Delete members, each checked against the version the user saw (None: no check).

    Without a version, a member already gone is skipped (someone else deleted it).
    """
    snaps = []
    for mid, version in rows:
        if version is None and session.get(Member, mid) is None:
            continue
        snaps.append(members.delete_member(session, mid, expected_version=version))
    return snaps


def _snapshot_all(session: Session, ids: Sequence[int]) -> list[MemberSnapshot]:
    return [members.snapshot_member(session, mid) for mid in ids]


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class MembersTab(TabPage):
    title = "Members"
    icon_name = "members"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.setObjectName("membersTab")
        self._insights_dirty = True
        self._init_models()
        self._init_actions()
        self._init_filter_bar()
        self._init_roster()
        self._init_layout()
        self._connect_signals()

    # -- building ------------------------------------------------------------------------
    def _init_models(self) -> None:
        self.import_runner = QueryRunner(self)
        self.import_inline_below = IMPORT_INLINE_BELOW
        self.model = MemberTableModel(self)
        self.proxy = MemberFilterProxy(self)
        self.proxy.setSourceModel(self.model)

    def _action(self, text: str, icon_name: str, tip: str) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _init_actions(self) -> None:
        self.add_action = self._action("Add member…", "add", "Add a member (Ctrl+N)")
        self.add_action.setShortcut(QKeySequence("Ctrl+N"))
        self.edit_action = self._action("Edit…", "edit", "Edit the selected member (Enter)")
        self.delete_action = self._action("Delete", "delete", "Delete the selected members (Del)")
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.import_action = self._action(
            "Import CSV…", "import", "Add members from a CSV file, with a preview first"
        )
        self.export_action = self._action(
            "Export CSV…", "export", "Save the roster as a CSV file that Excel opens"
        )
        self.export_member_action = self._action(
            "Export member's data…", "", "Save everything held about this member (JSON)"
        )
        self.erase_action = self._action(
            "Erase member…", "", "Remove this member's personal details for good"
        )

    def _init_filter_bar(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("memberFilter")
        self.filter_edit.setPlaceholderText(
            "Filter by name, organisation, region, expertise or interest (Ctrl+F)"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.level_filter = QComboBox()
        self.level_filter.addItem("All levels", "")
        for level in Level:
            self.level_filter.addItem(level.label, level.value)
        self.role_filter = QComboBox()
        self.role_filter.addItem("All roles", "")
        for role in Role:
            self.role_filter.addItem(role.label, role.value)
        self.status_filter = QComboBox()
        self.status_filter.addItem("Active and left", "")
        for status in MemberStatus:
            self.status_filter.addItem(f"{status.label} only", status.value)
        self.count_label = QLabel()
        self.count_label.setObjectName("memberCount")
        self.count_label.setStyleSheet("color: #5d6d7e;")

    def _init_roster(self) -> None:
        self.table = make_table(
            self.proxy, "memberTable", sort=(Column.NAME, Qt.SortOrder.AscendingOrder),
            multiple=True, widths=DEFAULT_WIDTHS.items(), hidden=HIDDEN_BY_DEFAULT, movable=True,
        )  # fmt: skip
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.horizontalHeader().setContextMenuPolicy(
            Qt.ContextMenuPolicy.CustomContextMenu
        )
        self.detail = MemberDetail()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("memberSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 320])
        self.splitter.setChildrenCollapsible(False)

        self.empty_page = QWidget()
        empty = QVBoxLayout(self.empty_page)
        message = QLabel("No members yet. Add the first one, or import a list from a CSV file.")
        message.setStyleSheet("font-size: 11pt; color: #5d6d7e;")
        message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_add = QPushButton(icon("add"), "Add a member…")
        self.empty_import = QPushButton(icon("import"), "Import from CSV…")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_add)
        row.addWidget(self.empty_import)
        row.addStretch(1)
        empty.addStretch(1)
        empty.addWidget(message)
        empty.addLayout(row)
        empty.addStretch(2)
        self.roster_stack = QStackedWidget()
        self.roster_stack.addWidget(self.splitter)
        self.roster_stack.addWidget(self.empty_page)

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    def _init_layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.setSpacing(2)
        for action in (self.add_action, self.edit_action, self.delete_action):
            toolbar.addWidget(self._tool_button(action))
        toolbar.addSpacing(12)
        for action in (self.import_action, self.export_action):
            toolbar.addWidget(self._tool_button(action))
        self.import_busy = BusyIndicator("Importing…")
        self.import_runner.busy_changed.connect(self.import_busy.set_busy)
        self.import_runner.busy_changed.connect(
            lambda busy: self.import_action.setEnabled(not busy)
        )
        toolbar.addWidget(self.import_busy)
        toolbar.addStretch(1)
        toolbar.addWidget(self.count_label)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.level_filter)
        filters.addWidget(self.role_filter)
        filters.addWidget(self.status_filter)

        roster_page = QWidget()
        roster = QVBoxLayout(roster_page)
        roster.setContentsMargins(0, 6, 0, 0)
        roster.addLayout(filters)
        roster.addWidget(self.roster_stack, 1)

        # The knowledge map and reach are made when first shown (see ``knowledge``).
        self._knowledge: KnowledgeMapView | None = None
        self._reach: ReachView | None = None
        self.views = QTabWidget()
        self.views.setObjectName("memberViews")
        self.views.setDocumentMode(True)
        self.views.addTab(roster_page, icon("roster"), "Roster")
        self.views.addTab(QWidget(), icon("knowledge"), "Knowledge map")
        self.views.addTab(QWidget(), icon("reach"), "Reach")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(toolbar)
        layout.addWidget(self.views, 1)
        self._update_actions()

    def _connect_signals(self) -> None:
        self.follow_workspace(self.reload, self._on_store_changes)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.level_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_level(str(self.level_filter.currentData()))
        )
        self.role_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_role(str(self.role_filter.currentData()))
        )
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_status(str(self.status_filter.currentData()))
        )
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved):
            signal.connect(self._update_counts)
        self.proxy.filter_changed.connect(self._update_counts)
        self.proxy.modelReset.connect(self._update_counts)
        self.proxy.layoutChanged.connect(self._update_counts)
        self.proxy.dataChanged.connect(self._refresh_detail)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.activated.connect(lambda _i: self.edit_selected())
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table.horizontalHeader().customContextMenuRequested.connect(self._header_menu)
        self.add_action.triggered.connect(self.add_member)
        self.edit_action.triggered.connect(self.edit_selected)
        self.delete_action.triggered.connect(self.delete_selected)
        self.import_action.triggered.connect(self.import_csv)
        self.export_action.triggered.connect(self.export_csv)
        self.export_member_action.triggered.connect(self.export_member)
        self.erase_action.triggered.connect(self.erase_member)
        self.detail.edit_button.clicked.connect(self.edit_selected)
        self.detail.export_button.clicked.connect(self.export_member)
        self.detail.erase_button.clicked.connect(self.erase_member)
        self.empty_add.clicked.connect(self.add_member)
        self.empty_import.clicked.connect(self.import_csv)
        self.views.currentChanged.connect(self._on_view_changed)

    # -- following the store -------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.workspace.store

    @property
    def community_id(self) -> int | None:
        return self.workspace.community_id

    def _put_view(self, index: int, view: QWidget) -> None:
        current = self.views.currentIndex()
        self.views.blockSignals(True)
        placeholder = self.views.widget(index)
        icon_name = ("roster", "knowledge", "reach")[index]
        title = self.views.tabText(index)
        self.views.removeTab(index)
        if placeholder is not None:
            placeholder.deleteLater()
        self.views.insertTab(index, view, icon(icon_name), title)
        self.views.setCurrentIndex(current)
        self.views.blockSignals(False)

    @property
    def knowledge(self) -> KnowledgeMapView:
        """The knowledge map view, made on first use (most visits only see the roster)."""
        if self._knowledge is None:
            from copdesk.ui.members.knowledge import KnowledgeMapView

            self._knowledge = KnowledgeMapView()
            self._put_view(KNOWLEDGE, self._knowledge)
        return self._knowledge

    @property
    def reach(self) -> ReachView:
        """The reach view, made on first use."""
        if self._reach is None:
            from copdesk.ui.members.reach import ReachView

            self._reach = ReachView()
            self._put_view(REACH, self._reach)
        return self._reach

    def reload(self) -> None:
        if self._knowledge is not None:  # a map of the community being left is not wanted
            self._knowledge.runner.cancel()
        self.model.set_source(self.store, self.community_id)
        self._insights_dirty = True
        self._refresh_insights()
        self._update_counts()
        self._on_selection()

    def _on_store_changes(self, recorded: list[object]) -> None:
        from copdesk.data.changes import Change

        changes = [c for c in recorded if isinstance(c, Change)]
        self.model.on_changes(changes)
        if any(c.entity == "member" for c in changes):
            self._insights_dirty = True
            self._refresh_insights()

    def _on_view_changed(self, index: int) -> None:
        if index == KNOWLEDGE:
            _ = self.knowledge  # made now, in place of its placeholder
        elif index == REACH:
            _ = self.reach
        self._refresh_insights()

    def _refresh_insights(self) -> None:
        if not self._insights_dirty or self.views.currentIndex() == ROSTER:
            return
        self.knowledge.refresh(self.store, self.community_id)
        self.reach.refresh(self.store, self.community_id)
        self._insights_dirty = False

    def _update_counts(self, *_args: object) -> None:
        if self.proxy.filtering:  # once at the end (filter_changed), not once per range
            return
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "member" if total == 1 else "members"
        self.count_label.setText(
            f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}"
        )
        self.roster_stack.setCurrentIndex(1 if total == 0 and self.community_id else 0)

    # -- selection -----------------------------------------------------------------------
    def selected_rows(self) -> list[MemberRow]:
        rows = self.table.selectionModel().selectedRows()
        return [r.data(ROW_ROLE) for r in sorted(rows, key=lambda i: i.row())]

    def current_row(self) -> MemberRow | None:
        selected = self.selected_rows()
        if len(selected) == 1:
            return selected[0]
        index = self.table.currentIndex()
        if selected and index.isValid():
            row = index.data(ROW_ROLE)
            return row if isinstance(row, MemberRow) else None
        return None

    def select_member(self, member_id: int) -> None:
        pos = self.model.row_of(member_id)
        if pos < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        self.table.scrollTo(index)

    def _on_selection(self, *_args: QItemSelection) -> None:
        self._refresh_detail()
        self._update_actions()

    def _refresh_detail(self, *_args: object) -> None:
        row = self.current_row()
        history = []
        if row is not None and self.store is not None:
            try:
                with self.store.session() as session:
                    history = members.level_history(session, row.id)
            except StoreError:
                history = []
        self.detail.show_member(row, history)

    def _update_actions(self) -> None:
        count = len(self.selected_rows()) if self.table.selectionModel() else 0
        one = self.current_row()
        has_community = self.community_id is not None
        for action in (self.add_action, self.import_action, self.export_action):
            action.setEnabled(has_community)
        self.edit_action.setEnabled(one is not None)
        self.delete_action.setEnabled(count > 0)
        self.delete_action.setText(f"Delete {count} members" if count > 1 else "Delete")
        self.export_member_action.setEnabled(one is not None)
        self.erase_action.setEnabled(one is not None and not one.erased)

    def _table_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for action in (self.add_action, self.edit_action, self.delete_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.export_member_action)
        menu.addAction(self.erase_action)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def column_menu(self, parent: QWidget) -> QMenu:
        """A menu of checkable roster columns (the header's context menu, the View menu)."""
        menu = QMenu("Roster columns", parent)
        header = self.table.horizontalHeader()
        for column in Column:
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != Column.NAME)
            action.toggled.connect(
                lambda on, c=column: header.setSectionHidden(c, not on)
            )
        return menu

    def _header_menu(self, pos: QPoint) -> None:
        menu = self.column_menu(self)
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    # -- TabPage ---------------------------------------------------------------------------
    def focus_filter(self) -> bool:
        if self.views.currentIndex() == KNOWLEDGE:
            self.knowledge.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.knowledge.filter_edit.selectAll()
            return True
        self.views.setCurrentIndex(ROSTER)
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()
        return True

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("members/splitter", self.splitter.saveState())
        settings.setValue("members/header", self.table.horizontalHeader().saveState())
        settings.setValue("members/view", self.views.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        splitter = settings.value("members/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = settings.value("members/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        view = settings.value("members/view", 0, type=int)
        if isinstance(view, int) and 0 <= view < self.views.count():
            self.views.setCurrentIndex(view)

    # -- commands --------------------------------------------------------------------------
    def _ready(self) -> tuple[Store, int] | None:
        if self.store is None or self.community_id is None:
            return None
        return self.store, self.community_id

    def _duplicates(self, exclude: int | None) -> Callable[[MemberData], list[Duplicate]]:
        def find(data: MemberData) -> list[Duplicate]:
            ready = self._ready()
            if ready is None:
                return []
            store, cid = ready
            with store.session() as session:
                return members.find_duplicates(session, cid, data, exclude_id=exclude)

        return find

    def _form(
        self, submit: Callable[[MemberData], None], member: MemberRow | None = None
    ) -> MemberForm:
        from copdesk.ui.members.form import MemberForm

        rows = self.model.all_rows()
        find = self._duplicates(member.id if member else None)
        return MemberForm(
            submit,
            find_duplicates=find,
            member=member,
            organisations=[r.organisation for r in rows],
            regions=[r.region for r in rows],
            parent=self,
        )

    def add_member(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        added: list[int] = []

        def submit(data: MemberData) -> None:
            mid = store.run(members.add_member, cid, data)
            snap = store.run(members.snapshot_member, mid)
            perform_done(
                self.workspace.undo_stack,
                f"Add {snap.columns['full_name']}",
                undo=lambda: store.run(members.delete_member, mid),
                redo=lambda: store.run(members.restore_member, snap),
            )
            added.append(mid)

        form = self._form(submit)
        if self._run_guarded(form) and added:
            self.select_member(added[0])

    def edit_selected(self) -> None:
        ready = self._ready()
        row = self.current_row()
        if ready is None or row is None:
            return
        store, _cid = ready
        mid = row.id
        try:
            # What the form starts from, to put the member back if someone else deletes it.
            opened = store.run(members.snapshot_member, mid)
        except (StoreError, LookupError) as exc:
            self._refresh_members((mid,))
            dialogs.error(self, "This member cannot be edited", str(exc))
            return

        def submit(data: MemberData) -> None:
            if form.recreate:
                store.run(_recreate, opened, data)
                before: MemberSnapshot | None = None
            else:
                try:
                    before = store.run(members.snapshot_member, mid)
                except LookupError:
                    # Gone already: let the form offer to re-create it.
                    self._refresh_members((mid,))
                    raise ConflictError(
                        f"Someone else deleted {row.full_name} while you were editing.",
                        entity="member", row_id=mid, expected_version=form.expected_version,
                    ) from None
                try:
                    store.run(
                        members.update_member, mid, data,
                        expected_version=form.expected_version,
                    )
                except ConflictError:
                    self._refresh_members((mid,))
                    raise
            after = store.run(members.snapshot_member, mid)
            name = after.columns["full_name"]
            text = f"Re-create {name}" if before is None else f"Edit {name}"

            def undo() -> None:
                if before is None:
                    store.run(members.delete_member, mid)
                else:
                    store.run(members.restore_member, before)

            perform_done(
                self.workspace.undo_stack,
                text,
                undo=undo,
                redo=lambda: store.run(members.restore_member, after),
            )

        form = self._form(submit, row)
        self._run_guarded(form)

    def _refresh_members(self, ids: tuple[int, ...]) -> None:
        """Show the store's rows for ``ids`` now (after a conflict), selection kept."""
        cid = self.community_id
        if cid is not None:
            self.model.on_changes([Change("member", "update", ids, cid)])

    def _run_guarded(self, form: MemberForm) -> bool:
        try:
            return dialogs.run(form)
        except StoreError as exc:
            dialogs.error(self, "The change was not saved", str(exc))
            return False
        finally:
            form.deleteLater()

    def delete_selected(self) -> None:
        ready = self._ready()
        rows = self.selected_rows()
        if ready is None or not rows:
            return
        store, _cid = ready
        if len(rows) == 1:
            question = f"Delete {rows[0].full_name}?"
            text = f"Delete {rows[0].full_name}"
        else:
            names = ", ".join(r.full_name for r in rows[:5]) + (" …" if len(rows) > 5 else "")
            question = f"Delete {len(rows)} members?"
            text = f"Delete {len(rows)} members"
            question += f"\n\n{names}"
        if not dialogs.confirm(
            self,
            "Delete members",
            question,
            ok_text="Delete",
            informative="Their level history goes too. You can undo this with Ctrl+Z.",
            destructive=True,
        ):
            return
        ids = [r.id for r in rows]
        checked: list[tuple[int, int | None]] = [(r.id, r.version) for r in rows]
        try:
            snaps = store.run(_delete_checked, checked)
        except ConflictError as exc:
            self._refresh_members(tuple(ids))
            if not self._confirm_delete_conflict(exc, rows):
                return
            try:
                snaps = store.run(_delete_checked, [(i, None) for i in ids])
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
            undo=lambda: store.run(_restore_all, snaps),
            redo=lambda: store.run(members.delete_members, gone),
        )

    def _confirm_delete_conflict(self, exc: ConflictError, rows: list[MemberRow]) -> bool:
        """Someone else changed or deleted a member being deleted: delete anyway?"""
        seen = next((r for r in rows if r.id == exc.row_id), None)
        current = exc.current if isinstance(exc.current, MemberRow) else None
        if seen is None:
            dialogs.error(self, "Nothing was deleted", str(exc))
            return False
        others = len(rows) > 1
        if current is None and not others:
            dialogs.information(
                self, "Nothing to delete", f"Someone else already deleted {seen.full_name}."
            )
            return False
        if current is None:
            headline = f"Someone else already deleted {seen.full_name}."
            overwrite = "Delete the others"
        else:
            headline = f"Someone else changed {seen.full_name} since you selected them."
            overwrite = "Delete anyway"
        from copdesk.ui.members.form import MemberConflictDialog

        dialog = MemberConflictDialog(
            headline,
            seen.to_data(),
            None if current is None else current.to_data(),
            overwrite_text=overwrite,
            reload_text="Keep them",
            mine_title="What you saw",
            parent=self,
        )
        dialog.setWindowTitle("Someone else edited this member")
        try:
            dialogs.run(dialog)
            choice = dialog.choice
        finally:
            dialog.deleteLater()
        return choice == MemberConflictDialog.OVERWRITE

    def import_csv(self) -> None:
        """Members from a CSV file: read, previewed, then added in one step (undoable).

        A large file is read and added on the worker thread ("Importing…" beside the
        buttons, the window keeps repainting); a small one right away.
        """
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        path = dialogs.open_file(
            self, "Import members from CSV", "CSV files (*.csv);;All files (*)"
        )
        if path is None:
            return
        from copdesk.data import csvio

        try:
            background = path.stat().st_size >= self.import_inline_below
        except OSError:
            background = False  # the read below says what is wrong with it

        def read(session: Session) -> csvio.ImportPreview | _Failed:
            try:
                return csvio.preview_import(session, cid, path)
            except (csvio.CsvError, OSError, StoreError) as exc:
                return _Failed(f"{path.name}: {exc}")

        run = self.import_runner.submit if background else self.import_runner.run_now
        run(
            store, read,
            lambda result: self._import_previewed(store, cid, path, result, background),
            lambda message: dialogs.error(self, "Cannot read this file", message),
        )

    def _import_previewed(
        self, store: Store, cid: int, path: Path, result: csvio.ImportPreview | _Failed,
        background: bool,
    ) -> None:
        if isinstance(result, _Failed):
            dialogs.error(self, "Cannot read this file", result.message)
            return
        from copdesk.data import csvio
        from copdesk.ui.members.import_dialog import ImportPreviewDialog

        preview = result
        dialog = ImportPreviewDialog(preview, self)
        try:
            if not dialogs.run(dialog):
                return
        finally:
            dialog.deleteLater()

        def write(_session: Session) -> list[int] | _Failed:
            try:
                return store.run(csvio.commit_import, cid, preview)
            except (csvio.CsvError, StoreError, ValueError) as exc:
                return _Failed(str(exc))

        run = self.import_runner.submit if background else self.import_runner.run_now
        run(
            store, write,
            lambda ids: self._import_done(store, path, ids),
            lambda message: dialogs.error(self, "Nothing was imported", message),
        )

    def _import_done(self, store: Store, path: Path, result: list[int] | _Failed) -> None:
        if isinstance(result, _Failed):
            dialogs.error(self, "Nothing was imported", result.message)
            return
        ids = result
        if not ids:
            return
        snaps = store.run(_snapshot_all, ids)
        perform_done(
            self.workspace.undo_stack,
            f"Import {len(ids)} members",
            undo=lambda: store.run(members.delete_members, ids),
            redo=lambda: store.run(_restore_all, snaps),
        )
        self._status(f"Imported {len(ids)} members from {path.name}")

    def export_csv(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        store, cid = ready
        path = dialogs.save_file(
            self, "Export members to CSV", "CSV files (*.csv)", "members.csv"
        )
        if path is None:
            return
        if path.suffix == "":
            path = path.with_suffix(".csv")
        from copdesk.data import csvio

        try:
            with store.session() as session:
                count = csvio.export_csv(session, cid, path)
        except (csvio.CsvError, OSError, StoreError) as exc:
            dialogs.error(self, "The CSV was not written", str(exc))
            return
        self._status(f"Exported {count} members to {path}")

    def export_member(self) -> None:
        row = self.current_row()
        if row is None or self.store is None:
            return
        safe = "".join(c if c.isalnum() else "-" for c in row.full_name).strip("-").lower()
        path = dialogs.save_file(
            self,
            f"Export the data held about {row.full_name}",
            "JSON files (*.json)",
            f"{safe or 'member'}.json",
        )
        if path is None:
            return
        try:
            with self.store.session() as session:
                payload = members.export_member(session, row.id)
            _write_atomically(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        except (OSError, StoreError, LookupError) as exc:
            dialogs.error(self, "The export was not written", str(exc))
            return
        self._status(f"Saved the data held about {row.full_name} to {path}")

    def erase_member(self) -> None:
        row = self.current_row()
        if row is None or self.store is None or row.erased:
            return
        if not dialogs.confirm_typed(
            self,
            "Erase member",
            f"Erase {row.full_name}'s personal details for good?\n\n"
            "Name, email, organisation, region, tags and notes are removed and cannot be "
            "recovered, not even with Undo: the undo history is cleared. The member stays "
            "as an anonymous entry so counts and participation history remain correct.",
            "ERASE",
        ):
            return
        try:
            self.store.run(members.erase_member, row.id)
            self.store.checkpoint()
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "The member was not erased", str(exc))
            return
        self.workspace.undo_stack.clear()
        self._status(f"Erased member #{row.id}; the undo history was cleared")

    def _status(self, message: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(message, 8000)
