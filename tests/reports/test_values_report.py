"""The value report PDF, built from a real store and read back with pypdf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from copdesk.data import communities, members, values
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.data.values import EntryData, StoryData
from copdesk.framework import VALUE_CYCLES, VALUE_KINDS
from copdesk.reports.errors import ReportError
from copdesk.reports.values_report import build_values_pdf
from tests.reports.fitness_value_sample import add_value_log
from tests.reports.pdfread import all_text, outline_entries, page_texts

TODAY = dt.date(2025, 7, 1)
MARKUP = "R&D <lead> & <b>not bold</b>"


def _build(store: Store, cid: int, out: Path, **kwargs: object) -> Path:
    with store.session() as session:
        return build_values_pdf(session, cid, out, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _member(store: Store, cid: int, name: str, consent: bool = True) -> int:
    data = MemberData(full_name=name, level="active", consent=consent)
    return store.run(members.add_member, cid, data, today=TODAY)


def _entry(store: Store, cid: int, kind: str, cycle: str, *, day: dt.date = dt.date(2025, 3, 1),
           title: str = "An entry", **kw: object) -> int:  # fmt: skip
    kw.setdefault("for_organisation", True)
    data = EntryData(entry_date=day, title=title, kind=kind, cycle=cycle, **kw)  # type: ignore[arg-type]
    return store.run(values.add_entry, cid, data, today=TODAY)


def _matrix_row(text: str, label: str) -> str:
    """The cells after a kind's label in the matrix (first occurrence, so the matrix)."""
    start = text.index("Value matrix")
    after = text[text.index(f" {label} ", start) + len(label) + 2:]
    return " ".join(after.split()[: len(VALUE_CYCLES) + 1])


def test_matrix_cells_and_totals_match_the_store(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    for _ in range(2):
        _entry(store, community_id, "personal_development", "immediate")
    _entry(store, community_id, "personal_development", "applied")
    for _ in range(3):
        _entry(store, community_id, "innovation", "realised")
    text = all_text(_build(store, community_id, tmp_path / "v.pdf"))
    assert _matrix_row(text, "Personal development") == "2 · 1 · · · · 3"
    assert _matrix_row(text, "Innovation") == "· · · 3 · · · 3"
    assert _matrix_row(text, "Reputation") == "· · · · · · · 0"
    assert "All entries 2 0 1 3 0 0 0 6" in text
    assert text.index("Value to members") < text.index("Personal development") \
        < text.index("Value to the organisation") < text.index("Innovation")  # fmt: skip


def test_matrix_of_a_year_of_value_matches_the_store(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    for i in range(12):
        _member(store, community_id, f"Member {i:02d}", consent=i % 3 != 0)
    store.run(add_value_log, community_id, TODAY)
    text = all_text(_build(store, community_id, tmp_path / "v.pdf"))
    with store.session() as session:
        rows = values.list_entries(session, community_id)
    m = values.matrix(rows)
    assert m.total == 40 + 10
    for kind in VALUE_KINDS:
        cells = [str(m.count(kind.key, c.key) or "·") for c in VALUE_CYCLES]
        assert _matrix_row(text, kind.label) == " ".join([*cells, str(m.kind_total(kind.key))])
    totals = " ".join(str(m.cycle_total(c.key)) for c in VALUE_CYCLES)
    assert f"All entries {totals} {m.total}" in text
    for unit, total in values.measures(rows).items():
        n = sum(1 for r in rows if r.measure_unit.casefold() == unit.casefold())
        assert f"{unit} {total:,.0f} {n}" in text


def test_measures_are_summed_by_unit_ignoring_capitals(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    _entry(store, community_id, "innovation", "realised", measure_value=12, measure_unit="hours saved")
    _entry(store, community_id, "innovation", "applied", measure_value=0.5,
           measure_unit="Hours saved")  # fmt: skip
    _entry(store, community_id, "new_strategies", "realised", measure_value=1250,
           measure_unit="EUR saved")  # fmt: skip
    text = all_text(_build(store, community_id, tmp_path / "v.pdf"))
    measures = text.split("Measures", 1)[1]
    assert "EUR saved 1,250 1" in measures
    assert "Hours saved 12.5 2" in measures or "hours saved 12.5 2" in measures
    assert measures.lower().count("hours saved") == 1


def test_only_consenting_members_are_named(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    amara = _member(store, community_id, "Amara Okafor")
    hidden = [_member(store, community_id, n, consent=False)
              for n in ("Zacharias Hidden", "Yolanda Private")]  # fmt: skip
    first = _entry(store, community_id, "personal_development", "immediate", title="Peer assist",
                   beneficiary_ids=(amara, *hidden), for_organisation=False)  # fmt: skip
    second = _entry(store, community_id, "personal_development", "applied", title="Applied it",
                    beneficiary_ids=(hidden[0],), day=dt.date(2025, 4, 1))  # fmt: skip
    store.run(values.create_story, community_id, StoryData("A thread"), [first, second])
    text = all_text(_build(store, community_id, tmp_path / "v.pdf"))
    assert "Hidden" not in text and "Yolanda" not in text
    assert ("Who benefited: Amara Okafor and 2 members who did not consent to be named · "
            "Kind: Personal development") in text  # fmt: skip
    assert ("Who benefited: 1 member who did not consent to be named; the host organisation"
            in text)  # fmt: skip
    assert "3 members benefited in the period, among them 2 members who did not consent" in text
    assert "Amara Okafor 1" in text  # the table of who benefited
    assert "and 2 members who did not consent to be named." in text


def test_stories_are_told_in_full_in_cycle_order_and_can_be_chosen(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    later = _entry(store, community_id, "innovation", "realised", title="Fewer breakdowns",
                   day=dt.date(2025, 5, 1), measure_value=120, measure_unit="hours saved",
                   description="The district fixed 14 pumps in a week.")  # fmt: skip
    earlier = _entry(store, community_id, "innovation", "immediate", title="Peer assist held",
                     day=dt.date(2025, 1, 10))  # fmt: skip
    pump = store.run(values.create_story, community_id,
                     StoryData("Pump network", "Fewer breakdowns", dt.date(2025, 6, 1)),
                     [later, earlier])  # fmt: skip
    other = store.run(values.create_story, community_id, StoryData("Tariffs"), [
        _entry(store, community_id, "new_strategies", "potential", title="Tariff model")])
    text = all_text(_build(store, community_id, tmp_path / "v.pdf"))
    story = text.split("Value-creation stories", 1)[1].split("Measures", 1)[0]
    assert "2 entries · Immediate → Realised · followed through to applied or realised value" \
        in text  # fmt: skip
    assert "Expected ending: Fewer breakdowns" in text
    assert story.index("Immediate value · 10 January 2025 · Peer assist held") \
        < story.index("Realised value · 1 May 2025 · Fewer breakdowns")  # fmt: skip
    assert "The district fixed 14 pumps in a week." in text
    assert "Measure: 120 hours saved" in text
    assert "Tariffs" in text
    chosen = all_text(_build(store, community_id, tmp_path / "w.pdf", story_ids=[other]))
    stories = chosen.split("Value-creation stories", 1)[1]
    assert "Tariffs" in stories and "Pump network" not in stories
    assert pump != other


def test_period_filters_entries_and_is_named_in_the_title(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    _entry(store, community_id, "innovation", "realised", title="Before", day=dt.date(2024, 12, 31))
    _entry(store, community_id, "innovation", "applied", title="Inside", day=dt.date(2025, 2, 1))
    _entry(store, community_id, "reputation", "potential", title="After", day=dt.date(2025, 4, 1))
    pdf = _build(store, community_id, tmp_path / "v.pdf", start=dt.date(2025, 1, 1),
                 end=dt.date(2025, 3, 31))  # fmt: skip
    pages = page_texts(pdf)
    text = " ".join(pages)
    assert "Period 1 January 2025 to 31 March 2025" in text
    assert "Inside" in text and "Before" not in text and "After" not in text
    assert "All entries 0 0 1 0 0 0 0 1" in text
    assert all("Value report: 2025-01-01 to 2025-03-31" in p for p in pages[1:])
    meta = PdfReader(pdf).metadata
    assert meta is not None and "1 January 2025 to 31 March 2025" in str(meta.subject)
    whole = all_text(_build(store, community_id, tmp_path / "all.pdf"))
    assert "Period All time (31 December 2024 to 1 April 2025)" in whole


def test_markup_and_100000_characters_print_as_typed(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    line = "R&D <lead> shared the <b>tariff</b> sheet. "
    description = (line * 2000)[: values.MAX_DESCRIPTION]
    evidence = ("Evidence & more " * 4000)[: values.MAX_DESCRIPTION]
    big = _entry(store, community_id, "innovation", "applied", title=MARKUP,
                 description=description, evidence=evidence, measure_value=3,
                 measure_unit="<units> & co")  # fmt: skip
    assert len(description) + len(evidence) == 100_000
    store.run(values.create_story, community_id, StoryData(MARKUP, MARKUP), [big])
    pdf = _build(store, community_id, tmp_path / "v.pdf")
    text = all_text(pdf)
    assert len(PdfReader(pdf).pages) > 10
    assert text.count("R&D <lead> shared the <b>tariff</b> sheet.") >= 1100
    assert f"Expected ending: {MARKUP}" in text
    assert "<units> & co 3 1" in text


def test_outline_has_an_entry_per_section_and_story(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    a = _entry(store, community_id, "innovation", "immediate")
    store.run(values.create_story, community_id, StoryData("Pump network"), [a])
    titles = [(d, t) for d, t, _ in outline_entries(_build(store, community_id, tmp_path / "v.pdf"))]
    assert titles == [
        (0, "Water CoP"), (0, "Value matrix"), (0, "Highlights by kind of value"),
        (0, "Value-creation stories"), (1, "Pump network"), (0, "Measures"),
        (0, "Value per CoP function"), (0, "Who benefited"),
    ]  # fmt: skip


def test_an_empty_log_still_gives_a_clean_report(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "v.pdf"))
    assert "All entries 0 0 0 0 0 0 0 0" in text
    assert "No value-creation stories were recorded for this period." in text
    assert "No entry in this period carries a measure." in text


def test_invariant_builds_are_byte_identical(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    for i in range(6):
        _member(store, community_id, f"Member {i}", consent=i % 2 == 0)
    store.run(add_value_log, community_id, TODAY, count=12)
    first = _build(store, community_id, tmp_path / "a.pdf", invariant=True)
    second = _build(store, community_id, tmp_path / "b.pdf", invariant=True)
    assert first.read_bytes() == second.read_bytes()


def test_bad_requests_are_report_errors_and_leave_no_file(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "v.pdf"
    with pytest.raises(ReportError, match=r"the period starts \(2025-04-01\) after it ends"):
        _build(store, community_id, out, start=dt.date(2025, 4, 1), end=dt.date(2025, 3, 1))
    assert not out.exists()
    other = store.run(communities.create_community, "Other CoP")
    foreign = store.run(values.create_story, other, StoryData("Not ours"), [])
    out.write_bytes(b"%PDF-earlier")
    with pytest.raises(ReportError, match=f"no story with id {foreign} in Water CoP"):
        _build(store, community_id, out, story_ids=[foreign])
    assert out.read_bytes() == b"%PDF-earlier"
    with pytest.raises(ReportError, match="no community with id 999"):
        _build(store, 999, tmp_path / "x.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite", "v.pdf"] or all(
        not p.name.endswith(".part") for p in tmp_path.iterdir()
    )
