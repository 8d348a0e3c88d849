"""Property-based tests: arbitrary Unicode through validation, the store, CSV and the PDFs.

* member validation never raises (it returns messages), and saving raises nothing but
  ValidationError, whatever the text, including broken surrogates and control characters;
* what is accepted reads back exactly as documented: ``MemberData.cleaned()`` (one-line
  fields have runs of white space collapsed and are trimmed, notes trimmed; no Unicode
  normalisation, so what was typed is what is kept);
* the roster exported to CSV previews back as the very same rows;
* every PDF report builds for arbitrary Latin, Greek and Cyrillic text, the fonts cover it
  (no missing-glyph boxes) and the text reads back from the PDF.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copdesk.data import communities, csvio, fitness, members, sessions, values
from copdesk.data.store import Store
from copdesk.data.validation import (
    MemberData,
    ValidationError,
    split_tags,
    text_problem,
    validate_member,
)
from copdesk.reports.fitness_report import build_fitness_pdf
from copdesk.reports.roster import build_roster_pdf
from copdesk.reports.session_reports import build_session_pdf
from copdesk.reports.style import check_coverage
from copdesk.reports.values_report import build_values_pdf
from tests.reports.pdfread import all_text

ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=60)
#: Printable text a person types (no control characters or broken surrogates).
TYPED = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)
#: Latin (with accents), Greek and Cyrillic letters and digits: what the fonts must cover.
COVERED = st.text(
    st.one_of(
        st.characters(min_codepoint=0x41, max_codepoint=0x5A),
        st.characters(min_codepoint=0x61, max_codepoint=0x7A),
        st.characters(min_codepoint=0xC0, max_codepoint=0x17F, exclude_characters="×÷"),
        st.characters(min_codepoint=0x391, max_codepoint=0x3C9, exclude_characters="\u03a2"),
        st.characters(min_codepoint=0x410, max_codepoint=0x44F),
        st.characters(min_codepoint=0x30, max_codepoint=0x39),
    ),
    min_size=3,
    max_size=24,
)
FIELDS = ("full_name", "email", "organisation", "job_title", "region", "notes")
COMMON = settings(deadline=None, max_examples=50,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])
_names = itertools.count()


def _community(store: Store) -> int:
    return store.run(communities.create_community, f"P{next(_names)}")


@COMMON
@given(st.fixed_dictionaries({f: ANY_TEXT for f in FIELDS}), st.lists(ANY_TEXT, max_size=4))
def test_any_text_is_either_refused_with_messages_or_stored_as_cleaned(
    store: Store, texts: dict[str, str], tags: list[str]
) -> None:
    data = MemberData(**texts, expertise=tuple(tags))  # type: ignore[arg-type]
    errors = validate_member(data.cleaned())
    assert all(isinstance(m, str) and m for m in errors.values())
    cid = _community(store)
    try:
        mid = store.run(members.add_member, cid, data)
    except ValidationError as exc:
        assert exc.errors
        with store.session() as s:
            assert members.list_members(s, cid) == []
        return
    with store.session() as s:
        row = members.get_member(s, mid)
    want = data.cleaned()
    for name in ("full_name", "organisation", "job_title", "region", "notes", "expertise"):
        assert getattr(row, name) == getattr(want, name), name
    # Nothing stored holds a character the store could not keep or a control character.
    assert text_problem(row.full_name) is None


@COMMON
@given(st.lists(st.fixed_dictionaries({
    "full_name": TYPED.filter(lambda t: t.strip() != ""),
    "organisation": TYPED,
    "region": TYPED,
    "notes": st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\t"),
                     max_size=60),
    "tags": TYPED,
    "consent": st.booleans(),
}), min_size=1, max_size=4))
def test_csv_export_then_import_gives_back_the_same_rows(
    store: Store, tmp_path: Path, people: list[dict[str, object]]
) -> None:
    cid = _community(store)
    for i, p in enumerate(people):
        tags = split_tags(str(p.pop("tags")))
        data = MemberData(**{k: v for k, v in p.items()}, expertise=tags,  # type: ignore[arg-type]
                          joined_on=dt.date(2020, 1, 1 + i))
        store.run(members.add_member, cid, data)  # typed text is always valid
    out = tmp_path / "roster.csv"
    with store.session() as s:
        stored = [m.to_data() for m in members.list_members(s, cid)]
        csvio.export_csv(s, cid, out)
        preview = csvio.preview_import(s, None, out)
    assert not preview.invalid_rows
    assert [r.data for r in preview.rows] == stored


@settings(deadline=None, max_examples=12,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=COVERED, org=COVERED, title=COVERED)
def test_every_report_builds_and_prints_covered_text_without_boxes(
    store: Store, tmp_path: Path, name: str, org: str, title: str
) -> None:
    assert check_coverage([name, org, title]).missing == ()
    cid = _community(store)
    mid = store.run(members.add_member, cid,
                    MemberData(name, organisation=org, consent=True, expertise=(title,)))
    sid = store.run(sessions.create_session, cid,
                    sessions.SessionData(title, dt.datetime(2026, 3, 2, 14)),
                    [sessions.BlockData(title, 30, owner_id=mid)])
    aid = store.run(fitness.start_assessment, cid, "fitness_test", dt.date(2026, 1, 5))
    store.run(fitness.set_answer, aid, "results_common_concern",
              fitness.AnswerData(2, evidence=title, action=org))
    store.run(values.add_entry, cid, values.EntryData(
        dt.date(2026, 1, 5), title, "reputation", "immediate", beneficiary_ids=(mid,),
        description=org))
    today = dt.date(2026, 3, 10)
    with store.session() as s:
        built = [
            build_roster_pdf(s, cid, tmp_path / "roster.pdf", today=today),
            build_session_pdf(s, sid, tmp_path / "runsheet.pdf", today=today),
            build_fitness_pdf(s, cid, tmp_path / "fitness.pdf", today=today),
            build_values_pdf(s, cid, tmp_path / "values.pdf", today=today),
        ]
    for pdf in built:
        text = all_text(pdf).replace(" ", "")
        assert title in text, pdf.name
    assert name in all_text(built[0]).replace(" ", "")


