"""Words wrap whole in every report table: "Kazakhstan" never comes out as "Kazakhsta" / "n".

Only a single word wider than its whole column may be broken, and then with a hyphen
(after the cell's text was shrunk as far as it reads well).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from copdesk.data import communities, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.reports import style
from copdesk.reports.overview import build_overview_pdf
from copdesk.reports.roster import build_roster_pdf
from tests.reports.pdfread import all_text

TODAY = dt.date(2025, 7, 1)
REGIONS = ("Kazakhstan", "Papua New Guinea", "Liechtenstein", "Switzerland", "Mozambique",
           "Turkmenistan", "Kyrgyzstan")  # fmt: skip
GREEK_NAME = "Ѐлена Ἀθηνᾶ"
MARKUP_ORG = "R&D <lead>"
LONG_WORD = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"


@pytest.fixture
def worldwide(store: Store, community_id: int) -> int:
    """Members from countries with long names, one with a non-Latin name, one markup org."""
    people = [
        ("Aigerim Bekova", "Kazakhstan", "Ministry of Water Resources"),
        ("Kila Wari", "Papua New Guinea", "Highlands Water Board"),
        (GREEK_NAME, "Liechtenstein", MARKUP_ORG),
        ("Beat Keller", "Switzerland", "Eawag"),
        ("Amina Nhantumbo", "Mozambique", "Águas de Moçambique"),
        ("Merdan Ataýew", "Turkmenistan", "Internationalisation Office"),
        ("Aibek Osmonov", "Kyrgyzstan", "Community Development Foundation"),
    ]
    for name, region, org in people:
        store.run(members.add_member, community_id, MemberData(
            full_name=name, region=region, organisation=org, consent=True, level="active",
            expertise=("Groundwater recharge", "Hydrogeology"), interests=("Desalination",),
        ), today=TODAY)  # fmt: skip
    return community_id


def _words(text: str) -> set[str]:
    return set(text.split())


def _assert_whole(text: str, words: set[str]) -> None:
    for word in words:
        assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), (word, text[:3000])
    # no word of ours was cut: no fragment of it stands alone
    for word in words:
        for cut in range(3, len(word) - 1):
            head = word[:cut]
            assert not re.search(rf"(?<!\w){re.escape(head)}-? {re.escape(word[cut:])}", text), (
                word, cut)


def test_roster_keeps_long_country_names_whole(store: Store, worldwide: int,
                                               tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "roster.pdf"
    with store.session() as session:
        build_roster_pdf(session, worldwide, out, invariant=True, today=TODAY)
    text = all_text(out)
    words = set().union(*(_words(r) for r in REGIONS))
    words |= {"Ἀθηνᾶ", "Ѐлена", "Internationalisation", "Hydrogeology", "Desalination"}
    _assert_whole(text, words)
    assert MARKUP_ORG in text


def test_overview_keeps_long_country_names_whole(store: Store, worldwide: int,
                                                 tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "overview.pdf"
    with store.session() as session:
        build_overview_pdf(session, worldwide, out, today=TODAY)
    text = all_text(out)
    _assert_whole(text, {"Kazakhstan", "Liechtenstein", "Turkmenistan", "Internationalisation"})


def test_a_word_wider_than_its_column_is_hyphenated_not_cut(store: Store, community_id: int,
                                                            tmp_path: Path) -> None:  # fmt: skip
    store.run(members.add_member, community_id, MemberData(
        full_name="Gwen Jones", region=LONG_WORD, organisation="Dŵr Cymru", consent=True,
    ), today=TODAY)  # fmt: skip
    out = tmp_path / "roster.pdf"
    with store.session() as session:
        build_roster_pdf(session, community_id, out, invariant=True, today=TODAY)
    text = all_text(out)
    pieces = re.findall(r"(\w+)- ", text)
    assert pieces, "the long word was not hyphenated"
    joined = re.sub(r"(\w)- (\w)", r"\1\2", text)
    assert LONG_WORD in joined  # every piece there, in order, only hyphens between them
    assert all(len(p) >= 2 for p in pieces)


def test_fit_widths_takes_room_from_columns_that_can_spare_it() -> None:
    widths = [100.0, 50.0, 100.0]
    fitted = style.fit_widths([60.0, 70.0, 40.0], widths)
    assert fitted[1] == pytest.approx(70.0)
    assert sum(fitted) == pytest.approx(sum(widths))
    assert fitted[0] >= 60 and fitted[2] >= 40
    # nothing to spare: unchanged
    assert style.fit_widths([100.0, 70.0, 100.0], widths) == widths
    # a column at most doubles for one long word
    assert style.fit_widths([10.0, 500.0, 10.0], widths)[1] == pytest.approx(100.0)


def test_fit_paragraph_shrinks_then_hyphenates() -> None:
    st = style.styles().cell
    whole = Paragraph("Kazakhstan", st)
    need = whole.minWidth()
    assert style.fit_paragraph(whole, need + 1) is whole
    shrunk = style.fit_paragraph(whole, need * 0.9)
    assert shrunk.style.fontSize == pytest.approx(st.fontSize * 0.9)
    assert "\xad" not in shrunk.text
    tiny = style.fit_paragraph(Paragraph(f"R&amp;D {LONG_WORD}", st), 60)
    assert tiny.style.fontSize == pytest.approx(st.fontSize * style.MIN_SHRINK)
    assert "\xad" in tiny.text and "R&amp;D" in tiny.text


def test_data_tables_fit_their_columns_to_their_words(tmp_path: Path) -> None:
    """Any data_table (every report builds its record tables with it) keeps words whole."""
    rows = [["Kazakhstan", "3"], ["Papua New Guinea", "12"]]
    table = style.data_table(["Region", "Members"], rows, [40.0, 200.0], numeric=(1,))
    out = tmp_path / "t.pdf"
    SimpleDocTemplate(str(out)).build([table])
    _assert_whole(all_text(out), {"Kazakhstan", "Papua", "Guinea"})


def test_plain_tables_keep_words_whole(tmp_path: Path) -> None:
    rows = [[f"Member {i}", region] for i, region in enumerate(REGIONS)]
    table = style.plain_table(["Name", "Region"], rows, [200.0, 40.0])
    out = tmp_path / "t.pdf"
    SimpleDocTemplate(str(out)).build([table, Table([["end"]])])
    _assert_whole(all_text(out), set().union(*(_words(r) for r in REGIONS)))


def test_names_with_many_scripts_and_markup_print_exactly(store: Store,
                                                          tmp_path: Path) -> None:  # fmt: skip
    cid = store.run(communities.create_community, "Ἀθηνᾶ & Co <CoP>")
    store.run(members.add_member, cid, MemberData(
        full_name=GREEK_NAME, region="Kazakhstan", organisation=MARKUP_ORG, consent=True,
    ), today=TODAY)  # fmt: skip
    out = tmp_path / "roster.pdf"
    with store.session() as session:
        build_roster_pdf(session, cid, out, invariant=True, today=TODAY)
    text = all_text(out)
    assert GREEK_NAME in text and MARKUP_ORG in text and "Ἀθηνᾶ & Co <CoP>" in text
