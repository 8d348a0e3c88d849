"""Killing a writer at any moment loses no acknowledged edit and never corrupts the store.

A writer process opens a real store (exclusively, as the window does) and adds members
one transaction at a time, printing each id only after ``store.run`` has returned. The
test kills it with SIGKILL after a random (seeded) delay, then checks that every id it
acknowledged is in the store, that ``PRAGMA integrity_check`` says ``ok``, and that the
store opens normally again, taking over the lock the killed writer left behind.

Starting Python and importing copdesk takes about a second, so one helper process
(``sys.executable -c``) imports everything once and forks a fresh writer for each round:
every writer is still a separate process that opens the store itself and is killed for
real, and thirty rounds fit in a few seconds.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from copdesk.data import members
from copdesk.data.store import Store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

KILLS = 40
SEED = 20261128
TIME_BUDGET_S = 50.0

#: Reads "go N" lines; forks a writer for each (reporting "pid P"), and on "reap P"
#: waits for that writer to die and reports "dead P" (after everything the writer wrote).
HELPER = textwrap.dedent(
    """
    import os, sys
    from copdesk.data import communities, members
    from copdesk.data.store import Store
    from copdesk.data.validation import MemberData

    def say(word):
        # One write call per line: print() writes the text and its newline separately,
        # and a kill between the two ran a line into the next ("801dead ...").
        os.write(1, f"{word}\\n".encode())

    def write(path, n):
        store = Store.open(path, exclusive=True)
        with store.session() as s:
            infos = communities.list_communities(s)
        cid = infos[0].id if infos else store.run(communities.create_community, "Kill CoP")
        say("open")
        while True:
            n += 1
            data = MemberData(
                full_name=f"Writer {n} Ωμέγα", email=f"w{n}@kill.example",
                expertise=(f"tag {n % 7}", "Pumps"), notes="x" * (n % 500),
            )
            mid = store.run(members.add_member, cid, data)
            say(mid)

    # Warm up once (mappers configured, statements compiled, Alembic loaded) so that
    # every forked writer starts writing within milliseconds.
    warm = Store.open("sqlite://")
    warm.run(communities.create_community, "Warm")
    warm.run(members.add_member, 1, MemberData(full_name="W", email="w@w.example",
                                                expertise=("a",)))
    with warm.session() as s:
        communities.list_communities(s)
    warm.close()
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, arg = line.split()
        if cmd == "go":
            pid = os.fork()
            if pid == 0:
                try:
                    write(sys.argv[1], int(arg))
                finally:
                    os._exit(3)
            print(f"pid {pid}", flush=True)
        elif cmd == "reap":
            _, status = os.waitpid(int(arg), 0)
            print(f"dead {arg} {status}", flush=True)
    """
)


def _integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def _ids_in_store(path: Path) -> set[int]:
    """Open the store as the window does (exclusive) and read every member back."""
    with Store.open(path, exclusive=True) as store, store.session() as s:
        rows = members.list_members(s, 1)
        # Each member came with its roles and tags in one transaction: all or nothing.
        assert all(r.roles == ("member",) and len(r.expertise) == 2 for r in rows)
        return {r.id for r in rows}


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite"
    rng = random.Random(SEED)
    helper = subprocess.Popen(
        [sys.executable, "-c", HELPER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert helper.stdin is not None and helper.stdout is not None
    try:
        assert helper.stdout.readline().strip() == "ready"
        acknowledged: set[int] = set()
        started = time.monotonic()
        among_writes = 0
        for kill in range(1, KILLS + 1):
            assert time.monotonic() - started < TIME_BUDGET_S, f"only {kill - 1} kills in time"
            helper.stdin.write(f"go {kill * 1000}\n")
            helper.stdin.flush()
            word, pid_text = helper.stdout.readline().split()
            assert word == "pid"
            pid = int(pid_text)
            # One kill in five lands while the store is being opened (the first one even
            # while it is created); the others at a random moment among the writes.
            opened = False
            if kill % 5 == 1:
                time.sleep(rng.choice((0.0, 0.01, 0.03, 0.06)))
            else:
                opened = helper.stdout.readline().strip() == "open"
                assert opened
                time.sleep(rng.uniform(0.01, 0.3))
            os.kill(pid, signal.SIGKILL)
            helper.stdin.write(f"reap {pid}\n")
            helper.stdin.flush()
            acked: set[int] = set()
            for line in helper.stdout:
                words = line.split()
                if words[0] == "dead":
                    status = int(words[2])
                    assert words[1] == str(pid)
                    assert os.WIFSIGNALED(status), f"writer ended by itself: {words}"
                    assert os.WTERMSIG(status) == signal.SIGKILL
                    break
                if words[0] == "open":
                    opened = True
                else:
                    acked.add(int(words[0]))
            among_writes += bool(acked)
            acknowledged |= acked

            if opened:
                assert path.with_name(path.name + ".lock").exists()  # left by the kill
            assert _integrity(path) == "ok", f"kill {kill}: store damaged"
            found = _ids_in_store(path)  # opens normally, taking over the stale lock
            lost = acknowledged - found
            assert not lost, f"kill {kill}: acknowledged members lost: {sorted(lost)[:10]}"
            assert _integrity(path) == "ok"
    finally:
        helper.kill()
        helper.wait(timeout=10)
    # The test proves something only if kills landed among writes, many times over.
    assert among_writes >= KILLS // 3
    assert len(acknowledged) > 100
