"""The light queries the Sessions, Fitness and Value tabs load, on a real store.

They read a few columns as Core rows (quick on 10,000 members) and must give the pickers
exactly what the whole roster rows gave: same members in the same order, roles in the
framework's order, tags in theirs, erased members left out, unflushed edits seen.
"""

from __future__ import annotations

import datetime as dt

from copdesk.data import fitness, members, session_queries, sessions
from copdesk.data.models import Member
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.text import plural

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


def _novelty_hint(store: Store, community_id: int, held_on: dt.date) -> str:
    with store.session() as s:
        return fitness.evidence_hints(s, community_id, held_on)["familiarity_excitement"][0]


def _coverage_hint(store: Store, community_id: int, held_on: dt.date) -> str:
    start = held_on - dt.timedelta(days=round(12 * 30.44))
    with store.session() as s:
        cov = sessions.function_coverage(s, community_id, start, held_on)
    familiar, new = sum(cov.familiar_methods.values()), sum(cov.new_methods.values())
    return f"{plural(familiar, 'block')} used familiar methods, {plural(new, 'block')} tried new ones"


def test_fitness_hints_count_new_and_familiar_methods_as_coverage_does(
    store: Store, community_id: int
) -> None:
    def held(day: dt.date, *methods: str, status: str = "held") -> None:
        blocks = [sessions.BlockData(f"Block {i}", 10, method=m) for i, m in enumerate(methods)]
        store.run(sessions.create_session, community_id, sessions.SessionData(
            f"S {day}", dt.datetime.combine(day, dt.time(10)), status=status), blocks)

    held(dt.date(2024, 1, 10), "Fishbowl", "break")  # before the period: familiar later
    held(dt.date(2025, 3, 1), "fishbowl", "World café", "World café", "break", "")
    held(dt.date(2025, 3, 1), "world CAFÉ", "Peer assist")  # same day, later id: familiar
    held(dt.date(2025, 4, 1), "Peer assist", "Open space", status="planned")  # not held
    held(dt.date(2025, 5, 1), "Open space", "Break")  # "Break" is a method (as coverage says)
    held(dt.date(2025, 9, 2), "Lightning talks")  # after the assessment: not counted
    held_on = dt.date(2025, 9, 1)
    hint = _novelty_hint(store, community_id, held_on)
    # familiar: fishbowl, world café (2nd session); new: 2 × world café, peer assist,
    # open space, Break
    assert hint == "2 blocks used familiar methods, 5 blocks tried new ones"
    assert hint == _coverage_hint(store, community_id, held_on)
    for day in (dt.date(2024, 1, 10), dt.date(2025, 3, 1), dt.date(2026, 1, 1)):
        assert _novelty_hint(store, community_id, day) == _coverage_hint(store, community_id, day)
