"""Team mode for follow-up actions and value-creation stories: two users, one store.

User A drives a real window; user B is a second ``Store`` on the same SQLite file that
changes rows behind A's back. A stale save is refused with both versions shown; Reload
puts B's values in A's form, Overwrite saves A's (undo brings B's back), an action or story
B deleted can be re-created or discarded, and deleting a row B changed asks first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from copdesk.data import sessions as S
from copdesk.data import values
from copdesk.data.sessions import ActionData, SessionData
from copdesk.data.store import Store
from copdesk.data.values import EntryData, StoryData, StoryView
from copdesk.ui.conflicts import DELETED, ConflictDialog
from copdesk.ui.main_window import MainWindow
from copdesk.ui.sessions.actions import ActionForm, ActionsView
from copdesk.ui.values.stories import StoryForm, delete_story_as_seen, load_story, save_story

from .conftest import Modals, click

TODAY = dt.date.today()


# --- follow-up actions ------------------------------------------------------------------
@pytest.fixture
def clinic(store: Store, community_id: int, roster: dict[str, int]) -> int:
    return store.run(S.create_session, community_id, SessionData(
        title="Pump clinic", starts_at=dt.datetime(2031, 5, 6, 14, 0), time_zone="UTC"))


@pytest.fixture
def action(store: Store, clinic: int, roster: dict[str, int]) -> int:
    return store.run(S.add_action, clinic, ActionData(
        "Share the slides", owner_id=roster["Amina Yusuf"], due_on=TODAY + dt.timedelta(days=7)))


def stored_action(store: Store, aid: int) -> ActionData | None:
    with store.session() as s:
        row = S.get_action_row(s, aid)
    return None if row is None else row.to_data()


def b_edits_action(user_b: Store, aid: int, **fields: Any) -> None:
    data = stored_action(user_b, aid)
    assert data is not None
    user_b.run(S.update_action, aid, dataclasses.replace(data, **fields))


def actions_view(window: MainWindow, clinic: int, aid: int) -> ActionsView:
    tab = window.sessions_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.select_session(clinic)
    view = tab.session_actions
    view.select_action(aid)
    row = view.current()
    assert row is not None and row.id == aid
    return view


def ok_button(form: QDialog) -> Any:
    box = form.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Ok)


def edit_action(
    window: MainWindow, modals: Modals, clinic: int, aid: int,
    drive: Callable[[ActionForm], bool], *conflict_answers: Callable[[QDialog], bool],
) -> None:
    def run_form(form: QDialog) -> bool:
        assert isinstance(form, ActionForm)
        accepted = drive(form)
        if form.isVisible() and not accepted:
            form.reject()
        return accepted

    view = actions_view(window, clinic, aid)
    modals.answer("run", run_form, *conflict_answers)
    view.edit_action.trigger()


@pytest.mark.parametrize("choice", [ConflictDialog.RELOAD, ConflictDialog.OVERWRITE])
def test_action_saved_after_b_changed_it_shows_both_then_reload_or_overwrite(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    clinic: int, action: int, roster: dict[str, int], choice: str,
) -> None:
    seen: dict[str, ConflictDialog] = {}
    jose = roster["José Álvarez"]

    def drive(form: ActionForm) -> bool:
        form.title_edit.clear()
        qtbot.keyClicks(form.title_edit, "Share the slides and the notes")
        b_edits_action(user_b, action, owner_id=jose, status="dropped")
        qtbot.mouseClick(ok_button(form), Qt.MouseButton.LeftButton)
        if choice == ConflictDialog.RELOAD:
            assert form.result() != QDialog.DialogCode.Accepted  # still open
            assert form.title_edit.text() == "Share the slides"  # B's values now
            assert form.owner_combo.currentText() == "José Álvarez"
            assert form.status_combo.currentData() == "dropped"
        return form.result() == QDialog.DialogCode.Accepted

    edit_action(window_a, modals, clinic, action, drive, click(choice, seen))
    cells = seen["dialog"].cells
    assert cells["title"] == ("Share the slides and the notes", "Share the slides")
    assert cells["owner"] == ("Amina Yusuf", "José Álvarez")
    assert cells["status"] == ("Open", "Dropped")
    assert "due_on" not in cells  # only what differs
    after = stored_action(store, action)
    assert after is not None
    if choice == ConflictDialog.RELOAD:
        assert (after.title, after.owner_id, after.status) == ("Share the slides", jose,
                                                               "dropped")
        assert window_a.workspace.undo_stack.count() == 0
    else:
        assert (after.title, after.owner_id, after.status) == (
            "Share the slides and the notes", roster["Amina Yusuf"], "open")
        window_a.workspace.undo_stack.undo()  # B's version comes back
        back = stored_action(store, action)
        assert back is not None and (back.owner_id, back.status) == (jose, "dropped")


def test_action_reload_then_save_goes_through_against_b_version(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    clinic: int, action: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}

    def drive(form: ActionForm) -> bool:
        b_edits_action(user_b, action, notes="Slides are on the drive")
        form.due_edit.setDate(QDate(2031, 6, 1))
        qtbot.mouseClick(ok_button(form), Qt.MouseButton.LeftButton)  # refused: reload
        assert form.notes_edit.toPlainText() == "Slides are on the drive"
        form.due_edit.setDate(QDate(2031, 6, 1))
        qtbot.mouseClick(ok_button(form), Qt.MouseButton.LeftButton)  # now it saves
        return form.result() == QDialog.DialogCode.Accepted

    edit_action(window_a, modals, clinic, action, drive, click(ConflictDialog.RELOAD, seen))
    after = stored_action(store, action)
    assert after is not None
    assert (after.due_on, after.notes) == (dt.date(2031, 6, 1), "Slides are on the drive")
    window_a.workspace.undo_stack.undo()  # back to B's version, not the one A opened
    back = stored_action(store, action)
    assert back is not None and back.notes == "Slides are on the drive"
    assert back.due_on == TODAY + dt.timedelta(days=7)


@pytest.mark.parametrize("recreate", [True, False])
def test_action_b_deleted_recreate_or_discard(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    clinic: int, action: int, recreate: bool,
) -> None:
    seen: dict[str, ConflictDialog] = {}

    def drive(form: ActionForm) -> bool:
        form.title_edit.clear()
        qtbot.keyClicks(form.title_edit, "Mine")
        user_b.run(S.delete_action, action)
        qtbot.mouseClick(ok_button(form), Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    answer = ConflictDialog.OVERWRITE if recreate else ConflictDialog.RELOAD
    edit_action(window_a, modals, clinic, action, drive, click(answer, seen))
    dialog = seen["dialog"]
    assert dialog.cells["title"] == ("Mine", DELETED)
    assert dialog.overwrite_button.text() == "Re-create with my values"
    after = stored_action(store, action)
    if recreate:
        assert after is not None and after.title == "Mine"
        window_a.workspace.undo_stack.undo()
        assert stored_action(store, action) is None
    else:
        assert after is None
        assert window_a.workspace.undo_stack.count() == 0


def test_action_b_deleted_with_its_session_cannot_be_recreated_and_says_why(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    clinic: int, action: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}
    shown: list[str] = []

    def drive(form: ActionForm) -> bool:
        user_b.run(S.delete_session, clinic)
        qtbot.mouseClick(ok_button(form), Qt.MouseButton.LeftButton)
        shown.append(form.error.text())
        assert form.result() != QDialog.DialogCode.Accepted and not form.error.isHidden()
        return False

    edit_action(window_a, modals, clinic, action, drive, click(ConflictDialog.OVERWRITE, seen))
    assert shown == ["Not saved: The session this action came from has been deleted"]
    assert stored_action(store, action) is None
    assert window_a.workspace.undo_stack.count() == 0


@pytest.mark.parametrize("delete_anyway", [False, True])
def test_deleting_an_action_b_changed_asks_first(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
    action: int, delete_anyway: bool,
) -> None:
    view = actions_view(window_a, clinic, action)
    b_edits_action(user_b, action, title="Share the slides today")
    seen: dict[str, ConflictDialog] = {}
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if delete_anyway else ConflictDialog.RELOAD, seen))
    view.delete_action.trigger()
    assert seen["dialog"].cells["title"] == ("Share the slides", "Share the slides today")
    assert seen["dialog"].overwrite_button.text() == "Delete anyway"
    if delete_anyway:
        assert stored_action(store, action) is None
        window_a.workspace.undo_stack.undo()
        back = stored_action(store, action)
        assert back is not None and back.title == "Share the slides today"
    else:
        after = stored_action(store, action)
        assert after is not None and after.title == "Share the slides today"
        assert window_a.workspace.undo_stack.count() == 0
        assert [r.title for r in view.model.rows()] == ["Share the slides today"]


def test_deleting_an_action_b_deleted_says_so(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
    action: int,
) -> None:
    view = actions_view(window_a, clinic, action)
    user_b.run(S.delete_action, action)
    modals.answer("information", None)
    view.delete_action.trigger()
    (args,) = modals.called("information")
    assert "Someone else already deleted the action “Share the slides”" in args[2]
    assert window_a.workspace.undo_stack.count() == 0
    assert view.model.rows() == []


@pytest.mark.parametrize("go_on", [False, True])
def test_marking_done_an_action_b_changed_shows_theirs_and_keeps_their_edit(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
    action: int, roster: dict[str, int], go_on: bool,
) -> None:
    view = actions_view(window_a, clinic, action)
    jose = roster["José Álvarez"]
    b_edits_action(user_b, action, owner_id=jose)
    seen: dict[str, ConflictDialog] = {}
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if go_on else ConflictDialog.RELOAD, seen))
    view.done_action.trigger()
    assert seen["dialog"].cells["owner"] == ("Amina Yusuf", "José Álvarez")
    after = stored_action(store, action)
    assert after is not None and after.owner_id == jose  # B's edit is never lost
    assert after.status == ("done" if go_on else "open")
    if go_on:
        window_a.workspace.undo_stack.undo()
        back = stored_action(store, action)
        assert back is not None and (back.owner_id, back.status) == (jose, "open")


def test_own_edits_one_after_another_raise_no_conflict(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, store: Store, clinic: int,
    action: int,
) -> None:
    def drive(form: ActionForm) -> bool:
        qtbot.keyClicks(form.title_edit, " now")
        qtbot.mouseClick(ok_button(form), Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    edit_action(window_a, modals, clinic, action, drive)
    edit_action(window_a, modals, clinic, action, drive)  # the list has the new version
    actions_view(window_a, clinic, action).done_action.trigger()
    after = stored_action(store, action)
    assert after is not None and (after.title, after.status) == (
        "Share the slides now now", "done")


# --- value-creation stories -------------------------------------------------------------
@pytest.fixture
def threads(store: Store, community_id: int) -> list[int]:
    """Three value entries; a story holds the first two."""
    return [
        store.run(values.add_entry, community_id, EntryData(
            entry_date=TODAY - dt.timedelta(days=days), title=title, kind="innovation",
            cycle=cycle, for_organisation=True))
        for days, title, cycle in ((30, "Seal checklist shared", "immediate"),
                                   (10, "Checklist used in Lagos", "applied"),
                                   (2, "Fewer call-outs", "realised"))
    ]


@pytest.fixture
def story(store: Store, community_id: int, threads: list[int]) -> int:
    return store.run(values.create_story, community_id, StoryData("Pumps that last"),
                     threads[:2])


def stored_story(store: Store, sid: int) -> StoryView | None:
    with store.session() as s:
        return values.find_story(s, sid)


def story_form(window: MainWindow, store: Store, community_id: int, sid: int) -> StoryForm:
    """The story form as the Value tab opens it for an edit: it saves with save_story."""
    tab = window.value_tab
    window.tabs.setCurrentWidget(tab)
    seen = stored_story(store, sid)
    assert seen is not None
    form: StoryForm | None = None

    def submit(data: StoryData, ids: tuple[int, ...]) -> None:
        assert form is not None
        save_story(store, community_id, window.workspace.undo_stack, sid, data, ids,
                   f"Edit story “{data.title}”", expected_version=form.expected_version,
                   recreate=form.recreate)

    form = StoryForm(submit, entries=store.run(values.list_entries, community_id),
                     story=seen, load_current=lambda: load_story(store, sid), parent=tab)
    return form


def test_story_form_starts_from_the_story_s_version(
    window_a: MainWindow, store: Store, community_id: int, story: int,
) -> None:
    store.run(values.update_story, story, StoryData("Pumps that last"), [])
    form = story_form(window_a, store, community_id, story)
    assert form.expected_version == 2
    form.deleteLater()


@pytest.mark.parametrize("choice", [ConflictDialog.RELOAD, ConflictDialog.OVERWRITE])
def test_story_saved_after_b_changed_it_shows_both_then_reload_or_overwrite(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    community_id: int, threads: list[int], story: int, choice: str,
) -> None:
    seen: dict[str, ConflictDialog] = {}
    form = story_form(window_a, store, community_id, story)
    qtbot.keyClicks(form.expected_ending, "Half the call-outs")
    user_b.run(values.update_story, story, StoryData("Pumps that last longer"), threads)
    modals.answer("run", click(choice, seen))
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    cells = seen["dialog"].cells
    assert cells["title"] == ("Pumps that last", "Pumps that last longer")
    assert cells["expected_ending"] == ("Half the call-outs", "(empty)")
    assert cells["entries"] == (
        "Checklist used in Lagos; Seal checklist shared",
        "Checklist used in Lagos; Fewer call-outs; Seal checklist shared")
    assert "follow_up_on" not in cells
    after = stored_story(store, story)
    assert after is not None
    if choice == ConflictDialog.RELOAD:
        assert form.result() != QDialog.DialogCode.Accepted  # still open, B's values in it
        assert form.title.text() == "Pumps that last longer"
        assert form.expected_ending.toPlainText() == ""
        assert set(form.picker.checked_ids()) == set(threads)
        assert (after.title, len(after.entries)) == ("Pumps that last longer", 3)
        assert window_a.workspace.undo_stack.count() == 0
        # Saving again now goes through, against B's version.
        qtbot.keyClicks(form.expected_ending, "Fewer call-outs")
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        assert form.result() == QDialog.DialogCode.Accepted
        final = stored_story(store, story)
        assert final is not None and final.expected_ending == "Fewer call-outs"
        assert final.title == "Pumps that last longer"
    else:
        assert form.result() == QDialog.DialogCode.Accepted
        assert (after.title, after.expected_ending) == ("Pumps that last", "Half the call-outs")
        assert [e.id for e in after.entries] == threads[:2]
        window_a.workspace.undo_stack.undo()  # B's version comes back, entries too
        back = stored_story(store, story)
        assert back is not None and back.title == "Pumps that last longer"
        assert {e.id for e in back.entries} == set(threads)
    form.deleteLater()


@pytest.mark.parametrize("recreate", [True, False])
def test_story_b_deleted_recreate_or_discard(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    community_id: int, threads: list[int], story: int, recreate: bool,
) -> None:
    seen: dict[str, ConflictDialog] = {}
    form = story_form(window_a, store, community_id, story)
    form.title.clear()
    qtbot.keyClicks(form.title, "Mine")
    user_b.run(values.delete_story, story)
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if recreate else ConflictDialog.RELOAD, seen))
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert seen["dialog"].cells["title"] == ("Mine", DELETED)
    assert seen["dialog"].overwrite_button.text() == "Re-create with my values"
    after = stored_story(store, story)
    if recreate:
        assert form.result() == QDialog.DialogCode.Accepted
        assert after is not None and after.title == "Mine"
        assert [e.id for e in after.entries] == threads[:2]
        window_a.workspace.undo_stack.undo()
        assert stored_story(store, story) is None
        assert {r.story_id for r in store.run(values.list_entries, community_id)} == {None}
    else:
        assert form.result() == QDialog.DialogCode.Rejected
        assert after is None
        assert window_a.workspace.undo_stack.count() == 0
    form.deleteLater()


@pytest.mark.parametrize("delete_anyway", [False, True])
def test_deleting_a_story_b_changed_asks_first(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, community_id: int,
    threads: list[int], story: int, delete_anyway: bool,
) -> None:
    seen_by_a = stored_story(store, story)
    assert seen_by_a is not None
    user_b.run(values.update_story, story, StoryData("Pumps that last", "Their ending"),
               threads[:2])
    seen: dict[str, ConflictDialog] = {}
    modals.answer("confirm", True)
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if delete_anyway else ConflictDialog.RELOAD, seen))
    done = delete_story_as_seen(window_a.value_tab, store, window_a.workspace.undo_stack,
                                seen_by_a)
    assert done is delete_anyway
    assert seen["dialog"].cells == {"expected_ending": ("(empty)", "Their ending")}
    assert seen["dialog"].overwrite_button.text() == "Delete anyway"
    if delete_anyway:
        assert stored_story(store, story) is None
        window_a.workspace.undo_stack.undo()
        back = stored_story(store, story)
        assert back is not None and back.expected_ending == "Their ending"
        assert [e.id for e in back.entries] == threads[:2]
    else:
        after = stored_story(store, story)
        assert after is not None and after.expected_ending == "Their ending"
        assert window_a.workspace.undo_stack.count() == 0


def test_deleting_a_story_b_deleted_says_so_and_unchanged_asks_nothing_more(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, community_id: int,
    threads: list[int], story: int,
) -> None:
    seen_by_a = stored_story(store, story)
    assert seen_by_a is not None
    user_b.run(values.delete_story, story)
    modals.answer("confirm", True)
    modals.answer("information", None)
    tab, stack = window_a.value_tab, window_a.workspace.undo_stack
    assert not delete_story_as_seen(tab, store, stack, seen_by_a)
    (args,) = modals.called("information")
    assert "Someone else already deleted the story “Pumps that last”" in args[2]
    mine = store.run(values.create_story, community_id, StoryData("Mine"), threads[2:])
    fresh = stored_story(store, mine)
    assert fresh is not None
    modals.answer("confirm", True)
    assert delete_story_as_seen(tab, store, stack, fresh)  # no conflict: no second modal
    assert stored_story(store, mine) is None and stack.count() == 1
