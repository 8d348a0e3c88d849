"""Planned sessions as an iCalendar file that calendar programs import."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from sqlalchemy.orm import Session

from copdesk import __version__
from copdesk.data import sessions as S
from copdesk.data.agenda import timings
from copdesk.data.communities import get_community
from copdesk.data.validation import clean_line
from copdesk.framework import FUNCTION_BY_KEY, SESSION_MODES, method_label, term_label

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CalendarExport:
    data: bytes
    events: int
    warnings: tuple[str, ...]


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        return None


def _description(row: S.SessionRow, blocks: list[S.BlockRow]) -> str:
    lines = []
    if row.purpose:
        lines += [row.purpose, ""]
    lines.append(f"{term_label(SESSION_MODES, row.mode)}, {row.space} space")
    if row.facilitators:
        lines.append("Facilitators: " + ", ".join(row.facilitators))
    if blocks:
        lines += ["", "Agenda:"]
        for t, b in zip(timings(row.starts_at, [b.minutes for b in blocks]), blocks, strict=True):
            function = FUNCTION_BY_KEY.get(b.function)
            extra = [x for x in (function.label if function else "", method_label(b.method)) if x]
            tail = f" ({', '.join(extra)})" if extra else ""
            lines.append(f"{t.start:%H:%M} {b.title} - {b.minutes} min{tail}")
    return "\n".join(lines)


def calendar_ics(
    session: Session,
    community_id: int,
    *,
    statuses: tuple[str, ...] = ("planned",),
    stamp: dt.datetime | None = None,
) -> CalendarExport:
    """The community's sessions (planned ones by default) as iCalendar bytes.

    A session whose time zone is missing or unknown is exported in UTC and named in
    ``warnings``, never silently shifted to "floating" local time.
    """
    community = get_community(session, community_id)
    slug = _SLUG.sub("-", community.name.casefold()).strip("-") or "community"
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//copdesk {__version__}//Community of Practice sessions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean_line(community.name))
    warnings: list[str] = []
    count = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    for row in S.list_sessions(session, community_id):
        if row.status not in statuses:
            continue
        zone = _zone(row.time_zone)
        if zone is None:
            warnings.append(
                f"“{row.title}” ({row.starts_at:%Y-%m-%d}) has no valid time zone "
                f"({row.time_zone or 'none'}): exported as UTC"
            )
            zone = ZoneInfo("UTC")
        start = row.starts_at.replace(tzinfo=zone)
        event = icalendar.Event()
        event.add("uid", f"session-{row.id}@{slug}.copdesk")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=row.planned_minutes))
        event.add("summary", row.title)
        event.add("description", _description(row, S.list_blocks(session, row.id)))
        if row.location:
            event.add("location", row.location)
        event.add("status", "CANCELLED" if row.status == "cancelled" else "CONFIRMED")
        event.add("class", "PRIVATE" if row.space == "private" else "PUBLIC")
        if row.series_title:
            event.add("categories", [row.series_title])
        cal.add_component(event)
        count += 1
        first = start if first is None or start < first else first
        last = start if last is None or start > last else last
    if first is not None and last is not None:
        cal.add_missing_timezones(
            first_date=(first - dt.timedelta(days=366)).date(),
            last_date=(last + dt.timedelta(days=366)).date(),
        )
    return CalendarExport(cal.to_ical(), count, tuple(warnings))
