"""Small session queries and commands the Sessions tab needs beyond ``sessions.py``.

Outcomes of one session, the later planned occurrences of a series (to snapshot them
before a "this and the following" edit), removing and restoring a whole series (the
undo of creating one), the members drifting away with when they were last seen, and the
light list of members the tab's pickers offer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from copdesk.data import changes
from copdesk.data.ids import keep_ids_unused
from copdesk.data.models import CopSession, FollowUpAction, Member, MemberRole, MemberTag, Series
from copdesk.data.sessions import (
    ActionData,
    SessionSnapshot,
    drifting_members,
    member_activity,
    restore_session,
    snapshot_session,
)
from copdesk.data.values import bulk_rows
from copdesk.framework import Role


@dataclass(frozen=True, slots=True)
class Outcomes:
    notes: str
    decisions: str
    resources: str


def get_outcomes(session: Session, session_id: int) -> Outcomes:
    row = session.get(CopSession, session_id)
    if row is None:
        raise LookupError(f"no session with id {session_id}")
    return Outcomes(row.outcome_notes, row.decisions, row.resources_created)


def later_in_series(session: Session, session_id: int) -> list[int]:
    """The planned occurrences after this one in its series (what "the following" means)."""
    row = session.get_one(CopSession, session_id)
    if row.series_id is None:
        return []
    return list(
        session.scalars(
            select(CopSession.id)
            .where(
                CopSession.series_id == row.series_id,
                CopSession.starts_at > row.starts_at,
                CopSession.status == "planned",
            )
            .order_by(CopSession.starts_at)
        )
    )


@dataclass(frozen=True)
class SeriesSnapshot:
    id: int
    community_id: int
    title: str
    cadence: str
    interval_days: int
    first_start: dt.datetime
    until: dt.date | None
    count: int | None
    sessions: tuple[SessionSnapshot, ...]


def delete_series(session: Session, series_id: int) -> SeriesSnapshot:
    """Remove a series and all its sessions; the snapshot puts them back."""
    series = session.get(Series, series_id)
    if series is None:
        raise LookupError(f"no series with id {series_id}")
    ids = list(session.scalars(select(CopSession.id).where(CopSession.series_id == series_id)))
    snap = SeriesSnapshot(
        id=series.id,
        community_id=series.community_id,
        title=series.title,
        cadence=series.cadence,
        interval_days=series.interval_days,
        first_start=series.first_start,
        until=series.until,
        count=series.count,
        sessions=tuple(snapshot_session(session, sid) for sid in ids),
    )
    if ids:
        session.execute(delete(CopSession).where(CopSession.id.in_(ids)))
    session.execute(delete(Series).where(Series.id == series_id))
    if ids:
        changes.record(
            session, changes.Change("session", "delete", tuple(ids), snap.community_id)
        )
    return snap


def restore_series(session: Session, snap: SeriesSnapshot) -> None:
    if session.get(Series, snap.id) is None:
        session.add(
            Series(
                id=snap.id,
                community_id=snap.community_id,
                title=snap.title,
                cadence=snap.cadence,
                interval_days=snap.interval_days,
                first_start=snap.first_start,
                until=snap.until,
                count=snap.count,
            )
        )
        keep_ids_unused(session, Series)
    for s in snap.sessions:
        restore_session(session, s)


def restore_sessions(session: Session, snaps: tuple[SessionSnapshot, ...]) -> None:
    for s in snaps:
        restore_session(session, s)


def snapshot_sessions(session: Session, ids: list[int]) -> tuple[SessionSnapshot, ...]:
    return tuple(snapshot_session(session, sid) for sid in ids)


@dataclass(frozen=True, slots=True)
class DriftingRow:
    member_id: int
    full_name: str
    level: str
    last_attended: dt.datetime | None
    sessions_attended: int


def drifting_rows(
    session: Session, community_id: int, *, months: int, today: dt.date | None = None
) -> list[DriftingRow]:
    """Active members not seen for ``months`` months, longest-absent first (never first)."""
    ids = drifting_members(session, community_id, months=months, today=today)
    if not ids:
        return []
    activity = member_activity(session, community_id)
    people = session.execute(
        select(Member.id, Member.full_name, Member.level).where(Member.id.in_(ids))
    ).all()
    rows = []
    for mid, name, level in people:
        act = activity.get(mid)
        rows.append(
            DriftingRow(
                mid,
                name,
                level,
                act.last_attended if act else None,
                act.sessions_attended if act else 0,
            )
        )
    rows.sort(key=lambda r: (r.last_attended is not None, r.last_attended or dt.datetime.min,
                             r.full_name.casefold()))
    return rows


def get_action(session: Session, action_id: int) -> ActionData:
    """An action as saved (after the data layer cleaned it), for redo."""
    a = session.get(FollowUpAction, action_id)
    if a is None:
        raise LookupError(f"no action with id {action_id}")
    return ActionData(a.title, a.owner_id, a.due_on, a.status, a.notes)


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    """What the Sessions tab's pickers need of a member (never an erased one)."""

    id: int
    full_name: str
    level: str
    #: Held roles, in the framework's order.
    roles: tuple[str, ...]
    #: Expertise then interests, each in its order, a tag said twice kept once.
    tags: tuple[str, ...]
    #: Active and so offered as owner, facilitator or invitee.
    active: bool


def directory_rows(session: Session, community_id: int) -> list[DirectoryRow]:
    """The community's members not erased, ordered as the roster is (by name).

    Three set-based Core queries of a few columns, whatever the number of members: the
    Sessions tab opens on 10,000 members without building whole roster rows.
    """
    with bulk_rows():
        return _directory_rows(session, community_id)


def _directory_rows(session: Session, community_id: int) -> list[DirectoryRow]:
    if session.autoflush:
        session.flush()  # what session.execute would do: pending edits are seen
    conn = session.connection()
    scope = select(Member.id).where(Member.community_id == community_id, Member.erased.is_(False))
    found = conn.execute(
        select(Member.id, Member.full_name, Member.level, Member.status)
        .where(Member.community_id == community_id, Member.erased.is_(False))
        .order_by(Member.name_key, Member.id)
    ).all()
    if not found:
        return []
    order = {r.value: i for i, r in enumerate(Role)}
    # A tag, level or set of roles many members share is one object in all their rows.
    shared: dict[str, str] = {}
    share = shared.setdefault
    roles: dict[int, list[str]] = {}
    # fetched whole (.all()): iterating a result row by row costs more than the query
    for mid, role in conn.execute(
        select(MemberRole.member_id, MemberRole.role).where(MemberRole.member_id.in_(scope))
    ).all():
        roles.setdefault(mid, []).append(share(role, role))
    tags: dict[int, dict[str, None]] = {}
    for mid, tag in conn.execute(
        select(MemberTag.member_id, MemberTag.tag)
        .where(MemberTag.member_id.in_(scope))
        .order_by(
            MemberTag.member_id,
            case((MemberTag.kind == "expertise", 0), else_=1),
            MemberTag.position,
        )
    ).all():
        tags.setdefault(mid, {})[share(tag, tag)] = None
    held_roles: dict[tuple[str, ...], tuple[str, ...]] = {}
    held_tags: dict[tuple[str, ...], tuple[str, ...]] = {}
    out = []
    for mid, full_name, level, status in found:
        held = roles.get(mid)
        if held is None:
            member_roles: tuple[str, ...] = ()
        else:
            if len(held) > 1:
                held.sort(key=lambda r: order.get(r, 99))
            key = tuple(held)
            member_roles = held_roles.setdefault(key, key)
        said = tags.get(mid)
        member_tags: tuple[str, ...] = ()
        if said:
            key = tuple(said)
            member_tags = held_tags.setdefault(key, key)
        out.append(
            DirectoryRow(mid, full_name, share(level, level), member_roles, member_tags,
                         status == "active")
        )
    return out

@dataclass(frozen=True, slots=True)
class SessionChoice:
    """What a list of sessions to choose from needs (the Value tab's filter and its
    "From a session…" list): no agenda, facilitators or attendance counts."""

    id: int
    title: str
    starts_at: dt.datetime
    status: str


def session_choices(session: Session, community_id: int) -> list[SessionChoice]:
    """The community's sessions ordered by start (as ``sessions.list_sessions``), light:
    one query of four columns."""
    if session.autoflush:
        session.flush()
    shared: dict[str, str] = {}
    share = shared.setdefault
    return [
        SessionChoice(sid, share(title, title), starts_at, share(status, status))
        for sid, title, starts_at, status in session.connection().execute(
            select(CopSession.id, CopSession.title, CopSession.starts_at, CopSession.status)
            .where(CopSession.community_id == community_id)
            .order_by(CopSession.starts_at, CopSession.id)
        ).all()
    ]
