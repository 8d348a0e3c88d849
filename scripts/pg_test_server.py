#!/usr/bin/env python3
"""A throwaway PostgreSQL server for the test suite.

    python scripts/pg_test_server.py -- COMMAND [ARGS...]
    python scripts/pg_test_server.py            # prints the URL, serves until Ctrl+C

It runs ``initdb`` into a new temporary folder, starts the server listening on a Unix
socket in that folder and on 127.0.0.1 at a free port (never on another address),
creates the database ``copdesk_test``, runs COMMAND with ``COPDESK_TEST_PG_URL`` set to
its SQLAlchemy URL, and then stops the server and removes the folder, also when the
command fails or the run is interrupted (Ctrl+C, SIGTERM). The exit status is the
command's.

PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user
``nobody`` (or ``copdesk-pg``, created with ``useradd`` when ``nobody`` is missing). When
the PostgreSQL binaries are missing on CI (``CI=true``) and ``apt-get`` is at hand, the
``postgresql`` package is installed first.

When the server cannot be started, the script prints ``skipped the PostgreSQL runs:
<reason>`` and exits 0, so that ``make test`` passes on a developer machine without
PostgreSQL; with ``CI=true`` it exits 1 instead, because CI must run them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DB_USER = "copdesk"
#: A role that logs in with a password only (see start()).
PASSWORD_ROLE = "copdesk_password"
DB_NAME = "copdesk_test"
ENV_VAR = "COPDESK_TEST_PG_URL"
START_TIMEOUT = 60.0


class Unavailable(Exception):
    """PostgreSQL cannot be started here; the message says why."""


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _say(message: str) -> None:
    print(f"pg_test_server: {message}", file=sys.stderr, flush=True)


def find_bindir() -> Path | None:
    """The folder with initdb/postgres/createdb: $COPDESK_PG_BINDIR, PATH, Debian's layout."""
    chosen = os.environ.get("COPDESK_PG_BINDIR")
    if chosen:
        return Path(chosen) if (Path(chosen) / "initdb").exists() else None
    found = shutil.which("initdb")
    if found:
        real = Path(found).resolve().parent
        if (real / "postgres").exists():
            return real
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    candidates += glob.glob("/usr/pgsql-*/bin/initdb")
    for candidate in reversed(candidates):
        return Path(candidate).parent
    return None


def install_postgresql() -> None:
    """Install Debian's ``postgresql`` (CI as root only; a developer installs by hand)."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    _say("initdb not found: installing postgresql with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=False,
        env=env,
    )


def server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody", "copdesk-pg"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    useradd = shutil.which("useradd")
    if useradd is None:
        raise Unavailable("running as root and no unprivileged user (nobody) to run the server")
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "copdesk-pg"],
        check=True,
    )
    return pwd.getpwnam("copdesk-pg")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


class Server:
    """One throwaway cluster: ``start()`` it, read ``url``, ``stop()`` it (idempotent)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.url = ""

    def start(self) -> str:
        bindir = find_bindir()
        if bindir is None and on_ci():
            install_postgresql()
            bindir = find_bindir()
        if bindir is None:
            raise Unavailable("PostgreSQL is not installed (no initdb found; install postgresql)")
        user = server_user()
        # A short path under /tmp: Unix socket paths are limited to about 100 bytes, and
        # the unprivileged user must be able to reach the folder.
        base = "/tmp" if user is not None or len(tempfile.gettempdir()) > 40 else None
        folder = Path(tempfile.mkdtemp(prefix="copdesk-pg-", dir=base))
        self.folder = folder
        data = folder / "data"
        log = folder / "server.log"
        as_user: dict[str, int] = {}
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
            as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        os.chmod(folder, 0o700)
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        env.pop("PGDATA", None)
        init = subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            capture_output=True, text=True, cwd=folder, env=env, **as_user,  # type: ignore[arg-type]
        )
        if init.returncode != 0:
            raise Unavailable(f"initdb failed: {(init.stderr or init.stdout).strip()[-800:]}")
        # Every role is trusted, except one that must give its password: the tests of
        # asking for a password use it (tests/pg/test_password.py creates the role).
        hba = data / "pg_hba.conf"
        hba.write_text(
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text()
        )
        self.port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(folder),
            "max_connections": "200",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "log_min_messages": "warning",
        }
        args = [str(bindir / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        with log.open("ab") as out:
            if user is not None:
                os.chown(log, user.pw_uid, user.pw_gid)
            self.proc = subprocess.Popen(  # type: ignore[call-overload]
                args, stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=env,
                start_new_session=True, **as_user,
            )
        self._wait_ready(bindir, log)
        created = subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", DB_USER,
             DB_NAME],
            capture_output=True, text=True, env=env,
        )
        if created.returncode != 0:
            raise Unavailable(f"createdb failed: {created.stderr.strip()}")
        self.url = f"postgresql+psycopg://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"
        return self.url

    def _wait_ready(self, bindir: Path, log: Path) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Unavailable(f"the server stopped at start:\n{_tail(log)}")
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise Unavailable(f"the server did not accept connections in {START_TIMEOUT:.0f} s:\n"
                          f"{_tail(log)}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT the immediate one.
            for sig, wait in ((signal.SIGINT, 20.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    server = Server()

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        try:
            server.start()
        except (OSError, subprocess.SubprocessError) as exc:
            raise Unavailable(f"cannot start PostgreSQL: {exc}") from exc
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    try:
        with running_server() as server:
            _say(f"PostgreSQL {server.url} (data in {server.folder})")
            if not argv:
                print(f"export {ENV_VAR}={server.url}", flush=True)
                _say("serving until Ctrl+C")
                while True:
                    time.sleep(3600)
            env = {**os.environ, ENV_VAR: server.url}
            child = subprocess.Popen(argv, env=env)
            try:
                return child.wait()
            except KeyboardInterrupt:
                child.send_signal(signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(30)
                if child.poll() is None:
                    child.kill()
                    child.wait()
                return 130
    except Unavailable as exc:
        print(f"skipped the PostgreSQL runs: {exc}", file=sys.stderr, flush=True)
        if on_ci():
            print("CI=true: the PostgreSQL runs are required on CI, failing.", file=sys.stderr)
            return 1
        return 0
    except KeyboardInterrupt:
        _say("interrupted; server stopped and removed")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
