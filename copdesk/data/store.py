"""The store: one database (an SQLite file by default), its schema and its sessions.

Opening a store resolves where it is, refuses what it does not understand without
touching it, keeps a copy before any migration, brings the schema up to date with
Alembic and hands out sessions, one per user action::

    store = Store.open(path_or_url)
    member = store.run(members.add_member, community_id, data)

``Store.run`` opens a session and a transaction, calls the function with the session,
commits, and then tells subscribers what changed (see :mod:`copdesk.data.changes`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from platformdirs import user_data_path
from sqlalchemy import Integer, String, cast, create_engine, event, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from copdesk import __version__
from copdesk.data import changes
from copdesk.data.models import StoreInfo

if TYPE_CHECKING:
    from alembic.config import Config

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000
#: The store_info row counting committed changes, for noticing other people's changes.
REVISION_KEY = "store_revision"


class StoreError(Exception):
    """A store cannot be opened or used; the message is meant for the user."""


class StoreInUseError(StoreError):
    """Another copdesk has the store open."""


class NewerStoreError(StoreError):
    """The store's schema is newer than this copdesk understands."""


class PasswordNeededError(StoreError):
    """A server refused the connection for want of a (right) password: ask for one."""


#: What the PostgreSQL client library says when the password is missing or wrong.
_PASSWORD_SIGNS = ("no password supplied", "password authentication failed")


class ConflictError(StoreError):
    """Someone else changed or deleted a record meanwhile; nothing was saved.

    Raised by update and delete commands given the ``expected_version`` the user's form
    was read at, and by :meth:`Store.run` when a row changed under a transaction. It
    carries both sides so that the window can show them and offer to reload, or to
    overwrite (the same command again with ``expected_version=None``):

    - ``expected_version``: the version the user edited (None if not known);
    - ``current_version``: the version in the store now (None: deleted, or not known);
    - ``current``: the record as the store has it now (e.g. a ``MemberRow``), or None.
    """

    def __init__(
        self,
        message: str,
        *,
        entity: str = "",
        row_id: int | None = None,
        expected_version: int | None = None,
        current_version: int | None = None,
        current: object | None = None,
    ) -> None:
        super().__init__(message)
        self.entity = entity
        self.row_id = row_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current

    @property
    def deleted(self) -> bool:
        """True when the record is gone (someone else deleted it)."""
        return self.current_version is None and self.current is None and bool(self.entity)


def default_store_path() -> Path:
    """The default store: one SQLite file in the platform's user data folder."""
    return user_data_path("copdesk", appauthor=False) / "copdesk.sqlite"


def resolve_url(target: str | os.PathLike[str] | None) -> str:
    """An SQLAlchemy URL for a path, a URL, or None (the default store)."""
    if target is None:
        return f"sqlite:///{default_store_path()}"
    text = os.fspath(target)
    if "://" in text:
        try:
            make_url(text)
        except ArgumentError as exc:
            raise StoreError(f"not a valid database URL: {text}") from exc
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and memory stores."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def url_without_password(url: str) -> str:
    """The URL to remember for reopening a store: the same URL with no password in it.

    Settings and logs keep this, never a password: when the store is reopened, the
    PostgreSQL driver (libpq) finds the password in ``~/.pgpass`` (``%APPDATA%\\postgresql\\
    pgpass.conf`` on Windows) or in ``PGPASSWORD``, or the window asks for it.
    """
    if "://" not in url:
        return url
    parsed = make_url(url)
    if parsed.password is None:
        return url
    return parsed._replace(password=None).render_as_string(hide_password=False)


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it, for connecting only: never to be kept anywhere."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def describe(url: str) -> str:
    """A short, password-free description of a store for status bars and messages."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    return make_url(url).render_as_string(hide_password=True)


# Alembic is imported only when its answer is needed: most opens find the store at the
# head revision (read with one query) and never load it, which keeps every command quick.


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest schema revision this copdesk knows (the last migration file's id)."""
    return max(known_revisions())


@functools.cache
def known_revisions() -> frozenset[str]:
    """Revision ids of the shipped migrations, read from their file names (``0001_*.py``).

    Ids are zero-padded numbers, so the newest is the largest; a test checks this agrees
    with Alembic's own view of the history.
    """
    versions = MIGRATIONS_DIR / "versions"
    return frozenset(
        p.name.split("_", 1)[0] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")
    )


def alembic_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(_alembic_config()).get_heads())


def create_private(path: Path) -> None:
    """Create ``path`` empty if missing; on POSIX, readable and writable by its owner only.

    SQLite gives a database's -wal and -shm files the database file's permissions, so a
    store created this way stays private with its journal.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if os.name == "posix":
        os.chmod(path, 0o600)


class StoreLock:
    """An exclusive lock on a store file, held while one copdesk has it open.

    The lock is the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on
    Windows) on a ``.lock`` file beside the store, so a crash releases it with the
    process: a lock file left behind is stale and simply taken over.
    """

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.name + ".lock")
        self._fh: Any = None

    def acquire(self) -> None:
        try:
            fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as exc:
            # A read-only folder: no lock can be taken, and no writer can exist either.
            if exc.errno in (13, 30):
                return
            raise StoreError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another copdesk"
            fh.close()
            raise StoreInUseError(
                f"{self.path.with_suffix('')} is already open in {holder}. Close it there "
                "first, or open a copy."
            ) from None
        fh.seek(0)
        fh.truncate()
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        fh.write(f"copdesk (process {os.getpid()}, since {stamp})")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.seek(0)
                self._fh.truncate()
                _unlock(self._fh)
            self._fh.close()
            self._fh = None


def _lock(fh: Any) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fh: Any) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _check_sqlite_file(path: Path) -> tuple[str | None, str | None]:
    """Check a file is an SQLite database without writing to it.

    Returns the schema revision and the app version recorded in it (either may be None).
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a copdesk store (it is not an SQLite database)")
    if not header:
        return None, None
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        revision = app_version = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        if "store_info" in tables:
            row = con.execute("SELECT value FROM store_info WHERE key='app_version'").fetchone()
            app_version = row[0] if row else None
        return revision, app_version
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is damaged or not a copdesk store: {exc}") from exc
    finally:
        con.close()


def _refuse_if_newer(where: str, revision: str | None, app_version: str | None) -> None:
    if revision is None or revision in known_revisions():
        return
    made_by = f" by copdesk {app_version}" if app_version else ""
    raise NewerStoreError(
        f"{where} was written{made_by} with store schema {revision}, which is newer than "
        f"this copdesk {__version__} understands (schema {head_revision()}). "
        "Update copdesk to open it; the store was not changed."
    )


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: Any, _record: Any) -> None:
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Erased personal data must not survive in free pages of the file.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()


def sqlite_backup(source: Path, target: Path) -> None:
    """Copy an SQLite database with the online backup API (safe while it is open)."""
    tmp = target.with_name(target.name + ".part")
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, target)


class Store:
    """An open store: an engine, its session factory, and change subscribers."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self._subscribers: list[Callable[[list[changes.Change]], None]] = []
        self.pre_migration_copy: Path | None = None
        self.lock: StoreLock | None = None
        #: Commits that changed something since the store was opened (for backups).
        self.change_count = 0
        #: The store revision this store last saw (its own commits or a poll).
        self._seen_revision = 0
        #: Another connection committed before one of ours (seen while bumping).
        self._external_pending = False

    # -- opening -------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        """The SQLite file behind the store (None for a server database)."""
        return sqlite_path(self.url)

    @classmethod
    def open(
        cls, target: str | os.PathLike[str] | None = None, *, exclusive: bool = False
    ) -> Store:
        """Open (creating if needed) the store at a path or URL and migrate it.

        ``exclusive`` locks an SQLite store for this process (the window does; a second
        copdesk then gets :class:`StoreInUseError` instead of two writers).
        """
        url = resolve_url(target)
        where = describe(url)
        path = sqlite_path(url)
        lock: StoreLock | None = None
        if path is not None:
            if path.is_dir():
                raise StoreError(f"{path} is a folder, not a store file")
            if path.exists():
                revision, app_version = _check_sqlite_file(path)
                _refuse_if_newer(str(path), revision, app_version)
            else:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    create_private(path)
                except OSError as exc:
                    raise StoreError(
                        f"cannot create {path}: {exc.strerror or exc}"
                    ) from exc
            if exclusive:
                lock = StoreLock(path)
                lock.acquire()
        try:
            engine = create_engine(url)
        except ImportError as exc:
            raise StoreError(
                f"cannot open {where}: its database driver is not installed ({exc}); "
                "for PostgreSQL install copdesk with the 'postgres' extra (psycopg)"
            ) from exc
        except ArgumentError as exc:
            raise StoreError(f"cannot open {where}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            _install_sqlite_pragmas(engine)
        store = cls(url, engine)
        store.lock = lock
        try:
            store._migrate()
            store._seen_revision = store.revision()
        except StoreError:
            store._dispose()
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            store._dispose()
            said = str(exc).lower()
            if path is None and any(sign in said for sign in _PASSWORD_SIGNS):
                given = make_url(url).password is not None
                raise PasswordNeededError(
                    f"{where} did not accept the password" if given
                    else f"{where} needs a password"
                ) from None  # the driver's message may quote the connection string
            raise StoreError(f"cannot open {where}: {_short(exc)}") from exc
        return store

    def _dispose(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _migrate(self) -> None:
        with self.engine.connect() as conn:
            current = _current_revision(conn)
            tables = set(inspect(conn).get_table_names())
            app_version = None
            if current not in known_revisions() and "store_info" in tables:
                app_version = conn.scalar(
                    select(StoreInfo.value).where(StoreInfo.key == "app_version")
                )
        has_tables = bool(tables)
        # Refused before anything is written, on a file and on a server alike.
        _refuse_if_newer(describe(self.url), current, app_version)
        head = head_revision()
        if current == head:
            return
        path = sqlite_path(self.url)
        if path is not None and has_tables:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            copy = path.with_name(f"{path.name}.before-{head}-{stamp}.bak")
            sqlite_backup(path, copy)
            self.pre_migration_copy = copy
        from alembic import command

        cfg = _alembic_config()
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as conn:
            dbapi: Any = conn.connection.dbapi_connection if sqlite else None
            if sqlite:
                # SQLite's procedure for schema changes: foreign keys off (outside any
                # transaction) so that rebuilding a table never cascades a delete; then
                # the whole upgrade in ONE explicit transaction (the driver would otherwise
                # commit each CREATE/ALTER on its own, and a crash half-way would leave a
                # half-made schema); and a check that every reference still holds before
                # it commits.
                isolation = dbapi.isolation_level
                dbapi.isolation_level = None
                dbapi.execute("PRAGMA foreign_keys=OFF")
                dbapi.execute("BEGIN IMMEDIATE")
            try:
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    if sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(
                                f"the upgrade to schema {head} would break {len(broken)} "
                                "references; the store was left as it was"
                            )
            finally:
                if sqlite:
                    if dbapi.in_transaction:
                        dbapi.rollback()
                    dbapi.execute("PRAGMA foreign_keys=ON")
                    dbapi.isolation_level = isolation
        with self.sessions.begin() as session:
            session.merge(StoreInfo(key="app_version", value=__version__))
            if session.get(StoreInfo, REVISION_KEY) is None:
                session.add(StoreInfo(key=REVISION_KEY, value="0"))

    def close(self) -> None:
        if self.engine.dialect.name == "sqlite":
            with contextlib.suppress(SQLAlchemyError), self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self._dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- units of work -------------------------------------------------------------
    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only session for queries (reports, tables)."""
        with self.sessions() as session:
            yield session

    def run(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, ...)`` in one transaction; publish its changes after commit."""
        try:
            with self.sessions() as session, session.begin():
                result = fn(session, *args, **kwargs)
                session.flush()
                recorded = changes.take(session)
                revision = self._bump_revision(session) if recorded else None
        except StaleDataError as exc:
            raise ConflictError(
                "Someone else changed or deleted this record while it was being saved; "
                "nothing was saved. Reload it and make the change again."
            ) from exc
        except OperationalError as exc:
            raise StoreError(f"the store could not save this change: {_short(exc)}") from exc
        if revision is not None:
            self._seen_revision = revision
        if recorded:
            self._publish(recorded)
        return result

    # -- changes made by others ----------------------------------------------------
    def _bump_revision(self, session: Session) -> int:
        """Count this commit in ``store_revision`` (in its transaction); the new value.

        The update locks the row until commit, so the value read back is this commit's.
        A value other than the one last seen means another connection committed first.
        """
        bumped = update(StoreInfo).where(StoreInfo.key == REVISION_KEY).values(
            value=cast(cast(StoreInfo.value, Integer) + 1, String)
        )
        if session.execute(bumped).rowcount == 0:  # type: ignore[attr-defined]
            # A store from before the counter (new stores get the row when migrated).
            session.add(StoreInfo(key=REVISION_KEY, value="1"))
            session.flush()
        value = int(session.scalar(
            select(StoreInfo.value).where(StoreInfo.key == REVISION_KEY)
        ) or 0)
        if value - 1 != self._seen_revision:
            self._external_pending = True
        return value

    def revision(self) -> int:
        """The store's revision now: how many changes were committed to it (by anyone)."""
        with self.engine.connect() as conn:
            value = conn.scalar(select(StoreInfo.value).where(StoreInfo.key == REVISION_KEY))
        try:
            return int(value or 0)
        except ValueError:
            return 0

    def poll_external_changes(self) -> bool:
        """Whether another connection committed changes since this store last looked.

        This store's own commits do not count. One cheap query; meant to be called on a
        timer, after which the window reloads what it shows.
        """
        current = self.revision()
        changed = self._external_pending or current != self._seen_revision
        self._seen_revision = current
        self._external_pending = False
        return changed

    def subscribe(self, callback: Callable[[list[changes.Change]], None]) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[list[changes.Change]], None]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(callback)

    def _publish(self, recorded: list[changes.Change]) -> None:
        self.change_count += 1
        for callback in list(self._subscribers):
            callback(recorded)

    def checkpoint(self) -> None:
        """Fold the write-ahead log back into the file (after erasing personal data)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return _current_revision(conn)

    def app_version_recorded(self) -> str | None:
        with self.session() as s:
            return s.scalar(select(StoreInfo.value).where(StoreInfo.key == "app_version"))


def _current_revision(conn: Connection) -> str | None:
    """The store's schema revision (None for an empty store), without loading Alembic."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise StoreError(f"the store records several schema versions ({', '.join(rows)})")
    return rows[0] if rows else None


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).splitlines()[0]
