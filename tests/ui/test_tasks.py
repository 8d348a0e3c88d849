"""The query runner: work off the UI thread, the newest request wins, errors as messages."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.store import Store, StoreError
from copdesk.ui.tasks import BusyIndicator, QueryRunner

WAIT_S = 10.0  # a gate never opened fails the test instead of hanging it


class Gate:
    """A query that waits until the test opens the gate, recording what ran."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.ran: list[str] = []
        self.threads: list[int] = []

    def query(self, name: str, result: object = None) -> Callable[[Session], object]:
        def fn(session: Session) -> object:
            self.ran.append(name)
            self.threads.append(threading.get_ident())
            if not self.open.wait(WAIT_S):
                raise TimeoutError("the gate was never opened")
            session.execute(text("SELECT 1"))
            return result if result is not None else name

        return fn


def test_the_result_arrives_on_the_ui_thread_while_the_event_loop_keeps_running(
    qtbot: QtBot, store: Store, community_id: int
) -> None:
    runner = QueryRunner()
    gate = Gate()
    got: list[tuple[object, int]] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        if ticks == 5:  # only a running event loop opens the gate
            gate.open.set()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    runner.submit(store, gate.query("map"), lambda r: got.append((r, threading.get_ident())))
    assert runner.is_busy() and busy == [True]
    qtbot.waitUntil(lambda: bool(got), timeout=int(WAIT_S * 1000))
    timer.stop()
    assert got == [("map", threading.get_ident())]  # delivered on the UI thread
    assert gate.threads and gate.threads[0] != threading.get_ident()  # computed elsewhere
    assert ticks >= 5
    assert not runner.is_busy() and busy == [True, False]


def test_a_real_query_runs_in_its_own_session(
    qtbot: QtBot, store: Store, community_id: int
) -> None:
    runner = QueryRunner()
    got: list[int] = []
    runner.submit(store, lambda s: members.member_count(s, community_id), got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert got == [0]


def test_a_newer_request_supersedes_and_waiting_ones_never_run(
    qtbot: QtBot, store: Store, community_id: int
) -> None:
    runner = QueryRunner()
    gate = Gate()
    got: list[object] = []
    for name in ("first", "second", "third"):
        runner.submit(store, gate.query(name), got.append)
    qtbot.waitUntil(lambda: gate.ran == ["first"])
    gate.open.set()
    qtbot.waitUntil(lambda: bool(got), timeout=int(WAIT_S * 1000))
    assert runner.wait()
    qtbot.wait(50)  # a stale result would have been delivered by now
    assert got == ["third"]  # the first was dropped, the second never started
    assert gate.ran == ["first", "third"]
    assert not runner.is_busy()


def test_cancel_drops_the_running_result(qtbot: QtBot, store: Store, community_id: int) -> None:
    runner = QueryRunner()
    gate = Gate()
    got: list[object] = []
    failed: list[str] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    runner.submit(store, gate.query("old community"), got.append, failed.append)
    qtbot.waitUntil(lambda: bool(gate.ran))
    runner.cancel()  # e.g. the workspace switched to another store
    assert not runner.is_busy() and busy == [True, False]
    gate.open.set()
    assert runner.wait()
    qtbot.wait(50)
    assert got == [] and failed == []


def test_run_now_answers_at_once_and_supersedes_the_worker(
    qtbot: QtBot, store: Store, community_id: int
) -> None:
    runner = QueryRunner()
    gate = Gate()
    got: list[object] = []
    runner.submit(store, gate.query("slow"), got.append)
    qtbot.waitUntil(lambda: bool(gate.ran))
    runner.run_now(store, lambda s: "quick", got.append)
    assert got == ["quick"] and not runner.is_busy()
    gate.open.set()
    assert runner.wait()
    qtbot.wait(50)
    assert got == ["quick"]


def _boom(session: Session) -> object:
    raise ValueError("unexpected")


def _store_error(session: Session) -> object:
    raise StoreError("the store is on a drive that was removed")


def _bad_sql(session: Session) -> object:
    return session.execute(text("SELECT * FROM no_such_table")).all()


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (_boom, "something went wrong (ValueError: unexpected)"),
        (_store_error, "the store is on a drive that was removed"),
        (_bad_sql, "the store could not be read ("),
    ],
)
@pytest.mark.parametrize("inline", [False, True])
def test_errors_reach_the_view_as_messages(
    qtbot: QtBot, store: Store, community_id: int, fn: Callable[[Session], object],
    expected: str, inline: bool,
) -> None:  # fmt: skip
    runner = QueryRunner()
    got: list[object] = []
    failed: list[str] = []
    if inline:
        runner.run_now(store, fn, got.append, failed.append)
    else:
        runner.submit(store, fn, got.append, failed.append)
        qtbot.waitUntil(lambda: bool(failed))
    assert got == []
    [message] = failed
    assert message.startswith(expected), message
    assert "Traceback" not in message and "File " not in message
    assert not runner.is_busy()
    # The runner is still usable afterwards.
    runner.submit(store, lambda s: 42, got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert got == [42]


def test_the_busy_indicator_follows_the_runner(qtbot: QtBot, store: Store) -> None:
    runner = QueryRunner()
    page = QWidget()
    qtbot.addWidget(page)
    indicator = BusyIndicator("Computing the map…", page)
    page.show()
    runner.busy_changed.connect(indicator.set_busy)
    assert indicator.isHidden()
    gate = Gate()
    runner.submit(store, gate.query("x"), lambda r: None)
    assert indicator.isVisible() and indicator.label.text() == "Computing the map…"
    assert indicator.bar.maximum() == 0  # indeterminate
    gate.open.set()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=int(WAIT_S * 1000))
    assert indicator.isHidden()
