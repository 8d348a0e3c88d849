"""The fitness report PDF: how healthy the community is, with evidence, and what it will do.

Written for the host and the core group. It prints one assessment (the latest by default):
its date, checklist and who took part; the score of every dimension as a share of the
maximum in red, amber and green bands (a dimension "passes" at green); the trend since the
earlier assessments with the same checklist; the action plan (the agreed actions not done
yet); and every question with its score, evidence (with the sessions and value entries that
back it, deleted ones marked) and agreed action. Questions a newer copdesk no longer asks
still print, marked. A draft is marked as such on the first page and in every page header.

It reads the store only through ``copdesk.data`` queries; participants are named only when
they consented to be named in reports shared with the host (the others are counted).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable
from sqlalchemy.orm import Session

from copdesk.data import communities, fitness, members
from copdesk.data.communities import CommunityInfo
from copdesk.data.fitness import AnswerView, AssessmentView, DimensionScore, Thresholds, TrendPoint
from copdesk.framework import CHECKLIST_BY_KEY, MAX_SCORE, SCORE_SCALE, score_label
from copdesk.reports import charts, style
from copdesk.reports.errors import ReportError
from copdesk.reports.roster import heading_title, long_date, sort_key
from copdesk.reports.style import (
    CALLOUT_TABLE,
    FIGURES_TABLE,
    KEY_VALUE_TABLE,
    ReportDocument,
    data_table,
    escape,
    figure_tiles,
    heading,
    styles,
)

__all__ = [
    "TITLE",
    "FitnessData",
    "build_fitness_pdf",
    "fitness_coverage",
    "fitness_texts",
    "long_text",
    "read_fitness",
]

TITLE = "Fitness report"
MAX_TREND_POINTS = 6  # assessments shown in the trend charts and table
MAX_CELL_TEXT = 700  # longer text in a table cell is shortened (table rows cannot split)
_MUTED_HEX = style.MUTED.hexval().replace("0x", "#")
_WARN_HEX = style.WARN.hexval().replace("0x", "#")
_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")  # fmt: skip
_LINK_KINDS = {"session": "Session", "value": "Value entry"}


# --- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class FitnessData:
    """Everything the fitness report prints, read in one go from the store."""

    community: CommunityInfo
    assessment: AssessmentView
    limits: Thresholds
    #: assessments with the same checklist up to and including this one, oldest first
    history: tuple[TrendPoint, ...]
    named_participants: tuple[str, ...]  # consenting, sorted by name
    hidden_participants: int


def read_fitness(
    session: Session, community_id: int, assessment_id: int | None = None
) -> FitnessData:
    """Read one assessment (the latest by default) for the report; ReportError if none."""
    try:
        community = communities.get_community(session, community_id)
    except LookupError as exc:
        raise ReportError(str(exc)) from exc
    rows = fitness.list_assessments(session, community_id)
    if not rows:
        raise ReportError(
            f"{community.name} has no fitness assessment yet: run one in the Fitness tab first"
        )
    if assessment_id is None:
        chosen = rows[0].id
    elif assessment_id in {r.id for r in rows}:
        chosen = assessment_id
    else:
        known = ", ".join(str(r.id) for r in sorted(rows, key=lambda r: r.id))
        raise ReportError(
            f"no assessment with id {assessment_id} in {community.name} (its assessments: {known})"
        )
    view = fitness.get_assessment(session, chosen)
    history = tuple(
        p
        for p in fitness.trend(session, community_id, view.checklist)
        if (p.held_on, p.assessment_id) <= (view.held_on, view.id)
    )
    people = members.list_members(session, community_id, ids=view.participant_ids)
    named = sorted((p.full_name for p in people if p.consent and not p.erased), key=sort_key)
    return FitnessData(
        community=community,
        assessment=view,
        limits=fitness.thresholds(session, community_id),
        history=history,
        named_participants=tuple(named),
        hidden_participants=len(view.participant_ids) - len(named),
    )


def fitness_texts(data: FitnessData) -> list[str]:
    """Every piece of user text the report prints (for a coverage check before export)."""
    a = data.assessment
    texts = [data.community.name, data.community.domain, a.notes, *data.named_participants]
    for x in a.answers:
        texts += [x.question_text, x.dimension_label, x.evidence, x.action]
        texts += [ln.label for ln in x.links]
    return texts


def fitness_coverage(
    session: Session, community_id: int, assessment_id: int | None = None
) -> style.Coverage:
    """Which characters of the report would not print (for a warning before export)."""
    return style.check_coverage(fitness_texts(read_fitness(session, community_id, assessment_id)))


# --- the public entry point ------------------------------------------------------------------
def build_fitness_pdf(
    session: Session,
    community_id: int,
    out: Path,
    *,
    assessment_id: int | None = None,
    invariant: bool = False,
    today: dt.date | None = None,
) -> Path:
    """Write the fitness report of one assessment (the latest by default) to ``out``.

    The file is written atomically; any failure raises :class:`ReportError` with a message
    for the user and leaves nothing (and any earlier file at ``out`` untouched): also when
    the community has no assessment or ``assessment_id`` is not one of its assessments.
    ``invariant`` makes the bytes depend only on the data and ``today``, for tests.
    """
    data = read_fitness(session, community_id, assessment_id)
    prepared_on = today or dt.date.today()
    title = TITLE + (" (draft)" if data.assessment.is_draft else "")

    def build(path: Path) -> None:
        doc = ReportDocument(
            path,
            title=title,
            community=data.community.name,
            subject=(
                f"{data.assessment.checklist_label} of a Community of Practice, "
                f"{long_date(data.assessment.held_on)}"
            ),
            prepared_on=prepared_on,
            invariant=invariant,
            keywords=("community of practice", "fitness", data.assessment.checklist_label),
        )
        doc.build(_story(data, doc.width))

    return style.write_pdf_atomically(out, build)


# --- text helpers (shared with the value report) ---------------------------------------------
def _muted(markup: str, size: float | None = None) -> str:
    sized = f" size={size}" if size else ""
    return f"<font color='{_MUTED_HEX}'{sized}>{markup}</font>"


def long_text(text: str, para_style: ParagraphStyle, *, prefix: str = "", suffix: str = "",
              chunk: int = 1200) -> list[Paragraph]:  # fmt: skip
    """User text of any length as paragraphs that flow across pages.

    Blank lines start a new paragraph; line breaks are kept. Very long paragraphs are cut
    at a space into pieces of about ``chunk`` characters (set without space between them,
    so they read as one), which ReportLab lays out quickly and can always split: even
    100,000 characters never make a paragraph taller than a page. ``prefix`` is markup
    put before the first piece (e.g. ``<b>Evidence:</b>``), ``suffix`` after the last.
    """
    pieces: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        if not block.strip():
            continue
        rest = block.strip()
        while len(rest) > chunk:
            cut = rest.rfind(" ", chunk // 2, chunk)
            if cut <= 0:
                cut = rest.rfind("\n", chunk // 2, chunk)
            if cut <= 0:
                cut = chunk
            pieces.append("\x00" + rest[:cut])  # "\x00": continues on the next piece
            rest = rest[cut:].lstrip(" ")
        pieces.append(rest)
    if not pieces:
        return []
    joined = ParagraphStyle(para_style.name + "_joined", parent=para_style, spaceAfter=0)
    after_join = ParagraphStyle(para_style.name + "_cont", parent=para_style, spaceBefore=0)
    cont_joined = ParagraphStyle(para_style.name + "_cont_joined", parent=joined, spaceBefore=0)
    out: list[Paragraph] = []
    previous_joins = False
    for i, piece in enumerate(pieces):
        joins = piece.startswith("\x00")
        body = piece.removeprefix("\x00")
        markup = escape(body, newlines=True)
        if i == 0 and prefix:
            markup = f"{prefix} {markup}"
        if i == len(pieces) - 1 and suffix:
            markup = f"{markup} {suffix}"
        if joins:
            chosen = cont_joined if previous_joins else joined
        else:
            chosen = after_join if previous_joins else para_style
        out.append(Paragraph(markup, chosen))
        previous_joins = joins
    return out


def _names(named: Sequence[str], hidden: int, *, what: str = "member") -> str:
    """``Ana, Bo and 2 members who did not consent to be named`` as safe markup."""
    parts = [escape(n) for n in named]
    if hidden:
        many = f"{what}s" if hidden != 1 else what
        parts.append(_muted(f"{hidden:,} {many} who did not consent to be named"))
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a space with an ellipsis (line breaks kept)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


def _short_date(day: dt.date) -> str:
    return f"{_SHORT_MONTHS[day.month - 1]} {day.year}"


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _band_phrase(band: str) -> str:
    return {"green": "green: passes", "amber": "amber", "red": "red", "none": "not assessed"}[band]


def _limits_sentence(limits: Thresholds) -> str:
    return (
        f"Red below {limits.amber_from}%, amber from {limits.amber_from}%, green from "
        f"{limits.green_from}% of the maximum score. A dimension passes at green."
    )


# --- the story -------------------------------------------------------------------------------
def _story(data: FitnessData, width: float) -> list[Flowable]:
    story: list[Flowable] = []
    story += _cover(data, width)
    story += _scores_section(data, width)
    story += _trend_section(data, width)
    story += _action_plan(data, width)
    story += _questions_section(data, width)
    return story


def _cover(data: FitnessData, width: float) -> list[Flowable]:
    st = styles()
    a = data.assessment
    kicker = TITLE.upper() + (" · DRAFT" if a.is_draft else "")
    story: list[Flowable] = [
        Paragraph(escape(kicker), st.kicker),
        heading_title(data.community.name),
    ]
    if data.community.domain.strip():
        story += long_text(data.community.domain, st.lead)
    if a.is_draft:
        missing = a.unanswered
        text = (
            "<b>Draft.</b> This assessment has not been marked final yet"
            + (f": {missing:,} of {len(a.answers):,} questions are not assessed" if missing
               else "")
            + ". Scores may still change."
        )  # fmt: skip
        story.append(Table([[Paragraph(text, st.base)]], colWidths=[width], style=CALLOUT_TABLE,
                           hAlign="LEFT"))  # fmt: skip
        story.append(Spacer(1, 8))
    checklist = CHECKLIST_BY_KEY.get(a.checklist)
    checklist_text = escape(a.checklist_label)
    if checklist is not None and checklist.help:
        checklist_text += _muted(f" · {escape(checklist.help)}")
    took_part = _names(data.named_participants, data.hidden_participants) or _muted(
        "Not recorded"
    )
    facts: list[tuple[str, str]] = [
        ("Assessment", escape(f"{long_date(a.held_on)} · {'draft' if a.is_draft else 'final'}")),
        ("Checklist", checklist_text),
        ("Took part", took_part),
        ("Bands", escape(_limits_sentence(data.limits))),
    ]
    story.append(style.fitted_table(
        [[Paragraph(escape(k), st.label), Paragraph(v, st.base)] for k, v in facts],
        colWidths=[width * 0.2, width * 0.8], style=KEY_VALUE_TABLE, hAlign="LEFT",
    ))  # fmt: skip
    story.append(Spacer(1, 14))
    passing = sum(1 for d in a.dimensions if d.passes)
    open_actions = sum(1 for x in a.answers if x.action and not x.action_done)
    story.append(figure_tiles([
        (_pct(a.overall), f"overall ({charts.BAND_WORDS[a.overall_band]})"),
        (f"{passing} of {len(a.dimensions)}", "dimensions pass"),
        (f"{len(a.answers) - a.unanswered} of {len(a.answers)}", "questions assessed"),
        (f"{open_actions:,}", "open actions"),
    ], width))  # fmt: skip
    if a.notes.strip():
        story.append(Spacer(1, 10))
        story += long_text(a.notes, st.body, prefix="<b>Notes:</b>")
    return story


def _scores_section(data: FitnessData, width: float) -> list[Flowable]:
    st = styles()
    a = data.assessment
    limits = data.limits
    story: list[Flowable] = [heading("Scores by dimension")]
    story.append(Paragraph(escape(
        f"Each dimension's score is the share of the maximum ({MAX_SCORE} points a question) "
        "over the questions assessed. " + _limits_sentence(limits)
    ), st.body))  # fmt: skip
    bars = [
        charts.Bar(
            d.label,
            None if d.share is None else d.share * 100,
            charts.BAND_COLOURS[d.band],
            text=("Not assessed" if d.share is None
                  else f"{_pct(d.share)} · {charts.BAND_WORDS[d.band]}"),
        )
        for d in a.dimensions
    ]  # fmt: skip
    bars.append(charts.Bar(
        "Overall", None if a.overall is None else a.overall * 100,
        charts.BAND_COLOURS[a.overall_band],
        text=("Not assessed" if a.overall is None
              else f"{_pct(a.overall)} · {charts.BAND_WORDS[a.overall_band]}"),
    ))  # fmt: skip
    chart = charts.bar_chart(
        bars,
        width,
        maximum=100,
        marks=[
            charts.Mark(limits.amber_from, f"amber {limits.amber_from}%", style.INK),
            charts.Mark(limits.green_from, f"pass {limits.green_from}%", style.INK),
        ],
        ticks=(0, 25, 50, 75, 100),
        axis_format=charts.fmt_percent,
        bar_height=12,
    )
    story.append(Spacer(1, 4))
    story.append(chart)
    story.append(Spacer(1, 8))
    story.append(_dimension_table(a.dimensions, a, width))
    return story


def _dimension_table(dims: Sequence[DimensionScore], a: AssessmentView, width: float) -> Table:
    st = styles()
    head = ["Dimension", "Points", "Share of maximum", "Band", "Questions assessed"]
    numeric = {1, 2, 4}
    rows: list[list[Any]] = [[
        Paragraph(escape(h), st.cell_header_number if i in numeric else st.cell_header)
        for i, h in enumerate(head)
    ]]  # fmt: skip
    for d in dims:
        rows.append([
            Paragraph(f"<b>{escape(d.label)}</b>", st.cell),
            Paragraph(f"{d.points} of {d.assessed * MAX_SCORE}" if d.assessed else "–",
                      st.cell_number),
            Paragraph(_pct(d.share), st.cell_number),
            Paragraph(escape(_band_phrase(d.band)), st.cell),
            Paragraph(f"{d.assessed} of {d.questions}", st.cell_number),
        ])  # fmt: skip
    points = sum(d.points for d in dims)
    assessed = sum(d.assessed for d in dims)
    rows.append([
        Paragraph("<b>Overall</b>", st.cell),
        Paragraph(f"<b>{points} of {assessed * MAX_SCORE}</b>" if assessed else "–",
                  st.cell_number),
        Paragraph(f"<b>{_pct(a.overall)}</b>", st.cell_number),
        Paragraph(escape(_band_phrase(a.overall_band)), st.cell),
        Paragraph(f"{assessed} of {len(a.answers)}", st.cell_number),
    ])  # fmt: skip
    table_style = TableStyle(
        [("LINEABOVE", (0, -1), (-1, -1), 0.8, style.INK),
         ("BACKGROUND", (0, -1), (-1, -1), style.colors.white)],
        parent=FIGURES_TABLE,
    )  # fmt: skip
    for i, d in enumerate(dims, start=1):
        table_style.add("LINEBEFORE", (0, i), (0, i), 3, charts.BAND_COLOURS[d.band])
    widths = [width * f for f in (0.38, 0.13, 0.17, 0.16, 0.16)]
    return style.fitted_table(rows, colWidths=widths, style=table_style, hAlign="LEFT",
                              repeatRows=1)  # fmt: skip


def _trend_section(data: FitnessData, width: float) -> list[Flowable]:
    st = styles()
    a = data.assessment
    story: list[Flowable] = [heading("Trend")]
    points = list(data.history)
    if len(points) < 2:
        story.append(Paragraph(escape(
            f"This is the community's first assessment with the {a.checklist_label.lower()}; "
            "the trend starts with the next one."
        ), st.note))  # fmt: skip
        return story
    earlier = len(points) - 1
    shown = points[-MAX_TREND_POINTS:]
    intro = (
        f"{a.checklist_label} scores across {len(points)} assessments, from "
        f"{long_date(points[0].held_on)} to {long_date(points[-1].held_on)}"
        f" ({earlier} earlier one{'s' if earlier != 1 else ''})."
    )
    if len(points) > len(shown):
        intro += f" The charts and table show the latest {len(shown)}."
    intro += " Shading marks the red, amber and green bands."
    story.append(Paragraph(escape(intro), st.body))
    categories = [_short_date(p.held_on) for p in shown]
    limits = data.limits
    bands = [
        charts.Band(0, limits.amber_from, charts.BAND_TINTS["red"]),
        charts.Band(limits.amber_from, limits.green_from, charts.BAND_TINTS["amber"]),
        charts.Band(limits.green_from, 100, charts.BAND_TINTS["green"]),
    ]
    series: list[tuple[str, list[float | None]]] = [
        ("Overall", [None if p.overall is None else p.overall * 100 for p in shown])
    ]
    for d in a.dimensions:
        values = [p.dimensions.get(d.key) for p in shown]
        series.append((d.label, [None if v is None else v * 100 for v in values]))
    columns = 2 if len(series) <= 4 else 3
    cell = charts.cell_width(width, columns)
    drawings = [
        charts.line_chart(
            categories,
            [charts.Series(name, values, style.ACCENT if i else style.INK)],
            cell,
            46 * mm if columns == 2 else 40 * mm,
            maximum=100,
            title=name,
            value_format=charts.fmt_percent,
            bands=bands,
            ticks=(0, 50, 100),
            axis_format=charts.fmt_percent,
            title_lines=max(_title_lines(n, cell) for n, _ in series),
        )
        for i, (name, values) in enumerate(series)
    ]
    grid = charts.small_multiples(drawings, width, columns)
    # the heading and its sentence never stay behind at the foot of a page
    return [KeepTogether([*story, grid]), _trend_table(series, shown, width)]


def _title_lines(title: str, width: float) -> int:
    return len(simpleSplit(" ".join(title.split()), style.FONT_BOLD, 8.5, width))


def _trend_table(series: Sequence[tuple[str, Sequence[float | None]]],
                 shown: Sequence[TrendPoint], width: float) -> Flowable:  # fmt: skip
    head = ["Dimension", *[p.held_on.isoformat() for p in shown], "Change"]
    rows: list[list[Any]] = []
    st = styles()
    for name, values in [*series[1:], series[0]]:
        change = "–"
        if len(values) >= 2 and values[-1] is not None and values[-2] is not None:
            delta = round(values[-1]) - round(values[-2])
            change = "no change" if delta == 0 else f"{delta:+d} pts".replace("-", "−")
        cells: list[Any] = [Paragraph(f"<b>{escape(name)}</b>", st.cell)]
        cells += [Paragraph("–" if v is None else f"{round(v)}%", st.cell_number) for v in values]
        cells.append(Paragraph(escape(change), st.cell_number))
        rows.append(cells)
    first = width * 0.30
    rest = (width - first) / (len(shown) + 1)
    widths = [first, *[rest] * (len(shown) + 1)]
    table = data_table(head, rows, widths, numeric=range(1, len(head)))
    note = Paragraph(escape(
        "Change: percentage points since the assessment before this one."
    ), st.small)  # fmt: skip
    return KeepTogether([Spacer(1, 4), table, Spacer(1, 3), note])


def _action_plan(data: FitnessData, width: float) -> list[Flowable]:
    st = styles()
    a = data.assessment
    story: list[Flowable] = [heading("Action plan")]
    agreed = [x for x in a.answers if x.action]
    open_ = [x for x in agreed if not x.action_done]
    done = len(agreed) - len(open_)
    if not agreed:
        story.append(Paragraph(escape("No actions were agreed in this assessment."), st.note))
        return story
    summary = f"{len(open_):,} open action{'s' if len(open_) != 1 else ''}"
    if done:
        summary += f"; {done:,} already done (listed with their question below)"
    story.append(Paragraph(escape(summary + "."), st.body))
    if not open_:
        return story
    rows: list[list[Any]] = []
    for i, x in enumerate(open_, start=1):
        question = f"{escape(x.question_text)}<br/>{_muted(escape(x.dimension_label), 7.4)}"
        action = escape(_shorten(x.action, MAX_CELL_TEXT), newlines=True)
        if len(x.action) > MAX_CELL_TEXT:
            action += " " + _muted("<i>(in full with its question below)</i>")
        rows.append([Paragraph(f"{i}", st.cell_number), Paragraph(action, st.cell),
                     Paragraph(question, st.cell)])  # fmt: skip
    widths = [width * 0.06, width * 0.52, width * 0.42]
    story.append(data_table(["#", "Agreed action", "For the question"], rows, widths,
                            numeric=(0,)))  # fmt: skip
    return story


def _questions_section(data: FitnessData, width: float) -> list[Flowable]:
    st = styles()
    a = data.assessment
    story: list[Flowable] = [CondPageBreak(60 * mm), heading("Questions, evidence and actions")]
    story.append(Paragraph(escape(
        "Every question with its score ("
        + ", ".join(f"{n} {label.lower()}" for n, label in SCORE_SCALE)
        + ", or not assessed), the evidence behind it and the action agreed."
    ), st.body))  # fmt: skip
    by_dim: dict[str, list[AnswerView]] = {}
    for x in a.answers:
        by_dim.setdefault(x.dimension_key, []).append(x)
    for d in a.dimensions:
        title = f"{d.label} · {_pct(d.share)}" + (
            f" · {charts.BAND_WORDS[d.band]}" if d.share is not None else " · not assessed")
        story.append(heading(title, level=2))
        for x in by_dim.get(d.key, []):
            story += _question(x, width)
    return story


def _question(x: AnswerView, width: float) -> list[Flowable]:
    st = styles()
    badge_w = 26 * mm
    body_w = width - badge_w
    indent = ParagraphStyle("q_body", parent=st.base, leftIndent=badge_w, fontSize=8.8,
                            leading=12, spaceAfter=3)  # fmt: skip
    if x.score is None:
        badge = Paragraph(_muted("Not assessed"), st.cell)
    else:
        dots = "".join("●" if i < x.score else "○" for i in range(MAX_SCORE))
        badge = Paragraph(
            f"<b><font size=11>{x.score}</font></b>{_muted(f' of {MAX_SCORE}')} "
            f"<font size=7.5>{dots}</font><br/>{escape(score_label(x.score))}",
            st.cell,
        )
    question = f"<b>{escape(x.question_text)}</b>"
    if x.retired:
        question += " " + _muted("<i>(no longer in the checklist)</i>", 7.6)
    header = Table(
        [[badge, Paragraph(question, ParagraphStyle("q", parent=st.base, leading=12.5))]],
        colWidths=[badge_w, body_w],
        style=TableStyle([
            *style.LAYOUT_TABLE.getCommands(),
            ("LEFTPADDING", (0, 0), (0, 0), 6),
            ("LINEBEFORE", (0, 0), (0, 0), 2.5,
             charts.BAND_COLOURS["none"] if x.score is None else style.ACCENT),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]),
        hAlign="LEFT",
    )  # fmt: skip
    parts: list[Flowable] = []
    if x.evidence.strip():
        parts += long_text(x.evidence, indent, prefix="<b>Evidence:</b>")
    else:
        parts.append(Paragraph(f"<b>Evidence:</b> {_muted('<i>none recorded</i>')}", indent))
    if x.links:
        links = []
        for ln in x.links:
            kind = _LINK_KINDS.get(ln.kind, ln.kind)
            if ln.exists:
                links.append(f"{escape(kind)}: {escape(ln.label)}")
            else:
                links.append(_muted(f"<i>{escape(kind)}: (deleted) {escape(ln.label)}</i>"))
        parts.append(Paragraph("<b>Backed by:</b> " + "; ".join(links), indent))
    if x.action.strip():
        status = _muted("<i>(done)</i>") if x.action_done else ""
        parts += long_text(x.action, indent, prefix="<b>Agreed action:</b>", suffix=status)
    rule = HRFlowable(width="100%", thickness=0.3, color=style.RULE, spaceBefore=3,
                      spaceAfter=6)  # fmt: skip
    head = [header, *parts[:1]]
    return [KeepTogether(head), *parts[1:], rule]
