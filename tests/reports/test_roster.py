"""The roster PDF, built from a real store and read back with pypdf."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import Flowable

from copdesk.data import communities, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.framework import LEVEL_TERMS, Level
from copdesk.reports import roster
from copdesk.reports.errors import ReportError
from copdesk.reports.roster import build_roster_pdf
from tests.reports.pdfread import all_text, fonts, outline_entries, page_texts
from tests.reports.sample import GAP_TOPICS, MARKUP_ORG, SCRIPT_NAMES, add_sample_members

TODAY = dt.date(2025, 7, 1)
HIDDEN = "Zacharias Unnamed-Person"
GAP = "Underwater basket weaving"


def _add(store: Store, community_id: int, data: MemberData) -> int:
    return store.run(members.add_member, community_id, data, today=TODAY)


@pytest.fixture
def populated(store: Store, community_id: int) -> int:
    """60 diverse members, one who did not consent, one erased, one who left, one gap."""
    store.run(add_sample_members, community_id, 60)
    _add(store, community_id, MemberData(
        full_name=HIDDEN, organisation="Secret Org", level="active",
        expertise=("Hidden expertise",), interests=(GAP,), consent=False,
    ))  # fmt: skip
    erased = _add(store, community_id, MemberData(full_name="Erika Erased", consent=True))
    store.run(members.erase_member, erased)
    _add(store, community_id, MemberData(
        full_name="Leonie Left", consent=True, status="left", level="core",
    ))  # fmt: skip
    return community_id


def _build(store: Store, community_id: int, out: Path, **kwargs: object) -> Path:
    with store.session() as session:
        return build_roster_pdf(session, community_id, out, today=TODAY, **kwargs)  # type: ignore[arg-type]


def _reach(store: Store, community_id: int) -> members.Reach:
    with store.session() as session:
        return members.reach(session, community_id)


def test_names_in_every_script_and_user_text_print_as_typed(
    store: Store, populated: int, tmp_path: Path
) -> None:
    pdf = _build(store, populated, tmp_path / "roster.pdf")
    text = all_text(pdf)
    for script, name in SCRIPT_NAMES.items():
        assert name in text, script
    assert MARKUP_ORG in text  # "R&D <lead>", neither swallowed as markup nor "&amp;"
    assert "&amp;" not in text and "&lt;" not in text
    assert "Water CoP" in text
    assert "Safe water for every village" in text
    assert "Rivers Trust" in text


def test_only_consenting_members_are_named_and_the_others_are_counted(
    store: Store, populated: int, tmp_path: Path
) -> None:
    pdf = _build(store, populated, tmp_path / "roster.pdf")
    text = all_text(pdf)
    reach = _reach(store, populated)
    assert HIDDEN not in text and "Zacharias" not in text
    assert "Erika" not in text and "Erased member" not in text
    assert "Leonie Left" not in text  # left: not in the directory
    unnamed = reach.total - reach.consenting
    assert unnamed >= 2  # the hidden one and the erased one at least
    assert f"{unnamed} members did not consent to be named and are counted in totals only" in text
    assert f"{reach.consenting} members consented to be named" in text
    # the hidden member's tags are still counted in the knowledge map
    assert "Hidden expertise" in text


def test_counts_by_level_use_the_framework_labels_core_first(
    store: Store, populated: int, tmp_path: Path
) -> None:
    pdf = _build(store, populated, tmp_path / "roster.pdf")
    text = all_text(pdf)
    reach = _reach(store, populated)
    positions = [text.index(LEVEL_TERMS[level.value].label) for level in Level]
    assert positions == sorted(positions)
    for level in Level:
        label = LEVEL_TERMS[level.value].label
        n = reach.by_level[level.value]
        assert f"{label} {LEVEL_TERMS[level.value].help} {n} " in text
    assert f"All active members {reach.total} 100%" in text
    assert f"Inside the community {reach.inside} " in text
    assert f"Outside guests (bring an outside perspective) {reach.outside_guests} " in text
    top_org, top_n = next(iter(reach.by_organisation.items()))
    assert f"{top_org} {top_n} " in text


def test_gaps_are_listed_in_their_own_section(
    store: Store, populated: int, tmp_path: Path
) -> None:
    pdf = _build(store, populated, tmp_path / "roster.pdf")
    text = all_text(pdf)
    start = text.index("Gaps: wanted, but nobody holds it yet")
    end = text.index("All topics")
    gaps_section = text[start:end]
    with store.session() as session:
        km = members.knowledge_map(session, populated, named="consenting")
    assert {e.tag for e in km.gaps} >= {GAP, *GAP_TOPICS}
    for entry in km.gaps:
        assert entry.tag in gaps_section
    assert "Water quality testing" not in gaps_section  # held by experts: not a gap
    assert f"{len(km.gaps)} topics that members want to learn are held by nobody" in text
    assert "1 not named" in gaps_section  # the hidden member wants GAP


def test_fonts_are_embedded_and_helvetica_is_never_used(
    store: Store, populated: int, tmp_path: Path
) -> None:
    pdf = _build(store, populated, tmp_path / "roster.pdf")
    used = fonts(pdf)
    assert used
    for font in used:
        assert "Helvetica" not in str(font["/BaseFont"])
        assert "DejaVuSans" in str(font["/BaseFont"])
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_metadata_page_numbers_and_outline(
    store: Store, populated: int, tmp_path: Path
) -> None:
    pdf = _build(store, populated, tmp_path / "roster.pdf")
    reader = PdfReader(pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Member roster: Water CoP"
    assert meta.author == "copdesk"
    assert meta.subject and "Community of Practice" in meta.subject
    texts = page_texts(pdf)
    n = len(texts)
    assert n >= 3
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in text
        if i > 1:  # the running header on every page after the first
            assert text.startswith("Water CoP Member roster")
    entries = outline_entries(pdf)
    titles = [title for _, title, _ in entries]
    for wanted in ("Water CoP", "Participation and reach", "Knowledge map", "Directory",
                   "Gaps: wanted, but nobody holds it yet"):  # fmt: skip
        assert wanted in titles
    pages = {title: page for _, title, page in entries}
    # bookmarks point at the page where the section really starts
    directory_page = next(i for i, t in enumerate(texts) if "consented to be named in" in t)
    assert pages["Directory"] == directory_page
    assert pages["Water CoP"] == 0
    assert all(depth == 1 for depth, title, _ in entries if title == "All topics")


def test_invariant_builds_are_byte_identical(
    store: Store, populated: int, tmp_path: Path
) -> None:
    first = _build(store, populated, tmp_path / "a.pdf", invariant=True)
    second = _build(store, populated, tmp_path / "b.pdf", invariant=True)
    assert first.read_bytes() == second.read_bytes()
    third = _build(store, populated, tmp_path / "c.pdf")  # not invariant: dated, unique id
    assert third.read_bytes() != first.read_bytes()


@pytest.fixture(scope="module")
def big_roster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A roster of 200 members (built once for the module)."""
    folder = tmp_path_factory.mktemp("big")
    store = Store.open(folder / "store.sqlite")
    try:
        cid = store.run(communities.create_community, "Большое сообщество & Co")
        store.run(add_sample_members, cid, 200)
        with store.session() as session:
            pdf = build_roster_pdf(session, cid, folder / "big.pdf", today=TODAY)
        consenting = members_consenting(store, cid)
    finally:
        store.close()
    yield pdf, consenting


def members_consenting(store: Store, cid: int) -> int:
    with store.session() as session:
        return members.reach(session, cid).consenting


def test_directory_header_row_repeats_on_every_page(big_roster: tuple[Path, int]) -> None:
    pdf, consenting = big_roster
    texts = page_texts(pdf)
    start = next(i for i, t in enumerate(texts) if "consented to be named in" in t)
    directory_pages = texts[start:]
    assert len(directory_pages) >= 4
    for text in directory_pages:
        assert "Name Organisation Region Participation Expertise Interests" in text
    assert "MEMBER ROSTER Большое сообщество & Co" in texts[0]
    assert f"{consenting} members consented" in texts[start]


def test_directory_is_sorted_by_name(store: Store, community_id: int, tmp_path: Path) -> None:
    for name in ("Zoë Zimmer", "Émile Adam", "Ćwikła Bogdan", "Dora Dunn", "Anna Aalto"):
        _add(store, community_id, MemberData(full_name=name, consent=True))
    text = all_text(_build(store, community_id, tmp_path / "r.pdf"))
    directory = text[text.index("Name Organisation Region"):]
    order = [directory.index(n) for n in
             ("Anna Aalto", "Ćwikła Bogdan", "Dora Dunn", "Émile Adam", "Zoë Zimmer")]  # fmt: skip
    assert order == sorted(order)


def test_an_empty_community_still_gives_a_clean_report(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    text = all_text(_build(store, community_id, tmp_path / "empty.pdf"))
    assert "No member can be named in this report." in text
    assert "No expertise or interests have been recorded yet." in text
    assert "Page 1 of" in text


def test_unknown_community_is_a_report_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no community with id 999"):
        _build(store, 999, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


# --- atomic writing -----------------------------------------------------------------------
def test_missing_folder_raises_and_leaves_nothing(
    store: Store, populated: int, tmp_path: Path
) -> None:
    out = tmp_path / "no" / "such" / "roster.pdf"
    with pytest.raises(ReportError, match=r"cannot write .*roster\.pdf: the folder .* does not exist"):
        _build(store, populated, out)
    assert not out.parent.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_read_only_folder_raises_permission_denied(
    store: Store, populated: int, tmp_path: Path
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ReportError, match=r"roster\.pdf: permission denied"):
            _build(store, populated, folder / "roster.pdf")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


class _Explodes(Flowable):
    """Fails while the document is being laid out, after pages were already made."""

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return aw, 10

    def draw(self) -> None:
        raise RuntimeError("simulated failure half-way")


def test_failed_build_leaves_an_earlier_file_untouched(
    store: Store, populated: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "roster.pdf"
    out.write_bytes(b"%PDF-1.4 the earlier export")
    original = roster._directory_section

    def failing(data: roster.RosterData, width: float) -> list[Flowable]:
        return [*original(data, width), _Explodes()]

    monkeypatch.setattr(roster, "_directory_section", failing)
    with pytest.raises(ReportError, match="simulated failure half-way"):
        _build(store, populated, out)
    assert out.read_bytes() == b"%PDF-1.4 the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "store.sqlite"
                  and not p.name.startswith("store.sqlite")) == ["roster.pdf"]  # fmt: skip


def test_a_successful_build_replaces_the_earlier_file(
    store: Store, populated: int, tmp_path: Path
) -> None:
    out = tmp_path / "roster.pdf"
    out.write_bytes(b"old")
    _build(store, populated, out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_roster_coverage_warns_about_characters_that_would_print_as_boxes(
    store: Store, community_id: int
) -> None:
    _add(store, community_id, MemberData(full_name="王小明", consent=True))
    _add(store, community_id, MemberData(full_name="Αθηνά Hidden 李", consent=False))
    with store.session() as session:
        coverage = roster.roster_coverage(session, community_id)
    assert coverage.missing == ("小", "明", "王")  # only what is printed: not the hidden name
    assert not coverage.ok
    assert "U+738B" in coverage.message()
