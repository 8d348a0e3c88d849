"""Stories built by keyboard, due follow-ups, the value matrix and the models' contracts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from copdesk.data import values as V
from copdesk.data.store import Store
from copdesk.ui.values.form import EntryForm
from copdesk.ui.values.matrix import (
    MATRIX_ROWS,
    TOTAL_COLUMN,
    FunctionModel,
    MatrixModel,
    MemberValueModel,
)
from copdesk.ui.values.model import (
    CheckListModel,
    CheckListProxy,
    Choice,
    Column,
    EntryFilterProxy,
    EntryTableModel,
)
from copdesk.ui.values.stories import StoryForm, StoryModel, StoryProxy
from copdesk.ui.values.tab import MATRIX, STORIES, ValueTab
from tests.ui.conftest import Modals
from tests.ui.values import sample
from tests.ui.values.test_log import add, drive, entries, focus, shown_titles


def stories(store: Store, cid: int) -> list[V.StoryView]:
    with store.session() as s:
        return V.list_stories(s, cid)


def select_rows(tab: ValueTab, titles: list[str]) -> None:
    selection = tab.table.selectionModel()
    selection.clearSelection()
    for r in range(tab.proxy.rowCount()):
        if tab.proxy.index(r, Column.TITLE).data() in titles:
            selection.select(tab.proxy.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                             | QItemSelectionModel.SelectionFlag.Rows)


def test_story_built_by_keyboard_then_extended_and_undone(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    add(store, community_id, "Clinic on seals", cycle="immediate",
        entry_date=dt.date(2026, 1, 5))
    add(store, community_id, "Checklist drafted", cycle="potential",
        entry_date=dt.date(2026, 1, 20))
    add(store, community_id, "Checklist used in Lagos", cycle="applied",
        entry_date=dt.date(2026, 2, 10))
    other = store.run(V.create_story, community_id, V.StoryData("Older thread"), [])
    late = add(store, community_id, "Fewer call-outs", cycle="realised",
               entry_date=dt.date(2026, 3, 1))
    store.run(V.update_story, other, V.StoryData("Older thread"), [late])

    # Select the two newest-but-one rows with the keyboard: Down, then Shift+Down.
    focus(qtbot, tab)
    assert shown_titles(tab)[:4] == ["Fewer call-outs", "Checklist used in Lagos",
                                     "Checklist drafted", "Clinic on seals"]
    tab.table.setCurrentIndex(tab.proxy.index(0, 0))
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    qtbot.keyClick(tab.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert {r.title for r in tab.selected_rows()} == {"Checklist used in Lagos",
                                                       "Checklist drafted"}

    def build(dialog: QDialog) -> None:
        assert isinstance(dialog, StoryForm)
        assert dialog.focusWidget() is dialog.title
        qtbot.keyClicks(dialog.title, "Seal checklist story")
        qtbot.keyClick(dialog.title, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.expected_ending, "Fewer pump call-outs after the rains")
        qtbot.keyClick(dialog.expected_ending, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.follow_up
        dialog.set_follow_up(dt.date(2025, 12, 1))  # before the first entry: refused
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert "before the story's first entry" in dialog.visible_errors()["follow_up_on"]
        dialog.set_follow_up(dt.date(2026, 3, 1))
        # Tick one more entry from the search box, by keyboard.
        qtbot.keyClicks(dialog.picker.search, "clinic")
        qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Return)
        assert dialog.isVisible()
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    modals.answer("run", drive(qtbot, build))
    qtbot.keyClick(tab.table, Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    made = next(s for s in stories(store, community_id) if s.title == "Seal checklist story")
    assert [e.title for e in made.entries] == ["Clinic on seals", "Checklist drafted",
                                               "Checklist used in Lagos"]
    assert made.expected_ending == "Fewer pump call-outs after the rains"
    assert made.follow_up_on == dt.date(2026, 3, 1) and made.follow_up_due(sample.TODAY)
    assert tab.views.currentIndex() == STORIES
    assert tab.current_story() is not None and tab.current_story().id == made.id
    assert "Seal checklist story" in tab.reader.toPlainText()
    assert tab.due_banner.isVisible() and "Seal checklist story" in tab.due_banner.text()
    assert tab.views.tabText(STORIES) == "Stories (1 due)"

    # Add the realised entry (now in another story) with Ctrl+Shift+A: it moves.
    tab.views.setCurrentIndex(0)
    tab.select_entry(late)
    focus(qtbot, tab)
    modals.answer("choose", "Seal checklist story")
    qtbot.keyClick(tab.table, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    by_title = {s.title: s for s in stories(store, community_id)}
    assert len(by_title["Seal checklist story"].entries) == 4
    assert by_title["Older thread"].entries == ()
    assert not by_title["Seal checklist story"].follow_up_due(sample.TODAY)  # realised
    assert tab.due_banner.isHidden()

    stack = tab.workspace.undo_stack
    stack.undo()  # the entry goes back to its older story
    by_title = {s.title: s for s in stories(store, community_id)}
    assert [e.title for e in by_title["Older thread"].entries] == ["Fewer call-outs"]
    assert len(by_title["Seal checklist story"].entries) == 3
    stack.undo()  # the story goes
    assert [s.title for s in stories(store, community_id)] == ["Older thread"]
    assert tab.story_model.rowCount() == 1
    stack.redo()
    by_title = {s.title: s for s in stories(store, community_id)}
    assert len(by_title["Seal checklist story"].entries) == 3
    assert by_title["Seal checklist story"].follow_up_on == dt.date(2026, 3, 1)


def test_due_follow_up_logged_from_the_story(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    first = add(store, community_id, "Mentoring pair formed", "personal_development",
                "immediate", for_organisation=False,
                beneficiary_ids=(roster["Amina Yusuf"], roster["José Álvarez"]),
                entry_date=dt.date(2025, 10, 1))
    story = store.run(V.create_story, community_id, V.StoryData(
        "Mentoring across regions", "Mentees lead a clinic", dt.date(2026, 2, 1)), [first])
    store.run(V.create_story, community_id, V.StoryData("Not yet", "", dt.date(2026, 6, 1)),
              [])
    tab.views.setCurrentIndex(STORIES)
    tab.due_only.setChecked(True)
    assert tab.story_proxy.rowCount() == 1
    assert "Mentoring across regions" in tab.due_banner.text()
    tab.select_story(story)
    seen: dict[str, object] = {}

    def steps(dialog: QDialog) -> None:
        assert isinstance(dialog, EntryForm)
        seen["cycle"] = dialog.cycle.currentData()
        seen["kind"] = dialog.kind.currentData()
        seen["people"] = set(dialog.picker.checked_ids())
        qtbot.keyClicks(dialog.title, "Mentee ran the March clinic")
        dialog.cycle.setCurrentIndex(dialog.cycle.findData("realised"))
        dialog.accept()

    modals.answer("run", drive(qtbot, steps))
    tab.follow_up_action.trigger()
    assert seen == {"cycle": "applied", "kind": "personal_development",
                    "people": {roster["Amina Yusuf"], roster["José Álvarez"]}}
    [view] = [s for s in stories(store, community_id) if s.id == story]
    assert [e.title for e in view.entries] == ["Mentoring pair formed",
                                               "Mentee ran the March clinic"]
    assert tab.story_proxy.rowCount() == 0 and tab.due_banner.isHidden()
    tab.workspace.undo_stack.undo()
    assert tab.story_proxy.rowCount() == 1

    # Deleting a story keeps its entries; undo brings it back with them.
    tab.due_only.setChecked(False)
    tab.select_story(story)
    modals.answer("confirm", True)
    tab.delete_story_action.trigger()
    assert [s.title for s in stories(store, community_id)] == ["Not yet"]
    assert len(entries(store, community_id)) == 1
    tab.workspace.undo_stack.undo()
    [view] = [s for s in stories(store, community_id) if s.id == story]
    assert [e.id for e in view.entries] == [first]


def test_matrix_counts_and_cells_open_their_entries(
    qtbot: QtBot, tab: ValueTab, store: Store, community_id: int, roster: dict[str, int],
) -> None:
    ids = sample.build_log(store, community_id, count=30)
    with store.session() as s:
        rows = V.list_entries(s, community_id)
    tab.views.setCurrentIndex(MATRIX)
    page = tab.matrix_page
    model = page.model
    assert page.total.text() == "30 entries"
    kinds = [r.kind for r in MATRIX_ROWS]
    innovation = kinds.index("innovation")
    for column in range(TOTAL_COLUMN):
        cycle = V.VALUE_CYCLES[column].key
        want = sum(1 for r in rows if r.kind == "innovation" and r.cycle == cycle)
        assert model.count_at(innovation, column) == want
    assert model.index(len(MATRIX_ROWS) - 1, TOTAL_COLUMN).data() == "30"
    members_total = sum(1 for r in rows if r.kind in V.MEMBER_KINDS)
    assert model.index(0, TOTAL_COLUMN).data() == str(members_total)

    # Enter on a cell lists exactly its entries in the log.
    cell = next((innovation, c) for c in range(TOTAL_COLUMN)
                if model.count_at(innovation, c))
    index = model.index(*cell)
    page.table.setFocus()
    page.table.setCurrentIndex(index)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert tab.views.currentIndex() == 0
    cycle = V.VALUE_CYCLES[cell[1]].key
    expected = sorted(r.title for r in rows if r.kind == "innovation" and r.cycle == cycle)
    assert sorted(shown_titles(tab)) == expected
    assert tab.kind_filter.currentData() == "innovation"
    assert tab.cycle_filter.currentData() == cycle

    # A click on the organisation group's total lists all value to the organisation.
    tab.views.setCurrentIndex(MATRIX)
    org_row = next(i for i, r in enumerate(MATRIX_ROWS) if r.group == "organisation"
                   and not r.kind)
    rect = page.table.visualRect(model.index(org_row, TOTAL_COLUMN))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(shown_titles(tab)) == sum(1 for r in rows if r.kind not in V.MEMBER_KINDS)
    assert tab.kind_filter.currentData() == "group:organisation"

    # Per function, by member (consenting only, the rest counted), measures by unit.
    tab.views.setCurrentIndex(MATRIX)
    counts = V.per_function(rows)
    top = page.function_proxy.index(0, 1).data()
    assert int(top) == max(v for k, v in counts.items() if k)
    named = {page.member_proxy.index(r, 0).data()
             for r in range(page.member_proxy.rowCount())}
    assert "Ελένη Παπαδοπούλου" not in named  # no consent to host reports
    hidden = sum(1 for r in rows for m in r.beneficiary_ids
                 if m in (roster["Ελένη Παπαδοπούλου"], roster["Dana Smith"]))
    assert hidden and f"{hidden} more" in page.hidden_note.text()
    for unit, total in V.measures(rows).items():
        assert unit in page.measures.text()
        assert total > 0

    # The matrix follows the store: a new entry adds one to its cell.
    before = model.count_at(innovation, 0)
    add(store, community_id, "Another", "innovation", "immediate")
    assert model.count_at(innovation, 0) == before + 1
    page.period.setCurrentIndex(page.period.findData("last_year"))
    assert int(model.index(len(MATRIX_ROWS) - 1, TOTAL_COLUMN).data()) == sum(
        1 for r in rows if r.entry_date.year == 2025)
    del ids


def test_every_model_passes_the_model_tester(
    qtmodeltester: ModelTester, store: Store, community_id: int, roster: dict[str, int],
) -> None:
    from copdesk.ui.events import StoreEvents

    model = EntryTableModel()
    qtmodeltester.check(model)
    events = StoreEvents()
    events.attach(store)
    events.changed.connect(model.on_changes)
    ids = sample.build_log(store, community_id, count=12)
    model.set_source(store, community_id)
    proxy = EntryFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.KIND)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    store.run(V.delete_entry, ids[0])
    add(store, community_id, "New one")
    proxy.set_filter(V.EntryFilter(cycles=frozenset({"immediate"})))
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    events.detach()

    with store.session() as s:
        rows = V.list_entries(s, community_id, named="consenting")
    matrix = MatrixModel()
    matrix.set_matrix(V.matrix(rows))
    qtmodeltester.check(matrix)
    functions = FunctionModel()
    functions.set_counts(V.per_function(rows))
    qtmodeltester.check(functions)
    members = MemberValueModel()
    qtmodeltester.check(members)
    members.set_rows(V.by_member(rows)[0])
    qtmodeltester.check(members)
    members.set_rows(V.by_member(rows[:3])[0])
    qtmodeltester.check(members)

    sample_ids = sample.build_log(store, community_id, count=20, seed=5)
    sample.build_stories(store, community_id, sample_ids)
    story_model = StoryModel(lambda: sample.TODAY)
    qtmodeltester.check(story_model)
    with store.session() as s:
        story_model.set_stories(V.list_stories(s, community_id), reset=True)
    story_proxy = StoryProxy()
    story_proxy.setSourceModel(story_model)
    story_proxy.sort(4)
    story_proxy.set_due_only(True)
    qtmodeltester.check(story_model)
    qtmodeltester.check(story_proxy)
    with store.session() as s:
        story_model.set_stories(V.list_stories(s, community_id)[1:])
    qtmodeltester.check(story_model)

    checks = CheckListModel([Choice(1, "Amina Yusuf"), Choice(2, "José Álvarez", "Peru")])
    checks.set_checked({2})
    check_proxy = CheckListProxy()
    check_proxy.setSourceModel(checks)
    check_proxy.set_text("amina")
    qtmodeltester.check(checks)
    qtmodeltester.check(check_proxy)
    assert check_proxy.rowCount() == 2  # the ticked one stays in sight
