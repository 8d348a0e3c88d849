"""The lists the Value tab reads, on a real store: each read once, light, and the same rows.

``list_entries`` is checked against rows built independently from the ORM objects (names
in casefolded order then by id, consent and erasure honoured); the stories built from rows
already read against ``list_stories``; the light people and session lists against the
whole roster and session rows they replace.
"""

from __future__ import annotations

import datetime as dt
import gc

from copdesk.data import members, session_queries, sessions, value_queries, values
from copdesk.data.models import CopSession, Member, Story, ValueEntry
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.data.values import EntryData, EntryRow, StoryData

TODAY = dt.date(2026, 3, 9)


def _people(store: Store, cid: int) -> dict[str, int]:
    data = [
        MemberData("Ana Silva", organisation="WaterAid", region="East", consent=True,
                   roles=("member", "coordinator")),
        MemberData("ana silva", organisation="WaterAid", region="East", consent=True),
        MemberData("Émile Zola", organisation="Rivers Trust", consent=False),
        MemberData("bo Chen", organisation="WaterAid", consent=True, status="left"),
        MemberData("Cy Gone", consent=True),
    ]
    ids = store.run(members.add_members, cid, data)
    return {d.full_name: i for d, i in zip(data, ids, strict=True)}


def _log(store: Store, cid: int, who: dict[str, int]) -> tuple[list[int], int]:
    meeting = store.run(sessions.create_session, cid, SessionData(
        title="Clinic", starts_at=dt.datetime(2026, 3, 2, 14), time_zone="Europe/London",
        status="held"))  # fmt: skip
    everyone = tuple(who.values())
    ids = [
        store.run(values.add_entry, cid, EntryData(
            entry_date=TODAY - dt.timedelta(days=i % 4), title=f"Entry {i}",
            kind="personal_development" if i % 2 else "innovation", cycle="immediate",
            beneficiary_ids=tuple(reversed(everyone)) if i % 3 == 0 else everyone[i % 5:][:2],
            for_organisation=i % 2 == 0, session_id=meeting if i % 2 else None,
            measure_value=float(i) if i % 4 == 0 else None,
            measure_unit="hours saved" if i % 4 == 0 else "",
            logged_by_id=everyone[i % 5]), today=TODAY)
        for i in range(12)
    ]
    store.run(members.erase_member, who["Cy Gone"])
    return ids, meeting


def _expected(store: Store, cid: int, named: str) -> list[tuple[object, ...]]:
    """The rows as the ORM objects give them: the oracle for ``list_entries``."""
    out: list[tuple[object, ...]] = []
    with store.session() as s:
        entries = s.query(ValueEntry).filter(ValueEntry.community_id == cid).all()
        for e in sorted(entries, key=lambda e: (e.entry_date, e.id), reverse=True):
            people = sorted(
                (s.get_one(Member, b.member_id) for b in e.beneficiaries),
                key=lambda m: (m.full_name.casefold(), m.id),
            )
            shown = [m for m in people if named == "all" or (m.consent and not m.erased)]
            logger = e.logged_by_id and s.get(Member, e.logged_by_id)
            logged = ""
            if logger and (named == "all" or (logger.consent and not logger.erased)):
                logged = logger.full_name
            out.append((
                e.id, e.entry_date, e.title, e.kind, e.cycle, e.for_organisation,
                tuple(m.full_name for m in shown), tuple(m.id for m in people),
                len(people) - len(shown), e.session_id,
                s.get_one(CopSession, e.session_id).title if e.session_id else "",
                e.measure_value, e.measure_unit, logged, e.story_id,
                s.get_one(Story, e.story_id).title if e.story_id else "", e.version,
            ))  # fmt: skip
    return out


def _as_tuples(rows: list[EntryRow]) -> list[tuple[object, ...]]:
    return [
        (r.id, r.entry_date, r.title, r.kind, r.cycle, r.for_organisation, r.beneficiaries,
         r.beneficiary_ids, r.hidden_beneficiaries, r.session_id, r.session_title,
         r.measure_value, r.measure_unit, r.logged_by, r.story_id, r.story_title, r.version)
        for r in rows
    ]  # fmt: skip


def test_list_entries_equals_the_rows_the_orm_objects_give(
    store: Store, community_id: int
) -> None:
    who = _people(store, community_id)
    ids, _meeting = _log(store, community_id, who)
    store.run(values.create_story, community_id, StoryData("Thread"), ids[:3])
    with store.session() as s:
        for named in ("all", "consenting"):
            rows = values.list_entries(s, community_id, named=named)
            assert _as_tuples(rows) == _expected(store, community_id, named)
        # a few by id, and a period: the same rows as the whole list holds
        whole = {r.id: r for r in values.list_entries(s, community_id)}
        some = values.list_entries(s, community_id, ids=[ids[0], ids[5], 10**6])
        assert some == [whole[ids[5]], whole[ids[0]]] or some == [whole[ids[0]], whole[ids[5]]]
        assert {r.id for r in some} == {ids[0], ids[5]}
        period = values.list_entries(s, community_id, start=TODAY - dt.timedelta(days=1))
        assert period == [r for r in whole.values() if r.entry_date >= TODAY - dt.timedelta(1)]
    # the two "Ana Silva"s: casefolded names tie, so the older member (lower id) comes first
    first = next(r for r in whole.values() if r.id == ids[0])
    ana = [m for m in first.beneficiary_ids if m in (who["Ana Silva"], who["ana silva"])]
    assert ana == sorted(ana)


def test_rows_share_repeated_strings(store: Store, community_id: int) -> None:
    who = _people(store, community_id)
    _log(store, community_id, who)
    with store.session() as s:
        rows = values.list_entries(s, community_id)
        people = value_queries.people(s, community_id)
        choices = session_queries.session_choices(s, community_id)
    clinic = [r for r in rows if r.session_title == "Clinic"]
    assert len(clinic) > 2 and all(r.session_title is clinic[0].session_title for r in clinic)
    knowledge = [r for r in rows if r.kind == "personal_development"]
    assert all(r.kind is knowledge[0].kind for r in knowledge)
    units = [r.measure_unit for r in rows if r.measure_unit]
    assert len(units) > 1 and all(u is units[0] for u in units)
    wateraid = [p.organisation for p in people if p.organisation == "WaterAid"]
    assert len(wateraid) == 3 and all(o is wateraid[0] for o in wateraid)
    assert choices[0].title == "Clinic"


def test_stories_built_from_rows_already_read_equal_list_stories(
    store: Store, community_id: int
) -> None:
    who = _people(store, community_id)
    ids, _meeting = _log(store, community_id, who)
    store.run(values.create_story, community_id, StoryData("Beta", "Fewer failures"), ids[:3])
    store.run(values.create_story, community_id,
              StoryData("Alpha", follow_up_on=TODAY), ids[3:5])  # fmt: skip
    store.run(values.create_story, community_id, StoryData("Alpha"), [])  # same title, empty
    with store.session() as s:
        expected = values.list_stories(s, community_id)
        rows = values.list_entries(s, community_id)
        # whatever order the rows come in (the log sorts them by any column)
        assert values.stories_of(s, community_id, rows) == expected
        assert values.stories_of(s, community_id, list(reversed(rows))) == expected
        assert values.stories_of(s, community_id + 1, rows) == []
    assert [s.title for s in expected] == ["Alpha", "Alpha", "Beta"]
    assert [len(s.entries) for s in expected] == [2, 0, 3]
    assert expected[0].id < expected[1].id  # same title: by id


def test_light_people_and_sessions_equal_the_whole_rows(store: Store, community_id: int) -> None:
    who = _people(store, community_id)
    _log(store, community_id, who)
    store.run(sessions.create_session, community_id, SessionData(
        title="Cancelled", starts_at=dt.datetime(2026, 1, 5, 9), time_zone="UTC",
        status="cancelled"))  # fmt: skip
    with store.session() as s:
        people = value_queries.people(s, community_id)
        roster = members.list_members(s, community_id)
        choices = session_queries.session_choices(s, community_id)
        whole = sessions.list_sessions(s, community_id)
        size = value_queries.tab_size(s, community_id)
        assert value_queries.tab_size(s, community_id + 1) == 0
    assert [p.id for p in people] == [r.id for r in roster]
    for p, r in zip(people, roster, strict=True):
        assert (p.full_name, p.organisation, p.region, p.consent, p.status, p.erased) == (
            r.full_name, r.organisation, r.region, r.consent, r.status, r.erased)
        assert p.coordinator == ("coordinator" in r.roles)
    assert [p.id for p in people if p.coordinator] == [who["Ana Silva"]]
    assert [(c.id, c.title, c.starts_at, c.status) for c in choices] == [
        (w.id, w.title, w.starts_at, w.status) for w in whole
    ]
    assert size == 12 + len(roster)


def test_tab_data_reads_everything_once(store: Store, community_id: int) -> None:
    who = _people(store, community_id)
    ids, _meeting = _log(store, community_id, who)
    store.run(values.create_story, community_id, StoryData("Thread"), ids[:2])
    with store.session() as s:
        data = value_queries.tab_data(s, community_id)
        assert data.entries == values.list_entries(s, community_id)
        assert data.stories == values.list_stories(s, community_id)
        assert data.people == value_queries.people(s, community_id)
        assert data.sessions == session_queries.session_choices(s, community_id)
    # the stories hold the very row objects of the log: nothing was read twice
    in_story = {id(r) for r in data.entries if r.story_id is not None}
    assert {id(e) for e in data.stories[0].entries} == in_story


def test_bulk_rows_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with values.bulk_rows():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with values.bulk_rows():
            pass
        assert not gc.isenabled()  # left as it was: disabled
    finally:
        gc.enable()
