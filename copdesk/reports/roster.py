"""The roster PDF: who the community is, how far it reaches, what it knows and lacks.

Written for the host. It reads the store only through ``copdesk.data`` queries, names only
members who consented to appear in reports shared with the host (the others are counted in
the totals), and never names erased members.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from copdesk.data import communities, members
from copdesk.data.communities import CommunityInfo
from copdesk.data.members import KnowledgeMap, MemberRow, Reach, TagEntry
from copdesk.framework import LEVEL_TERMS, Level, Stage, level_label, role_label
from copdesk.reports import style
from copdesk.reports.errors import ReportError
from copdesk.reports.style import (
    CALLOUT_TABLE,
    FIGURES_TABLE,
    KEY_VALUE_TABLE,
    ReportDocument,
    bar,
    escape,
    figure_tiles,
    heading,
    styles,
)

TITLE = "Member roster"
MAX_COUNT_ROWS = 14  # organisations/regions listed one by one; the rest are grouped
MAX_NAMES = 40  # names listed per topic of the knowledge map; the rest are counted


@dataclass(frozen=True)
class RosterData:
    """Everything the roster prints, read in one go from the store."""

    community: CommunityInfo
    reach: Reach
    knowledge: KnowledgeMap
    directory: tuple[MemberRow, ...]  # active, consenting, not erased; sorted by name


def read_roster(session: Session, community_id: int) -> RosterData:
    info = communities.get_community(session, community_id)
    rows = members.list_members(session, community_id)
    listed = [r for r in rows if r.status == "active" and r.consent and not r.erased]
    return RosterData(
        community=info,
        reach=members.reach(session, community_id),
        knowledge=members.knowledge_map(session, community_id, named="consenting"),
        directory=tuple(sorted(listed, key=lambda r: (sort_key(r.full_name), r.id))),
    )


def sort_key(name: str) -> tuple[str, str]:
    """Alphabetical order that files Čapek with C and Émile with E."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return (plain, name.casefold())


def roster_texts(data: RosterData) -> list[str]:
    """Every piece of user text the roster prints (for a coverage check before export)."""
    c = data.community
    texts = [c.name, c.domain, c.host_organisation]
    texts += list(data.reach.by_organisation) + list(data.reach.by_region)
    for entry in data.knowledge.entries:
        texts.append(entry.tag)
        texts += entry.experts + entry.seekers
    for r in data.directory:
        texts += [r.full_name, r.organisation, r.region, *r.expertise, *r.interests]
    return texts


def roster_coverage(session: Session, community_id: int) -> style.Coverage:
    """Which characters of the roster would not print (for a warning before export)."""
    return style.check_coverage(roster_texts(read_roster(session, community_id)))


def build_roster_pdf(
    session: Session,
    community_id: int,
    out: Path,
    *,
    invariant: bool = False,
    today: dt.date | None = None,
) -> Path:
    """Write the roster PDF to ``out`` atomically; raises ReportError on failure.

    ``invariant`` makes the bytes depend only on the data (and ``today``), for tests.
    """
    try:
        data = read_roster(session, community_id)
    except LookupError as exc:
        raise ReportError(f"cannot write {out}: {exc}") from exc
    prepared_on = today or dt.date.today()

    def build(path: Path) -> None:
        doc = ReportDocument(
            path,
            title=TITLE,
            community=data.community.name,
            subject="Members, reach and knowledge map of a Community of Practice",
            prepared_on=prepared_on,
            invariant=invariant,
            keywords=("community of practice", "roster", "knowledge map"),
        )
        doc.build(_story(data, doc.width, prepared_on))

    return style.write_pdf_atomically(out, build)


# --- the story -------------------------------------------------------------------------------
def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _share(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "–"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def long_date(day: dt.date) -> str:
    """``3 March 2025``, whatever the system's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _stage_label(key: str) -> str:
    try:
        return Stage(key).label
    except ValueError:
        return key


def _story(data: RosterData, width: float, prepared_on: dt.date) -> list[Flowable]:
    story: list[Flowable] = []
    story += _cover(data, width, prepared_on)
    story += _reach_section(data, width)
    story += _knowledge_section(data, width)
    story += _directory_section(data, width)
    return story


def _unnamed_sentence(data: RosterData) -> str:
    hidden = data.reach.total - len(data.directory)
    if hidden <= 0:
        return "Every member consented to be named in reports shared with the host."
    counted = "is counted" if hidden == 1 else "are counted"
    return f"{_plural(hidden, 'member')} did not consent to be named and {counted} in totals only."


def _cover(data: RosterData, width: float, prepared_on: dt.date) -> list[Flowable]:
    st = styles()
    c, reach = data.community, data.reach
    story: list[Flowable] = [
        Paragraph(escape(TITLE.upper()), st.kicker),
        heading_title(c.name),
    ]
    if c.domain.strip():
        story.append(Paragraph(escape(c.domain, newlines=True), st.lead))
    facts = [
        ("Host organisation", c.host_organisation or "Not recorded"),
        ("Stage of development", _stage_label(c.stage)),
        ("Members", f"{reach.total:,} active" + (f", {reach.left:,} left" if reach.left else "")),
        ("Prepared on", long_date(prepared_on)),
    ]  # fmt: skip
    story.append(Spacer(1, 6))
    story.append(
        style.fitted_table(
            [[Paragraph(escape(k), st.label), Paragraph(escape(v), st.base)] for k, v in facts],
            colWidths=[width * 0.3, width * 0.7],
            style=KEY_VALUE_TABLE,
            hAlign="LEFT",
        )
    )
    story.append(Spacer(1, 16))
    core = reach.by_level.get(Level.CORE.value, 0)
    gaps = len(data.knowledge.gaps)
    story.append(
        figure_tiles(
            [
                (f"{reach.total:,}", "active members"),
                (f"{core:,}", f"in the {level_label('core').lower()}"),
                (f"{len([o for o in reach.by_organisation if o != '(not given)']):,}",
                 "organisations"),
                (f"{reach.outside_guests:,}", "outside guests"),
                (f"{gaps:,}", "knowledge gaps"),
            ],
            width,
        )
    )
    story.append(Spacer(1, 10))
    story.append(
        Paragraph(
            escape(
                "Prepared for the host. Only members who consented to appear in reports "
                "shared with the host are named. " + _unnamed_sentence(data)
            ),
            st.note,
        )
    )
    return story


def heading_title(text: str) -> Paragraph:
    """The community's name as the document title, also the first outline entry."""
    para = heading(text, level=1)
    para.style = styles().title
    return para


def _level_table(reach: Reach, width: float) -> Table:
    st = styles()
    total = reach.total
    most = max(reach.by_level.values(), default=0)
    rows: list[list[Any]] = [[
        Paragraph("Participation level", st.cell_header),
        Paragraph("Members", st.cell_header_number),
        Paragraph("Share", st.cell_header_number),
        "",
    ]]  # fmt: skip
    widths = [width * 0.50, width * 0.12, width * 0.10, width * 0.28]
    for i, level in enumerate(Level):
        n = reach.by_level.get(level.value, 0)
        term = LEVEL_TERMS[level.value]
        rows.append([
            Paragraph(f"<b>{escape(term.label)}</b><br/><font size=7.4 color='#5B6877'>"
                      f"{escape(term.help)}</font>", st.cell),
            Paragraph(f"{n:,}", st.cell_number),
            Paragraph(_share(n, total), st.cell_number),
            bar(n, most, widths[3] - 10, colour=style.PALETTE[0] if i < 2 else style.PALETTE[4]),
        ])  # fmt: skip
    rows.append([
        Paragraph("<b>All active members</b>", st.cell),
        Paragraph(f"<b>{total:,}</b>", st.cell_number),
        Paragraph("100%" if total else "–", st.cell_number),
        "",
    ])  # fmt: skip
    table_style = TableStyle(
        [("LINEABOVE", (0, -1), (-1, -1), 0.8, style.INK),
         ("BACKGROUND", (0, -1), (-1, -1), style.colors.white)],
        parent=FIGURES_TABLE,
    )  # fmt: skip
    return style.fitted_table(rows, colWidths=widths, style=table_style, hAlign="LEFT",
                              repeatRows=1)  # fmt: skip


def _counts_table(title: str, counts: dict[str, int], total: int, width: float,
                  other_label: str) -> Table:  # fmt: skip
    st = styles()
    items = list(counts.items())
    if len(items) > MAX_COUNT_ROWS:
        head, rest = items[: MAX_COUNT_ROWS - 1], items[MAX_COUNT_ROWS - 1 :]
        items = [*head, (f"{len(rest)} other {other_label}", sum(n for _, n in rest))]
    rows: list[list[Any]] = [[
        Paragraph(escape(title), st.cell_header),
        Paragraph("Members", st.cell_header_number),
        Paragraph("Share", st.cell_header_number),
    ]]  # fmt: skip
    for name, n in items:
        cell_style = st.cell_muted if name == "(not given)" else st.cell
        rows.append([Paragraph(escape(name), cell_style), Paragraph(f"{n:,}", st.cell_number),
                     Paragraph(_share(n, total), st.cell_number)])  # fmt: skip
    if not counts:
        rows.append([Paragraph("No members yet", st.cell_muted), "", ""])
    return style.fitted_table(rows, colWidths=[width * 0.58, width * 0.24, width * 0.18],
                              style=FIGURES_TABLE, hAlign="LEFT", repeatRows=1)  # fmt: skip


def _reach_section(data: RosterData, width: float) -> list[Flowable]:
    st = styles()
    reach = data.reach
    story: list[Flowable] = [heading("Participation and reach")]
    story.append(Paragraph(
        escape(
            "Counts include every active member, named or not. A healthy community has a "
            "small core group, a wider ring of active members and many at the edge."
        ),
        st.body,
    ))  # fmt: skip
    story.append(heading("Members by participation level", level=2))
    story.append(_level_table(reach, width))

    story.append(heading("Inside and outside voices", level=2))
    inside_outside = style.fitted_table(
        [
            [Paragraph("Where members come from", st.cell_header),
             Paragraph("Members", st.cell_header_number),
             Paragraph("Share", st.cell_header_number)],
            [Paragraph("Inside the community", st.cell), Paragraph(f"{reach.inside:,}",
             st.cell_number), Paragraph(_share(reach.inside, reach.total), st.cell_number)],
            [Paragraph("Outside guests (bring an outside perspective)", st.cell),
             Paragraph(f"{reach.outside_guests:,}", st.cell_number),
             Paragraph(_share(reach.outside_guests, reach.total), st.cell_number)],
        ],
        colWidths=[width * 0.50, width * 0.12, width * 0.10],
        style=FIGURES_TABLE,
        hAlign="LEFT",
    )  # fmt: skip
    story.append(inside_outside)

    gap = 14.0
    half = (width - gap) / 2
    orgs = _counts_table("Organisation", reach.by_organisation, reach.total, half,
                         "organisations")  # fmt: skip
    regions = _counts_table("Region", reach.by_region, reach.total, half, "regions")
    story.append(heading("Organisations and regions", level=2))
    story.append(
        Table(
            [[orgs, "", regions]],
            colWidths=[half, gap, half],
            style=style.LAYOUT_TABLE,
            hAlign="LEFT",
        )
    )  # fmt: skip
    return story


def _names(named: Sequence[str], hidden: int) -> str:
    """``Ana, Bo and 2 not named`` as plain text; at most MAX_NAMES names, then a count.

    A topic held by thousands of members would otherwise be one cell taller than a page
    (ReportLab cannot split a cell: the export failed on a 10,000-member community).
    Plain text (see style.text_cell): these cells are long, and wrapping them as
    Paragraphs at every page break made the knowledge map slower than the directory.
    """
    parts = list(named[:MAX_NAMES])
    if len(named) > MAX_NAMES:
        parts.append(f"{len(named) - MAX_NAMES:,} more named in the directory")
    if hidden:
        parts.append(f"{hidden} not named")
    if not parts:
        return "–"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


#: Tables of plain-string cells (style.text_cell) in the body text's colour.
_PLAIN_TABLE = TableStyle([("TEXTCOLOR", (0, 1), (-1, -1), style.INK)], parent=style.DATA_TABLE)


def _knowledge_section(data: RosterData, width: float) -> list[Flowable]:
    st = styles()
    km = data.knowledge
    story: list[Flowable] = [heading("Knowledge map")]
    story.append(Paragraph(
        escape(
            "Who knows what, and what are we missing? For every topic: the members who hold "
            "it as expertise and those who want to learn it. Only members who consented are "
            "named; the others are counted."
        ),
        st.body,
    ))  # fmt: skip
    gaps = km.gaps
    story.append(heading("Gaps: wanted, but nobody holds it yet", level=2))
    if not km.entries:
        story.append(Paragraph(escape("No expertise or interests have been recorded yet."),
                               st.note))  # fmt: skip
    elif not gaps:
        story.append(Paragraph(
            escape("No gaps: every interest is held as expertise by at least one member."),
            st.note,
        ))  # fmt: skip
    else:
        story.append(Paragraph(
            escape(
                f"{_plural(len(gaps), 'topic')} that members want to learn "
                f"{'is' if len(gaps) == 1 else 'are'} held by nobody in the community. "
                "These are where an outside expert, a guest speaker or a learning project "
                "would add most."
            ),
            st.body,
        ))  # fmt: skip
        rows: list[list[Any]] = [[
            Paragraph("Topic", st.cell_header),
            Paragraph("Wanted by", st.cell_header_number),
            Paragraph("Members who want to learn it", st.cell_header),
        ]]  # fmt: skip
        for entry in gaps:
            rows.append([
                Paragraph(f"<b>{escape(entry.tag)}</b>", st.cell),
                Paragraph(f"{entry.seeker_count:,}", st.cell_number),
                style.text_cell(_names(entry.seekers, entry.hidden_seekers),
                                width * 0.56 - 10, st.cell),
            ])  # fmt: skip
        callout = TableStyle([
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, style.WARN),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("TEXTCOLOR", (0, 1), (-1, -1), style.INK),
        ], parent=CALLOUT_TABLE)  # fmt: skip
        story.append(style.LongTable(
            rows[0], rows[1:], [width * 0.30, width * 0.14, width * 0.56], callout,
        ))  # fmt: skip

    if km.entries:
        story.append(heading("All topics", level=2))
        story.append(_topics_table(km.entries, width))
    return story


def _topics_table(entries: Iterable[TagEntry], width: float) -> Flowable:
    st = styles()
    names_width = width * 0.29 - 10  # inside the cell padding
    rows: list[list[Any]] = []
    for e in entries:
        topic = f"<b>{escape(e.tag)}</b>"
        if e.is_gap:
            topic += " <font color='#D55E00' size=7>GAP</font>"
        rows.append([
            Paragraph(topic, st.cell),
            Paragraph(f"{e.expert_count:,}", st.cell_number),
            style.text_cell(_names(e.experts, e.hidden_experts), names_width, st.cell),
            Paragraph(f"{e.seeker_count:,}", st.cell_number),
            style.text_cell(_names(e.seekers, e.hidden_seekers), names_width, st.cell),
        ])  # fmt: skip
    header = [
        Paragraph(escape(h), st.cell_header_number if i in (1, 3) else st.cell_header)
        for i, h in enumerate(
            ["Topic", "Experts", "Who knows it", "Learners", "Who wants to learn it"]
        )
    ]
    widths = [width * 0.20, width * 0.11, width * 0.29, width * 0.11, width * 0.29]
    return style.LongTable(header, rows, widths, _PLAIN_TABLE)


def _directory_section(data: RosterData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Directory")]
    listed = len(data.directory)
    story.append(Paragraph(
        escape(
            f"{_plural(listed, 'member')} consented to be named in reports shared with the "
            f"host and {'is' if listed == 1 else 'are'} listed here, by name. "
            + _unnamed_sentence(data)
            + (f" {_plural(data.reach.left, 'former member')} who left "
               f"{'is' if data.reach.left == 1 else 'are'} not listed."
               if data.reach.left else "")
        ),
        st.body,
    ))  # fmt: skip
    if not data.directory:
        story.append(Paragraph(escape("No member can be named in this report."), st.note))
        return story
    # Thousands of rows: plain text, wrapped and paged without ReportLab measuring them.
    rows: list[list[str | tuple[str, ...]]] = []
    for r in data.directory:
        # "Coordinator / facilitator" may wrap at the slash in a narrow column
        roles = ", ".join(role_label(x).replace("/", " / ") for x in r.roles)
        rows.append([r.full_name, r.organisation, r.region, (level_label(r.level), roles),
                     ", ".join(r.expertise), ", ".join(r.interests)])  # fmt: skip
    story.append(style.plain_table(
        ["Name", "Organisation", "Region", "Participation", "Expertise", "Interests"],
        rows,
        [width * f for f in (0.19, 0.17, 0.11, 0.15, 0.19, 0.19)],
        bold_first=True,
    ))  # fmt: skip
    return story
