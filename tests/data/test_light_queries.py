"""The light member lists the Sessions and Value tabs load, on a real store.

They read a few columns as Core rows (quick on 10,000 members) and must give the pickers
exactly what the whole roster rows gave: same members in the same order, roles in the
framework's order, tags in theirs, erased members left out, unflushed edits seen.
"""

from __future__ import annotations

import datetime as dt

from copdesk.data import members, session_queries
from copdesk.data.models import Member
from copdesk.data.store import Store
from copdesk.data.validation import MemberData

TODAY = dt.date(2026, 11, 28)


def test_directory_rows_match_the_roster(store: Store, community_id: int) -> None:
    zoe = store.run(members.add_member, community_id, MemberData(
        "Zoë Ngũgĩ", roles=("member", "coordinator"), expertise=("GIS", "hydrology"),
        interests=("maps", "GIS", "Python")), today=TODAY)  # fmt: skip
    ada = store.run(members.add_member, community_id, MemberData(
        "ada Lovelace", level="core"), today=TODAY)  # fmt: skip
    bo = store.run(members.add_member, community_id, MemberData(
        "Bo Chen", roles=("expert",), interests=("wells",), status="left"), today=TODAY)
    gone = store.run(members.add_member, community_id, MemberData("Cy Erased"), today=TODAY)
    store.run(members.erase_member, gone)
    with store.session() as s:
        rows = session_queries.directory_rows(s, community_id)
        roster = members.list_members(s, community_id)
    assert [r.id for r in rows] == [ada, bo, zoe]  # by name, the erased one left out
    by_id = {r.id: r for r in rows}
    assert by_id[zoe].roles == ("coordinator", "member")
    # expertise then interests, each in its order; "GIS" said twice is kept once
    assert by_id[zoe].tags == ("GIS", "hydrology", "maps", "Python")
    assert by_id[ada].level == "core" and by_id[ada].tags == () and by_id[ada].active
    assert by_id[bo].active is False and by_id[bo].roles == ("expert",)
    # the same as the whole roster rows gave the pickers before
    for r in roster:
        if r.erased:
            assert r.id not in by_id
            continue
        d = by_id[r.id]
        assert (d.full_name, d.level, d.roles, d.active) == (
            r.full_name, r.level, r.roles, r.status == "active")
        assert d.tags == tuple(dict.fromkeys((*r.expertise, *r.interests)))


def test_directory_rows_of_another_community_and_unflushed_edits(
    store: Store, community_id: int
) -> None:
    mid = store.run(members.add_member, community_id, MemberData("Ada"), today=TODAY)
    with store.session() as s:
        assert session_queries.directory_rows(s, community_id + 1) == []
        s.get_one(Member, mid).full_name = "Ada Lovelace"
        s.add(Member(community_id=community_id, full_name="Bo", name_key="bo"))
        rows = session_queries.directory_rows(s, community_id)
        assert [r.full_name for r in rows] == ["Ada Lovelace", "Bo"]
        s.rollback()
