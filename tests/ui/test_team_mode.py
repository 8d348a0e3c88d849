"""Team mode in the window: two users (two Store objects on one store) editing members.

User A drives a real window; user B is a second connection that changes the store behind
A's back. Conflicts are shown with both versions and resolved by reloading or
overwriting; LiveUpdates brings B's changes into A's roster with A's selection kept.
"""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from copdesk.data import members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui.conflicts import ConflictDialog
from copdesk.ui.live import LiveUpdates
from copdesk.ui.main_window import MainWindow
from copdesk.ui.members.form import MemberForm
from copdesk.ui.members.model import Column
from copdesk.ui.members.tab import MembersTab

from .conftest import Modals


def shown_names(tab: MembersTab) -> list[str]:
    return [str(tab.proxy.index(r, Column.NAME).data()) for r in range(tab.proxy.rowCount())]


def select(tab: MembersTab, name: str) -> None:
    tab.table.clearSelection()
    tab.table.selectRow(shown_names(tab).index(name))


def stored(store: Store, member_id: int) -> MemberData | None:
    with store.session() as s:
        try:
            return members.get_member(s, member_id).to_data()
        except LookupError:
            return None


def b_changes(user_b: Store, member_id: int, **fields: object) -> None:
    data = stored(user_b, member_id)
    assert data is not None
    user_b.run(members.update_member, member_id, dataclasses.replace(data, **fields))


# --- saving a member someone else changed ---------------------------------------------
def edit_with_conflict(
    window: MainWindow, modals: Modals, user_b: Store, member_id: int,
    *, b_does: str, choice: str,
) -> tuple[MemberForm, ConflictDialog]:
    """A opens José's form and types; B changes (or deletes) José; A saves; A chooses."""
    seen: dict[str, QDialog] = {}

    def answer_conflict(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        seen["conflict"] = dialog
        button = {
            ConflictDialog.RELOAD: dialog.reload_button,
            ConflictDialog.OVERWRITE: dialog.overwrite_button,
        }[choice]
        button.click()
        return dialog.result() == QDialog.DialogCode.Accepted

    def drive_form(form: QDialog) -> bool:
        assert isinstance(form, MemberForm)
        seen["form"] = form
        form.organisation.setText("Agua Viva Lima")
        if b_does == "edit":
            b_changes(user_b, member_id, organisation="Agua Pura", region="Bolivia")
        else:
            user_b.run(members.delete_member, member_id)
        form.ok_button.click()
        accepted = form.result() == QDialog.DialogCode.Accepted
        if form.isVisible() and not accepted:
            form.reject()
        return accepted

    modals.answer("run", drive_form, answer_conflict)
    select(window.members_tab, "José Álvarez")
    window.members_tab.edit_selected()
    form, conflict = seen["form"], seen["conflict"]
    assert isinstance(form, MemberForm) and isinstance(conflict, ConflictDialog)
    return form, conflict


def test_a_save_after_b_changed_the_member_shows_both_and_reload_takes_b_values(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, roster: dict[str, int]
) -> None:
    jose = roster["José Álvarez"]
    form, conflict = edit_with_conflict(
        window_a, modals, user_b, jose, b_does="edit", choice=ConflictDialog.RELOAD
    )
    assert conflict.cells["organisation"] == ("Agua Viva Lima", "Agua Pura")
    assert conflict.cells["region"] == ("Peru", "Bolivia")
    assert "full_name" not in conflict.cells  # only the fields that differ
    # The form stayed open with B's values: A's typing discarded, nothing saved by A.
    assert form.organisation.text() == "Agua Pura"
    assert form.region.text() == "Bolivia"
    after = stored(store, jose)
    assert after is not None and after.organisation == "Agua Pura"
    assert window_a.workspace.undo_stack.count() == 0
    # The roster shows B's version too.
    tab = window_a.members_tab
    assert tab.model.row_at(tab.model.row_of(jose)).organisation == "Agua Pura"


def test_reloading_then_saving_again_goes_through(
    qtbot: QtBot, window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    roster: dict[str, int],
) -> None:
    jose = roster["José Álvarez"]

    def answer_conflict(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        dialog.reload_button.click()
        return False

    def drive(form: QDialog) -> bool:
        assert isinstance(form, MemberForm)
        form.organisation.setText("Mine")
        b_changes(user_b, jose, region="Bolivia")
        form.ok_button.click()  # conflict, reload: B's values in the form
        assert form.result() != QDialog.DialogCode.Accepted
        form.job_title.setText("Engineer")
        form.ok_button.click()  # saved against B's version now
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", drive, answer_conflict)
    select(window_a.members_tab, "José Álvarez")
    window_a.members_tab.edit_selected()
    after = stored(store, jose)
    assert after is not None
    assert (after.region, after.job_title, after.organisation) == ("Bolivia", "Engineer", "Agua Viva")


def test_overwrite_saves_a_values_over_b_and_undo_brings_b_back(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, roster: dict[str, int]
) -> None:
    jose = roster["José Álvarez"]
    form, _conflict = edit_with_conflict(
        window_a, modals, user_b, jose, b_does="edit", choice=ConflictDialog.OVERWRITE
    )
    assert form.result() == QDialog.DialogCode.Accepted
    after = stored(store, jose)
    assert after is not None
    assert (after.organisation, after.region) == ("Agua Viva Lima", "Peru")
    stack = window_a.workspace.undo_stack
    assert stack.count() == 1
    stack.undo()
    back = stored(store, jose)
    assert back is not None and (back.organisation, back.region) == ("Agua Pura", "Bolivia")
    stack.redo()
    again = stored(store, jose)
    assert again is not None and again.organisation == "Agua Viva Lima"


def test_b_deleted_the_member_a_is_editing_recreate_puts_it_back_with_a_values(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, roster: dict[str, int]
) -> None:
    jose = roster["José Álvarez"]
    form, conflict = edit_with_conflict(
        window_a, modals, user_b, jose, b_does="delete", choice=ConflictDialog.OVERWRITE
    )
    assert "Deleted by someone else" in [theirs for _mine, theirs in conflict.cells.values()]
    assert form.result() == QDialog.DialogCode.Accepted
    after = stored(store, jose)  # the same id, with A's values
    assert after is not None and after.organisation == "Agua Viva Lima"
    assert "José Álvarez" in shown_names(window_a.members_tab)
    stack = window_a.workspace.undo_stack
    stack.undo()
    assert stored(store, jose) is None
    stack.redo()
    assert stored(store, jose) is not None


def test_b_deleted_the_member_a_is_editing_discard_closes_the_form(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, roster: dict[str, int]
) -> None:
    jose = roster["José Álvarez"]
    form, _conflict = edit_with_conflict(
        window_a, modals, user_b, jose, b_does="delete", choice=ConflictDialog.RELOAD
    )
    assert form.result() == QDialog.DialogCode.Rejected
    assert stored(store, jose) is None
    assert "José Álvarez" not in shown_names(window_a.members_tab)
    assert window_a.workspace.undo_stack.count() == 0


# --- deleting a member someone else changed -------------------------------------------
@pytest.mark.parametrize("delete_anyway", [False, True])
def test_deleting_a_member_b_changed_asks_first(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    roster: dict[str, int], delete_anyway: bool,
) -> None:
    carlos = roster["Carlos Peña"]
    tab = window_a.members_tab
    select(tab, "Carlos Peña")
    b_changes(user_b, carlos, organisation="Rotary Lima")
    cells: dict[str, tuple[str, str]] = {}

    def answer(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        cells.update(dialog.cells)
        (dialog.overwrite_button if delete_anyway else dialog.reload_button).click()
        return dialog.result() == QDialog.DialogCode.Accepted

    modals.answer("confirm", True)
    modals.answer("run", answer)
    tab.delete_selected()
    assert cells["organisation"] == ("Rotary", "Rotary Lima")
    if delete_anyway:
        assert stored(store, carlos) is None
        window_a.workspace.undo_stack.undo()
        back = stored(store, carlos)
        assert back is not None and back.organisation == "Rotary Lima"
    else:
        after = stored(store, carlos)
        assert after is not None and after.organisation == "Rotary Lima"
        assert window_a.workspace.undo_stack.count() == 0


def test_deleting_a_member_b_already_deleted_says_so(
    window_a: MainWindow, modals: Modals, user_b: Store, roster: dict[str, int]
) -> None:
    tab = window_a.members_tab
    select(tab, "Carlos Peña")
    user_b.run(members.delete_member, roster["Carlos Peña"])
    modals.answer("confirm", True)
    modals.answer("information", None)
    tab.delete_selected()
    assert "already deleted" in modals.called("information")[0][2]
    assert "Carlos Peña" not in shown_names(tab)
    assert window_a.workspace.undo_stack.count() == 0


# --- live updates ---------------------------------------------------------------------
def test_b_changes_appear_in_a_roster_after_a_poll_with_a_selection_kept(
    window_a: MainWindow, user_b: Store, community_id: int, roster: dict[str, int]
) -> None:
    live = LiveUpdates(window_a.workspace, interval_ms=60_000)
    tab = window_a.members_tab
    select(tab, "José Álvarez")
    assert not live.poll()  # nothing new yet
    user_b.run(members.add_member, community_id, MemberData(full_name="Zainab Bello"))
    b_changes(user_b, roster["Carlos Peña"], organisation="Rotary Lima")
    user_b.run(members.delete_member, roster["Dana Smith"])
    assert "Zainab Bello" not in shown_names(tab)
    assert live.poll()
    names = shown_names(tab)
    assert "Zainab Bello" in names and "Dana Smith" not in names
    carlos = tab.model.row_at(tab.model.row_of(roster["Carlos Peña"]))
    assert carlos.organisation == "Rotary Lima"
    assert [r.full_name for r in tab.selected_rows()] == ["José Álvarez"]
    assert not live.poll()  # seen once


def test_a_own_changes_are_not_replayed(
    window_a: MainWindow, store: Store, community_id: int, roster: dict[str, int]
) -> None:
    live = LiveUpdates(window_a.workspace, interval_ms=60_000)
    live.poll()
    store.run(members.add_member, community_id, MemberData(full_name="Own Entry"))
    assert not live.poll()
    assert "Own Entry" in shown_names(window_a.members_tab)


def test_the_timer_brings_b_changes_in(
    qtbot: QtBot, window_a: MainWindow, user_b: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    live = LiveUpdates(window_a.workspace, interval_ms=50)
    live.poll()
    live.start()
    user_b.run(members.add_member, community_id, MemberData(full_name="Timed Arrival"))
    qtbot.waitUntil(lambda: "Timed Arrival" in shown_names(window_a.members_tab), timeout=3000)
    live.stop()


def test_an_open_form_keeps_its_typing_across_a_poll(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store,
    community_id: int, roster: dict[str, int],
) -> None:
    live = LiveUpdates(window_a.workspace, interval_ms=60_000)
    live.poll()

    def drive(form: QDialog) -> bool:
        assert isinstance(form, MemberForm)
        form.notes.setPlainText("typed, not saved")
        user_b.run(members.add_member, community_id, MemberData(full_name="Meanwhile"))
        assert live.poll()
        assert form.notes.toPlainText() == "typed, not saved"
        form.reject()
        return False

    modals.answer("run", drive)
    select(window_a.members_tab, "José Álvarez")
    window_a.members_tab.edit_selected()
    assert "Meanwhile" in shown_names(window_a.members_tab)


def test_a_lost_connection_is_reported_once_and_recovery_once(
    window_a: MainWindow, store: Store, user_b: Store, community_id: int,
    roster: dict[str, int], monkeypatch: pytest.MonkeyPatch,
) -> None:
    live = LiveUpdates(window_a.workspace, interval_ms=3000)
    live.poll()
    states: list[tuple[bool, str]] = []
    live.connection_changed.connect(lambda ok, msg: states.append((ok, msg)))

    def down() -> bool:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "poll_external_changes", down)
    for _ in range(3):
        assert not live.poll()
    assert len(states) == 1
    online, message = states[0]
    assert not online
    assert "Offline" in message and "Retrying every 3 s" in message
    # While offline B keeps working; when the server answers, A catches up.
    user_b.run(members.add_member, community_id, MemberData(full_name="While Away"))
    monkeypatch.undo()
    assert live.poll()
    assert states[1][0] is True and "again" in states[1][1]
    assert len(states) == 2
    assert "While Away" in shown_names(window_a.members_tab)
