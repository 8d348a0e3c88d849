"""Outcomes of a session (notes, decisions, resources) and its follow-up actions.

:class:`ActionsView` lists actions of one session, or every open action across the
community's sessions; overdue ones are marked. All edits are undoable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import session_queries, sessions
from copdesk.data.changes import Change
from copdesk.data.sessions import ActionData, ActionRow, SessionRow
from copdesk.data.store import ConflictError, Store, StoreError
from copdesk.data.validation import ValidationError
from copdesk.framework import ACTION_STATUSES, term_label
from copdesk.ui import conflicts, dialogs
from copdesk.ui.icons import icon
from copdesk.ui.sessions.common import MUTED, NO_OWNER, WARN, WARN_BG, MemberDirectory
from copdesk.ui.undo import perform_done
from copdesk.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NO_DATE = QDate(1999, 12, 31)


class Col(IntEnum):
    DUE = 0
    TITLE = 1
    OWNER = 2
    STATUS = 3
    SESSION = 4


HEADERS = {Col.DUE: "Due", Col.TITLE: "Action", Col.OWNER: "Owner", Col.STATUS: "Status",
           Col.SESSION: "From session"}

#: An action's fields as the conflict dialog names them, in the form's order.
CONFLICT_LABELS = {"title": "Action", "owner": "Owner", "due_on": "Due", "status": "Status",
                   "notes": "Notes"}


def describe(data: ActionData, directory: MemberDirectory) -> dict[str, str]:
    """An action's fields as people read them (names and labels, not stored keys)."""
    return {
        "title": data.title.strip() or "(empty)",
        "owner": directory.name(data.owner_id) if data.owner_id is not None else NO_OWNER,
        "due_on": data.due_on.isoformat() if data.due_on else "No due date",
        "status": term_label(ACTION_STATUSES, data.status),
        "notes": data.notes.strip() or "(empty)",
    }


class ActionModel(QAbstractTableModel):
    """Follow-up actions, updated row by row from the store's change events."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ActionRow] = []

    def set_rows(self, rows: list[ActionRow], *, reset: bool = False) -> None:
        if reset:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        wanted = {r.id: r for r in rows}
        for pos in range(len(self._rows) - 1, -1, -1):
            if self._rows[pos].id not in wanted:
                self.beginRemoveRows(QModelIndex(), pos, pos)
                del self._rows[pos]
                self.endRemoveRows()
        have = {r.id: i for i, r in enumerate(self._rows)}
        for aid, row in wanted.items():
            pos = have.get(aid, -1)
            if pos >= 0 and self._rows[pos] != row:
                self._rows[pos] = row
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, len(Col) - 1))
        new = [r for aid, r in wanted.items() if aid not in have]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()

    def rows(self) -> list[ActionRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(Col)):
            return HEADERS[Col(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = Col(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            match col:
                case Col.DUE:
                    if row.due_on is None:
                        return "—"
                    return f"{row.due_on:%d %b %Y}" + (" (overdue)" if row.overdue else "")
                case Col.TITLE:
                    return row.title
                case Col.OWNER:
                    return row.owner_name or NO_OWNER
                case Col.STATUS:
                    return term_label(ACTION_STATUSES, row.status)
                case Col.SESSION:
                    return f"{row.session_start:%d %b %Y} {row.session_title}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.overdue:
                return f"Overdue: was due {row.due_on:%d %b %Y}"
            if col == Col.TITLE and row.notes:
                return row.notes
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue and col in (Col.DUE, Col.TITLE):
                return QColor(WARN)
            if col == Col.OWNER and not row.owner_name:
                return QColor("#8a8f94")
            if row.status != "open":
                return QColor("#8a8f94")
        if role == Qt.ItemDataRole.BackgroundRole and row.overdue:
            return QColor(WARN_BG)
        if role == Qt.ItemDataRole.FontRole and row.overdue and col == Col.DUE:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            match col:
                case Col.DUE:
                    return (row.due_on or dt.date.max).isoformat() + f"{row.id:09d}"
                case Col.SESSION:
                    return row.session_start.isoformat()
            return str(self.data(index)).casefold()
        return None


class ActionForm(QDialog):
    """Add or edit a follow-up action; ``submit(data)`` raises ValidationError if refused.

    When editing, ``expected_version`` is the version of the action the form was filled
    from (``submit`` hands it to the store). If the store refuses the save with
    ConflictError, ``load_current()`` reads the action as stored now (None: deleted) and
    the form shows both versions: reload theirs (the form stays open with their values),
    overwrite (``expected_version`` becomes None and the form saves again; ``recreate``
    is True for an action deleted meanwhile), or cancel (nothing saved, typing kept).
    """

    def __init__(
        self,
        submit: Callable[[ActionData], None],
        directory: MemberDirectory,
        *,
        action: ActionData | None = None,
        expected_version: int | None = None,
        load_current: Callable[[], tuple[ActionData, int] | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("actionForm")
        self.setWindowTitle("Edit action" if action else "Add a follow-up action")
        self._submit = submit
        self._directory = directory
        #: The version the form was filled from (None: overwrite whatever is stored).
        self.expected_version = expected_version
        #: True when saving should re-create an action someone else deleted meanwhile.
        self.recreate = False
        #: Their version, once the user reloaded it (what the store has at expected_version).
        self.loaded: ActionData | None = None
        self._load_current = load_current
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("actionTitle")
        self.title_edit.setPlaceholderText("What is to be done, e.g. “Share the pump checklist”")
        self.owner_combo = QComboBox()
        self.owner_combo.setObjectName("actionOwner")
        self.owner_combo.addItem(NO_OWNER, None)
        for person in directory.people:
            if person.active:
                self.owner_combo.addItem(person.name, person.id)
        self.due_edit = QDateEdit()
        self.due_edit.setObjectName("actionDue")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setMinimumDate(NO_DATE)
        self.due_edit.setSpecialValueText("No due date")
        self.due_edit.setDate(NO_DATE)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("actionStatus")
        for term in ACTION_STATUSES:
            self.status_combo.addItem(term.label, term.key)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setFixedHeight(60)
        self.error = QLabel()
        self.error.setObjectName("actionError")
        self.error.setStyleSheet(f"color: {WARN};")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Action:", self.title_edit)
        form.addRow("", self.error)
        form.addRow("Owner:", self.owner_combo)
        form.addRow("Due:", self.due_edit)
        form.addRow("Status:", self.status_combo)
        form.addRow("Notes:", self.notes_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        if action is not None:
            self.set_data(action)

    def set_data(self, action: ActionData) -> None:
        """Fill the form with ``action`` (on opening, and when reloading theirs)."""
        self.title_edit.setText(action.title)
        pos = self.owner_combo.findData(action.owner_id)
        if pos < 0 and action.owner_id is not None:
            self.owner_combo.addItem(self._directory.name(action.owner_id), action.owner_id)
            pos = self.owner_combo.count() - 1
        self.owner_combo.setCurrentIndex(max(pos, 0))
        d = action.due_on
        self.due_edit.setDate(QDate(d.year, d.month, d.day) if d is not None else NO_DATE)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(action.status), 0))
        self.notes_edit.setPlainText(action.notes)
        self.error.hide()

    def action_data(self) -> ActionData:
        q = self.due_edit.date()
        due = dt.date(q.year(), q.month(), q.day()) if q > NO_DATE else None
        owner = self.owner_combo.currentData()
        return ActionData(
            title=self.title_edit.text(),
            owner_id=int(owner) if owner is not None else None,
            due_on=due,
            status=str(self.status_combo.currentData()),
            notes=self.notes_edit.toPlainText(),
        )

    def accept(self) -> None:
        if self._save(self.action_data()):
            super().accept()

    def _save(self, data: ActionData) -> bool:
        """Submit ``data``; True once the form may close."""
        try:
            self._submit(data)
        except ValidationError as exc:
            self._show_error(exc)
            return False
        except ConflictError:  # someone else changed or deleted the action
            return conflicts.resolve(
                self, data, self._load_current() if self._load_current is not None else None,
                what="action", name=f"the action “{data.title.strip()}”",
                labels=CONFLICT_LABELS, describe=lambda d: describe(d, self._directory),
                refill=self._reloaded, shown_when_deleted=("title", "owner", "due_on"),
                save=lambda: self._save(data),
            )
        except (StoreError, LookupError) as exc:  # e.g. its session is gone
            self._show_problem(exc)
            return False
        return True

    def _show_error(self, exc: ValidationError) -> None:
        self.error.setText("; ".join(exc.errors.values()))
        self.error.show()
        self.title_edit.setFocus()

    def _show_problem(self, exc: Exception) -> None:
        """A save the store could not make (not the user's typing): say so, keep the form."""
        self.error.setText(f"Not saved: {exc}")
        self.error.show()

    def _reloaded(self, theirs: ActionData) -> None:
        """Continue from their version of the action (after a conflict)."""
        self.loaded = theirs
        self.set_data(theirs)


class ActionsView(QWidget):
    """Follow-up actions of the chosen session, or (``across=True``) every open action."""

    def __init__(
        self,
        workspace: Workspace,
        directory: MemberDirectory,
        *,
        across: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("allActions" if across else "sessionActions")
        self.workspace = workspace
        self.directory = directory
        self.across = across
        self.session_row: SessionRow | None = None
        self.today: Callable[[], dt.date] = dt.date.today
        self.model = ActionModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setDynamicSortFilter(True)
        self.table = QTableView()
        self.table.setObjectName("allActionsTable" if across else "actionsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Col.DUE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Col.TITLE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Col.DUE, 165)
        header.resizeSection(Col.OWNER, 150)
        if not across:
            self.table.hideColumn(Col.SESSION)
        else:
            header.resizeSection(Col.SESSION, 240)
        self.add_action = QAction(icon("add"), "Add action…", self)
        self.add_action.setToolTip("Add a follow-up action to this session")
        self.edit_action = QAction(icon("edit"), "Edit…", self)
        self.done_action = QAction("Mark done", self)
        self.done_action.setShortcut(QKeySequence("Ctrl+D"))
        self.done_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action = QAction(icon("delete"), "Delete", self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.delete_action)
        self.addAction(self.done_action)
        self.summary = QLabel()
        self.summary.setObjectName("actionsSummary")
        self.summary.setStyleSheet(f"color: {MUTED};")
        self.show_closed = QCheckBox("Show done and dropped")
        self.show_closed.setObjectName("showClosed")
        tools = QHBoxLayout()
        tools.setSpacing(2)
        actions = [self.edit_action, self.done_action, self.delete_action]
        if not across:
            actions.insert(0, self.add_action)
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            tools.addWidget(button)
        tools.addStretch(1)
        if across:
            tools.addWidget(self.show_closed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.add_action.triggered.connect(self.add)
        self.edit_action.triggered.connect(self.edit_selected)
        self.done_action.triggered.connect(self.mark_done)
        self.delete_action.triggered.connect(self.delete_selected)
        self.table.activated.connect(lambda _i: self.edit_selected())
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.show_closed.toggled.connect(lambda _on: self.refresh(reset=True))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self._update()

    # -- following -------------------------------------------------------------------------
    def set_session(self, row: SessionRow | None) -> None:
        same = row is not None and self.session_row is not None and row.id == self.session_row.id
        self.session_row = row
        self.refresh(reset=not same)

    def refresh(self, *, reset: bool = False) -> None:
        self.model.set_rows(self._load(), reset=reset)
        self._update()

    def _load(self) -> list[ActionRow]:
        store, cid = self.workspace.store, self.workspace.community_id
        if store is None or cid is None:
            return []
        if not self.across and self.session_row is None:
            return []
        try:
            with store.session() as session:
                return sessions.list_actions(
                    session,
                    cid,
                    session_id=None if self.across else self.session_row.id
                    if self.session_row else None,
                    open_only=self.across and not self.show_closed.isChecked(),
                    today=self.today(),
                )
        except (StoreError, LookupError):
            return []

    def on_changes(self, recorded: list[Change]) -> None:
        if any(c.entity in ("action", "member", "session") for c in recorded):
            self.refresh()

    def _update(self) -> None:
        one = self.current() is not None
        has = self.across or self.session_row is not None
        self.add_action.setEnabled(self.session_row is not None)
        self.edit_action.setEnabled(one)
        self.done_action.setEnabled(one)
        self.delete_action.setEnabled(one)
        rows = self.model.rows()
        overdue = sum(1 for r in rows if r.overdue)
        open_ = sum(1 for r in rows if r.status == "open")
        if not has:
            self.summary.setText("Choose a session to log its follow-up actions.")
        elif not rows:
            self.summary.setText("No open actions." if self.across else
                                 "No follow-up actions yet.")
        else:
            text = f"{open_} open"
            if overdue:
                text += f", {overdue} overdue"
            self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {WARN if overdue else MUTED};")

    def current(self) -> ActionRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return row if isinstance(row, ActionRow) else None

    def rows_in_view(self) -> list[ActionRow]:
        """The actions in the order the table shows them (soonest due first)."""
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    def select_action(self, action_id: int) -> None:
        for r, row in enumerate(self.rows_in_view()):
            if row.id == action_id:
                self.table.selectRow(r)
                return

    # -- commands ----------------------------------------------------------------------------
    def _store(self) -> Store | None:
        return self.workspace.store

    def add(self) -> None:
        store = self._store()
        row = self.session_row
        if store is None or row is None:
            return
        sid = row.id
        added: list[int] = []

        def submit(data: ActionData) -> None:
            aid = store.run(sessions.add_action, sid, data)
            saved = replace_data(store, aid)
            perform_done(
                self.workspace.undo_stack,
                f"Add action “{saved.title}”",
                undo=lambda: store.run(sessions.delete_action, aid),
                redo=lambda: store.run(sessions.restore_action, aid, sid, saved),
            )
            added.append(aid)

        form = ActionForm(submit, self.directory, parent=self)
        try:
            dialogs.run(form)
        finally:
            form.deleteLater()
        if added:
            self.select_action(added[0])

    def edit_selected(self) -> None:
        store = self._store()
        row = self.current()
        if store is None or row is None:
            return
        aid, sid = row.id, row.session_id
        opened = row.to_data()
        form: ActionForm | None = None

        def submit(data: ActionData) -> None:
            assert form is not None
            if form.recreate:  # someone else deleted it: put it back with these values
                store.run(sessions.restore_action, aid, sid, data)
                after = replace_data(store, aid)
                perform_done(
                    self.workspace.undo_stack,
                    f"Re-create action “{after.title}”",
                    undo=lambda: store.run(sessions.delete_action, aid),
                    redo=lambda: store.run(sessions.restore_action, aid, sid, after),
                )
                return
            before = replace_data(store, aid) if form.expected_version is None else (
                form.loaded or opened)
            store.run(sessions.update_action, aid, data, expected_version=form.expected_version)
            after = replace_data(store, aid)
            perform_done(
                self.workspace.undo_stack,
                f"Edit action “{after.title}”",
                undo=lambda: store.run(sessions.update_action, aid, before),
                redo=lambda: store.run(sessions.update_action, aid, after),
            )

        form = ActionForm(submit, self.directory, action=opened, expected_version=row.version,
                          load_current=lambda: load_action(store, aid), parent=self)
        try:
            dialogs.run(form)
        finally:
            form.deleteLater()

    def mark_done(self) -> None:
        store = self._store()
        row = self.current()
        if store is None or row is None:
            return
        before = row.to_data()
        after = ActionData(before.title, before.owner_id, before.due_on, "done", before.notes)
        aid = row.id
        try:
            store.run(sessions.update_action, aid, after, expected_version=row.version)
        except ConflictError as exc:
            self.refresh()
            theirs = self._confirm_conflict(exc, row, "mark done")
            if theirs is None:
                return
            before = theirs
            after = ActionData(theirs.title, theirs.owner_id, theirs.due_on, "done",
                               theirs.notes)
            try:
                store.run(sessions.update_action, aid, after, expected_version=exc.current_version)
            except (ValidationError, StoreError, LookupError) as again:
                dialogs.error(self, "The action was not changed", str(again))
                return
        except (ValidationError, StoreError, LookupError) as exc:
            dialogs.error(self, "The action was not changed", str(exc))
            return
        perform_done(
            self.workspace.undo_stack,
            f"Mark “{row.title}” done",
            undo=lambda: store.run(sessions.update_action, aid, before),
            redo=lambda: store.run(sessions.update_action, aid, after),
        )

    def delete_selected(self) -> None:
        store = self._store()
        row = self.current()
        if store is None or row is None:
            return
        aid = row.id
        try:
            _aid, sid, data = store.run(sessions.delete_action, aid, expected_version=row.version)
        except ConflictError as exc:
            self.refresh()
            if self._confirm_conflict(exc, row, "delete") is None:
                return
            try:
                _aid, sid, data = store.run(sessions.delete_action, aid,
                                            expected_version=exc.current_version)
            except (StoreError, LookupError) as again:
                dialogs.error(self, "The action was not deleted", str(again))
                return
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "The action was not deleted", str(exc))
            return
        perform_done(
            self.workspace.undo_stack,
            f"Delete action “{row.title}”",
            undo=lambda: store.run(sessions.restore_action, aid, sid, data),
            redo=lambda: store.run(sessions.delete_action, aid),
        )

    def _confirm_conflict(
        self, exc: ConflictError, seen: ActionRow, doing: str
    ) -> ActionData | None:
        """Someone else changed or deleted the action: go on with theirs? (their data)

        ``doing`` is "delete" or "mark done". A deleted action is only reported.
        """
        current = exc.current if isinstance(exc.current, ActionRow) else None
        name = f"the action “{seen.title}”"
        if current is None:
            dialogs.information(self, "Nothing to change" if doing != "delete"
                                else "Nothing to delete", f"Someone else already deleted {name}.")
            return None
        dialog = conflicts.ConflictDialog(
            conflicts.delete_headline(name, False, "action") if doing == "delete"
            else f"Someone else changed {name} since you selected it.",
            CONFLICT_LABELS,
            describe(seen.to_data(), self.directory),
            describe(current.to_data(), self.directory),
            what="action",
            overwrite_text="Delete anyway" if doing == "delete" else "Mark their version done",
            reload_text="Keep it" if doing == "delete" else "Leave it",
            mine_title="What you saw",
            parent=self,
        )
        if conflicts.ask(dialog) != conflicts.OVERWRITE:
            return None
        return current.to_data()


def load_action(store: Store, action_id: int) -> tuple[ActionData, int] | None:
    """The action as stored now and its version, or None if it was deleted."""
    with store.session() as session:
        row = sessions.get_action_row(session, action_id)
    return None if row is None else (row.to_data(), row.version)


def replace_data(store: Store, action_id: int) -> ActionData:
    """The action as saved (cleaned by the data layer), for redo."""
    with store.session() as session:
        return session_queries.get_action(session, action_id)


class OutcomesView(QWidget):
    """What happened: notes, decisions and resources created, saved as one undoable edit."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomesView")
        self.workspace = workspace
        self.session_row: SessionRow | None = None
        self._saved = session_queries.Outcomes("", "", "")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("outcomeNotes")
        self.notes_edit.setPlaceholderText("What happened, what was learned")
        self.decisions_edit = QPlainTextEdit()
        self.decisions_edit.setObjectName("outcomeDecisions")
        self.decisions_edit.setPlaceholderText("Decisions taken, one per line")
        self.resources_edit = QPlainTextEdit()
        self.resources_edit.setObjectName("outcomeResources")
        for edit in (self.notes_edit, self.decisions_edit, self.resources_edit):
            edit.setMinimumHeight(44)  # the tab stays usable on a small laptop screen
        self.resources_edit.setPlaceholderText("Resources created: documents, templates, links")
        for edit in (self.notes_edit, self.decisions_edit, self.resources_edit):
            edit.setTabChangesFocus(True)
            edit.textChanged.connect(self._update)
        self.save_button = QPushButton("Save outcomes")
        self.save_button.setObjectName("saveOutcomes")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip("Save the outcomes (Ctrl+S); undo with Ctrl+Z")
        self.revert_button = QPushButton("Revert")
        self.state = QLabel()
        self.state.setObjectName("outcomesState")
        self.state.setStyleSheet(f"color: {MUTED};")
        form = QFormLayout()
        form.addRow("Notes:", self.notes_edit)
        form.addRow("Decisions:", self.decisions_edit)
        form.addRow("Resources created:", self.resources_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._show_saved)
        self._update()

    def set_session(self, row: SessionRow | None) -> None:
        if row is not None and self.session_row is not None and row.id == self.session_row.id:
            self.session_row = row
            return
        self.session_row = row
        self._load()

    def _load(self) -> None:
        store = self.workspace.store
        outcomes = session_queries.Outcomes("", "", "")
        if store is not None and self.session_row is not None:
            try:
                with store.session() as session:
                    outcomes = session_queries.get_outcomes(session, self.session_row.id)
            except (StoreError, LookupError):
                pass
        self._saved = outcomes
        self._show_saved()

    def _show_saved(self) -> None:
        self.notes_edit.setPlainText(self._saved.notes)
        self.decisions_edit.setPlainText(self._saved.decisions)
        self.resources_edit.setPlainText(self._saved.resources)
        self._update()

    def on_changes(self, recorded: list[Change]) -> None:
        row = self.session_row
        if row is None:
            return
        if any(c.entity == "session" and row.id in c.ids for c in recorded) and not self.dirty():
            self._load()

    def typed(self) -> session_queries.Outcomes:
        return session_queries.Outcomes(
            self.notes_edit.toPlainText().strip(),
            self.decisions_edit.toPlainText().strip(),
            self.resources_edit.toPlainText().strip(),
        )

    def dirty(self) -> bool:
        return self.typed() != self._saved

    def _update(self) -> None:
        has = self.session_row is not None
        for edit in (self.notes_edit, self.decisions_edit, self.resources_edit):
            edit.setEnabled(has)
        dirty = has and self.dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self.state.setText("Unsaved changes" if dirty else ("Saved" if has else ""))

    def save(self) -> None:
        store = self.workspace.store
        row = self.session_row
        if store is None or row is None or not self.dirty():
            return
        before, after, sid = self._saved, self.typed(), row.id

        def put(o: session_queries.Outcomes) -> None:
            store.run(sessions.set_outcomes, sid, notes=o.notes, decisions=o.decisions,
                      resources=o.resources)

        try:
            put(after)
        except (ValidationError, StoreError, LookupError) as exc:
            message = "; ".join(exc.errors.values()) if isinstance(exc, ValidationError) \
                else str(exc)
            dialogs.error(self, "The outcomes were not saved", message)
            return
        self._saved = after
        perform_done(
            self.workspace.undo_stack,
            f"Outcomes of “{row.title}”",
            undo=lambda: put(before),
            redo=lambda: put(after),
        )
        self._update()
