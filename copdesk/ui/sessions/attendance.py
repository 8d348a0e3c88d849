"""Attendance: invite members (by level, role, tag or by hand), then mark who came.

Also :class:`DriftingMembersView`, the members not seen at a session for N months,
reusable by the Members tab.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import session_queries, sessions
from copdesk.data.changes import Change
from copdesk.data.sessions import AttendanceRow, SessionRow
from copdesk.data.store import Store, StoreError
from copdesk.data.validation import ValidationError
from copdesk.framework import (
    ATTENDANCE_ROLES,
    ATTENDANCE_STATUSES,
    Level,
    Role,
    level_label,
    term_label,
)
from copdesk.ui import dialogs
from copdesk.ui.icons import icon
from copdesk.ui.sessions.common import MUTED, MemberDirectory
from copdesk.ui.undo import perform_done
from copdesk.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole
STATUS_COLOURS = {
    "invited": "#5d6d7e",
    "attended": "#1e8449",
    "apologised": "#b9770e",
    "absent": "#b03a2e",
}


class ACol(IntEnum):
    NAME = 0
    LEVEL = 1
    STATUS = 2
    ROLE = 3


A_HEADERS = {ACol.NAME: "Member", ACol.LEVEL: "Participation", ACol.STATUS: "Attendance",
             ACol.ROLE: "Role in session"}


class AttendanceModel(QAbstractTableModel):
    """The attendance list of one session, updated row by row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AttendanceRow] = []

    def set_rows(self, rows: list[AttendanceRow], *, reset: bool = False) -> None:
        if reset:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        wanted = {r.member_id: r for r in rows}
        for pos in range(len(self._rows) - 1, -1, -1):
            if self._rows[pos].member_id not in wanted:
                self.beginRemoveRows(QModelIndex(), pos, pos)
                del self._rows[pos]
                self.endRemoveRows()
        have = {r.member_id: i for i, r in enumerate(self._rows)}
        for mid, row in wanted.items():
            pos = have.get(mid, -1)
            if pos >= 0 and self._rows[pos] != row:
                self._rows[pos] = row
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, len(ACol) - 1))
        new = [r for mid, r in wanted.items() if mid not in have]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()

    def rows(self) -> list[AttendanceRow]:
        return list(self._rows)

    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ACol)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(ACol)):
            return A_HEADERS[ACol(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = ACol(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            match col:
                case ACol.NAME:
                    return row.full_name
                case ACol.LEVEL:
                    return level_label(row.level)
                case ACol.STATUS:
                    return term_label(ATTENDANCE_STATUSES, row.status)
                case ACol.ROLE:
                    return term_label(ATTENDANCE_ROLES, row.role)
        if role == Qt.ItemDataRole.ForegroundRole and col == ACol.STATUS:
            return QColor(STATUS_COLOURS.get(row.status, "#000000"))
        if role == Qt.ItemDataRole.UserRole + 1:  # sort key
            if col == ACol.LEVEL:
                try:
                    return Level(row.level).rank
                except ValueError:
                    return 9
            return str(self.data(index)).casefold()
        if role == ROW_ROLE:
            return row
        return None


class InviteDialog(QDialog):
    """Choose whom to invite: tick by hand, or tick everyone of a level, role or tag."""

    def __init__(
        self, directory: MemberDirectory, already: set[int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inviteDialog")
        self.setWindowTitle("Invite members")
        self.directory = directory
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("inviteLevel")
        for level in Level:
            self.level_combo.addItem(level.label, level.value)
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("inviteRole")
        for role in Role:
            self.role_combo.addItem(role.label, role.value)
        self.tag_combo = QComboBox()
        self.tag_combo.setObjectName("inviteTag")
        self.tag_combo.addItems(directory.tags())
        self.level_button = QPushButton("Tick this level")
        self.level_button.setObjectName("tickLevel")
        self.role_button = QPushButton("Tick this role")
        self.role_button.setObjectName("tickRole")
        self.tag_button = QPushButton("Tick this tag")
        self.tag_button.setObjectName("tickTag")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name…")
        self.filter_edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setObjectName("inviteList")
        for person in directory.people:
            if not person.active:
                continue
            item = QListWidgetItem(f"{person.name} — {level_label(person.level)}")
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            if person.id in already:
                flags &= ~Qt.ItemFlag.ItemIsEnabled
                item.setText(item.text() + " (invited)")
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setCheckState(Qt.CheckState.Unchecked)
            item.setFlags(flags)
            self.list.addItem(item)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(f"color: {MUTED};")
        grid = QGridLayout()
        grid.addWidget(QLabel("Participation level:"), 0, 0)
        grid.addWidget(self.level_combo, 0, 1)
        grid.addWidget(self.level_button, 0, 2)
        grid.addWidget(QLabel("Role:"), 1, 0)
        grid.addWidget(self.role_combo, 1, 1)
        grid.addWidget(self.role_button, 1, 2)
        grid.addWidget(QLabel("Expertise or interest:"), 2, 0)
        grid.addWidget(self.tag_combo, 2, 1)
        grid.addWidget(self.tag_button, 2, 2)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("Invite")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.level_button.clicked.connect(
            lambda: self.tick(lambda p: p.level == self.level_combo.currentData())
        )
        self.role_button.clicked.connect(
            lambda: self.tick(lambda p: self.role_combo.currentData() in p.roles)
        )
        self.tag_button.clicked.connect(
            lambda: self.tick(
                lambda p: self.tag_combo.currentText().casefold() in
                {t.casefold() for t in p.tags}
            )
        )
        self.filter_edit.textChanged.connect(self._filter)
        self.list.itemChanged.connect(lambda _i: self._count())
        self.resize(520, 560)
        self._count()

    def tick(self, matches: Callable[[Any], bool]) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            person = self.directory.get(int(item.data(Qt.ItemDataRole.UserRole)))
            if person is not None and matches(person) and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(not all(w in item.text().casefold() for w in words))

    def chosen(self) -> list[int]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if (item.checkState() == Qt.CheckState.Checked
                    and item.flags() & Qt.ItemFlag.ItemIsEnabled):
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _count(self) -> None:
        n = len(self.chosen())
        self.count_label.setText(f"{n} member{'s' if n != 1 else ''} to invite")


class AttendanceView(QWidget):
    """The attendance of the chosen session: invite, mark, set roles, see the counts."""

    def __init__(
        self, workspace: Workspace, directory: MemberDirectory, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceView")
        self.workspace = workspace
        self.directory = directory
        self.session_row: SessionRow | None = None
        self.model = AttendanceModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole + 1)
        self.table = QTableView()
        self.table.setObjectName("attendanceTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ACol.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(ACol.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ACol.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACol.LEVEL, QHeaderView.ResizeMode.ResizeToContents)

        self.invite_action = QAction(icon("add"), "Invite…", self)
        self.invite_action.setToolTip("Invite members by level, role, tag or by hand")
        self.uninvite_action = QAction(icon("delete"), "Remove", self)
        self.uninvite_action.setToolTip("Take the selected members off the list")
        self.mark_actions: dict[str, QAction] = {}
        keys = {"attended": "A", "apologised": "P", "absent": "X"}
        for status, key in keys.items():
            action = QAction(term_label(ATTENDANCE_STATUSES, status), self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.setToolTip(f"Mark the selected members {status} ({key})")
            action.triggered.connect(lambda _c=False, s=status: self.mark(s))
            self.table.addAction(action)
            self.mark_actions[status] = action
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("attendanceRole")
        self.role_combo.addItem("Set role…", "")
        for term in ATTENDANCE_ROLES:
            self.role_combo.addItem(term.label, term.key)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("attendanceCounts")
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel()
        self.message.setObjectName("attendanceMessage")
        self.message.setStyleSheet(f"color: {MUTED};")
        self.message.setWordWrap(True)

        # Two rows of tools, so the tab fits a small laptop screen.
        invite_row = QHBoxLayout()
        invite_row.setSpacing(2)
        for action in (self.invite_action, self.uninvite_action):
            invite_row.addWidget(self._button(action))
        invite_row.addStretch(1)
        mark_row = QHBoxLayout()
        mark_row.setSpacing(2)
        mark_row.addWidget(QLabel("Mark:"))
        for action in self.mark_actions.values():
            mark_row.addWidget(self._button(action))
        mark_row.addWidget(self.role_combo)
        mark_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(invite_row)
        layout.addLayout(mark_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.message)

        self.invite_action.triggered.connect(self.invite)
        self.uninvite_action.triggered.connect(self.remove_selected)
        self.role_combo.activated.connect(lambda _i: self._role_chosen())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self._update()

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    # -- following -------------------------------------------------------------------------
    def set_session(self, row: SessionRow | None) -> None:
        same = row is not None and self.session_row is not None and row.id == self.session_row.id
        self.session_row = row
        self.model.set_rows(self._load(), reset=not same)
        self._update()

    def _load(self) -> list[AttendanceRow]:
        store = self.workspace.store
        if store is None or self.session_row is None:
            return []
        try:
            with store.session() as session:
                return sessions.list_attendance(session, self.session_row.id)
        except (StoreError, LookupError):
            return []

    def on_changes(self, recorded: list[Change]) -> None:
        row = self.session_row
        if row is None:
            return
        if any((c.entity in ("attendance", "session") and row.id in c.ids)
               or c.entity == "member" for c in recorded):
            self.model.set_rows(self._load())
            self._update()

    def _update(self) -> None:
        has = self.session_row is not None
        selected = bool(self.selected_ids())
        self.invite_action.setEnabled(has)
        self.uninvite_action.setEnabled(selected)
        for action in self.mark_actions.values():
            action.setEnabled(selected)
        self.role_combo.setEnabled(selected)
        counts = self.model.counts()
        total = self.model.rowCount()
        if not has:
            self.counts_label.setText("")
            self.message.setText("Choose a session to take its attendance.")
            return
        parts = [f"{total} on the list"]
        for term in ATTENDANCE_STATUSES:
            if counts.get(term.key):
                parts.append(f"{counts[term.key]} {term.label.lower()}")
        self.counts_label.setText(" · ".join(parts))
        self.message.setText(
            "Nobody invited yet: use Invite… to add members by level, role, tag or by hand."
            if not total else
            "Select members and press A (attended), P (apologised) or X (absent)."
        )

    def selected_ids(self) -> list[int]:
        out = []
        for index in self.table.selectionModel().selectedRows():
            row = index.data(ROW_ROLE)
            if isinstance(row, AttendanceRow):
                out.append(row.member_id)
        return out

    def select_members(self, ids: list[int]) -> None:
        self.table.clearSelection()
        wanted = set(ids)
        for r in range(self.proxy.rowCount()):
            row = self.proxy.index(r, 0).data(ROW_ROLE)
            if isinstance(row, AttendanceRow) and row.member_id in wanted:
                self.table.selectionModel().select(
                    self.proxy.index(r, 0),
                    self.table.selectionModel().SelectionFlag.Select
                    | self.table.selectionModel().SelectionFlag.Rows,
                )

    # -- commands --------------------------------------------------------------------------
    def _ready(self) -> tuple[Store, int] | None:
        store = self.workspace.store
        if store is None or self.session_row is None:
            return None
        return store, self.session_row.id

    def invite(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        already = {r.member_id for r in self.model.rows()}
        dialog = InviteDialog(self.directory, already, self)
        try:
            if not dialogs.run(dialog):
                return
            chosen = dialog.chosen()
        finally:
            dialog.deleteLater()
        self.invite_ids(chosen)

    def invite_ids(self, ids: list[int]) -> None:
        ready = self._ready()
        if ready is None or not ids:
            return
        store, sid = ready
        try:
            added = store.run(sessions.invite, sid, ids)
        except (ValidationError, StoreError, LookupError) as exc:
            dialogs.error(self, "Nobody was invited", _message(exc))
            return
        if not added:
            return
        perform_done(
            self.workspace.undo_stack,
            f"Invite {len(added)} member{'s' if len(added) != 1 else ''}",
            undo=lambda: store.run(sessions.remove_attendance, sid, added),
            redo=lambda: store.run(sessions.invite, sid, added),
        )

    def mark(self, status: str, role: str | None = None) -> None:
        ready = self._ready()
        ids = self.selected_ids()
        if ready is None or not ids:
            return
        store, sid = ready

        def apply(session: Any) -> list[tuple[int, tuple[str, str] | None]]:
            return [
                (mid, sessions.set_attendance(session, sid, mid, status=status, role=role))
                for mid in ids
            ]

        def restore(session: Any, before: list[tuple[int, tuple[str, str] | None]]) -> None:
            gone = [mid for mid, prev in before if prev is None]
            for mid, prev in before:
                if prev is not None:
                    sessions.set_attendance(session, sid, mid, status=prev[0], role=prev[1])
            if gone:
                sessions.remove_attendance(session, sid, gone)

        try:
            before = store.run(apply)
        except (ValidationError, StoreError, LookupError) as exc:
            dialogs.error(self, "Attendance was not changed", _message(exc))
            return
        what = term_label(ATTENDANCE_STATUSES, status).lower()
        if role:
            what += f" as {term_label(ATTENDANCE_ROLES, role).lower()}"
        who = self.directory.name(ids[0], "a member") if len(ids) == 1 else f"{len(ids)} members"
        perform_done(
            self.workspace.undo_stack,
            f"Mark {who} {what}",
            undo=lambda: store.run(restore, before),
            redo=lambda: store.run(apply),
        )
        self.select_members(ids)

    def set_role(self, role: str) -> None:
        """Set the role of the selected members, keeping their attendance status."""
        ready = self._ready()
        rows = [r for r in self.model.rows() if r.member_id in set(self.selected_ids())]
        if ready is None or not rows:
            return
        store, sid = ready
        before = [(r.member_id, r.status, r.role) for r in rows]

        def apply(session: Any, target: list[tuple[int, str, str]]) -> None:
            for mid, status, r in target:
                sessions.set_attendance(session, sid, mid, status=status, role=r)

        after = [(mid, status, role) for mid, status, _r in before]
        try:
            store.run(apply, after)
        except (ValidationError, StoreError, LookupError) as exc:
            dialogs.error(self, "The role was not changed", _message(exc))
            return
        perform_done(
            self.workspace.undo_stack,
            f"Set role {term_label(ATTENDANCE_ROLES, role).lower()}",
            undo=lambda: store.run(apply, before),
            redo=lambda: store.run(apply, after),
        )
        self.select_members([r.member_id for r in rows])

    def _role_chosen(self) -> None:
        role = str(self.role_combo.currentData() or "")
        self.role_combo.setCurrentIndex(0)
        if role:
            self.set_role(role)

    def remove_selected(self) -> None:
        ready = self._ready()
        ids = set(self.selected_ids())
        if ready is None or not ids:
            return
        store, sid = ready
        before = [(r.member_id, r.status, r.role) for r in self.model.rows() if r.member_id in ids]

        def put_back(session: Any) -> None:
            for mid, status, role in before:
                sessions.set_attendance(session, sid, mid, status=status, role=role)

        try:
            store.run(sessions.remove_attendance, sid, list(ids))
        except (StoreError, LookupError) as exc:
            dialogs.error(self, "Nobody was removed", _message(exc))
            return
        perform_done(
            self.workspace.undo_stack,
            f"Remove {len(ids)} from the attendance list",
            undo=lambda: store.run(put_back),
            redo=lambda: store.run(sessions.remove_attendance, sid, list(ids)),
        )


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.errors.values())
    return str(exc)


class DriftingMembersView(QWidget):
    """Active members not seen at a session for N months (design: people drifting away).

    Reusable outside the Sessions tab: call :meth:`set_source` and :meth:`refresh`;
    ``member_chosen(member_id)`` is emitted on double-click or Enter.
    """

    member_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driftingView")
        self.store: Store | None = None
        self.community_id: int | None = None
        self.today: Callable[[], dt.date] = dt.date.today
        self.months_spin = QSpinBox()
        self.months_spin.setObjectName("driftingMonths")
        self.months_spin.setRange(1, 60)
        self.months_spin.setValue(6)
        self.months_spin.setSuffix(" months")
        self.list = QListWidget()
        self.list.setObjectName("driftingList")
        self.summary = QLabel()
        self.summary.setObjectName("driftingSummary")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Members not seen at a session for"))
        top.addWidget(self.months_spin)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.months_spin.valueChanged.connect(lambda _v: self.refresh())
        self.list.itemActivated.connect(
            lambda item: self.member_chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))
        )

    def set_source(self, store: Store | None, community_id: int | None) -> None:
        self.store, self.community_id = store, community_id
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        if self.store is None or self.community_id is None:
            self.summary.setText("")
            return
        months = self.months_spin.value()
        try:
            with self.store.session() as session:
                rows = session_queries.drifting_rows(
                    session, self.community_id, months=months, today=self.today()
                )
        except StoreError as exc:
            self.summary.setText(str(exc))
            return
        for row in rows:
            seen = (f"last seen {row.last_attended:%d %b %Y}, "
                    f"{row.sessions_attended} session{'s' if row.sessions_attended != 1 else ''}"
                    if row.last_attended else "never seen at a session")
            item = QListWidgetItem(f"{row.full_name} — {level_label(row.level)} — {seen}")
            item.setData(Qt.ItemDataRole.UserRole, row.member_id)
            self.list.addItem(item)
        self.summary.setText(
            f"{len(rows)} active member{'s' if len(rows) != 1 else ''} not seen for "
            f"{months} months or more: a personal invitation may bring them back."
            if rows else f"Every active member came to a session in the last {months} months."
        )

    def member_ids(self) -> list[int]:
        return [int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())]
