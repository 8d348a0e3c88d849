"""The community overview PDF, built from the demo community and read back with pypdf."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image as PILImage
from pypdf import PdfReader
from sqlalchemy import event

from copdesk.data import communities, coverage_queries, demo, fitness, members, sessions, values
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.data.values import EntryData
from copdesk.framework import level_label
from copdesk.reports.errors import ReportError
from copdesk.reports.overview import (
    SECTION_TITLES,
    SECTIONS,
    ReportCancelled,
    build_overview_pdf,
    default_period,
    overview_coverage,
    read_overview,
)
from tests.reports.fitness_value_sample import add_quarterly_assessments, add_value_log
from tests.reports.pdfread import all_text, outline_entries, page_texts

TODAY = dt.date(2026, 6, 30)
MARKUP = "R&D <lead> & <b>not bold</b>"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, int]]:
    """The demo community with a year of sessions, value log and fitness assessments."""
    store = Store.open(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    cid = store.run(demo.create_demo, today=TODAY)
    with store.session() as s:
        has_values = bool(values.list_entries(s, cid))
        has_fitness = bool(fitness.list_assessments(s, cid))
    if not has_values:
        store.run(add_value_log, cid, TODAY)
    if not has_fitness:
        store.run(add_quarterly_assessments, cid, TODAY)
    yield store, cid
    store.close()


@pytest.fixture(scope="module")
def demo_pdf(demo_store: tuple[Store, int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    store, cid = demo_store
    out = tmp_path_factory.mktemp("pdf") / "overview.pdf"
    with store.session() as s:
        return build_overview_pdf(s, cid, out, today=TODAY, invariant=True)


def _build(store: Store, cid: int, out: Path, **kwargs: object) -> Path:
    with store.session() as s:
        return build_overview_pdf(s, cid, out, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _held_in(store: Store, cid: int, start: dt.date, end: dt.date) -> list[sessions.SessionRow]:
    with store.session() as s:
        return [r for r in sessions.list_sessions(s, cid)
                if r.status == "held" and start <= r.starts_at.date() <= end]  # fmt: skip


def _rate(store: Store, held: list[sessions.SessionRow]) -> tuple[int, int]:
    """(attended, invited) counted from every session's own attendance list."""
    attended = invited = 0
    with store.session() as s:
        for r in held:
            rows = sessions.list_attendance(s, r.id)
            invited += len(rows)
            attended += sum(1 for a in rows if a.status == "attended")
    return attended, invited


# --- figures against the store -----------------------------------------------------------------
def test_default_period_is_the_last_twelve_months() -> None:
    p = default_period(TODAY)
    assert (p.start, p.end) == (dt.date(2025, 7, 1), TODAY)
    assert p.days == 365 and p.noun() == "year"
    assert (p.before().start, p.before().end) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    leap = default_period(dt.date(2024, 2, 29))
    assert leap.start == dt.date(2023, 3, 1)
    with pytest.raises(ReportError, match=r"starts .* after it ends"):
        default_period(TODAY, dt.date(2026, 7, 1), dt.date(2026, 6, 1))


def test_summary_figures_match_the_store(demo_store: tuple[Store, int], demo_pdf: Path) -> None:
    store, cid = demo_store
    start = dt.date(2025, 7, 1)
    held = _held_in(store, cid, start, TODAY)
    attended, invited = _rate(store, held)
    with store.session() as s:
        reach = members.reach(s, cid)
        entries = values.list_entries(s, cid, start=start, end=TODAY)
        latest = fitness.list_assessments(s, cid)[0]
    pages = page_texts(demo_pdf)
    summary = next(p for p in pages if "Summary" in p and "sessions held" in p)
    rate = round(100 * attended / invited)
    assert latest.overall is not None
    assert f"{reach.total} {len(held)} {rate}% {len(entries)} {round(latest.overall * 100)}%" \
        in summary  # fmt: skip
    assert f"held {len(held)} sessions with {rate}% of those invited attending" in summary
    assert f"logged {len(entries)} value entries" in summary
    # members by level: the roster's own counts, level by level
    for key, n in reach.by_level.items():
        assert re.search(rf"{re.escape(level_label(key))} \d+ {n} ", summary), key
    # value entries by cycle
    for cycle in ("Immediate", "Realised"):
        key = cycle.lower()
        n = sum(1 for e in entries if e.cycle == key)
        assert re.search(rf"{cycle} \d+ {n}\b", summary), cycle


def test_changes_against_the_period_before(demo_store: tuple[Store, int], tmp_path: Path) -> None:
    store, cid = demo_store
    start = dt.date(2026, 1, 1)
    before = (dt.date(2025, 7, 4), dt.date(2025, 12, 31))  # the same 181 days, just before
    now_held = _held_in(store, cid, start, TODAY)
    prev_held = _held_in(store, cid, *before)
    assert now_held and prev_held
    now_rate, prev_rate = _rate(store, now_held), _rate(store, prev_held)
    with store.session() as s:
        now_entries = values.list_entries(s, cid, start=start, end=TODAY)
        prev_entries = values.list_entries(s, cid, start=before[0], end=before[1])
        data = read_overview(s, cid, start=start, end=TODAY, today=TODAY)
    assert (data.previous.start, data.previous.end) == before
    assert (data.now.held, data.before.held) == (len(now_held), len(prev_held))
    assert (data.now.attended, data.now.invited) == now_rate
    assert (data.before.attended, data.before.invited) == prev_rate
    assert (len(data.entries), len(data.previous_entries)) == (len(now_entries),
                                                              len(prev_entries))  # fmt: skip
    text = page_texts(_build(store, cid, tmp_path / "o.pdf", start=start, end=TODAY))[1]

    def change(now: float, prev: float, unit: str = "") -> str:
        d = round(now - prev)
        return "no change" if d == 0 else f"{'+' if d > 0 else '−'}{abs(d)}{unit}"

    rates = [round(100 * a / i) for a, i in (now_rate, prev_rate)]
    expected = [change(len(now_held), len(prev_held)), change(rates[0], rates[1], " pts"),
                change(len(now_entries), len(prev_entries))]  # fmt: skip
    found = re.findall(r"(no change|[+−]\d+(?: pts)?) vs the period before", text)
    assert found[1:4] == expected
    assert "fitness test" in text and "since" in text


def test_matrix_cells_and_measures_match_the_store(
    demo_store: tuple[Store, int], demo_pdf: Path
) -> None:
    store, cid = demo_store
    with store.session() as s:
        entries = values.list_entries(s, cid, start=dt.date(2025, 7, 1), end=TODAY)
        sums = values.measures(entries)
    text = all_text(demo_pdf)
    matrix = text[text.index("Value matrix"):text.index("Strongest value-creation stories")]
    cycles = ("immediate", "potential", "applied", "realised", "reframing", "enabling",
              "strategic")  # fmt: skip
    for label, kind in (("Personal development", "personal_development"),
                        ("Innovation", "innovation")):  # fmt: skip
        counts = [sum(1 for e in entries if e.kind == kind and e.cycle == c) for c in cycles]
        cells = " ".join(str(n) if n else "·" for n in counts)
        assert f"{label} {cells} {sum(counts)} 0" in matrix  # no entries the year before
    assert f"All entries {' '.join(str(sum(1 for e in entries if e.cycle == c)) for c in cycles)}" \
        f" {len(entries)}" in matrix  # fmt: skip
    measures = text[text.index("Measures"):]
    for unit, total in sums.items():
        assert f"{unit} {total:,.0f}" in measures


def test_health_fitness_and_next_match_the_store(
    demo_store: tuple[Store, int], demo_pdf: Path
) -> None:
    store, cid = demo_store
    with store.session() as s:
        latest = fitness.get_assessment(s, fitness.list_assessments(s, cid)[0].id)
        actions = fitness.open_actions(s, cid)
        open_session_actions = sessions.list_actions(s, cid, open_only=True, today=TODAY)
        coverage = coverage_queries.function_coverage(s, cid, dt.date(2025, 7, 1), TODAY)
    text = all_text(demo_pdf)
    health = text[text.index("Participation pyramid"):text.index("Latest scores")]
    assert latest.overall is not None
    for d in latest.dimensions:
        assert d.share is not None
        assert f"{d.label} {round(d.share * 100)}%" in text
    assert f"Overall {round(latest.overall * 100)}%" in text
    for a in actions:
        assert a.action[:40] in " ".join(text.split())
    assert f"{len(open_session_actions)} follow-up actions" in text
    hours = f"{round(sum(coverage.minutes.values()) / 60 + coverage.untagged_minutes / 60, 1)}"
    assert f"({hours.rstrip('0').rstrip('.')} hours)" in health
    assert "Attendance over time" in health and "Inside and outside voices" in health


def test_outline_has_one_bookmark_per_section(demo_pdf: Path) -> None:
    top = [title for depth, title, _ in outline_entries(demo_pdf) if depth == 0]
    assert top == [demo.DEMO_NAME, *[SECTION_TITLES[s] for s in SECTIONS]]
    pages = [page for depth, _, page in outline_entries(demo_pdf) if depth == 0]
    assert pages == sorted(pages) and pages[1] == 1  # the summary on its own page


def test_sections_leave_out_the_others(demo_store: tuple[Store, int], tmp_path: Path) -> None:
    store, cid = demo_store
    out = _build(store, cid, tmp_path / "o.pdf", sections=["fitness", "impact"], invariant=True)
    top = [title for depth, title, _ in outline_entries(out) if depth == 0]
    assert top == [demo.DEMO_NAME, "Impact", "Fitness"]
    text = all_text(out)
    for missing in ("Participation pyramid", "Strengths", "Upcoming sessions",
                    "Appendix: directory", "Highlights"):  # fmt: skip
        assert missing not in text
    assert len(PdfReader(out).pages) < 8
    with pytest.raises(ReportError, match="unknown section 'budget'"):
        _build(store, cid, tmp_path / "x.pdf", sections=["impact", "budget"])
    assert not (tmp_path / "x.pdf").exists()


def test_cancel_leaves_no_file_and_keeps_an_earlier_one(
    demo_store: tuple[Store, int], tmp_path: Path
) -> None:
    store, cid = demo_store
    out = tmp_path / "o.pdf"
    out.write_bytes(b"%PDF-1.4 earlier report")
    for after in (3, 40):  # while reading the store, then while laying out pages
        asked = 0

        def cancelled(after: int = after) -> bool:
            nonlocal asked
            asked += 1
            return asked > after

        with pytest.raises(ReportCancelled):
            _build(store, cid, out, cancelled=cancelled)
        assert out.read_bytes() == b"%PDF-1.4 earlier report"
        assert [p.name for p in tmp_path.iterdir()] == ["o.pdf"]  # no temp file left


def test_progress_rises_to_one(demo_store: tuple[Store, int], tmp_path: Path) -> None:
    store, cid = demo_store
    seen: list[float] = []
    _build(store, cid, tmp_path / "o.pdf", progress=seen.append, cancelled=lambda: False)
    assert seen[-1] == 1.0
    assert seen == sorted(seen) and all(0 <= v <= 1 for v in seen)
    assert len(seen) > 15  # it moves during the layout too, not only at the end


def test_invariant_output_is_byte_identical(
    demo_store: tuple[Store, int], demo_pdf: Path, tmp_path: Path
) -> None:
    store, cid = demo_store
    again = _build(store, cid, tmp_path / "again.pdf", invariant=True)
    assert again.read_bytes() == demo_pdf.read_bytes()
    meta = PdfReader(again).metadata
    assert meta is not None and meta.title == (
        f"Community overview: 2025-07-01 to 2026-06-30: {demo.DEMO_NAME}")


def test_consent_is_respected(demo_store: tuple[Store, int], demo_pdf: Path) -> None:
    store, cid = demo_store
    with store.session() as s:
        roster = members.list_members(s, cid)
    hidden = [m for m in roster if not m.consent]
    shown = [m for m in roster if m.consent and m.status == "active"]
    assert hidden
    text = all_text(demo_pdf)
    for m in hidden:
        assert m.full_name not in text
    directory = text[text.index("Appendix: directory of members"):]
    for m in shown:
        assert m.full_name in directory
    active_hidden = sum(1 for m in hidden if m.status == "active")
    assert f"{active_hidden} members did not consent to be named" in text


def test_user_text_prints_literally(store: Store, community_id: int, tmp_path: Path) -> None:
    store.run(communities.update_community, community_id, name=MARKUP, domain=f"{MARKUP}\n\nok",
              host_organisation=MARKUP, stage="coalescing")  # fmt: skip
    mid = store.run(members.add_member, community_id, MemberData(
        full_name=MARKUP, level="core", consent=True, expertise=(MARKUP,), roles=("coordinator",),
        joined_on=dt.date(2025, 1, 1)))  # fmt: skip
    store.run(values.add_entry, community_id, EntryData(
        entry_date=dt.date(2026, 5, 1), title=MARKUP, kind="innovation", cycle="realised",
        for_organisation=True, measure_value=3, measure_unit=MARKUP), today=TODAY)  # fmt: skip
    out = _build(store, community_id, tmp_path / "o.pdf")
    text = all_text(out)
    assert text.count(MARKUP) >= 6  # title, domain, host, prepared by, entry, unit, directory...
    assert f"{MARKUP}, coordinator" in text
    assert mid


def test_an_empty_community_still_reads_well(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "o.pdf"))
    for sentence in ("No value was logged in this period", "No session was held in this period",
                     "No fitness assessment has been made yet", "No session is planned",
                     "No expertise or interests have been recorded yet",
                     "No member can be named in this report"):  # fmt: skip
        assert sentence in text


def test_logo(demo_store: tuple[Store, int], tmp_path: Path) -> None:
    store, cid = demo_store
    logo = tmp_path / "logo.png"
    PILImage.new("RGB", (400, 120), (0, 114, 178)).save(logo)
    out = _build(store, cid, tmp_path / "o.pdf", logo=logo, sections=["summary"])
    resources: object = PdfReader(out).pages[0]["/Resources"]
    assert "/XObject" in str(resources)
    svg = tmp_path / "logo.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>")
    with pytest.raises(ReportError, match="PNG or JPEG"):
        _build(store, cid, tmp_path / "s.pdf", logo=svg)
    with pytest.raises(ReportError, match="cannot be read"):
        bad = tmp_path / "bad.png"
        bad.write_text("not an image")
        _build(store, cid, tmp_path / "b.pdf", logo=bad)
    assert not (tmp_path / "s.pdf").exists() and not (tmp_path / "b.pdf").exists()


def test_errors_leave_nothing(demo_store: tuple[Store, int], tmp_path: Path) -> None:
    store, cid = demo_store
    with pytest.raises(ReportError, match="does not exist"):
        _build(store, cid, tmp_path / "missing" / "o.pdf")
    with pytest.raises(ReportError, match="after it ends"):
        _build(store, cid, tmp_path / "o.pdf", start=TODAY, end=dt.date(2026, 1, 1))
    with pytest.raises(ReportError):
        _build(store, 9999, tmp_path / "o.pdf")
    assert list(tmp_path.iterdir()) == []


def test_coverage_names_characters_that_would_print_as_boxes(
    store: Store, community_id: int
) -> None:
    store.run(members.add_member, community_id, MemberData(
        full_name="王小明", level="core", consent=True, joined_on=dt.date(2025, 1, 1)))  # fmt: skip
    with store.session() as s:
        cov = overview_coverage(s, community_id, today=TODAY)
        without = overview_coverage(s, community_id, today=TODAY, sections=["summary"])
    assert not cov.ok and "王" in cov.missing and "U+738B" in cov.message()
    assert without.ok  # the name only prints in the directory


def test_reading_is_set_based(store: Store, community_id: int) -> None:
    """Reading the overview runs as many queries for 50 members and 24 sessions as for 4."""

    def statements() -> int:
        count = 0

        def seen(*_: object) -> None:
            nonlocal count
            count += 1

        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            with store.session() as s:
                read_overview(s, community_id, today=TODAY)
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        return count

    def grow(n_members: int, n_sessions: int, tag: str) -> None:
        ids = [store.run(members.add_member, community_id, MemberData(
            full_name=f"Member {tag}{i}", level=("core", "active", "occasional")[i % 3],
            consent=True, joined_on=dt.date(2024, 1, 1), expertise=(f"topic {i % 5}",),
            roles=("coordinator",) if i == 0 else ("member",))) for i in range(n_members)]
        for k in range(n_sessions):
            day = TODAY - dt.timedelta(days=10 + 14 * k)
            sid = store.run(sessions.create_session, community_id, sessions.SessionData(
                title=f"Call {tag}{k}", status="held",
                starts_at=dt.datetime.combine(day, dt.time(14))))
            store.run(sessions.invite, sid, ids)
            for mid in ids[::2]:
                store.run(sessions.set_attendance, sid, mid, status="attended")
            store.run(sessions.add_action, sid, sessions.ActionData(
                title=f"Follow up {tag}{k}", owner_id=ids[0]))  # fmt: skip

    grow(4, 4, "a")
    store.run(add_value_log, community_id, TODAY, count=12)
    store.run(add_quarterly_assessments, community_id, TODAY)
    small = statements()
    grow(46, 20, "b")
    assert statements() == small
