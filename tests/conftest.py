"""Shared fixtures: a real store for every test, and Qt settings kept out of $HOME.

The store is a real SQLite file in a temp folder, or, when ``COPDESK_TEST_PG_URL`` names a
PostgreSQL server (``make pytest-pg`` starts a throwaway one), a fresh database on that
server for every test. Tests about the SQLite file itself carry the ``sqlite_only`` marker
and are skipped there.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from copdesk import __version__
from copdesk.data import communities
from copdesk.data.models import Base, StoreInfo
from copdesk.data.store import REVISION_KEY, Store, head_revision

#: The PostgreSQL server the data and CLI tests run against (None: SQLite files).
PG_URL = os.environ.get("COPDESK_TEST_PG_URL") or None

StoreTarget = Path | str


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL is None:
        return
    skip = pytest.mark.skip(reason="about the SQLite file itself (PostgreSQL run)")
    for item in items:
        if item.get_closest_marker("sqlite_only") is not None:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL is None:
        return "copdesk stores: SQLite files"
    return f"copdesk stores: PostgreSQL databases on {make_url(PG_URL).render_as_string()}"


class PgDatabases:
    """Fresh databases on the test server.

    Creating a database takes about a second, so databases at the newest schema are
    kept in a pool: after a test, its database is emptied (every row deleted, every id
    sequence restarted, as in a new store) and handed to the next test. A database
    whose schema a test changed is dropped instead.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.names = (f"copdesk_t{os.getpid()}_{n}" for n in itertools.count(1))
        self.template: str | None = None
        self.free: list[str] = []
        self.all: set[str] = set()

    def _url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str, **params: object) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql), params)

    def create(self, *, migrated: bool = True) -> str:
        """A new database's URL: empty, or at the newest schema with no rows."""
        if migrated and self.free:
            return self._url(self.free.pop())
        name = next(self.names)
        self.all.add(name)
        if not migrated:
            self._execute(f'CREATE DATABASE "{name}"')
            return self._url(name)
        if self.template is None:
            template = f"copdesk_tpl{os.getpid()}"
            self._execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{template}"')
            Store.open(self._url(template)).close()
            self.template = template
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return self._url(name)

    def release(self, url: str) -> None:
        """Give a database back: emptied into the pool, or dropped."""
        name = make_url(url).database
        assert name is not None
        self._execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()",
            name=name,
        )
        if self._empty(url):
            self.free.append(name)
        else:
            self.drop(url)

    def _empty(self, url: str) -> bool:
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                tables = set(inspect(conn).get_table_names())
                if tables != {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}:
                    return False
                if conn.scalar(text("SELECT version_num FROM alembic_version")) != head_revision():
                    return False
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
                for seq in conn.scalars(text("SELECT sequencename FROM pg_sequences")).all():
                    conn.execute(text(f'ALTER SEQUENCE "{seq}" RESTART'))
                conn.execute(StoreInfo.__table__.insert(), [
                    {"key": "app_version", "value": __version__},
                    {"key": REVISION_KEY, "value": "0"},
                ])
            return True
        except SQLAlchemyError:
            return False
        finally:
            engine.dispose()

    def drop(self, url: str) -> None:
        name = make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.all.discard(name or "")

    def close(self) -> None:
        for name in [*self.all, self.template]:
            if name is not None:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases | None]:
    if PG_URL is None:
        yield None
        return
    dbs = PgDatabases(PG_URL)
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def new_store_target(
    pg_databases: PgDatabases | None,
) -> Iterator[Callable[[Path], StoreTarget]]:
    """Make a fresh store target: ``new_store_target(path)`` gives ``path`` back on SQLite
    (the file is created when a store opens it) or the URL of a new database on the server.
    """
    made: list[str] = []

    def make(path: Path) -> StoreTarget:
        if pg_databases is None:
            return path
        url = pg_databases.create()
        made.append(url)
        return url

    yield make
    if pg_databases is not None:
        for url in made:
            pg_databases.release(url)


@pytest.fixture
def store_path(tmp_path: Path, pg_databases: PgDatabases | None) -> Iterator[StoreTarget]:
    """Where the test's store lives: a file path (SQLite) or a database URL (PostgreSQL)."""
    if pg_databases is None:
        yield tmp_path / "store.sqlite"
        return
    url = pg_databases.create()
    yield url
    pg_databases.release(url)


@pytest.fixture
def store(store_path: StoreTarget) -> Iterator[Store]:
    s = Store.open(store_path)
    yield s
    s.close()


@pytest.fixture
def other(store: Store) -> Iterator[Store]:
    """Another person in team mode: a second connection to the same store."""
    second = Store.open(store.url)
    yield second
    second.close()


@pytest.fixture
def community_id(store: Store) -> int:
    return store.run(
        communities.create_community,
        "Water CoP",
        domain="Safe water for every village",
        host_organisation="Rivers Trust",
    )


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep settings, data and logs of every test in a temp folder, never in $HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
