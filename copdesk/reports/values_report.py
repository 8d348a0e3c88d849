"""The value report PDF: what value the community created in a period, and its stories.

Written for the host, who wants to know what the community is worth. For a period (all
time by default) it prints the value matrix (the deck's ten kinds of value, five to
members and five to the organisation, against the value-creation cycles), highlights per
kind, the value-creation stories told in full (those chosen, or all), the measures summed
by unit, the value each CoP function produced and who benefited.

It reads the store only through ``copdesk.data`` queries. Members are named only when they
consented to be named in reports shared with the host; the others are counted ("and 3
members who did not consent to be named").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, TableStyle
from reportlab.platypus.flowables import HRFlowable
from sqlalchemy.orm import Session

from copdesk.data import communities, members, values
from copdesk.data.communities import CommunityInfo
from copdesk.data.values import EntryRow, MemberValue, StoryView
from copdesk.framework import (
    FUNCTION_BY_KEY,
    VALUE_CYCLE_BY_KEY,
    VALUE_CYCLES,
    VALUE_TO_MEMBERS,
    VALUE_TO_ORGANISATION,
    Term,
)
from copdesk.reports import charts, style
from copdesk.reports.errors import ReportError
from copdesk.reports.fitness_report import long_text
from copdesk.reports.roster import heading_title, long_date
from copdesk.reports.style import (
    DATA_TABLE,
    FIGURES_TABLE,
    KEY_VALUE_TABLE,
    ReportDocument,
    escape,
    figure_tiles,
    heading,
    styles,
)

__all__ = [
    "TITLE",
    "ValuesData",
    "build_values_pdf",
    "period_text",
    "read_values",
    "values_coverage",
    "values_texts",
]

TITLE = "Value report"
HIGHLIGHTS_PER_KIND = 2
MAX_NAMED_MEMBERS = 15
MAX_EXCERPT = 220  # characters of a description shown under a highlight
_MUTED_HEX = style.MUTED.hexval().replace("0x", "#")
#: How far along the cycles an entry got: the strongest highlights come first.
_STRENGTH = {"realised": 0, "applied": 1, "reframing": 2, "strategic": 3, "potential": 4,
             "enabling": 5, "immediate": 6}  # fmt: skip
_GROUPS: tuple[tuple[str, tuple[Term, ...]], ...] = (
    ("Value to members", VALUE_TO_MEMBERS),
    ("Value to the organisation", VALUE_TO_ORGANISATION),
)


# --- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValuesData:
    """Everything the value report prints, read in one go from the store."""

    community: CommunityInfo
    start: dt.date | None
    end: dt.date | None
    entries: tuple[EntryRow, ...]  # in the period, newest first, consenting members named
    stories: tuple[StoryView, ...]  # the stories told in full
    named_members: tuple[MemberValue, ...]  # who benefited or logged, consenting only
    benefited: int  # distinct members who benefited in the period, named or not
    hidden_members: int  # of those, how many did not consent to be named


def read_values(
    session: Session,
    community_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    story_ids: Sequence[int] | None = None,
) -> ValuesData:
    """Read the value log of a period for the report; ReportError on a bad request."""
    if start is not None and end is not None and start > end:
        raise ReportError(
            f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()})"
        )
    try:
        community = communities.get_community(session, community_id)
    except LookupError as exc:
        raise ReportError(str(exc)) from exc
    rows = values.list_entries(session, community_id, named="consenting", start=start, end=end)
    all_stories = values.list_stories(session, community_id, named="consenting")
    if story_ids is not None:
        by_id = {s.id: s for s in all_stories}
        unknown = [i for i in story_ids if i not in by_id]
        if unknown:
            raise ReportError(
                f"no story with id {unknown[0]} in {community.name}"
                + (f" (its stories: {', '.join(str(i) for i in sorted(by_id))})" if by_id
                   else " (it has no stories yet)")
            )  # fmt: skip
        chosen = [by_id[i] for i in dict.fromkeys(story_ids)]
    else:
        in_period = {r.id for r in rows}
        period_set = start is not None or end is not None
        chosen = [s for s in all_stories
                  if not period_set or any(e.id in in_period for e in s.entries)]  # fmt: skip
    consent = {
        m.id: m.consent and not m.erased for m in members.list_members(session, community_id)
    }
    people = {m for r in rows for m in r.beneficiary_ids}
    named, _ = values.by_member(rows)
    return ValuesData(
        community=community,
        start=start,
        end=end,
        entries=tuple(rows),
        stories=tuple(chosen),
        named_members=tuple(named),
        benefited=len(people),
        hidden_members=sum(1 for m in people if not consent.get(m, False)),
    )


def values_texts(data: ValuesData) -> list[str]:
    """Every piece of user text the report prints (for a coverage check before export)."""
    texts = [data.community.name, data.community.domain, data.community.host_organisation]
    for r in data.entries:
        texts += [r.title, r.description[:MAX_EXCERPT], r.measure_unit]
    for s in data.stories:
        texts += [s.title, s.expected_ending]
        for e in s.entries:
            texts += [e.title, e.description, e.evidence, e.session_title, *e.beneficiaries]
    texts += [m.name for m in data.named_members]
    return texts


def values_coverage(session: Session, community_id: int, *, start: dt.date | None = None,
                    end: dt.date | None = None,
                    story_ids: Sequence[int] | None = None) -> style.Coverage:  # fmt: skip
    """Which characters of the report would not print (for a warning before export)."""
    data = read_values(session, community_id, start=start, end=end, story_ids=story_ids)
    return style.check_coverage(values_texts(data))


def period_text(start: dt.date | None, end: dt.date | None,
                entries: Sequence[EntryRow] = ()) -> str:  # fmt: skip
    """``1 January 2025 to 31 March 2025``; ``All time (…)`` without dates."""
    if start and end:
        return f"{long_date(start)} to {long_date(end)}"
    if start:
        return f"From {long_date(start)}"
    if end:
        return f"Up to {long_date(end)}"
    if entries:
        first = min(e.entry_date for e in entries)
        last = max(e.entry_date for e in entries)
        return f"All time ({long_date(first)} to {long_date(last)})"
    return "All time"


# --- the public entry point ------------------------------------------------------------------
def build_values_pdf(
    session: Session,
    community_id: int,
    out: Path,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    story_ids: Sequence[int] | None = None,
    invariant: bool = False,
    today: dt.date | None = None,
) -> Path:
    """Write the value report of a period (all time by default) to ``out``.

    ``story_ids`` chooses the stories told in full (default: every story with an entry in
    the period). The file is written atomically; any failure raises :class:`ReportError`
    with a message for the user and leaves nothing (any earlier file at ``out`` untouched):
    also a period that starts after it ends, or a story that is not the community's.
    ``invariant`` makes the bytes depend only on the data and ``today``, for tests.
    """
    data = read_values(session, community_id, start=start, end=end, story_ids=story_ids)
    prepared_on = today or dt.date.today()
    period = period_text(start, end, data.entries)

    def build(path: Path) -> None:
        doc = ReportDocument(
            path,
            title=TITLE if start is None and end is None else f"{TITLE}: {_short_period(data)}",
            community=data.community.name,
            subject=f"Value created by a Community of Practice: {period}",
            prepared_on=prepared_on,
            invariant=invariant,
            keywords=("community of practice", "value", "value-creation stories"),
        )
        doc.build(_story(data, doc.width, prepared_on))

    return style.write_pdf_atomically(out, build)


# --- small helpers ---------------------------------------------------------------------------
def _short_period(data: ValuesData) -> str:
    start, end = data.start, data.end
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if end:
        return f"up to {end.isoformat()}"
    return "all time"


def _muted(markup: str, size: float | None = None) -> str:
    sized = f" size={size}" if size else ""
    return f"<font color='{_MUTED_HEX}'{sized}>{markup}</font>"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _cycle_short(term: Term) -> str:
    return term.label.removesuffix(" value")


def _measure(r: EntryRow) -> str:
    if r.measure_value is None:
        return ""
    return f"{charts.fmt_number(r.measure_value)} {r.measure_unit}"


def _excerpt(text: str, limit: int = MAX_EXCERPT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


def _beneficiaries(r: EntryRow) -> str:
    """``Ana, Bo and 2 members who did not consent to be named; the host organisation``."""
    parts = [escape(n) for n in r.beneficiaries]
    if r.hidden_beneficiaries:
        n = r.hidden_beneficiaries
        parts.append(_muted(f"{_plural(n, 'member')} who did not consent to be named"))
    people = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] \
        if parts else ""  # fmt: skip
    if r.for_organisation:
        people = f"{people}; the host organisation" if people else "The host organisation"
    return people or _muted("Not recorded")


# --- the story -------------------------------------------------------------------------------
def _story(data: ValuesData, width: float, prepared_on: dt.date) -> list[Flowable]:
    story: list[Flowable] = []
    story += _cover(data, width, prepared_on)
    story += _matrix_section(data, width)
    story += _highlights_section(data, width)
    story += _stories_section(data, width)
    story += _measures_section(data, width)
    story += _functions_section(data, width)
    story += _members_section(data, width)
    return story


def _cover(data: ValuesData, width: float, prepared_on: dt.date) -> list[Flowable]:
    st = styles()
    c = data.community
    story: list[Flowable] = [Paragraph(escape(TITLE.upper()), st.kicker), heading_title(c.name)]
    if c.domain.strip():
        story += long_text(c.domain, st.lead)
    rows = data.entries
    facts = [
        ("Period", period_text(data.start, data.end, rows)),
        ("Host organisation", c.host_organisation or "Not recorded"),
        ("Value logged", f"{_plural(len(rows), 'entry', 'entries')}; "
                         f"{_plural(len(data.stories), 'story', 'stories')} told in full"),
        ("Prepared on", long_date(prepared_on)),
    ]  # fmt: skip
    story.append(Spacer(1, 6))
    story.append(style.fitted_table(
        [[Paragraph(escape(k), st.label), Paragraph(escape(v), st.base)] for k, v in facts],
        colWidths=[width * 0.25, width * 0.75], style=KEY_VALUE_TABLE, hAlign="LEFT",
    ))  # fmt: skip
    story.append(Spacer(1, 14))
    kinds = len({r.kind for r in rows})
    later = sum(1 for r in rows if r.cycle in ("applied", "realised"))
    story.append(figure_tiles([
        (f"{len(rows):,}", "value entries"),
        (f"{kinds}", f"of the {len(VALUE_TO_MEMBERS) + len(VALUE_TO_ORGANISATION)} kinds of value"),
        (f"{later:,}", "applied or realised"),
        (f"{data.benefited:,}", "members benefited"),
        (f"{len(data.stories):,}", "stories"),
    ], width))  # fmt: skip
    story.append(Spacer(1, 10))
    hidden = data.hidden_members
    consent = (
        "Every member named consented to be named in reports shared with the host."
        if not hidden
        else f"{_plural(hidden, 'member')} who benefited did not consent to be named and "
        f"{'is' if hidden == 1 else 'are'} counted only."
    )
    story.append(Paragraph(escape(
        "Prepared for the host. Value is logged by the community's coordinators after "
        "meetings and followed up over time: immediate and potential value first, then the "
        "value applied in practice and realised in performance. " + consent
    ), st.note))  # fmt: skip
    return story


def _matrix_section(data: ValuesData, width: float) -> list[Flowable]:
    st = styles()
    m = values.matrix(data.entries)
    story: list[Flowable] = [heading("Value matrix")]
    story.append(Paragraph(escape(
        "How many entries of each kind of value reached each value-creation cycle. The "
        "later cycles (applied, realised) show value that changed practice and performance."
    ), st.body))  # fmt: skip
    cell_style = ParagraphStyle("matrix_cell", parent=st.cell_number, alignment=1)
    kind_w, total_w = 42 * mm, 13 * mm
    cycle_w = (width - kind_w - total_w) / len(VALUE_CYCLES)
    # the cycle names on one line each: the header shrinks to fit the widest
    widest = max(stringWidth(_cycle_short(c), style.FONT_BOLD, 1) for c in VALUE_CYCLES)
    size = min(7.6, (cycle_w - 5) / widest)
    head_style = ParagraphStyle("matrix_head", parent=st.cell_header_number, fontSize=size,
                                leading=size + 2)  # fmt: skip
    rows: list[list[Any]] = [[
        Paragraph("Kind of value", st.cell_header),
        *[Paragraph(escape(_cycle_short(c)), ParagraphStyle("mh", parent=head_style,
                                                            alignment=1))
          for c in VALUE_CYCLES],
        Paragraph("Total", st.cell_header_number),
    ]]  # fmt: skip
    biggest = max((m.count(k.key, c.key) for _, terms in _GROUPS for k in terms
                   for c in VALUE_CYCLES), default=0)  # fmt: skip
    cmds: list[tuple[Any, ...]] = [
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (1, 0), (-1, -1), 2),
        ("RIGHTPADDING", (1, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 1), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
        ("LINEAFTER", (0, 0), (0, -1), 0.5, style.RULE),
        ("LINEBEFORE", (-1, 0), (-1, -1), 0.5, style.RULE),
    ]
    for label, terms in _GROUPS:
        r = len(rows)
        rows.append([Paragraph(f"<b>{escape(label)}</b>", st.cell), *[""] * (len(VALUE_CYCLES)
                     + 1)])  # fmt: skip
        cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), style.STRIPE)]
        for k in terms:
            r = len(rows)
            cells: list[Any] = [Paragraph(escape(k.label), st.cell)]
            for j, c in enumerate(VALUE_CYCLES, start=1):
                n = m.count(k.key, c.key)
                cells.append(Paragraph(f"<b>{n}</b>" if n else _muted("·"), cell_style))
                if n and biggest:
                    tint = colors.linearlyInterpolatedColor(
                        colors.white, style.OKABE_ITO["sky_blue"], 0, 1, 0.18 + 0.5 * n / biggest
                    )
                    cmds.append(("BACKGROUND", (j, r), (j, r), tint))
            cells.append(Paragraph(f"<b>{m.kind_total(k.key)}</b>", cell_style))
            rows.append(cells)
        r = len(rows)
        keys = [k.key for k in terms]
        sub: list[Any] = [Paragraph(_muted("Subtotal"), st.cell)]
        for c in VALUE_CYCLES:
            n = sum(m.count(k, c.key) for k in keys)
            sub.append(Paragraph(_muted(str(n)), cell_style))
        sub.append(Paragraph(_muted(str(sum(m.kind_total(k) for k in keys))), cell_style))
        rows.append(sub)
        cmds.append(("LINEABOVE", (0, r), (-1, r), 0.3, style.RULE))
    total: list[Any] = [Paragraph("<b>All entries</b>", st.cell)]
    total += [Paragraph(f"<b>{m.cycle_total(c.key)}</b>", cell_style) for c in VALUE_CYCLES]
    total.append(Paragraph(f"<b>{m.total}</b>", cell_style))
    rows.append(total)
    cmds.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, style.INK))
    table = style.fitted_table(rows, colWidths=[kind_w, *[cycle_w] * len(VALUE_CYCLES), total_w],
                  style=TableStyle(cmds, parent=DATA_TABLE), hAlign="LEFT",
                  repeatRows=1)  # fmt: skip
    legend = " · ".join(f"<b>{escape(_cycle_short(c))}</b>: {escape(c.help.lower())}"
                        for c in VALUE_CYCLES)  # fmt: skip
    # the matrix is read as a whole: never split it across pages
    return [KeepTogether([*story, table, Spacer(1, 6), Paragraph(legend, st.small)])]


def _strength(r: EntryRow) -> tuple[int, int, int]:
    return (_STRENGTH.get(r.cycle, 9), 0 if r.measure_value is not None else 1,
            -r.entry_date.toordinal())  # fmt: skip


def _highlights_section(data: ValuesData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Highlights by kind of value")]
    story.append(Paragraph(escape(
        f"For every kind of value, up to {HIGHLIGHTS_PER_KIND} entries: those that went "
        "furthest through the cycles first (realised, then applied…), then those with a "
        "measure, then the most recent."
    ), st.body))  # fmt: skip
    by_kind: dict[str, list[EntryRow]] = {}
    for entry in data.entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    rows: list[list[Any]] = [[
        Paragraph("Kind of value", st.cell_header),
        Paragraph("Entries", st.cell_header_number),
        Paragraph("Highlights", st.cell_header),
    ]]  # fmt: skip
    cmds: list[tuple[Any, ...]] = []
    for label, terms in _GROUPS:
        r = len(rows)
        rows.append([Paragraph(f"<b>{escape(label)}</b>", st.cell), "", ""])
        cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), style.STRIPE)]
        for k in terms:
            found = sorted(by_kind.get(k.key, []), key=_strength)
            cell: list[Flowable] = []
            for e in found[:HIGHLIGHTS_PER_KIND]:
                meta = [escape(e.cycle_label), long_date(e.entry_date)]
                if e.measure_value is not None:
                    meta.append(f"<b>{escape(_measure(e))}</b>")
                text = f"<b>{escape(e.title)}</b><br/>{_muted(' · '.join(meta), 7.6)}"
                if e.description.strip():
                    text += f"<br/>{escape(_excerpt(e.description))}"
                cell.append(Paragraph(text, ParagraphStyle("hl", parent=st.cell, spaceAfter=4)))
            if not cell:
                cell = [Paragraph(_muted("<i>No entries in this period</i>"), st.cell)]
            rows.append([Paragraph(escape(k.label), st.cell),
                         Paragraph(f"{len(found):,}", st.cell_number), cell])  # fmt: skip
    widths = [width * 0.24, width * 0.10, width * 0.66]
    # a plain Table (12 rows): its split keeps the group rows' spans right
    story.append(style.fitted_table(rows, colWidths=widths,
                                    style=TableStyle(cmds, parent=DATA_TABLE), hAlign="LEFT",
                                    repeatRows=1))  # fmt: skip
    return story


def _stories_section(data: ValuesData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Value-creation stories")]
    if not data.stories:
        story.append(Paragraph(escape("No value-creation stories were recorded for this period."),
                               st.note))  # fmt: skip
        return story
    story.append(Paragraph(escape(
        "Each story follows one thread through the cycles: what happened, what it gave, how "
        "it was applied and what difference it made. Told in full, in cycle order."
    ), st.body))  # fmt: skip
    for s in data.stories:
        story += _one_story(s, width)
    return story


def _one_story(s: StoryView, width: float) -> list[Flowable]:
    st = styles()
    cycles = " → ".join(
        _cycle_short(VALUE_CYCLE_BY_KEY[c]) if c in VALUE_CYCLE_BY_KEY else c for c in s.cycles
    )
    if s.complete:
        state = "followed through to applied or realised value"
    elif s.follow_up_on is not None:
        state = f"still unfolding; follow-up on {long_date(s.follow_up_on)}"
    else:
        state = "still unfolding"
    meta = Paragraph(
        _muted(escape(f"{_plural(len(s.entries), 'entry', 'entries')}"
                      + (f" · {cycles}" if cycles else "") + f" · {state}")), st.base
    )  # fmt: skip
    head: list[Flowable] = [heading(s.title, level=2), meta, Spacer(1, 4)]
    rest: list[Flowable] = []
    if s.expected_ending.strip():
        rest += long_text(s.expected_ending, st.body, prefix="<b>Expected ending:</b>")
    if not s.entries:
        rest.append(Paragraph(escape("No entries have been added to this story yet."), st.note))
    indent = ParagraphStyle("story_body", parent=st.base, leftIndent=8 * mm, fontSize=8.8,
                            leading=12, spaceAfter=3)  # fmt: skip
    step_style = ParagraphStyle("story_step", parent=st.base, leftIndent=8 * mm,
                                spaceBefore=4, spaceAfter=2)  # fmt: skip
    for e in s.entries:
        step = Paragraph(
            f"<font color='{style.ACCENT_DARK.hexval().replace('0x', '#')}'>"
            f"<b>{escape(e.cycle_label)}</b></font> · {escape(long_date(e.entry_date))} · "
            f"<b>{escape(e.title)}</b>",
            step_style,
        )  # fmt: skip
        parts: list[Flowable] = []
        if e.description.strip():
            parts += long_text(e.description, indent)
        parts.append(Paragraph(f"<b>Who benefited:</b> {_beneficiaries(e)} · "
                               f"<b>Kind:</b> {escape(e.kind_label)}", indent))  # fmt: skip
        if e.evidence.strip():
            parts += long_text(e.evidence, indent, prefix="<b>Evidence:</b>")
        extra = []
        if e.measure_value is not None:
            extra.append(f"<b>Measure:</b> {escape(_measure(e))}")
        if e.session_title:
            extra.append(f"<b>From the session:</b> {escape(e.session_title)}")
        if e.function and e.function in FUNCTION_BY_KEY:
            extra.append(f"<b>CoP function:</b> {escape(FUNCTION_BY_KEY[e.function].label)}")
        if extra:
            parts.append(Paragraph(" · ".join(extra), indent))
        rest += [KeepTogether([step, *parts[:1]]), *parts[1:]]
    rule = HRFlowable(width="100%", thickness=0.3, color=style.RULE, spaceBefore=4,
                      spaceAfter=2)  # fmt: skip
    return [KeepTogether([*head, *rest[:1]]), *rest[1:], rule]


def _measures_section(data: ValuesData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Measures")]
    sums = values.measures(data.entries)
    if not sums:
        story.append(Paragraph(escape("No entry in this period carries a measure."), st.note))
        return story
    story.append(Paragraph(escape(
        "Where an entry's evidence carries a number, it is summed here by unit (units that "
        "differ only in capitals are the same)."
    ), st.body))  # fmt: skip
    counts: dict[str, int] = {}
    for r in data.entries:
        if r.measure_value is not None:
            key = r.measure_unit.casefold()
            counts[key] = counts.get(key, 0) + 1
    rows: list[list[Any]] = [[
        Paragraph("Unit", st.cell_header),
        Paragraph("Total", st.cell_header_number),
        Paragraph("Entries", st.cell_header_number),
    ]]  # fmt: skip
    for unit, total in sums.items():
        rows.append([Paragraph(f"<b>{escape(unit)}</b>", st.cell),
                     Paragraph(escape(charts.fmt_number(total)), st.cell_number),
                     Paragraph(f"{counts.get(unit.casefold(), 0):,}", st.cell_number)])  # fmt: skip
    story.append(style.fitted_table(rows, colWidths=[width * 0.5, width * 0.25, width * 0.25],
                       style=FIGURES_TABLE, hAlign="LEFT", repeatRows=1))  # fmt: skip
    return story


def _functions_section(data: ValuesData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Value per CoP function")]
    counts = values.per_function(data.entries)
    if not counts:
        story.append(Paragraph(escape("No value entries in this period."), st.note))
        return story
    story.append(Paragraph(escape(
        "Which of the community's twelve functions produced the value logged in the period "
        "(entries per function, most first)."
    ), st.body))  # fmt: skip
    bars = []
    for key, n in counts.items():
        term = FUNCTION_BY_KEY.get(key)
        label = term.label if term else (key or "No function recorded")
        colour = style.ACCENT if key else style.RULE
        bars.append(charts.Bar(label, n, colour))
    story.append(charts.bar_chart(bars, width * 0.85, bar_height=10, gap=5))
    return story


def _members_section(data: ValuesData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Who benefited")]
    for_org = sum(1 for r in data.entries if r.for_organisation)
    for_members = sum(1 for r in data.entries if r.for_members)
    named = [m for m in data.named_members if m.benefited]
    sentence = (
        f"{_plural(for_members, 'entry', 'entries')} benefited members and "
        f"{_plural(for_org, 'entry', 'entries')} the host organisation. "
        f"{_plural(data.benefited, 'member')} benefited in the period"
    )
    if data.hidden_members:
        sentence += (
            f", among them {_plural(data.hidden_members, 'member')} who did not consent to be "
            "named (counted only)"
        )
    story.append(Paragraph(escape(sentence + "."), st.body))
    if not named:
        return story
    shown = named[:MAX_NAMED_MEMBERS]
    if any(m.contributed for m in data.named_members):
        rows = [[m.name, f"{m.benefited:,}", f"{m.contributed:,}"] for m in shown]
        head = ["Member (named with consent)", "Entries they benefited from",
                "Entries they logged"]  # fmt: skip
        widths = [width * 0.5, width * 0.25, width * 0.25]
    else:  # nobody recorded who logged: no column of zeros
        rows = [[m.name, f"{m.benefited:,}"] for m in shown]
        head = ["Member (named with consent)", "Entries they benefited from"]
        widths = [width * 0.6, width * 0.3]
    story.append(style.data_table(head, rows, widths, numeric=(1, 2)))
    more = len(named) - len(shown)
    hidden = data.hidden_members
    tail = []
    if more:
        tail.append(f"and {_plural(more, 'more named member')}")
    if hidden:
        tail.append(f"and {_plural(hidden, 'member')} who did not consent to be named")
    if tail:
        story.append(Spacer(1, 3))
        story.append(Paragraph(escape(", ".join(tail) + "."), st.small))
    return story
