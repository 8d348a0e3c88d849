"""Sessions: planning, series (the community's rhythm), attendance, outcomes and actions.

Times: a session's ``starts_at`` is the wall-clock time in its own ``time_zone`` (an IANA
name), the way people plan meetings; conversions to the viewer's zone happen on display.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from copdesk.data import changes
from copdesk.data.agenda import AgendaSummary, summarise
from copdesk.data.ids import keep_ids_unused
from copdesk.data.models import (
    AgendaBlock,
    AgendaTemplate,
    Attendance,
    CopSession,
    FollowUpAction,
    Member,
    Series,
    SessionFacilitator,
    TemplateBlock,
    utcnow,
)
from copdesk.data.validation import ValidationError, clean_line, text_problem
from copdesk.data.versions import row_for_edit
from copdesk.framework import (
    ACTION_STATUSES,
    ATTENDANCE_ROLES,
    ATTENDANCE_STATUSES,
    CADENCES,
    FUNCTION_BY_KEY,
    SESSION_MODES,
    SESSION_SPACES,
    SESSION_STATUSES,
)

MAX_SESSION_MINUTES = 24 * 60
MAX_BLOCK_MINUTES = 12 * 60
MAX_BLOCKS = 100
MAX_OCCURRENCES = 120
MAX_TEXT = 20_000


def _keys(terms: Iterable[Any]) -> set[str]:
    return {t.key for t in terms}


# --- input data -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BlockData:
    title: str
    minutes: int
    function: str = ""
    method: str = ""
    owner_id: int | None = None
    materials: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class SessionData:
    title: str
    starts_at: dt.datetime
    time_zone: str = "UTC"
    planned_minutes: int = 90
    purpose: str = ""
    mode: str = "online"
    location: str = ""
    space: str = "public"
    status: str = "planned"
    facilitator_ids: tuple[int, ...] = ()

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.planned_minutes)


def validate_session(data: SessionData) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = clean_line(data.title)
    if not title:
        errors["title"] = "A session needs a title"
    elif len(title) > 200:
        errors["title"] = "The title is too long (at most 200 characters)"
    elif problem := text_problem(title):
        errors["title"] = f"The title {problem}"
    if data.planned_minutes <= 0:
        errors["planned_minutes"] = "The session must end after it starts (length above 0)"
    elif data.planned_minutes > MAX_SESSION_MINUTES:
        errors["planned_minutes"] = "A session can last at most 24 hours"
    if not known_zone(data.time_zone):
        errors["time_zone"] = f"Unknown time zone {data.time_zone[:40]!r}"
    if not 1900 <= data.starts_at.year <= 2200:
        errors["starts_at"] = "The start date is out of range"
    if data.mode not in _keys(SESSION_MODES):
        errors["mode"] = f"Unknown mode {data.mode!r}"
    if data.space not in _keys(SESSION_SPACES):
        errors["space"] = f"Unknown space {data.space!r}"
    if data.status not in _keys(SESSION_STATUSES):
        errors["status"] = f"Unknown status {data.status!r}"
    if len(data.purpose) > MAX_TEXT:
        errors["purpose"] = f"The purpose is too long (at most {MAX_TEXT:,} characters)"
    elif problem := text_problem(data.purpose):
        errors["purpose"] = f"The purpose {problem}"
    if len(data.location) > 500:
        errors["location"] = "The location or link is too long (at most 500 characters)"
    elif problem := text_problem(data.location):
        errors["location"] = f"The location or link {problem}"
    return errors


def known_zone(name: str) -> bool:
    """Whether ``name`` is a time zone this computer knows (never raises)."""
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def validate_block(block: BlockData, position: int | None = None) -> dict[str, str]:
    where = f"Block {position + 1}: " if position is not None else ""
    errors: dict[str, str] = {}
    if not clean_line(block.title):
        errors["title"] = f"{where}a block needs a title"
    elif len(clean_line(block.title)) > 200:
        errors["title"] = f"{where}the title is too long (at most 200 characters)"
    elif problem := text_problem(block.title):
        errors["title"] = f"{where}the title {problem}"
    if block.minutes <= 0:
        errors["minutes"] = f"{where}the length must be at least 1 minute"
    elif block.minutes > MAX_BLOCK_MINUTES:
        errors["minutes"] = f"{where}a block can last at most 12 hours"
    if block.function and block.function not in FUNCTION_BY_KEY:
        errors["function"] = f"{where}unknown CoP function {block.function!r}"
    if len(block.method) > 100:
        errors["method"] = f"{where}the method name is too long"
    for name, label in (("method", "the method"), ("materials", "the materials"),
                        ("notes", "the notes")):
        value = getattr(block, name)
        if name != "method" and len(value) > MAX_TEXT:
            errors[name] = f"{where}{label} are too long (at most {MAX_TEXT:,} characters)"
        elif name not in errors and (problem := text_problem(value)):
            errors[name] = f"{where}{label} {problem}"
    return errors


# --- rows for lists ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    community_id: int
    title: str
    purpose: str
    starts_at: dt.datetime
    time_zone: str
    planned_minutes: int
    mode: str
    location: str
    space: str
    status: str
    series_id: int | None
    series_title: str
    agenda_minutes: int
    block_count: int
    facilitators: tuple[str, ...]
    invited: int
    attended: int
    #: The row's version when read (hand it back as ``expected_version`` when saving);
    #: not compared: two reads of the same content are equal rows.
    version: int = field(default=0, compare=False)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.planned_minutes)

    @property
    def aware_start(self) -> dt.datetime:
        return self.starts_at.replace(tzinfo=ZoneInfo(self.time_zone))


def list_sessions(
    session: Session, community_id: int, *, ids: Iterable[int] | None = None
) -> list[SessionRow]:
    """The community's sessions ordered by start; a fixed number of queries.

    Plain columns and per-session aggregates computed by the database: no ORM objects,
    no attendance rows counted in Python, no IN list of every session id.
    """
    if session.autoflush:
        session.flush()  # what session.execute would do: pending edits are seen
    # Core on the session's connection: ORM-wrapped result rows cost more than the query.
    conn = session.connection()
    wanted = None if ids is None else list(ids)
    if wanted is not None and not wanted:
        return []

    def scoped(stmt: Any, sid_col: Any) -> Any:
        """Restrict an aggregate over ``sid_col`` to the sessions asked for."""
        if wanted is not None:
            return stmt.where(sid_col.in_(wanted))
        return stmt.join(CopSession, CopSession.id == sid_col).where(
            CopSession.community_id == community_id
        )

    stmt = select(
        CopSession.id, CopSession.title, CopSession.purpose, CopSession.starts_at,
        CopSession.time_zone, CopSession.planned_minutes, CopSession.mode,
        CopSession.location, CopSession.space, CopSession.status, CopSession.series_id,
        CopSession.version,
    ).where(CopSession.community_id == community_id)  # fmt: skip
    if wanted is not None:
        stmt = stmt.where(CopSession.id.in_(wanted))
    rows = conn.execute(stmt.order_by(CopSession.starts_at, CopSession.id)).all()
    if not rows:
        return []
    agenda: dict[int, tuple[int, int]] = {
        sid: (int(minutes or 0), int(n))
        for sid, minutes, n in conn.execute(
            scoped(
                select(AgendaBlock.session_id, func.sum(AgendaBlock.minutes), func.count()),
                AgendaBlock.session_id,
            ).group_by(AgendaBlock.session_id)
        )
    }
    facil: dict[int, list[str]] = defaultdict(list)
    for sid, name in conn.execute(
        scoped(
            select(SessionFacilitator.session_id, Member.full_name).join(
                Member, Member.id == SessionFacilitator.member_id
            ),
            SessionFacilitator.session_id,
        ).order_by(Member.name_key)
    ):
        facil[sid].append(name)
    counts: dict[int, tuple[int, int]] = {
        sid: (int(n), int(came or 0))
        for sid, n, came in conn.execute(
            scoped(
                select(
                    Attendance.session_id,
                    func.count(),
                    func.sum(case((Attendance.status == "attended", 1), else_=0)),
                ),
                Attendance.session_id,
            ).group_by(Attendance.session_id)
        )
    }
    series_titles = dict(
        conn.execute(
            select(Series.id, Series.title).where(Series.community_id == community_id)
        ).all()
    )
    out = []
    for (
        sid, title, purpose, starts_at, time_zone, planned_minutes, mode, location, space,
        status, series_id, version,
    ) in rows:  # fmt: skip
        minutes, nblocks = agenda.get(sid, (0, 0))
        invited, attended = counts.get(sid, (0, 0))
        out.append(
            SessionRow(
                id=sid,
                community_id=community_id,
                title=title,
                purpose=purpose,
                starts_at=starts_at,
                time_zone=time_zone,
                planned_minutes=planned_minutes,
                mode=mode,
                location=location,
                space=space,
                status=status,
                series_id=series_id,
                series_title=series_titles.get(series_id, "") if series_id else "",
                agenda_minutes=minutes,
                block_count=nblocks,
                facilitators=tuple(facil[sid]),
                invited=invited,
                attended=attended,
                version=version,
            )
        )
    return out


#: SQLite stores ids as signed 64-bit integers; a larger number cannot name any row.
_MAX_ID = 2**63 - 1


def get_session(session: Session, session_id: int) -> SessionRow:
    row = session.get(CopSession, session_id) if abs(session_id) <= _MAX_ID else None
    if row is None:
        raise LookupError(f"no session with id {session_id}")
    return list_sessions(session, row.community_id, ids=[session_id])[0]


def session_data(session: Session, session_id: int) -> SessionData:
    s = session.get_one(CopSession, session_id)
    return SessionData(
        title=s.title,
        starts_at=s.starts_at,
        time_zone=s.time_zone,
        planned_minutes=s.planned_minutes,
        purpose=s.purpose,
        mode=s.mode,
        location=s.location,
        space=s.space,
        status=s.status,
        facilitator_ids=tuple(sorted(f.member_id for f in s.facilitators)),
    )


@dataclass(frozen=True, slots=True)
class BlockRow:
    id: int
    position: int
    title: str
    minutes: int
    function: str
    method: str
    owner_id: int | None
    owner_name: str
    materials: str
    notes: str

    def to_data(self) -> BlockData:
        return BlockData(
            self.title,
            self.minutes,
            self.function,
            self.method,
            self.owner_id,
            self.materials,
            self.notes,
        )


def list_blocks(session: Session, session_id: int) -> list[BlockRow]:
    rows = session.execute(
        select(AgendaBlock, Member.full_name)
        .outerjoin(Member, Member.id == AgendaBlock.owner_id)
        .where(AgendaBlock.session_id == session_id)
        .order_by(AgendaBlock.position, AgendaBlock.id)
    ).all()
    return [
        BlockRow(
            b.id,
            i,
            b.title,
            b.minutes,
            b.function,
            b.method,
            b.owner_id,
            name or "",
            b.materials,
            b.notes,
        )
        for i, (b, name) in enumerate(rows)
    ]


def agenda_summary(session: Session, session_id: int) -> AgendaSummary:
    s = session.get_one(CopSession, session_id)
    return summarise(s.starts_at, [b.minutes for b in s.blocks], s.planned_minutes)


# --- commands -------------------------------------------------------------------------
def _check_members(session: Session, community_id: int, ids: Iterable[int], label: str) -> None:
    ids = set(ids)
    if not ids:
        return
    found = set(
        session.scalars(
            select(Member.id).where(Member.id.in_(ids), Member.community_id == community_id)
        )
    )
    missing = ids - found
    if missing:
        raise ValidationError({label: "a chosen member no longer exists in this community"})


def _check_session(session: Session, community_id: int, data: SessionData) -> SessionData:
    data = replace(
        data,
        title=clean_line(data.title),
        purpose=data.purpose.strip(),
        location=data.location.strip(),
        facilitator_ids=tuple(dict.fromkeys(data.facilitator_ids)),
    )
    errors = validate_session(data)
    if errors:
        raise ValidationError(errors)
    _check_members(session, community_id, data.facilitator_ids, "facilitators")
    return data


def _check_blocks(
    session: Session, community_id: int, blocks: Sequence[BlockData]
) -> list[BlockData]:
    if len(blocks) > MAX_BLOCKS:
        raise ValidationError({"blocks": f"An agenda can hold at most {MAX_BLOCKS} blocks"})
    cleaned: list[BlockData] = []
    errors: dict[str, str] = {}
    for i, b in enumerate(blocks):
        b = replace(b, title=clean_line(b.title), method=clean_line(b.method))
        for key, msg in validate_block(b, i).items():
            errors.setdefault(f"blocks.{i}.{key}", msg)
        cleaned.append(b)
    if errors:
        raise ValidationError(errors)
    _check_members(
        session, community_id, [b.owner_id for b in cleaned if b.owner_id], "blocks.owner"
    )
    return cleaned


def _apply_session(row: CopSession, data: SessionData) -> None:
    row.title = data.title
    row.purpose = data.purpose
    row.starts_at = data.starts_at.replace(tzinfo=None, second=0, microsecond=0)
    row.time_zone = data.time_zone
    row.planned_minutes = data.planned_minutes
    row.mode = data.mode
    row.location = data.location
    row.space = data.space
    row.status = data.status
    row.facilitators = [SessionFacilitator(member_id=m) for m in data.facilitator_ids]


def _blocks(blocks: Sequence[BlockData]) -> list[AgendaBlock]:
    return [
        AgendaBlock(
            position=i,
            title=b.title,
            minutes=b.minutes,
            function=b.function,
            method=b.method,
            owner_id=b.owner_id,
            materials=b.materials,
            notes=b.notes,
        )
        for i, b in enumerate(blocks)
    ]


def create_session(
    session: Session,
    community_id: int,
    data: SessionData,
    blocks: Sequence[BlockData] = (),
    *,
    series_id: int | None = None,
) -> int:
    data = _check_session(session, community_id, data)
    checked = _check_blocks(session, community_id, blocks)
    row = CopSession(community_id=community_id, series_id=series_id)
    _apply_session(row, data)
    row.blocks = _blocks(checked)
    session.add(row)
    session.flush()
    changes.record(session, changes.Change("session", "insert", (row.id,), community_id))
    return row.id


def update_session(
    session: Session,
    session_id: int,
    data: SessionData,
    *,
    expected_version: int | None = None,
) -> None:
    """Replace a session's plan; with ``expected_version`` (``SessionRow.version``), a
    session someone else changed or deleted meanwhile raises ConflictError."""
    row = row_for_edit(
        session, CopSession, session_id, expected_version,
        what="session", name=lambda r: r.title, current=_current_session,
    )
    data = _check_session(session, row.community_id, data)
    _apply_session(row, data)
    # Always write the row, so its version rises even when only the facilitators (rows
    # of their own) changed: a concurrent edit is then caught.
    row.updated_at = utcnow()
    session.flush()
    changes.record(session, changes.Change("session", "update", (session_id,), row.community_id))


def set_agenda(session: Session, session_id: int, blocks: Sequence[BlockData]) -> None:
    """Replace a session's agenda with ``blocks``, in order (validated first)."""
    row = session.get(CopSession, session_id)
    if row is None:
        raise LookupError(f"no session with id {session_id}")
    checked = _check_blocks(session, row.community_id, blocks)
    session.execute(delete(AgendaBlock).where(AgendaBlock.session_id == session_id))
    session.expire(row, ["blocks"])
    for b in _blocks(checked):
        b.session_id = session_id
        session.add(b)
    session.flush()
    changes.record(session, changes.Change("agenda", "update", (session_id,), row.community_id))


def set_outcomes(
    session: Session, session_id: int, *, notes: str, decisions: str, resources: str
) -> None:
    row = session.get_one(CopSession, session_id)
    for name, value in (("notes", notes), ("decisions", decisions), ("resources", resources)):
        if len(value) > MAX_TEXT:
            raise ValidationError({name: f"Too long (at most {MAX_TEXT:,} characters)"})
        if problem := text_problem(value):
            raise ValidationError({name: f"The text {problem}"})
    row.outcome_notes = notes.strip()
    row.decisions = decisions.strip()
    row.resources_created = resources.strip()
    changes.record(session, changes.Change("session", "update", (session_id,), row.community_id))


@dataclass(frozen=True)
class SessionSnapshot:
    id: int
    community_id: int
    series_id: int | None
    data: SessionData
    blocks: tuple[BlockData, ...]
    attendance: tuple[tuple[int, str, str], ...]
    actions: tuple[tuple[int, str, int | None, dt.date | None, str, str], ...]
    outcomes: tuple[str, str, str] = ("", "", "")


def snapshot_session(session: Session, session_id: int) -> SessionSnapshot:
    row = session.get(CopSession, session_id)
    if row is None:
        raise LookupError(f"no session with id {session_id}")
    return SessionSnapshot(
        id=row.id,
        community_id=row.community_id,
        series_id=row.series_id,
        data=session_data(session, session_id),
        blocks=tuple(b.to_data() for b in list_blocks(session, session_id)),
        attendance=tuple((a.member_id, a.status, a.role) for a in row.attendance),
        actions=tuple(
            (a.id, a.title, a.owner_id, a.due_on, a.status, a.notes) for a in row.actions
        ),
        outcomes=(row.outcome_notes, row.decisions, row.resources_created),
    )


def _current_session(session: Session, session_id: int) -> SessionRow | None:
    row = session.get(CopSession, session_id)
    if row is None:
        return None
    found = list_sessions(session, row.community_id, ids=[session_id])
    return found[0] if found else None


def delete_session(
    session: Session, session_id: int, *, expected_version: int | None = None
) -> SessionSnapshot:
    if expected_version is not None:
        row_for_edit(
            session, CopSession, session_id, expected_version,
            what="session", name=lambda r: r.title, current=_current_session,
        )
    snap = snapshot_session(session, session_id)
    session.execute(delete(CopSession).where(CopSession.id == session_id))
    changes.record(session, changes.Change("session", "delete", (session_id,), snap.community_id))
    return snap


def restore_session(session: Session, snap: SessionSnapshot) -> None:
    """Put a session back as in ``snap`` (members deleted since are left out)."""
    live = set(session.scalars(select(Member.id).where(Member.community_id == snap.community_id)))
    series_ok = snap.series_id is not None and session.get(Series, snap.series_id) is not None
    row = session.get(CopSession, snap.id)
    op: changes.Op = "update"
    if row is None:
        op = "insert"
        row = CopSession(id=snap.id, community_id=snap.community_id)
        session.add(row)
    row.series_id = snap.series_id if series_ok else None
    data = replace(
        snap.data, facilitator_ids=tuple(m for m in snap.data.facilitator_ids if m in live)
    )
    _apply_session(row, data)
    row.outcome_notes, row.decisions, row.resources_created = snap.outcomes
    session.flush()
    session.execute(delete(AgendaBlock).where(AgendaBlock.session_id == snap.id))
    session.execute(delete(Attendance).where(Attendance.session_id == snap.id))
    session.execute(delete(FollowUpAction).where(FollowUpAction.session_id == snap.id))
    session.expire(row, ["blocks", "attendance", "actions"])
    for b in _blocks(
        [replace(b, owner_id=b.owner_id if b.owner_id in live else None) for b in snap.blocks]
    ):
        b.session_id = snap.id
        session.add(b)
    for mid, status, role in snap.attendance:
        if mid in live:
            session.add(Attendance(session_id=snap.id, member_id=mid, status=status, role=role))
    for aid, title, owner, due, status, notes in snap.actions:
        session.add(
            FollowUpAction(
                id=aid,
                session_id=snap.id,
                title=title,
                owner_id=owner if owner in live else None,
                due_on=due,
                status=status,
                notes=notes,
            )
        )
    keep_ids_unused(session, CopSession, FollowUpAction)
    changes.record(session, changes.Change("session", op, (snap.id,), snap.community_id))


# --- series: the community's rhythm ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SeriesRule:
    cadence: str
    first_start: dt.datetime
    until: dt.date | None = None
    count: int | None = None
    interval_days: int = 7

    @property
    def step_days(self) -> int:
        return {"weekly": 7, "fortnightly": 14, "monthly": 30}.get(self.cadence, self.interval_days)


def _add_months(start: dt.datetime, months: int) -> dt.datetime:
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def occurrences(rule: SeriesRule) -> list[dt.datetime]:
    """The start of every session a series generates; refuses endless or huge series."""
    if rule.cadence not in _keys(CADENCES):
        raise ValidationError({"cadence": f"Unknown cadence {rule.cadence!r}"})
    if rule.cadence == "custom" and not 1 <= rule.interval_days <= 366:
        raise ValidationError({"interval_days": "The interval must be 1 to 366 days"})
    if not 1900 <= rule.first_start.year <= 2200:
        raise ValidationError({"starts_at": "The start date is out of range"})
    if rule.until is not None and rule.until.year > 2200:
        raise ValidationError({"until": "The end date is out of range"})
    if rule.until is None and rule.count is None:
        raise ValidationError(
            {"until": "A series needs an end: a last date or a number of sessions"}
        )
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        raise ValidationError(
            {
                "count": f"A series can hold 1 to {MAX_OCCURRENCES} sessions "
                f"(asked for {rule.count:,})"
            }
        )
    if rule.until is not None and rule.until < rule.first_start.date():
        raise ValidationError({"until": "The series ends before its first session"})
    starts: list[dt.datetime] = []
    i = 0
    while True:
        if rule.cadence == "monthly":
            at = _add_months(rule.first_start, i)
        else:
            at = rule.first_start + dt.timedelta(days=rule.step_days * i)
        if rule.until is not None and at.date() > rule.until:
            break
        if rule.count is not None and len(starts) >= rule.count:
            break
        starts.append(at)
        if len(starts) > MAX_OCCURRENCES:
            raise ValidationError(
                {
                    "until": f"That end date gives more than {MAX_OCCURRENCES} sessions; "
                    "choose an earlier end"
                }
            )
        i += 1
    return starts


def create_series(
    session: Session,
    community_id: int,
    rule: SeriesRule,
    data: SessionData,
    blocks: Sequence[BlockData] = (),
) -> tuple[int, list[int]]:
    """Create a series and its planned sessions, all or nothing."""
    starts = occurrences(rule)
    data = _check_session(session, community_id, replace(data, starts_at=rule.first_start))
    checked = _check_blocks(session, community_id, blocks)
    series = Series(
        community_id=community_id,
        title=data.title,
        cadence=rule.cadence,
        interval_days=rule.step_days,
        first_start=rule.first_start,
        until=rule.until,
        count=rule.count,
    )
    session.add(series)
    session.flush()
    ids = []
    for at in starts:
        row = CopSession(community_id=community_id, series_id=series.id)
        _apply_session(row, replace(data, starts_at=at, status="planned"))
        row.blocks = _blocks(checked)
        session.add(row)
        session.flush()
        ids.append(row.id)
    changes.record(session, changes.Change("session", "insert", tuple(ids), community_id))
    return series.id, ids


def update_rest_of_series(
    session: Session,
    session_id: int,
    data: SessionData,
    *,
    shift_time: bool = True,
    expected_version: int | None = None,
) -> list[int]:
    """Apply ``data`` to this session and the planned ones after it in its series.

    The date of each later occurrence is kept; its clock time moves with this one's
    when ``shift_time``. Held and cancelled occurrences are left as they are. With
    ``expected_version`` (the version of the session the user edited), a session someone
    else changed or deleted meanwhile raises ConflictError and nothing is written.
    """
    if expected_version is None:
        row = session.get_one(CopSession, session_id)
    else:
        row = row_for_edit(
            session, CopSession, session_id, expected_version,
            what="session", name=lambda r: r.title, current=_current_session,
        )
    if row.series_id is None:
        update_session(session, session_id, data)
        return [session_id]
    data = _check_session(session, row.community_id, data)
    later = session.scalars(
        select(CopSession).where(
            CopSession.series_id == row.series_id,
            CopSession.starts_at > row.starts_at,
            CopSession.status == "planned",
        )
    ).all()
    touched = [row.id]
    _apply_session(row, data)
    row.updated_at = utcnow()
    for other in later:
        at = other.starts_at
        if shift_time:
            at = dt.datetime.combine(at.date(), data.starts_at.time())
        _apply_session(other, replace(data, starts_at=at, status=other.status))
        touched.append(other.id)
    session.flush()
    changes.record(session, changes.Change("session", "update", tuple(touched), row.community_id))
    return touched


def series_title(session: Session, series_id: int) -> str:
    return session.get_one(Series, series_id).title


@dataclass(frozen=True, slots=True)
class Rhythm:
    """The rhythm's health: the target cadence against the real gaps between sessions."""

    target_days: int | None
    gaps_days: tuple[int, ...]
    median_gap: float | None
    last_held: dt.datetime | None
    next_planned: SessionRow | None
    days_since_last: int | None

    @property
    def regularity(self) -> float | None:
        """Share of gaps within 50% of the target (1.0: perfectly regular)."""
        if not self.gaps_days or not self.target_days:
            return None
        ok = sum(1 for g in self.gaps_days if abs(g - self.target_days) <= self.target_days / 2)
        return ok / len(self.gaps_days)

    def message(self) -> str:
        parts = []
        if self.target_days:
            parts.append(f"target every {self.target_days} days")
        if self.median_gap is not None:
            parts.append(f"held every {self.median_gap:.0f} days (median)")
        if self.regularity is not None:
            parts.append(f"{self.regularity:.0%} of gaps on rhythm")
        if self.days_since_last is not None:
            parts.append(f"last held {self.days_since_last} days ago")
        if self.next_planned is not None:
            parts.append(f"next: {self.next_planned.starts_at:%a %d %b %Y}")
        else:
            parts.append("no session planned")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:]


def rhythm(session: Session, community_id: int, *, now: dt.datetime | None = None) -> Rhythm:
    now = now or dt.datetime.now()
    rows = session.execute(
        select(CopSession.starts_at, CopSession.status)
        .where(CopSession.community_id == community_id)
        .order_by(CopSession.starts_at, CopSession.id)
    ).all()
    # As things stood at ``now``: sessions held later do not count yet.
    held = [starts for starts, status in rows if status == "held" and starts <= now]
    gaps = tuple((b.date() - a.date()).days for a, b in itertools.pairwise(held))
    cadences = session.scalars(
        select(Series.interval_days).where(Series.community_id == community_id)
    ).all()
    target = int(statistics.median(cadences)) if cadences else None
    upcoming = session.scalars(
        select(CopSession.id)
        .where(
            CopSession.community_id == community_id,
            CopSession.status == "planned",
            CopSession.starts_at >= now,
        )
        .order_by(CopSession.starts_at, CopSession.id)
        .limit(1)
    ).all()
    return Rhythm(
        target_days=target,
        gaps_days=gaps,
        median_gap=statistics.median(gaps) if gaps else None,
        last_held=held[-1] if held else None,
        next_planned=list_sessions(session, community_id, ids=upcoming)[0] if upcoming else None,
        days_since_last=(now.date() - held[-1].date()).days if held else None,
    )


# --- function coverage and method mix ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Coverage:
    minutes: dict[str, int]  # function key -> agenda minutes, every function present
    untagged_minutes: int
    familiar_methods: dict[str, int]  # method -> blocks, methods used before the period
    new_methods: dict[str, int]  # methods first used in the period

    @property
    def never_served(self) -> tuple[str, ...]:
        return tuple(k for k, m in self.minutes.items() if m == 0)

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes.values()) + self.untagged_minutes


def function_coverage(
    session: Session,
    community_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    include_planned: bool = False,
) -> Coverage:
    """Agenda time per CoP function in held (and optionally planned) sessions of a period.

    Added up by the database: see :func:`copdesk.data.coverage_queries.function_coverage`
    (this name stays for existing callers; it used to read every agenda block of the
    community's history into Python).
    """
    from copdesk.data import coverage_queries  # it imports Coverage from here

    return coverage_queries.function_coverage(
        session, community_id, start, end, include_planned=include_planned
    )


# --- attendance -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AttendanceRow:
    member_id: int
    full_name: str
    level: str
    consent: bool
    status: str
    role: str


def list_attendance(session: Session, session_id: int) -> list[AttendanceRow]:
    return [
        AttendanceRow(m.id, m.full_name, m.level, m.consent, a.status, a.role)
        for a, m in session.execute(
            select(Attendance, Member)
            .join(Member, Member.id == Attendance.member_id)
            .where(Attendance.session_id == session_id)
            .order_by(Member.name_key)
        ).all()
    ]


def invite(session: Session, session_id: int, member_ids: Iterable[int]) -> list[int]:
    """Invite members (those already on the list are left as they are)."""
    row = session.get_one(CopSession, session_id)
    ids = list(dict.fromkeys(member_ids))
    _check_members(session, row.community_id, ids, "attendance")
    have = {a.member_id for a in row.attendance}
    added = [m for m in ids if m not in have]
    for m in added:
        session.add(Attendance(session_id=session_id, member_id=m))
    session.flush()
    if added:
        changes.record(
            session, changes.Change("attendance", "update", (session_id,), row.community_id)
        )
    return added


def set_attendance(
    session: Session, session_id: int, member_id: int, *, status: str, role: str | None = None
) -> tuple[str, str] | None:
    """Set a member's attendance status (and role); returns the previous pair for undo."""
    if status not in _keys(ATTENDANCE_STATUSES):
        raise ValidationError({"status": f"Unknown attendance status {status!r}"})
    if role is not None and role not in _keys(ATTENDANCE_ROLES):
        raise ValidationError({"role": f"Unknown session role {role!r}"})
    row = session.get_one(CopSession, session_id)
    _check_members(session, row.community_id, [member_id], "attendance")
    att = session.get(Attendance, (session_id, member_id))
    before = (att.status, att.role) if att else None
    if att is None:
        att = Attendance(session_id=session_id, member_id=member_id)
        session.add(att)
    att.status = status
    if role is not None:
        att.role = role
    session.flush()
    changes.record(session, changes.Change("attendance", "update", (session_id,), row.community_id))
    return before


#: One member's mark for :func:`set_attendance_many`: a status, or (status, role); a role
#: of None keeps the member's role (a new row gets the default, "participant").
AttendanceMark = str | tuple[str, str | None]


def set_attendance_many(
    session: Session, session_id: int, marks: Mapping[int, AttendanceMark]
) -> dict[int, tuple[str, str] | None]:
    """Set many members' attendance at one session in a few statements.

    The same result as calling :func:`set_attendance` for each member in turn (members
    not yet on the list are added), but with one membership check, one read and batched
    writes instead of several statements per member: on a server store each statement
    is a round trip. Every status and role is checked before anything is written; a
    session that no longer exists raises LookupError. Returns each member's previous
    (status, role), None where there was no row, for undo.
    """
    wanted: dict[int, tuple[str, str | None]] = {}
    for member_id, mark in marks.items():
        status, role = (mark, None) if isinstance(mark, str) else mark
        if status not in _keys(ATTENDANCE_STATUSES):
            raise ValidationError({"status": f"Unknown attendance status {status!r}"})
        if role is not None and role not in _keys(ATTENDANCE_ROLES):
            raise ValidationError({"role": f"Unknown session role {role!r}"})
        wanted[member_id] = (status, role)
    row = session.get(CopSession, session_id) if abs(session_id) <= _MAX_ID else None
    if row is None:
        raise LookupError(f"no session with id {session_id}")
    if not wanted:
        return {}
    if any(abs(m) > _MAX_ID for m in wanted):  # no such row; a server refuses the number
        raise ValidationError({"attendance": "a chosen member no longer exists in this community"})
    _check_members(session, row.community_id, wanted, "attendance")
    have = {
        a.member_id: a
        for a in session.scalars(
            select(Attendance).where(
                Attendance.session_id == session_id, Attendance.member_id.in_(list(wanted))
            )
        )
    }
    before: dict[int, tuple[str, str] | None] = {}
    for member_id, (status, role) in wanted.items():
        att = have.get(member_id)
        before[member_id] = (att.status, att.role) if att else None
        if att is None:
            att = Attendance(session_id=session_id, member_id=member_id, role="participant")
            session.add(att)
        att.status = status
        if role is not None:
            att.role = role
    session.flush()
    changes.record(session, changes.Change("attendance", "update", (session_id,), row.community_id))
    return before


def remove_attendance(session: Session, session_id: int, member_ids: Iterable[int]) -> None:
    row = session.get_one(CopSession, session_id)
    session.execute(
        delete(Attendance).where(
            Attendance.session_id == session_id, Attendance.member_id.in_(list(member_ids))
        )
    )
    changes.record(session, changes.Change("attendance", "update", (session_id,), row.community_id))


@dataclass(frozen=True, slots=True)
class MemberActivity:
    member_id: int
    sessions_attended: int
    last_attended: dt.datetime | None


def member_activity(session: Session, community_id: int) -> dict[int, MemberActivity]:
    """Per member: sessions attended and when last; one query for the whole roster."""
    out: dict[int, MemberActivity] = {}
    for mid, n, last in session.execute(
        select(Attendance.member_id, func.count(), func.max(CopSession.starts_at))
        .join(CopSession, CopSession.id == Attendance.session_id)
        .where(CopSession.community_id == community_id, Attendance.status == "attended")
        .group_by(Attendance.member_id)
    ):
        out[mid] = MemberActivity(mid, n, last)
    return out


def drifting_members(
    session: Session, community_id: int, *, months: int, today: dt.date | None = None
) -> list[int]:
    """Active members not seen at a session for ``months`` months (or never)."""
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(days=round(months * 30.44))
    activity = member_activity(session, community_id)
    ids = session.scalars(
        select(Member.id).where(
            Member.community_id == community_id,
            Member.status == "active",
            Member.erased.is_(False),
        )
    ).all()
    out = []
    for mid in ids:
        act = activity.get(mid)
        if act is None or act.last_attended is None or act.last_attended.date() < cutoff:
            out.append(mid)
    return out


# --- follow-up actions ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ActionData:
    title: str
    owner_id: int | None = None
    due_on: dt.date | None = None
    status: str = "open"
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: int
    session_id: int
    session_title: str
    session_start: dt.datetime
    title: str
    owner_id: int | None
    owner_name: str
    due_on: dt.date | None
    status: str
    notes: str
    overdue: bool
    #: The row version (optimistic locking): pass it back as ``expected_version``.
    version: int = 1

    def to_data(self) -> ActionData:
        return ActionData(self.title, self.owner_id, self.due_on, self.status, self.notes)


def _check_action(session: Session, community_id: int, data: ActionData) -> ActionData:
    data = replace(data, title=clean_line(data.title), notes=data.notes.strip())
    errors: dict[str, str] = {}
    if not data.title:
        errors["title"] = "An action needs a description"
    elif len(data.title) > 500:
        errors["title"] = "The description is too long (at most 500 characters)"
    elif problem := text_problem(data.title):
        errors["title"] = f"The description {problem}"
    if len(data.notes) > MAX_TEXT:
        errors["notes"] = f"The notes are too long (at most {MAX_TEXT:,} characters)"
    elif problem := text_problem(data.notes):
        errors["notes"] = f"The notes {problem}"
    if data.due_on is not None and not 1900 <= data.due_on.year <= 2200:
        errors["due_on"] = "The due date is out of range"
    if data.status not in _keys(ACTION_STATUSES):
        errors["status"] = f"Unknown action status {data.status!r}"
    if errors:
        raise ValidationError(errors)
    if data.owner_id is not None:
        _check_members(session, community_id, [data.owner_id], "owner")
    return data


def add_action(session: Session, session_id: int, data: ActionData) -> int:
    row = session.get_one(CopSession, session_id)
    data = _check_action(session, row.community_id, data)
    action = FollowUpAction(
        session_id=session_id,
        title=data.title,
        owner_id=data.owner_id,
        due_on=data.due_on,
        status=data.status,
        notes=data.notes,
    )
    session.add(action)
    session.flush()
    changes.record(session, changes.Change("action", "insert", (action.id,), row.community_id))
    return action.id


def get_action_row(session: Session, action_id: int) -> ActionRow | None:
    """One action as the lists show it (with its version), or None if it is gone."""
    found = session.execute(
        select(FollowUpAction.session_id, CopSession.community_id)
        .join(CopSession, CopSession.id == FollowUpAction.session_id)
        .where(FollowUpAction.id == action_id)
    ).first()
    if found is None:
        return None
    rows = list_actions(session, found.community_id, session_id=found.session_id)
    return next((r for r in rows if r.id == action_id), None)


def _action_for_edit(
    session: Session, action_id: int, expected_version: int | None
) -> FollowUpAction:
    return row_for_edit(
        session, FollowUpAction, action_id, expected_version,
        what="action", name=lambda a: a.title, current=get_action_row,
    )  # fmt: skip


def update_action(
    session: Session, action_id: int, data: ActionData, *, expected_version: int | None = None
) -> None:
    """Replace an action's fields.

    With ``expected_version`` (``ActionRow.version`` the form was filled from), an action
    someone else changed or deleted meanwhile raises ConflictError and nothing is written.
    """
    action = _action_for_edit(session, action_id, expected_version)
    row = session.get_one(CopSession, action.session_id)
    data = _check_action(session, row.community_id, data)
    action.title, action.owner_id, action.due_on = data.title, data.owner_id, data.due_on
    action.status, action.notes = data.status, data.notes
    session.flush()
    changes.record(session, changes.Change("action", "update", (action_id,), row.community_id))


def delete_action(
    session: Session, action_id: int, *, expected_version: int | None = None
) -> tuple[int, int, ActionData]:
    """Delete an action; returns (id, session id, data) for undo.

    With ``expected_version``, an action changed or deleted meanwhile raises ConflictError.
    """
    action = _action_for_edit(session, action_id, expected_version)
    row = session.get_one(CopSession, action.session_id)
    data = ActionData(action.title, action.owner_id, action.due_on, action.status, action.notes)
    sid = action.session_id
    session.delete(action)
    session.flush()
    changes.record(session, changes.Change("action", "delete", (action_id,), row.community_id))
    return action_id, sid, data


def restore_action(session: Session, action_id: int, session_id: int, data: ActionData) -> None:
    """Put an action back under its id (undo of a delete, or re-creating one deleted)."""
    row = session.get(CopSession, session_id)
    if row is None:
        raise LookupError("The session this action came from has been deleted")
    action = FollowUpAction(id=action_id, session_id=session_id)
    owner_ok = data.owner_id is not None and session.get(Member, data.owner_id) is not None
    action.title, action.owner_id, action.due_on = (
        data.title,
        data.owner_id if owner_ok else None,
        data.due_on,
    )
    action.status, action.notes = data.status, data.notes
    session.add(action)
    keep_ids_unused(session, FollowUpAction)
    changes.record(session, changes.Change("action", "insert", (action_id,), row.community_id))


def list_actions(
    session: Session,
    community_id: int,
    *,
    session_id: int | None = None,
    open_only: bool = False,
    today: dt.date | None = None,
) -> list[ActionRow]:
    today = today or dt.date.today()
    stmt = (
        select(FollowUpAction, CopSession.title, CopSession.starts_at, Member.full_name)
        .join(CopSession, CopSession.id == FollowUpAction.session_id)
        .outerjoin(Member, Member.id == FollowUpAction.owner_id)
        .where(CopSession.community_id == community_id)
    )
    if session_id is not None:
        stmt = stmt.where(FollowUpAction.session_id == session_id)
    if open_only:
        stmt = stmt.where(FollowUpAction.status == "open")
    rows = session.execute(stmt).all()
    out = [
        ActionRow(
            id=a.id,
            session_id=a.session_id,
            session_title=title,
            session_start=starts,
            title=a.title,
            owner_id=a.owner_id,
            owner_name=owner or "",
            due_on=a.due_on,
            status=a.status,
            notes=a.notes,
            overdue=a.status == "open" and a.due_on is not None and a.due_on < today,
            version=a.version,
        )
        for a, title, starts, owner in rows
    ]
    out.sort(key=lambda r: (r.due_on is None, r.due_on or dt.date.max, r.id))
    return out


# --- templates ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Template:
    id: int | None  # None for the starter templates that ship with copdesk
    name: str
    description: str
    planned_minutes: int
    blocks: tuple[BlockData, ...] = field(default=())

    @property
    def is_starter(self) -> bool:
        return self.id is None


STARTER_TEMPLATES: tuple[Template, ...] = (
    Template(
        None,
        "Peer-assist clinic",
        "One member brings a live challenge; peers help.",
        90,
        (
            BlockData("Welcome and check-in", 10, "convenes_people", "check_in"),
            BlockData(
                "The challenge, told by its owner", 15, "requests_for_information", "peer_assist"
            ),
            BlockData("Clarifying questions", 15, "problem_solves", "peer_assist"),
            BlockData("Peers share similar experiences", 25, "experience_sharing", "peer_assist"),
            BlockData("Options and advice", 15, "problem_solves", "open_discussion"),
            BlockData("What I will try; close", 10, "creates_resources", "retrospective"),
        ),
    ),
    Template(
        None,
        "Show and tell",
        "Members show work in progress and get feedback.",
        60,
        (
            BlockData("Welcome", 5, "convenes_people", "check_in"),
            BlockData("News round: what caught your eye", 10, "filters_information", "news_round"),
            BlockData("Show and tell (three members)", 30, "experience_sharing", "show_and_tell"),
            BlockData("Reusable assets from today", 10, "creating_templates_assets", "co_creation"),
            BlockData("Close and next steps", 5, "enhances_collaboration", "open_discussion"),
        ),
    ),
    Template(
        None,
        "Annual review",
        "Look back at the year and plan the next.",
        180,
        (
            BlockData("Welcome and the year in pictures", 20, "convenes_people", "presentation"),
            BlockData("Value stories from members", 40, "builds_values", "fishbowl"),
            BlockData("Break", 15, "", "break"),
            BlockData("Fitness check together", 35, "maps_knowledge_gaps", "world_cafe"),
            BlockData(
                "Who knows what, and what are we missing?",
                30,
                "maps_knowledge_gaps",
                "knowledge_mapping",
            ),
            BlockData("Plan the next year's rhythm", 30, "discuss_developments", "open_discussion"),
            BlockData("Celebrate and close", 10, "builds_values", "retrospective"),
        ),
    ),
)


def list_templates(session: Session, community_id: int) -> list[Template]:
    own = sorted(  # by code point on every database (not the server's collation)
        session.scalars(
            select(AgendaTemplate).where(AgendaTemplate.community_id == community_id)
        ).all(),
        key=lambda t: t.name,
    )
    return list(STARTER_TEMPLATES) + [
        Template(
            t.id,
            t.name,
            t.description,
            t.planned_minutes,
            tuple(
                BlockData(b.title, b.minutes, b.function, b.method, None, b.materials)
                for b in t.blocks
            ),
        )
        for t in own
    ]


def save_template(session: Session, session_id: int, name: str, *, description: str = "") -> int:
    """Save a session's agenda as a template of its community (owners are not kept)."""
    row = session.get_one(CopSession, session_id)
    name = clean_line(name)
    if not name:
        raise ValidationError({"name": "A template needs a name"})
    if session.scalar(
        select(AgendaTemplate.id).where(
            AgendaTemplate.community_id == row.community_id, AgendaTemplate.name == name
        )
    ) or name in {t.name for t in STARTER_TEMPLATES}:
        raise ValidationError({"name": f"A template named {name!r} already exists"})
    tpl = AgendaTemplate(
        community_id=row.community_id,
        name=name,
        description=description.strip(),
        planned_minutes=row.planned_minutes,
    )
    tpl.blocks = [
        TemplateBlock(
            position=i,
            title=b.title,
            minutes=b.minutes,
            function=b.function,
            method=b.method,
            materials=b.materials,
        )
        for i, b in enumerate(row.blocks)
    ]
    session.add(tpl)
    session.flush()
    changes.record(session, changes.Change("template", "insert", (tpl.id,), row.community_id))
    return tpl.id


def delete_template(session: Session, template_id: int) -> None:
    tpl = session.get_one(AgendaTemplate, template_id)
    cid = tpl.community_id
    session.delete(tpl)
    changes.record(session, changes.Change("template", "delete", (template_id,), cid))
