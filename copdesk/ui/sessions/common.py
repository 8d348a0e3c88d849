"""Helpers shared by the Sessions tab's views: time display, members, colours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from copdesk.data import session_queries
from copdesk.data.session_queries import DirectoryRow
from copdesk.data.store import Store
from copdesk.framework import SESSION_STATUSES, term_label

#: Text shown where an owner or facilitator was deleted (the store sets it to nothing).
NO_OWNER = "(no owner)"
NO_FACILITATOR = "(no facilitator)"

WARN = "#b03a2e"
WARN_BG = "#fdecea"
OK = "#1e7b4a"
OK_BG = "#e8f5ee"
MUTED = "#5d6d7e"

STATUS_COLOURS: dict[str, str] = {
    "planned": "#2e86c1",
    "held": "#1e8449",
    "cancelled": "#a6acaf",
}

Clock = Callable[[], dt.datetime]


def system_now() -> dt.datetime:
    """Naive local wall-clock time, like the session starts the planner compares with."""
    return dt.datetime.now().replace(second=0, microsecond=0)


def local_zone() -> dt.tzinfo:
    zone = dt.datetime.now().astimezone().tzinfo
    return zone if zone is not None else dt.UTC


def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        return None


def in_local_time(starts_at: dt.datetime, zone_name: str) -> dt.datetime | None:
    """The wall-clock ``starts_at`` of zone ``zone_name`` as the viewer's local time."""
    tz = zone(zone_name)
    if tz is None:
        return None
    return starts_at.replace(tzinfo=tz).astimezone(local_zone())


def local_time_note(starts_at: dt.datetime, zone_name: str) -> str:
    """"(15:00 your time)" when the viewer's clock differs from the session's zone."""
    local = in_local_time(starts_at, zone_name)
    if local is None:
        return ""
    if local.replace(tzinfo=None) == starts_at:
        return ""
    day = "" if local.date() == starts_at.date() else f" {local:%a %d %b}"
    return f"({local:%H:%M}{day} your time)"


def status_label(key: str) -> str:
    return term_label(SESSION_STATUSES, key)


def when_text(starts_at: dt.datetime) -> str:
    return f"{starts_at:%a %d %b %Y}"


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    level: str
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    active: bool


class MemberDirectory:
    """The community's members for the pickers (names, levels, roles, tags)."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self._by_id: dict[int, Person] = {}

    def load(self, store: Store | None, community_id: int | None) -> None:
        rows: list[DirectoryRow] = []
        if store is not None and community_id is not None:
            with store.session() as session:
                rows = session_queries.directory_rows(session, community_id)
        self.people = [Person(r.id, r.full_name, r.level, r.roles, r.tags, r.active) for r in rows]
        self._by_id = {p.id: p for p in self.people}

    def name(self, member_id: int | None, missing: str = NO_OWNER) -> str:
        if member_id is None:
            return missing
        person = self._by_id.get(member_id)
        return person.name if person else missing

    def get(self, member_id: int) -> Person | None:
        return self._by_id.get(member_id)

    def tags(self) -> list[str]:
        seen: dict[str, str] = {}
        for p in self.people:
            for t in p.tags:
                seen.setdefault(t.casefold(), t)
        return sorted(seen.values(), key=str.casefold)


def local_zone_name() -> str:
    """The viewer's IANA zone name when it can be found (else UTC)."""
    import os
    from pathlib import Path

    name = os.environ.get("TZ", "").lstrip(":")
    if name and zone(name) is not None:
        return name
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        if zone(name) is not None:
            return name
    return "UTC"
