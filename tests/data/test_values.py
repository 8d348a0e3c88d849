"""The value log on a real store: entries, matrix, stories, measures, consent."""

from __future__ import annotations

import datetime as dt

import pytest

from copdesk.data import communities, members
from copdesk.data import sessions as S
from copdesk.data import values as V
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError

TODAY = dt.date(2026, 11, 28)


def entry(**kw: object) -> V.EntryData:
    base: dict[str, object] = {
        "entry_date": dt.date(2026, 5, 1), "title": "Saved a week on the tender",
        "kind": "strategic_capabilities", "cycle": "applied", "for_organisation": True,
    }  # fmt: skip
    return V.EntryData(**{**base, **kw})  # type: ignore[arg-type]


def add(store: Store, cid: int, **kw: object) -> int:
    return store.run(V.add_entry, cid, entry(**kw), today=TODAY)


def test_add_list_and_labels(store: Store, community_id: int) -> None:
    ada = store.run(members.add_member, community_id, MemberData(full_name="Ada", consent=True))
    bo = store.run(members.add_member, community_id, MemberData(full_name="Bo"))
    sid = store.run(S.create_session, community_id,
                    S.SessionData("Clinic", dt.datetime(2026, 4, 30, 10), "UTC", 60, status="held"))
    eid = add(store, community_id, beneficiary_ids=(bo, ada), session_id=sid, logged_by_id=ada,
              measure_value=12.0, measure_unit="hours saved", function="problem_solves",
              description="R&D <lead> shared a template")
    with store.session() as s:
        (row,) = V.list_entries(s, community_id)
        (named,) = V.list_entries(s, community_id, named="consenting")
    assert row.id == eid and row.beneficiaries == ("Ada", "Bo") and row.session_title == "Clinic"
    assert row.kind_label == "Strategic capabilities" and row.cycle_label == "Applied value"
    assert named.beneficiaries == ("Ada",) and named.hidden_beneficiaries == 1
    assert row.for_members and row.for_organisation and row.logged_by == "Ada"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"kind": "happiness"}, "kind"),
        ({"cycle": ""}, "cycle"),
        ({"title": " "}, "title"),
        ({"for_organisation": False}, "beneficiaries"),
        ({"measure_value": 3.0}, "measure_unit"),
        ({"measure_value": float("nan"), "measure_unit": "h"}, "measure_value"),
        ({"description": "x" * 100_000}, "description"),
        ({"entry_date": TODAY + dt.timedelta(days=30)}, "entry_date"),
    ],
)
def test_bad_entries_are_refused(
    store: Store, community_id: int, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        add(store, community_id, **kw)
    assert field in err.value.errors
    with store.session() as s:
        assert V.list_entries(s, community_id) == []


def test_parse_measure() -> None:
    assert V.parse_measure("12") == 12.0
    assert V.parse_measure(" 1,5 ") == 1.5
    assert V.parse_measure("1 200") == 1200.0
    assert V.parse_measure("") is None
    for bad in ("twelve", "1e999", "inf"):
        with pytest.raises(ValueError):
            V.parse_measure(bad)


def test_matrix_function_and_member_summaries(store: Store, community_id: int) -> None:
    ada = store.run(members.add_member, community_id, MemberData(full_name="Ada", consent=True))
    add(store, community_id, kind="innovation", cycle="potential", function="problem_solves")
    add(store, community_id, kind="innovation", cycle="potential", function="problem_solves")
    add(store, community_id, kind="reputation", cycle="realised", beneficiary_ids=(ada,),
        for_organisation=False, logged_by_id=ada, measure_value=2, measure_unit="Talks")
    add(store, community_id, kind="innovation", cycle="applied", measure_value=3,
        measure_unit="talks")
    with store.session() as s:
        rows = V.list_entries(s, community_id)
    m = V.matrix(rows)
    assert m.count("innovation", "potential") == 2 and m.kind_total("innovation") == 3
    assert m.cycle_total("realised") == 1 and m.total == 4
    assert V.per_function(rows) == {"problem_solves": 2, "": 2}
    people, hidden = V.by_member(rows)
    assert [(p.name, p.benefited, p.contributed) for p in people] == [("Ada", 1, 1)]
    assert hidden == 0
    assert V.measures(rows) == {"talks": 5.0}  # the newest entry names the unit


def test_stories_follow_a_thread_and_refuse_other_communities(
    store: Store, community_id: int
) -> None:
    e1 = add(store, community_id, cycle="immediate", entry_date=dt.date(2026, 2, 1))
    e2 = add(store, community_id, cycle="applied", entry_date=dt.date(2026, 4, 1))
    e3 = add(store, community_id, cycle="potential", entry_date=dt.date(2026, 3, 1))
    story = store.run(V.create_story, community_id,
                      V.StoryData("The tender template", "Used by every region",
                                  dt.date(2026, 6, 1)), [e1, e2, e3])
    with store.session() as s:
        (view,) = V.list_stories(s, community_id)
        due = V.due_follow_ups(s, community_id, today=TODAY)
    assert [e.id for e in view.entries] == [e1, e3, e2] and view.complete
    assert [d.id for d in due] == [story]
    other = store.run(communities.create_community, "Other CoP")
    foreign = add(store, other)
    with pytest.raises(ValidationError, match="own community"):
        store.run(V.update_story, story, V.StoryData("The tender template"), [e1, foreign])
    with pytest.raises(ValidationError, match="before the story's first entry"):
        store.run(V.update_story, story, V.StoryData("T", follow_up_on=dt.date(2026, 1, 1)), [e1])
    with store.session() as s:
        assert {e.id for e in V.list_stories(s, community_id)[0].entries} == {e1, e2, e3}
    before = store.run(V.update_story, story, V.StoryData("Shorter"), [e1])
    store.run(V.update_story, story, *before)
    snap = store.run(V.delete_story, story)
    with store.session() as s:
        assert V.list_stories(s, community_id) == []
        assert all(r.story_id is None for r in V.list_entries(s, community_id))
    store.run(V.restore_story, *snap)
    with store.session() as s:
        assert len(V.list_stories(s, community_id)[0].entries) == 3


def test_update_delete_restore_entry(store: Store, community_id: int) -> None:
    eid = add(store, community_id)
    before = store.run(V.update_entry, eid, entry(title="Renamed"), today=TODAY)
    assert before.title == "Saved a week on the tender"
    snap = store.run(V.delete_entry, eid)
    store.run(V.restore_entry, snap)
    with store.session() as s:
        assert V.entry_data(s, eid) == entry(title="Renamed")


def test_entries_and_filters(store: Store, community_id: int) -> None:
    a = add(store, community_id, kind="innovation", entry_date=dt.date(2026, 1, 5))
    add(store, community_id, kind="reputation", cycle="potential", entry_date=dt.date(2026, 6, 5),
        description="A talk at the summit")
    with store.session() as s:
        rows = V.list_entries(s, community_id)
        assert V.entries_in_period(s, community_id, dt.date(2026, 1, 1), dt.date(2026, 3, 1)) == 1
    f = V.EntryFilter(kinds=frozenset({"innovation"}))
    assert [r.id for r in rows if f.accepts(r)] == [a]
    assert sum(V.EntryFilter(text="SUMMIT").accepts(r) for r in rows) == 1
    assert sum(V.EntryFilter(start=dt.date(2026, 2, 1)).accepts(r) for r in rows) == 1
