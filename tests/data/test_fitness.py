"""Fitness assessments on a real store: scoring, bands, history, comparison, evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from copdesk.data import fitness as F
from copdesk.data import members
from copdesk.data import sessions as S
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError
from copdesk.framework import CHECKLIST_BY_KEY

TODAY = dt.date(2026, 11, 28)


def start(store: Store, cid: int, on: dt.date = dt.date(2026, 9, 1), checklist: str = "fitness_test") -> int:
    return store.run(F.start_assessment, cid, checklist, on, today=TODAY)


def score_all(store: Store, aid: int, scores: dict[str, int | None]) -> None:
    for key, value in scores.items():
        store.run(F.set_answer, aid, key, F.AnswerData(value))


DECK = {q.key: q for d in CHECKLIST_BY_KEY["fitness_test"].dimensions for q in d.questions}


def test_a_new_assessment_is_a_draft_with_every_question_not_assessed(
    store: Store, community_id: int
) -> None:
    aid = start(store, community_id)
    with store.session() as s:
        view = F.get_assessment(s, aid)
    assert view.is_draft and view.unanswered == 9
    assert [d.label for d in view.dimensions] == ["Results", "Resources", "Values"]
    assert view.answers[0].question_text == (
        "Is delivering and reporting on tangible results a common concern?"
    )
    assert view.overall is None and view.overall_band == "none"


def test_scores_per_dimension_and_overall_with_bands(store: Store, community_id: int) -> None:
    aid = start(store, community_id)
    score_all(store, aid, {
        "results_common_concern": 3, "results_member_benefit": 3, "results_recognised": 2,
        "resources_member_time": 1, "resources_host_support": 2, "resources_facilitation": None,
        "values_listening": 0, "values_giving": 1, "values_diversity": 1,
    })  # fmt: skip
    with store.session() as s:
        view = F.get_assessment(s, aid)
    results, resources, values = view.dimensions
    assert results.share == pytest.approx(8 / 9) and results.band == "green" and results.passes
    assert resources.share == pytest.approx(3 / 6) and resources.band == "amber"
    assert resources.assessed == 2 and resources.questions == 3
    assert values.share == pytest.approx(2 / 9) and values.band == "red"
    assert view.overall == pytest.approx(13 / 24)
    store.run(F.set_thresholds, community_id, 20, 50)
    with store.session() as s:
        assert [d.band for d in F.get_assessment(s, aid).dimensions] == ["green", "green", "amber"]
    with pytest.raises(ValidationError):
        store.run(F.set_thresholds, community_id, 80, 60)


def test_bad_input_is_refused_and_nothing_changes(store: Store, community_id: int) -> None:
    with pytest.raises(ValidationError, match="future"):
        store.run(F.start_assessment, community_id, "fitness_test", TODAY + dt.timedelta(days=1),
                  today=TODAY)
    with pytest.raises(ValidationError, match="checklist"):
        store.run(F.start_assessment, community_id, "horoscope", TODAY, today=TODAY)
    aid = start(store, community_id)
    for bad in (4, -1):
        with pytest.raises(ValidationError, match="0 to 3"):
            store.run(F.set_answer, aid, "values_giving", F.AnswerData(bad))
    with pytest.raises(ValidationError, match="at least one"):
        store.run(F.set_status, aid, "final")
    with store.session() as s:
        assert F.get_assessment(s, aid).unanswered == 9
        assert len(F.list_assessments(s, community_id)) == 1


def test_status_draft_and_final(store: Store, community_id: int) -> None:
    aid = start(store, community_id)
    store.run(F.set_answer, aid, "values_giving", F.AnswerData(2))
    assert store.run(F.set_status, aid, "final") == "draft"
    with store.session() as s:
        assert not F.get_assessment(s, aid).is_draft


def test_set_answer_returns_what_it_replaced_for_undo(store: Store, community_id: int) -> None:
    aid = start(store, community_id)
    first = F.AnswerData(2, "Three members reported saved hours", "Ask the host", False)
    assert store.run(F.set_answer, aid, "results_member_benefit", first) == F.AnswerData(None)
    before = store.run(F.set_answer, aid, "results_member_benefit", F.AnswerData(3))
    assert before == first
    store.run(F.set_answer, aid, "results_member_benefit", before)
    with store.session() as s:
        assert F.answer_data(s, aid, "results_member_benefit") == first


def test_history_trend_compare_and_open_actions(store: Store, community_id: int) -> None:
    q1 = start(store, community_id, dt.date(2026, 3, 1))
    score_all(store, q1, {k: 1 for k in DECK})
    store.run(F.set_answer, q1, "values_giving", F.AnswerData(1, action="Start a thank-you round"))
    store.run(F.set_answer, q1, "results_recognised", F.AnswerData(1, action="Report to host",
                                                                   action_done=True))
    q2 = start(store, community_id, dt.date(2026, 6, 1))
    score_all(store, q2, {k: 2 for k in DECK} | {"values_listening": 0})
    with store.session() as s:
        points = F.trend(s, community_id, "fitness_test")
        cmp = F.compare(s, q2, q1)  # order does not matter: older first
        rows = F.list_assessments(s, community_id)
        actions = F.open_actions(s, community_id, before=dt.date(2026, 5, 1))
    assert [p.held_on for p in points] == [dt.date(2026, 3, 1), dt.date(2026, 6, 1)]
    assert points[0].dimensions["results"] == pytest.approx(1 / 3)
    assert points[1].dimensions["results"] == pytest.approx(2 / 3)
    assert cmp.before.id == q1 and cmp.after.id == q2
    assert len(cmp.rose) == 8 and [q.question_key for q in cmp.fell] == ["values_listening"]
    assert cmp.dimensions[0] == ("Results", pytest.approx(1 / 3), pytest.approx(2 / 3))
    assert [r.id for r in rows] == [q2, q1] and rows[1].open_actions == 1
    assert [(a.assessment_id, a.action) for a in actions] == [(q1, "Start a thank-you round")]


def test_delete_and_restore(store: Store, community_id: int) -> None:
    ada = store.run(members.add_member, community_id, MemberData(full_name="Ada"))
    aid = store.run(F.start_assessment, community_id, "extended", dt.date(2026, 5, 1),
                    participant_ids=[ada], today=TODAY)
    store.run(F.set_answer, aid, "norms_roles", F.AnswerData(2, "Agreed in May", "Write it down"))
    with store.session() as s:
        before = F.get_assessment(s, aid)
    snap = store.run(F.delete_assessment, aid)
    with store.session() as s:
        assert F.list_assessments(s, community_id) == []
    store.run(F.restore_assessment, snap)
    with store.session() as s:
        assert F.get_assessment(s, aid) == before
    assert before.participants == ("Ada",) and len(before.answers) == 24


def test_evidence_links_survive_a_deleted_session(store: Store, community_id: int) -> None:
    sid = store.run(S.create_session, community_id,
                    S.SessionData("Spring clinic", dt.datetime(2026, 4, 2, 10), "UTC", 60, status="held"))
    aid = start(store, community_id)
    with store.session() as s:
        link = F.session_link(s, sid)
    store.run(F.set_answer, aid, "results_member_benefit", F.AnswerData(2, links=(link,)))
    with store.session() as s:
        (lv,) = F.get_assessment(s, aid).answers[1].links
    assert lv.exists and lv.label == "Spring clinic (2026-04-02)"
    store.run(S.delete_session, sid)
    with store.session() as s:
        (lv,) = F.get_assessment(s, aid).answers[1].links
    assert not lv.exists and lv.label == "Spring clinic (2026-04-02)"


def test_answers_to_a_retired_question_still_display_and_score(
    store: Store, store_path: Path, community_id: int
) -> None:
    aid = start(store, community_id)
    store.run(F.set_answer, aid, "values_giving", F.AnswerData(3, "Lots of giving"))
    # An older copdesk asked a question this version no longer has.
    with store.engine.begin() as con:
        con.execute(text(
            "UPDATE answer SET question_key = 'values_old_question', "
            "question_text = 'Do members share freely?' WHERE question_key = 'values_giving'"
        ))
    with store.session() as s:
        view = F.get_assessment(s, aid)
    retired = next(a for a in view.answers if a.retired)
    assert retired.question_text == "Do members share freely?" and retired.score == 3
    assert view.dimension("values") is not None
    assert view.dimension("values").points == 3  # type: ignore[union-attr]


def test_evidence_hints_come_from_the_store(store: Store, community_id: int) -> None:
    ada = store.run(members.add_member, community_id, MemberData(full_name="Ada", level="core"))
    store.run(members.add_member, community_id,
              MemberData(full_name="Guest", roles=("outside_guest",)))
    sid = store.run(S.create_session, community_id,
                    S.SessionData("Clinic", dt.datetime(2026, 6, 1, 10), "UTC", 60, status="held"))
    store.run(S.invite, sid, [ada])
    store.run(S.set_attendance, sid, ada, status="attended", role="presenter")
    with store.session() as s:
        hints = F.evidence_hints(s, community_id, dt.date(2026, 9, 1))
    assert "1 session held" in hints["resources"][0] and "100%" in hints["resources"][0]
    assert hints["resources"][1] == "1 member presented or facilitated sessions"
    assert "1 outside guest among 2 members (50%)" in hints["inside_outside_dialogue"][0]
    assert "1 public and 0 private" in hints["public_private_spaces"][0]


def test_open_actions_per_checklist_and_from_the_previous_assessment(
    store: Store, community_id: int
) -> None:
    q1 = start(store, community_id, dt.date(2026, 3, 1))
    store.run(F.set_answer, q1, "values_giving", F.AnswerData(1, action="Thank-you round"))
    review = start(store, community_id, dt.date(2026, 4, 1), checklist="design_principles")
    store.run(F.set_answer, review, "principle_rhythm", F.AnswerData(1, action="Fix the day"))
    q2 = start(store, community_id, dt.date(2026, 6, 1))
    with store.session() as s:
        deck = F.open_actions(s, community_id, before=dt.date(2026, 5, 1), checklist="fitness_test")
        anything = F.open_actions(s, community_id, before=dt.date(2026, 5, 1))
        previous = F.actions_from_previous(s, q2)
        assert F.previous_assessment_id(s, q2) == q1
        assert F.actions_from_previous(s, q1) == []
    assert [a.action for a in deck] == ["Thank-you round"]
    assert [a.action for a in anything] == ["Fix the day"]
    assert [a.assessment_id for a in previous] == [q1]
