"""Team mode in the Sessions, Fitness and Value tabs: two users editing the same rows.

User A drives a real window; user B is a second connection to the same store that
changes rows behind A's back. A stale save is refused with both versions shown; Reload
puts B's values in A's form, Overwrite saves A's, and a delete of a row B changed asks
first. Nothing is half-applied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import fitness, value_queries, values
from copdesk.data import sessions as S
from copdesk.data.fitness import AnswerData
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.data.values import EntryData
from copdesk.ui.conflicts import DELETED, ConflictDialog
from copdesk.ui.fitness.dialogs import AssessmentDialog
from copdesk.ui.main_window import MainWindow
from copdesk.ui.sessions.editor import SessionForm
from copdesk.ui.values.form import EntryForm

from .conftest import Modals, click

TODAY = dt.date.today()


# --- sessions ---------------------------------------------------------------------------
@pytest.fixture
def clinic(store: Store, community_id: int, roster: dict[str, int]) -> int:
    return store.run(S.create_session, community_id, SessionData(
        title="Pump clinic", starts_at=dt.datetime(2031, 5, 6, 14, 0), time_zone="UTC",
        planned_minutes=90, location="Room 1",
        facilitator_ids=(roster["Amina Yusuf"],)))


def b_edits_session(user_b: Store, sid: int, **fields: Any) -> None:
    with user_b.session() as s:
        data = S.session_data(s, sid)
    user_b.run(S.update_session, sid, dataclasses.replace(data, **fields))


def stored_session(store: Store, sid: int) -> SessionData | None:
    with store.session() as s:
        try:
            S.get_session(s, sid)
        except LookupError:
            return None
        return S.session_data(s, sid)


def edit_session(
    window: MainWindow, modals: Modals, sid: int, drive: Callable[[SessionForm], bool],
    *conflict_answers: Callable[[QDialog], bool],
) -> None:
    def run_form(form: QDialog) -> bool:
        assert isinstance(form, SessionForm)
        accepted = drive(form)
        if form.isVisible() and not accepted:
            form.reject()
        return accepted

    modals.answer("run", run_form, *conflict_answers)
    tab = window.sessions_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.select_session(sid)
    tab.edit_selected()


def test_session_saved_after_b_changed_it_shows_both_and_reload_takes_b_values(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}

    def drive(form: SessionForm) -> bool:
        form.location_edit.setText("Room 2")
        b_edits_session(user_b, clinic, location="Lagos office", title="Pump clinic (moved)")
        form.ok_button.click()
        assert form.result() != QDialog.DialogCode.Accepted  # still open, nothing saved
        assert form.location_edit.text() == "Lagos office"  # B's values in the form
        assert form.title_edit.text() == "Pump clinic (moved)"
        return False

    edit_session(window_a, modals, clinic, drive, click(ConflictDialog.RELOAD, seen))
    cells = seen["dialog"].cells
    assert cells["location"] == ("Room 2", "Lagos office")
    assert cells["title"] == ("Pump clinic", "Pump clinic (moved)")
    assert "time_zone" not in cells  # only what differs
    after = stored_session(store, clinic)
    assert after is not None and after.location == "Lagos office"
    assert window_a.workspace.undo_stack.count() == 0


def test_session_reload_then_save_again_goes_through_against_b_version(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}

    def drive(form: SessionForm) -> bool:
        form.location_edit.setText("Room 2")
        b_edits_session(user_b, clinic, title="Pump clinic (moved)")
        form.ok_button.click()  # conflict, reload
        form.location_edit.setText("Room 3")
        form.ok_button.click()  # saved against B's version
        return form.result() == QDialog.DialogCode.Accepted

    edit_session(window_a, modals, clinic, drive, click(ConflictDialog.RELOAD, seen))
    after = stored_session(store, clinic)
    assert after is not None
    assert (after.title, after.location) == ("Pump clinic (moved)", "Room 3")


def test_session_overwrite_saves_a_values_and_undo_brings_b_back(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
    roster: dict[str, int],
) -> None:
    seen: dict[str, ConflictDialog] = {}
    jose = roster["José Álvarez"]

    def drive(form: SessionForm) -> bool:
        form.location_edit.setText("Room 2")
        # B changes only the facilitators (rows of their own): still caught.
        b_edits_session(user_b, clinic, facilitator_ids=(jose,))
        form.ok_button.click()
        return form.result() == QDialog.DialogCode.Accepted

    edit_session(window_a, modals, clinic, drive, click(ConflictDialog.OVERWRITE, seen))
    assert seen["dialog"].cells["facilitators"] == ("Amina Yusuf", "José Álvarez")
    after = stored_session(store, clinic)
    assert after is not None
    assert (after.location, after.facilitator_ids) == ("Room 2", (roster["Amina Yusuf"],))
    stack = window_a.workspace.undo_stack
    assert stack.count() == 1
    stack.undo()
    back = stored_session(store, clinic)
    assert back is not None and (back.location, back.facilitator_ids) == ("Room 1", (jose,))


def test_session_b_deleted_recreate_puts_it_back_with_a_values(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}

    def drive(form: SessionForm) -> bool:
        form.location_edit.setText("Room 2")
        user_b.run(S.delete_session, clinic)
        form.ok_button.click()
        return form.result() == QDialog.DialogCode.Accepted

    edit_session(window_a, modals, clinic, drive, click(ConflictDialog.OVERWRITE, seen))
    assert seen["dialog"].cells["title"] == ("Pump clinic", DELETED)
    after = stored_session(store, clinic)  # the same id, with A's values
    assert after is not None and after.location == "Room 2"
    assert window_a.sessions_tab.model.row_of(clinic) >= 0
    window_a.workspace.undo_stack.undo()
    assert stored_session(store, clinic) is None


def test_session_b_deleted_discard_closes_the_form_and_saves_nothing(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}
    results: list[QDialog.DialogCode] = []

    def drive(form: SessionForm) -> bool:
        user_b.run(S.delete_session, clinic)
        form.location_edit.setText("Room 2")
        form.ok_button.click()
        results.append(QDialog.DialogCode(form.result()))
        return False

    edit_session(window_a, modals, clinic, drive, click(ConflictDialog.RELOAD, seen))
    assert results == [QDialog.DialogCode.Rejected]
    assert stored_session(store, clinic) is None
    assert window_a.sessions_tab.model.row_of(clinic) == -1
    assert window_a.workspace.undo_stack.count() == 0


@pytest.mark.parametrize("delete_anyway", [False, True])
def test_deleting_a_session_b_changed_asks_first(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, clinic: int,
    delete_anyway: bool,
) -> None:
    tab = window_a.sessions_tab
    window_a.tabs.setCurrentWidget(tab)
    assert tab.select_session(clinic)
    b_edits_session(user_b, clinic, location="Lagos office")
    seen: dict[str, ConflictDialog] = {}
    modals.answer("confirm", True)
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if delete_anyway else ConflictDialog.RELOAD, seen))
    tab.delete_selected()
    assert seen["dialog"].cells["where"] == ("Online: Room 1", "Online: Lagos office")
    if delete_anyway:
        assert stored_session(store, clinic) is None
        window_a.workspace.undo_stack.undo()
        back = stored_session(store, clinic)
        assert back is not None and back.location == "Lagos office"
    else:
        after = stored_session(store, clinic)
        assert after is not None and after.location == "Lagos office"
        assert window_a.workspace.undo_stack.count() == 0


def test_deleting_a_session_after_own_outcomes_asks_nothing(
    window_a: MainWindow, modals: Modals, store: Store, clinic: int,
) -> None:
    """Writing the outcomes raises the version but changes nothing the list shows."""
    tab = window_a.sessions_tab
    window_a.tabs.setCurrentWidget(tab)
    assert tab.select_session(clinic)
    store.run(S.set_outcomes, clinic, notes="Seals fail", decisions="", resources="")
    modals.answer("confirm", True)
    tab.delete_selected()
    assert stored_session(store, clinic) is None


# --- value entries ----------------------------------------------------------------------
@pytest.fixture
def entry(store: Store, community_id: int, roster: dict[str, int]) -> int:
    return store.run(values.add_entry, community_id, EntryData(
        entry_date=TODAY - dt.timedelta(days=3), title="Seal checklist shared",
        kind="personal_development", cycle="potential",
        beneficiary_ids=(roster["Amina Yusuf"],)))


def stored_entry(store: Store, eid: int) -> EntryData | None:
    with store.session() as s:
        try:
            return values.entry_data(s, eid)
        except LookupError:
            return None


def b_edits_entry(user_b: Store, eid: int, **fields: Any) -> None:
    data = stored_entry(user_b, eid)
    assert data is not None
    user_b.run(values.update_entry, eid, dataclasses.replace(data, **fields))


def edit_entry(
    window: MainWindow, modals: Modals, eid: int, drive: Callable[[EntryForm], bool],
    *conflict_answers: Callable[[QDialog], bool],
) -> None:
    def run_form(form: QDialog) -> bool:
        assert isinstance(form, EntryForm)
        accepted = drive(form)
        if form.isVisible() and not accepted:
            form.reject()
        return accepted

    modals.answer("run", run_form, *conflict_answers)
    tab = window.value_tab
    window.tabs.setCurrentWidget(tab)
    tab.select_entry(eid)
    assert tab.current_row() is not None and tab.current_row().id == eid  # type: ignore[union-attr]
    tab.edit_selected()


@pytest.mark.parametrize("choice", [ConflictDialog.RELOAD, ConflictDialog.OVERWRITE])
def test_entry_saved_after_b_changed_it_shows_both_then_reload_or_overwrite(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, entry: int,
    roster: dict[str, int], choice: str,
) -> None:
    seen: dict[str, ConflictDialog] = {}
    jose = roster["José Álvarez"]

    def drive(form: EntryForm) -> bool:
        form.title.setText("Seal checklist shared with Lagos")
        b_edits_entry(user_b, entry, beneficiary_ids=(jose,))  # only who benefited
        form.ok_button.click()
        if choice == ConflictDialog.RELOAD:
            assert form.result() != QDialog.DialogCode.Accepted
            assert form.title.text() == "Seal checklist shared"  # B's values now
            assert form.picker.checked_ids() == (jose,)
        return form.result() == QDialog.DialogCode.Accepted

    edit_entry(window_a, modals, entry, drive, click(choice, seen))
    cells = seen["dialog"].cells
    assert cells["title"] == ("Seal checklist shared with Lagos", "Seal checklist shared")
    assert cells["beneficiaries"] == ("Amina Yusuf", "José Álvarez")
    after = stored_entry(store, entry)
    assert after is not None
    if choice == ConflictDialog.RELOAD:
        assert (after.title, after.beneficiary_ids) == ("Seal checklist shared", (jose,))
        assert window_a.workspace.undo_stack.count() == 0
    else:
        assert after.title == "Seal checklist shared with Lagos"
        assert after.beneficiary_ids == (roster["Amina Yusuf"],)
        window_a.workspace.undo_stack.undo()
        back = stored_entry(store, entry)
        assert back is not None and back.beneficiary_ids == (jose,)


def test_entry_b_deleted_recreate_puts_it_back(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, entry: int,
) -> None:
    seen: dict[str, ConflictDialog] = {}

    def drive(form: EntryForm) -> bool:
        form.title.setText("Mine")
        user_b.run(values.delete_entry, entry)
        form.ok_button.click()
        return form.result() == QDialog.DialogCode.Accepted

    edit_entry(window_a, modals, entry, drive, click(ConflictDialog.OVERWRITE, seen))
    cells = seen["dialog"].cells
    assert cells["title"][0] == "Mine"
    assert DELETED in [theirs for _mine, theirs in cells.values()]
    after = stored_entry(store, entry)
    assert after is not None and after.title == "Mine"
    window_a.workspace.undo_stack.undo()
    assert stored_entry(store, entry) is None


@pytest.mark.parametrize("delete_anyway", [False, True])
def test_deleting_entries_one_b_changed_asks_and_deletes_all_or_none(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, community_id: int,
    entry: int, delete_anyway: bool,
) -> None:
    other = store.run(values.add_entry, community_id, EntryData(
        entry_date=TODAY, title="Host saved a trip", kind="innovation",
        cycle="immediate", for_organisation=True))
    tab = window_a.value_tab
    window_a.tabs.setCurrentWidget(tab)
    tab.select_entry(entry)
    tab.table.selectionModel().select(
        tab.entry_index(other),
        tab.table.selectionModel().SelectionFlag.Select
        | tab.table.selectionModel().SelectionFlag.Rows,
    )
    assert {r.id for r in tab.selected_rows()} == {entry, other}
    b_edits_entry(user_b, other, title="Host saved two trips")
    seen: dict[str, ConflictDialog] = {}
    modals.answer("confirm", True)
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if delete_anyway else ConflictDialog.RELOAD, seen))
    tab.delete_selected()
    assert seen["dialog"].cells["title"] == ("Host saved a trip", "Host saved two trips")
    if delete_anyway:
        assert stored_entry(store, entry) is None and stored_entry(store, other) is None
        window_a.workspace.undo_stack.undo()
        back = stored_entry(store, other)
        assert back is not None and back.title == "Host saved two trips"
    else:  # nothing half-applied: the unchanged entry is still there too
        assert stored_entry(store, entry) is not None
        assert stored_entry(store, other) is not None
        assert window_a.workspace.undo_stack.count() == 0


def test_value_tab_filters_by_member_from_the_light_list(
    window_a: MainWindow, store: Store, community_id: int, entry: int,
    roster: dict[str, int],
) -> None:
    tab = window_a.value_tab
    window_a.tabs.setCurrentWidget(tab)
    combo = tab.member_filter
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names[0] == "Any member" and "José Álvarez" in names and "Amina Yusuf" in names
    combo.setCurrentIndex(combo.findData(roster["José Álvarez"]))
    assert tab.proxy.rowCount() == 0
    combo.setCurrentIndex(combo.findData(roster["Amina Yusuf"]))
    assert tab.proxy.rowCount() == 1
    with store.session() as s:
        people = value_queries.people(s, community_id)
    amina = next(p for p in people if p.id == roster["Amina Yusuf"])
    assert amina.coordinator and amina.consent and amina.organisation == "WaterAid"
    assert tab.default_logged_by() == roster["Amina Yusuf"]  # the coordinator


# --- fitness ----------------------------------------------------------------------------
@pytest.fixture
def assessment(store: Store, community_id: int, roster: dict[str, int]) -> int:
    return store.run(fitness.start_assessment, community_id, "fitness_test", TODAY,
                     participant_ids=[roster["Amina Yusuf"]], notes="Online check")


def first_key(store: Store, aid: int) -> str:
    with store.session() as s:
        return fitness.get_assessment(s, aid).answers[0].question_key


def stored_answer(store: Store, aid: int, key: str) -> AnswerData:
    with store.session() as s:
        return fitness.answer_data(s, aid, key)


def show_assessment(window: MainWindow, aid: int) -> None:
    tab = window.fitness_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.select_assessment(aid)
    assert tab.view is not None and tab.view.id == aid


@pytest.mark.parametrize("choice", [ConflictDialog.RELOAD, ConflictDialog.OVERWRITE,
                                    ConflictDialog.CANCEL])
def test_answer_b_changed_meanwhile_shows_both(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, assessment: int,
    choice: str,
) -> None:
    show_assessment(window_a, assessment)
    key = first_key(store, assessment)
    card = window_a.fitness_tab.questionnaire.card(key)
    assert card is not None
    # B scores the question and writes evidence; A has not seen it (no poll yet).
    user_b.run(fitness.set_answer, assessment, key, AnswerData(3, "B saw it work"))
    seen: dict[str, ConflictDialog] = {}
    modals.answer("run", click(choice, seen))
    card.evidence.setPlainText("A's evidence")
    card.commit_evidence()
    assert seen["dialog"].cells["evidence"] == ("A's evidence", "B saw it work")
    assert seen["dialog"].cells["score"][1].startswith("3")
    after = stored_answer(store, assessment, key)
    stack = window_a.workspace.undo_stack
    if choice == ConflictDialog.RELOAD:
        assert after == AnswerData(3, "B saw it work")
        assert card.evidence.toPlainText() == "B saw it work"
        assert card.selector.score() == 3
        assert stack.count() == 0
    elif choice == ConflictDialog.OVERWRITE:
        assert (after.score, after.evidence) == (None, "A's evidence")
        assert stack.count() == 1
        stack.undo()
        assert stored_answer(store, assessment, key) == AnswerData(3, "B saw it work")
    else:  # kept: nothing saved, A's typing still there and marked as not saved
        assert after == AnswerData(3, "B saw it work")
        assert card.evidence.toPlainText() == "A's evidence"
        assert card.evidence_dirty() and "Not saved" in card.error.text()
        assert stack.count() == 0
        # Saving again asks again; this time A takes B's answer.
        again: dict[str, ConflictDialog] = {}
        modals.answer("run", click(ConflictDialog.RELOAD, again))
        card.commit_evidence()
        assert again["dialog"].cells["evidence"] == ("A's evidence", "B saw it work")
        assert card.evidence.toPlainText() == "B saw it work"
        assert not card.has_pending_typing()


def test_answer_saves_do_not_conflict_with_own_earlier_saves(
    window_a: MainWindow, store: Store, assessment: int,
) -> None:
    show_assessment(window_a, assessment)
    key = first_key(store, assessment)
    card = window_a.fitness_tab.questionnaire.card(key)
    assert card is not None
    card.selector.choose(2)
    card.evidence.setPlainText("first")
    card.commit_evidence()
    card.evidence.setPlainText("second")
    card.commit_evidence()
    assert stored_answer(store, assessment, key) == AnswerData(2, "second")


def test_assessment_details_b_changed_reload_then_overwrite(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, assessment: int,
    roster: dict[str, int],
) -> None:
    show_assessment(window_a, assessment)
    seen: dict[str, ConflictDialog] = {}
    notes_seen: list[str] = []

    def drive(dialog: QDialog) -> bool:
        assert isinstance(dialog, AssessmentDialog)
        dialog.notes.setText("A: in the Lagos office")
        user_b.run(fitness.update_assessment, assessment, held_on=TODAY,
                   participant_ids=[roster["José Álvarez"]], notes="B: online")
        dialog.buttons.accepted.emit()  # conflict: reload
        notes_seen.append(dialog.notes.text())
        assert dialog.participant_ids() == [roster["José Álvarez"]]
        dialog.notes.setText("A again")
        dialog.buttons.accepted.emit()  # against B's version now: saved
        return dialog.result() == QDialog.DialogCode.Accepted

    modals.answer("run", drive, click(ConflictDialog.RELOAD, seen))
    window_a.fitness_tab.edit_details()
    assert seen["dialog"].cells["participants"] == ("Amina Yusuf", "José Álvarez")
    assert notes_seen == ["B: online"]
    with store.session() as s:
        view = fitness.get_assessment(s, assessment)
    assert (view.notes, view.participant_ids) == ("A again", (roster["José Álvarez"],))


@pytest.mark.parametrize("delete_anyway", [False, True])
def test_deleting_an_assessment_b_changed_asks_first(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, assessment: int,
    delete_anyway: bool,
) -> None:
    show_assessment(window_a, assessment)
    user_b.run(fitness.update_assessment, assessment, held_on=TODAY, participant_ids=[],
               notes="B: changed")
    seen: dict[str, ConflictDialog] = {}
    modals.answer("confirm", True)
    modals.answer("run", click(
        ConflictDialog.OVERWRITE if delete_anyway else ConflictDialog.RELOAD, seen))
    window_a.fitness_tab.delete_selected()
    assert seen["dialog"].cells["notes"] == ("Online check", "B: changed")
    with store.session() as s:
        left = [r.id for r in fitness.list_assessments(s, window_a.workspace.community_id or 0)]
    assert (assessment in left) is not delete_anyway


def test_marking_final_after_b_deleted_the_assessment_says_so(
    window_a: MainWindow, modals: Modals, user_b: Store, store: Store, assessment: int,
) -> None:
    show_assessment(window_a, assessment)
    user_b.run(fitness.delete_assessment, assessment)
    modals.answer("information", None)
    window_a.fitness_tab.set_final()
    assert "deleted" in modals.called("information")[0][2]


def test_conflict_dialog_shows_only_what_differs(qtbot: QtBot) -> None:
    dialog = ConflictDialog(
        "Someone else changed the session “Pump clinic” while you were editing it.",
        {"title": "Title", "location": "Location or link"},
        {"title": "Pump clinic", "location": "Room 2"},
        {"title": "Pump clinic", "location": "Lagos office"},
        what="session",
    )
    qtbot.addWidget(dialog)
    assert dialog.fields == ["location"]
    assert dialog.windowTitle() == "Someone else edited this session"
    assert dialog.reload_button.isDefault()
