"""Value-log commands the Value tab needs beyond :mod:`copdesk.data.values`.

Several entries deleted or restored in one transaction, an entry logged straight into a
story, and the story links of entries kept so that building a story (which may move
entries out of another one) can be undone exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from copdesk.data import changes, values
from copdesk.data.models import Story, ValueEntry
from copdesk.data.values import EntryData, EntrySnapshot, StoryData


def snapshot_entry(session: Session, entry_id: int) -> EntrySnapshot:
    """What :func:`values.restore_entry` needs to bring the entry back as it is now."""
    e = session.get(ValueEntry, entry_id)
    if e is None:
        raise LookupError(f"no value entry with id {entry_id}")
    return EntrySnapshot(e.id, e.community_id, values.entry_data(session, entry_id), e.story_id)


def delete_entries(session: Session, entry_ids: Sequence[int]) -> list[EntrySnapshot]:
    return [values.delete_entry(session, eid) for eid in entry_ids]


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
