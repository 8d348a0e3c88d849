"""The agenda builder driven as a person would: typing, dragging, keyboard moves, undo."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from copdesk.data import members
from copdesk.data import sessions as S
from copdesk.data.sessions import BlockData, SessionData
from copdesk.data.store import Store
from copdesk.ui.sessions.agenda import AgendaModel, Col, moved
from copdesk.ui.sessions.common import NO_OWNER, WARN, MemberDirectory
from copdesk.ui.sessions.tab import SessionsTab

START = dt.datetime(2026, 3, 10, 14, 0)


def plan(store: Store, cid: int, blocks: list[BlockData] | None = None, minutes: int = 60) -> int:
    data = SessionData("Clinic", START, "Europe/Paris", minutes)
    return store.run(S.create_session, cid, data, blocks or [])


def times(tab: SessionsTab) -> list[tuple[str, str, str]]:
    model = tab.agenda.model
    return [
        (
            str(model.index(r, Col.START).data()),
            str(model.index(r, Col.END).data()),
            str(model.index(r, Col.TITLE).data()),
        )
        for r in range(model.rowCount())
    ]


def press_return(widget: QWidget) -> None:
    """Enter in a cell editor: the delegate commits on the next turn of the event loop."""
    QTest.keyClick(widget, Qt.Key.Key_Return)
    QApplication.processEvents()


def focused_editor() -> object:
    return QApplication.focusWidget()


def type_into_cell(qtbot: QtBot, tab: SessionsTab, row: int, col: Col, text: str) -> None:
    table = tab.agenda.table
    index = tab.agenda.model.index(row, col)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = focused_editor()
    if isinstance(editor, (QSpinBox, QLineEdit)):
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        press_return(editor)
    else:  # pragma: no cover - a failed edit shows here
        raise AssertionError(f"no editor for {col.name}: {editor!r}")


def test_build_an_agenda_by_typing(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int
) -> None:
    sid = plan(store, community_id, minutes=45)
    assert tab.select_session(sid)
    tab.agenda.table.setFocus()
    qtbot.keyClick(tab.agenda.table, Qt.Key.Key_Insert)  # adds a block, edits its title
    editor = focused_editor()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Welcome")
    press_return(editor)
    type_into_cell(qtbot, tab, 0, Col.MINUTES, "15")
    tab.agenda.add_block()
    editor = focused_editor()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "Peer assist")
    press_return(editor)
    type_into_cell(qtbot, tab, 1, Col.MINUTES, "25")
    assert times(tab) == [("14:00", "14:15", "Welcome"), ("14:15", "14:40", "Peer assist")]
    stored = store.run(S.list_blocks, sid)
    assert [(b.title, b.minutes) for b in stored] == [("Welcome", 15), ("Peer assist", 25)]
    # A length change moves every later block at once.
    type_into_cell(qtbot, tab, 0, Col.MINUTES, "5")
    assert times(tab) == [("14:00", "14:05", "Welcome"), ("14:05", "14:30", "Peer assist")]
    assert "Agenda 30 min of 45 min planned (15 min spare)" in tab.agenda.total_label.text()
    # Each edit is one undo step.
    stack = tab.workspace.undo_stack
    stack.undo()
    assert times(tab)[1] == ("14:15", "14:40", "Peer assist")
    stack.redo()
    assert times(tab)[1] == ("14:05", "14:30", "Peer assist")


def test_function_and_method_editors_suggest_methods(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int
) -> None:
    sid = plan(store, community_id, [BlockData("Mapping", 20)])
    tab.select_session(sid)
    table, model = tab.agenda.table, tab.agenda.model
    index = model.index(0, Col.FUNCTION)
    table.setCurrentIndex(index)
    table.edit(index)
    combo = focused_editor()
    assert isinstance(combo, QComboBox) and combo.count() == 13
    pos = combo.findData("maps_knowledge_gaps")
    assert "Who knows what" in combo.itemData(pos, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(pos)
    press_return(combo)
    assert store.run(S.list_blocks, sid)[0].function == "maps_knowledge_gaps"
    assert "Who knows what and what are we missing?" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Knowledge mapping" in tab.agenda.help_label.text()
    index = model.index(0, Col.METHOD)
    table.setCurrentIndex(index)
    table.edit(index)
    combo = focused_editor()
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(2)] == ["Knowledge mapping", "World cafe"]
    line = combo.lineEdit()
    assert line is not None
    line.selectAll()
    qtbot.keyClicks(line, "Gallery walk")  # the user's own method
    press_return(combo)
    assert store.run(S.list_blocks, sid)[0].method == "Gallery walk"
    assert model.index(0, Col.METHOD).data() == "Gallery walk"


def test_drag_and_drop_and_keyboard_moves_recompute_times(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int
) -> None:
    blocks = [BlockData("A", 10), BlockData("B", 20), BlockData("C", 30)]
    sid = plan(store, community_id, blocks)
    tab.select_session(sid)
    model = tab.agenda.model
    # Drag C onto the first row: what the view does on a drop.
    mime = model.mimeData([model.index(2, 0)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex()) is False
    assert times(tab) == [("14:00", "14:30", "C"), ("14:30", "14:40", "A"),
                          ("14:40", "15:00", "B")]
    # Dropping on a row (not between rows) puts the dragged block before it.
    mime = model.mimeData([model.index(0, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index(2, 0))
    assert [t[2] for t in times(tab)] == ["A", "C", "B"]
    # Keyboard: Ctrl+Down and Ctrl+Up move the current block, which stays current.
    table = tab.agenda.table
    table.setFocus()
    table.setCurrentIndex(model.index(0, Col.TITLE))
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert [t[2] for t in times(tab)] == ["C", "A", "B"]
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert times(tab) == [("14:00", "14:30", "C"), ("14:30", "14:50", "B"),
                          ("14:50", "15:00", "A")]
    qtbot.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [t[2] for t in times(tab)] == ["C", "A", "B"]
    assert [b.title for b in store.run(S.list_blocks, sid)] == ["C", "A", "B"]
    # Each move is one undo step.
    stack = tab.workspace.undo_stack
    for expected in (["C", "B", "A"], ["C", "A", "B"], ["A", "C", "B"], ["C", "A", "B"]):
        stack.undo()
        assert [t[2] for t in times(tab)] == expected
    stack.redo()
    assert [t[2] for t in times(tab)] == ["A", "C", "B"]


def test_moved_helper() -> None:
    b = [BlockData(t, 5) for t in "ABCD"]
    assert [x.title for x in moved(b, [3], 0)] == list("DABC")
    assert [x.title for x in moved(b, [0], 4)] == list("BCDA")
    assert [x.title for x in moved(b, [0, 1], 3)] == list("CABD")


def test_overrun_is_shown_in_a_warning_colour_and_never_truncated(
    tab: SessionsTab, store: Store, community_id: int
) -> None:
    sid = plan(store, community_id, [BlockData("Long talk", 50), BlockData("Q&A", 30)], 60)
    tab.select_session(sid)
    label = tab.agenda.total_label
    assert label.text().startswith("Agenda 1 h 20 min is 20 min over the planned 1 h")
    assert WARN in label.styleSheet()
    model = tab.agenda.model
    assert model.rowCount() == 2 and model.index(1, Col.END).data() == "15:20"
    assert model.index(1, Col.END).data(Qt.ItemDataRole.ForegroundRole).name() == WARN
    assert tab.model.index(tab.model.row_of(sid), 6).data() == "80 of 60 min"
    # Far over its slot: said in so many words.
    tab.agenda.model.setData(model.index(0, Col.MINUTES), 120)
    assert "far over its slot" in label.text()


def test_a_block_of_zero_length_is_refused_with_a_message(
    tab: SessionsTab, store: Store, community_id: int
) -> None:
    sid = plan(store, community_id, [BlockData("Talk", 20)])
    tab.select_session(sid)
    model = tab.agenda.model
    assert model.setData(model.index(0, Col.MINUTES), 0) is False
    assert "Block 1: the length must be at least 1 minute" in tab.agenda.error_label.text()
    assert tab.agenda.error_label.isVisible()
    assert store.run(S.list_blocks, sid)[0].minutes == 20
    assert model.setData(model.index(0, Col.MINUTES), "ten") is False
    assert not tab.workspace.undo_stack.count()


def test_a_deleted_owner_shows_as_no_owner(
    tab: SessionsTab, store: Store, community_id: int, roster: dict[str, int]
) -> None:
    carlos = roster["Carlos Peña"]
    sid = plan(store, community_id, [BlockData("Talk", 20, owner_id=carlos)])
    tab.select_session(sid)
    model = tab.agenda.model
    assert model.index(0, Col.OWNER).data() == "Carlos Peña"
    store.run(members.delete_member, carlos)
    assert model.index(0, Col.OWNER).data() == NO_OWNER
    assert store.run(S.list_blocks, sid)[0].owner_id is None


@pytest.mark.parametrize("rows", [0, 3])
def test_agenda_model_passes_the_model_tester(qtmodeltester: object, rows: int) -> None:
    model = AgendaModel(MemberDirectory())
    model.set_session(START, 60, [BlockData(f"B{i}", 10 + i) for i in range(rows)])
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_blocks([BlockData("X", 5), *[BlockData(f"B{i}", 10 + i) for i in range(rows)]])
    model.set_blocks([BlockData("X", 5)])
    qtmodeltester.check(model)  # type: ignore[attr-defined]
