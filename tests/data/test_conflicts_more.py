"""Version checks of stories, follow-up actions and the community record.

Two connections to one store (two ``Store`` objects: on PostgreSQL two server sessions):
what one wrote meanwhile makes the other's checked command raise ConflictError carrying
both sides, and write nothing. Without a version the command overwrites (as undo does).
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

import pytest

from copdesk.data import communities, members, values
from copdesk.data import sessions as S
from copdesk.data.sessions import ActionData, SessionData
from copdesk.data.store import ConflictError, Store
from copdesk.data.validation import MemberData, ValidationError
from copdesk.data.values import EntryData, StoryData, StoryView

TODAY = dt.date.today()


@pytest.fixture
def entries(store: Store, community_id: int) -> list[int]:
    return [
        store.run(values.add_entry, community_id, EntryData(
            entry_date=TODAY - dt.timedelta(days=days), title=title, kind=kind, cycle=cycle,
            for_organisation=True))
        for days, title, kind, cycle in (
            (30, "Seal checklist shared", "innovation", "immediate"),
            (10, "Checklist used in Lagos", "innovation", "applied"),
            (2, "Fewer pump failures", "strategic_capabilities", "realised"),
        )
    ]


def story_of(store: Store, community_id: int, sid: int) -> StoryView | None:
    return next((s for s in store.run(values.list_stories, community_id) if s.id == sid), None)


def links(store: Store, community_id: int) -> dict[int, int | None]:
    return {r.id: r.story_id for r in store.run(values.list_entries, community_id)}


# --- stories ----------------------------------------------------------------------------
def test_a_story_someone_changed_is_refused_with_theirs_and_nothing_written(
    store: Store, other: Store, community_id: int, entries: list[int]
) -> None:
    sid = store.run(values.create_story, community_id, StoryData("Pumps that last"),
                    entries[:1])
    seen = story_of(store, community_id, sid)
    assert seen is not None and seen.version == 1
    other.run(values.update_story, sid, StoryData("Pumps that last longer"), entries[:1])
    before = links(store, community_id)
    mine = StoryData("Pumps that last", "Half the failures", TODAY + dt.timedelta(days=30))
    with pytest.raises(ConflictError) as err:
        store.run(values.update_story, sid, mine, entries, expected_version=seen.version)
    conflict = err.value
    assert (conflict.entity, conflict.row_id) == ("story", sid)
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert isinstance(conflict.current, StoryView)
    assert conflict.current.title == "Pumps that last longer"
    assert not conflict.deleted
    assert "version 1" in str(conflict) and "version 2" in str(conflict)
    # Nothing of the refused save reached the store: fields nor entry links.
    now = story_of(store, community_id, sid)
    assert now is not None and (now.title, now.expected_ending) == ("Pumps that last longer", "")
    assert links(store, community_id) == before
    # Saving against their version goes through; so does an overwrite (no version).
    store.run(values.update_story, sid, mine, entries, expected_version=2)
    store.run(values.update_story, sid, StoryData("Mine again"), entries[:2])
    final = story_of(store, community_id, sid)
    assert final is not None and final.title == "Mine again" and final.version == 4
    assert [e.id for e in final.entries] == entries[:2]


def test_changing_only_a_story_s_entries_raises_its_version(
    store: Store, other: Store, community_id: int, entries: list[int]
) -> None:
    sid = store.run(values.create_story, community_id, StoryData("Thread"), entries[:1])
    other.run(values.update_story, sid, StoryData("Thread"), entries[:2])
    with pytest.raises(ConflictError) as err:
        store.run(values.update_story, sid, StoryData("Thread", "mine"), entries[:1],
                  expected_version=1)
    assert err.value.current is not None
    assert [e.id for e in err.value.current.entries] == entries[:2]  # type: ignore[attr-defined]


def test_a_story_someone_deleted_is_reported_as_deleted(
    store: Store, other: Store, community_id: int, entries: list[int]
) -> None:
    sid = store.run(values.create_story, community_id, StoryData("Gone soon"), entries[:1])
    other.run(values.delete_story, sid)
    with pytest.raises(ConflictError) as err:
        store.run(values.update_story, sid, StoryData("Mine"), entries[:1], expected_version=1)
    assert err.value.deleted and "deleted" in str(err.value)
    with pytest.raises(ConflictError) as again:
        store.run(values.delete_story, sid, expected_version=1)
    assert again.value.deleted
    with pytest.raises(LookupError):  # without a version: not found, as before
        store.run(values.update_story, sid, StoryData("Mine"), [])
    assert story_of(store, community_id, sid) is None
    assert links(store, community_id)[entries[0]] is None


def test_deleting_a_story_someone_changed_deletes_nothing(
    store: Store, other: Store, community_id: int, entries: list[int]
) -> None:
    sid = store.run(values.create_story, community_id, StoryData("Keep me"), entries[:2])
    other.run(values.update_story, sid, StoryData("Keep me", "Their ending"), entries[:2])
    with pytest.raises(ConflictError) as err:
        store.run(values.delete_story, sid, expected_version=1)
    assert err.value.current_version == 2
    kept = story_of(store, community_id, sid)
    assert kept is not None and [e.id for e in kept.entries] == entries[:2]
    snap = store.run(values.delete_story, sid, expected_version=2)
    assert story_of(store, community_id, sid) is None
    store.run(values.restore_story, *snap)  # undo puts it back, from version 1
    back = story_of(store, community_id, sid)
    assert back is not None and back.expected_ending == "Their ending" and back.version == 1


def test_a_refused_story_save_is_checked_for_the_version_before_the_fields(
    store: Store, other: Store, community_id: int, entries: list[int]
) -> None:
    sid = store.run(values.create_story, community_id, StoryData("Thread"), [])
    with pytest.raises(ValidationError):
        store.run(values.update_story, sid, StoryData("  "), [], expected_version=1)
    other.run(values.update_story, sid, StoryData("Theirs"), [])
    with pytest.raises(ConflictError):  # the conflict comes first: their title is shown
        store.run(values.update_story, sid, StoryData("  "), [], expected_version=1)


# --- follow-up actions ------------------------------------------------------------------
@pytest.fixture
def clinic(store: Store, community_id: int) -> int:
    return store.run(S.create_session, community_id, SessionData(
        title="Pump clinic", starts_at=dt.datetime(2031, 5, 6, 14, 0), time_zone="UTC"))


def action_of(store: Store, community_id: int, aid: int) -> S.ActionRow | None:
    return next((a for a in store.run(S.list_actions, community_id) if a.id == aid), None)


def test_an_action_someone_changed_is_refused_with_theirs(
    store: Store, other: Store, community_id: int, clinic: int
) -> None:
    (amina,) = store.run(members.add_members, community_id, [MemberData("Amina Yusuf")])
    aid = store.run(S.add_action, clinic, ActionData("Share the slides"))
    seen = action_of(store, community_id, aid)
    assert seen is not None and seen.version == 1
    assert store.run(S.get_action_row, aid) == seen
    other.run(S.update_action, aid, ActionData("Share the slides", owner_id=amina))
    mine = ActionData("Share the slides and notes", due_on=TODAY)
    with pytest.raises(ConflictError) as err:
        store.run(S.update_action, aid, mine, expected_version=seen.version)
    assert (err.value.entity, err.value.current_version) == ("action", 2)
    theirs = err.value.current
    assert isinstance(theirs, S.ActionRow) and theirs.owner_name == "Amina Yusuf"
    now = action_of(store, community_id, aid)
    assert now is not None and (now.title, now.due_on) == ("Share the slides", None)
    store.run(S.update_action, aid, mine, expected_version=2)
    final = action_of(store, community_id, aid)
    assert final is not None and final.to_data() == mine and final.version == 3


def test_an_action_someone_deleted_or_changed_is_not_deleted_unseen(
    store: Store, other: Store, community_id: int, clinic: int
) -> None:
    aid = store.run(S.add_action, clinic, ActionData("Write up"))
    other.run(S.update_action, aid, ActionData("Write up", status="done"))
    with pytest.raises(ConflictError):
        store.run(S.delete_action, aid, expected_version=1)
    assert action_of(store, community_id, aid) is not None
    other.run(S.delete_action, aid, expected_version=2)
    with pytest.raises(ConflictError) as err:
        store.run(S.update_action, aid, ActionData("Write up"), expected_version=2)
    assert err.value.deleted
    with pytest.raises(LookupError):
        store.run(S.delete_action, aid)
    assert store.run(S.get_action_row, aid) is None


def test_an_action_removed_with_its_session_is_reported_deleted(
    store: Store, other: Store, community_id: int, clinic: int
) -> None:
    aid = store.run(S.add_action, clinic, ActionData("Book the room"))
    other.run(S.delete_session, clinic)
    with pytest.raises(ConflictError) as err:
        store.run(S.update_action, aid, ActionData("Book a bigger room"), expected_version=1)
    assert err.value.deleted


# --- the community record ---------------------------------------------------------------
def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def details(**changes: str) -> dict[str, Any]:
    base = dict(name="Water CoP", domain="Safe water for every village",
                host_organisation="Rivers Trust", stage="coalescing")
    return {**base, **changes}


def test_community_details_someone_changed_are_refused_with_theirs(
    store: Store, other: Store, community_id: int
) -> None:
    seen = store.run(communities.get_community, community_id)
    assert seen.version == 1
    other.run(communities.update_community, community_id, **details(stage="maturing"))
    with pytest.raises(ConflictError) as err:
        store.run(communities.update_community, community_id,
                  **details(host_organisation="City Water"), expected_version=seen.version)
    theirs = err.value.current
    assert isinstance(theirs, communities.CommunityInfo)
    assert (theirs.stage, theirs.host_organisation, theirs.version) == (
        "maturing", "Rivers Trust", 2)
    now = store.run(communities.get_community, community_id)
    assert (now.stage, now.host_organisation) == ("maturing", "Rivers Trust")
    store.run(communities.update_community, community_id,
              **details(host_organisation="City Water"), expected_version=2)
    assert store.run(communities.get_community, community_id).host_organisation == "City Water"


def test_the_logo_is_part_of_the_community_record(
    store: Store, other: Store, community_id: int
) -> None:
    seen = store.run(communities.get_community, community_id).version
    other.run(communities.set_logo, community_id, _png())
    with pytest.raises(ConflictError):  # details typed before the logo changed
        store.run(communities.update_community, community_id, **details(domain="Mine"),
                  expected_version=seen)
    with pytest.raises(ConflictError):  # and a logo chosen before it
        store.run(communities.set_logo, community_id, None, expected_version=seen)
    assert store.run(communities.get_logo, community_id) == _png()
    assert store.run(communities.set_logo, community_id, None, expected_version=seen + 1) \
        == _png()
    assert store.run(communities.get_logo, community_id) is None
    with pytest.raises(ValidationError):  # a bad image is still refused as before
        store.run(communities.set_logo, community_id, b"GIF89a",
                  expected_version=seen + 2)


def test_a_community_that_is_gone_is_reported_deleted(store: Store) -> None:
    with pytest.raises(ConflictError) as err:
        store.run(communities.update_community, 999, **details(), expected_version=1)
    assert err.value.deleted and err.value.entity == "community"
    with pytest.raises(ConflictError):
        store.run(communities.set_logo, 999, None, expected_version=1)
