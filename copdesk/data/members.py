"""Members: queries and commands for the roster.

Every command takes the session it runs in (the caller owns the transaction, usually
through :meth:`copdesk.data.store.Store.run`) and records what it changed.

Undo works on snapshots: :func:`snapshot_member` captures everything held about a member
and :func:`restore_member` puts exactly that back (same id), so add, edit and delete can be
undone and redone without the UI knowing the schema.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table, and_, case, delete, func, insert, select
from sqlalchemy.orm import Session

from copdesk.data import changes
from copdesk.data.ids import keep_ids_unused
from copdesk.data.models import (
    AgendaBlock,
    Attendance,
    Base,
    CopSession,
    FollowUpAction,
    LevelChange,
    Member,
    MemberRole,
    MemberTag,
    SessionFacilitator,
    utcnow,
)
from copdesk.data.validation import (
    MemberData,
    ValidationError,
    email_key,
    name_key,
    normalise_email,
    tag_key,
    validate_member,
)
from copdesk.data.versions import row_for_edit
from copdesk.framework import Level, Role

EXPERTISE = "expertise"
INTEREST = "interest"
ERASED_NAME = "Erased member"


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One roster row, as the table and the reports read it."""

    id: int
    community_id: int
    full_name: str
    email: str
    organisation: str
    job_title: str
    region: str
    time_zone: str
    joined_on: dt.date | None
    level: str
    roles: tuple[str, ...]
    expertise: tuple[str, ...]
    interests: tuple[str, ...]
    consent: bool
    notes: str
    status: str
    erased: bool
    #: The row's version when read (hand it back as ``expected_version`` when saving);
    #: not compared: two reads of the same content are equal rows.
    version: int = field(default=0, compare=False)

    @property
    def is_outside_guest(self) -> bool:
        return Role.OUTSIDE_GUEST.value in self.roles

    def to_data(self) -> MemberData:
        return MemberData(
            full_name=self.full_name,
            email=self.email,
            organisation=self.organisation,
            job_title=self.job_title,
            region=self.region,
            time_zone=self.time_zone,
            joined_on=self.joined_on,
            level=self.level,
            roles=self.roles,
            expertise=self.expertise,
            interests=self.interests,
            consent=self.consent,
            notes=self.notes,
            status=self.status,
        )


# --- queries ---------------------------------------------------------------------------
_ROW_COLUMNS = (
    Member.id, Member.community_id, Member.full_name, Member.email, Member.organisation,
    Member.job_title, Member.region, Member.time_zone, Member.joined_on, Member.level,
    Member.consent, Member.notes, Member.status, Member.erased, Member.version,
)  # fmt: skip


_V = TypeVar("_V")


def list_members(
    session: Session, community_id: int, *, ids: Iterable[int] | None = None
) -> list[MemberRow]:
    """The community's members (or just ``ids`` of them), ordered by name.

    Three set-based Core queries whatever the number of members (members, roles, tags in
    their order), read as plain tuples: ORM objects, or even ORM-wrapped rows read by
    attribute name, cost more than the queries themselves on 10,000 members.
    """
    wanted = None if ids is None else list(ids)
    if wanted is not None and not wanted:
        return []
    if session.autoflush:
        session.flush()  # what session.execute would do: pending edits are seen
    conn = session.connection()
    stmt = select(*_ROW_COLUMNS).where(Member.community_id == community_id)
    scope = select(Member.id).where(Member.community_id == community_id)
    if wanted is not None:
        stmt = stmt.where(Member.id.in_(wanted))
        scope = scope.where(Member.id.in_(wanted))
    # One object for each value many members hold (an organisation, a region, a level, a
    # tag, a list of tags): on a large roster that halves the memory its rows take.
    shared: dict[object, Any] = {}

    def same(value: _V) -> _V:
        return cast("_V", shared.setdefault(value, value))

    order = {r.value: i for i, r in enumerate(Role)}
    roles: dict[int, list[str]] = {}
    for mid, role in conn.execute(
        select(MemberRole.member_id, MemberRole.role).where(MemberRole.member_id.in_(scope))
    ):
        roles.setdefault(mid, []).append(same(role))
    tags: dict[tuple[int, str], list[str]] = {}
    for mid, kind, tag in conn.execute(
        select(MemberTag.member_id, MemberTag.kind, MemberTag.tag)
        .where(MemberTag.member_id.in_(scope))
        .order_by(MemberTag.member_id, MemberTag.kind, MemberTag.position)
    ):
        tags.setdefault((mid, kind), []).append(same(tag))
    no_tags: list[str] = []
    out = []
    # Streamed, not fetched whole first: the driver's rows are let go one by one.
    for (
        mid, cid, full_name, email, organisation, job_title, region, time_zone, joined_on,
        level, consent, notes, status, erased, version,
    ) in conn.execute(stmt.order_by(Member.name_key, Member.id)):  # fmt: skip
        held = roles.get(mid)
        if held is None:
            member_roles: tuple[str, ...] = ()
        elif len(held) == 1:
            member_roles = (held[0],)
        else:
            member_roles = tuple(sorted(held, key=lambda r: order.get(r, 99)))
        expertise = tuple(tags.get((mid, EXPERTISE), no_tags))
        interests = tuple(tags.get((mid, INTEREST), no_tags))
        out.append(
            MemberRow(
                mid, cid, full_name, email or "", same(organisation), same(job_title),
                same(region), same(time_zone), same(joined_on), same(level),
                same(member_roles), same(expertise), same(interests), consent, same(notes),
                same(status), erased, version,
            )
        )  # fmt: skip
    return out


def get_member(session: Session, member_id: int) -> MemberRow:
    member = session.get(Member, member_id)
    if member is None:
        raise LookupError(f"no member with id {member_id}")
    return list_members(session, member.community_id, ids=[member_id])[0]


@dataclass(frozen=True, slots=True)
class Duplicate:
    member_id: int
    full_name: str
    email: str
    reason: str  # "email" or "name"


def find_duplicates(
    session: Session, community_id: int, data: MemberData, *, exclude_id: int | None = None
) -> list[Duplicate]:
    """Existing members that are likely the same person (same email, or same name)."""
    found: dict[int, Duplicate] = {}
    conditions = []
    if data.email.strip():
        conditions.append(("email", Member.email_key == email_key(data.email)))
    if data.full_name.strip():
        conditions.append(("name", Member.name_key == name_key(data.full_name)))
    for reason, cond in conditions:
        stmt = select(Member).where(
            Member.community_id == community_id, cond, Member.erased.is_(False)
        )
        if exclude_id is not None:
            stmt = stmt.where(Member.id != exclude_id)
        for m in session.scalars(stmt):
            found.setdefault(m.id, Duplicate(m.id, m.full_name, m.email or "", reason))
    return list(found.values())


class DuplicateIndex:
    """The community's emails and names, read once, to check many rows (CSV import).

    ``find`` answers as :func:`find_duplicates` does, without a query per row.
    """

    def __init__(self, session: Session, community_id: int) -> None:
        self.by_email: dict[str, list[Duplicate]] = defaultdict(list)
        self.by_name: dict[str, list[Duplicate]] = defaultdict(list)
        for mid, full, email, ekey, nkey in session.execute(
            select(Member.id, Member.full_name, Member.email, Member.email_key, Member.name_key)
            .where(Member.community_id == community_id, Member.erased.is_(False))
            .order_by(Member.id)
        ):
            if ekey:
                self.by_email[ekey].append(Duplicate(mid, full, email or "", "email"))
            if nkey:
                self.by_name[nkey].append(Duplicate(mid, full, email or "", "name"))

    def find(self, data: MemberData) -> list[Duplicate]:
        found: dict[int, Duplicate] = {}
        if data.email.strip():
            for d in self.by_email.get(email_key(data.email), ()):
                found.setdefault(d.member_id, d)
        if data.full_name.strip():
            for d in self.by_name.get(name_key(data.full_name), ()):
                found.setdefault(d.member_id, d)
        return list(found.values())


# --- commands --------------------------------------------------------------------------
def _check(
    session: Session,
    community_id: int,
    data: MemberData,
    *,
    exclude_id: int | None,
    today: dt.date | None,
) -> MemberData:
    data = data.cleaned()
    errors = validate_member(data, today=today)
    if "email" not in errors and data.email:
        stmt = select(Member.full_name).where(
            Member.community_id == community_id, Member.email_key == email_key(data.email)
        )
        if exclude_id is not None:
            stmt = stmt.where(Member.id != exclude_id)
        other = session.scalar(stmt)
        if other is not None:
            errors["email"] = f"{other} already uses this email in this community"
    if errors:
        raise ValidationError(errors)
    return data


def _apply(member: Member, data: MemberData) -> None:
    member.full_name = data.full_name
    member.name_key = name_key(data.full_name)
    email = normalise_email(data.email) if data.email else None
    member.email = email
    member.email_key = email_key(email) if email else None
    member.organisation = data.organisation
    member.job_title = data.job_title
    member.region = data.region
    member.time_zone = data.time_zone
    member.joined_on = data.joined_on
    member.level = data.level
    member.consent = data.consent
    member.notes = data.notes
    member.status = data.status
    member.roles = [MemberRole(role=r) for r in data.roles]
    member.tags = [
        MemberTag(kind=kind, tag_key=tag_key(t), tag=t, position=i)
        for kind, tags in ((EXPERTISE, data.expertise), (INTEREST, data.interests))
        for i, t in enumerate(tags)
    ]


def add_member(
    session: Session,
    community_id: int,
    data: MemberData,
    *,
    today: dt.date | None = None,
) -> int:
    """Add a member; raises ValidationError (nothing written) if any field is invalid."""
    data = _check(session, community_id, data, exclude_id=None, today=today)
    member = Member(community_id=community_id)
    _apply(member, data)
    since = data.joined_on or today or dt.date.today()
    member.level_history = [LevelChange(level=data.level, changed_on=since)]
    session.add(member)
    session.flush()
    changes.record(session, changes.Change("member", "insert", (member.id,), community_id))
    return member.id


def add_members(
    session: Session,
    community_id: int,
    rows: Sequence[MemberData],
    *,
    today: dt.date | None = None,
    prechecked: bool = False,
) -> list[int]:
    """Add several members in the caller's transaction: all of them or (on error) none.

    Every row is checked as :func:`add_member` checks it (the emails already in use read
    once), then written with bulk inserts: members (ids returned in the order given),
    then their roles, tags and first level. ORM objects for thousands of members made a
    10,000-row import spend most of its time in the flush.

    ``prechecked=True`` says the caller has already cleaned the rows and validated them
    with :func:`validate_member` as of ``today`` (a CSV preview that is still current):
    they are not validated again, but the emails already in use are still checked.
    """
    taken = dict(
        session.execute(
            select(Member.email_key, Member.full_name).where(
                Member.community_id == community_id, Member.email_key.is_not(None)
            )
        ).all()
    )
    checked: list[MemberData] = []
    now = utcnow()
    member_rows: list[tuple[Any, ...]] = []
    for data in rows:
        if prechecked:
            errors: dict[str, str] = {}
        else:
            data = data.cleaned()
            errors = validate_member(data, today=today)
        key = email_key(data.email) if data.email else None
        if "email" not in errors and key and key in taken:
            errors["email"] = f"{taken[key]} already uses this email in this community"
        if errors:
            raise ValidationError(errors)
        if key:
            taken[key] = data.full_name
        checked.append(data)
        email = normalise_email(data.email) if data.email else None
        member_rows.append((
            community_id, data.full_name, name_key(data.full_name), email,
            email_key(email) if email else None, data.organisation, data.job_title,
            data.region, data.time_zone, data.joined_on, data.level, data.consent,
            data.notes, data.status, False, now, now, 1,
        ))  # fmt: skip
    if not checked:
        return []
    session.flush()  # anything pending goes first (the community, earlier commands)
    ids = _insert_members(session, member_rows)
    role_rows: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[Any, ...]] = []
    history_rows: list[tuple[Any, ...]] = []
    fallback = today or dt.date.today()
    tag_keys = _Memo(tag_key)  # tags repeat across a roster: fold each once
    for mid, data in zip(ids, checked, strict=True):
        if len(data.roles) == 1:
            role_rows.append((mid, data.roles[0]))
        else:
            role_rows.extend((mid, r) for r in data.roles)
        for kind, tags in ((EXPERTISE, data.expertise), (INTEREST, data.interests)):
            tag_rows.extend((mid, kind, tag_keys[t], t, i) for i, t in enumerate(tags))
        history_rows.append((mid, data.level, data.joined_on or fallback))
    _insert_rows(session, MemberRole, ("member_id", "role"), role_rows)
    _insert_rows(session, MemberTag, ("member_id", "kind", "tag_key", "tag", "position"),
                 tag_rows)  # fmt: skip
    _insert_rows(session, LevelChange, ("member_id", "level", "changed_on"), history_rows)
    changes.record(session, changes.Change("member", "insert", tuple(ids), community_id))
    return ids


class _Memo(dict[Any, Any]):
    """``fold(value)`` for each distinct value, worked out on first sight."""

    __slots__ = ("fold",)

    def __init__(self, fold: Callable[[Any], Any]) -> None:
        super().__init__()
        self.fold = fold

    def __missing__(self, value: Any) -> Any:
        folded = self[value] = self.fold(value)
        return folded


_MEMBER_INSERT_COLUMNS = (
    "community_id", "full_name", "name_key", "email", "email_key", "organisation",
    "job_title", "region", "time_zone", "joined_on", "level", "consent", "notes", "status",
    "erased", "created_at", "updated_at", "version",
)  # fmt: skip


def _insert_members(session: Session, rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert member rows (in :data:`_MEMBER_INSERT_COLUMNS` order); their new ids, in order.

    On SQLite the rows go in with plain driver-level inserts (:func:`_insert_rows`, in the
    order given): AUTOINCREMENT hands out
    consecutive rising ids to the rows of one writer in the order they go in, so the ids
    are the ``len(rows)`` ids up to the last one inserted (checked by counting them).
    Elsewhere a Core insert returns them.
    """
    table = cast(Table, Member.__table__)
    if session.get_bind().dialect.name != "sqlite":
        names = _MEMBER_INSERT_COLUMNS
        return list(
            session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True),
                [dict(zip(names, row, strict=True)) for row in rows],
            ).scalars()
        )
    conn = _insert_rows(session, Member, _MEMBER_INSERT_COLUMNS, rows)
    last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    first = last - len(rows) + 1
    count = conn.exec_driver_sql(
        "SELECT count(*) FROM member WHERE id BETWEEN ? AND ? AND community_id = ?",
        (first, last, rows[0][0]),
    ).scalar_one()
    if count != len(rows):  # pragma: no cover - another writer inside our transaction
        raise RuntimeError("member ids were not handed out in order; nothing was added")
    return list(range(first, last + 1))


def _insert_rows(
    session: Session,
    model: type[Base],
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> Connection:
    """Insert ``rows`` (values in ``columns`` order) into ``model``'s table.

    On SQLite: driver-level inserts of many rows each, values converted by the columns' own
    bind processors (dates and times as SQLAlchemy stores them), without the per-row
    parameter work of a Core insert (most of a 10,000-row import's write time). Elsewhere:
    a Core insert.
    """
    conn = session.connection()
    table = cast(Table, model.__table__)
    if not rows:
        return conn
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return conn
    processors = [
        (i, proc)
        for i, name in enumerate(columns)
        if (proc := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    if processors:
        cols: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for i, proc in processors:
            # Dates and flags repeat (every row's created_at is the same): convert each once.
            done = _Memo(proc)
            done[None] = None
            cols[i] = list(map(done.__getitem__, cols[i]))
        rows = list(zip(*cols, strict=True))
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = f"({', '.join('?' * len(columns))})"
    # Many rows per statement: running a statement costs SQLite more than a row does
    # (a third of the import's writing, one row per statement). At most 999 parameters
    # each (the limit of older SQLite builds); the full-size statement is prepared once.
    per = max(1, min(_ROWS_PER_INSERT, 999 // len(columns)))
    full = head + ", ".join([one] * per)
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        sql = full if len(chunk) == per else head + ", ".join([one] * len(chunk))
        conn.exec_driver_sql(sql, tuple(chain.from_iterable(chunk)))
    return conn


_ROWS_PER_INSERT = 200


def update_member(
    session: Session,
    member_id: int,
    data: MemberData,
    *,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> None:
    """Replace a member's fields; a change of level is added to their history.

    With ``expected_version`` (the ``MemberRow.version`` the form was filled from), a
    member someone else changed or deleted meanwhile raises ConflictError.
    """
    member = row_for_edit(
        session, Member, member_id, expected_version,
        what="member", name=lambda m: m.full_name, current=get_member,
    )
    data = _check(session, member.community_id, data, exclude_id=member_id, today=today)
    old_level = member.level
    _apply(member, data)
    # The member row itself is always written, so its version rises even when only the
    # roles or tags (rows of their own) changed: a concurrent edit is then caught.
    member.updated_at = utcnow()
    if data.level != old_level:
        member.level_history.append(
            LevelChange(level=data.level, changed_on=today or dt.date.today())
        )
    session.flush()
    changes.record(session, changes.Change("member", "update", (member_id,), member.community_id))


def set_level(
    session: Session, member_id: int, level: str, *, on: dt.date | None = None
) -> None:
    """Move a member to another participation level from ``on`` (today by default)."""
    Level(level)
    member = session.get_one(Member, member_id)
    if member.level == level:
        return
    member.level = level
    member.level_history.append(LevelChange(level=level, changed_on=on or dt.date.today()))
    session.flush()
    changes.record(session, changes.Change("member", "update", (member_id,), member.community_id))


def level_history(session: Session, member_id: int) -> list[tuple[dt.date, str]]:
    return [
        (row.changed_on, row.level)
        for row in session.scalars(
            select(LevelChange)
            .where(LevelChange.member_id == member_id)
            .order_by(LevelChange.changed_on, LevelChange.id)
        )
    ]


@dataclass(frozen=True)
class MemberSnapshot:
    """Everything the store holds about one member, enough to put it back as it was."""

    id: int
    community_id: int
    columns: dict[str, Any]
    roles: tuple[str, ...]
    tags: tuple[tuple[str, str, str, int], ...]
    history: tuple[tuple[int, str, dt.date], ...] = field(default=())
    #: Links from sessions: (session id, status, role) attendance rows, facilitated
    #: session ids, and the agenda blocks and actions the member owned.
    attendance: tuple[tuple[int, str, str], ...] = field(default=())
    facilitates: tuple[int, ...] = field(default=())
    owns_blocks: tuple[int, ...] = field(default=())
    owns_actions: tuple[int, ...] = field(default=())


_SNAPSHOT_COLUMNS = (
    "full_name", "name_key", "email", "email_key", "organisation", "job_title", "region",
    "time_zone", "joined_on", "level", "consent", "notes", "status", "erased", "created_at",
)  # fmt: skip


def snapshot_member(session: Session, member_id: int) -> MemberSnapshot:
    member = session.get(Member, member_id)
    if member is None:
        raise LookupError(f"no member with id {member_id}")
    return MemberSnapshot(
        id=member.id,
        community_id=member.community_id,
        columns={c: getattr(member, c) for c in _SNAPSHOT_COLUMNS},
        roles=tuple(r.role for r in member.roles),
        tags=tuple((t.kind, t.tag_key, t.tag, t.position) for t in member.tags),
        history=tuple((h.id, h.level, h.changed_on) for h in member.level_history),
        attendance=tuple(
            (sid, status, role)
            for sid, status, role in session.execute(
                select(Attendance.session_id, Attendance.status, Attendance.role).where(
                    Attendance.member_id == member_id
                )
            )
        ),
        facilitates=tuple(
            session.scalars(
                select(SessionFacilitator.session_id).where(
                    SessionFacilitator.member_id == member_id
                )
            )
        ),
        owns_blocks=tuple(
            session.scalars(select(AgendaBlock.id).where(AgendaBlock.owner_id == member_id))
        ),
        owns_actions=tuple(
            session.scalars(
                select(FollowUpAction.id).where(FollowUpAction.owner_id == member_id)
            )
        ),
    )


def restore_member(session: Session, snap: MemberSnapshot) -> None:
    """Put a member back exactly as in ``snap`` (re-creating it if it was deleted)."""
    if snap.columns.get("email_key"):
        clash = session.scalar(
            select(Member.full_name).where(
                Member.community_id == snap.community_id,
                Member.email_key == snap.columns["email_key"],
                Member.id != snap.id,
            )
        )
        if clash is not None:
            raise ValidationError({"email": f"{clash} now uses this email in this community"})
    member = session.get(Member, snap.id)
    op: changes.Op = "update"
    if member is None:
        op = "insert"
        member = Member(id=snap.id, community_id=snap.community_id)
        session.add(member)
    for name, value in snap.columns.items():
        setattr(member, name, value)
    member.roles = [MemberRole(role=r) for r in snap.roles]
    member.tags = [MemberTag(kind=k, tag_key=key, tag=t, position=p) for k, key, t, p in snap.tags]
    session.flush()
    session.execute(delete(LevelChange).where(LevelChange.member_id == snap.id))
    for hid, level, on in snap.history:
        session.add(LevelChange(id=hid, member_id=snap.id, level=level, changed_on=on))
    keep_ids_unused(session, Member, LevelChange)
    session.expire(member, ["level_history"])
    if op == "insert":
        _restore_links(session, snap)
    changes.record(session, changes.Change("member", op, (snap.id,), snap.community_id))


def _restore_links(session: Session, snap: MemberSnapshot) -> None:
    """Re-attach a re-created member to the sessions that still exist."""
    live = set(
        session.scalars(
            select(CopSession.id).where(CopSession.community_id == snap.community_id)
        )
    )
    touched: set[int] = set()
    for sid, status, role in snap.attendance:
        if sid in live and session.get(Attendance, (sid, snap.id)) is None:
            session.add(Attendance(session_id=sid, member_id=snap.id, status=status, role=role))
            touched.add(sid)
    for sid in snap.facilitates:
        if sid in live and session.get(SessionFacilitator, (sid, snap.id)) is None:
            session.add(SessionFacilitator(session_id=sid, member_id=snap.id))
            touched.add(sid)
    for block_id in snap.owns_blocks:
        block = session.get(AgendaBlock, block_id)
        if block is not None and block.owner_id is None:
            block.owner_id = snap.id
            touched.add(block.session_id)
    for action_id in snap.owns_actions:
        action = session.get(FollowUpAction, action_id)
        if action is not None and action.owner_id is None:
            action.owner_id = snap.id
            touched.add(action.session_id)
    session.flush()
    if touched:
        changes.record(
            session, changes.Change("session", "update", tuple(sorted(touched)), snap.community_id)
        )


def delete_member(
    session: Session, member_id: int, *, expected_version: int | None = None
) -> MemberSnapshot:
    """Delete a member and all held about them; returns the snapshot for undo.

    With ``expected_version``, a member changed or deleted meanwhile raises ConflictError.
    """
    if expected_version is not None:
        row_for_edit(
            session, Member, member_id, expected_version,
            what="member", name=lambda m: m.full_name, current=get_member,
        )
    snap = snapshot_member(session, member_id)
    session.execute(delete(Member).where(Member.id == member_id))
    changes.record(session, changes.Change("member", "delete", (member_id,), snap.community_id))
    return snap


def delete_members(session: Session, member_ids: Sequence[int]) -> list[MemberSnapshot]:
    return [delete_member(session, mid) for mid in member_ids]


def erase_member(session: Session, member_id: int) -> None:
    """Remove a member's personal details for good, keeping an anonymous row.

    Counts by level and the level history stay correct; name, email, organisation and
    everything else personal are cleared. With SQLite's secure_delete on (see the store)
    and a checkpoint afterwards, the old text cannot be recovered from the file.
    """
    member = session.get(Member, member_id)
    if member is None:
        raise LookupError(f"no member with id {member_id}")
    member.full_name = f"{ERASED_NAME} #{member.id}"
    member.name_key = ""
    member.email = None
    member.email_key = None
    member.organisation = ""
    member.job_title = ""
    member.region = ""
    member.time_zone = ""
    member.notes = ""
    member.consent = False
    member.erased = True
    member.tags = []
    session.flush()
    changes.record(session, changes.Change("member", "update", (member_id,), member.community_id))


def export_member(session: Session, member_id: int) -> dict[str, Any]:
    """Everything held about one member, as JSON-ready data (the right of access)."""
    row = get_member(session, member_id)
    member = session.get_one(Member, member_id)
    return {
        "format": "copdesk-member-export",
        "format_version": 1,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "community": member.community.name,
        "member": {
            "id": row.id,
            "full_name": row.full_name,
            "email": row.email,
            "organisation": row.organisation,
            "job_title": row.job_title,
            "region": row.region,
            "time_zone": row.time_zone,
            "joined_on": row.joined_on.isoformat() if row.joined_on else None,
            "participation_level": row.level,
            "roles": list(row.roles),
            "expertise": list(row.expertise),
            "interests": list(row.interests),
            "consent_to_host_reports": row.consent,
            "notes": row.notes,
            "status": row.status,
            "erased": row.erased,
            "created_at": member.created_at.isoformat(timespec="seconds"),
            "updated_at": member.updated_at.isoformat(timespec="seconds"),
        },
        "participation_history": [
            {"from": on.isoformat(), "level": level}
            for on, level in level_history(session, member_id)
        ],
    }


# --- what the community knows, and its reach --------------------------------------------
@dataclass(frozen=True, slots=True)
class TagEntry:
    """One tag of the knowledge map: who holds it as expertise, who seeks it."""

    tag: str
    experts: tuple[str, ...]
    seekers: tuple[str, ...]
    hidden_experts: int = 0  # members counted but not named (no consent)
    hidden_seekers: int = 0

    @property
    def expert_count(self) -> int:
        return len(self.experts) + self.hidden_experts

    @property
    def seeker_count(self) -> int:
        return len(self.seekers) + self.hidden_seekers

    @property
    def is_gap(self) -> bool:
        """Somebody wants to learn it and nobody in the community holds it."""
        return self.seeker_count > 0 and self.expert_count == 0


@dataclass(frozen=True, slots=True)
class KnowledgeMap:
    entries: tuple[TagEntry, ...]

    @property
    def gaps(self) -> tuple[TagEntry, ...]:
        return tuple(
            sorted(
                (e for e in self.entries if e.is_gap),
                key=lambda e: (-e.seeker_count, e.tag.casefold()),
            )
        )

    @property
    def strengths(self) -> tuple[TagEntry, ...]:
        return tuple(
            sorted(
                (e for e in self.entries if e.expert_count),
                key=lambda e: (-e.expert_count, e.tag.casefold()),
            )
        )


def knowledge_map(
    session: Session,
    community_id: int,
    *,
    named: str = "all",
    include_left: bool = False,
) -> KnowledgeMap:
    """For every tag: the members holding it as expertise and those seeking it.

    ``named="consenting"`` names only members who consented to host reports; the others
    are still counted. Erased members hold no tags; members who left are left out unless
    ``include_left``.
    """
    stmt = (
        select(MemberTag.tag_key, MemberTag.tag, MemberTag.kind, Member.full_name, Member.consent)
        .join(Member, Member.id == MemberTag.member_id)
        .where(Member.community_id == community_id, Member.erased.is_(False))
        .order_by(Member.name_key)
    )
    if not include_left:
        stmt = stmt.where(Member.status == "active")
    labels: dict[str, str] = {}
    experts: dict[str, list[str]] = defaultdict(list)
    seekers: dict[str, list[str]] = defaultdict(list)
    hidden: dict[tuple[str, str], int] = defaultdict(int)
    for key, tag, kind, name, consent in session.execute(stmt):
        labels.setdefault(key, tag)
        if named == "consenting" and not consent:
            hidden[(key, kind)] += 1
        else:
            (experts if kind == EXPERTISE else seekers)[key].append(name)
    entries = tuple(
        TagEntry(
            tag=labels[key],
            experts=tuple(experts[key]),
            seekers=tuple(seekers[key]),
            hidden_experts=hidden[(key, EXPERTISE)],
            hidden_seekers=hidden[(key, INTEREST)],
        )
        for key in sorted(labels, key=lambda k: labels[k].casefold())
    )
    return KnowledgeMap(entries)


@dataclass(frozen=True, slots=True)
class Reach:
    """Counts that show the community's reach (active members only)."""

    total: int
    by_level: dict[str, int]
    by_organisation: dict[str, int]
    by_region: dict[str, int]
    outside_guests: int
    inside: int
    consenting: int
    left: int


def reach(session: Session, community_id: int) -> Reach:
    """Counts of the active members, by the database (not 10,000 roster rows built)."""
    in_community = Member.community_id == community_id
    active = and_(in_community, Member.status == "active")
    by_level = {lv.value: 0 for lv in Level}
    total = consenting = 0
    for level, n, agreed in session.execute(
        select(Member.level, func.count(), func.sum(case((Member.consent, 1), else_=0)))
        .where(active)
        .group_by(Member.level)
    ):
        by_level[level] = by_level.get(level, 0) + int(n)
        total += int(n)
        consenting += int(agreed or 0)

    def counted(column: Any) -> dict[str, int]:
        d: dict[str, int] = defaultdict(int)
        for value, n in session.execute(
            select(column, func.count()).where(active).group_by(column)
        ):
            d[value or "(not given)"] += int(n)
        return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0].casefold())))

    guests = session.scalar(
        select(func.count(func.distinct(MemberRole.member_id)))
        .join(Member, Member.id == MemberRole.member_id)
        .where(active, MemberRole.role == Role.OUTSIDE_GUEST.value)
    ) or 0
    everyone = session.scalar(select(func.count(Member.id)).where(in_community)) or 0
    return Reach(
        total=total,
        by_level=by_level,
        by_organisation=counted(Member.organisation),
        by_region=counted(Member.region),
        outside_guests=guests,
        inside=total - guests,
        consenting=consenting,
        left=everyone - total,
    )


def member_count(session: Session, community_id: int) -> int:
    return session.scalar(
        select(func.count(Member.id)).where(Member.community_id == community_id)
    ) or 0
