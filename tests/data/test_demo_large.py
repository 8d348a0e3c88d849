"""The large community generator, at its hidden "tiny" size (1/100 of large) for speed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from copdesk.data import fitness, members, values
from copdesk.data import sessions as S
from copdesk.data.demo import DemoExistsError
from copdesk.data.demo_large import GAP_TAGS, SIZES, community_name, create_large_demo
from copdesk.data.models import (
    AgendaBlock,
    Attendance,
    LevelChange,
    Member,
    MemberTag,
    ValueBeneficiary,
)
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, name_key, tag_key, validate_member
from copdesk.framework import Level

TODAY = dt.date(2027, 3, 1)


@pytest.fixture
def tiny(store: Store) -> int:
    return store.run(create_large_demo, size="tiny", seed=3, today=TODAY)


def dump(store: Store, cid: int) -> dict[str, Any]:
    """Everything the queries show, without ids (which depend on the store's history)."""
    with store.session() as s:
        return {
            "members": [dataclasses.replace(r, id=0, community_id=0)
                        for r in members.list_members(s, cid)],
            "sessions": [(r.title, r.starts_at, r.status, r.agenda_minutes, r.block_count,
                          r.facilitators, r.invited, r.attended)
                         for r in S.list_sessions(s, cid)],
            "values": [(r.entry_date, r.title, r.kind, r.cycle, r.beneficiaries, r.session_title,
                        r.story_title, r.measure_value) for r in values.list_entries(s, cid)],
            "fitness": [(r.held_on, r.checklist, r.status, r.overall, r.open_actions)
                        for r in fitness.list_assessments(s, cid)],
        }  # fmt: skip


def count(store: Store, stmt: Any) -> int:
    with store.session() as s:
        return int(s.scalar(stmt) or 0)


def test_sizes_keep_the_issue_proportions() -> None:
    large, xlarge, tiny = SIZES["large"], SIZES["xlarge"], SIZES["tiny"]
    assert (large.members, large.sessions, large.attendance, large.values, large.assessments) == (
        10_000,
        2_000,
        60_000,
        20_000,
        40,
    )
    for f in ("members", "sessions", "attendance", "values", "assessments"):
        assert getattr(xlarge, f) == 2 * getattr(large, f)
    for f in ("members", "sessions", "attendance", "values"):
        assert getattr(large, f) == 100 * getattr(tiny, f)


def test_tiny_has_the_rows_in_proportion(store: Store, tiny: int) -> None:
    spec = SIZES["tiny"]
    with store.session() as s:
        assert len(members.list_members(s, tiny)) == spec.members
        rows = S.list_sessions(s, tiny)
        assert len(rows) == spec.sessions
        assert len(values.list_entries(s, tiny)) == spec.values
        assert len(fitness.list_assessments(s, tiny)) == spec.assessments
        blocks = sum(r.block_count for r in rows)
        # About eight blocks a session (6 to 10 each).
        assert 6 * spec.sessions <= blocks <= 10 * spec.sessions
        assert abs(blocks - 8 * spec.sessions) <= 2 * spec.sessions
        assert sum(r.invited for r in rows) == spec.attendance
        assert {r.status for r in rows} >= {"held", "planned"}
    assert count(store, select(func.count()).select_from(Attendance)) == spec.attendance


def test_same_seed_same_community_other_seed_another(tmp_path: Path) -> None:
    dumps = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        with Store.open(tmp_path / f"{name}.sqlite") as st:
            cid = st.run(create_large_demo, size="tiny", seed=seed, today=TODAY)
            dumps.append(dump(st, cid))
    assert dumps[0] == dumps[1]
    assert dumps[0]["members"] != dumps[2]["members"]
    assert dumps[0]["sessions"] != dumps[2]["sessions"]


def test_members_are_normalised_like_typed_ones(store: Store, tiny: int) -> None:
    with store.session() as s:
        roster = members.list_members(s, tiny)
        keys = dict(s.execute(select(Member.id, Member.name_key)).all())
        for row in roster:
            assert validate_member(row.to_data(), today=TODAY) == {}, row
            assert keys[row.id] == name_key(row.full_name)
            assert "member" in row.roles
            # Level history ends at the member's level, from the day they joined.
            history = members.level_history(s, row.id)
            assert history[0][0] == row.joined_on
            assert history[-1][1] == row.level
        # Email keys find the member again, as the duplicate check does.
        first = roster[0]
        found = members.find_duplicates(s, tiny, MemberData(full_name="x", email=first.email))
        assert [d.member_id for d in found] == [first.id]
        for key, tag in s.execute(select(MemberTag.tag_key, MemberTag.tag)):
            assert key == tag_key(tag)
        levels = Counter(r.level for r in roster)
        assert levels[Level.PERIPHERAL] > levels[Level.ACTIVE] > levels[Level.CORE] > 0
        assert s.scalar(select(func.count()).select_from(LevelChange)) >= len(roster)
        assert any(r.consent for r in roster) and not all(r.consent for r in roster)


def test_a_generated_member_can_be_edited_and_deleted(store: Store, tiny: int) -> None:
    with store.session() as s:
        row = members.list_members(s, tiny)[0]
    data = dataclasses.replace(row.to_data(), organisation="Renamed Org")
    store.run(members.update_member, row.id, data, today=TODAY)
    with store.session() as s:
        assert members.get_member(s, row.id).organisation == "Renamed Org"
    snap = store.run(members.delete_member, row.id)
    store.run(members.restore_member, snap)
    with store.session() as s:
        assert members.get_member(s, row.id).organisation == "Renamed Org"


def test_sessions_read_back_with_agendas_attendance_and_actions(store: Store, tiny: int) -> None:
    with store.session() as s:
        rows = S.list_sessions(s, tiny)
        assert [r.starts_at for r in rows] == sorted(r.starts_at for r in rows)
        assert all(r.facilitators for r in rows)
        assert any(r.series_title for r in rows) and any(not r.series_title for r in rows)
        for r in rows:
            blocks = S.list_blocks(s, r.id)
            assert [b.position for b in blocks] == list(range(len(blocks)))
            assert r.agenda_minutes == sum(b.minutes for b in blocks) > 0
            att = S.list_attendance(s, r.id)
            assert len(att) == r.invited
            if r.status == "planned":
                assert {a.status for a in att} == {"invited"}
        held = [r for r in rows if r.status == "held"]
        assert all(r.attended > 0 for r in held)
        coverage = S.function_coverage(s, tiny)
        assert coverage.total_minutes == sum(r.agenda_minutes for r in held)
        assert S.list_actions(s, tiny, today=TODAY)
        owners = s.scalars(select(AgendaBlock.owner_id).where(AgendaBlock.owner_id.is_not(None)))
        assert set(owners) <= {r.id for r in members.list_members(s, tiny)}


def test_value_entries_read_back_with_beneficiaries(store: Store, tiny: int) -> None:
    with store.session() as s:
        rows = values.list_entries(s, tiny)
        assert [r.entry_date for r in rows] == sorted((r.entry_date for r in rows), reverse=True)
        assert all(r.entry_date <= TODAY for r in rows)
        assert all(r.for_members or r.for_organisation for r in rows)
        named = sum(len(r.beneficiary_ids) for r in rows)
        assert named == s.scalar(select(func.count()).select_from(ValueBeneficiary))
        assert any(r.session_title for r in rows) and any(r.story_title for r in rows)
        consenting = values.list_entries(s, tiny, named="consenting")
        assert sum(r.hidden_beneficiaries for r in consenting) > 0
        assert values.matrix(rows).total == len(rows)


def test_assessments_score_and_link_evidence(store: Store, tiny: int) -> None:
    with store.session() as s:
        rows = fitness.list_assessments(s, tiny)
        assert rows[0].status == "draft"
        assert all(r.status == "final" for r in rows[1:])
        assert all(r.overall is not None and r.band != "none" for r in rows)
        views = [fitness.get_assessment(s, r.id) for r in rows]
        assert all(v.participants for v in views)
        links = [ln for v in views for a in v.answers for ln in a.links]
        assert links and all(ln.exists for ln in links)


def test_knowledge_map_counts_every_active_holder(store: Store, tiny: int) -> None:
    with store.session() as s:
        roster = [r for r in members.list_members(s, tiny) if r.status == "active"]
        kmap = members.knowledge_map(s, tiny)
    experts = Counter(tag_key(t) for r in roster for t in r.expertise)
    seekers = Counter(tag_key(t) for r in roster for t in r.interests)
    for entry in kmap.entries:
        assert entry.expert_count == experts[tag_key(entry.tag)]
        assert entry.seeker_count == seekers[tag_key(entry.tag)]
    # Nobody holds the gap tags, whoever seeks them.
    held = {e.tag for e in kmap.strengths}
    assert kmap.strengths and not held & set(GAP_TAGS)
    assert all(e.tag in {e.tag for e in kmap.gaps} for e in kmap.entries if e.tag in GAP_TAGS)


def test_refuses_a_second_copy_and_unknown_sizes(store: Store, tiny: int) -> None:
    with pytest.raises(DemoExistsError, match=re.escape(community_name("tiny", 3))):
        store.run(create_large_demo, size="tiny", seed=3, today=TODAY)
    with pytest.raises(ValueError, match="unknown size 'huge'"):
        store.run(create_large_demo, size="huge", seed=3, today=TODAY)
    # Another seed is another community beside it.
    other = store.run(create_large_demo, size="tiny", seed=4, today=TODAY)
    assert other != tiny
