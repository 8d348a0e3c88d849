"""The window and the reports on a real PostgreSQL store holding the demo community.

Every test here needs the server of ``make pytest-pg`` (``COPDESK_TEST_PG_URL``); without
it they are skipped, with the reason. The demo community is made once, the way a
facilitator would: ``copdesk demo`` into an SQLite file on the laptop, then ``copdesk
transfer`` to the server. Each test gets its own copy of that server database (a
PostgreSQL template copy), so tests can edit it freely.

The widget fixtures of ``tests/ui`` (no real modal ever opens, settings in a temp file)
are used here too.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from copdesk.data import communities
from copdesk.data.demo import DEMO_NAME
from copdesk.data.store import Store
from tests.conftest import PG_URL
from tests.ui.conftest import Modals, WindowFactory, make_window, modals, settings  # noqa: F401

HERE = Path(__file__).parent
SKIP_REASON = (
    "needs a PostgreSQL server: run 'make pytest-pg' (starts a throwaway one) or set "
    "COPDESK_TEST_PG_URL"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL is not None:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


def copdesk(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The copdesk command line, as a subprocess."""
    return subprocess.run([sys.executable, "-m", "copdesk", *args], capture_output=True,
                          text=True, timeout=timeout)


class ServerDatabases:
    """Databases on the test server: made from a template, dropped at the end."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.names = (f"copdesk_pg{os.getpid()}_{n}" for n in itertools.count(1))
        self.made: list[str] = []

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = next(self.names)
        how = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{how}'))
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.made:
            self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.admin.dispose()


@dataclass(frozen=True)
class DemoSource:
    """The demo made on the laptop (an SQLite file) and its copy on the server."""

    laptop: Path
    server_template: str


@pytest.fixture(scope="session")
def server() -> Iterator[ServerDatabases]:
    assert PG_URL is not None
    dbs = ServerDatabases(PG_URL)
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def demo_source(
    server: ServerDatabases, tmp_path_factory: pytest.TempPathFactory
) -> DemoSource:
    """``copdesk demo`` on a laptop file, ``copdesk transfer`` of it to the server."""
    laptop = tmp_path_factory.mktemp("laptop") / "laptop.sqlite"
    made = copdesk("demo", "--db", str(laptop))
    assert made.returncode == 0, made.stderr
    name = server.create()
    moved = copdesk("transfer", "--from", str(laptop), "--to", server.url_of(name),
                    "--community", DEMO_NAME)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith(f"Copied '{DEMO_NAME}' from "), moved.stdout
    return DemoSource(laptop, name)


@pytest.fixture
def pg_url(server: ServerDatabases, demo_source: DemoSource) -> Iterator[str]:
    """A server database of this test's own, holding the transferred demo community."""
    name = server.create(template=demo_source.server_template)
    yield server.url_of(name)
    server.drop(name)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    store = Store.open(pg_url)
    yield store
    store.close()


@pytest.fixture
def demo_id(pg_store: Store) -> int:
    with pg_store.session() as s:
        return communities.find_community(s, DEMO_NAME).id
