"""The community overview PDF: one document that makes the case for the community to its host.

Hosts (the sponsoring organisations) never open copdesk; this is what they read. For a
period (the last twelve months by default), compared with the period of the same length
before it, it prints:

- a cover (community, domain, host, period, who prepared it, the host's logo if given);
- a one-page **summary**: headline figures and their change (members by level, sessions
  held, attendance rate, value entries by cycle, the fitness score and its trend);
- **impact** first: the value matrix, the strongest value-creation stories, measures;
- **health**: the participation pyramid, movement between levels, attendance per month,
  the rhythm's regularity, time given to each of the twelve functions, inside and outside
  voices;
- **fitness**: the latest scores per dimension, the trend and the action plan;
- **knowledge**: the knowledge map's strengths and gaps;
- **next**: upcoming sessions and open actions;
- an appendix **directory** of the members who consented to be named.

Every section can be left out (``sections=``). The store is read only through the
``copdesk.data`` queries, each a fixed number of round trips (the overview of 10,000
members and 2,000 sessions costs what that of sixty does, plus one pass over the rows);
long tables are laid out page by page. Members are named only with their consent.
The build reports its progress and can be cancelled (:class:`ReportCancelled`): the file
is then not written and any earlier one is left untouched.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import io
import itertools
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from copdesk.data import (
    communities,
    coverage_queries,
    fitness,
    members,
    overview_queries,
    sessions,
    values,
)
from copdesk.data.communities import CommunityInfo
from copdesk.data.fitness import AssessmentRow, AssessmentView, OpenAction, Thresholds, TrendPoint
from copdesk.data.members import KnowledgeMap, MemberRow, Reach
from copdesk.data.overview_queries import LevelMovements, MonthAttendance, Voices
from copdesk.data.sessions import ActionRow, SessionRow
from copdesk.data.values import EntryRow, StoryView
from copdesk.framework import (
    FUNCTION_BY_KEY,
    FUNCTIONS,
    LEVEL_TERMS,
    SESSION_MODES,
    VALUE_CYCLE_BY_KEY,
    VALUE_CYCLES,
    VALUE_TO_MEMBERS,
    VALUE_TO_ORGANISATION,
    Level,
    Role,
    Stage,
    Term,
    level_label,
    term_label,
)
from copdesk.reports import charts, style
from copdesk.reports.errors import ReportError
from copdesk.reports.fitness_report import long_text
from copdesk.reports.roster import heading_title, long_date, sort_key
from copdesk.reports.style import (
    CALLOUT_TABLE,
    DATA_TABLE,
    FIGURES_TABLE,
    KEY_VALUE_TABLE,
    LAYOUT_TABLE,
    ReportDocument,
    data_table,
    escape,
    heading,
    styles,
)

__all__ = [
    "SECTIONS",
    "SECTION_TITLES",
    "TITLE",
    "OverviewData",
    "Period",
    "ReportCancelled",
    "build_overview_pdf",
    "default_period",
    "overview_coverage",
    "overview_texts",
    "read_overview",
]

TITLE = "Community overview"

#: The report's sections, in the order they print (the cover always prints).
SECTIONS: tuple[str, ...] = (
    "summary", "impact", "health", "fitness", "knowledge", "next", "directory",
)  # fmt: skip
#: The heading (and outline entry) of every section.
SECTION_TITLES: dict[str, str] = {
    "summary": "Summary",
    "impact": "Impact",
    "health": "Health",
    "fitness": "Fitness",
    "knowledge": "Knowledge",
    "next": "What comes next",
    "directory": "Appendix: directory of members",
}

MAX_STORIES = 3
MAX_STRENGTHS = 12
MAX_GAPS = 15
MAX_NAMES = 6  # names printed per topic; the rest are counted
MAX_UPCOMING = 8
MAX_OPEN_ACTIONS = 15
MAX_CELL_TEXT = 400
LOGO_BOX = (48 * mm, 24 * mm)  # the largest the logo is drawn (width, height)
_MUTED_HEX = style.MUTED.hexval().replace("0x", "#")
_GOOD_HEX = "#00795A"  # a darker bluish green that reads as text
_BAD_HEX = style.WARN.hexval().replace("0x", "#")
_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")  # fmt: skip
#: How far along the cycles value got: realised first.
_STRENGTH = {"realised": 0, "applied": 1, "reframing": 2, "strategic": 3, "potential": 4,
             "enabling": 5, "immediate": 6}  # fmt: skip
_GROUPS: tuple[tuple[str, tuple[Term, ...]], ...] = (
    ("Value to members", VALUE_TO_MEMBERS),
    ("Value to the organisation", VALUE_TO_ORGANISATION),
)
_READ_SHARE = 0.25  # of the progress bar: reading the store; the rest is the layout


class ReportCancelled(ReportError):
    """The user cancelled the export; no file was written."""

    def __init__(self, message: str = "the export was cancelled; no file was written") -> None:
        super().__init__(message)


Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


# --- the period --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def before(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def text(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"

    def noun(self) -> str:
        """``year``, ``quarter``, ``month`` or ``90 days``: what the comparison is against."""
        if 365 <= self.days <= 366:
            return "year"
        if 89 <= self.days <= 92:
            return "quarter"
        if 28 <= self.days <= 31:
            return "month"
        return f"{self.days} days"


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def default_period(today: dt.date, start: dt.date | None = None,
                   end: dt.date | None = None) -> Period:  # fmt: skip
    """The period asked for; by default the twelve months ending ``today``."""
    if end is None:
        end = today if start is None or start <= today else start
    if start is None:
        start = _year_before(end) + dt.timedelta(days=1)
    if start > end:
        raise ReportError(
            f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()})"
        )
    return Period(start, end)


# --- reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionFigures:
    """What the sessions of one period add up to."""

    held: int
    cancelled: int
    planned_public: int
    planned_private: int
    invited: int
    attended: int
    gaps_days: tuple[int, ...]

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.invited if self.invited else None

    def regularity(self, target: int | None) -> float | None:
        """Share of gaps between held sessions within half the target of it."""
        return sessions.Rhythm(target, self.gaps_days, None, None, None, None).regularity


@dataclass(frozen=True)
class OverviewData:
    """Everything the overview prints, read in one go from the store."""

    community: CommunityInfo
    period: Period
    previous: Period
    today: dt.date
    sections: tuple[str, ...]
    prepared_by: str
    reach: Reach
    levels_end: dict[str, int]  # active members per level on the period's last day
    levels_before: dict[str, int]  # and on the last day of the previous period
    movements: LevelMovements
    now: SessionFigures
    before: SessionFigures
    months: tuple[MonthAttendance, ...]
    target_days: int | None
    coverage: sessions.Coverage
    voices: Voices
    entries: tuple[EntryRow, ...]  # value logged in the period, consenting members named
    previous_entries: tuple[EntryRow, ...]
    stories: tuple[StoryView, ...]  # the strongest stories with value in the period
    assessment: AssessmentView | None  # the latest held by the end of the period
    compared_assessment: AssessmentRow | None  # what its score is compared with
    trend: tuple[TrendPoint, ...]  # same checklist, up to the period's end, oldest first
    limits: Thresholds
    fitness_actions: tuple[OpenAction, ...]
    knowledge: KnowledgeMap
    upcoming: tuple[SessionRow, ...]
    open_actions: tuple[ActionRow, ...]
    named: frozenset[int]  # ids of members who may be named (consent, not erased)
    directory: tuple[MemberRow, ...]  # active, consenting, not erased; by name
    logo: Path | bytes | None  # a file given for this export, or the logo kept in the store

    def has(self, section: str) -> bool:
        return section in self.sections


def _check_sections(sections: Sequence[str] | None) -> tuple[str, ...]:
    if sections is None:
        return SECTIONS
    if isinstance(sections, str):
        sections = [s for s in sections.replace(",", " ").split() if s]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ReportError(
            f"unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}"
        )
    wanted = set(sections)
    return tuple(s for s in SECTIONS if s in wanted)


def _check_logo(logo: Path | str | None) -> Path | None:
    if logo is None:
        return None
    path = Path(logo).expanduser()
    if not path.is_file():
        raise ReportError(f"the logo {path} cannot be read: the file does not exist")
    suffix = path.suffix.lower()
    if suffix == ".svg":
        if importlib.util.find_spec("svglib") is None:
            raise ReportError(
                f"the logo {path.name} is an SVG file, which this copdesk cannot draw (the "
                "svglib package is not installed): use a PNG or JPEG logo"
            )
        return path
    if suffix not in (".png", ".jpg", ".jpeg"):
        raise ReportError(f"the logo {path.name} must be a PNG, JPEG or SVG file")
    try:
        width, height = ImageReader(str(path)).getSize()
    except Exception as exc:
        raise ReportError(f"the logo {path.name} cannot be read as an image: {exc}") from exc
    if width <= 0 or height <= 0:
        raise ReportError(f"the logo {path.name} is empty")
    return path


def _session_figures(rows: Sequence[SessionRow], period: Period) -> SessionFigures:
    inside = [r for r in rows if period.contains(r.starts_at.date())]
    held = [r for r in inside if r.status == "held"]
    starts = sorted(r.starts_at.date() for r in held)
    gaps = tuple((b - a).days for a, b in itertools.pairwise(starts))
    not_cancelled = [r for r in inside if r.status != "cancelled"]
    public = sum(1 for r in not_cancelled if r.space == "public")
    return SessionFigures(
        held=len(held),
        cancelled=sum(1 for r in inside if r.status == "cancelled"),
        planned_public=public,
        planned_private=len(not_cancelled) - public,
        invited=sum(r.invited for r in held),
        attended=sum(r.attended for r in held),
        gaps_days=gaps,
    )


def _story_strength(story: StoryView) -> tuple[int, int, int, int, int]:
    furthest = min((_STRENGTH.get(e.cycle, 9) for e in story.entries), default=9)
    measured = any(e.measure_value is not None for e in story.entries)
    latest = max((e.entry_date.toordinal() for e in story.entries), default=0)
    return (0 if story.complete else 1, furthest, 0 if measured else 1, -len(story.entries),
            -latest)  # fmt: skip


def _prepared_by(rows: Sequence[MemberRow]) -> str:
    coordinators = sorted(
        (r.full_name for r in rows
         if Role.COORDINATOR.value in r.roles and r.status == "active" and r.consent
         and not r.erased),
        key=sort_key,
    )  # fmt: skip
    if not coordinators:
        return "The community's coordinators"
    if len(coordinators) > 4:
        coordinators = [*coordinators[:3], f"{len(coordinators) - 3} more coordinators"]
    if len(coordinators) == 1:
        return f"{coordinators[0]}, coordinator"
    return ", ".join(coordinators[:-1]) + " and " + coordinators[-1] + ", coordinators"


def read_overview(
    session: Session,
    community_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] | None = None,
    today: dt.date | None = None,
    prepared_by: str | None = None,
    logo: Path | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> OverviewData:
    """Read everything the overview prints; ReportError on a bad request.

    A fixed number of queries whatever the size of the community.
    """
    today = today or dt.date.today()
    period = default_period(today, start, end)
    previous = period.before()
    chosen = _check_sections(sections)
    logo_path = _check_logo(logo)
    steps = 9
    done = 0

    def step() -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        done += 1
        if progress is not None:
            progress(_READ_SHARE * min(1.0, done / steps))

    try:
        community = communities.get_community(session, community_id)
    except LookupError as exc:
        raise ReportError(str(exc)) from exc
    step()
    roster = members.list_members(session, community_id)
    named = frozenset(r.id for r in roster if r.consent and not r.erased)
    reach = members.reach(session, community_id)
    histories = overview_queries.timelines(session, community_id)  # read once for both
    levels = overview_queries.levels_on(session, community_id, (period.end, previous.end),
                                        histories=histories)  # fmt: skip
    movements = overview_queries.level_movements(session, community_id, period.start,
                                                 period.end, histories=histories)  # fmt: skip
    step()
    all_sessions = sessions.list_sessions(session, community_id)
    end_of_day = dt.datetime.combine(period.end, dt.time(23, 59))
    rhythm = sessions.rhythm(session, community_id, now=end_of_day)
    months = overview_queries.attendance_by_month(session, community_id, period.start,
                                                  period.end)  # fmt: skip
    step()
    coverage = coverage_queries.function_coverage(session, community_id, period.start,
                                                  period.end)
    heard = overview_queries.voices(session, community_id, period.start, period.end)
    step()
    # Both periods in one read, then parted by date (in the log's order).
    both = values.list_entries(session, community_id, named="consenting",
                               start=min(previous.start, period.start),
                               end=max(previous.end, period.end))  # fmt: skip
    entries = [e for e in both if period.start <= e.entry_date <= period.end]
    previous_entries = [e for e in both if previous.start <= e.entry_date <= previous.end]
    step()
    stories = [s for s in values.list_stories(session, community_id, named="consenting")
               if any(period.contains(e.entry_date) for e in s.entries)]  # fmt: skip
    stories.sort(key=_story_strength)
    step()
    assessment: AssessmentView | None = None
    compared: AssessmentRow | None = None
    trend: list[TrendPoint] = []
    rows = [a for a in fitness.list_assessments(session, community_id) if a.held_on <= period.end]
    if rows:
        assessment = fitness.get_assessment(session, rows[0].id)
        same = [a for a in rows[1:] if a.checklist == assessment.checklist]
        earlier = [a for a in same if a.held_on <= previous.end]
        compared = earlier[0] if earlier else (same[0] if same else None)
        trend = [p for p in fitness.trend(session, community_id, assessment.checklist)
                 if p.held_on <= period.end]  # fmt: skip
    fitness_actions = fitness.open_actions(session, community_id, before=period.end)
    limits = fitness.thresholds(session, community_id)
    step()
    knowledge = members.knowledge_map(session, community_id, named="consenting")
    step()
    now = dt.datetime.combine(today, dt.time.min)
    upcoming = [r for r in all_sessions if r.status == "planned" and r.starts_at >= now]
    open_actions = sessions.list_actions(session, community_id, open_only=True, today=today)
    open_actions.sort(key=lambda a: (not a.overdue, a.due_on or dt.date.max, a.id))
    directory = sorted(
        (r for r in roster if r.status == "active" and r.consent and not r.erased),
        key=lambda r: (sort_key(r.full_name), r.id),
    )
    step()
    return OverviewData(
        community=community,
        period=period,
        previous=previous,
        today=today,
        sections=chosen,
        prepared_by=prepared_by if prepared_by is not None else _prepared_by(roster),
        reach=reach,
        levels_end=levels[period.end],
        levels_before=levels[previous.end],
        movements=movements,
        now=_session_figures(all_sessions, period),
        before=_session_figures(all_sessions, previous),
        months=tuple(months),
        target_days=rhythm.target_days,
        coverage=coverage,
        voices=heard,
        entries=tuple(entries),
        previous_entries=tuple(previous_entries),
        stories=tuple(stories),
        assessment=assessment,
        compared_assessment=compared,
        trend=tuple(trend),
        limits=limits,
        fitness_actions=tuple(fitness_actions),
        knowledge=knowledge,
        upcoming=tuple(upcoming[:MAX_UPCOMING]),
        open_actions=tuple(open_actions),
        named=named,
        directory=tuple(directory),
        logo=logo_path if logo_path is not None else communities.get_logo(session, community_id),
    )


def overview_texts(data: OverviewData) -> list[str]:
    """Every piece of user text the overview prints (for a coverage check before export)."""
    c = data.community
    texts = [c.name, c.domain, c.host_organisation, data.prepared_by]
    if data.has("impact") or data.has("summary"):
        texts += values.measures(data.entries).keys()
        texts += values.measures(data.previous_entries).keys()
        for s in data.stories[:MAX_STORIES]:
            texts += [s.title, s.expected_ending]
            texts += [e.title for e in s.entries]
        for e in _strongest_entries(data.entries):
            texts.append(e.title)
    if data.has("fitness") and data.assessment is not None:
        a = data.assessment
        texts += [x.dimension_label for x in a.answers]
        texts += [x.action for x in data.fitness_actions]
        texts += [x.question_text for x in data.fitness_actions]
    if data.has("knowledge"):
        for entry in (*data.knowledge.strengths[:MAX_STRENGTHS], *data.knowledge.gaps[:MAX_GAPS]):
            texts.append(entry.tag)
            texts += entry.experts[:MAX_NAMES] + entry.seekers[:MAX_NAMES]
    if data.has("next"):
        for r in data.upcoming:
            texts += [r.title, r.location if r.mode == "in_person" else ""]
        for act in data.open_actions[:MAX_OPEN_ACTIONS]:
            texts += [act.title, act.session_title]
            if act.owner_id in data.named:
                texts.append(act.owner_name)
    if data.has("directory"):
        for m in data.directory:
            texts += [m.full_name, m.organisation, m.region, *m.expertise]
    return texts


def overview_coverage(
    session: Session,
    community_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> style.Coverage:
    """Which characters of the overview would not print (for a warning before export)."""
    data = read_overview(session, community_id, start=start, end=end, sections=sections,
                         today=today)  # fmt: skip
    return style.check_coverage(overview_texts(data))


# --- the public entry point --------------------------------------------------------------------
class _OverviewDocument(ReportDocument):
    """The shared report document, telling the caller how far the layout got."""

    def __init__(self, *args: Any, tick: Callable[[list[Flowable]], None],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self._tick = tick

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        super().handle_flowable(flowables)
        self._tick(flowables)


def build_overview_pdf(
    session: Session,
    community_id: int,
    out: Path,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sections: Sequence[str] | None = None,
    invariant: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    logo: Path | None = None,
    prepared_by: str | None = None,
) -> Path:
    """Write the community overview of a period to ``out``; returns the path written.

    The period defaults to the twelve months ending ``today``; it is compared with the
    period of the same length before it. ``sections`` chooses among :data:`SECTIONS`
    (default: all; the cover always prints). ``logo`` is the host's logo (PNG or JPEG;
    SVG only where svglib is installed) drawn on the cover. ``prepared_by`` defaults to
    the community's consenting coordinators.

    ``progress`` is called with 0..1 as the build advances (1.0 once the file is
    written); when ``cancelled()`` returns True the build stops with
    :class:`ReportCancelled`. The file is written atomically: any failure raises
    :class:`ReportError` with a message for the user and leaves nothing (and any earlier
    file at ``out`` untouched). ``invariant`` makes the bytes depend only on the data
    and ``today``, for tests.
    """
    data = read_overview(session, community_id, start=start, end=end, sections=sections,
                         today=today, prepared_by=prepared_by, logo=logo, progress=progress,
                         cancelled=cancelled)  # fmt: skip
    reported = [_READ_SHARE]

    def build(path: Path) -> None:
        story = _story(data, style.PAGE_SIZE[0] - style.MARGIN_LEFT - style.MARGIN_RIGHT)
        total = max(1, len(story))

        def tick(flowables: list[Flowable]) -> None:
            if cancelled is not None and cancelled():
                raise ReportCancelled()
            if flowables is not story:  # a nested layout (e.g. inside a table cell)
                return
            share = _READ_SHARE + (0.97 - _READ_SHARE) * min(1.0, (total - len(flowables)) / total)
            if progress is not None and share >= reported[0] + 0.01:
                reported[0] = share
                progress(share)

        doc = _OverviewDocument(
            path,
            title=f"{TITLE}: {data.period.start.isoformat()} to {data.period.end.isoformat()}",
            community=data.community.name,
            subject=f"The value and health of a Community of Practice, {data.period.text()}",
            prepared_on=data.today,
            invariant=invariant,
            keywords=("community of practice", "overview", "value", "health", "fitness"),
            tick=tick,
        )
        doc.build(story)

    written = style.write_pdf_atomically(out, build)
    if progress is not None:
        progress(1.0)
    return written


# --- small helpers -------------------------------------------------------------------------------
def _muted(markup: str, size: float | None = None) -> str:
    sized = f" size={size}" if size else ""
    return f"<font color='{_MUTED_HEX}'{sized}>{markup}</font>"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _short_month(day: dt.date) -> str:
    """``Nov 2025``."""
    return f"{_SHORT_MONTHS[day.month - 1]} {day.year}"


def _month_labels(months: Sequence[dt.date]) -> list[str]:
    """``Nov 2025, Dec, Jan 2026, Feb, ...``: the year only where it changes."""
    out: list[str] = []
    for i, m in enumerate(months):
        show_year = i == 0 or m.month == 1
        out.append(_short_month(m) if show_year else _SHORT_MONTHS[m.month - 1])
    return out


def _short_date(day: dt.date) -> str:
    """``28 Nov<br/>2025`` (markup, for narrow column headers)."""
    return f"{day.day} {_SHORT_MONTHS[day.month - 1]}<br/>{day.year}"


def _zone(name: str) -> str:
    """``Africa/Dar_es_Salaam`` as ``Dar es Salaam time``."""
    return name.rsplit("/", 1)[-1].replace("_", " ") + " time"


def _minus(text: str) -> str:
    return text.replace("-", "−")


def _change(now: float | None, before: float | None, *, points: bool = False,
            higher_is_better: bool = True) -> tuple[str, str]:  # fmt: skip
    """``("+3", tone)``: the change as text and its tone (good, bad, flat or none)."""
    if now is None or before is None:
        return ("–", "none")
    delta = now - before
    if points:
        delta = round(now * 100) - round(before * 100)
    if delta == 0:
        return ("no change", "flat")
    number = charts.fmt_number(abs(delta))
    text = ("+" if delta > 0 else "−") + number + (" pts" if points else "")
    good = (delta > 0) == higher_is_better
    return (text, "good" if good else "bad")


def _tone_markup(text: str, tone: str) -> str:
    if tone == "good":
        return f"<font color='{_GOOD_HEX}'><b>▲ {escape(text)}</b></font>" if text.startswith(
            "+") else f"<font color='{_GOOD_HEX}'><b>▼ {escape(text)}</b></font>"
    if tone == "bad":
        arrow = "▲" if text.startswith("+") else "▼"
        return f"<font color='{_BAD_HEX}'><b>{arrow} {escape(text)}</b></font>"
    return _muted(escape(text))


def _level_order() -> list[str]:
    return [lv.value for lv in Level]


def _cycle_short(term: Term) -> str:
    return term.label.removesuffix(" value")


def _cycle_name(key: str) -> str:
    term = VALUE_CYCLE_BY_KEY.get(key)
    return _cycle_short(term) if term else key


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


def _names(named: Sequence[str], hidden: int, total_named: int | None = None) -> str:
    """``Ana, Bo, and 3 more`` as safe markup; members without consent only counted."""
    shown = [escape(n) for n in named[:MAX_NAMES]]
    more = (total_named if total_named is not None else len(named)) - len(shown) + hidden
    if more:
        shown.append(_muted(f"{more:,} more" if shown else _plural(more, "member")))
    if not shown:
        return _muted("–")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _stage_label(key: str) -> str:
    try:
        return Stage(key).label
    except ValueError:
        return key


def _strongest_entries(entries: Sequence[EntryRow]) -> list[EntryRow]:
    return sorted(entries, key=lambda r: (_STRENGTH.get(r.cycle, 9),
                                          0 if r.measure_value is not None else 1,
                                          -r.entry_date.toordinal()))[:MAX_STORIES]  # fmt: skip


def _cycle_counts(entries: Iterable[EntryRow]) -> dict[str, int]:
    counts = {c.key: 0 for c in VALUE_CYCLES}
    for e in entries:
        counts[e.cycle] = counts.get(e.cycle, 0) + 1
    return counts


def _section_break(space: float = 90 * mm) -> Flowable:
    return CondPageBreak(space)


def _para(text: str, para_style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(escape(text), para_style or styles().body)


# --- the story -----------------------------------------------------------------------------------
def _story(data: OverviewData, width: float) -> list[Flowable]:
    story: list[Flowable] = []
    story += _cover(data, width)
    builders: dict[str, Callable[[OverviewData, float], list[Flowable]]] = {
        "summary": _summary_section,
        "impact": _impact_section,
        "health": _health_section,
        "fitness": _fitness_section,
        "knowledge": _knowledge_section,
        "next": _next_section,
        "directory": _directory_section,
    }
    for i, key in enumerate(data.sections):
        if key in ("summary", "impact", "directory") or i == 0:
            story.append(PageBreak())
        else:
            story.append(_section_break())
        story += builders[key](data, width)
    return story


def _logo(path: Path | bytes) -> Flowable:
    box_w, box_h = LOGO_BOX
    if isinstance(path, bytes):  # kept in the store: PNG or JPEG
        reader = ImageReader(io.BytesIO(path))
        w, h = reader.getSize()
        fit = min(box_w / w, box_h / h)
        kept = Image(io.BytesIO(path), width=w * fit, height=h * fit)
        kept.hAlign = "RIGHT"
        return kept
    if path.suffix.lower() == ".svg":  # only reached when svglib is installed
        svg: Any = importlib.import_module("svglib.svglib")
        drawing: Any = svg.svg2rlg(str(path))
        if drawing is None:
            raise ReportError(f"the logo {path.name} cannot be read as an SVG drawing")
        scale = min(box_w / max(1.0, drawing.width), box_h / max(1.0, drawing.height))
        drawing.scale(scale, scale)
        drawing.width *= scale
        drawing.height *= scale
        drawing.hAlign = "RIGHT"
        result: Flowable = drawing
        return result
    width, height = ImageReader(str(path)).getSize()
    scale = min(box_w / width, box_h / height)
    image = Image(str(path), width=width * scale, height=height * scale)
    image.hAlign = "RIGHT"
    return image


def _cover(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    c = data.community
    story: list[Flowable] = []
    if data.logo is not None:
        story.append(_logo(data.logo))
        story.append(Spacer(1, 10))
    else:
        story.append(Spacer(1, 24))
    story.append(Paragraph(escape(f"{TITLE.upper()} · {data.period.noun().upper()} TO "
                                  f"{long_date(data.period.end).upper()}"
                                  if data.period.noun() in ("year", "quarter", "month")
                                  else TITLE.upper()), st.kicker))  # fmt: skip
    story.append(heading_title(c.name))
    if c.domain.strip():
        story += long_text(c.domain, st.lead)
    story.append(Spacer(1, 10))
    facts = [
        ("Host organisation", escape(c.host_organisation or "Not recorded")),
        ("Stage of development", escape(_stage_label(c.stage))),
        ("Period", f"<b>{escape(data.period.text())}</b>"),
        ("Compared with", escape(f"the {data.period.noun()} before: {data.previous.text()}")),
        ("Prepared by", escape(data.prepared_by)),
        ("Prepared on", escape(long_date(data.today))),
    ]
    story.append(style.fitted_table(
        [[Paragraph(escape(k), st.label), Paragraph(v, st.base)] for k, v in facts],
        colWidths=[width * 0.28, width * 0.72], style=KEY_VALUE_TABLE, hAlign="LEFT",
    ))  # fmt: skip
    story.append(Spacer(1, 22))
    contents = [SECTION_TITLES[s] for s in data.sections]
    if contents:
        story.append(Paragraph("In this report", st.h2))
        rows = [[Paragraph(f"<b>{i}</b>", st.cell_number), Paragraph(escape(t), st.cell),
                 Paragraph(_muted(escape(_SECTION_BLURBS[s])), st.cell)]
                for i, (s, t) in enumerate(zip(data.sections, contents, strict=True),
                                           start=1)]  # fmt: skip
        story.append(style.fitted_table(
            rows, colWidths=[width * 0.06, width * 0.30, width * 0.64], style=KEY_VALUE_TABLE,
            hAlign="LEFT"))  # fmt: skip
        story.append(Spacer(1, 16))
    hidden = data.reach.total - len(data.directory)
    consent = (
        "Every member consented to be named in reports shared with the host."
        if hidden <= 0
        else f"{_plural(hidden, 'member')} did not consent to be named in reports shared "
        f"with the host; they are counted in every figure but never named."
    )
    story.append(_para(
        "Prepared for the host from the community's own records: its roster, sessions and "
        "attendance, value log and fitness assessments. Figures are for the period above and "
        f"are compared with the {data.period.noun()} before it. " + consent, st.note,
    ))  # fmt: skip
    return story


_SECTION_BLURBS = {
    "summary": "The headline figures and how they changed",
    "impact": "The value created: matrix, strongest stories, measures",
    "health": "Participation, attendance, rhythm, functions and voices",
    "fitness": "The latest fitness assessment, its trend and action plan",
    "knowledge": "What the community knows, and what it is missing",
    "next": "Upcoming sessions and open actions",
    "directory": "The members who consented to be named",
}


# --- summary -------------------------------------------------------------------------------------
def _delta_tiles(tiles: Sequence[tuple[str, str, str]], width: float) -> Table:
    """Headline figures as tiles: (value, label, change markup)."""
    st = styles()
    n = max(1, len(tiles))
    gap = 6.0
    tile = (width - gap * (n - 1)) / n
    figure = ParagraphStyle("ov_figure", parent=st.figure, fontSize=20, leading=24)
    change_style = ParagraphStyle("ov_change", parent=st.figure_label, fontSize=7.6, leading=10)
    widths: list[float] = []
    rows: list[list[Any]] = [[], [], []]
    for i, (value, label, change) in enumerate(tiles):
        if i:
            widths.append(gap)
            for row in rows:
                row.append("")
        widths.append(tile)
        rows[0].append(Paragraph(escape(value), figure))
        rows[1].append(Paragraph(escape(label), st.figure_label))
        rows[2].append(Paragraph(change, change_style))
    table_style = TableStyle([("TOPPADDING", (0, 2), (-1, 2), 3)], parent=style.TILES_TABLE)
    for i in range(1, n):
        col = 2 * i - 1
        table_style.add("BACKGROUND", (col, 0), (col, -1), colors.white)
        table_style.add("LINEABOVE", (col, 0), (col, 0), 2, colors.white)
    return Table(rows, colWidths=widths, style=table_style, hAlign="LEFT")


def _fitness_delta(data: OverviewData) -> tuple[str, str, str]:
    a = data.assessment
    if a is None:
        return ("–", "fitness score", _muted("no assessment yet"))
    label = f"fitness score ({a.checklist_label.lower()})"
    c = data.compared_assessment
    if c is None or a.overall is None or c.overall is None:
        return (_pct(a.overall), label, _muted(f"first assessment, {_short_month(a.held_on)}"))
    text, tone = _change(a.overall, c.overall, points=True)
    return (_pct(a.overall), label,
            f"{_tone_markup(text, tone)} {_muted('since ' + _short_month(c.held_on))}")  # fmt: skip


def _summary_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    noun = data.period.noun()
    vs = _muted(f"vs the {noun} before" if noun in ("year", "quarter", "month")
                else "vs the period before")  # fmt: skip
    members_now = sum(data.levels_end.values())
    members_before = sum(data.levels_before.values())
    now, before = data.now, data.before
    entries, previous = data.entries, data.previous_entries

    def tile(value: str, label: str, cur: float | None, prev: float | None, *,
             points: bool = False) -> tuple[str, str, str]:  # fmt: skip
        text, tone = _change(cur, prev, points=points)
        return (value, label, f"{_tone_markup(text, tone)} {vs}" if tone != "none" else
                _muted("no earlier figure"))  # fmt: skip

    tiles = [
        tile(f"{members_now:,}", "active members", members_now, members_before),
        tile(f"{now.held:,}", "sessions held", now.held, before.held),
        tile(_pct(now.attendance_rate), "attendance rate", now.attendance_rate,
             before.attendance_rate, points=True),
        tile(f"{len(entries):,}", "value entries logged", len(entries), len(previous)),
        _fitness_delta(data),
    ]
    story: list[Flowable] = [heading(SECTION_TITLES["summary"])]
    story.append(Paragraph(_summary_sentence(data), st.lead))
    story.append(Spacer(1, 4))
    story.append(_delta_tiles(tiles, width))
    story.append(Spacer(1, 12))
    gap = 12.0
    half = (width - gap) / 2
    story.append(Table([[_levels_table(data, half), "", _cycles_table(data, half)]],
                       colWidths=[half, gap, half], style=LAYOUT_TABLE,
                       hAlign="LEFT"))  # fmt: skip
    story.append(Spacer(1, 10))
    story.append(Paragraph("Highlights", st.h2))
    for point in _highlights(data):
        story.append(Paragraph(point, ParagraphStyle("ov_bullet", parent=st.body, leftIndent=10,
                                                     bulletIndent=0, spaceAfter=3),
                               bulletText="•"))  # fmt: skip
    return story


def _summary_sentence(data: OverviewData) -> str:
    now = data.now
    later = sum(1 for e in data.entries if e.cycle in ("applied", "realised"))
    parts = [
        f"From {long_date(data.period.start)} to {long_date(data.period.end)} the community "
        f"held {_plural(now.held, 'session')}",
    ]
    if now.attendance_rate is not None:
        parts.append(f" with {_pct(now.attendance_rate)} of those invited attending")
    parts.append(
        f", logged {_plural(len(data.entries), 'value entry', 'value entries')}"
        f" ({later:,} applied in practice or realised in performance)"
    )
    if data.movements.toward_core:
        parts.append(
            f" and saw {_plural(data.movements.toward_core, 'member')} move toward its core"
        )
    return escape("".join(parts) + ".")


def _levels_table(data: OverviewData, width: float) -> Table:
    st = styles()
    rows: list[list[Any]] = [[
        Paragraph("Members by level", st.cell_header),
        Paragraph(_short_date(data.previous.end), st.cell_header_number),
        Paragraph(_short_date(data.period.end), st.cell_header_number),
        Paragraph("Change", st.cell_header_number),
    ]]  # fmt: skip
    for key in _level_order():
        now, before = data.levels_end.get(key, 0), data.levels_before.get(key, 0)
        text, tone = _change(now, before)
        rows.append([
            Paragraph(escape(level_label(key)), st.cell),
            Paragraph(f"{before:,}", st.cell_number),
            Paragraph(f"<b>{now:,}</b>", st.cell_number),
            Paragraph(_tone_markup(text, tone) if tone in ("good", "bad") else _muted(
                escape(text)), st.cell_number),
        ])  # fmt: skip
    total_now, total_before = sum(data.levels_end.values()), sum(data.levels_before.values())
    text, tone = _change(total_now, total_before)
    rows.append([
        Paragraph("<b>All members</b>", st.cell),
        Paragraph(f"{total_before:,}", st.cell_number),
        Paragraph(f"<b>{total_now:,}</b>", st.cell_number),
        Paragraph(_tone_markup(text, tone) if tone in ("good", "bad") else _muted(escape(text)),
                  st.cell_number),
    ])  # fmt: skip
    table_style = TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, style.INK)],
                             parent=FIGURES_TABLE)  # fmt: skip
    return style.fitted_table(rows, colWidths=[width * f for f in (0.37, 0.21, 0.21, 0.21)],
                              style=table_style, hAlign="LEFT")  # fmt: skip


def _cycles_table(data: OverviewData, width: float) -> Table:
    st = styles()
    now, before = _cycle_counts(data.entries), _cycle_counts(data.previous_entries)
    rows: list[list[Any]] = [[
        Paragraph("Value entries by cycle", st.cell_header),
        Paragraph(f"The {escape(data.period.noun())} before"
                  if data.period.noun() in ("year", "quarter", "month") else "Before",
                  st.cell_header_number),
        Paragraph("This period", st.cell_header_number),
    ]]  # fmt: skip
    for c in VALUE_CYCLES:
        rows.append([
            Paragraph(escape(_cycle_short(c)), st.cell),
            Paragraph(f"{before.get(c.key, 0):,}", st.cell_number),
            Paragraph(f"<b>{now.get(c.key, 0):,}</b>", st.cell_number),
        ])  # fmt: skip
    rows.append([
        Paragraph("<b>All entries</b>", st.cell),
        Paragraph(f"{len(data.previous_entries):,}", st.cell_number),
        Paragraph(f"<b>{len(data.entries):,}</b>", st.cell_number),
    ])  # fmt: skip
    table_style = TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, style.INK)],
                             parent=FIGURES_TABLE)  # fmt: skip
    return style.fitted_table(rows, colWidths=[width * f for f in (0.46, 0.28, 0.26)],
                              style=table_style, hAlign="LEFT")  # fmt: skip


def _highlights(data: OverviewData) -> list[str]:
    out: list[str] = []
    if data.stories:
        s = data.stories[0]
        path = " → ".join(_cycle_name(c) for c in s.cycles)
        out.append(f"<b>Strongest story:</b> {escape(s.title)}"
                   + (f" {_muted('(' + escape(path) + ')')}" if path else ""))  # fmt: skip
    sums = values.measures(data.entries)
    if sums:
        shown = [f"{charts.fmt_number(v)} {escape(unit)}" for unit, v in
                 sorted(sums.items(), key=lambda kv: -kv[1])[:3]]  # fmt: skip
        out.append("<b>Measured results:</b> " + "; ".join(shown))
    minutes = data.coverage.minutes
    if any(minutes.values()):
        top = max(minutes.items(), key=lambda kv: kv[1])
        served = sum(1 for m in minutes.values() if m)
        out.append(
            f"<b>Functions served:</b> {served} of the {len(FUNCTIONS)} functions of a "
            f"community; most time went to {escape(FUNCTION_BY_KEY[top[0]].label.lower())}"
        )
    m = data.movements
    if m.toward_core or m.outward or m.joined:
        out.append(
            f"<b>Participation:</b> {_plural(m.joined, 'member')} joined, "
            f"{m.toward_core:,} moved toward the core and {m.outward:,} drifted outward"
        )
    regularity = data.now.regularity(data.target_days)
    if regularity is not None and data.target_days:
        out.append(f"<b>Rhythm:</b> {_pct(regularity)} of the gaps between sessions kept to "
                   f"the target of every {data.target_days} days")  # fmt: skip
    gaps = data.knowledge.gaps
    if gaps:
        out.append(f"<b>Knowledge gaps:</b> {_plural(len(gaps), 'topic')} members want to learn "
                   f"that nobody holds yet, led by {escape(gaps[0].tag)}")  # fmt: skip
    overdue = sum(1 for a in data.open_actions if a.overdue)
    if data.open_actions:
        out.append(f"<b>Follow-up:</b> {_plural(len(data.open_actions), 'open action')}"
                   + (f", {overdue:,} overdue" if overdue else ""))  # fmt: skip
    if not out:
        out.append(escape("No activity was recorded in this period."))
    return out


# --- impact --------------------------------------------------------------------------------------
def _impact_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading(SECTION_TITLES["impact"])]
    entries = data.entries
    later = sum(1 for e in entries if e.cycle in ("applied", "realised"))
    kinds = len({e.kind for e in entries})
    story.append(_para(
        f"What the community gave its members and the host organisation in the period: "
        f"{_plural(len(entries), 'value entry', 'value entries')} across {kinds} of the "
        f"{len(VALUE_TO_MEMBERS) + len(VALUE_TO_ORGANISATION)} kinds of value, {later:,} of "
        "them applied in practice or realised in performance. The value is logged by the "
        "coordinators after meetings and followed up over time.", st.body,
    ))  # fmt: skip
    story += _matrix(data, width)
    story += _stories(data, width)
    story += _measures(data, width)
    return story


def _matrix(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    m = values.matrix(data.entries)
    before = values.matrix(data.previous_entries)
    head: list[Flowable] = [heading("Value matrix", level=2), _para(
        "Entries of each kind of value by the cycle they reached. The later cycles (applied, "
        "realised) show value that changed practice and performance.", st.body)]  # fmt: skip
    cell_style = ParagraphStyle("ov_matrix_cell", parent=st.cell_number, alignment=1)
    kind_w, total_w, prev_w = 40 * mm, 12 * mm, 15 * mm
    cycle_w = (width - kind_w - total_w - prev_w) / len(VALUE_CYCLES)
    widest = max(stringWidth(_cycle_short(c), style.FONT_BOLD, 1) for c in VALUE_CYCLES)
    size = min(7.6, (cycle_w - 5) / widest)
    head_style = ParagraphStyle("ov_matrix_head", parent=st.cell_header_number, fontSize=size,
                                leading=size + 2, alignment=1)  # fmt: skip
    rows: list[list[Any]] = [[
        Paragraph("Kind of value", st.cell_header),
        *[Paragraph(escape(_cycle_short(c)), head_style) for c in VALUE_CYCLES],
        Paragraph("Total", ParagraphStyle("ov_mt", parent=head_style, fontSize=7.6)),
        Paragraph("Before", ParagraphStyle("ov_mp", parent=head_style, fontSize=7.6)),
    ]]  # fmt: skip
    biggest = max((m.count(k.key, c.key) for _, terms in _GROUPS for k in terms
                   for c in VALUE_CYCLES), default=0)  # fmt: skip
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (1, 0), (-1, -1), 2),
        ("RIGHTPADDING", (1, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 1), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white]),
        ("LINEAFTER", (0, 0), (0, -1), 0.5, style.RULE),
        ("LINEBEFORE", (-2, 0), (-2, -1), 0.5, style.RULE),
    ]
    for label, terms in _GROUPS:
        r = len(rows)
        rows.append([Paragraph(f"<b>{escape(label)}</b>", st.cell),
                     *[""] * (len(VALUE_CYCLES) + 2)])  # fmt: skip
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
            cells.append(Paragraph(_muted(str(before.kind_total(k.key))), cell_style))
            rows.append(cells)
    total: list[Any] = [Paragraph("<b>All entries</b>", st.cell)]
    total += [Paragraph(f"<b>{m.cycle_total(c.key)}</b>", cell_style) for c in VALUE_CYCLES]
    total.append(Paragraph(f"<b>{m.total}</b>", cell_style))
    total.append(Paragraph(_muted(str(before.total)), cell_style))
    rows.append(total)
    cmds.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, style.INK))
    table = style.fitted_table(
        rows, colWidths=[kind_w, *[cycle_w] * len(VALUE_CYCLES), total_w, prev_w],
        style=TableStyle(cmds, parent=DATA_TABLE), hAlign="LEFT", repeatRows=1,
    )  # fmt: skip
    note = Paragraph(escape(f"Before: entries of that kind in the {data.period.noun()} before "
                            f"({data.previous.text()}).") if data.period.noun() in
                     ("year", "quarter", "month") else escape(
                         f"Before: entries of that kind from {data.previous.text()}."),
                     st.small)  # fmt: skip
    return [KeepTogether([*head, table, Spacer(1, 3), note])]


def _stories(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Strongest value-creation stories", level=2)]
    chosen = data.stories[:MAX_STORIES]
    if chosen:
        story.append(_para(
            "Each story follows one thread through the cycles: what happened, what it gave, "
            "how it was applied and what difference it made. The stories that went furthest "
            f"come first ({len(chosen)} of {len(data.stories)} with value in the period).",
            st.body,
        ))  # fmt: skip
        for s in chosen:
            story.append(_story_card(s, width))
            story.append(Spacer(1, 6))
        return story
    strongest = _strongest_entries(data.entries)
    if not strongest:
        story.append(_para("No value was logged in this period.", st.note))
        return story
    story.append(_para(
        "No value-creation story has value in this period yet; these entries went furthest "
        "through the cycles.", st.body,
    ))  # fmt: skip
    for e in strongest:
        lines = [f"<b>{escape(e.title)}</b>",
                 _muted(escape(f"{e.kind_label} · {e.cycle_label} · {long_date(e.entry_date)}"
                               + (f" · {charts.fmt_number(e.measure_value)} {e.measure_unit}"
                                  if e.measure_value is not None else "")), 7.6)]  # fmt: skip
        if e.description.strip():
            lines.append(escape(_shorten(e.description, MAX_CELL_TEXT)))
        story.append(_card([Paragraph("<br/>".join(lines), st.cell)], width))
        story.append(Spacer(1, 6))
    return story


def _card(content: list[Flowable], width: float) -> Table:
    return Table([[content]], colWidths=[width], style=TableStyle([
        *LAYOUT_TABLE.getCommands(),
        ("BACKGROUND", (0, 0), (-1, -1), style.STRIPE),
        ("LINEBEFORE", (0, 0), (0, -1), 3, style.ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 9),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]), hAlign="LEFT")  # fmt: skip


def _story_card(s: StoryView, width: float) -> Flowable:
    st = styles()
    path = " → ".join(_cycle_name(c) for c in s.cycles)
    state = ("followed through to applied or realised value" if s.complete
             else "still unfolding")  # fmt: skip
    content: list[Flowable] = [
        Paragraph(f"<b>{escape(s.title)}</b>", ParagraphStyle("ov_story_title", parent=st.base,
                                                              fontSize=10.5, leading=14)),
        Paragraph(_muted(escape(f"{_plural(len(s.entries), 'step')} · {path} · {state}")),
                  st.cell),
    ]  # fmt: skip
    if s.expected_ending.strip():
        content += long_text(s.expected_ending, ParagraphStyle(
            "ov_story_end", parent=st.cell, spaceBefore=3), prefix="<b>Expected ending:</b>")
    step_style = ParagraphStyle("ov_step", parent=st.cell, leftIndent=10, spaceBefore=2)
    for e in s.entries:
        measure = ""
        if e.measure_value is not None:
            measure = (f" · <b>{escape(charts.fmt_number(e.measure_value))} "
                       f"{escape(e.measure_unit)}</b>")
        content.append(Paragraph(
            f"<font color='{style.ACCENT_DARK.hexval().replace('0x', '#')}'><b>"
            f"{escape(_cycle_name(e.cycle))}</b></font> · {escape(long_date(e.entry_date))} · "
            f"{escape(_shorten(e.title, 160))}{measure}", step_style))  # fmt: skip
    return _card(content, width)


def _measures(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Measures", level=2)]
    now, before = values.measures(data.entries), values.measures(data.previous_entries)
    if not now and not before:
        story.append(_para("No value entry in this period or the one before carries a measure.",
                           st.note))  # fmt: skip
        return story
    story.append(_para(
        "Where an entry's evidence carries a number, it is summed by unit (units that differ "
        "only in capitals are the same).", st.body,
    ))  # fmt: skip
    counts: dict[str, int] = {}
    for e in data.entries:
        if e.measure_value is not None:
            counts[e.measure_unit.casefold()] = counts.get(e.measure_unit.casefold(), 0) + 1
    before_by_key = {u.casefold(): v for u, v in before.items()}
    units = dict(now)
    for unit in before:
        if unit.casefold() not in {u.casefold() for u in units}:
            units[unit] = 0.0
    rows: list[list[Any]] = []
    for unit, total in sorted(units.items(), key=lambda kv: (-kv[1], kv[0].casefold())):
        prev = before_by_key.get(unit.casefold(), 0.0)
        text, tone = _change(total, prev)
        rows.append([
            Paragraph(f"<b>{escape(unit)}</b>", st.cell),
            Paragraph(f"<b>{escape(charts.fmt_number(total))}</b>", st.cell_number),
            Paragraph(f"{counts.get(unit.casefold(), 0):,}", st.cell_number),
            Paragraph(escape(charts.fmt_number(prev)), st.cell_number),
            Paragraph(_tone_markup(text, tone) if tone in ("good", "bad") else _muted(
                escape(text)), st.cell_number),
        ])  # fmt: skip
    story.append(data_table(["Unit", "This period", "Entries", "Before", "Change"], rows,
                            [width * f for f in (0.36, 0.17, 0.13, 0.17, 0.17)],
                            style=FIGURES_TABLE, numeric=(1, 2, 3, 4)))  # fmt: skip
    return story


# --- health --------------------------------------------------------------------------------------
def _pyramid(levels: dict[str, int], width: float) -> Drawing:
    """Members per level as centred bars, the core on top: the community's shape."""
    style.register_fonts()
    order = _level_order()
    label_w = 82.0
    value_w = 40.0
    plot_w = width - label_w - value_w
    row_h, gap = 17.0, 4.0
    height = len(order) * (row_h + gap)
    d = Drawing(width, height, initialFontName=style.FONT_REGULAR, initialFontSize=8)
    most = max(levels.values(), default=0) or 1
    centre = label_w + plot_w / 2
    shades: list[Color] = [style.ACCENT_DARK, style.ACCENT, style.OKABE_ITO["sky_blue"],
                           colors.HexColor("#9CCFEF"), colors.HexColor("#C8E4F6")]  # fmt: skip
    for i, key in enumerate(order):
        n = levels.get(key, 0)
        y = height - (i + 1) * (row_h + gap) + gap / 2
        w = max(2.0, plot_w * n / most) if n else 0.0
        if w:
            d.add(Rect(centre - w / 2, y, w, row_h, fillColor=shades[i], strokeColor=None))
        d.add(String(label_w - 6, y + row_h / 2 - 3, level_label(key), fontName=style.FONT_REGULAR,
                     fontSize=8, fillColor=style.INK, textAnchor="end"))  # fmt: skip
        d.add(String(centre + max(w / 2, 0) + 5, y + row_h / 2 - 3, f"{n:,}",
                     fontName=style.FONT_BOLD, fontSize=8.5, fillColor=style.INK))  # fmt: skip
    return d


def _health_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading(SECTION_TITLES["health"])]
    story.append(_para(
        "How alive the community is: who takes part and how closely, whether people come, "
        "how regular its rhythm is, what its time goes to, and whether outside voices are "
        "heard.", st.body,
    ))  # fmt: skip
    story += _participation(data, width)
    story += _movement(data, width)
    story += _attendance(data, width)
    story += _rhythm(data, width)
    story += _functions(data, width)
    story += _voices(data, width)
    return story


def _participation(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    total = sum(data.levels_end.values())
    head: list[Flowable] = [heading("Participation pyramid", level=2), _para(
        f"The {total:,} active members on {long_date(data.period.end)} by how closely they "
        "take part. A healthy community has a small core group, a wider ring of active "
        "members and many at the edge who learn by following.", st.body)]  # fmt: skip
    gap = 12.0
    left = width * 0.52
    rows: list[list[Any]] = [[Paragraph("Level", st.cell_header),
                              Paragraph("Members", st.cell_header_number),
                              Paragraph("Share", st.cell_header_number)]]  # fmt: skip
    for key in _level_order():
        n = data.levels_end.get(key, 0)
        rows.append([Paragraph(f"<b>{escape(level_label(key))}</b><br/>"
                               f"{_muted(escape(LEVEL_TERMS[key].help), 7)}", st.cell),
                     Paragraph(f"{n:,}", st.cell_number),
                     Paragraph(f"{round(100 * n / total)}%" if total else "–",
                               st.cell_number)])  # fmt: skip
    right = width - left - gap
    table = style.fitted_table(rows, colWidths=[right * 0.55, right * 0.27, right * 0.18],
                               style=FIGURES_TABLE, hAlign="LEFT")  # fmt: skip
    layout = Table([[_pyramid(data.levels_end, left), "", table]],
                   colWidths=[left, gap, right], style=TableStyle([
                       *LAYOUT_TABLE.getCommands(), ("VALIGN", (0, 0), (0, 0), "MIDDLE")]),
                   hAlign="LEFT")  # fmt: skip
    note = Paragraph(escape("Members who have left are not counted; members without consent "
                            "are counted but never named."), st.small)  # fmt: skip
    return [KeepTogether([*head, layout, Spacer(1, 3), note])]


def _movement(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    m = data.movements
    head: list[Flowable] = [heading("Movement between levels", level=2), _para(
        f"Each active member's level on {long_date(data.period.end)} against the day before "
        f"the period began ({long_date(data.period.start - dt.timedelta(days=1))}).",
        st.body)]  # fmt: skip
    tiles = _delta_tiles([
        (f"{m.toward_core:,}", "moved toward the core", _muted("closer participation")),
        (f"{m.outward:,}", "drifted outward", _muted("toward the edge")),
        (f"{m.joined:,}", "joined in the period", _muted("new members")),
        (f"{m.stayed:,}", "kept their level", _muted("steady")),
    ], width)
    parts: list[Flowable] = [*head, tiles]
    if m.moves:
        rows = []
        for (before, after), n in m.moves.items():
            inward = Level(after).rank < Level(before).rank if after in LEVEL_TERMS and \
                before in LEVEL_TERMS else False  # fmt: skip
            rows.append([
                Paragraph(escape(level_label(before)), st.cell),
                Paragraph(escape(level_label(after)), st.cell),
                Paragraph(escape("toward the core" if inward else "outward"), st.cell),
                Paragraph(f"<b>{n:,}</b>", st.cell_number),
            ])  # fmt: skip
        parts += [Spacer(1, 8), data_table(["From", "To", "Direction", "Members"], rows,
                                           [width * f for f in (0.3, 0.3, 0.25, 0.15)],
                                           numeric=(3,))]  # fmt: skip
    return [KeepTogether(parts)]


def _attendance(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    months = list(data.months)
    head: list[Flowable] = [heading("Attendance over time", level=2)]
    now = data.now
    if not now.held:
        head.append(_para("No session was held in this period.", st.note))
        return head
    text, _ = _change(now.attendance_rate, data.before.attendance_rate, points=True)
    head.append(_para(
        f"Share of those invited who attended, per month: {_pct(now.attendance_rate)} over "
        f"the period ({now.attended:,} attendances of {now.invited:,} invitations at "
        f"{_plural(now.held, 'held session')}"
        + (f"; {_minus(text)} on the {data.period.noun()} before"
           if data.before.attendance_rate is not None and text != "–" else "") + "). "
        "Months without a held session leave a gap.", st.body,
    ))  # fmt: skip
    shown = months[-24:]
    chart = charts.line_chart(
        _month_labels([m.month for m in shown]),
        [charts.Series("Attendance rate",
                       [None if m.rate is None else m.rate * 100 for m in shown], style.ACCENT)],
        width, 44 * mm, maximum=100, value_format=charts.fmt_percent, ticks=(0, 50, 100),
        axis_format=charts.fmt_percent,
    )  # fmt: skip
    parts: list[Flowable] = [*head, chart, Spacer(1, 6)]
    if len(shown) <= 13:
        first = width * 0.16
        cell = (width - first) / max(1, len(shown))
        small = ParagraphStyle("ov_month", parent=st.cell_number, fontSize=7, leading=9,
                               alignment=1)  # fmt: skip
        small_head = ParagraphStyle("ov_month_head", parent=st.cell_header_number, fontSize=7,
                                    leading=9, alignment=1)  # fmt: skip
        rows: list[list[Any]] = [
            [Paragraph("Month", st.cell_header),
             *[Paragraph(f"{_SHORT_MONTHS[m.month.month - 1]}<br/>{m.month.year}", small_head)
               for m in shown]],
            [Paragraph("Sessions held", st.cell),
             *[Paragraph(f"{m.sessions_held}" if m.sessions_held else _muted("·"), small)
               for m in shown]],
            [Paragraph("Attended", st.cell),
             *[Paragraph(f"{m.attended}" if m.sessions_held else _muted("·"), small)
               for m in shown]],
            [Paragraph("Invited", st.cell),
             *[Paragraph(f"{m.invited}" if m.sessions_held else _muted("·"), small)
               for m in shown]],
        ]  # fmt: skip
        table_style = TableStyle([("LEFTPADDING", (1, 0), (-1, -1), 1),
                                  ("RIGHTPADDING", (1, 0), (-1, -1), 1)],
                                 parent=DATA_TABLE)  # fmt: skip
        parts.append(style.fitted_table(rows, colWidths=[first, *[cell] * len(shown)],
                                        style=table_style, hAlign="LEFT",
                                        padding=2))  # fmt: skip
    return [KeepTogether(parts)]


def _rhythm(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Rhythm", level=2)]
    now, before = data.now, data.before
    gaps = now.gaps_days
    target = data.target_days
    regularity = now.regularity(target)
    facts: list[tuple[str, str]] = [
        ("Target cadence", f"every {target} days" if target else "no regular series set"),
        ("Sessions held", f"{now.held:,}" + (f" ({now.cancelled:,} cancelled)"
                                             if now.cancelled else "")),
        ("Median gap between sessions",
         f"{statistics.median(gaps):.0f} days" if gaps else "–"),
        ("Longest gap", f"{max(gaps)} days" if gaps else "–"),
        ("Gaps on rhythm", f"{_pct(regularity)} (within half the target)"
         if regularity is not None else "–"),
    ]  # fmt: skip
    before_regularity = before.regularity(target)
    if regularity is not None and before_regularity is not None:
        text, _ = _change(regularity, before_regularity, points=True)
        facts.append((f"The {data.period.noun()} before" if data.period.noun() in
                      ("year", "quarter", "month") else "The period before",
                      f"{_pct(before_regularity)} on rhythm ({_minus(text)})"))  # fmt: skip
    if regularity is None:
        verdict = "Too few sessions were held in the period to judge the rhythm."
    elif regularity >= 0.75:
        verdict = ("A steady rhythm: members can count on the next meeting, which is what "
                   "keeps a community alive between sessions.")
    elif regularity >= 0.5:
        verdict = "A mostly steady rhythm, with some long gaps between sessions."
    else:
        verdict = ("An irregular rhythm: long or uneven gaps make it harder for members to "
                   "keep the community in their week.")
    story.append(_para(verdict, st.body))
    story.append(style.fitted_table(
        [[Paragraph(escape(k), st.label), Paragraph(escape(v), st.base)] for k, v in facts],
        colWidths=[width * 0.35, width * 0.65], style=KEY_VALUE_TABLE, hAlign="LEFT",
    ))  # fmt: skip
    return [KeepTogether(story)]


def _functions(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    cov = data.coverage
    head: list[Flowable] = [heading("Time given to each function", level=2)]
    if not cov.total_minutes:
        head.append(_para("No agenda time was recorded for held sessions in this period.",
                          st.note))  # fmt: skip
        return head
    hours_total = cov.total_minutes / 60
    never = [FUNCTION_BY_KEY[k].label for k in cov.never_served if k in FUNCTION_BY_KEY]
    text = (f"Agenda time of the held sessions ({charts.fmt_number(round(hours_total, 1))} "
            f"hours) by the {len(FUNCTIONS)} functions a community can serve.")
    if never:
        text += " Never served in the period: " + ", ".join(never) + "."
    else:
        text += " Every function was served."
    head.append(_para(text, st.body))
    bars = [charts.Bar(FUNCTION_BY_KEY[k].label, round(m / 60, 1),
                       style.ACCENT if m else style.RULE,
                       text=f"{charts.fmt_number(round(m / 60, 1))} h" if m else "not served")
            for k, m in sorted(cov.minutes.items(), key=lambda kv: -kv[1])]  # fmt: skip
    if cov.untagged_minutes:
        bars.append(charts.Bar("No function recorded", round(cov.untagged_minutes / 60, 1),
                               style.RULE,
                               text=f"{charts.fmt_number(round(cov.untagged_minutes / 60, 1))} h"))
    chart = charts.bar_chart(bars, width * 0.9, bar_height=9, gap=4)
    return [KeepTogether([*head, chart])]


def _voices(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    v, reach = data.voices, data.reach
    now = data.now
    head: list[Flowable] = [heading("Inside and outside voices", level=2), _para(
        "A community learns most when members' experience meets outside perspectives: guests "
        "from other organisations and fields.", st.body)]  # fmt: skip

    def share(n: int, total: int) -> str:
        return f"{round(100 * n / total)}%" if total else "–"

    rows = [
        ["Members on the roster", f"{reach.inside:,}", f"{reach.outside_guests:,}",
         share(reach.outside_guests, reach.total)],
        ["People who attended in the period", f"{v.inside_people:,}", f"{v.outside_people:,}",
         share(v.outside_people, v.people)],
        ["Attendances in the period", f"{v.inside_attendances:,}",
         f"{v.outside_attendances:,}", share(v.outside_attendances, v.attendances)],
    ]  # fmt: skip
    table = data_table(["", "Inside", "Outside guests", "Outside share"], rows,
                       [width * f for f in (0.46, 0.18, 0.18, 0.18)], style=FIGURES_TABLE,
                       numeric=(1, 2, 3))  # fmt: skip
    spaces = _para(
        f"Sessions in the period: {now.planned_public:,} public (open to all members and "
        f"guests) and {now.planned_private:,} private (core group or invited only).", st.small)
    return [KeepTogether([*head, table, Spacer(1, 4), spaces])]


# --- fitness -------------------------------------------------------------------------------------
def _fitness_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading(SECTION_TITLES["fitness"])]
    a = data.assessment
    if a is None:
        story.append(_para(
            "No fitness assessment has been made yet. A fitness check scores the community's "
            "results, resources and values, with evidence, and agrees actions.", st.note))
        return story
    limits = data.limits
    passing = sum(1 for d in a.dimensions if d.passes)
    draft = " It is still a draft: scores may change." if a.is_draft else ""
    story.append(_para(
        f"The latest assessment ({a.checklist_label.lower()}, {long_date(a.held_on)}) scores "
        f"the community at {_pct(a.overall)} overall; {passing} of {len(a.dimensions)} "
        f"dimensions pass (green from {limits.green_from}% of the maximum, amber from "
        f"{limits.amber_from}%).{draft}", st.body))  # fmt: skip
    bars = [charts.Bar(d.label, None if d.share is None else d.share * 100,
                       charts.BAND_COLOURS[d.band],
                       text="Not assessed" if d.share is None else
                       f"{_pct(d.share)} · {charts.BAND_WORDS[d.band]}")
            for d in a.dimensions]  # fmt: skip
    bars.append(charts.Bar("Overall", None if a.overall is None else a.overall * 100,
                           charts.BAND_COLOURS[a.overall_band],
                           text="Not assessed" if a.overall is None else
                           f"{_pct(a.overall)} · {charts.BAND_WORDS[a.overall_band]}"))  # fmt: skip
    chart = charts.bar_chart(bars, width, maximum=100, marks=[
        charts.Mark(limits.amber_from, f"amber {limits.amber_from}%", style.INK),
        charts.Mark(limits.green_from, f"pass {limits.green_from}%", style.INK),
    ], ticks=(0, 25, 50, 75, 100), axis_format=charts.fmt_percent, bar_height=12)  # fmt: skip
    story.append(KeepTogether([heading("Latest scores", level=2), chart]))
    story += _fitness_trend(data, width)
    story += _action_plan(data, width)
    return story


def _fitness_trend(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    a = data.assessment
    assert a is not None
    points = list(data.trend)[-8:]
    head: list[Flowable] = [heading("Trend", level=2)]
    if len(points) < 2:
        head.append(_para("This is the first assessment with this checklist; the trend starts "
                          "with the next one.", st.note))  # fmt: skip
        return head
    limits = data.limits
    bands = [
        charts.Band(0, limits.amber_from, charts.BAND_TINTS["red"]),
        charts.Band(limits.amber_from, limits.green_from, charts.BAND_TINTS["amber"]),
        charts.Band(limits.green_from, 100, charts.BAND_TINTS["green"]),
    ]
    first, last = points[0], points[-1]
    text, _ = _change(last.overall, first.overall, points=True)
    head.append(_para(
        f"Overall score across {_plural(len(points), 'assessment')} from "
        f"{long_date(first.held_on)} to {long_date(last.held_on)} ({_minus(text)}). Shading "
        "marks the red, amber and green bands.", st.body))  # fmt: skip
    categories = [_short_month(p.held_on) for p in points]  # quarters apart: room enough
    chart = charts.line_chart(categories, [charts.Series(
        "Overall", [None if p.overall is None else p.overall * 100 for p in points], style.INK)],
        width, 46 * mm, maximum=100, value_format=charts.fmt_percent, bands=bands,
        ticks=(0, 50, 100), axis_format=charts.fmt_percent)  # fmt: skip
    head_row = ["Dimension", *[p.held_on.isoformat() for p in points]]
    rows: list[list[Any]] = []
    for d in a.dimensions:
        rows.append([Paragraph(f"<b>{escape(d.label)}</b>", st.cell), *[
            Paragraph(_pct(p.dimensions.get(d.key)), st.cell_number) for p in points]])
    rows.append([Paragraph("<b>Overall</b>", st.cell),
                 *[Paragraph(f"<b>{_pct(p.overall)}</b>", st.cell_number) for p in points]])
    first_w = width * 0.28
    rest = (width - first_w) / len(points)
    table = data_table(head_row, rows, [first_w, *[rest] * len(points)],
                       numeric=range(1, len(head_row)))  # fmt: skip
    return [KeepTogether([*head, chart]), Spacer(1, 6), table]


def _action_plan(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading("Action plan", level=2)]
    actions = data.fitness_actions
    if not actions:
        story.append(_para("No open actions from the latest assessment.", st.note))
        return story
    story.append(_para(
        f"{_plural(len(actions), 'action')} agreed in the assessment of "
        f"{long_date(actions[0].held_on)} and not done yet.", st.body))  # fmt: skip
    rows = [[Paragraph(f"{i}", st.cell_number),
             Paragraph(escape(_shorten(x.action, MAX_CELL_TEXT)), st.cell),
             Paragraph(_muted(escape(_shorten(x.question_text, 200))), st.cell)]
            for i, x in enumerate(actions, start=1)]  # fmt: skip
    story.append(data_table(["#", "Agreed action", "For the question"], rows,
                            [width * 0.06, width * 0.54, width * 0.40], numeric=(0,)))  # fmt: skip
    return [KeepTogether(story)]  # the heading never stays behind without its first rows


# --- knowledge -----------------------------------------------------------------------------------
def _knowledge_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    km = data.knowledge
    story: list[Flowable] = [heading(SECTION_TITLES["knowledge"])]
    if not km.entries:
        story.append(_para("No expertise or interests have been recorded yet.", st.note))
        return story
    strengths = km.strengths
    story.append(_para(
        f"What members know and want to learn: {_plural(len(km.entries), 'topic')}, "
        f"{len(strengths):,} held as expertise and {_plural(len(km.gaps), 'gap')}. Only "
        "members who consented are named; the others are counted.", st.body))  # fmt: skip
    story.append(heading("Strengths", level=2))
    shown = strengths[:MAX_STRENGTHS]
    rows = [[Paragraph(f"<b>{escape(e.tag)}</b>", st.cell),
             Paragraph(f"{e.expert_count:,}", st.cell_number),
             Paragraph(_names(e.experts, e.hidden_experts), st.cell),
             Paragraph(f"{e.seeker_count:,}", st.cell_number)]
            for e in shown]  # fmt: skip
    story.append(data_table(["Topic", "Experts", "Who knows it", "Want to learn it"], rows,
                            [width * f for f in (0.26, 0.11, 0.48, 0.15)],
                            numeric=(1, 3)))  # fmt: skip
    if len(strengths) > len(shown):
        story.append(Paragraph(escape(
            f"The {len(shown)} topics with most experts; {len(strengths) - len(shown):,} more "
            "are held by fewer members."), st.small))  # fmt: skip
    gaps = km.gaps
    gap_head: list[Flowable] = [heading("Gaps: wanted, but nobody holds it yet", level=2)]
    if not gaps:
        story += gap_head
        story.append(_para("No gaps: every interest is held as expertise by at least one "
                           "member.", st.note))  # fmt: skip
        return story
    gap_head.append(_para(
        f"{_plural(len(gaps), 'topic')} that members want to learn "
        f"{'is' if len(gaps) == 1 else 'are'} held by nobody in the community: where an outside "
        "expert, a guest speaker or a learning project would add most.", st.body))  # fmt: skip
    rows = [[Paragraph(f"<b>{escape(e.tag)}</b>", st.cell),
             Paragraph(f"{e.seeker_count:,}", st.cell_number),
             Paragraph(_names(e.seekers, e.hidden_seekers), st.cell)]
            for e in gaps[:MAX_GAPS]]  # fmt: skip
    callout = TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.6, style.WARN),
                          ("VALIGN", (0, 0), (-1, 0), "BOTTOM")], parent=CALLOUT_TABLE)  # fmt: skip
    header = [Paragraph("Topic", st.cell_header), Paragraph("Wanted by", st.cell_header_number),
              Paragraph("Members who want to learn it", st.cell_header)]  # fmt: skip
    # at most MAX_GAPS rows: read as a whole, never split across pages
    story.append(KeepTogether([*gap_head, style.fitted_table(
        [header, *rows], colWidths=[width * 0.30, width * 0.14, width * 0.56], style=callout,
        hAlign="LEFT", repeatRows=1)]))  # fmt: skip
    if len(gaps) > MAX_GAPS:
        story.append(Paragraph(escape(f"and {len(gaps) - MAX_GAPS:,} more gaps wanted by "
                                      "fewer members."), st.small))  # fmt: skip
    return story


# --- next ----------------------------------------------------------------------------------------
def _next_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading(SECTION_TITLES["next"])]
    story.append(heading("Upcoming sessions", level=2))
    if not data.upcoming:
        story.append(_para(f"No session is planned after {long_date(data.today)}.", st.note))
    else:
        rows = []
        for r in data.upcoming:
            where = term_label(SESSION_MODES, r.mode)
            if r.mode == "in_person" and r.location.strip():
                where += f": {_shorten(r.location, 60)}"
            rows.append([
                Paragraph(f"<b>{escape(long_date(r.starts_at.date()))}</b><br/>"
                          + _muted(escape(f"{r.starts_at:%H:%M} {_zone(r.time_zone)}")),
                          st.cell),
                Paragraph(f"<b>{escape(r.title)}</b>"
                          + (f"<br/>{_muted(escape(_shorten(r.purpose, 160)))}"
                             if r.purpose.strip() else ""), st.cell),
                Paragraph(escape(where), st.cell),
                Paragraph(escape("Public" if r.space == "public" else "Private"), st.cell),
            ])  # fmt: skip
        story.append(data_table(["When", "Session", "Mode", "Space"], rows,
                                [width * f for f in (0.2, 0.5, 0.18, 0.12)]))  # fmt: skip
    story.append(heading("Open actions", level=2))
    actions = data.open_actions
    if not actions:
        story.append(_para("No follow-up action is open.", st.note))
        return story
    overdue = sum(1 for a in actions if a.overdue)
    late = f", {overdue:,} of them overdue (marked)" if overdue else ""
    story.append(_para(f"{_plural(len(actions), 'follow-up action')} agreed in sessions and "
                       f"not done yet{late}.", st.body))  # fmt: skip
    rows = []
    for a in actions[:MAX_OPEN_ACTIONS]:
        owner = (escape(a.owner_name) if a.owner_id in data.named and a.owner_name
                 else _muted("a member (not named)") if a.owner_id is not None
                 else _muted("no owner"))  # fmt: skip
        due = escape(long_date(a.due_on)) if a.due_on else _muted("no date")
        if a.overdue:
            due = f"<font color='{_BAD_HEX}'><b>{due}</b> · overdue</font>"
        rows.append([
            Paragraph(escape(_shorten(a.title, MAX_CELL_TEXT)), st.cell),
            Paragraph(owner, st.cell),
            Paragraph(due, st.cell),
            Paragraph(_muted(escape(_shorten(a.session_title, 80))), st.cell),
        ])  # fmt: skip
    story.append(data_table(["Action", "Owner", "Due", "From the session"], rows,
                            [width * f for f in (0.42, 0.18, 0.18, 0.22)]))  # fmt: skip
    if len(actions) > MAX_OPEN_ACTIONS:
        story.append(Paragraph(escape(
            f"and {len(actions) - MAX_OPEN_ACTIONS:,} more open actions (the most urgent are "
            "listed)."), st.small))  # fmt: skip
    return story


# --- directory -----------------------------------------------------------------------------------
def _directory_section(data: OverviewData, width: float) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = [heading(SECTION_TITLES["directory"])]
    listed = len(data.directory)
    hidden = data.reach.total - listed
    story.append(_para(
        f"{_plural(listed, 'active member')} consented to be named in reports shared with the "
        f"host and {'is' if listed == 1 else 'are'} listed by name"
        + (f"; {_plural(hidden, 'member')} who did not {'is' if hidden == 1 else 'are'} "
           "counted in the figures only" if hidden > 0 else "") + ".", st.body))  # fmt: skip
    if not data.directory:
        story.append(_para("No member can be named in this report.", st.note))
        return story
    # Thousands of rows: plain text, wrapped and paged without ReportLab measuring them.
    rows: list[list[str | tuple[str, ...]]] = [
        [m.full_name, m.organisation, m.region, level_label(m.level), ", ".join(m.expertise)]
        for m in data.directory
    ]
    story.append(style.plain_table(["Name", "Organisation", "Region", "Level", "Expertise"],
                                   rows, [width * f for f in (0.22, 0.22, 0.14, 0.14, 0.28)],
                                   bold_first=True))  # fmt: skip
    return story
