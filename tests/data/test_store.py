"""The store on a real SQLite file: creation, migrations, refusals, pragmas."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from copdesk import __version__
from copdesk.data import changes, communities, members
from copdesk.data.store import (
    MIGRATIONS_DIR,
    NewerStoreError,
    Store,
    StoreError,
    default_store_path,
    describe,
    head_revision,
    known_revisions,
    resolve_url,
)
from copdesk.data.validation import MemberData


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only  # the file, its pragmas and its pre-migration copy
def test_new_store_is_created_and_migrated_to_head(store_path: Path) -> None:
    assert not store_path.exists()
    with Store.open(store_path) as store:
        assert store.schema_revision() == head_revision()
        assert store.app_version_recorded() == __version__
        tables = set(inspect(store.engine).get_table_names())
    assert {"community", "member", "member_role", "member_tag", "level_change"} <= tables
    assert store_path.read_bytes().startswith(b"SQLite format 3\x00")


def test_store_in_a_missing_folder_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "store.sqlite"
    with Store.open(target) as store:
        assert store.schema_revision() == head_revision()
    assert target.exists()


@pytest.mark.sqlite_only  # the file, its pragmas and its pre-migration copy
def test_reopening_a_current_store_keeps_no_migration_copy(store_path: Path) -> None:
    Store.open(store_path).close()
    with Store.open(store_path) as store:
        assert store.pre_migration_copy is None
    assert not list(store_path.parent.glob("*.bak"))


@pytest.mark.sqlite_only  # the file, its pragmas and its pre-migration copy
def test_every_connection_has_foreign_keys_wal_and_busy_timeout(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def _make_newer(path: Path) -> None:
    Store.open(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.execute("UPDATE store_info SET value = '9.0.0' WHERE key = 'app_version'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


@pytest.mark.sqlite_only  # the file, its pragmas and its pre-migration copy
def test_newer_store_is_refused_naming_both_versions_and_left_untouched(
    store_path: Path,
) -> None:
    _make_newer(store_path)
    before = digest(store_path)
    with pytest.raises(NewerStoreError) as err:
        Store.open(store_path)
    message = str(err.value)
    assert "9999" in message and head_revision() in message
    assert "9.0.0" in message and __version__ in message
    assert digest(store_path) == before
    assert not list(store_path.parent.glob("*.bak"))


def test_file_that_is_not_a_database_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my meeting notes, not a database\n" * 20)
    before = digest(path)
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store.open(path)
    assert digest(path) == before


@pytest.mark.sqlite_only  # the file, its pragmas and its pre-migration copy
def test_truncated_database_is_refused_unchanged(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as store:
        cid = store.run(communities.create_community, "C")
        for i in range(50):
            store.run(members.add_member, cid, MemberData(full_name=f"Member {i}"))
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(store_path.read_bytes()[:3000])
    before = digest(damaged)
    with pytest.raises(StoreError):
        Store.open(damaged)
    assert digest(damaged) == before


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder"):
        Store.open(tmp_path)


def make_store_at(path: Path, revision: str) -> None:
    """A store file exactly as an older copdesk (schema ``revision``) left it."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


EARLIER = sorted(known_revisions())[:-1]


@pytest.mark.sqlite_only  # the file, its pragmas and its pre-migration copy
@pytest.mark.parametrize("revision", EARLIER)
def test_every_earlier_schema_upgrades_with_its_data_and_a_copy_first(
    store_path: Path, revision: str
) -> None:
    make_store_at(store_path, revision)
    con = sqlite3.connect(store_path)
    con.execute(
        "INSERT INTO community (id, name, domain, host_organisation, stage, is_demo, created_at)"
        " VALUES (1, 'Old CoP', 'water', 'Host', 'maturing', 0, '2025-01-01 00:00:00')"
    )
    con.execute(
        "INSERT INTO member (id, community_id, full_name, name_key, email, email_key,"
        " organisation, job_title, region, time_zone, level, consent, notes, status, erased,"
        " created_at, updated_at, version) VALUES (1, 1, 'Ada', 'ada', 'ada@example.org',"
        " 'ada@example.org', 'Org', '', 'Peru', '', 'core', 1, '', 'active', 0,"
        " '2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
    )
    con.commit()
    con.close()
    with Store.open(store_path) as store:
        copy = store.pre_migration_copy
        assert store.schema_revision() == head_revision()
        with store.session() as s:
            (row,) = members.list_members(s, 1)
        assert (row.full_name, row.email, row.level, row.consent) == (
            "Ada", "ada@example.org", "core", True,
        )
    assert copy is not None and copy.exists()
    assert copy.name.startswith(f"{store_path.name}.before-{head_revision()}-")
    # The copy is the old store, and it opens (and upgrades) in its own right.
    con = sqlite3.connect(copy)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)
    con.close()
    restored = copy.with_name("restored.sqlite")
    restored.write_bytes(copy.read_bytes())
    with Store.open(restored) as store, store.session() as s:
        assert [r.full_name for r in members.list_members(s, 1)] == ["Ada"]


def test_changes_are_published_after_commit_only(store: Store, community_id: int) -> None:
    seen: list[list[changes.Change]] = []
    store.subscribe(seen.append)
    mid = store.run(members.add_member, community_id, MemberData(full_name="Ada Lovelace"))
    assert seen == [[changes.Change("member", "insert", (mid,), community_id)]]

    def add_then_fail(session, cid):  # type: ignore[no-untyped-def]
        members.add_member(session, cid, MemberData(full_name="Never saved"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run(add_then_fail, community_id)
    assert len(seen) == 1
    with store.session() as s:
        assert [r.full_name for r in members.list_members(s, community_id)] == ["Ada Lovelace"]


def test_resolve_url_accepts_paths_and_urls(tmp_path: Path) -> None:
    assert resolve_url(tmp_path / "x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert resolve_url("sqlite:///relative.db") == "sqlite:///relative.db"
    assert resolve_url(None).endswith("copdesk.sqlite")
    assert str(default_store_path()).endswith("copdesk.sqlite")
    url = "postgresql+psycopg://ann:secret@db.example/cop"
    assert "secret" not in describe(url)
    with pytest.raises(StoreError, match="cannot open"):
        Store.open("nosuchdialect://host/db")


def test_open_with_an_sqlalchemy_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'via-url.sqlite'}"
    with Store.open(url) as store:
        store.run(communities.create_community, "Via URL")
    assert (tmp_path / "via-url.sqlite").exists()


def test_the_default_store_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    # conftest points XDG_DATA_HOME at a temp folder
    path = default_store_path()
    assert "copdesk" in path.parts
    with Store.open(None) as store:
        assert describe(store.url) == str(path)
    assert path.exists()


def test_revision_ids_read_from_file_names_agree_with_alembic() -> None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from copdesk.data.store import alembic_heads

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    walked = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    assert known_revisions() == walked
    assert alembic_heads() == (head_revision(),)


def test_opening_a_current_store_does_not_load_alembic(store_path: Path) -> None:
    import subprocess
    import sys

    Store.open(store_path).close()
    code = (
        "import sys; from copdesk.data.store import Store; "
        f"Store.open({str(store_path)!r}).close(); "
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_host_logo_is_kept_in_the_store(store: Store) -> None:
    import io

    from reportlab.lib.utils import ImageReader

    from copdesk.data.validation import ValidationError

    cid = store.run(communities.create_community, "Logo CoP")
    png = _tiny_png()
    assert store.run(communities.set_logo, cid, png) is None
    with store.session() as s:
        assert communities.get_logo(s, cid) == png
    assert ImageReader(io.BytesIO(png)).getSize() == (2, 1)
    for bad in (b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"x" * (3 * 1024 * 1024)):
        with pytest.raises(ValidationError):
            store.run(communities.set_logo, cid, bad)
    assert store.run(communities.set_logo, cid, None) == png


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF
        )

    raw = b"\x00\xff\x00\x00\x00\x00\xff"  # one row, two RGB pixels
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
