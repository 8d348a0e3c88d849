"""The window keeps repainting while slow work runs on a busy community (issue 8).

One community of 2,000 members and 400 sessions (the large demo's generator at a fifth of
its size: big enough that the knowledge map and the function coverage go to a worker, and
that the roster export takes seconds). A QTimer ticking every 10 ms counts how often the
event loop ran while the work was under way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from pytestqt.qtbot import QtBot

from copdesk.data import demo_large, members, sessions
from copdesk.data.store import Store
from copdesk.ui.export_dialog import ExportDialog
from copdesk.ui.members.knowledge import KnowledgeMapView
from copdesk.ui.sessions.coverage import CoverageView
from tests.ui.conftest import WindowFactory

MEDIUM = demo_large.Size(members=2_000, sessions=400, attendance=4_000, values=200,
                         assessments=4)  # fmt: skip


@pytest.fixture(scope="module")
def busy_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, int]]:
    store = Store.open(tmp_path_factory.mktemp("busy") / "busy.sqlite")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(demo_large.SIZES, "medium", MEDIUM)
        cid = store.run(demo_large.create_large_demo, size="medium", seed=3)
    yield store, cid
    store.close()


class Ticker:
    """Counts the event loop's turns: a QTimer firing every 10 ms."""

    def __init__(self) -> None:
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(10)

    def _tick(self) -> None:
        self.ticks += 1

    def stop(self) -> int:
        self.timer.stop()
        return self.ticks


def test_the_knowledge_map_computes_off_the_ui_thread(
    qtbot: QtBot, busy_store: tuple[Store, int]
) -> None:
    store, cid = busy_store
    view = KnowledgeMapView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    ticker = Ticker()
    view.refresh(store, cid)
    # refresh() returned before the map was there: the UI thread is free.
    assert view.is_computing() and view.busy.isVisible()
    assert view.busy.label.text() == "Computing the knowledge map…"
    ticks_at_start = ticker.ticks
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=30000)
    ticks = ticker.stop() - ticks_at_start
    assert ticks >= 1, ticks  # the event loop turned while the worker computed
    assert not view.busy.isVisible()
    with store.session() as s:
        expected = members.knowledge_map(s, cid)
    assert view.model.knowledge == expected and view.model.rowCount() == len(expected.entries)
    assert "knowledge gap" in view.gap_banner.text() or "No gaps" in view.gap_banner.text()

    # A refresh keeps the map on screen until the new one arrives.
    view.refresh(store, cid)
    assert view.is_computing() and view.model.rowCount() == len(expected.entries)
    view.filter_edit.setFocus()
    qtbot.keyClicks(view.filter_edit, expected.entries[0].tag)  # typing works meanwhile
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=30000)
    assert view.proxy.rowCount() >= 1

    # No community: empty at once, and a map still being computed is dropped.
    view.refresh(store, cid)
    view.refresh(None, None)
    assert not view.is_computing() and view.model.rowCount() == 0
    assert view.runner.wait()
    qtbot.wait(50)
    assert view.model.rowCount() == 0


def test_the_coverage_chart_computes_off_the_ui_thread_and_the_last_choice_wins(
    qtbot: QtBot, busy_store: tuple[Store, int]
) -> None:
    store, cid = busy_store
    view = CoverageView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    ticker = Ticker()
    view.set_source(store, cid)
    assert view.is_computing() and view.busy.isVisible()
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=30000)
    assert ticker.stop() >= 1
    start, end = view.period()
    with store.session() as s:
        year = sessions.function_coverage(s, cid, start, end)
        everything = sessions.function_coverage(s, cid, None, None, include_planned=True)
    assert view.coverage == year
    assert "held sessions" in view.heading.text()

    # Three choices in a row while the first is computing: only the last one shows.
    shown_before = view.chart.values()
    view.period_combo.setCurrentIndex(view.period_combo.findText("Last 3 months"))
    assert view.is_computing() and view.chart.values() == shown_before  # old chart stays
    view.period_combo.setCurrentIndex(view.period_combo.findText("All time"))
    qtbot.mouseClick(view.planned_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=30000)
    assert view.runner.wait()
    qtbot.wait(50)  # a superseded result would have arrived by now
    assert view.coverage == everything
    assert "held and planned sessions, all time" in view.heading.text()


def test_the_members_tab_shows_computing_then_the_map(
    qtbot: QtBot, busy_store: tuple[Store, int], make_window: WindowFactory
) -> None:
    store, cid = busy_store
    window = make_window(store)
    tab = window.members_tab
    assert tab.community_id == cid
    tab.views.setCurrentWidget(tab.knowledge)
    assert tab.knowledge.is_computing() and tab.knowledge.busy.isVisible()
    qtbot.waitUntil(lambda: not tab.knowledge.is_computing(), timeout=30000)
    assert tab.knowledge.model.rowCount() > 0
    # A picture of it, to look at (the busy indicator is hidden again).
    assert tab.knowledge.grab().width() > 300


def test_the_event_loop_keeps_running_during_a_long_roster_export(
    qtbot: QtBot, busy_store: tuple[Store, int], settings: QSettings, tmp_path: Path
) -> None:
    store, cid = busy_store
    dialog = ExportDialog(store, cid, settings, report="roster", today=dt.date.today())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    out = tmp_path / "roster.pdf"
    dialog.file_edit.setText(str(out))
    ticker = Ticker()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.is_running()
    ticks_at_start = ticker.ticks
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=120000)
    ticks = ticker.stop() - ticks_at_start
    assert dialog.wait_for_export()
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    # 2,000 members take seconds to lay out; a frozen loop would have ticked once at most.
    assert ticks >= 20, ticks


def test_coverage_of_a_community_left_meanwhile_is_dropped(
    qtbot: QtBot, busy_store: tuple[Store, int]
) -> None:
    store, cid = busy_store
    view = CoverageView()
    qtbot.addWidget(view)
    view.set_source(store, cid)
    assert view.is_computing()
    # The Sessions tab switches community by setting the source without a refresh while
    # the coverage page is not shown.
    view.store, view.community_id = None, None
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=30000)
    assert view.runner.wait()
    qtbot.wait(50)
    assert view.coverage is None and view.chart.values() == {}
