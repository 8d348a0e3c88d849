"""Version checks of the session, assessment, answer and value-entry commands.

Two connections to one store: what one wrote meanwhile makes the other's checked command
raise ConflictError and write nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from copdesk.data import fitness, members, value_queries, values
from copdesk.data import sessions as S
from copdesk.data.fitness import AnswerData
from copdesk.data.sessions import SessionData
from copdesk.data.store import ConflictError, Store
from copdesk.data.validation import MemberData
from copdesk.data.values import EntryData

TODAY = dt.date.today()


@pytest.fixture
def people(store: Store, community_id: int) -> list[int]:
    return store.run(members.add_members, community_id, [
        MemberData(full_name="Amina Yusuf", roles=("coordinator",), organisation="WaterAid",
                   consent=True),
        MemberData(full_name="José Álvarez", status="left"),
    ])


def version_of(store: Store, sid: int) -> int:
    return store.run(S.get_session, sid).version


def test_a_facilitator_only_edit_raises_the_session_version(
    store: Store, community_id: int, people: list[int]
) -> None:
    sid = store.run(S.create_session, community_id, SessionData(
        title="Clinic", starts_at=dt.datetime(2031, 1, 1, 10), time_zone="UTC"))
    before = version_of(store, sid)
    data = store.run(S.session_data, sid)
    store.run(S.update_session, sid, dataclasses.replace(data, facilitator_ids=(people[0],)))
    assert version_of(store, sid) > before


def test_editing_the_rest_of_a_series_someone_changed_writes_nothing(
    store: Store, other: Store, community_id: int
) -> None:
    rule = S.SeriesRule("weekly", dt.datetime(2031, 1, 6, 10), count=3)
    _series, ids = store.run(S.create_series, community_id, rule, SessionData(
        title="Weekly", starts_at=rule.first_start, time_zone="UTC"), [])
    seen = version_of(store, ids[0])
    data = store.run(S.session_data, ids[0])
    other.run(S.update_session, ids[0], dataclasses.replace(data, location="Room 9"))
    with pytest.raises(ConflictError) as err:
        store.run(S.update_rest_of_series, ids[0], dataclasses.replace(data, title="Moved"),
                  expected_version=seen)
    assert err.value.current_version is not None and err.value.current_version > seen
    assert [store.run(S.get_session, i).title for i in ids] == ["Weekly"] * 3
    store.run(S.update_rest_of_series, ids[0], dataclasses.replace(data, title="Moved"),
              expected_version=err.value.current_version)
    assert [store.run(S.get_session, i).title for i in ids] == ["Moved"] * 3


def test_an_answer_someone_else_changed_is_refused_with_theirs(
    store: Store, other: Store, community_id: int
) -> None:
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", TODAY)
    key = store.run(fitness.get_assessment, aid).answers[0].question_key
    other_key = store.run(fitness.get_assessment, aid).answers[1].question_key
    blank = AnswerData(None)
    other.run(fitness.set_answer, aid, key, AnswerData(2, "theirs"))
    with pytest.raises(ConflictError) as err:
        store.run(fitness.set_answer, aid, key, AnswerData(1, "mine"), expected=blank)
    assert err.value.current == AnswerData(2, "theirs")
    assert store.run(fitness.answer_data, aid, key) == AnswerData(2, "theirs")
    # Another question of the same assessment is no conflict; typing spaces neither.
    store.run(fitness.set_answer, aid, other_key, AnswerData(3), expected=blank)
    store.run(fitness.set_answer, aid, key, AnswerData(1, "mine"),
              expected=AnswerData(2, "theirs  "))
    assert store.run(fitness.answer_data, aid, key) == AnswerData(1, "mine")
    other.run(fitness.delete_assessment, aid)
    with pytest.raises(ConflictError) as gone:
        store.run(fitness.set_answer, aid, key, AnswerData(0), expected=blank)
    assert gone.value.deleted


def test_status_and_details_checked_against_the_assessment_version(
    store: Store, other: Store, community_id: int, people: list[int]
) -> None:
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", TODAY)
    key = store.run(fitness.get_assessment, aid).answers[0].question_key
    store.run(fitness.set_answer, aid, key, AnswerData(2))
    seen = store.run(fitness.get_assessment, aid).version
    other.run(fitness.update_assessment, aid, held_on=TODAY, participant_ids=[people[0]],
              notes="")  # only the participants: the version still rises
    with pytest.raises(ConflictError):
        store.run(fitness.set_status, aid, "final", expected_version=seen)
    assert store.run(fitness.get_assessment, aid).status == "draft"
    with pytest.raises(ConflictError):
        store.run(fitness.update_assessment, aid, held_on=TODAY, participant_ids=[],
                  notes="mine", expected_version=seen)
    assert store.run(fitness.get_assessment, aid).participant_ids == (people[0],)


def test_deleting_entries_checked_is_all_or_nothing(
    store: Store, other: Store, community_id: int, people: list[int]
) -> None:
    def add(title: str) -> int:
        return store.run(values.add_entry, community_id, EntryData(
            entry_date=TODAY, title=title, kind="innovation", cycle="immediate",
            for_organisation=True))

    first, second = add("First"), add("Second")
    rows = {r.id: r for r in store.run(values.list_entries, community_id)}
    data = store.run(values.entry_data, second)
    other.run(values.update_entry, second, dataclasses.replace(data, beneficiary_ids=(people[0],)))
    checked = [(first, rows[first].version), (second, rows[second].version)]
    with pytest.raises(ConflictError) as err:
        store.run(value_queries.delete_entries_checked, checked)
    assert err.value.row_id == second
    assert {r.id for r in store.run(values.list_entries, community_id)} == {first, second}
    other.run(values.delete_entry, first)
    snaps = store.run(value_queries.delete_entries_checked, [(first, None), (second, None)])
    assert [s.id for s in snaps] == [second]  # one already gone is skipped


def test_people_is_the_light_member_list(
    store: Store, community_id: int, people: list[int]
) -> None:
    found = store.run(value_queries.people, community_id)
    by_id = {p.id: p for p in found}
    assert [p.full_name for p in found] == ["Amina Yusuf", "José Álvarez"]
    amina, jose = by_id[people[0]], by_id[people[1]]
    assert (amina.coordinator, amina.consent, amina.organisation) == (True, True, "WaterAid")
    assert (jose.coordinator, jose.status, jose.erased) == (False, "left", False)
