"""The list queries the tabs load (members, sessions, value entries), on a real store.

They read plain Core rows on the session's connection (fast on 10,000 members), so they
must still see edits made earlier in the same unit of work and not yet flushed, keep
roles and tags in their order, and return just the ids asked for.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from copdesk.data import members, sessions, values
from copdesk.data.models import CopSession, Member, ValueEntry
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.data.values import EntryData

TODAY = dt.date(2026, 11, 28)


def test_members_in_name_order_with_roles_and_tags_in_their_order(
    store: Store, community_id: int
) -> None:
    zoe = store.run(members.add_member, community_id, MemberData(
        "Zoë Ngũgĩ", roles=("member", "coordinator"), expertise=("GIS", "hydrology", "pumps"),
        interests=("Python", "maps")), today=TODAY)  # fmt: skip
    ada = store.run(members.add_member, community_id, MemberData("ada Lovelace"), today=TODAY)
    bo = store.run(members.add_member, community_id, MemberData(
        "Bo Chen", roles=("expert",), interests=("wells",)), today=TODAY)  # fmt: skip
    with store.session() as s:
        rows = members.list_members(s, community_id)
        assert [r.id for r in rows] == [ada, bo, zoe]
        by_id = {r.id: r for r in rows}
        assert by_id[zoe].roles == ("coordinator", "member")  # the framework's order
        assert by_id[zoe].expertise == ("GIS", "hydrology", "pumps")
        assert by_id[zoe].interests == ("Python", "maps")
        assert by_id[ada].roles == ("member",) and by_id[ada].expertise == () and by_id[ada].email == ""
        assert by_id[bo].roles == ("expert",) and by_id[bo].interests == ("wells",)
        assert [r.id for r in members.list_members(s, community_id, ids=[zoe, 999])] == [zoe]
        assert members.list_members(s, community_id, ids=[]) == []
        assert members.list_members(s, community_id + 1) == []


def test_list_queries_see_edits_not_yet_flushed(store: Store, community_id: int) -> None:
    mid = store.run(members.add_member, community_id, MemberData("Ada"), today=TODAY)
    sid = store.run(sessions.create_session, community_id,
                    SessionData("Kick-off", dt.datetime(2026, 12, 1, 9)))
    eid = store.run(values.add_entry, community_id, EntryData(
        TODAY, "A tip that saved a day", "strategic_capabilities", "applied",
        for_organisation=True), today=TODAY)  # fmt: skip

    def edit_then_list(session: Session) -> tuple[str, str, str, int]:
        session.get_one(Member, mid).full_name = "Ada Lovelace"
        session.get_one(CopSession, sid).title = "Kick-off meeting"
        session.get_one(ValueEntry, eid).title = "A tip that saved a week"
        session.add(Member(community_id=community_id, full_name="Bo", name_key="bo"))
        listed = members.list_members(session, community_id)
        return (
            listed[0].full_name,
            sessions.list_sessions(session, community_id)[0].title,
            values.list_entries(session, community_id)[0].title,
            len(listed),
        )

    with store.sessions() as s:
        assert edit_then_list(s) == (
            "Ada Lovelace", "Kick-off meeting", "A tip that saved a week", 2
        )
        s.rollback()


def test_entries_in_stories_are_those_of_the_full_list_with_a_story(store: Store) -> None:
    from copdesk.data import demo

    cid = store.run(demo.create_demo)
    with store.session() as s:
        everything = values.list_entries(s, cid, named="consenting")
        in_stories = values.list_entries(s, cid, named="consenting", in_stories=True)
        stories = values.list_stories(s, cid)
    want = [e for e in everything if e.story_id is not None]
    assert want and in_stories == want
    assert sorted(e.id for st in stories for e in st.entries) == sorted(e.id for e in want)
