"""The Fitness tab driven as a facilitator would: by keyboard, with undo, bands and history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update
from sqlalchemy.orm import Session

from copdesk.data import fitness
from copdesk.data import sessions as S
from copdesk.data.fitness import AnswerData
from copdesk.data.models import Answer
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.ui.fitness.dialogs import AssessmentDialog, SessionPickerDialog
from copdesk.ui.fitness.model import Column, ScoreColumn
from copdesk.ui.fitness.questionnaire import QuestionCard, ScoreSelector
from copdesk.ui.fitness.tab import FitnessTab
from tests.ui.conftest import Modals
from tests.ui.fitness.conftest import TODAY

FITNESS_KEYS = (
    "results_common_concern", "results_member_benefit", "results_recognised",
    "resources_member_time", "resources_host_support", "resources_facilitation",
    "values_listening", "values_giving", "values_diversity",
)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def answers(store: Store, aid: int) -> dict[str, AnswerData]:
    with store.session() as s:
        return {k: fitness.answer_data(s, aid, k) for k in FITNESS_KEYS}


def start(store: Store, cid: int, day: dt.date, scores: tuple[int | None, ...] = (),
          status: str = "draft", actions: dict[str, str] | None = None) -> int:
    def run(session: Session) -> int:
        aid = fitness.start_assessment(session, cid, "fitness_test", day, today=TODAY)
        for key, score in zip(FITNESS_KEYS, scores, strict=False):
            action = (actions or {}).get(key, "")
            fitness.set_answer(session, aid, key, AnswerData(score, action=action))
        if status == "final":
            fitness.set_status(session, aid, "final")
        return aid

    return store.run(run)


def test_a_fitness_check_run_by_keyboard_alone(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int, modals: Modals,
    roster: dict[str, int],
) -> None:
    earlier = start(store, community_id, dt.date(2024, 12, 2), (1, 1, 1), "final",
                    {"results_recognised": "Ask the host for a KPI"})
    tab.focus_filter()
    assert focused() is tab.table

    def fill_in(dialog: QDialog) -> bool:
        assert isinstance(dialog, AssessmentDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.chosen_checklist() == "fitness_test"  # the deck's test is the default
        assert "Ask the host for a KPI" in dialog.actions_label.text()  # open actions listed
        # a date in the future is refused beside the field
        dialog.date.setFocus()
        qtbot.keyClicks(dialog.date, "2025-04-01")
        assert dialog.date_error.isVisible()
        assert "future" in dialog.date_error.text()
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()
        dialog.date.setDate(QDate(2025, 2, 27))  # the date edit's own keys are Qt's
        assert not dialog.date_error.isVisible()
        # tick two participants by typing their names and Enter
        dialog.people_filter.setFocus()
        qtbot.keyClicks(dialog.people_filter, "amina")
        qtbot.keyClick(dialog.people_filter, Qt.Key.Key_Return)
        qtbot.keyClicks(dialog.people_filter, "jose")
        qtbot.keyClick(dialog.people_filter, Qt.Key.Key_Return)
        assert dialog.isVisible()  # Enter in the filter ticks, it does not submit
        assert sorted(dialog.participant_ids()) == sorted(
            [roster["Amina Yusuf"], roster["José Álvarez"]])
        qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)  # Enter submits
        return dialog.result() == QDialog.DialogCode.Accepted

    modals.answer("run", fill_in)
    qtbot.keyClick(tab.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    rows = tab.model.all_rows_newest_first()
    assert len(rows) == 2 and rows[0].held_on == dt.date(2025, 2, 27)
    aid = rows[0].id
    assert tab.view is not None and tab.view.id == aid and tab.view.is_draft
    assert tab.previous_actions.count() == 1  # open actions of the last check, beside
    first = tab.questionnaire.cards[0]
    assert focused() is first.selector

    qtbot.keyClick(focused(), Qt.Key.Key_2)  # score question 1 with a digit
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is first.evidence
    qtbot.keyClicks(focused(), "Results are logged monthly")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # leaving the field saves it
    assert focused() is first.link_button
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is first.action
    qtbot.keyClicks(focused(), "Share results with the host")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is first.done
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    second = tab.questionnaire.cards[1]
    assert focused() is second.selector  # Tab reaches the next question
    qtbot.keyClick(focused(), Qt.Key.Key_3)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # ↓ the next question
    assert focused() is tab.questionnaire.cards[2].selector
    qtbot.keyClick(focused(), Qt.Key.Key_1)
    qtbot.keyClick(focused(), Qt.Key.Key_Right)  # → one step up the scale
    qtbot.keyClick(focused(), Qt.Key.Key_Up)
    qtbot.keyClick(focused(), Qt.Key.Key_N)  # question 2 back to not assessed
    qtbot.keyClick(focused(), Qt.Key.Key_0)
    assert "✎ DRAFT" in tab.status_badge.text()

    qtbot.keyClick(focused(), Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    stored = answers(store, aid)
    assert stored["results_common_concern"] == AnswerData(
        2, "Results are logged monthly", "Share results with the host", False, ())
    assert stored["results_member_benefit"].score == 0
    assert stored["results_recognised"].score == 2
    assert [stored[k].score for k in FITNESS_KEYS[3:]] == [None] * 6
    with store.session() as s:
        view = fitness.get_assessment(s, aid)
    assert view.status == "final"
    assert view.participants == ("Amina Yusuf", "José Álvarez")
    assert "✓ FINAL" in tab.status_badge.text()
    assert tab.final_button.text() == "Reopen as draft"
    # a final assessment is read-only until reopened
    qtbot.keyClick(tab.questionnaire.cards[0].selector, Qt.Key.Key_3)
    assert answers(store, aid)["results_common_concern"].score == 2
    assert earlier != aid


def test_scores_per_dimension_and_thresholds_change_the_bands(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    # results 2,2,2 = 67%; resources 3,3,3 = 100%; values 0,1,None = 17%
    aid = start(store, community_id, dt.date(2025, 1, 10), (2, 2, 2, 3, 3, 3, 0, 1, None))
    assert tab.select_assessment(aid)

    def band_column() -> list[str]:
        m = tab.scores_model
        return [str(m.index(r, ScoreColumn.BAND).data()) for r in range(m.rowCount())]

    def score_column() -> list[str]:
        m = tab.scores_model
        return [str(m.index(r, ScoreColumn.SCORE).data()) for r in range(m.rowCount())]

    assert score_column() == ["67%", "100%", "17%", "67%"]
    assert band_column() == ["◆ Amber", "▲ Green (passes)", "▼ Red", "◆ Amber"]
    assert tab.overall_label.text() == "Overall 67% ◆ Amber"
    assert "67% ◆ Amber" in tab.questionnaire.headers["results"].score.text()
    assert "passes" in tab.questionnaire.headers["resources"].score.text()
    row = tab.model.index(0, Column.OVERALL).data()
    assert row == "67% ◆ Amber"

    # green from 60%: results and overall now pass; typed into the spin box
    tab.green_spin.setFocus()
    tab.green_spin.selectAll()
    qtbot.keyClicks(tab.green_spin, "60")
    qtbot.keyClick(tab.green_spin, Qt.Key.Key_Return)
    with store.session() as s:
        assert fitness.thresholds(s, community_id) == fitness.Thresholds(50, 60)
    assert band_column() == ["▲ Green (passes)", "▲ Green (passes)", "▼ Red", "▲ Green"]
    assert tab.model.index(0, Column.OVERALL).data() == "67% ▲ Green"
    assert "passes" in tab.questionnaire.headers["results"].score.text()

    # an impossible pair is refused beside the control, nothing saved
    tab.amber_spin.setValue(70)
    assert tab.threshold_error.isVisible()
    assert "below green" in tab.threshold_error.text()
    with store.session() as s:
        assert fitness.thresholds(s, community_id) == fitness.Thresholds(50, 60)
    tab.amber_spin.setValue(50)
    assert not tab.threshold_error.isVisible()

    tab.workspace.undo_stack.undo()  # the thresholds change is undoable
    with store.session() as s:
        assert fitness.thresholds(s, community_id) == fitness.Thresholds(50, 75)
    assert tab.green_spin.value() == 75
    assert band_column()[0] == "◆ Amber"


def test_draft_state_is_shown_and_toggled(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    aid = start(store, community_id, dt.date(2025, 1, 10))
    assert tab.select_assessment(aid)
    assert tab.model.index(0, Column.STATUS).data() == "✎ Draft"
    assert tab.status_badge.text() == "✎ DRAFT · 9 not assessed"
    # nothing scored: marking final is refused inline
    tab.final_button.click()
    assert tab.status_error.isVisible()
    assert "Score at least one question" in tab.status_error.text()
    assert not tab.final_button.isChecked()
    store.run(fitness.set_answer, aid, "values_listening", AnswerData(3))
    assert tab.status_badge.text() == "✎ DRAFT · 8 not assessed"
    tab.final_button.click()
    assert tab.model.index(0, Column.STATUS).data() == "✓ Final"
    assert tab.status_badge.text() == "✓ FINAL"
    assert tab.questionnaire.cards[0].evidence.isReadOnly()
    tab.workspace.undo_stack.undo()
    assert tab.model.index(0, Column.STATUS).data() == "✎ Draft"
    assert not tab.questionnaire.cards[0].evidence.isReadOnly()
    tab.workspace.undo_stack.redo()
    with store.session() as s:
        assert fitness.get_assessment(s, aid).status == "final"
    tab.final_button.click()  # reopen
    with store.session() as s:
        assert fitness.get_assessment(s, aid).status == "draft"


def test_undo_and_redo_of_answers_typing_merges_into_one_step(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    aid = start(store, community_id, dt.date(2025, 1, 10))
    assert tab.select_assessment(aid)
    stack = tab.workspace.undo_stack
    card = tab.questionnaire.cards[3]
    tab.questionnaire.focus_question(3)
    qtbot.keyClick(card.selector, Qt.Key.Key_3)
    assert stack.count() == 1
    assert stack.undoText() == "Score fully for question 4"
    card.evidence.setFocus()
    qtbot.keyClicks(card.evidence, "Members ")
    card.commit_evidence()  # as the typing pause would
    qtbot.keyClicks(card.evidence, "protect Friday afternoons")
    card.commit_evidence()
    assert stack.count() == 2  # one step for the stretch of typing
    assert answers(store, aid)["resources_member_time"].evidence == (
        "Members protect Friday afternoons")
    qtbot.keyClick(card.evidence, Qt.Key.Key_Tab)  # leaving ends the stretch
    card.evidence.setFocus()
    qtbot.keyClicks(card.evidence, ".")
    qtbot.keyClick(card.evidence, Qt.Key.Key_Tab)
    assert stack.count() == 3

    stack.undo()
    stack.undo()
    got = answers(store, aid)["resources_member_time"]
    assert got == AnswerData(3, "", "", False, ())
    assert card.evidence.toPlainText() == ""  # the card follows the store
    assert card.selector.score() == 3
    stack.undo()
    assert answers(store, aid)["resources_member_time"].score is None
    assert card.selector.score() is None
    stack.redo()
    stack.redo()
    assert answers(store, aid)["resources_member_time"] == AnswerData(
        3, "Members protect Friday afternoons")
    assert card.evidence.toPlainText() == "Members protect Friday afternoons"


def test_typed_evidence_is_saved_after_a_pause_and_when_switching(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    first = start(store, community_id, dt.date(2025, 1, 10))
    second = start(store, community_id, dt.date(2025, 2, 10))
    tab.select_assessment(first)
    card = tab.questionnaire.cards[0]
    card.evidence.setFocus()
    qtbot.keyClicks(card.evidence, "Saved after a pause")
    qtbot.waitUntil(
        lambda: answers(store, first)["results_common_concern"].evidence == "Saved after a pause",
        timeout=3000,
    )
    card = tab.questionnaire.cards[1]
    card.evidence.setFocus()
    qtbot.keyClicks(card.evidence, "Not lost")
    tab.select_assessment(second)  # switching assessments saves what was typed
    assert answers(store, first)["results_member_benefit"].evidence == "Not lost"
    card = tab.questionnaire.cards[2]
    card.action.setFocus()
    qtbot.keyClicks(card.action, "Typed, then hidden")
    tab.hide()  # closing the window hides the tab: nothing is lost
    assert answers(store, second)["results_recognised"].action == "Typed, then hidden"


def test_delete_with_confirmation_and_undo(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int, modals: Modals
) -> None:
    aid = start(store, community_id, dt.date(2025, 1, 10), (2, 3), "final",
                {"results_common_concern": "Keep it up"})
    other = start(store, community_id, dt.date(2024, 10, 10), (1,))
    tab.select_assessment(aid)
    tab.table.setFocus()
    modals.answer("confirm", False)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert tab.model.rowCount() == 2
    modals.answer("confirm", True)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert modals.called("confirm")[1][2] == "Delete the fitness test of 10 Jan 2025?"
    assert [r.id for r in tab.model.all_rows()] == [other]
    tab.workspace.undo_stack.undo()
    assert sorted(r.id for r in tab.model.all_rows()) == sorted([aid, other])
    with store.session() as s:
        view = fitness.get_assessment(s, aid)
    assert view.status == "final" and view.answers[0].action == "Keep it up"
    assert view.answers[1].score == 3
    tab.workspace.undo_stack.redo()
    assert [r.id for r in tab.model.all_rows()] == [other]
    tab.workspace.undo_stack.undo()
    assert tab.select_assessment(aid)


def test_undo_of_a_new_assessment_and_edit_details(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int, modals: Modals,
    roster: dict[str, int],
) -> None:
    def new(dialog: QDialog) -> bool:
        assert isinstance(dialog, AssessmentDialog)
        dialog.checklist.setCurrentIndex(dialog.checklist.findData("design_principles"))
        dialog.accept()
        return True

    modals.answer("run", new)
    tab.new_action.trigger()
    (row,) = tab.model.all_rows()
    assert row.checklist == "design_principles" and row.held_on == TODAY
    assert len(tab.questionnaire.cards) == 7
    # the hints of the design principles sit beside their questions
    assert any("public and" in line for line in tab.questionnaire.hint_boxes[
        "public_private_spaces"].lines)

    def edit(dialog: QDialog) -> bool:
        assert isinstance(dialog, AssessmentDialog)
        assert not dialog.checklist.isEnabled()
        dialog.date.setDate(QDate(2025, 2, 1))
        dialog.people.item(0).setCheckState(Qt.CheckState.Checked)
        dialog.accept()
        return True

    modals.answer("run", edit)
    tab.edit_action.trigger()
    assert tab.view is not None and tab.view.held_on == dt.date(2025, 2, 1)
    assert len(tab.view.participants) == 1
    tab.workspace.undo_stack.undo()
    assert tab.view is not None and tab.view.held_on == TODAY
    assert tab.view.participants == ()
    tab.workspace.undo_stack.undo()
    assert tab.model.rowCount() == 0
    tab.workspace.undo_stack.redo()
    assert tab.model.rowCount() == 1


def test_comparison_shows_what_rose_and_what_fell(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    a = start(store, community_id, dt.date(2024, 6, 1), (1, 2, 1, 0, 1, 1, 3, 2, 2), "final")
    b = start(store, community_id, dt.date(2024, 12, 1), (2, 2, 0, 1, 1, 2, 3, 1, None))
    tab.views.setCurrentIndex(1)
    history = tab.history
    assert history.first.currentData() == a and history.second.currentData() == b
    model = history.compare_model
    changes = {
        model.index(r, 0).data(Qt.ItemDataRole.UserRole).question_key:
            model.index(r, 4).data() for r in range(model.rowCount())
    }
    assert changes["results_common_concern"] == "▲ rose"
    assert changes["results_recognised"] == "▼ fell"
    assert changes["results_member_benefit"] == "= same"
    assert changes["values_diversity"] == "n/a"
    text = history.summary.text()
    assert "3 rose" in text and "2 fell" in text
    assert model.headerData(2, Qt.Orientation.Horizontal) == "01 Jun 2024"
    history.only_changes.setChecked(True)
    assert history.compare_proxy.rowCount() == 5
    # swapping the two still reads older → newer
    history.select_pair(b, a)
    assert "From <b>01 Jun 2024</b> to" in history.summary.text()
    # the trend: one panel per dimension plus overall, values labelled
    assert history.chart.values() == {
        "Overall": ["48%", "50%"],
        "Results": ["44%", "44%"],
        "Resources": ["22%", "44%"],
        "Values": ["78%", "67%"],
    }
    store.run(fitness.set_answer, b, "values_diversity", AnswerData(3))
    assert history.chart.values()["Values"] == ["78%", "78%"]


def test_session_links_picked_by_keyboard_and_deleted_sessions_shown(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int, modals: Modals
) -> None:
    sid = store.run(S.create_session, community_id,
                    SessionData("Leak clinic", dt.datetime(2025, 1, 8, 10), status="held"))
    store.run(S.create_session, community_id,
              SessionData("Tariff call", dt.datetime(2025, 2, 8, 10), status="held"))
    aid = start(store, community_id, dt.date(2025, 2, 20))
    tab.select_assessment(aid)
    card = tab.questionnaire.cards[0]

    def pick(dialog: QDialog) -> bool:
        assert isinstance(dialog, SessionPickerDialog)
        assert dialog.list.count() == 2
        qtbot.keyClicks(dialog.filter, "leak")
        qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)
        return dialog.result() == QDialog.DialogCode.Accepted

    modals.answer("run", pick)
    card.link_button.setFocus()
    qtbot.keyClick(card.link_button, Qt.Key.Key_Space)
    assert answers(store, aid)["results_common_concern"].links == (
        ("session", sid, "Leak clinic (2025-01-08)"),)
    assert card.links.item(0).text() == "session: Leak clinic (2025-01-08)"
    store.run(S.delete_session, sid)
    item = card.links.item(0)
    assert item.text() == "deleted session: Leak clinic (2025-01-08)"
    assert item.font().strikeOut()
    # removing a link by keyboard, undoable
    card.links.setFocus()
    card.links.setCurrentRow(0)
    qtbot.keyClick(card.links, Qt.Key.Key_Delete)
    assert answers(store, aid)["results_common_concern"].links == ()
    tab.workspace.undo_stack.undo()
    assert len(answers(store, aid)["results_common_concern"].links) == 1


def test_retired_questions_still_shown(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    aid = start(store, community_id, dt.date(2025, 1, 10), (2,))

    def retire(session: Session) -> None:  # as if a newer copdesk dropped the question
        session.execute(
            update(Answer)
            .where(Answer.assessment_id == aid, Answer.question_key == "results_common_concern")
            .values(question_key="results_old_question", question_text="An old question?")
        )

    store.run(retire)
    tab.reload()
    tab.select_assessment(aid)
    card = tab.questionnaire.card("results_old_question")
    assert isinstance(card, QuestionCard)
    assert card.retired.isVisible()
    assert card.retired.text().startswith("No longer in the checklist")
    assert "An old question?" in card.title.text()
    assert card.selector.score() == 2


def test_score_selector_by_mouse_and_keys(qtbot: QtBot) -> None:
    selector = ScoreSelector()
    qtbot.addWidget(selector)
    chosen: list[Any] = []
    selector.chosen.connect(chosen.append)
    selector.buttons[1].click()
    qtbot.keyClick(selector, Qt.Key.Key_3)
    qtbot.keyClick(selector, Qt.Key.Key_Left)
    qtbot.keyClick(selector, Qt.Key.Key_N)
    qtbot.keyClick(selector, Qt.Key.Key_Left)  # already at the start: nothing
    qtbot.keyClick(selector, Qt.Key.Key_9)  # not on the scale: ignored
    assert chosen == [1, 3, 2, None]
    assert [b.text() for b in selector.buttons.values()] == [
        "0  Not at all", "1  Partly", "2  Mostly", "3  Fully", "N  Not assessed"]


def test_text_typed_when_the_store_is_switched_goes_to_its_own_store(
    qtbot: QtBot, tab: FitnessTab, store: Store, community_id: int
) -> None:
    aid = start(store, community_id, dt.date(2025, 1, 10))
    tab.select_assessment(aid)
    card = tab.questionnaire.cards[0]
    card.evidence.setFocus()
    qtbot.keyClicks(card.evidence, "Typed just before closing")
    # what the main window does when it closes or opens another store
    tab.workspace.set_store(None)
    tab.workspace.set_community(None)
    assert answers(store, aid)["results_common_concern"].evidence == "Typed just before closing"
    assert tab.workspace.undo_stack.count() == 0
    assert tab.model.rowCount() == 0 and tab.view is None
