"""File > Community details…: the community's name, domain, host and stage, edited later.

Undoable like every edit, and saved against the version the form was filled from: on a
shared store a colleague's change meanwhile is shown beside the user's (reload/overwrite).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from copdesk.data import communities
from copdesk.data.store import Store
from copdesk.ui.community import CommunityForm
from copdesk.ui.conflicts import OVERWRITE, RELOAD, ConflictDialog
from copdesk.ui.main_window import MainWindow

from .conftest import Modals


def details(store: Store, cid: int) -> tuple[str, str, str, str]:
    with store.session() as s:
        info = communities.get_community(s, cid)
    return info.name, info.domain, info.host_organisation, info.stage


def retype(qtbot: QtBot, form: CommunityForm, name: str) -> None:
    form.name.clear()
    qtbot.keyClicks(form.name, name)


def test_details_are_edited_and_the_edit_undone_and_redone(
    qtbot: QtBot, window: MainWindow, store: Store, community_id: int, modals: Modals
) -> None:
    def edit(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        assert form.windowTitle() == "Community details"
        assert (form.name.text(), form.host.text()) == ("Water CoP", "Rivers Trust")
        assert form.domain.toPlainText() == "Safe water for every village"
        form.show()
        retype(qtbot, form, "River Keepers")
        form.stage.setCurrentIndex(form.stage.findData("maturing"))
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", edit)
    window.community_details_action.trigger()
    after = ("River Keepers", "Safe water for every village", "Rivers Trust", "maturing")
    assert details(store, community_id) == after
    assert window.windowTitle() == "River Keepers — copdesk"
    assert window.undo_action.text() == "&Undo Change the community's details"

    window.undo_action.trigger()
    assert details(store, community_id)[0] == "Water CoP"
    assert details(store, community_id)[3] == "coalescing"
    assert window.windowTitle() == "Water CoP — copdesk"
    window.redo_action.trigger()
    assert details(store, community_id) == after


def test_a_name_taken_keeps_the_form_open_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, store: Store, community_id: int, modals: Modals
) -> None:
    store.run(communities.create_community, "Sanitation CoP")
    seen: list[str] = []

    def edit(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        form.show()
        retype(qtbot, form, "Sanitation CoP")
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        seen.append(form.name_error.text() if form.name_error.isVisibleTo(form) else "")
        assert form.result() != QDialog.DialogCode.Accepted
        form.reject()
        return False

    modals.answer("run", edit)
    window.community_details_action.trigger()
    assert seen == ["A community named 'Sanitation CoP' already exists in this store"]
    assert details(store, community_id)[0] == "Water CoP"
    assert not window.workspace.undo_stack.canUndo()


def test_a_colleagues_change_meanwhile_is_shown_and_can_be_reloaded(
    qtbot: QtBot, window: MainWindow, store: Store, other: Store, community_id: int,
    modals: Modals,
) -> None:
    shown: dict[str, object] = {}

    def conflict(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        shown["fields"] = dialog.fields
        dialog.choose(RELOAD)
        return True

    def edit(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        form.show()
        retype(qtbot, form, "River Keepers")
        # Meanwhile a colleague renames it and changes the host.
        other.run(communities.update_community, community_id, name="Clean Water CoP",
                  domain="Safe water for every village", host_organisation="Basin Board",
                  stage="coalescing")
        modals.answer("run", conflict)
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        shown["after_reload"] = (form.name.text(), form.host.text(), form.isVisible())
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)  # save theirs as is
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", edit)
    window.community_details_action.trigger()
    assert shown["fields"] == ["name", "host"]
    assert shown["after_reload"] == ("Clean Water CoP", "Basin Board", True)
    assert details(store, community_id)[:3] == (
        "Clean Water CoP", "Safe water for every village", "Basin Board")


def test_overwrite_puts_the_users_details_over_the_colleagues(
    qtbot: QtBot, window: MainWindow, store: Store, other: Store, community_id: int,
    modals: Modals,
) -> None:
    def conflict(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        dialog.choose(OVERWRITE)
        return True

    def edit(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        form.show()
        retype(qtbot, form, "River Keepers")
        other.run(communities.update_community, community_id, name="Clean Water CoP",
                  domain="", host_organisation="Basin Board", stage="coalescing")
        modals.answer("run", conflict)
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", edit)
    window.community_details_action.trigger()
    assert details(store, community_id)[:3] == (
        "River Keepers", "Safe water for every village", "Rivers Trust")
    window.undo_action.trigger()  # back to the details the form was filled from
    assert details(store, community_id)[0] == "Water CoP"


def test_a_community_deleted_meanwhile_is_said_and_nothing_is_saved(
    qtbot: QtBot, window: MainWindow, store: Store, other: Store, community_id: int,
    modals: Modals,
) -> None:
    def edit(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        form.show()
        retype(qtbot, form, "River Keepers")
        with other.session() as s, s.begin():  # e.g. a colleague's transfer --replace
            s.execute(text("DELETE FROM community WHERE id = :id"), {"id": community_id})
        modals.answer("information", None)
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", edit)
    window.community_details_action.trigger()
    (said,) = modals.called("information")
    assert said[1] == "The community is gone"
    assert not window.undo_action.isEnabled()  # nothing was saved, nothing to undo
    with store.session() as s:
        assert communities.list_communities(s) == []
