"""Sessions on a real store: planning, agendas, series, attendance, actions, coverage."""

from __future__ import annotations

import datetime as dt

import pytest

from copdesk.data import members
from copdesk.data import sessions as S
from copdesk.data.agenda import RunState, fmt_minutes, summarise
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError

T0 = dt.datetime(2026, 3, 10, 14, 0)


def member(store: Store, cid: int, name: str, **kw: object) -> int:
    return store.run(members.add_member, cid, MemberData(full_name=name, **kw))  # type: ignore[arg-type]


def plan(store: Store, cid: int, **kw: object) -> int:
    data = S.SessionData(**{"title": "Clinic", "starts_at": T0, "time_zone": "Europe/Paris", **kw})  # type: ignore[arg-type]
    return store.run(S.create_session, cid, data)


def test_agenda_times_follow_from_the_start_and_the_blocks_before() -> None:
    summary = summarise(T0, [10, 25, 5], planned=45)
    assert [(t.start.strftime("%H:%M"), t.end.strftime("%H:%M")) for t in summary.timings] == [
        ("14:00", "14:10"),
        ("14:10", "14:35"),
        ("14:35", "14:40"),
    ]
    assert not summary.is_over and summary.spare_minutes == 5
    over = summarise(T0, [60, 50], planned=90)
    assert over.is_over and over.overrun_minutes == 20
    assert "20 min over" in over.message()
    assert summarise(T0, [100, 100], planned=90).is_far_over
    assert fmt_minutes(135) == "2 h 15 min"


def test_run_mode_extend_and_skip_shift_the_later_blocks() -> None:
    run = RunState(T0, [10, 20, 30], ["a", "b", "c"], planned_minutes=60)
    assert run.time_left(T0 + dt.timedelta(minutes=4)) == dt.timedelta(minutes=6)
    run.extend(5)
    assert run.projected()[1].start == T0 + dt.timedelta(minutes=15)
    assert run.running_over() == dt.timedelta(minutes=5)
    run.advance(T0 + dt.timedelta(minutes=12))  # skip ahead early
    assert run.current == 1 and run.done == [12]
    assert run.projected_end() == T0 + dt.timedelta(minutes=62)
    run.advance(T0 + dt.timedelta(minutes=30))
    run.advance(T0 + dt.timedelta(minutes=60))
    assert run.finished and run.time_left(T0) == dt.timedelta(0)


def test_create_session_with_agenda_and_facilitators(store: Store, community_id: int) -> None:
    ada = member(store, community_id, "Ada")
    sid = plan(store, community_id, facilitator_ids=(ada,), planned_minutes=60)
    store.run(
        S.set_agenda,
        sid,
        [
            S.BlockData("Welcome", 10, "convenes_people", "check_in", owner_id=ada),
            S.BlockData("Clinic", 40, "problem_solves", "peer_assist"),
        ],
    )
    with store.session() as s:
        row = S.get_session(s, sid)
        blocks = S.list_blocks(s, sid)
        summary = S.agenda_summary(s, sid)
    assert row.facilitators == ("Ada",) and row.agenda_minutes == 50 and row.block_count == 2
    assert [b.owner_name for b in blocks] == ["Ada", ""]
    assert summary.spare_minutes == 10


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"planned_minutes": 0}, "planned_minutes"),
        ({"planned_minutes": -30}, "planned_minutes"),
        ({"title": "  "}, "title"),
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"mode": "telepathy"}, "mode"),
    ],
)
def test_invalid_sessions_are_refused_and_nothing_is_saved(
    store: Store, community_id: int, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        plan(store, community_id, **kw)
    assert field in err.value.errors
    with store.session() as s:
        assert S.list_sessions(s, community_id) == []


def test_blocks_of_zero_or_negative_length_are_refused_whole(
    store: Store, community_id: int
) -> None:
    sid = plan(store, community_id)
    store.run(S.set_agenda, sid, [S.BlockData("Keep", 10)])
    with pytest.raises(ValidationError) as err:
        store.run(S.set_agenda, sid, [S.BlockData("Fine", 10), S.BlockData("Zero", 0)])
    assert err.value.errors == {"blocks.1.minutes": "Block 2: the length must be at least 1 minute"}
    with store.session() as s:
        assert [b.title for b in S.list_blocks(s, sid)] == ["Keep"]


def test_series_generation_and_its_limits(store: Store, community_id: int) -> None:
    monthly = S.SeriesRule("monthly", dt.datetime(2026, 1, 31, 18, 0), count=4)
    assert [d.date().isoformat() for d in S.occurrences(monthly)] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]
    fortnightly = S.SeriesRule("fortnightly", T0, until=dt.date(2026, 5, 5))
    assert len(S.occurrences(fortnightly)) == 5
    with pytest.raises(ValidationError, match="needs an end"):
        S.occurrences(S.SeriesRule("weekly", T0))
    with pytest.raises(ValidationError, match="1,000"):
        S.occurrences(S.SeriesRule("weekly", T0, count=1000))
    with pytest.raises(ValidationError, match="more than"):
        S.occurrences(S.SeriesRule("custom", T0, until=dt.date(2040, 1, 1), interval_days=1))
    data = S.SessionData("Monthly meet-up", T0, "Europe/Paris", 60)
    series_id, ids = store.run(S.create_series, community_id, monthly, data, [S.BlockData("Talk", 45)])
    with store.session() as s:
        rows = S.list_sessions(s, community_id)
    assert len(ids) == 4 and all(r.series_id == series_id and r.agenda_minutes == 45 for r in rows)


def test_edit_the_rest_of_a_series(store: Store, community_id: int) -> None:
    rule = S.SeriesRule("weekly", T0, count=4)
    data = S.SessionData("Weekly", T0, "Europe/Paris", 60)
    _, ids = store.run(S.create_series, community_id, rule, data)
    with store.session() as s:
        third = S.session_data(s, ids[2])
    moved = S.SessionData("Weekly (new room)", third.starts_at.replace(hour=16), "Europe/Paris", 90)
    touched = store.run(S.update_rest_of_series, ids[2], moved)
    assert touched == [ids[2], ids[3]]
    with store.session() as s:
        rows = {r.id: r for r in S.list_sessions(s, community_id)}
    assert rows[ids[1]].title == "Weekly" and rows[ids[1]].starts_at.hour == 14
    assert rows[ids[3]].title == "Weekly (new room)" and rows[ids[3]].starts_at.hour == 16
    assert rows[ids[3]].starts_at.date() == (T0 + dt.timedelta(days=21)).date()


def test_attendance_feeds_member_activity_and_drift(store: Store, community_id: int) -> None:
    ada, bo, cy = (member(store, community_id, n) for n in ("Ada", "Bo", "Cy"))
    old = plan(store, community_id, starts_at=dt.datetime(2025, 1, 10, 10), status="held")
    recent = plan(store, community_id, starts_at=dt.datetime(2026, 10, 1, 10), status="held")
    store.run(S.invite, old, [ada, bo])
    store.run(S.set_attendance, old, ada, status="attended")
    store.run(S.set_attendance, old, bo, status="attended")
    store.run(S.invite, recent, [ada, bo, cy])
    before = store.run(S.set_attendance, recent, ada, status="attended", role="presenter")
    assert before == ("invited", "participant")
    store.run(S.set_attendance, recent, bo, status="apologised")
    with store.session() as s:
        activity = S.member_activity(s, community_id)
        drifting = S.drifting_members(s, community_id, months=6, today=dt.date(2026, 11, 28))
        attendance = S.list_attendance(s, recent)
        row = S.get_session(s, recent)
    assert activity[ada].sessions_attended == 2
    assert activity[ada].last_attended == dt.datetime(2026, 10, 1, 10)
    assert activity[bo].sessions_attended == 1
    assert sorted(drifting) == sorted([bo, cy])
    assert [(a.full_name, a.status, a.role) for a in attendance] == [
        ("Ada", "attended", "presenter"),
        ("Bo", "apologised", "participant"),
        ("Cy", "invited", "participant"),
    ]
    assert (row.invited, row.attended) == (3, 1)
    with pytest.raises(ValidationError):
        store.run(S.set_attendance, recent, ada, status="sleeping")


def test_actions_and_overdue(store: Store, community_id: int) -> None:
    ada = member(store, community_id, "Ada")
    sid = plan(store, community_id, status="held")
    a1 = store.run(S.add_action, sid, S.ActionData("Write up notes", ada, dt.date(2026, 3, 1)))
    store.run(S.add_action, sid, S.ActionData("Book room", None, dt.date(2026, 12, 1)))
    a3 = store.run(S.add_action, sid, S.ActionData("Old thing", None, dt.date(2026, 1, 1)))
    store.run(S.update_action, a3, S.ActionData("Old thing", None, dt.date(2026, 1, 1), "done"))
    with store.session() as s:
        open_actions = S.list_actions(s, community_id, open_only=True, today=dt.date(2026, 11, 28))
    assert [(a.title, a.overdue, a.owner_name) for a in open_actions] == [
        ("Write up notes", True, "Ada"),
        ("Book room", False, ""),
    ]
    deleted = store.run(S.delete_action, a1)
    store.run(S.restore_action, *deleted)
    with pytest.raises(ValidationError):
        store.run(S.add_action, sid, S.ActionData("  "))
    with store.session() as s:
        assert len(S.list_actions(s, community_id, session_id=sid)) == 3


def test_deleted_member_leaves_blocks_and_actions_without_owner(
    store: Store, community_id: int
) -> None:
    ada = member(store, community_id, "Ada")
    sid = plan(store, community_id, facilitator_ids=(ada,))
    store.run(S.set_agenda, sid, [S.BlockData("Talk", 20, owner_id=ada)])
    store.run(S.add_action, sid, S.ActionData("Follow up", ada))
    store.run(members.delete_member, ada)
    with store.session() as s:
        assert S.get_session(s, sid).facilitators == ()
        assert S.list_blocks(s, sid)[0].owner_id is None
        assert S.list_actions(s, community_id)[0].owner_name == ""


def _blocks(s: object, sid: int) -> list[S.BlockData]:
    return [b.to_data() for b in S.list_blocks(s, sid)]  # type: ignore[arg-type]


def test_delete_and_restore_session(store: Store, community_id: int) -> None:
    ada = member(store, community_id, "Ada")
    sid = plan(store, community_id, facilitator_ids=(ada,))
    store.run(S.set_agenda, sid, [S.BlockData("Talk", 20, "experience_sharing")])
    store.run(S.invite, sid, [ada])
    store.run(S.add_action, sid, S.ActionData("Follow up", ada))
    store.run(S.set_outcomes, sid, notes="Good", decisions="Meet monthly", resources="Slides")
    with store.session() as s:
        before = (S.get_session(s, sid), _blocks(s, sid), S.list_actions(s, community_id))
    snap = store.run(S.delete_session, sid)
    with store.session() as s:
        assert S.list_sessions(s, community_id) == []
    store.run(S.restore_session, snap)
    with store.session() as s:
        after = (S.get_session(s, sid), _blocks(s, sid), S.list_actions(s, community_id))
        assert S.snapshot_session(s, sid).outcomes == ("Good", "Meet monthly", "Slides")
    assert after == before


def test_function_coverage_names_never_served_functions(store: Store, community_id: int) -> None:
    old = plan(store, community_id, starts_at=dt.datetime(2025, 6, 1, 10), status="held")
    store.run(S.set_agenda, old, [S.BlockData("Clinic", 30, "problem_solves", "Peer assist")])
    new = plan(store, community_id, starts_at=dt.datetime(2026, 2, 1, 10), status="held")
    store.run(
        S.set_agenda,
        new,
        [
            S.BlockData("Clinic", 40, "problem_solves", "Peer assist"),
            S.BlockData("Fishbowl", 20, "discuss_developments", "Fishbowl"),
            S.BlockData("Coffee", 15, "", "break"),
        ],
    )
    planned = plan(store, community_id, starts_at=dt.datetime(2026, 5, 1, 10))
    store.run(S.set_agenda, planned, [S.BlockData("Map", 30, "maps_knowledge_gaps")])
    with store.session() as s:
        cov = S.function_coverage(s, community_id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert cov.minutes["problem_solves"] == 40 and cov.minutes["discuss_developments"] == 20
    assert cov.untagged_minutes == 15
    assert "maps_knowledge_gaps" in cov.never_served and len(cov.never_served) == 10
    assert cov.familiar_methods == {"Peer assist": 1} and cov.new_methods == {"Fishbowl": 1}
    again = plan(store, community_id, starts_at=dt.datetime(2026, 3, 1, 10), status="held")
    store.run(S.set_agenda, again, [S.BlockData("Fishbowl", 20, "discuss_developments", "Fishbowl")])
    with store.session() as s:
        cov = S.function_coverage(s, community_id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # Used in February for the first time ever: new then, familiar when it comes back.
    assert cov.familiar_methods == {"Peer assist": 1, "Fishbowl": 1}
    assert cov.new_methods == {"Fishbowl": 1}


def test_rhythm_compares_target_with_real_gaps(store: Store, community_id: int) -> None:
    rule = S.SeriesRule("monthly", dt.datetime(2026, 1, 15, 18), count=6)
    _, ids = store.run(S.create_series, community_id, rule, S.SessionData("M", T0, "UTC", 60))
    for sid in ids[:3]:
        with store.session() as s:
            data = S.session_data(s, sid)
        from dataclasses import replace

        store.run(S.update_session, sid, replace(data, status="held"))
    with store.session() as s:
        r = S.rhythm(s, community_id, now=dt.datetime(2026, 3, 20))
    assert r.target_days == 30 and r.gaps_days == (31, 28)
    assert r.regularity == 1.0 and r.days_since_last == 5
    assert r.next_planned is not None and r.next_planned.id == ids[3]
    assert r.message().startswith("Target every 30 days")
    assert f"next: {r.next_planned.starts_at:%a %d %b %Y}" in r.message()  # "Wed 15 Apr"


def test_templates_ship_and_can_be_saved(store: Store, community_id: int) -> None:
    sid = plan(store, community_id)
    store.run(S.set_agenda, sid, [S.BlockData("Talk", 20, "experience_sharing", "Talk")])
    tid = store.run(S.save_template, sid, "Our format")
    with store.session() as s:
        templates = S.list_templates(s, community_id)
    names = [t.name for t in templates]
    assert {"Peer-assist clinic", "Show and tell", "Annual review", "Our format"} <= set(names)
    ours = next(t for t in templates if t.id == tid)
    assert ours.blocks == (S.BlockData("Talk", 20, "experience_sharing", "Talk"),)
    with pytest.raises(ValidationError):
        store.run(S.save_template, sid, "Our format")
    for t in templates:
        assert all(not S.validate_block(b) for b in t.blocks), t.name


def test_undoing_a_member_delete_puts_back_their_session_links(
    store: Store, community_id: int
) -> None:
    ada = member(store, community_id, "Ada")
    sid = plan(store, community_id, facilitator_ids=(ada,), status="held")
    store.run(S.set_agenda, sid, [S.BlockData("Talk", 20, owner_id=ada)])
    store.run(S.set_attendance, sid, ada, status="attended", role="presenter")
    aid = store.run(S.add_action, sid, S.ActionData("Follow up", ada))
    snap = store.run(members.delete_member, ada)
    store.run(members.restore_member, snap)
    with store.session() as s:
        assert S.get_session(s, sid).facilitators == ("Ada",)
        assert S.list_blocks(s, sid)[0].owner_id == ada
        assert [(a.status, a.role) for a in S.list_attendance(s, sid)] == [("attended", "presenter")]
        assert S.list_actions(s, community_id)[0].owner_id == ada
        assert S.member_activity(s, community_id)[ada].sessions_attended == 1
    assert aid


def test_rhythm_as_of_a_past_day_ignores_later_sessions(store: Store, community_id: int) -> None:
    for day in (dt.datetime(2026, 1, 10, 10), dt.datetime(2026, 2, 10, 10),
                dt.datetime(2026, 9, 10, 10)):
        plan(store, community_id, starts_at=day, status="held")
    with store.session() as s:
        r = S.rhythm(s, community_id, now=dt.datetime(2026, 3, 1))
    assert r.gaps_days == (31,) and r.days_since_last == 19
