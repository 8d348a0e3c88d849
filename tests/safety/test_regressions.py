"""Regression tests for faults the safety catalogue found (one section per module)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from copdesk.data import csvio, fitness, members, sessions, values
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError, validate_member


# --- validation: unpaired surrogates and control characters in notes -------------------
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (MemberData(full_name="Ana \ud800"), "full_name",
         "Full name contains broken characters (half of a character pair); type it again"),
        (MemberData(full_name="Ana", organisation="\udfff"), "organisation",
         "Organisation contains broken characters (half of a character pair); type it again"),
        (MemberData(full_name="Ana", expertise=("Pumps\udc00",)), "expertise",
         "Expertise: a tag contains broken characters (half of a character pair); type it "
         "again"),
        (MemberData(full_name="Ana", notes="a\x00b"), "notes",
         "Notes contain control characters"),
        (MemberData(full_name="Ana", notes="\ud83d"), "notes",
         "Notes contain broken characters (half of a character pair); type it again"),
    ],
    ids=["name-surrogate", "organisation-surrogate", "tag-surrogate", "notes-nul",
         "notes-surrogate"],
)
def test_unstorable_text_is_refused_not_crashed_on(
    store: Store, community_id: int, data: MemberData, field: str, message: str
) -> None:
    assert validate_member(data)[field] == message
    with pytest.raises(ValidationError) as err:
        store.run(members.add_member, community_id, data)  # was UnicodeEncodeError
    assert err.value.errors[field] == message
    with store.session() as s:
        assert members.list_members(s, community_id) == []


def test_notes_keep_line_breaks_and_tabs(store: Store, community_id: int) -> None:
    notes = "Line 1\r\nLine 2\n\tindented"
    mid = store.run(members.add_member, community_id, MemberData("Ana", notes=notes))
    with store.session() as s:
        assert members.get_member(s, mid).notes == notes


def test_exported_roster_imports_back_even_with_odd_notes(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    """A NUL in notes used to be stored, and then the export failed to import ("binary")."""
    with pytest.raises(ValidationError):
        store.run(members.add_member, community_id, MemberData("Ana", notes="x\x00y"))
    store.run(members.add_member, community_id, MemberData("Ana", notes="x\ty\nz"))
    out = tmp_path / "roster.csv"
    with store.session() as s:
        csvio.export_csv(s, community_id, out)
        preview = csvio.preview_import(s, None, out)
    assert [r.data.notes for r in preview.rows if r.data] == ["x\ty\nz"]
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 2


def test_a_very_long_unknown_time_zone_is_quoted_short() -> None:
    message = validate_member(MemberData("Ana", time_zone="Z" * 5000))["time_zone"]
    assert message == f"Unknown time zone {'Z' * 40!r} (use a name like Europe/Paris)"




# --- sessions: time zones that crashed, series near year 9999, control characters --------
def _session(**fields: object) -> sessions.SessionData:
    base: dict[str, object] = dict(title="Clinic", starts_at=dt.datetime(2026, 3, 2, 14, 0))
    base.update(fields)
    return sessions.SessionData(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"time_zone": "Z" * 300}, "time_zone", f"Unknown time zone {'Z' * 40!r}"),
        ({"time_zone": "Europe/Paris\x00"}, "time_zone", "Unknown time zone 'Europe/Paris\\x00'"),
        ({"title": "Clinic\x07"}, "title", "The title contains control characters"),
        ({"location": "Room\x1b[31m"}, "location",
         "The location or link contains control characters"),
    ],
    ids=["zone-300-chars", "zone-nul", "title-bell", "location-escape"],
)
def test_session_text_that_crashed_or_slipped_through_is_refused(
    store: Store, community_id: int, fields: dict[str, object], field: str, message: str
) -> None:
    data = _session(**fields)
    assert sessions.validate_session(data)[field] == message  # was OSError for the zone
    with pytest.raises(ValidationError):
        store.run(sessions.create_session, community_id, data)
    with store.session() as s:
        assert sessions.list_sessions(s, community_id) == []


@pytest.mark.parametrize("first", [dt.datetime(9999, 12, 1), dt.datetime(9999, 10, 1),
                                   dt.datetime(1, 1, 1)], ids=["weekly-9999", "monthly-9999",
                                                               "year-1"])
def test_a_series_starting_at_the_end_of_the_calendar_is_refused(first: dt.datetime) -> None:
    cadence = "monthly" if first.month == 10 else "weekly"
    with pytest.raises(ValidationError) as err:  # was OverflowError / ValueError
        sessions.occurrences(sessions.SeriesRule(cadence, first, count=10))
    assert err.value.errors == {"starts_at": "The start date is out of range"}


def test_blocks_and_actions_refuse_control_characters_and_odd_dates(
    store: Store, community_id: int
) -> None:
    sid = store.run(sessions.create_session, community_id, _session())
    bad_block = sessions.BlockData("Welcome\x00", 10)
    with pytest.raises(ValidationError) as err:
        store.run(sessions.set_agenda, sid, [bad_block])
    assert err.value.errors == {"blocks.0.title": "Block 1: the title contains control characters"}
    with pytest.raises(ValidationError) as err:
        store.run(sessions.add_action, sid, sessions.ActionData("Send\x08 notes"))
    assert err.value.errors == {"title": "The description contains control characters"}
    with pytest.raises(ValidationError) as err:
        store.run(sessions.add_action, sid, sessions.ActionData("Send", due_on=dt.date(1, 1, 1)))
    assert err.value.errors == {"due_on": "The due date is out of range"}
    with store.session() as s:
        assert sessions.list_blocks(s, sid) == []
        assert sessions.list_actions(s, community_id) == []


# --- values: control characters and surrogates in entries and stories ------------------
def test_value_text_with_control_characters_is_refused(store: Store, community_id: int) -> None:
    entry = values.EntryData(dt.date(2026, 1, 5), "Saved \x00 hours", "personal_development",
                             "immediate", for_organisation=True)
    with pytest.raises(ValidationError) as err:  # the NUL used to be stored
        store.run(values.add_entry, community_id, entry)
    assert err.value.errors == {"title": "The title contains control characters"}
    with pytest.raises(ValidationError) as err:
        store.run(values.create_story, community_id, values.StoryData("Pumps \ud800"))
    assert err.value.errors == {
        "title": "The title contains broken characters (half of a character pair); type it again"
    }
    with store.session() as s:
        assert values.list_entries(s, community_id) == []
        assert values.list_stories(s, community_id) == []


# --- fitness: notes unchecked, booleans taken for scores and thresholds -------------------
def test_fitness_refuses_bad_notes_boolean_scores_and_thresholds(
    store: Store, community_id: int
) -> None:
    with pytest.raises(ValidationError) as err:
        store.run(fitness.start_assessment, community_id, "fitness_test", dt.date(2026, 1, 5),
                  notes="n" * 20_001)
    assert err.value.errors == {"notes": "The notes are too long (at most 20,000 characters)"}
    aid = store.run(fitness.start_assessment, community_id, "fitness_test", dt.date(2026, 1, 5))
    before = fitness.AnswerData(None)
    for bad, field in ((fitness.AnswerData(True), "score"),
                       (fitness.AnswerData(2, evidence="a\x1fb"), "evidence")):
        with pytest.raises(ValidationError) as err:
            store.run(fitness.set_answer, aid, "results_common_concern", bad)
        assert set(err.value.errors) == {field}
    with pytest.raises(ValidationError) as err:
        store.run(fitness.set_thresholds, community_id, 50.5, 75)  # type: ignore[arg-type]
    assert err.value.errors == {"thresholds": "Thresholds are whole percentages"}
    with store.session() as s:
        assert fitness.answer_data(s, aid, "results_common_concern") == before
        assert fitness.thresholds(s, community_id) == fitness.Thresholds(50, 75)


def test_a_session_id_beyond_sqlite_integers_is_simply_not_found(
    store: Store, community_id: int
) -> None:
    with store.session() as s, pytest.raises(LookupError, match="no session with id 1000"):
        sessions.get_session(s, 10**20)  # was OverflowError ("unexpected error" in the CLI)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "Bell\x07 CoP"}, "name"),
        ({"name": "Half \ud800 CoP"}, "name"),
        ({"name": "Fine", "domain": "d" * 5_001}, "domain"),
        ({"name": "Fine", "domain": "NUL\x00"}, "domain"),
        ({"name": "Fine", "host_organisation": "h" * 201}, "host_organisation"),
    ],
)
def test_community_fields_refuse_control_characters_and_excess(
    store: Store, kwargs: dict[str, str], field: str
) -> None:
    from copdesk.data import communities

    name = kwargs.pop("name")
    with pytest.raises(ValidationError) as err:
        store.run(communities.create_community, name, **kwargs)
    assert field in err.value.errors
    with store.session() as s:
        assert communities.list_communities(s) == []
