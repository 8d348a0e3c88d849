"""The two session PDFs: the run sheet for the room and the summary for after the meeting.

- The **run sheet** is what a facilitator holds in the room (A4, readable at arm's length):
  the session header, the agenda with clock times, lengths, CoP functions (with the deck's
  guiding question), methods, owners and materials, the total against the planned length
  with any overrun marked, and ruled space for notes. It is an internal working paper, so
  block owners and facilitators are named as in the app.
- The **session summary** may go to the host: attendance (members who consented to be
  named by name and role, the others only counted), outcomes, decisions, resources
  created, the follow-up actions (overdue ones marked) and the agenda as held, in brief.
  Nobody who did not consent is named in it: not as attendee, facilitator or owner.

Both read the store only through ``copdesk.data`` queries and share the one report style
(:mod:`copdesk.reports.style`) with the roster: fonts, escaping, header and footer,
metadata, bookmarks and atomic writing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from copdesk.data import communities, members, session_queries, sessions
from copdesk.data.agenda import AgendaSummary, Timing, fmt_minutes
from copdesk.data.communities import CommunityInfo
from copdesk.data.session_queries import Outcomes
from copdesk.data.sessions import ActionRow, AttendanceRow, BlockRow, SessionRow
from copdesk.framework import (
    ACTION_STATUSES,
    ATTENDANCE_ROLES,
    FUNCTION_BY_KEY,
    FUNCTIONS,
    SESSION_MODES,
    SESSION_SPACES,
    Term,
    method_label,
    term_label,
)
from copdesk.reports import style
from copdesk.reports.errors import ReportError
from copdesk.reports.roster import long_date, sort_key
from copdesk.reports.style import (
    CALLOUT_TABLE,
    KEY_VALUE_TABLE,
    ReportDocument,
    data_table,
    escape,
    figure_tiles,
    heading,
    styles,
)

__all__ = [
    "KINDS",
    "NotesLines",
    "SessionReportData",
    "build_session_pdf",
    "read_session_report",
    "session_report_coverage",
    "session_report_texts",
]

#: The report kinds, with the title each prints.
KINDS: dict[str, str] = {"runsheet": "Run sheet", "summary": "Session summary"}
NONE = "—"  # an empty cell: no owner, no function, no due date
_WARN_HEX = style.WARN.hexval().replace("0x", "#")
_MUTED_HEX = style.MUTED.hexval().replace("0x", "#")
#: the order of roles in the summary's list of who attended
_ROLE_ORDER = {"facilitator": 0, "presenter": 1, "participant": 2, "guest": 3}


# --- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionReportData:
    """Everything both session reports print, read in one go from the store."""

    info: SessionRow
    community: CommunityInfo
    blocks: tuple[BlockRow, ...]
    agenda: AgendaSummary
    attendance: tuple[AttendanceRow, ...]
    actions: tuple[ActionRow, ...]
    outcomes: Outcomes
    #: the facilitators as (name, consented to be named), sorted by name
    facilitators: tuple[tuple[str, bool], ...]
    #: member id -> consented to be named in reports shared with the host
    consent: dict[int, bool]


def read_session_report(
    session: Session, session_id: int, *, today: dt.date | None = None
) -> SessionReportData:
    """Read a session for its reports; LookupError("no session with id N") if missing."""
    info = sessions.get_session(session, session_id)
    blocks = sessions.list_blocks(session, session_id)
    attendance = sessions.list_attendance(session, session_id)
    actions = sessions.list_actions(
        session, info.community_id, session_id=session_id, today=today or dt.date.today()
    )
    facilitator_ids = sessions.session_data(session, session_id).facilitator_ids
    people = {b.owner_id for b in blocks if b.owner_id is not None}
    people |= {a.owner_id for a in actions if a.owner_id is not None}
    people |= set(facilitator_ids)
    rows = members.list_members(session, info.community_id, ids=sorted(people))
    consent = {r.id: r.consent and not r.erased for r in rows}
    consent.update({a.member_id: a.consent for a in attendance})
    by_id = {r.id: r for r in rows}
    facilitators = sorted(
        ((by_id[m].full_name, consent.get(m, False)) for m in facilitator_ids if m in by_id),
        key=lambda pair: sort_key(pair[0]),
    )
    return SessionReportData(
        info=info,
        community=communities.get_community(session, info.community_id),
        blocks=tuple(blocks),
        agenda=sessions.agenda_summary(session, session_id),
        attendance=tuple(attendance),
        actions=tuple(actions),
        outcomes=session_queries.get_outcomes(session, session_id),
        facilitators=tuple(facilitators),
        consent=consent,
    )


def session_report_texts(data: SessionReportData, kind: str = "runsheet") -> list[str]:
    """Every piece of user text the report of ``kind`` prints (for a coverage check)."""
    s = data.info
    texts = [data.community.name, s.title, s.purpose, s.location, s.series_title]
    for b in data.blocks:
        texts += [b.title, b.method, b.materials, b.notes, b.owner_name]
    if kind == "runsheet":
        texts += [name for name, _ in data.facilitators]
        return texts
    texts += [name for name, ok in data.facilitators if ok]
    texts += [a.full_name for a in data.attendance if a.consent]
    o = data.outcomes
    texts += [o.notes, o.decisions, o.resources]
    for act in data.actions:
        texts += [act.title, act.notes]
        if act.owner_id is not None and data.consent.get(act.owner_id, False):
            texts.append(act.owner_name)
    return texts


def session_report_coverage(
    session: Session, session_id: int, kind: str = "runsheet"
) -> style.Coverage:
    """Which characters of the report would not print (for a warning before export)."""
    return style.check_coverage(session_report_texts(read_session_report(session, session_id),
                                                     kind))  # fmt: skip


# --- the public entry point ------------------------------------------------------------------
def build_session_pdf(
    session: Session,
    session_id: int,
    out: Path,
    *,
    kind: str = "runsheet",
    invariant: bool = False,
    today: dt.date | None = None,
) -> Path:
    """Write the run sheet (``kind="runsheet"``) or the session summary (``"summary"``).

    The file is written atomically; any failure raises :class:`ReportError` with a message
    for the user and leaves nothing (and any earlier file at ``out`` untouched).
    ``invariant`` makes the bytes depend only on the data and ``today``, for tests.
    """
    if kind not in KINDS:
        known = ", ".join(f'"{k}"' for k in KINDS)
        raise ReportError(f"unknown session report {kind!r}: choose one of {known}")
    prepared_on = today or dt.date.today()
    try:
        data = read_session_report(session, session_id, today=prepared_on)
    except LookupError as exc:
        raise ReportError(f"no session with id {session_id}") from exc
    title = f"{KINDS[kind]}: {_shorten(data.info.title, 60)}"

    def build(path: Path) -> None:
        doc = ReportDocument(
            path,
            title=title,
            community=data.community.name,
            subject=(
                "Run sheet for a Community of Practice session"
                if kind == "runsheet"
                else "Summary of a Community of Practice session: attendance, outcomes, actions"
            ),
            prepared_on=prepared_on,
            invariant=invariant,
            keywords=("community of practice", "session", KINDS[kind].lower()),
        )
        story = (
            _runsheet_story(data, doc.width)
            if kind == "runsheet"
            else _summary_story(data, doc.width, prepared_on)
        )
        doc.build(story)

    return style.write_pdf_atomically(out, build)


# --- small helpers ---------------------------------------------------------------------------
def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _join(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (parts are already markup)."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _term(terms: tuple[Term, ...], key: str) -> Term | None:
    return next((t for t in terms if t.key == key), None)


def _clock(moment: dt.datetime) -> str:
    return f"{moment:%H:%M}"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _full_date(day: dt.date) -> str:
    """``Tuesday 3 March 2025``, whatever the system's locale."""
    return f"{_WEEKDAYS[day.weekday()]} {long_date(day)}"


def _zone_label(info: SessionRow) -> str:
    """``CEST, Europe/Berlin`` (or just ``UTC``); the raw name if the zone is unknown."""
    try:
        abbrev = info.starts_at.replace(tzinfo=ZoneInfo(info.time_zone)).tzname() or ""
    except (ZoneInfoNotFoundError, ValueError):
        return info.time_zone
    name = info.time_zone.replace("_", " ")  # Africa/Dar es Salaam
    if not abbrev or abbrev == info.time_zone or abbrev.lstrip("+-").isdigit():
        return name
    return f"{abbrev}, {name}"


def _day_offset(start: dt.datetime, moment: dt.datetime) -> str:
    days = (moment.date() - start.date()).days
    return f" (+{days} day{'s' if days > 1 else ''})" if days > 0 else ""


def _when(info: SessionRow) -> str:
    """``Tuesday 17 June 2025 · 14:00–16:00 (EAT, Africa/Nairobi) · 2 h``."""
    end = info.ends_at
    return (
        f"{_full_date(info.starts_at.date())} · "
        f"{_clock(info.starts_at)}–{_clock(end)}{_day_offset(info.starts_at, end)} "
        f"({_zone_label(info)}) · {fmt_minutes(info.planned_minutes)}"
    )


def _where(info: SessionRow) -> str:
    mode = term_label(SESSION_MODES, info.mode)
    return f"{mode} · {info.location}" if info.location.strip() else mode


def _space(info: SessionRow) -> str:
    term = _term(SESSION_SPACES, info.space)
    if term is None:
        return info.space
    return f"{term.label}: {term.help.lower()}" if term.help else term.label


def _muted(markup: str, size: float | None = None) -> str:
    sized = f" size={size}" if size else ""
    return f"<font color='{_MUTED_HEX}'{sized}>{markup}</font>"


def _warn(markup: str) -> str:
    return f"<font color='{_WARN_HEX}'><b>{markup}</b></font>"


# --- notes space -----------------------------------------------------------------------------
class NotesLines(Flowable):
    """Ruled lines for handwritten notes, filling the rest of the frame.

    At least ``min_lines`` lines; put a ``CondPageBreak`` before it (and its heading) so a
    page with less room than that starts the notes on a fresh page. (A candidate for
    ``style.py`` if other reports want handwriting space too.)
    """

    def __init__(self, *, spacing: float = 8 * mm, min_lines: int = 8,
                 max_lines: int = 40) -> None:  # fmt: skip
        super().__init__()
        self.spacing = spacing
        self.min_lines = min_lines
        self.max_lines = max_lines
        self.lines = min_lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        fit = int(availHeight // self.spacing)
        self.lines = max(self.min_lines, min(self.max_lines, fit))
        self.width, self.height = availWidth, self.lines * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(style.RULE)
        canv.setLineWidth(0.6)
        for i in range(self.lines):
            y = self.height - (i + 1) * self.spacing
            canv.line(0, y, self.width, y)
        canv.restoreState()


# --- styles for the room (bigger than the shared cell text) ---------------------------------
@dataclass(frozen=True)
class _RoomStyles:
    fact: ParagraphStyle
    time: ParagraphStyle
    time_small: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    header: ParagraphStyle
    header_number: ParagraphStyle
    number: ParagraphStyle
    total: ParagraphStyle


def _room_styles() -> _RoomStyles:
    st = styles()
    cell = ParagraphStyle("room_cell", parent=st.cell, fontSize=9.2, leading=11.8)
    header = ParagraphStyle("room_header", parent=st.cell_header, fontSize=9, leading=11.5)
    return _RoomStyles(
        fact=ParagraphStyle("room_fact", parent=st.base, fontSize=10.5, leading=14),
        time=ParagraphStyle(
            "room_time", parent=cell, fontName=style.FONT_BOLD, fontSize=11.5, leading=14
        ),
        time_small=ParagraphStyle("room_time_small", parent=cell, fontSize=8.6, leading=10.6),
        title=ParagraphStyle(
            "room_title", parent=cell, fontName=style.FONT_BOLD, fontSize=10, leading=12.6
        ),
        cell=cell,
        small=ParagraphStyle(
            "room_small", parent=cell, fontSize=7.4, leading=9.2, textColor=style.MUTED
        ),
        header=header,
        header_number=ParagraphStyle("room_header_n", parent=header, alignment=TA_RIGHT),
        number=ParagraphStyle(
            "room_number", parent=cell, alignment=TA_RIGHT, fontSize=10, leading=13
        ),
        total=ParagraphStyle("room_total", parent=st.base, fontSize=10.5, leading=14),
    )


# --- the shared session header ---------------------------------------------------------------
def _header(data: SessionReportData, kind: str, width: float, *,
            facilitators: str) -> list[Flowable]:  # fmt: skip
    st = styles()
    info = data.info
    fact = _room_styles().fact if kind == "runsheet" else st.base
    kicker = [KINDS[kind].upper(), data.community.name]
    if info.series_title:
        kicker.append(f"Series: {info.series_title}")
    story: list[Flowable] = [
        Paragraph(escape(" · ".join(kicker)), st.kicker),
        _title(info.title),
    ]
    if info.purpose.strip():
        story.append(Paragraph(escape(info.purpose, newlines=True), st.lead))
    label_w, gap = 22 * mm, 4 * mm
    value_w = (width - 2 * label_w - gap) / 2

    def label(text: str) -> Paragraph:
        return Paragraph(escape(text), st.label)

    rows: list[list[Any]] = [
        [label("When"), Paragraph(escape(_when(info)), fact), "", "", ""],
        [label("Where"), Paragraph(escape(_where(info)), fact), "", "", ""],
        [label("Facilitators"), Paragraph(facilitators, fact), "",
         label("Space"), Paragraph(escape(_space(info)), fact)],
    ]  # fmt: skip
    table_style = TableStyle(
        [("LINEBELOW", (2, 0), (2, -1), 0, style.colors.white),
         ("LEFTPADDING", (3, 0), (3, -1), 0),
         ("SPAN", (1, 0), (4, 0)),
         ("SPAN", (1, 1), (4, 1))],
        parent=KEY_VALUE_TABLE,
    )  # fmt: skip
    story.append(Spacer(1, 4))
    story.append(style.fitted_table(rows, colWidths=[label_w, value_w, gap, label_w, value_w],
                       style=table_style, hAlign="LEFT"))  # fmt: skip
    if info.status == "cancelled":
        story.append(Spacer(1, 8))
        story.append(_callout("This session was cancelled.", width))
    return story


def _title(text: str) -> Paragraph:
    """The session's title as the document title, also the first outline entry."""
    head = heading(text, level=1)
    para = type(head)(head.text, ParagraphStyle("session_title", parent=styles().title,
                                                fontSize=17, leading=21))  # fmt: skip
    para.outline_title, para.outline_level = head.outline_title, head.outline_level
    return para


def _callout(markup: str, width: float, *, warn: bool = True) -> Table:
    st = _room_styles()
    table_style = CALLOUT_TABLE if warn else TableStyle(
        [("BACKGROUND", (0, 0), (-1, -1), style.STRIPE),
         ("LINEBEFORE", (0, 0), (0, -1), 3, style.ACCENT)],
        parent=CALLOUT_TABLE,
    )  # fmt: skip
    return Table([[Paragraph(markup, st.total)]], colWidths=[width], style=table_style,
                 hAlign="LEFT")  # fmt: skip


def _overrun_markup(agenda: AgendaSummary, info: SessionRow) -> str:
    if not agenda.timings:
        return ""
    end = agenda.timings[-1].end
    planned_end = info.ends_at
    if agenda.is_over:
        return (
            f"{_warn('Over time:')} {escape(agenda.message())}. The agenda ends at "
            f"<b>{_clock(end)}</b>{_day_offset(info.starts_at, end)}, "
            f"{fmt_minutes(agenda.overrun_minutes)} after the planned end at "
            f"{_clock(planned_end)}{_day_offset(info.starts_at, planned_end)}. "
            "Shorten or drop a block, or agree the extra time with the group at the start."
        )
    ending = f"The agenda ends at <b>{_clock(end)}</b>{_day_offset(info.starts_at, end)}"
    if agenda.spare_minutes:
        ending += f"; the slot ends at {_clock(planned_end)}"
    return f"<b>Total:</b> {escape(agenda.message())}. {ending}."


# --- the run sheet ---------------------------------------------------------------------------
def _runsheet_story(data: SessionReportData, width: float) -> list[Flowable]:
    names = [escape(name) for name, _ in data.facilitators]
    story = _header(data, "runsheet", width,
                    facilitators=_join(names) or _muted("None recorded"))  # fmt: skip
    story.append(_agenda_heading(data.agenda))
    if not data.blocks:
        story.append(Paragraph(escape("No agenda blocks have been planned yet."),
                               styles().note))  # fmt: skip
    else:
        story.append(_agenda_table(data, width))
        story.append(Spacer(1, 6))
        story.append(_callout(_overrun_markup(data.agenda, data.info), width,
                              warn=data.agenda.is_over))  # fmt: skip
    story += _notes_space()
    return story


def _agenda_heading(agenda: AgendaSummary) -> Paragraph:
    """ "Agenda", with the total against the planned length beside it (overruns in colour).

    The total also closes the table, but a long agenda may push that onto the next page;
    here it is seen first.
    """
    head = heading("Agenda")
    text = head.text
    total = fmt_minutes(agenda.total_minutes)
    planned = fmt_minutes(agenda.planned_minutes)
    if agenda.is_over:
        over = fmt_minutes(agenda.overrun_minutes)
        note = f"{total}: {over} over the planned {planned}"
        text += f"<font size=10.5 color='{_WARN_HEX}'>&#160;&#160; {note}</font>"
    elif agenda.timings:
        text += (
            f"<font size=10.5 color='{_MUTED_HEX}'>&#160;&#160; {total} of {planned} planned</font>"
        )
    para = type(head)(
        text, ParagraphStyle("h1_agenda", parent=head.style, spaceBefore=10, spaceAfter=5)
    )
    para.outline_title, para.outline_level = head.outline_title, head.outline_level
    return para


def _agenda_table(data: SessionReportData, width: float) -> Flowable:
    rs = _room_styles()
    info = data.info
    planned_end = info.ends_at
    rows: list[list[Any]] = []
    for block, timing in zip(data.blocks, data.agenda.timings, strict=True):
        past_end = timing.end > planned_end
        end = f"–{_clock(timing.end)}{_day_offset(info.starts_at, timing.end)}"
        if past_end:  # runs past the planned end of the session: say so where it happens
            end = f"<font color='{_WARN_HEX}'>{end}</font>"
        time_cell: list[Flowable] = [
            Paragraph(_clock(timing.start), rs.time),
            Paragraph(f"{end}<br/>{fmt_minutes(timing.minutes)}", rs.time_small),
        ]
        if past_end:
            time_cell.append(Paragraph(_warn("over time"), rs.small))
        title = f"{escape(block.title)}"
        is_break = block.method == "break"
        detail = []
        if block.materials.strip():
            detail.append(f"<b>Materials:</b> {escape(block.materials, newlines=True)}")
        if block.notes.strip():
            detail.append(f"<i>{escape(block.notes, newlines=True)}</i>")
        block_cell: list[Flowable] = [Paragraph(title, rs.cell if is_break else rs.title)]
        block_cell += [Paragraph(d, rs.cell) for d in detail]
        function = FUNCTION_BY_KEY.get(block.function)
        function_cell: list[Flowable]
        if function is None:
            function_cell = [Paragraph(escape(block.function) or _muted(NONE), rs.cell)]
        else:
            function_cell = [
                Paragraph(escape(function.label), rs.cell),
                Paragraph(f"<i>{escape(function.help)}</i>", rs.small),
            ]
        rows.append([
            time_cell,
            block_cell,
            function_cell,
            Paragraph(escape(method_label(block.method)) or _muted(NONE), rs.cell),
            Paragraph(escape(block.owner_name) or _muted(NONE), rs.cell),
        ])  # fmt: skip
    widths = [18 * mm, 62 * mm, 35 * mm, 26.5 * mm]  # owner: the rest (28.5 mm)
    widths.append(width - sum(widths))
    header = [
        Paragraph("Time", rs.header),
        Paragraph("Block and materials", rs.header),
        Paragraph("CoP function", rs.header),
        Paragraph("Method", rs.header),
        Paragraph("Owner", rs.header),
    ]
    # not data_table(): the block cell holds several paragraphs (title, materials, notes)
    return style.LongTable(header, rows, widths, style.DATA_TABLE, chunk_rows=40)


def _notes_space() -> list[Flowable]:
    lines = NotesLines()
    need = lines.min_lines * lines.spacing + 50  # the heading and its hint
    hint = ("What happened, decisions, resources created, and follow-up actions "
            "(what, who, by when).")  # fmt: skip
    head = heading("Notes")
    head.style = ParagraphStyle("h1_notes", parent=head.style, keepWithNext=0)
    return [
        CondPageBreak(need),
        head,
        Paragraph(escape(hint), styles().note),
        lines,
    ]


# --- the session summary ---------------------------------------------------------------------
def _summary_story(data: SessionReportData, width: float, today: dt.date) -> list[Flowable]:
    st = styles()
    named = [escape(name) for name, ok in data.facilitators if ok]
    hidden = sum(1 for _, ok in data.facilitators if not ok)
    if hidden:
        named.append(_muted(f"{hidden} not named"))
    story = _header(data, "summary", width,
                    facilitators=_join(named) or _muted("None recorded"))  # fmt: skip
    if data.info.status == "planned":
        story.append(Spacer(1, 6))
        story.append(Paragraph(escape(
            "This session is still marked as planned: attendance and outcomes may not be "
            "complete yet."), st.note))  # fmt: skip
    story += _attendance_section(data, width)
    story += _outcomes_section(data)
    story += _actions_section(data, width, today)
    story += _agenda_in_brief(data, width)
    return story


def _attendance_section(data: SessionReportData, width: float) -> list[Flowable]:
    st = styles()
    by_status: dict[str, list[AttendanceRow]] = {}
    for a in data.attendance:
        by_status.setdefault(a.status, []).append(a)
    attended = by_status.get("attended", [])
    apologised = by_status.get("apologised", [])
    absent = by_status.get("absent", [])
    unmarked = by_status.get("invited", [])
    story: list[Flowable] = [heading("Attendance")]
    if not data.attendance:
        story.append(Paragraph(escape("No attendance has been recorded for this session."),
                               st.note))  # fmt: skip
        return story
    tiles = [(f"{len(attended):,}", "attended"), (f"{len(apologised):,}", "apologised"),
             (f"{len(absent):,}", "absent")]  # fmt: skip
    if unmarked:
        tiles.append((f"{len(unmarked):,}", "invited, not marked"))
    story.append(figure_tiles(tiles, width))
    story.append(Spacer(1, 8))

    rows: list[tuple[str, str]] = []  # (label, markup)
    roles = sorted(ATTENDANCE_ROLES, key=lambda r: _ROLE_ORDER.get(r.key, 9))
    for role in roles:
        names = [a.full_name for a in attended if a.consent and a.role == role.key]
        if names:
            label = role.label if len(names) == 1 else role.label + "s"
            rows.append((label, escape(", ".join(sorted(names, key=sort_key)))))
    known = {r.key for r in ATTENDANCE_ROLES}
    other = [a.full_name for a in attended if a.consent and a.role not in known]
    if other:
        rows.append(("Other roles", escape(", ".join(sorted(other, key=sort_key)))))
    hidden_attended = sum(1 for a in attended if not a.consent)
    if hidden_attended:
        more = "more " if len(rows) else ""
        rows.append((
            "Not named",
            escape(f"{hidden_attended:,} {more}attended who did not consent to be named"),
        ))  # fmt: skip
    named_apologies = sorted((a.full_name for a in apologised if a.consent), key=sort_key)
    hidden_apologies = len(apologised) - len(named_apologies)
    if apologised:
        parts = [escape(n) for n in named_apologies]
        if hidden_apologies:
            parts.append(_muted(f"{hidden_apologies:,} {'more ' if parts else ''}not named"))
        rows.append(("Apologies", _join(parts)))
    if rows:
        story.append(style.fitted_table(
            [[Paragraph(escape(k), st.label), Paragraph(v, st.base)] for k, v in rows],
            colWidths=[30 * mm, width - 30 * mm], style=KEY_VALUE_TABLE, hAlign="LEFT",
        ))  # fmt: skip
    sentences: list[str] = []
    if absent:
        sentences.append(
            f"{_plural(len(absent), 'invited member')} did not attend and sent no apologies."
        )
    if unmarked:
        sentences.append(
            f"{_plural(len(unmarked), 'invited member')} "
            f"{'has' if len(unmarked) == 1 else 'have'} not been marked yet."
        )
    sentences.append(
        "Only members who consented to be named in reports shared with the host are named; "
        "the others are counted."
    )
    story.append(Spacer(1, 4))
    story.append(Paragraph(escape(" ".join(sentences)), st.note))
    return story


def _text_block(text: str, empty: str) -> list[Flowable]:
    """Free text as paragraphs; lines that start with "-" or "*" become bullets."""
    st = styles()
    if not text.strip():
        return [Paragraph(escape(empty), st.note)]
    out: list[Flowable] = []
    bullet = ParagraphStyle(
        "bullet", parent=st.body, leftIndent=12, bulletIndent=2, spaceAfter=3,
        bulletFontName=style.FONT_REGULAR,  # never Helvetica
    )  # fmt: skip
    for para in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        if lines and all(ln[:1] in "-*•" for ln in lines):
            out += [Paragraph(escape(ln[1:].strip()), bullet, bulletText="•") for ln in lines]
        elif lines:
            out.append(Paragraph(escape("\n".join(lines), newlines=True), st.body))
    return out


def _outcomes_section(data: SessionReportData) -> list[Flowable]:
    o = data.outcomes
    story: list[Flowable] = [heading("Outcomes")]
    story += _text_block(o.notes, "No notes on what happened have been recorded.")
    story.append(heading("Decisions", level=2))
    story += _text_block(o.decisions, "No decisions were recorded.")
    story.append(heading("Resources created", level=2))
    story += _text_block(o.resources, "No resources were recorded.")
    return story


def _actions_section(data: SessionReportData, width: float, today: dt.date) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Follow-up actions")]
    if not data.actions:
        story.append(Paragraph(escape("No follow-up actions were recorded."), st.note))
        return story
    overdue = [a for a in data.actions if a.overdue]
    open_ = [a for a in data.actions if a.status == "open"]
    summary = f"{_plural(len(data.actions), 'action')}, {len(open_):,} open"
    if overdue:
        summary += f", {_warn(f'{len(overdue):,} overdue')} (as of {long_date(today)})"
    story.append(Paragraph(summary, st.body))
    rows: list[list[Any]] = []
    for a in data.actions:
        title = f"<b>{escape(a.title)}</b>"
        if a.notes.strip():
            title += "<br/>" + _muted(escape(a.notes, newlines=True), 7.6)
        if a.owner_id is None:
            owner = _muted(NONE)
        elif data.consent.get(a.owner_id, False):
            owner = escape(a.owner_name)
        else:
            owner = _muted("<i>a member (not named)</i>")
        due = long_date(a.due_on) if a.due_on else _muted(NONE)
        status = escape(term_label(ACTION_STATUSES, a.status))
        if a.overdue:
            days = (today - a.due_on).days if a.due_on else 0
            status = _warn(f"Overdue {_plural(days, 'day')}")
            due = _warn(due)
        rows.append([Paragraph(title, st.cell), Paragraph(owner, st.cell),
                     Paragraph(due, st.cell), Paragraph(status, st.cell)])  # fmt: skip
    widths = [width * 0.46, width * 0.21, width * 0.15]
    widths.append(width - sum(widths))
    story.append(data_table(["Action", "Owner", "Due", "Status"], rows, widths))
    return story


def _agenda_in_brief(data: SessionReportData, width: float) -> list[Flowable]:
    st = styles()
    held = data.info.status == "held"
    story: list[Flowable] = [heading("The agenda as held" if held else "The agenda as planned")]
    if not data.blocks:
        story.append(Paragraph(escape("No agenda was recorded."), st.note))
        return story
    served = [f for f in FUNCTIONS if any(b.function == f.key for b in data.blocks)]
    if served:
        names = _join([escape(f.label) for f in served])
        story.append(Paragraph(
            f"The session {'served' if held else 'was planned to serve'} {len(served)} of the "
            f"twelve CoP functions: {names}.",
            st.body,
        ))  # fmt: skip
    rows: list[list[Any]] = []
    timing: Timing
    for block, timing in zip(data.blocks, data.agenda.timings, strict=True):
        function = FUNCTION_BY_KEY.get(block.function)
        rows.append([
            f"{_clock(timing.start)}–{_clock(timing.end)}",
            block.title,
            function.label if function else (block.function or NONE),
            method_label(block.method) or NONE,
            f"{timing.minutes}",
        ])  # fmt: skip
    widths = [width * 0.15, width * 0.39, width * 0.22, width * 0.15]
    widths.append(width - sum(widths))
    story.append(data_table(["Time", "Block", "CoP function", "Method", "Min"], rows, widths,
                            numeric=(4,)))  # fmt: skip
    story.append(Spacer(1, 4))
    story.append(Paragraph(escape(data.agenda.message() + "."), st.small))
    return story
