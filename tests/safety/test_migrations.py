"""A store made by every earlier schema version upgrades with all its data intact.

Each store is built the way an older copdesk left it (Alembic up to that revision), then
filled with plain ``sqlite3`` with representative rows for every table that exists at that
revision: two communities, members with roles, tags and level history, and (where the
schema has them) series, sessions, agendas, attendance, actions, templates, assessments
with answers and evidence, and value entries. ``Store.open`` upgrades it; every row of
every old table must read back unchanged (new columns may be added), the app must read
it through its own queries, and the copy kept before the migration must restore with
:func:`copdesk.data.backup.restore_file` and open.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from copdesk import __version__
from copdesk.data import backup, communities, members, sessions
from copdesk.data.store import MIGRATIONS_DIR, Store, head_revision, known_revisions

EARLIER = sorted(known_revisions())[:-1]
T0 = "2024-03-05 09:30:00.000000"
T1 = "2025-11-30 17:45:12.123456"
SQL_LIKE = "'); DROP TABLE member;--"

#: Rows per table, in an order that satisfies foreign keys. Columns a revision lacks are
#: left out when that revision is filled.
ROWS: dict[str, list[dict[str, Any]]] = {
    "community": [
        dict(id=1, name="Water CoP", domain="Safe water, \u00e9t\u00e9 \u2014 \u2705",
             host_organisation="Rivers Trust", stage="maturing", is_demo=0, created_at=T0,
             fitness_amber_from=40, fitness_green_from=80,
             logo=b"\x89PNG\r\n\x1a\n" + bytes(range(256)), logo_type="png", version=4),
        dict(id=2, name="\u05e7\u05d4\u05d9\u05dc\u05d4 \u0645\u062c\u062a\u0645\u0639",
             domain=SQL_LIKE, host_organisation="", stage="potential", is_demo=1,
             created_at=T1, fitness_amber_from=50, fitness_green_from=75, logo=None,
             logo_type="", version=1),
    ],
    "store_info": [dict(key="app_version", value="0.0.1"),
                   dict(key="note", value="kept \u2713")],
    "member": [
        dict(id=1, community_id=1, full_name="Ada Lovelace", name_key="ada lovelace",
             email="ada@example.org", email_key="ada@example.org", organisation="Engines",
             job_title="Analyst", region="UK", time_zone="Europe/London",
             joined_on="2020-02-29", level="core", consent=1, notes="Line 1\nLine 2\ttab",
             status="active", erased=0, created_at=T0, updated_at=T1, version=3),
        dict(id=2, community_id=1, full_name="\u0417\u043e\u044f <b>&amp;</b>",
             name_key="\u0437\u043e\u044f <b>&amp;</b>", email=None, email_key=None,
             organisation=SQL_LIKE, job_title="", region="", time_zone="", joined_on=None,
             level="peripheral", consent=0, notes="", status="left", erased=0,
             created_at=T0, updated_at=T0, version=1),
        dict(id=3, community_id=2, full_name="\U0001f30a Mar\u00eda", name_key="\U0001f30a mar\u00eda",
             email="maria@ejemplo.es", email_key="maria@ejemplo.es", organisation="",
             job_title="", region="Per\u00fa", time_zone="America/Lima",
             joined_on="1999-12-31", level="active", consent=1, notes="x" * 20_000,
             status="active", erased=0, created_at=T1, updated_at=T1, version=1),
        dict(id=4, community_id=1, full_name="Erased member", name_key="erased member",
             email=None, email_key=None, organisation="", job_title="", region="",
             time_zone="", joined_on=None, level="peripheral", consent=0, notes="",
             status="left", erased=1, created_at=T0, updated_at=T1, version=2),
    ],
    "level_change": [
        dict(id=1, member_id=1, level="peripheral", changed_on="2020-02-29"),
        dict(id=2, member_id=1, level="core", changed_on="2023-01-01"),
        dict(id=3, member_id=3, level="active", changed_on="1999-12-31"),
    ],
    "member_role": [
        dict(member_id=1, role="coordinator"), dict(member_id=1, role="core_member"),
        dict(member_id=2, role="member"), dict(member_id=3, role="outside_guest"),
    ],
    "member_tag": [
        dict(member_id=1, kind="expertise", tag_key="pumps", tag="Pumps", position=0),
        dict(member_id=1, kind="interest", tag_key="\u00e9t\u00e9", tag="\u00c9t\u00e9",
             position=0),
        dict(member_id=3, kind="expertise", tag_key="\U0001f30a", tag="\U0001f30a",
             position=0),
    ],
    "agenda_template": [
        dict(id=1, community_id=1, name="Peer assist", description="Help, then ask",
             planned_minutes=90),
    ],
    "template_block": [
        dict(template_id=1, position=0, title="Welcome", minutes=10,
             function="convenes_people", method="Round", materials=""),
        dict(template_id=1, position=1, title="Case", minutes=80, function="", method="",
             materials="Slides"),
    ],
    "series": [
        dict(id=1, community_id=1, title="Monthly clinic", cadence="monthly",
             interval_days=30, first_start="2025-01-15 14:00:00.000000", until=None,
             count=6),
    ],
    "cop_session": [
        dict(id=1, community_id=1, series_id=1, title="Clinic \u2116 1",
             purpose="Pumps", starts_at="2025-01-15 14:00:00.000000",
             time_zone="Europe/Paris", planned_minutes=90, mode="online",
             location="https://meet.example.org/x?a=1&b=2", space="public", status="held",
             outcome_notes="Went well", decisions=SQL_LIKE, resources_created="",
             created_at=T0, updated_at=T1, version=2),
        dict(id=2, community_id=1, series_id=None, title="Core group", purpose="",
             starts_at="2026-06-01 08:00:00.000000", time_zone="UTC", planned_minutes=1440,
             mode="in_person", location="Room 1", space="private", status="planned",
             outcome_notes="", decisions="", resources_created="", created_at=T1,
             updated_at=T1, version=1),
    ],
    "agenda_block": [
        dict(id=1, session_id=1, position=0, title="Check-in", minutes=15,
             function="convenes_people", method="Round", owner_id=1, materials="",
             notes=""),
        dict(id=2, session_id=1, position=1, title="Case clinic", minutes=75,
             function="", method="", owner_id=None, materials="", notes="Long\nnotes"),
    ],
    "attendance": [
        dict(session_id=1, member_id=1, status="attended", role="facilitator"),
        dict(session_id=1, member_id=2, status="apologised", role="participant"),
    ],
    "follow_up_action": [
        dict(id=1, session_id=1, title="Share the slides", owner_id=1, due_on="2025-02-01",
             status="open", notes="", version=2),
        dict(id=2, session_id=1, title="Write up", owner_id=None, due_on=None,
             status="done", notes="Done \u2713", version=1),
    ],
    "session_facilitator": [dict(session_id=1, member_id=1)],
    "assessment": [
        dict(id=1, community_id=1, held_on="2025-03-01", checklist="fitness_test",
             status="final", notes="First look", created_at=T0, updated_at=T1, version=2),
    ],
    "answer": [
        dict(id=1, assessment_id=1, position=0, dimension_key="results",
             dimension_label="Results", question_key="results_common_concern",
             question_text="Is there a common concern?", score=3, evidence="Yes",
             action="", action_done=0),
        dict(id=2, assessment_id=1, position=1, dimension_key="results",
             dimension_label="Results", question_key="q2", question_text="Retired question",
             score=None, evidence="", action="Ask again", action_done=1),
    ],
    "assessment_participant": [dict(assessment_id=1, member_id=1)],
    "evidence_link": [
        dict(id=1, answer_id=1, kind="session", target_id=1, label="Clinic \u2116 1"),
    ],
    "story": [
        dict(id=1, community_id=1, title="Pumps that last", expected_ending="Fewer failures",
             follow_up_on="2025-06-01", created_at=T0, version=3),
    ],
    "value_entry": [
        dict(id=1, community_id=1, entry_date="2025-01-16", title="Failure log shared",
             description=SQL_LIKE, kind="innovation", cycle="immediate",
             function="problem_solves", for_organisation=1, session_id=1, evidence="Minutes",
             measure_value=12.5, measure_unit="hours saved", logged_by_id=1, story_id=1,
             created_at=T0, updated_at=T1, version=2),
        dict(id=2, community_id=2, entry_date="2024-02-29", title="\u0642\u064a\u0645\u0629",
             description="", kind="reputation", cycle="reframing", function="",
             for_organisation=0, session_id=None, evidence="", measure_value=None,
             measure_unit="", logged_by_id=None, story_id=None, created_at=T0,
             updated_at=T0, version=1),
    ],
    "value_beneficiary": [dict(entry_id=1, member_id=1), dict(entry_id=1, member_id=2)],
}


def make_store_at(path: Path, revision: str) -> None:
    """A store file exactly as an older copdesk (schema ``revision``) left it."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def fill(path: Path) -> dict[str, list[str]]:
    """Insert the rows of every table the file has; returns its tables and columns."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys=ON")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    schema: dict[str, list[str]] = {}
    for table, rows in ROWS.items():
        if table not in tables:
            continue
        cols = _columns(con, table)
        schema[table] = cols
        for row in rows:
            present = [c for c in cols if c in row]
            assert set(cols) <= set(row), f"{table}: rows lack {set(cols) - set(row)}"
            con.execute(
                f'INSERT INTO "{table}" ({", ".join(present)}) '
                f'VALUES ({", ".join("?" for _ in present)})',
                [row[c] for c in present],
            )
    assert not con.execute("PRAGMA foreign_key_check").fetchall()
    con.commit()
    con.close()
    # Every table of the old schema is filled (a new table needs rows in ROWS).
    assert tables - {"alembic_version", "sqlite_sequence"} == set(schema)
    return schema


def snapshot(path: Path, schema: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {
            table: sorted(
                con.execute(f'SELECT {", ".join(cols)} FROM "{table}"').fetchall(), key=repr
            )
            for table, cols in schema.items()
        }
    finally:
        con.close()


def _revision(path: Path) -> str:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize("revision", EARLIER)
def test_earlier_store_upgrades_with_every_row_intact(tmp_path: Path, revision: str) -> None:
    path = tmp_path / "old.sqlite"
    make_store_at(path, revision)
    schema = fill(path)
    before = snapshot(path, schema)
    assert sum(map(len, before.values())) >= 10

    with Store.open(path) as store:
        assert store.schema_revision() == head_revision()
        copy = store.pre_migration_copy
        with store.session() as s:
            names = {c.name for c in communities.list_communities(s)}
            roster = members.list_members(s, 1)
            ada = members.get_member(s, 1)
            sessions_1 = sessions.list_sessions(s, 1) if "cop_session" in schema else []
    assert names == {r["name"] for r in ROWS["community"]}
    assert {m.full_name for m in roster} == {"Ada Lovelace", ROWS["member"][1]["full_name"],
                                             "Erased member"}
    assert ada.roles == ("coordinator", "core_member")
    assert (ada.expertise, ada.interests) == (("Pumps",), ("\u00c9t\u00e9",))
    assert ada.joined_on == dt.date(2020, 2, 29)
    assert ada.notes == "Line 1\nLine 2\ttab"
    if "cop_session" in schema:
        assert [x.title for x in sessions_1] == ["Clinic \u2116 1", "Core group"]

    after = snapshot(path, schema)
    # The only change to old rows: the store records which copdesk upgraded it.
    assert ("app_version", __version__) in after["store_info"]
    # The store's own bookkeeping may change: which copdesk wrote it, and the counter of
    # commits that shared stores watch (store_revision). Every other row must stay.
    own = {"app_version", "store_revision"}
    after["store_info"] = [r for r in after["store_info"] if r[0] not in own]
    before_info = [r for r in before["store_info"] if r[0] != "app_version"]
    assert after["store_info"] == before_info == [("note", "kept \u2713")]
    for table in schema:
        if table != "store_info":
            assert after[table] == before[table], f"{table} changed in the upgrade"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    # The copy kept before the migration is the old store, exactly.
    assert copy is not None and copy.exists()
    assert _revision(copy) == revision
    assert snapshot(copy, schema) == before

    # ... and it restores into place, keeping the upgraded store aside, and opens.
    kept = backup.restore_file(path, copy)
    assert kept.exists() and _revision(kept) == head_revision()
    assert _revision(path) == revision
    assert snapshot(path, schema) == before
    with Store.open(path) as store:
        assert store.schema_revision() == head_revision()
        assert store.pre_migration_copy is not None
        with store.session() as s:
            assert {m.id for m in members.list_members(s, 1)} == {1, 2, 4}
            assert [m.full_name for m in members.list_members(s, 2)] == [
                "\U0001f30a Mar\u00eda"
            ]


def test_rows_cover_every_column_of_the_newest_schema(tmp_path: Path) -> None:
    """The next migration starts from a store holding every column (``fill`` checks)."""
    path = tmp_path / "head.sqlite"
    make_store_at(path, head_revision())
    schema = fill(path)
    assert snapshot(path, schema)["story"][0][-1] == 3  # a version of its own kept


def test_rows_from_before_0006_start_at_version_1_and_edits_are_checked(
    tmp_path: Path,
) -> None:
    """Stories, actions and communities got a version in 0006: old rows read 1."""
    from copdesk.data import values
    from copdesk.data.store import ConflictError

    path = tmp_path / "old.sqlite"
    make_store_at(path, "0005")
    fill(path)
    with Store.open(path) as store:
        with store.session() as s:
            story = values.list_stories(s, 1)[0]
            actions = sessions.list_actions(s, 1)
            water = communities.get_community(s, 1)
        assert (story.version, water.version) == (1, 1)
        assert [a.version for a in actions] == [1, 1]
        data = values.StoryData(story.title, "Half the failures", story.follow_up_on)
        with pytest.raises(ConflictError):
            store.run(values.update_story, 1, data, [1], expected_version=2)
        store.run(values.update_story, 1, data, [1], expected_version=1)
        store.run(sessions.update_action, 1, actions[0].to_data(), expected_version=1)
        with store.session() as s:
            assert values.list_stories(s, 1)[0].version == 2
            assert communities.get_community(s, 1).version == 1
