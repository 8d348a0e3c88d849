"""Stories in team mode through the Value tab itself (needs values_tab.patch applied)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import values
from copdesk.data.store import Store
from copdesk.data.values import StoryData
from copdesk.ui.conflicts import ConflictDialog
from copdesk.ui.main_window import MainWindow
from copdesk.ui.values.stories import StoryForm

from .conftest import Modals, click
from .test_team_mode_more import stored_story, story, threads

__all__ = ["story", "threads"]


def test_edit_story_from_the_tab_after_b_changed_it_shows_both_and_overwrites(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    threads: list[int], story: int,
) -> None:
    tab = window_a.value_tab
    window_a.tabs.setCurrentWidget(tab)
    tab.views.setCurrentIndex(1)
    tab.select_story(story)
    assert tab.current_story() is not None
    seen: dict[str, ConflictDialog] = {}

    def drive(form: QDialog) -> bool:
        assert isinstance(form, StoryForm) and form.expected_version == 1
        qtbot.keyClicks(form.expected_ending, "Half the call-outs")
        user_b.run(values.update_story, story, StoryData("Pumps that last longer"), threads)
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", drive, click(ConflictDialog.OVERWRITE, seen))
    tab.edit_story()
    assert seen["dialog"].cells["title"] == ("Pumps that last", "Pumps that last longer")
    after = stored_story(store, story)
    assert after is not None and after.expected_ending == "Half the call-outs"
    window_a.workspace.undo_stack.undo()
    back = stored_story(store, story)
    assert back is not None and back.title == "Pumps that last longer"


def test_delete_story_from_the_tab_after_b_changed_it_asks_first(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    threads: list[int], story: int,
) -> None:
    tab = window_a.value_tab
    window_a.tabs.setCurrentWidget(tab)
    tab.views.setCurrentIndex(1)
    tab.select_story(story)
    user_b.run(values.update_story, story, StoryData("Pumps that last", "Theirs"), threads)
    seen: dict[str, ConflictDialog] = {}
    modals.answer("confirm", True)
    modals.answer("run", click(ConflictDialog.RELOAD, seen))
    tab.delete_story_action.trigger()
    assert seen["dialog"].cells["expected_ending"] == ("(empty)", "Theirs")
    assert stored_story(store, story) is not None
    assert window_a.workspace.undo_stack.count() == 0
