"""The agenda builder: ordered, timed blocks whose clock times follow from the start.

:class:`AgendaModel` shows a session's blocks with computed start and end times. Every
edit (typing in a cell, adding, removing, dragging or moving a block with Ctrl+Up and
Ctrl+Down) builds the whole new agenda and hands it to ``commit``, which saves it as one
undoable ``set_agenda`` command; the store's change event then brings the saved agenda
back into the model (with inserts, removals and ``dataChanged`` for what differs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data import sessions
from copdesk.data.agenda import AgendaSummary, Timing, fmt_minutes, summarise
from copdesk.data.changes import Change
from copdesk.data.sessions import MAX_BLOCK_MINUTES, BlockData, SessionRow
from copdesk.data.store import StoreError
from copdesk.data.validation import ValidationError
from copdesk.framework import FUNCTION_BY_KEY, FUNCTIONS, METHODS, method_label, suggested_methods
from copdesk.ui.icons import icon
from copdesk.ui.sessions.common import MUTED, NO_OWNER, OK, OK_BG, WARN, WARN_BG, MemberDirectory
from copdesk.ui.undo import perform
from copdesk.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex
MIME = "application/x-copdesk-agenda-rows"
ROW_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class Col(IntEnum):
    START = 0
    END = 1
    TITLE = 2
    MINUTES = 3
    FUNCTION = 4
    METHOD = 5
    OWNER = 6
    MATERIALS = 7
    NOTES = 8


HEADERS = {
    Col.START: "Start",
    Col.END: "End",
    Col.TITLE: "Block",
    Col.MINUTES: "Length",
    Col.FUNCTION: "CoP function",
    Col.METHOD: "Method",
    Col.OWNER: "Owner",
    Col.MATERIALS: "Materials",
    Col.NOTES: "Notes",
}
HEADER_TIPS = {
    Col.START: "Computed from the session start and the blocks before",
    Col.END: "Computed: the start plus the block's length",
    Col.FUNCTION: "The CoP function this block serves; hover one for the deck's guiding question",
    Col.METHOD: "The method or format; methods known to serve the function come first",
}
EDITABLE = {Col.TITLE, Col.MINUTES, Col.FUNCTION, Col.METHOD, Col.OWNER, Col.MATERIALS, Col.NOTES}


def function_label(key: str) -> str:
    term = FUNCTION_BY_KEY.get(key)
    return term.label if term else ""


def method_key(text: str) -> str:
    """A typed method: the key of a known method (by label or key), else the text itself."""
    typed = " ".join(text.split())
    folded = typed.casefold()
    for term in METHODS:
        if folded in (term.label.casefold(), term.key):
            return term.key
    return typed


def moved(blocks: Sequence[BlockData], rows: Sequence[int], dest: int) -> list[BlockData]:
    """``blocks`` with ``rows`` taken out and put back before position ``dest``."""
    chosen = sorted(set(r for r in rows if 0 <= r < len(blocks)))
    rest = [b for i, b in enumerate(blocks) if i not in chosen]
    before = sum(1 for r in chosen if r < dest)
    at = max(0, min(len(rest), dest - before))
    return rest[:at] + [blocks[r] for r in chosen] + rest[at:]


class AgendaModel(QAbstractTableModel):
    """One session's blocks with computed clock times.

    ``commit(blocks, text)`` saves a new agenda (returning False when refused); the model
    itself changes only through :meth:`set_blocks`, called with what the store holds.
    """

    refused = Signal(str)

    def __init__(
        self,
        directory: MemberDirectory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.directory = directory
        self.commit: Callable[[list[BlockData], str], bool] = lambda _b, _t: False
        self.start = dt.datetime(2000, 1, 1, 9, 0)
        self.planned = 0
        self._blocks: list[BlockData] = []
        self._summary = summarise(self.start, [], 0)

    # -- contents ------------------------------------------------------------------------
    @property
    def blocks(self) -> list[BlockData]:
        return list(self._blocks)

    @property
    def summary(self) -> AgendaSummary:
        return self._summary

    def set_session(self, start: dt.datetime, planned: int, blocks: Sequence[BlockData]) -> None:
        """Show another session's agenda (a reset: it is a different list)."""
        self.beginResetModel()
        self.start, self.planned = start, planned
        self._assign(list(blocks))
        self.endResetModel()

    def _assign(self, blocks: list[BlockData], timing: list[Timing] | None = None) -> None:
        self._blocks = blocks
        self._summary = summarise(self.start, [b.minutes for b in blocks], self.planned)
        if timing is not None:
            self._summary = replace(self._summary, timings=tuple(timing))

    def set_blocks(
        self, blocks: Sequence[BlockData], start: dt.datetime | None = None,
        planned: int | None = None,
    ) -> None:
        """Follow the stored agenda: insert, remove and update only what differs."""
        new = list(blocks)
        old = self._blocks
        if start is not None:
            self.start = start
        if planned is not None:
            self.planned = planned
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while (
            tail < min(len(old), len(new)) - head
            and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]
        ):
            tail += 1
        old_mid = len(old) - head - tail
        new_mid = len(new) - head - tail
        common = min(old_mid, new_mid)
        if old_mid > new_mid:
            first = head + common
            self.beginRemoveRows(QModelIndex(), first, first + old_mid - new_mid - 1)
            gone = slice(first, first + old_mid - new_mid)
            kept = list(self._summary.timings)
            del kept[gone]
            blocks = list(old)
            del blocks[gone]
            # Until dataChanged below, the rows that stay keep the times they showed.
            self._assign(blocks, kept)
            self.endRemoveRows()
        elif new_mid > old_mid:
            first = head + common
            self.beginInsertRows(QModelIndex(), first, first + new_mid - old_mid - 1)
            added = new[first : first + new_mid - old_mid]
            fresh = summarise(self.start, [b.minutes for b in new], self.planned).timings
            kept = list(self._summary.timings)
            timing = kept[:first] + list(fresh[first : first + len(added)]) + kept[first:]
            self._assign(old[:first] + added + old[first:], timing)
            self.endInsertRows()
        self._assign(new)
        if new:
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(Col) - 1))

    # -- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._blocks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Col):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Col(section)]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS.get(Col(section))
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        if Col(index.column()) in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._blocks)):
            return None
        block = self._blocks[index.row()]
        col = Col(index.column())
        timing = self._summary.timings[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            match col:
                case Col.START:
                    return f"{timing.start:%H:%M}"
                case Col.END:
                    return f"{timing.end:%H:%M}"
                case Col.TITLE:
                    return block.title
                case Col.MINUTES:
                    return f"{block.minutes} min"
                case Col.FUNCTION:
                    return function_label(block.function)
                case Col.METHOD:
                    return method_label(block.method)
                case Col.OWNER:
                    return self.directory.name(block.owner_id, NO_OWNER)
                case Col.MATERIALS:
                    return block.materials
                case Col.NOTES:
                    return block.notes
        if role == Qt.ItemDataRole.EditRole:
            match col:
                case Col.MINUTES:
                    return block.minutes
                case Col.FUNCTION:
                    return block.function
                case Col.METHOD:
                    return block.method
                case Col.OWNER:
                    return block.owner_id
                case _:
                    return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Col.FUNCTION and block.function in FUNCTION_BY_KEY:
                term = FUNCTION_BY_KEY[block.function]
                return f"{term.label}: “{term.help}”"
            if col in (Col.START, Col.END):
                return f"{timing.start:%H:%M}–{timing.end:%H:%M} ({fmt_minutes(block.minutes)})"
            if col in (Col.NOTES, Col.MATERIALS, Col.TITLE):
                text = str(self.data(index))
                return text if len(text) > 25 else None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in (Col.START, Col.END):
                end = self.start + dt.timedelta(minutes=self.planned)
                if timing.end > end:
                    return QColor(WARN)
                return QColor(MUTED)
            if col == Col.OWNER and (
                block.owner_id is None or self.directory.get(block.owner_id) is None
            ):
                return QColor("#8a8f94")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Col.START, Col.END, Col.MINUTES):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return block
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not (0 <= index.row() < len(self._blocks)):
            return False
        col = Col(index.column())
        block = self._blocks[index.row()]
        try:
            match col:
                case Col.TITLE:
                    new = replace(block, title=str(value))
                case Col.MINUTES:
                    new = replace(block, minutes=_to_minutes(value))
                case Col.FUNCTION:
                    new = replace(block, function=str(value or ""))
                case Col.METHOD:
                    new = replace(block, method=method_key(str(value or "")))
                case Col.OWNER:
                    new = replace(block, owner_id=int(value) if value not in (None, "") else None)
                case Col.MATERIALS:
                    new = replace(block, materials=str(value))
                case Col.NOTES:
                    new = replace(block, notes=str(value))
                case _:
                    return False
        except ValueError:
            self.refused.emit(f"Block {index.row() + 1}: the length must be a whole number "
                              "of minutes")
            return False
        if new == block:
            return True
        blocks = self.blocks
        blocks[index.row()] = new
        what = HEADERS[col].lower()
        return self.commit(blocks, f"Change {what} of “{new.title or block.title}”")

    # -- structure ---------------------------------------------------------------------
    def add_block(self, at: int | None = None, block: BlockData | None = None) -> bool:
        at = len(self._blocks) if at is None else at
        blocks = self.blocks
        blocks.insert(at, block or BlockData("New block", 10))
        return self.commit(blocks, "Add agenda block")

    def remove_blocks(self, rows: Sequence[int]) -> bool:
        chosen = set(rows)
        if not chosen:
            return False
        blocks = [b for i, b in enumerate(self._blocks) if i not in chosen]
        text = "Remove agenda block" if len(chosen) == 1 else f"Remove {len(chosen)} blocks"
        return self.commit(blocks, text)

    def move_rows(self, rows: Sequence[int], dest: int) -> bool:
        blocks = moved(self._blocks, rows, dest)
        if blocks == self._blocks:
            return False
        return self.commit(blocks, "Move agenda block")

    # -- drag and drop -------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(MIME, QByteArray(",".join(map(str, rows)).encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(MIME) and action in (
            Qt.DropAction.MoveAction, Qt.DropAction.CopyAction
        )

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        raw = bytes(data.data(MIME).data()).decode()
        rows = [int(r) for r in raw.split(",") if r.strip().isdigit()]
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._blocks)
        self.move_rows(rows, row)
        # The move is done by the store; the view must not remove the dragged rows.
        return False


def _to_minutes(value: Any) -> int:
    if isinstance(value, int):
        return value
    text = str(value).strip().lower().removesuffix("min").strip()
    return int(text)


class AgendaDelegate(QStyledItemDelegate):
    """Editors for the agenda: spin box for lengths, combos for function, method, owner."""

    def __init__(self, directory: MemberDirectory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directory = directory

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> QWidget:
        col = Col(index.column())
        if col == Col.MINUTES:
            spin = QSpinBox(parent)
            spin.setRange(1, MAX_BLOCK_MINUTES)
            spin.setSuffix(" min")
            spin.setObjectName("minutesEditor")
            return spin
        if col == Col.FUNCTION:
            combo = QComboBox(parent)
            combo.setObjectName("functionEditor")
            combo.addItem("(no function)", "")
            for term in FUNCTIONS:
                combo.addItem(term.label, term.key)
                combo.setItemData(combo.count() - 1, f"“{term.help}”", Qt.ItemDataRole.ToolTipRole)
            return combo
        if col == Col.METHOD:
            combo = QComboBox(parent)
            combo.setObjectName("methodEditor")
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            block = index.data(ROW_ROLE)
            function = block.function if isinstance(block, BlockData) else ""
            suggested = suggested_methods(function)
            for term in suggested:
                combo.addItem(f"{term.label}", term.key)
                combo.setItemData(
                    combo.count() - 1,
                    f"Known to serve {function_label(function).lower()}",
                    Qt.ItemDataRole.ToolTipRole,
                )
            if suggested:
                combo.insertSeparator(combo.count())
            for term in METHODS:
                if term not in suggested:
                    combo.addItem(term.label, term.key)
                    if term.help:
                        combo.setItemData(combo.count() - 1, term.help,
                                          Qt.ItemDataRole.ToolTipRole)
            return combo
        if col == Col.OWNER:
            combo = QComboBox(parent)
            combo.setObjectName("ownerEditor")
            combo.addItem(NO_OWNER, None)
            for person in self.directory.people:
                if person.active:
                    combo.addItem(person.name, person.id)
            return combo
        editor = super().createEditor(parent, option, index)
        editor.setObjectName(f"{col.name.lower()}Editor")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QSpinBox):
            editor.setValue(int(value or 1))
        elif isinstance(editor, QComboBox):
            pos = editor.findData(value)
            if editor.isEditable():
                if pos >= 0:
                    editor.setCurrentIndex(pos)
                else:
                    editor.setCurrentIndex(-1)
                    editor.setEditText(method_label(str(value or "")))
            else:
                if pos < 0 and value is not None:
                    editor.addItem(self.directory.name(value), value)
                    pos = editor.count() - 1
                editor.setCurrentIndex(max(pos, 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, editor.value())
        elif isinstance(editor, QComboBox):
            if editor.isEditable():
                model.setData(index, method_key(editor.currentText()))
            else:
                model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


class AgendaTable(QTableView):
    """The blocks table: drag rows to reorder them (the model saves the move)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agendaTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(26)
        self.verticalHeader().setSectionsClickable(True)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


WIDTHS = {
    Col.START: 52, Col.END: 52, Col.TITLE: 230, Col.MINUTES: 62, Col.FUNCTION: 175,
    Col.METHOD: 130, Col.OWNER: 140, Col.MATERIALS: 130,
}


def summary_style(summary: AgendaSummary) -> tuple[str, str]:
    """The total line's words and style: an overrun in a warning colour, never hidden."""
    text = summary.message()
    if summary.is_far_over:
        text += " — far over its slot: shorten or drop blocks, or plan a longer session"
        return text, (f"color: white; background: {WARN}; border-radius: 4px; "
                      "padding: 4px 8px; font-weight: 600;")
    if summary.is_over:
        return text, (f"color: {WARN}; background: {WARN_BG}; border: 1px solid {WARN};"
                      " border-radius: 4px; padding: 4px 8px; font-weight: 600;")
    if not summary.timings:
        return ("No blocks yet: add the first one (Insert)",
                f"color: {MUTED}; padding: 4px 8px;")
    return text, (f"color: {OK}; background: {OK_BG}; border-radius: 4px; padding: 4px 8px;")


class AgendaEditor(QWidget):
    """The agenda of one session: the blocks table, the total, and the edit commands."""

    def __init__(
        self, workspace: Workspace, directory: MemberDirectory, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("agendaEditor")
        self.workspace = workspace
        self.directory = directory
        self.session_row: SessionRow | None = None
        self.model = AgendaModel(directory, self)
        self.model.commit = self._commit
        self.table = AgendaTable()
        self.table.setModel(self.model)
        self.delegate = AgendaDelegate(directory, self.table)
        self.table.setItemDelegate(self.delegate)
        for col, width in WIDTHS.items():
            self.table.horizontalHeader().resizeSection(col, width)
        self._init_actions()
        self._init_layout()
        self.model.refused.connect(self.show_refusal)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        self.model.dataChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self.model.rowsInserted.connect(lambda *_: self._update())
        self.model.rowsRemoved.connect(lambda *_: self._update())
        self._update()

    def _action(self, text: str, shortcut: str, tip: str, icon_name: str = "") -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip += f" ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _init_actions(self) -> None:
        self.add_action = self._action("Add block", "Ins", "Add a block after the current one",
                                       "add")
        self.remove_action = self._action("Remove", "", "Remove the selected blocks", "delete")
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.up_action = self._action("Move up", "Ctrl+Up", "Move the block earlier")
        self.down_action = self._action("Move down", "Ctrl+Down", "Move the block later")
        self.add_action.triggered.connect(self.add_block)
        self.remove_action.triggered.connect(self.remove_selected)
        self.up_action.triggered.connect(lambda: self.move_current(-1))
        self.down_action.triggered.connect(lambda: self.move_current(+1))

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        return button

    def _init_layout(self) -> None:
        self.total_label = QLabel()
        self.total_label.setObjectName("agendaTotal")
        self.total_label.setWordWrap(True)
        self.total_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label = QLabel()
        self.error_label.setObjectName("agendaError")
        self.error_label.setStyleSheet(f"color: {WARN};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.help_label = QLabel()
        self.help_label.setObjectName("functionHelp")
        self.help_label.setWordWrap(True)
        self.help_label.setStyleSheet(f"color: {MUTED};")
        self.help_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tools = QHBoxLayout()
        self.tools.setSpacing(2)
        for action in (self.add_action, self.remove_action, self.up_action, self.down_action):
            self.tools.addWidget(self._button(action))
        self.tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(self.tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.total_label)
        layout.addWidget(self.help_label)

    # -- following a session ---------------------------------------------------------------
    def set_session(self, row: SessionRow | None) -> None:
        same = row is not None and self.session_row is not None and row.id == self.session_row.id
        self.session_row = row
        self.error_label.hide()
        blocks = self._load_blocks()
        if same and row is not None:
            self.model.set_blocks(blocks, row.starts_at, row.planned_minutes)
        elif row is None:
            self.model.set_session(dt.datetime(2000, 1, 1, 9, 0), 0, [])
        else:
            self.model.set_session(row.starts_at, row.planned_minutes, blocks)
        self._update()

    def _load_blocks(self) -> list[BlockData]:
        store = self.workspace.store
        if store is None or self.session_row is None:
            return []
        try:
            with store.session() as session:
                return [b.to_data() for b in sessions.list_blocks(session, self.session_row.id)]
        except (StoreError, LookupError):
            return []

    def on_changes(self, recorded: list[Change]) -> None:
        row = self.session_row
        if row is None:
            return
        if any(
            c.entity in ("agenda", "member") or (c.entity == "session" and row.id in c.ids)
            for c in recorded
        ):
            self.model.set_blocks(self._load_blocks())
            self._update()

    # -- commands ------------------------------------------------------------------------
    def _commit(self, blocks: list[BlockData], text: str) -> bool:
        store = self.workspace.store
        row = self.session_row
        if store is None or row is None:
            return False
        old = self.model.blocks
        sid = row.id
        try:
            perform(
                self.workspace.undo_stack,
                f"{text} ({row.title})",
                do=lambda: store.run(sessions.set_agenda, sid, blocks),
                undo=lambda: store.run(sessions.set_agenda, sid, old),
            )
        except ValidationError as exc:
            self.show_refusal("; ".join(exc.errors.values()))
            return False
        except (StoreError, LookupError) as exc:
            self.show_refusal(f"The agenda was not saved: {exc}")
            return False
        self.error_label.hide()
        return True

    def show_refusal(self, message: str) -> None:
        self.error_label.setText(message + " — nothing was changed.")
        self.error_label.show()

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def select_block(self, row: int, column: int = Col.TITLE) -> None:
        if 0 <= row < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row, column))
            self.table.selectRow(row)

    def add_block(self) -> None:
        current = self.current_row()
        at = current + 1 if current >= 0 else self.model.rowCount()
        if self.model.add_block(at):
            self.select_block(at, Col.TITLE)
            self.table.setFocus()
            self.table.edit(self.model.index(at, Col.TITLE))

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.current_row() >= 0:
            rows = [self.current_row()]
        if rows and self.model.remove_blocks(rows):
            self.select_block(min(rows[0], self.model.rowCount() - 1))

    def move_current(self, step: int) -> None:
        row = self.current_row()
        if row < 0:
            return
        target = row + step
        if not 0 <= target < self.model.rowCount():
            return
        column = self.table.currentIndex().column()
        dest = target + 1 if step > 0 else target
        if self.model.move_rows([row], dest):
            self.select_block(target, column)

    # -- display -------------------------------------------------------------------------
    def _update(self) -> None:
        has = self.session_row is not None
        count = self.model.rowCount()
        row = self.current_row()
        self.add_action.setEnabled(has)
        self.remove_action.setEnabled(has and count > 0)
        self.up_action.setEnabled(has and row > 0)
        self.down_action.setEnabled(has and 0 <= row < count - 1)
        self.table.setEnabled(has)
        summary = self.model.summary
        if not has:
            self.total_label.setText("Choose a session to see its agenda.")
            self.total_label.setStyleSheet(f"color: {MUTED}; padding: 4px 8px;")
        else:
            text, style = summary_style(summary)
            if summary.timings:
                last = summary.timings[-1].end
                text += f"; ends {last:%H:%M}"
            self.total_label.setText(text)
            self.total_label.setStyleSheet(style)
        block = self.model.data(self.model.index(row, 0), ROW_ROLE) if row >= 0 else None
        if isinstance(block, BlockData) and block.function in FUNCTION_BY_KEY:
            term = FUNCTION_BY_KEY[block.function]
            methods = ", ".join(t.label for t in suggested_methods(block.function))
            self.help_label.setText(
                f"{term.label}: “{term.help}”" + (f"  Methods that serve it: {methods}."
                                                   if methods else "")
            )
        elif isinstance(block, BlockData):
            self.help_label.setText(
                "Choose the CoP function this block serves (F2 or type in the cell); "
                "methods known to serve it are then suggested first."
            )
        else:
            self.help_label.setText(
                "Double-click or type to edit a cell; drag rows or press Ctrl+Up/Ctrl+Down "
                "to reorder; Insert adds a block."
            )
