"""Value-log commands the Value tab needs beyond :mod:`copdesk.data.values`.

Several entries deleted or restored in one transaction (each checked against the
version the user saw), an entry logged straight into a story, the story links of entries
kept so that building a story (which may move entries out of another one) can be undone
exactly, and the light list of people the tab's filters and form offer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copdesk.data import changes, values
from copdesk.data.models import Member, MemberRole, Story, ValueEntry
from copdesk.data.session_queries import SessionChoice, session_choices
from copdesk.data.values import EntryData, EntryRow, EntrySnapshot, StoryData, StoryView
from copdesk.framework import Role


def snapshot_entry(session: Session, entry_id: int) -> EntrySnapshot:
    """What :func:`values.restore_entry` needs to bring the entry back as it is now."""
    e = session.get(ValueEntry, entry_id)
    if e is None:
        raise LookupError(f"no value entry with id {entry_id}")
    return EntrySnapshot(e.id, e.community_id, values.entry_data(session, entry_id), e.story_id)


def recreate_entry(session: Session, snap: EntrySnapshot, data: EntryData) -> None:
    """Put back an entry someone else deleted (same id and story), with ``data``."""
    values.restore_entry(session, snap)
    session.flush()
    values.update_entry(session, snap.id, data)


def restore_entry_as(session: Session, snap: EntrySnapshot, data: EntryData) -> None:
    """The entry of ``snap`` with ``data``: updated if it exists, else put back (redo)."""
    if session.get(ValueEntry, snap.id) is None:
        values.restore_entry(session, snap)
        session.flush()
    values.update_entry(session, snap.id, data)


def delete_entries(session: Session, entry_ids: Sequence[int]) -> list[EntrySnapshot]:
    return [values.delete_entry(session, eid) for eid in entry_ids]


def delete_entries_checked(
    session: Session, rows: Sequence[tuple[int, int | None]]
) -> list[EntrySnapshot]:
    """Delete entries, each checked against the version the user saw (None: no check).

    A changed or deleted entry raises ConflictError and nothing is deleted (one
    transaction). Without a version, an entry already gone is skipped.
    """
    snaps = []
    for eid, version in rows:
        if version is None and session.get(ValueEntry, eid) is None:
            continue
        snaps.append(values.delete_entry(session, eid, expected_version=version))
    return snaps


@dataclass(frozen=True, slots=True)
class Person:
    """What the Value tab needs of a member: to name them, offer them and filter by them."""

    id: int
    full_name: str
    organisation: str
    region: str
    consent: bool
    status: str
    erased: bool
    coordinator: bool


def people(session: Session, community_id: int) -> list[Person]:
    """The community's members, light: a few columns, coordinators marked by the query.

    Sorted as the roster is (by name key), without tags, roles or level history, so
    that opening the Value tab on a 10,000-member community stays quick. One set-based
    query (whether each is a coordinator is an EXISTS the database answers), and an
    organisation, region or status shared by many members is one string.
    """
    if session.autoflush:
        session.flush()  # what session.execute would do: pending edits are seen
    coordinator = (
        select(MemberRole.member_id)
        .where(MemberRole.member_id == Member.id, MemberRole.role == Role.COORDINATOR.value)
        .exists()
    )
    rows = session.connection().execute(
        select(
            Member.id, Member.full_name, Member.organisation, Member.region,
            Member.consent, Member.status, Member.erased, coordinator,
        )
        .where(Member.community_id == community_id)
        .order_by(Member.name_key, Member.id)
    ).all()  # fmt: skip
    shared: dict[str, str] = {}
    share = shared.setdefault
    return [
        Person(mid, name, share(org, org) if org else "", share(region, region) if region else "",
               bool(consent), share(status, status), bool(erased), bool(coord))
        for mid, name, org, region, consent, status, erased, coord in rows
    ]


@dataclass(frozen=True, slots=True)
class TabData:
    """Everything the Value tab lists, read in one session (on a worker for a large
    community): the log's rows, the stories built from those same rows (the entries are
    read once), the people and the sessions its filters offer."""

    entries: list[EntryRow]
    stories: list[StoryView]
    people: list[Person]
    sessions: list[SessionChoice]


def tab_data(session: Session, community_id: int) -> TabData:
    entries = values.list_entries(session, community_id)
    return TabData(
        entries,
        values.stories_of(session, community_id, entries),
        people(session, community_id),
        session_choices(session, community_id),
    )


def tab_size(session: Session, community_id: int) -> int:
    """How many entries and members the community has, together (what reading the
    Value tab's lists costs grows with): one query of two index counts."""
    entries = (
        select(func.count(ValueEntry.id))
        .where(ValueEntry.community_id == community_id)
        .scalar_subquery()
    )
    members = (
        select(func.count(Member.id)).where(Member.community_id == community_id).scalar_subquery()
    )
    return int(session.scalar(select(entries + members)) or 0)


def story_data(session: Session, story_id: int) -> StoryData:
    """A story's own fields as stored (not its entries)."""
    story = session.get(Story, story_id)
    if story is None:
        raise LookupError("That story no longer exists")
    return StoryData(story.title, story.expected_ending, story.follow_up_on)


def restore_entries(session: Session, snaps: Sequence[EntrySnapshot]) -> None:
    for snap in snaps:
        values.restore_entry(session, snap)


def add_entry_to_story(
    session: Session, community_id: int, data: EntryData, story_id: int
) -> int:
    """Log an entry as the next step of a story (e.g. applied value at a follow-up)."""
    story = session.get(Story, story_id)
    if story is None or story.community_id != community_id:
        raise LookupError("That story no longer exists")
    entry_id = values.add_entry(session, community_id, data)
    entry = session.get_one(ValueEntry, entry_id)
    entry.story_id = story_id
    session.flush()
    changes.record(session, changes.Change("story", "update", (story_id,), community_id))
    return entry_id


def story_links(session: Session, entry_ids: Sequence[int]) -> dict[int, int | None]:
    """The story each entry belongs to now (None for none)."""
    if not entry_ids:
        return {}
    return {
        eid: sid
        for eid, sid in session.execute(
            select(ValueEntry.id, ValueEntry.story_id).where(ValueEntry.id.in_(list(entry_ids)))
        )
    }


def relink(session: Session, community_id: int, links: Mapping[int, int | None]) -> None:
    """Put entries back in the stories ``links`` names (stories gone are left out)."""
    if not links:
        return
    live = set(
        session.scalars(select(Story.id).where(Story.community_id == community_id))
    )
    touched: set[int] = set()
    for e in session.scalars(select(ValueEntry).where(ValueEntry.id.in_(list(links)))):
        wanted = links[e.id]
        wanted = wanted if wanted in live else None
        for sid in (e.story_id, wanted):
            if sid is not None:
                touched.add(sid)
        e.story_id = wanted
    session.flush()
    changes.record(session, changes.Change("value", "update", tuple(sorted(links)), community_id))
    if touched:
        changes.record(session, changes.Change("story", "update", tuple(sorted(touched)),
                                                community_id))


def undo_create_story(
    session: Session, story_id: int, community_id: int, before: Mapping[int, int | None]
) -> None:
    """Delete a story just built and give its entries back to their earlier stories."""
    values.delete_story(session, story_id)
    relink(session, community_id, {k: v for k, v in before.items() if v is not None})


def set_story(
    session: Session,
    story_id: int,
    community_id: int,
    data: StoryData,
    entry_ids: Sequence[int],
    links: Mapping[int, int | None] | None = None,
) -> None:
    """Set a story's fields and entries, then restore other entries' links (for undo)."""
    values.update_story(session, story_id, data, entry_ids)
    if links:
        relink(session, community_id, {k: v for k, v in links.items() if k not in entry_ids})


def entry_with_story(snap: EntrySnapshot, story_id: int | None) -> EntrySnapshot:
    return replace(snap, story_id=story_id)
