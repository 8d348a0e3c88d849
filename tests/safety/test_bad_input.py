"""A catalogue of bad input: every case shows the user a clear message and changes nothing.

Cases come in five groups, each parametrized with an id:

* forms: what each form of the four tabs submits, through the data layer the form uses
  (members, communities, sessions, blocks, series, actions, fitness, values, stories);
* accepted: text that looks hostile but is valid (right-to-left, emoji, markup, SQL) is
  stored exactly and changes nothing else;
* csv: files given to the roster import;
* store files: files given as a store;
* cli: ``python -m copdesk ...`` run as subprocesses (all at once, to keep time down);
* widgets: the member form, the value entry form and the session form, driven for real.

"Nothing changed" is checked on a snapshot of every row of every table (or the file's
bytes) taken before and compared after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from copdesk.data import communities, csvio, fitness, members, sessions, values
from copdesk.data.store import Store, StoreError
from copdesk.data.validation import MemberData, ValidationError
from tests.safety.conftest import snapshot

TODAY = dt.date.today()
SQL = "'); DROP TABLE member;--"
RTL = "\u0645\u0631\u064a\u0645 \u05e9\u05dc\u05d5\u05dd"  # Arabic and Hebrew
EMOJI = "Ana \U0001f30a\U0001f469\u200d\U0001f52c"
MARKUP = "<b>Bold</b> &amp; <script>alert(1)</script>"


@dataclasses.dataclass
class World:
    store: Store
    path: Path
    cid: int
    ada: int
    sid: int
    aid: int
    eid: int


@pytest.fixture(scope="module")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """One store with a member of each kind of record, built once and copied per case."""
    path = tmp_path_factory.mktemp("world") / "world.sqlite"
    with Store.open(path) as store:
        cid = store.run(communities.create_community, "Water CoP")
        ada = store.run(members.add_member, cid, MemberData(
            "Ada Lovelace", email="ada@example.org", joined_on=dt.date(2020, 1, 1)))
        store.run(members.add_member, cid, MemberData("Grace Hopper", email="grace@example.org"))
        sid = store.run(sessions.create_session, cid,
                        sessions.SessionData("Clinic", dt.datetime(2026, 3, 2, 14)),
                        [sessions.BlockData("Welcome", 10)])
        aid = store.run(fitness.start_assessment, cid, "fitness_test", dt.date(2026, 1, 5))
        eid = store.run(values.add_entry, cid, values.EntryData(
            dt.date(2026, 1, 5), "Saved time", "personal_development", "immediate",
            beneficiary_ids=(ada,)))
    return path, dict(cid=cid, ada=ada, sid=sid, aid=aid, eid=eid)


@pytest.fixture
def world(world_template: tuple[Path, dict[str, int]], tmp_path: Path) -> Iterator[World]:
    template, ids = world_template
    path = tmp_path / "store.sqlite"
    shutil.copyfile(template, path)
    store = Store.open(path)
    yield World(store, path, **ids)
    store.close()


Action = Callable[[World], Any]


def _entry(**fields: Any) -> values.EntryData:
    base: dict[str, Any] = dict(entry_date=dt.date(2026, 1, 6), title="Learnt", kind="reputation",
                                cycle="potential", for_organisation=True)
    base.update(fields)
    return values.EntryData(**base)


def _sdata(**fields: Any) -> sessions.SessionData:
    base: dict[str, Any] = dict(title="Clinic 2", starts_at=dt.datetime(2026, 4, 6, 14))
    base.update(fields)
    return sessions.SessionData(**base)


def add_member(**fields: Any) -> Action:
    fields.setdefault("full_name", "Katherine Johnson")
    return lambda w: w.store.run(members.add_member, w.cid, MemberData(**fields))


def edit_member(**fields: Any) -> Action:
    def run(w: World) -> None:
        with w.store.session() as s:
            data = members.get_member(s, w.ada).to_data()
        w.store.run(members.update_member, w.ada, dataclasses.replace(data, **fields))
    return run


def new_session(blocks: tuple[sessions.BlockData, ...] = (), **fields: Any) -> Action:
    return lambda w: w.store.run(sessions.create_session, w.cid, _sdata(**fields), list(blocks))


def series(**rule: Any) -> Action:
    first = rule.pop("first_start", dt.datetime(2026, 4, 6, 14))
    return lambda w: w.store.run(sessions.create_series, w.cid,
                                 sessions.SeriesRule(first_start=first, **rule), _sdata())


def action(**fields: Any) -> Action:
    fields.setdefault("title", "Share slides")
    return lambda w: w.store.run(sessions.add_action, w.sid, sessions.ActionData(**fields))


def entry(**fields: Any) -> Action:
    return lambda w: w.store.run(values.add_entry, w.cid, _entry(**fields))


def answer(**fields: Any) -> Action:
    fields.setdefault("score", 2)
    return lambda w: w.store.run(fitness.set_answer, w.aid, "results_common_concern",
                                 fitness.AnswerData(**fields))


def own_member(w: World) -> tuple[int, ...]:
    return (w.ada,)


# (id, action, field, message)
FORM_CASES: list[tuple[str, Action, str, str]] = [
    # members tab: the member form
    ("member-empty-name", add_member(full_name="   "), "full_name", "Full name is required"),
    ("member-name-too-long", add_member(full_name="A" * 201), "full_name",
     "Full name is too long (201 characters; at most 200)"),
    ("member-name-control", add_member(full_name="Ana\x07"), "full_name",
     "Full name contains control characters"),
    ("member-email-invalid", add_member(email="ana@@example"), "email",
     "Not a valid email address: The part after the @-sign contains invalid characters: '@'."),
    ("member-email-duplicate", add_member(email="ADA@example.org"), "email",
     "Ada Lovelace already uses this email in this community"),
    ("member-edit-email-duplicate", edit_member(email="grace@example.org"), "email",
     "Grace Hopper already uses this email in this community"),
    ("member-joined-future", add_member(joined_on=TODAY + dt.timedelta(days=1)), "joined_on",
     "Joined date is in the future"),
    ("member-joined-1066", add_member(joined_on=dt.date(1066, 10, 14)), "joined_on",
     "Joined date is before 1900"),
    ("member-time-zone-unknown", add_member(time_zone="Mars/Olympus"), "time_zone",
     "Unknown time zone 'Mars/Olympus' (use a name like Europe/Paris)"),
    ("member-level-unknown", add_member(level="guru"), "level",
     "Unknown participation level 'guru'"),
    ("member-role-unknown", add_member(roles=("admin",)), "roles", "Unknown role 'admin'"),
    ("member-too-many-tags", add_member(expertise=tuple(f"t{i}" for i in range(51))),
     "expertise", "Expertise: at most 50 tags"),
    ("member-tag-too-long", add_member(interests=("x" * 101,)), "interests",
     "Interests: a tag is longer than 100 characters"),
    ("member-notes-too-long", add_member(notes="n" * 20_001), "notes",
     "Notes are too long (20,001 characters; at most 20,000)"),
    ("member-organisation-escape", add_member(organisation="\x1b[2J"), "organisation",
     "Organisation contains control characters"),
    ("member-status-unknown", add_member(status="banned"), "status", "Unknown status 'banned'"),
    ("member-edit-empty-name", edit_member(full_name=""), "full_name", "Full name is required"),
    # the community form
    ("community-empty", lambda w: w.store.run(communities.create_community, " "), "name",
     "A community needs a name"),
    ("community-duplicate", lambda w: w.store.run(communities.create_community, " Water  CoP"),
     "name", "A community named 'Water CoP' already exists in this store"),
    ("community-too-long", lambda w: w.store.run(communities.create_community, "C" * 201),
     "name", "The name is too long (at most 200 characters)"),
    # sessions tab: session form, agenda, series, actions
    ("session-empty-title", new_session(title=""), "title", "A session needs a title"),
    ("session-title-too-long", new_session(title="T" * 201), "title",
     "The title is too long (at most 200 characters)"),
    ("session-zero-length", new_session(planned_minutes=0), "planned_minutes",
     "The session must end after it starts (length above 0)"),
    ("session-ends-before-start", new_session(planned_minutes=-30), "planned_minutes",
     "The session must end after it starts (length above 0)"),
    ("session-huge-length", new_session(planned_minutes=10**12), "planned_minutes",
     "A session can last at most 24 hours"),
    ("session-year-9999", new_session(starts_at=dt.datetime(9999, 12, 31, 23, 0)), "starts_at",
     "The start date is out of range"),
    ("session-zone-unknown", new_session(time_zone="Europe/Atlantis"), "time_zone",
     "Unknown time zone 'Europe/Atlantis'"),
    ("session-zone-path", new_session(time_zone="../../etc/passwd"), "time_zone",
     "Unknown time zone '../../etc/passwd'"),
    ("session-location-too-long", new_session(location="l" * 501), "location",
     "The location or link is too long (at most 500 characters)"),
    ("session-facilitator-missing", new_session(facilitator_ids=(999_999,)), "facilitators",
     "a chosen member no longer exists in this community"),
    ("block-empty-title", new_session(blocks=(sessions.BlockData(" ", 10),)), "blocks.0.title",
     "Block 1: a block needs a title"),
    ("block-zero-minutes", new_session(blocks=(sessions.BlockData("A", 0),)),
     "blocks.0.minutes", "Block 1: the length must be at least 1 minute"),
    ("block-huge-minutes", new_session(blocks=(sessions.BlockData("A", 2**62),)),
     "blocks.0.minutes", "Block 1: a block can last at most 12 hours"),
    ("block-unknown-function", new_session(blocks=(sessions.BlockData("A", 5, "magic"),)),
     "blocks.0.function", "Block 1: unknown CoP function 'magic'"),
    ("agenda-too-many-blocks", new_session(blocks=tuple(
        sessions.BlockData(f"B{i}", 1) for i in range(101))), "blocks",
     "An agenda can hold at most 100 blocks"),
    ("series-until-before-start", series(cadence="weekly", until=dt.date(2026, 1, 1)), "until",
     "The series ends before its first session"),
    ("series-no-end", series(cadence="weekly"), "until",
     "A series needs an end: a last date or a number of sessions"),
    ("series-count-huge", series(cadence="weekly", count=10**9), "count",
     "A series can hold 1 to 120 sessions (asked for 1,000,000,000)"),
    ("series-too-many-by-date", series(cadence="weekly", until=dt.date(2200, 1, 1)), "until",
     "That end date gives more than 120 sessions; choose an earlier end"),
    ("series-interval-zero", series(cadence="custom", count=3, interval_days=0),
     "interval_days", "The interval must be 1 to 366 days"),
    ("series-cadence-unknown", series(cadence="hourly", count=3), "cadence",
     "Unknown cadence 'hourly'"),
    ("action-empty", action(title="  "), "title", "An action needs a description"),
    ("action-too-long", action(title="a" * 501), "title",
     "The description is too long (at most 500 characters)"),
    ("action-status-unknown", action(status="maybe"), "status", "Unknown action status 'maybe'"),
    # fitness tab
    ("fitness-future-date", lambda w: w.store.run(
        fitness.start_assessment, w.cid, "fitness_test", TODAY + dt.timedelta(days=3)),
     "held_on", "An assessment cannot be dated in the future"),
    ("fitness-ancient-date", lambda w: w.store.run(
        fitness.start_assessment, w.cid, "fitness_test", dt.date(1900, 1, 1)),
     "held_on", "The date is too far in the past"),
    ("fitness-unknown-checklist", lambda w: w.store.run(
        fitness.start_assessment, w.cid, "vibes", dt.date(2026, 1, 5)),
     "checklist", "Unknown checklist 'vibes'"),
    ("fitness-score-too-high", answer(score=4), "score", "A score is 0 to 3, or not assessed"),
    ("fitness-score-negative", answer(score=-1), "score", "A score is 0 to 3, or not assessed"),
    ("fitness-score-huge", answer(score=10**30), "score", "A score is 0 to 3, or not assessed"),
    ("fitness-score-text", answer(score="3"), "score", "A score is 0 to 3, or not assessed"),
    ("fitness-evidence-too-long", answer(evidence="e" * 20_001), "evidence",
     "The evidence is too long (at most 20,000 characters)"),
    ("fitness-thresholds-reversed", lambda w: w.store.run(fitness.set_thresholds, w.cid, 80, 60),
     "thresholds", "Amber must start above 0% and below green, green at most 100%"),
    ("fitness-thresholds-huge", lambda w: w.store.run(
        fitness.set_thresholds, w.cid, 50, 10**18), "thresholds",
     "Amber must start above 0% and below green, green at most 100%"),
    # value tab: entries and stories
    ("value-empty-title", entry(title=""), "title", "An entry needs a title"),
    ("value-no-kind", entry(kind=""), "kind", "Choose the kind of value"),
    ("value-unknown-cycle", entry(cycle="eternal"), "cycle",
     "Unknown value-creation cycle 'eternal'"),
    ("value-no-beneficiary", entry(for_organisation=False), "beneficiaries",
     "Say who benefited: members, the host organisation, or both"),
    ("value-future-date", entry(entry_date=TODAY + dt.timedelta(days=5)), "entry_date",
     "The date is in the future"),
    ("value-measure-huge", entry(measure_value=1e13, measure_unit="hours"), "measure_value",
     "The measure is too large"),
    ("value-measure-nan", entry(measure_value=float("nan"), measure_unit="h"), "measure_value",
     "The measure must be a number"),
    ("value-measure-no-unit", entry(measure_value=3.0), "measure_unit",
     "Give the measure a unit (for example: hours saved)"),
    ("value-description-too-long", entry(description="d" * 50_001), "description",
     "The description is too long (50,001 characters; at most 50,000)"),
    ("value-foreign-session", entry(session_id=999_999), "session_id",
     "That session is not one of this community's"),
    ("story-empty-title", lambda w: w.store.run(values.create_story, w.cid,
                                                values.StoryData(" ")), "title",
     "A story needs a title"),
    ("story-follow-up-before-entry", lambda w: w.store.run(
        values.create_story, w.cid, values.StoryData("S", follow_up_on=dt.date(2025, 1, 1)),
        [w.eid]), "follow_up_on",
     "The follow-up date is before the story's first entry (05 Jan 2026)"),
]


@pytest.mark.parametrize(("run", "field", "message"),
                         [c[1:] for c in FORM_CASES], ids=[c[0] for c in FORM_CASES])
def test_form_input_is_refused_with_its_message_and_nothing_changes(
    world: World, run: Action, field: str, message: str
) -> None:
    before = snapshot(world.path)
    with pytest.raises(ValidationError) as err:
        run(world)
    assert err.value.errors.get(field) == message, err.value.errors
    assert snapshot(world.path) == before


@pytest.mark.parametrize("measure", ["abc", "1e999", "nan", "12 hours", "0x10", "--5"],
                         ids=lambda m: f"measure-{m}")
def test_typed_measure_that_is_not_a_number_is_refused(measure: str) -> None:
    with pytest.raises(ValueError):
        values.parse_measure(measure)
# --- accepted: looks hostile, is valid; stored exactly, nothing else changes ----------------
ACCEPTED = [
    ("accept-rtl-name", RTL),
    ("accept-emoji-name", EMOJI),
    ("accept-markup-name", MARKUP),
    ("accept-sql-name", SQL),
    ("accept-mixed-bidi", "\u202eevil\u202c Ana \u0627\u0644\u0639\u0631\u0628\u064a\u0629"),
]


@pytest.mark.parametrize("text", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_valid_text_that_looks_hostile_is_stored_exactly(world: World, text: str) -> None:
    before = snapshot(world.path)
    data = MemberData(full_name=text, organisation=text, notes=text, expertise=(text,))
    mid = world.store.run(members.add_member, world.cid, data)
    entry_id = world.store.run(values.add_entry, world.cid, _entry(title=text, description=text))
    with world.store.session() as s:
        row = members.get_member(s, mid)
        got = values.get_entry(s, entry_id)
    assert (row.full_name, row.organisation, row.notes, row.expertise) == (
        text, text, text, (text,))
    assert (got.title, got.description) == (text, text)
    after = snapshot(world.path)
    assert set(after) == set(before)  # no table dropped or added
    for table in before:
        old, new = before[table], after[table]
        if table == "sqlite_sequence":
            continue
        assert set(old) <= set(new), f"{table}: rows changed"
        added = len(new) - len(old)
        assert added <= {"member": 1, "member_role": 1, "member_tag": 1, "level_change": 1,
                         "value_entry": 1, "sqlite_sequence": 0}.get(table, 0), table


# --- csv files -----------------------------------------------------------------------------
CSV_CASES: list[tuple[str, bytes, str]] = [
    ("csv-empty", b"", "is empty"),
    ("csv-only-spaces", b"  \r\n \r\n", "is empty"),
    ("csv-no-name-column", b"Email,Region\r\nana@example.org,Peru\r\n",
     "has no column for the member's name (headers found: 'Email', 'Region')"),
    ("csv-utf16", "Full name\r\nAna\r\n".encode("utf-16"), "is UTF-16 text"),
    ("csv-binary", b"PK\x03\x04\x00\x00binary", "is not a CSV file (it looks like a binary file)"),
]


@pytest.mark.parametrize(("content", "message"), [c[1:] for c in CSV_CASES],
                         ids=[c[0] for c in CSV_CASES])
def test_unreadable_csv_is_refused_whole(
    world: World, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    before = snapshot(world.path)
    with world.store.session() as s, pytest.raises(csvio.CsvError) as err:
        csvio.preview_import(s, world.cid, path)
    assert message in str(err.value)
    assert snapshot(world.path) == before
    assert path.read_bytes() == content


CSV_ROW_CASES: list[tuple[str, str, str]] = [
    ("csv-row-bad-email", "Ana,ana@@x,", "Email: Not a valid email address: The part after the "
     "@-sign contains invalid characters: '@'."),
    ("csv-row-impossible-date", "Ana,,2023-02-30",
     "Joined: '2023-02-30' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
    ("csv-row-future-date", "Ana,,2999-01-01", "Joined: Joined date is in the future"),
    ("csv-row-too-many-values", "Ana,,,extra", "has 4 values but the header has 3 columns"),
    ("csv-row-too-few-values", "Ana", "has 1 values but the header has 3 columns"),
    ("csv-row-control-name", "An\x01a,,", "Full name: Full name contains control characters"),
    ("csv-row-name-too-long", "N" * 300 + ",,",
     "Full name: Full name is too long (300 characters; at most 200)"),
    ("csv-row-empty-name", " ,ana@example.org,", "Full name: Full name is required"),
]


@pytest.mark.parametrize(("row", "message"), [c[1:] for c in CSV_ROW_CASES],
                         ids=[c[0] for c in CSV_ROW_CASES])
def test_invalid_csv_row_is_reported_and_not_imported(
    world: World, tmp_path: Path, row: str, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"Full name,Email,Joined\r\n{row}\r\n", encoding="utf-8")
    before = snapshot(world.path)
    with world.store.session() as s:
        preview = csvio.preview_import(s, world.cid, path)
    (bad,) = preview.rows
    assert not bad.valid and message in bad.errors
    assert world.store.run(csvio.commit_import, world.cid, preview) == []
    assert snapshot(world.path) == before


@pytest.mark.parametrize(("rows", "line"), [
    ("Ada Lovelace,,\r\n", None),
    ("Ana,ana@example.org,\r\nAnna,ANA@example.org,\r\n", 2),
], ids=["csv-duplicate-of-member", "csv-duplicate-in-file"])
def test_duplicate_csv_rows_are_not_imported(
    world: World, tmp_path: Path, rows: str, line: int | None
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"Full name,Email,Joined\r\n{rows}", encoding="utf-8")
    with world.store.session() as s:
        preview = csvio.preview_import(s, world.cid, path)
    dup = preview.duplicate_rows[-1]
    assert dup.duplicate_in_file == line
    if line is None:
        assert [d.full_name for d in dup.duplicates] == ["Ada Lovelace"]
    before = snapshot(world.path)
    added = world.store.run(csvio.commit_import, world.cid, preview)
    assert len(added) == len(preview.valid_rows)
    if not added:
        assert snapshot(world.path) == before


# --- store files ---------------------------------------------------------------------------
def _truncated(tmp: Path) -> bytes:
    path = tmp / "full.sqlite"
    with Store.open(path) as store:
        store.run(communities.create_community, "C")
    return path.read_bytes()[:3000]


def _newer(tmp: Path) -> bytes:
    path = tmp / "newer.sqlite"
    with Store.open(path):
        pass
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    return path.read_bytes()


STORE_CASES: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("store-text-file", lambda _t: b"Full name\nAna\n", "is not a copdesk store (it is not an "
     "SQLite database)"),
    ("store-pdf", lambda _t: b"%PDF-1.7\n" + b"\x00" * 500, "is not a copdesk store"),
    ("store-truncated", _truncated, "is damaged or not a copdesk store"),
    ("store-newer-schema", _newer, "with store schema 9999, which is newer than this copdesk"),
    ("store-header-only", lambda _t: b"SQLite format 3\x00" + b"\xff" * 84,
     "is damaged or not a copdesk store"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in STORE_CASES],
                         ids=[c[0] for c in STORE_CASES])
def test_a_file_that_is_not_a_good_store_is_refused_and_left_alone(
    tmp_path: Path, make: Callable[[Path], bytes], message: str
) -> None:
    path = tmp_path / "bad.sqlite"
    content = make(tmp_path)
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert path.read_bytes() == content
    # A WAL store read to check it gets an empty -wal beside it; nothing is written.
    wal = path.with_name("bad.sqlite-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_folder_given_as_the_store_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "store.sqlite"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a folder, not a store file"):
        Store.open(folder)
    assert list(folder.iterdir()) == []


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.touch()
    with Store.open(path) as store, store.session() as s:
        assert communities.list_communities(s) == []




# --- the command line: every case runs at once in its own copy of the store ---------------
# (id, arguments ({db}, {tmp} are filled in), exit status, text of the one stderr line)
CLI_CASES: list[tuple[str, list[str], int, str]] = [
    ("cli-unknown-command", ["frobnicate", "--db", "{db}"], 2, "invalid choice: 'frobnicate'"),
    ("cli-session-id-text", ["report", "session", "--session", "abc", "--kind", "runsheet",
                             "--out", "{tmp}/x.pdf", "--db", "{db}"], 2,
     "argument --session: invalid int value: 'abc'"),
    ("cli-session-id-huge", ["report", "session", "--session", "9" * 25, "--kind", "summary",
                             "--out", "{tmp}/x.pdf", "--db", "{db}"], 1,
     f"copdesk: error: no session with id {'9' * 25}"),
    ("cli-report-kind-unknown", ["report", "session", "--session", "1", "--kind", "poster",
                                 "--out", "{tmp}/x.pdf", "--db", "{db}"], 2,
     "argument --kind: invalid choice: 'poster'"),
    ("cli-report-out-missing-folder", ["report", "roster", "--out", "{tmp}/no/such/x.pdf",
                                       "--db", "{db}"], 1,
     "copdesk: error: cannot write {tmp}/no/such/x.pdf: the folder {tmp}/no/such does not exist"),
    ("cli-report-out-is-folder", ["report", "roster", "--out", "{tmp}", "--db", "{db}"], 1,
     "copdesk: error: cannot write {tmp}: it is a folder"),
    ("cli-community-unknown", ["members", "export", "{tmp}/x.csv", "--community", SQL,
                               "--db", "{db}"], 1, "copdesk: error: "),
    ("cli-import-missing-file", ["members", "import", "{tmp}/none.csv", "--db", "{db}"], 1,
     "copdesk: error: {tmp}/none.csv: no such file"),
    ("cli-import-only-header", ["members", "import", "{tmp}/header.csv", "--db", "{db}"], 1,
     "copdesk: error: {tmp}/header.csv has no member rows, only a header"),
    ("cli-db-not-a-store", ["communities", "--db", "{tmp}/text.sqlite"], 1,
     "copdesk: error: {tmp}/text.sqlite is not a copdesk store (it is not an SQLite database)"),
    ("cli-db-folder", ["communities", "--db", "{tmp}"], 1,
     "copdesk: error: {tmp} is a folder, not a store file"),
    ("cli-db-missing", ["communities", "--db", "{tmp}/nothing.sqlite"], 1,
     "copdesk: error: no store at {tmp}/nothing.sqlite"),
    ("cli-calendar-no-out", ["calendar", "--db", "{db}"], 2,
     "the following arguments are required: --out"),
]


@pytest.fixture(scope="module")
def cli_results(
    world_template: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str, str, bytes, bytes, str]]:
    """Run every CLI case at once, each on its own copy of the store."""
    template, _ = world_template
    running = {}
    for case_id, args, _, _ in CLI_CASES:
        tmp = tmp_path_factory.mktemp(case_id)
        db = tmp / "store.sqlite"
        shutil.copyfile(template, db)
        (tmp / "text.sqlite").write_text("not a database\n", encoding="utf-8")
        (tmp / "header.csv").write_text("Full name,Email\r\n", encoding="utf-8")
        before = db.read_bytes()
        argv = [a.format(db=db, tmp=tmp) for a in args]
        proc = subprocess.Popen(
            [sys.executable, "-m", "copdesk", *argv], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ, "COPDESK_DEBUG": "0"},
        )
        running[case_id] = (proc, db, before, str(tmp))
    results = {}
    for case_id, (proc, db, before, where) in running.items():
        out, err = proc.communicate(timeout=120)
        results[case_id] = (proc.returncode, out, err, before, db.read_bytes(), where)
    return results


@pytest.mark.parametrize(("case_id", "status", "line"), [(c[0], c[2], c[3]) for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_bad_arguments_with_one_line_and_changes_nothing(
    cli_results: dict[str, tuple[int, str, str, bytes, bytes, str]],
    case_id: str, status: int, line: str,
) -> None:
    code, _out, err, before, after, tmp = cli_results[case_id]
    assert code == status, err
    assert "Traceback" not in err and "unexpected error" not in err
    lines = err.strip().splitlines()
    if status == 1:
        assert len(lines) == 1, lines
        assert lines[0].startswith(line.format(tmp=tmp)), lines[0]
    else:
        assert lines[-1].startswith("copdesk") and line in lines[-1]
    assert after == before  # the store file is byte for byte as it was
    assert not any(p.suffix == ".pdf" or p.name.endswith(".part") for p in Path(tmp).rglob("*"))
