"""The demo community, created in a real SQLite store."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import Counter

import pytest

from copdesk.data import communities, members
from copdesk.data.demo import (
    DEMO_NAME,
    GAP_TAGS,
    PEOPLE,
    DemoExistsError,
    create_demo,
    plan_members,
)
from copdesk.data.store import Store
from copdesk.data.validation import validate_member
from copdesk.framework import Level, Role

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def demo(store: Store) -> int:
    return store.run(create_demo, today=TODAY)


def rows(store: Store, cid: int) -> list[members.MemberRow]:
    with store.session() as s:
        return members.list_members(s, cid)


def test_community(store: Store, demo: int) -> None:
    with store.session() as s:
        info = communities.get_community(s, demo)
    assert info.name == DEMO_NAME
    assert info.is_demo
    assert info.host_organisation
    assert len(info.domain) > 40
    assert info.stage == "maturing"
    assert 55 <= info.member_count <= 65


def test_levels_in_realistic_proportions(store: Store, demo: int) -> None:
    roster = rows(store, demo)
    counts = Counter(r.level for r in roster)
    assert set(counts) == {lv.value for lv in Level}
    n = len(roster)
    assert 0.10 <= counts["core"] / n <= 0.15
    assert 0.15 <= counts["active"] / n <= 0.20
    assert counts["peripheral"] > counts["active"] > counts["core"]
    assert counts["peripheral"] + counts["occasional"] + counts["transactional"] > n / 2


def test_names_are_diverse(store: Store, demo: int) -> None:
    names = [r.full_name for r in rows(store, demo)]
    joined = "".join(names)
    for expected in ("Zoë", "Łukasz", "Ngũgĩ", "Søren", "Dvořák", "İlkay"):
        assert expected in joined
    scripts = {unicodedata.name(c).split()[0] for c in joined if c.isalpha()}
    assert {"LATIN", "GREEK", "CYRILLIC"} <= scripts
    assert len(scripts) >= 5  # and a few others (Georgian, Armenian)
    assert any(not n.isascii() for n in names)
    assert len(set(names)) == len(names)


def test_every_member_is_valid_and_real_time_zones(store: Store, demo: int) -> None:
    roster = rows(store, demo)
    for r in roster:
        assert validate_member(r.to_data(), today=TODAY) == {}, r.full_name
        assert r.time_zone and "/" in r.time_zone
        assert r.joined_on is not None and r.joined_on < TODAY
    assert len({r.organisation for r in roster}) >= 10
    assert len({r.region for r in roster}) >= 15
    assert len({r.time_zone for r in roster}) >= 15


def test_roles_guests_consent_and_leavers(store: Store, demo: int) -> None:
    roster = rows(store, demo)
    roles = Counter(role for r in roster for role in r.roles)
    assert set(roles) == {r.value for r in Role}
    assert roles[Role.COORDINATOR.value] >= 1
    assert roles[Role.SPONSOR.value] == 1
    assert 3 <= roles[Role.OUTSIDE_GUEST.value] <= 12
    without = [r for r in roster if not r.consent]
    assert 3 <= len(without) <= 15
    assert not any(r.level == "core" for r in without)
    assert 1 <= sum(r.status == "left" for r in roster) <= 3
    assert any("R&D <lead>" in r.notes for r in roster)


def test_knowledge_map_overlaps_and_has_gaps(store: Store, demo: int) -> None:
    with store.session() as s:
        kmap = members.knowledge_map(s, demo)
    gaps = {e.tag for e in kmap.gaps}
    assert set(GAP_TAGS) <= gaps
    assert len(gaps) < len(kmap.entries) / 3
    # Overlap: many tags are both held and wanted.
    both = [e for e in kmap.entries if e.expert_count and e.seeker_count]
    assert len(both) >= 5
    assert max(e.expert_count for e in kmap.entries) >= 4


def test_level_histories_move_toward_the_core(store: Store, demo: int) -> None:
    moved_in = 0
    with store.session() as s:
        for r in members.list_members(s, demo):
            history = members.level_history(s, r.id)
            assert history[-1][1] == r.level
            dates = [on for on, _ in history]
            assert dates == sorted(dates) and dates[-1] <= TODAY
            assert r.joined_on == dates[0]
            ranks = [Level(level).rank for _, level in history]
            if len(ranks) > 1 and ranks == sorted(ranks, reverse=True):
                moved_in += 1
                assert dates[1] >= TODAY - dt.timedelta(days=2 * 366)
    assert moved_in >= 5


def test_refuses_a_second_demo(store: Store, demo: int) -> None:
    before = rows(store, demo)
    with pytest.raises(DemoExistsError, match="already has the demo community"):
        store.run(create_demo, today=TODAY)
    with store.session() as s:
        assert len(communities.list_communities(s)) == 1
    assert rows(store, demo) == before


def test_refuses_when_the_name_is_taken(store: Store) -> None:
    store.run(communities.create_community, DEMO_NAME)
    with pytest.raises(DemoExistsError, match="named"):
        store.run(create_demo, today=TODAY)


def test_deterministic_for_a_seed(tmp_path: object) -> None:
    a = plan_members(random.Random(7), TODAY)
    b = plan_members(random.Random(7), TODAY)
    c = plan_members(random.Random(8), TODAY)
    assert a == b
    assert a != c
    assert [p.data.full_name for p in a] == [p.name for p in PEOPLE]


def test_same_seed_same_store_contents(store: Store, tmp_path: object) -> None:
    first = store.run(create_demo, today=TODAY)
    other = Store.open("sqlite://")
    try:
        second = other.run(create_demo, today=TODAY)
        a = [r.to_data() for r in rows(store, first)]
        b = [r.to_data() for r in rows(other, second)]
    finally:
        other.close()
    assert a == b
