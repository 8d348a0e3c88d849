"""The run sheet and session summary PDFs, built from a real store and read back with pypdf."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader

from copdesk.data import members, sessions
from copdesk.data.sessions import ActionData, BlockData, SessionData
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.framework import FUNCTION_BY_KEY
from copdesk.reports import session_reports
from copdesk.reports.errors import ReportError
from copdesk.reports.session_reports import NotesLines, build_session_pdf
from copdesk.reports.style import MARGIN_LEFT, MARGIN_RIGHT, PAGE_SIZE
from tests.reports.pdfread import all_text, fonts, outline_entries, page_texts
from tests.reports.sample import MARKUP_ORG
from tests.reports.session_sample import add_attendance, add_outcomes_and_actions, add_session

TODAY = dt.date(2025, 7, 1)
START = dt.datetime(2025, 6, 17, 14, 0)
GREEK = "Αλεξάνδρα Παπαδοπούλου"
CYRILLIC = "Дмитрий Иванов"
HIDDEN = ("Zacharias Hidden", "Yolanda Private", "Xaver Unnamed")  # no consent
TEXT_WIDTH = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT


def _member(store: Store, cid: int, name: str, *, consent: bool = True) -> int:
    data = MemberData(full_name=name, level="active", consent=consent)
    return store.run(members.add_member, cid, data, today=TODAY)


@pytest.fixture
def people(store: Store, community_id: int) -> dict[str, int]:
    names = [GREEK, CYRILLIC, "Amara Okafor", "Jiří Dvořák", "Siobhán O'Connell"]
    ids = {n: _member(store, community_id, n) for n in names}
    ids |= {n: _member(store, community_id, n, consent=False) for n in HIDDEN}
    return ids


def _session(
    store: Store,
    cid: int,
    blocks: Sequence[BlockData],
    *,
    planned: int = 60,
    facilitators: tuple[int, ...] = (),
    title: str = "Peer-assist clinic",
    time_zone: str = "Europe/Berlin",
    status: str = "held",
) -> int:
    data = SessionData(
        title=title,
        starts_at=START,
        time_zone=time_zone,
        planned_minutes=planned,
        purpose="Help one member with a live challenge",
        mode="in_person",
        location="Room 4.12, Main Street 3",
        space="private",
        status=status,
        facilitator_ids=facilitators,
    )
    return store.run(sessions.create_session, cid, data, list(blocks))


def _build(store: Store, sid: int, out: Path, **kwargs: object) -> Path:
    with store.session() as session:
        return build_session_pdf(session, sid, out, today=TODAY, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def clinic(store: Store, community_id: int, people: dict[str, int]) -> int:
    """Three blocks (10, 25, 30 min) in a 60-minute slot: 5 minutes over."""
    return _session(
        store,
        community_id,
        [
            BlockData(
                "Welcome and check-in",
                10,
                "convenes_people",
                "check_in",
                people[GREEK],
                "Name cards",
            ),
            BlockData(
                "The challenge", 25, "problem_solves", "peer_assist", None, "Flip chart, markers"
            ),
            BlockData(
                "What I will try", 30, "experience_sharing", "My own format", people[CYRILLIC]
            ),
        ],
        facilitators=(people[GREEK], people[HIDDEN[0]]),
    )


# --- the run sheet -----------------------------------------------------------------------
def test_run_sheet_prints_clock_times_computed_from_the_start(
    store: Store, clinic: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, clinic, tmp_path / "run.pdf"))
    # each block starts when the one before ends: 14:00, 14:10, 14:35, ending 15:05
    starts = [m.start() for m in re.finditer(r"\b(14:00|14:10|14:35)\b", text)]
    assert len(starts) >= 3
    order = [text.index(t, text.index("Block and materials")) for t in ("14:00", "14:35")]
    assert order == sorted(order)
    for clock in ("–14:10", "–14:35", "–15:05"):
        assert clock in text
    for length in ("10 min", "25 min", "30 min"):
        assert length in text
    # the session's own slot, with its time zone
    assert "14:00–15:00 (CEST, Europe/Berlin)" in text
    assert "Tuesday 17 June 2025" in text


def test_run_sheet_names_functions_methods_owners_and_materials(
    store: Store, clinic: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, clinic, tmp_path / "run.pdf"))
    for key in ("convenes_people", "problem_solves", "experience_sharing"):
        assert FUNCTION_BY_KEY[key].label in text
    assert FUNCTION_BY_KEY["experience_sharing"].help in text  # the guiding question
    assert "Check-in" in text and "Peer assist" in text  # framework labels, not keys
    assert "My own format" in text  # the user's own method, as typed
    assert "peer_assist" not in text and "check_in" not in text
    assert GREEK in text and CYRILLIC in text
    assert "Name cards" in text and "Flip chart, markers" in text
    agenda = text[text.index("Block and materials") :]
    assert "—" in agenda  # the block without an owner
    # the run sheet is an internal paper: facilitators are named (even without consent)
    assert HIDDEN[0] in text
    assert "Room 4.12, Main Street 3" in text and "In person" in text
    assert "Private: core group or invited only" in text


def test_overrun_is_marked_clearly(store: Store, clinic: int, tmp_path: Path) -> None:
    text = all_text(_build(store, clinic, tmp_path / "run.pdf"))
    assert "1 h 05 min: 5 min over the planned 1 h" in text  # beside the agenda heading
    assert "Over time: Agenda 1 h 05 min is 5 min over the planned 1 h" in text
    assert "ends at 15:05, 5 min after the planned end at 15:00" in text
    assert text.count("over time") == 1  # only the last block runs past 15:00


def test_an_agenda_within_its_slot_shows_the_spare_time(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    sid = _session(store, community_id, [BlockData("Talk", 40), BlockData("Questions", 10)])
    text = all_text(_build(store, sid, tmp_path / "run.pdf"))
    assert "Over time" not in text and "over time" not in text
    assert "Agenda 50 min of 1 h planned (10 min spare)" in text
    assert "The agenda ends at 14:50; the slot ends at 15:00" in text


def test_a_deleted_owner_prints_as_a_dash(
    store: Store, community_id: int, people: dict[str, int], tmp_path: Path
) -> None:
    owner = _member(store, community_id, "Owen Gone")
    sid = _session(store, community_id, [BlockData("Demo", 20, owner_id=owner)])
    assert "Owen Gone" in all_text(_build(store, sid, tmp_path / "before.pdf"))
    store.run(members.delete_member, owner)
    text = all_text(_build(store, sid, tmp_path / "after.pdf"))
    assert "Owen Gone" not in text
    assert "Demo" in text and "—" in text[text.index("Demo") :]


def test_run_sheet_has_ruled_space_for_notes(store: Store, clinic: int, tmp_path: Path) -> None:
    pdf = _build(store, clinic, tmp_path / "run.pdf", invariant=True)
    titles = [title for _, title, _ in outline_entries(pdf)]
    assert titles[-1] == "Notes"
    last = PdfReader(pdf).pages[-1]
    stream = last.get_contents()
    assert stream is not None
    data = stream.get_data()
    # full-width horizontal rules: "n 0 y m W y l S" with W the text width
    rules = [
        m for m in re.finditer(rb"n 0 ([\d.]+) m ([\d.]+) \1 l S", data)
        if abs(float(m.group(2)) - TEXT_WIDTH) < 1
    ]  # fmt: skip
    assert len(rules) >= NotesLines().min_lines


def test_notes_lines_fill_the_space_left_but_never_less_than_the_minimum() -> None:
    lines = NotesLines(spacing=10, min_lines=5, max_lines=30)
    assert lines.wrap(400, 200) == (400, 200)  # 20 lines fill 200 points
    assert lines.lines == 20
    assert lines.wrap(400, 20)[1] == 50  # too little room: the minimum (frame moves on)
    assert lines.wrap(400, 1000)[1] == 300  # never more than max_lines


def test_a_long_agenda_repeats_its_header_row_on_every_page(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    blocks = [BlockData(f"Block number {i}", 5, "problem_solves", "open_discussion")
              for i in range(60)]  # fmt: skip
    sid = _session(store, community_id, blocks, planned=300)
    texts = page_texts(_build(store, sid, tmp_path / "run.pdf"))
    with_blocks = [t for t in texts if "Block number" in t]
    assert len(with_blocks) >= 3
    for text in with_blocks:
        assert "Time Block and materials CoP function Method Owner" in text
    assert "Block number 59" in texts[-1] or "Block number 59" in texts[-2]
    assert "19:00" in " ".join(texts)  # 60 blocks of 5 minutes from 14:00


def test_an_empty_session_still_builds(store: Store, community_id: int, tmp_path: Path) -> None:
    sid = _session(store, community_id, [], status="planned")
    run = all_text(_build(store, sid, tmp_path / "run.pdf"))
    assert "No agenda blocks have been planned yet" in run and "Notes" in run
    summary = all_text(_build(store, sid, tmp_path / "summary.pdf", kind="summary"))
    assert "No attendance has been recorded" in summary
    assert "still marked as planned" in summary
    assert "No follow-up actions were recorded" in summary


def test_a_cancelled_session_says_so(store: Store, community_id: int, tmp_path: Path) -> None:
    sid = _session(
        store, community_id, [BlockData("Talk", 30, "amplifies_information")], status="cancelled"
    )
    assert "This session was cancelled." in all_text(_build(store, sid, tmp_path / "r.pdf"))
    summary = all_text(_build(store, sid, tmp_path / "s.pdf", kind="summary"))
    assert "This session was cancelled." in summary
    assert "The agenda as planned" in summary and "as held" not in summary
    assert "was planned to serve 1 of the twelve CoP functions: Amplifies information" in summary


def test_time_zone_names_read_as_places(store: Store, community_id: int, tmp_path: Path) -> None:
    sid = _session(store, community_id, [BlockData("Talk", 30)], time_zone="Africa/Dar_es_Salaam")
    assert "14:00–15:00 (EAT, Africa/Dar es Salaam)" in all_text(
        _build(store, sid, tmp_path / "r.pdf")
    )


# --- the session summary -----------------------------------------------------------------
@pytest.fixture
def held(store: Store, community_id: int, people: dict[str, int]) -> int:
    """A held session: 5 consenting and 3 non-consenting members on the list.

    Facilitators GREEK and HIDDEN[0]; presenters CYRILLIC and Amara; attended: those two
    pairs and HIDDEN[1]; apologies from Jiří and HIDDEN[2]; Siobhán absent.
    """
    order = [GREEK, CYRILLIC, "Amara Okafor", "Jiří Dvořák", HIDDEN[0], "Siobhán O'Connell",
             HIDDEN[1], HIDDEN[2]]  # fmt: skip
    ids = [people[n] for n in order]
    sid = store.run(add_session, community_id, ids)
    statuses = ["attended", "attended", "attended", "apologised", "attended", "absent",
                "attended", "apologised"]  # fmt: skip
    store.run(add_attendance, sid, ids, statuses)
    # actions owned by CYRILLIC (overdue), Amara, GREEK (done), nobody, Jiří (overdue)
    store.run(add_outcomes_and_actions, sid, ids)
    store.run(sessions.add_action, sid, ActionData("Secret follow-up", ids[6], TODAY))
    return sid


def test_summary_names_consenting_attendees_with_their_role_and_counts_the_others(
    store: Store, held: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, held, tmp_path / "summary.pdf", kind="summary"))
    for name in HIDDEN:
        assert name not in text
    assert f"Facilitator {GREEK}" in text  # their role in the session
    assert f"Presenters Amara Okafor, {CYRILLIC}" in text
    assert "2 more attended who did not consent to be named" in text
    assert "Apologies Jiří Dvořák and 1 more not named" in text
    assert "1 invited member did not attend" in text
    assert "Siobhán" not in text  # absent: counted, not named
    # counts by status
    assert "5 2 1 attended apologised absent" in text  # the tiles: figures, then labels


def test_summary_prints_outcomes_decisions_and_resources(
    store: Store, held: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, held, tmp_path / "summary.pdf", kind="summary"))
    assert "three concrete options for dosing" in text
    assert "closes a gap noted in March" in text
    assert "Adopt the village water safety plan template as a draft for field testing" in text
    assert "R&D <lead> group joins the September session as guests" in text  # literally
    assert "Dosing decision tree (draft), shared drive" in text
    assert "&amp;" not in text and "&lt;" not in text


def test_summary_lists_actions_with_overdue_ones_marked(
    store: Store, held: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, held, tmp_path / "summary.pdf", kind="summary"))
    section = text[text.index("Follow-up actions") : text.index("The agenda as held")]
    assert "6 actions, 5 open, 2 overdue (as of 1 July 2025)" in section
    # due 24 June, open, owned by CYRILLIC: 7 days overdue on 1 July
    assert re.search(rf"Trial the jar test with two operators {CYRILLIC} 24 June 2025 "
                     r"Overdue 7 days", section)  # fmt: skip
    assert "Draft the safety plan template v2" in section and "Overdue 4 days" in section
    assert "Book the room for September" in section and "Done" in section
    assert "Circulate the dosing decision tree" in section and "15 July 2025 Open" in section
    assert "Ask the utility for turbidity data — — Open" in section
    # due today is not overdue; the owner did not consent, so is not named
    assert "Secret follow-up a member (not named) 1 July 2025 Open" in section
    assert section.count("Overdue") == 2


def test_summary_shows_the_agenda_in_brief_and_no_unconsented_names(
    store: Store, held: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, held, tmp_path / "summary.pdf", kind="summary"))
    brief = text[text.index("The agenda as held") :]
    assert "14:00–14:10 Welcome, check-in and today's goals Convenes people Check-in 10" in brief
    assert "16:00–16:10" in brief
    assert "served 7 of the twelve CoP functions" in brief
    assert "Agenda 2 h 10 min is 10 min over the planned 2 h" in brief
    # the facilitator without consent is counted, not named, in the header
    assert f"{GREEK} and 1 not named" in text


def test_summary_coverage_texts_leave_out_unconsented_names(store: Store, held: int) -> None:
    with store.session() as session:
        data = session_reports.read_session_report(session, held, today=TODAY)
        coverage = session_reports.session_report_coverage(session, held, "summary")
    summary = session_reports.session_report_texts(data, "summary")
    assert GREEK in summary and not any(n in summary for n in HIDDEN)
    assert HIDDEN[0] in session_reports.session_report_texts(data, "runsheet")  # facilitator
    assert coverage.ok


# --- both reports ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["runsheet", "summary"])
def test_invariant_builds_are_byte_identical(
    store: Store, held: int, tmp_path: Path, kind: str
) -> None:
    first = _build(store, held, tmp_path / "a.pdf", kind=kind, invariant=True)
    second = _build(store, held, tmp_path / "b.pdf", kind=kind, invariant=True)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("kind", "title", "sections"),
    [
        ("runsheet", "Run sheet", ["Agenda", "Notes"]),
        ("summary", "Session summary", ["Attendance", "Outcomes", "Decisions",
                                        "Resources created", "Follow-up actions",
                                        "The agenda as held"]),
    ],
)  # fmt: skip
def test_metadata_header_footer_outline_and_fonts(
    store: Store, held: int, tmp_path: Path, kind: str, title: str, sections: list[str]
) -> None:
    pdf = _build(store, held, tmp_path / f"{kind}.pdf", kind=kind)
    meta = PdfReader(pdf).metadata
    assert meta is not None
    assert meta.title == f"{title}: Monthly clinic: safe water in the rainy season: Water CoP"
    assert meta.author == "copdesk"
    assert meta.subject and "Community of Practice session" in meta.subject
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {len(texts)}" in text
        assert "Prepared with copdesk on 2025-07-01" in text
        if i > 1:
            assert text.startswith(f"Water CoP {title}: Monthly clinic")
    entries = outline_entries(pdf)
    titles = [t for _, t, _ in entries]
    assert titles[0] == "Monthly clinic: safe water in the rainy season"
    assert titles[1:] == sections
    for font in fonts(pdf):
        assert "DejaVuSans" in str(font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


@pytest.mark.parametrize("kind", ["runsheet", "summary"])
def test_markup_and_scripts_print_as_typed(
    store: Store, community_id: int, people: dict[str, int], tmp_path: Path, kind: str
) -> None:
    sid = _session(
        store, community_id,
        [BlockData(f"{MARKUP_ORG} update <b>not bold</b>", 15, "discuss_developments",
                   materials="Slides & <notes>", owner_id=people[GREEK])],
        title=f"Session {MARKUP_ORG}", facilitators=(people[CYRILLIC],),
    )  # fmt: skip
    store.run(sessions.set_attendance, sid, people[GREEK], status="attended")
    text = all_text(_build(store, sid, tmp_path / "x.pdf", kind=kind))
    assert f"Session {MARKUP_ORG}" in text
    assert f"{MARKUP_ORG} update <b>not bold</b>" in text
    assert "&amp;" not in text and "&lt;" not in text
    assert GREEK in text and CYRILLIC in text
    if kind == "runsheet":
        assert "Slides & <notes>" in text


@pytest.mark.parametrize("kind", ["pdf", "", "Summary", "run sheet"])
def test_an_unknown_kind_is_refused_and_leaves_no_file(
    store: Store, clinic: int, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "out.pdf"
    with pytest.raises(ReportError) as err:
        _build(store, clinic, out, kind=kind)
    assert '"runsheet", "summary"' in str(err.value)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_unknown_session_is_refused_and_leaves_an_earlier_file_untouched(
    store: Store, clinic: int, tmp_path: Path
) -> None:
    out = tmp_path / "out.pdf"
    with pytest.raises(ReportError, match=r"^no session with id 999$"):
        _build(store, 999, out)
    assert not out.exists()
    out.write_bytes(b"%PDF- an earlier report")
    with pytest.raises(ReportError, match="no session with id 999"):
        _build(store, 999, out, kind="summary")
    assert out.read_bytes() == b"%PDF- an earlier report"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("store")] == ["out.pdf"]


def test_an_unwritable_folder_gives_a_report_error(
    store: Store, clinic: int, tmp_path: Path
) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        _build(store, clinic, tmp_path / "missing" / "run.pdf")
