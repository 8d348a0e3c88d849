"""The fitness report PDF, built from a real store and read back with pypdf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from copdesk.data import fitness, members, sessions
from copdesk.data.fitness import AnswerData
from copdesk.data.models import Answer
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.reports import charts
from copdesk.reports.errors import ReportError
from copdesk.reports.fitness_report import build_fitness_pdf, long_text
from copdesk.reports.style import styles
from tests.reports.fitness_value_sample import QUARTERLY_SCORES, add_quarterly_assessments
from tests.reports.pdfread import all_text, outline_entries, page_texts

TODAY = dt.date(2025, 7, 1)
MARKUP = "R&D <lead> & <b>not bold</b>"


def _build(store: Store, cid: int, out: Path, **kwargs: object) -> Path:
    with store.session() as session:
        return build_fitness_pdf(session, cid, out, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _member(store: Store, cid: int, name: str, consent: bool = True) -> int:
    data = MemberData(full_name=name, level="core", consent=consent)
    return store.run(members.add_member, cid, data, today=TODAY)


def _answer(store: Store, aid: int, key: str, score: int | None, **kw: object) -> None:
    store.run(fitness.set_answer, aid, key, AnswerData(score, **kw))  # type: ignore[arg-type]


@pytest.fixture
def quarterly(store: Store, community_id: int) -> list[int]:
    """Four fitness tests a quarter apart (see fitness_value_sample), the last one final."""
    for name in ("Αλεξάνδρα Παπαδοπούλου", "Дмитрий Иванов", "Amara Okafor"):
        _member(store, community_id, name)
    _member(store, community_id, "Zacharias Hidden", consent=False)
    return store.run(add_quarterly_assessments, community_id, TODAY)


def test_dimension_scores_match_the_store(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    pdf = _build(store, community_id, tmp_path / "f.pdf")
    text = all_text(pdf)
    with store.session() as session:
        view = fitness.get_assessment(session, quarterly[-1])
    assert view.id == quarterly[-1]  # the latest by default
    for d in view.dimensions:
        assert d.share is not None
        pct = f"{round(d.share * 100)}%"
        word = charts.BAND_WORDS[d.band]
        assert f"{pct} · {word}" in text  # the bar label in the chart
        assert f"{d.label} {d.points} of {d.assessed * 3} {pct}" in text  # the table
    # results 7/9 = 78% passes; resources 6/9 = 67% amber; values 8/9 = 89% passes
    assert "78% · pass" in text and "67% · amber" in text and "89% · pass" in text
    assert "amber 50%" in text and "pass 75%" in text  # the thresholds on the chart
    assert "Red below 50%, amber from 50%, green from 75%" in text
    assert "Overall 21 of 27 78%" in text
    assert "78% 2 of 3 9 of 9 5 overall (pass) dimensions pass" in text  # the tiles


def test_thresholds_set_by_the_user_change_bands_and_labels(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    store.run(fitness.set_thresholds, community_id, 40, 60)
    text = all_text(_build(store, community_id, tmp_path / "f.pdf"))
    assert "67% · pass" in text  # resources now green
    assert "amber 40%" in text and "pass 60%" in text
    assert "78% 3 of 3 9 of 9 5 overall (pass) dimensions pass" in text


def test_every_question_prints_with_score_meaning_evidence_and_action(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "f.pdf"))
    with store.session() as session:
        view = fitness.get_assessment(session, quarterly[-1])
    for x in view.answers:
        assert x.question_text in text
        assert x.evidence.split(";")[0][:40] in text
    assert "2 of 3 ●●○ Mostly" in text
    assert "3 of 3 ●●● Fully" in text
    assert "Agreed action: Trial 60-minute calls instead of 90 for the next quarter." in text


def test_trend_lists_every_earlier_assessment_of_the_checklist(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "f.pdf"))
    with store.session() as session:
        points = fitness.trend(session, community_id, "fitness_test")
    assert len(points) == 4
    for p in points:
        assert p.held_on.isoformat() in text  # a column of the trend table
    overall = [round(100 * sum(s) / 27) for s in QUARTERLY_SCORES]  # 41, 52, 63, 78
    assert f"Overall {' '.join(f'{v}%' for v in overall)} +15 pts" in text
    assert "across 4 assessments" in text and "(3 earlier ones)" in text


def test_an_earlier_assessment_has_a_shorter_trend(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "f.pdf", assessment_id=quarterly[1]))
    assert "across 2 assessments" in text
    with store.session() as session:
        later = fitness.get_assessment(session, quarterly[3]).held_on
    assert later.isoformat() not in text  # nothing from the future


def test_the_first_assessment_says_the_trend_starts_later(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "f.pdf", assessment_id=quarterly[0]))
    assert "the trend starts with the next one" in text


def test_action_plan_lists_open_actions_only(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", TODAY, today=TODAY)
    _answer(store, aid, "results_recognised", 1, action="Ask the host to recognise us")
    _answer(store, aid, "values_giving", 2, action="Share the templates", action_done=True)
    pages = page_texts(_build(store, community_id, tmp_path / "f.pdf"))
    text = " ".join(pages)
    plan = text.split("Action plan", 1)[1].split("Questions, evidence and actions", 1)[0]
    assert "1 open action; 1 already done" in plan
    assert "Ask the host to recognise us" in plan
    assert "Share the templates" not in plan
    assert "Agreed action: Share the templates (done)" in text


def test_draft_is_marked_on_the_first_page_and_in_the_header(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", TODAY, today=TODAY)
    _answer(store, aid, "results_common_concern", 2, evidence="x " * 2000)
    pdf = _build(store, community_id, tmp_path / "f.pdf")
    pages = page_texts(pdf)
    assert "FITNESS REPORT · DRAFT Water CoP" in pages[0]
    assert "Draft. This assessment has not been marked final yet: 8 of 9 questions are not " \
           "assessed" in pages[0]  # fmt: skip
    assert all("Fitness report (draft)" in p for p in pages[1:])
    assert len(pages) > 1
    meta = PdfReader(pdf).metadata
    assert meta is not None and meta.title == "Fitness report (draft): Water CoP"
    assert "Not assessed" in all_text(pdf)
    store.run(fitness.set_status, aid, "final")
    final = page_texts(_build(store, community_id, tmp_path / "g.pdf"))
    assert "DRAFT" not in final[0] and "draft" not in " ".join(final).replace("Draft", "")


def test_deleted_evidence_and_retired_questions_are_shown(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    sid = store.run(sessions.create_session, community_id, SessionData(
        title="Monthly call", starts_at=dt.datetime(2025, 5, 6, 14, 0), status="held"), [])
    keep = store.run(sessions.create_session, community_id, SessionData(
        title="Peer assist", starts_at=dt.datetime(2025, 5, 20, 14, 0), status="held"), [])
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", TODAY, today=TODAY)
    with store.session() as session:
        links = (fitness.session_link(session, sid), fitness.session_link(session, keep))
    _answer(store, aid, "results_common_concern", 3, evidence="Seen in calls", links=links)
    store.run(sessions.delete_session, sid)

    def retire(session: object) -> None:  # as if a newer copdesk dropped the question
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        answer = session.query(Answer).filter_by(question_key="values_giving").one()
        answer.question_key = "values_giving_retired"

    store.run(retire)
    _answer(store, aid, "values_giving_retired", 1, evidence="An old answer")
    text = all_text(_build(store, community_id, tmp_path / "f.pdf"))
    assert "Session: (deleted) Monthly call (2025-05-06)" in text
    assert "Session: Peer assist (2025-05-20)" in text
    assert "(deleted) Peer assist" not in text
    q = "Are members willing to give without immediate return? (no longer in the checklist)"
    assert q in text
    assert "An old answer" in text


def test_participants_are_named_only_with_consent(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    ids = [_member(store, community_id, "Amara Okafor"), _member(store, community_id, "Jiří Dvořák"),
           _member(store, community_id, "Zacharias Hidden", consent=False),
           _member(store, community_id, "Yolanda Private", consent=False)]  # fmt: skip
    store.run(fitness.start_assessment, community_id, "fitness_test", TODAY,
              participant_ids=ids, today=TODAY)  # fmt: skip
    text = all_text(_build(store, community_id, tmp_path / "f.pdf"))
    assert "Took part Amara Okafor, Jiří Dvořák and 2 members who did not consent to be named" \
        in text  # fmt: skip
    assert "Hidden" not in text and "Yolanda" not in text


def test_markup_prints_as_typed_and_long_evidence_flows_over_pages(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", TODAY,
                    notes=MARKUP, today=TODAY)  # fmt: skip
    words = " ".join(f"word{i}" for i in range(2600))  # 20,000 characters, the most allowed
    evidence = (words + " " * 20_000)[:20_000].strip()
    _answer(store, aid, "results_common_concern", 2, evidence=evidence, action=MARKUP * 100)
    pdf = _build(store, community_id, tmp_path / "f.pdf")
    text = all_text(pdf)
    assert f"Notes: {MARKUP}" in text
    assert "Agreed action: R&D <lead> & <b>not bold</b>R&D" in text
    last = evidence.split()[-1]
    assert "Evidence: word0 word1 word2" in text and f"{last} Agreed action" in text
    assert len(PdfReader(pdf).pages) >= 5
    assert "(in full with its question below)" in text  # the action plan cell is shortened


def test_long_text_builds_100000_characters_without_layout_errors(tmp_path: Path) -> None:
    text = ("R&D <lead> " + "x" * 40 + "\n") * 2000 + "y" * 8000  # 110,000 characters
    assert len(text) > 100_000
    out = tmp_path / "long.pdf"
    paragraphs = long_text(text, styles().body, prefix="<b>Evidence:</b>")
    SimpleDocTemplate(str(out)).build(list(paragraphs))
    got = all_text(out)
    assert got.count("R&D <lead>") == 2000
    assert got.replace(" ", "").count("y") == 8000


def test_outline_has_an_entry_per_section_and_dimension(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    titles = [(depth, title) for depth, title, _ in
              outline_entries(_build(store, community_id, tmp_path / "f.pdf"))]  # fmt: skip
    assert titles[:5] == [(0, "Water CoP"), (0, "Scores by dimension"), (0, "Trend"),
                          (0, "Action plan"), (0, "Questions, evidence and actions")]  # fmt: skip
    assert titles[5:] == [(1, "Results · 78% · pass"), (1, "Resources · 67% · amber"),
                          (1, "Values · 89% · pass")]  # fmt: skip


def test_invariant_builds_are_byte_identical(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    first = _build(store, community_id, tmp_path / "a.pdf", invariant=True)
    second = _build(store, community_id, tmp_path / "b.pdf", invariant=True)
    assert first.read_bytes() == second.read_bytes()


def test_no_assessment_is_a_report_error_and_leaves_no_file(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "f.pdf"
    with pytest.raises(ReportError, match="Water CoP has no fitness assessment yet"):
        _build(store, community_id, out)
    assert list(tmp_path.iterdir()) == [tmp_path / "store.sqlite"] or not out.exists()
    assert not out.exists()


def test_an_assessment_of_another_community_is_a_report_error(
    store: Store, community_id: int, quarterly: list[int], tmp_path: Path
) -> None:
    from copdesk.data import communities

    other = store.run(communities.create_community, "Other CoP")
    foreign = store.run(fitness.start_assessment, other, "fitness_test", TODAY, today=TODAY)
    out = tmp_path / "f.pdf"
    out.write_bytes(b"%PDF-earlier")
    with pytest.raises(ReportError, match=f"no assessment with id {foreign} in Water CoP"):
        _build(store, community_id, out, assessment_id=foreign)
    assert out.read_bytes() == b"%PDF-earlier"  # the earlier file is untouched
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    with pytest.raises(ReportError, match="no community with id 999"):
        _build(store, 999, tmp_path / "x.pdf")
