"""What the window keeps in memory: no module sources, no second copy of the roster.

Measured by ``make bench`` (peak memory with the large store open); these tests keep the
two causes found there from coming back.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from copdesk.data import members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui.live import LiveUpdates, read_snapshot
from copdesk.ui.main_window import MainWindow
from copdesk.ui.members.model import Column
from copdesk.ui.pyside_sources import read_sources_without_keeping


@pytest.fixture
def fresh_modules(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two modules not imported yet: one that uses PySide6, one that does not."""
    (tmp_path / "uses_qt_probe.py").write_text(
        "from PySide6.QtCore import QObject\nclass Probe(QObject):\n    pass\n"
    )
    (tmp_path / "plain_probe.py").write_text("VALUE = 42\n" + "# filler line\n" * 2000)
    sys.path.insert(0, str(tmp_path))
    yield "uses_qt_probe", "plain_probe"
    sys.path.remove(str(tmp_path))
    for name in ("uses_qt_probe", "plain_probe"):
        sys.modules.pop(name, None)


def test_imported_modules_leave_no_source_in_memory(fresh_modules: tuple[str, str]) -> None:
    assert read_sources_without_keeping()  # copdesk.ui did it already; doing it again is fine
    assert read_sources_without_keeping()
    uses_qt, plain = fresh_modules
    for name in fresh_modules:
        module = __import__(name)  # an import statement: what PySide6's hook sees
        assert module.__file__ not in linecache.cache, name
    # PySide6 still learns which modules use it (for its ``__feature__`` switches).
    feature = sys.modules["shibokensupport.feature"]
    assert feature.pyside_feature_dict[uses_qt] == 0
    assert feature.pyside_feature_dict[plain] == -1


def test_a_local_file_window_keeps_no_second_copy_of_the_roster(window: MainWindow) -> None:
    # An SQLite file is locked by this window: nobody else changes it, nothing to follow.
    assert not window.live.timer.isActive()
    assert window.live._shown is None


def test_the_snapshot_holds_fingerprints_not_rows(
    store: Store, community_id: int, roster: dict[str, int]
) -> None:
    with store.session() as session:
        rows, _ids = read_snapshot(session, community_id)
    assert set(rows) == set(roster.values())
    assert all(isinstance(v, tuple) and len(v) == 2 for v in rows.values())
    assert all(isinstance(n, int) for v in rows.values() for n in v)


def test_a_change_that_keeps_the_version_is_still_seen(
    window_a: MainWindow, user_b: Store, community_id: int, roster: dict[str, int]
) -> None:
    """A write that did not bump the row's version (another tool) is still passed on
    once the store's revision moves."""
    live = LiveUpdates(window_a.workspace, interval_ms=60_000)
    assert not live.poll()
    with user_b.session() as session, session.begin():
        session.execute(
            text("UPDATE member SET organisation = 'Rotary Lima' WHERE id = :id"),
            {"id": roster["Carlos Peña"]},
        )
    user_b.run(members.add_member, community_id, MemberData(full_name="Zainab Bello"))
    assert live.poll()
    tab = window_a.members_tab
    carlos = tab.model.row_at(tab.model.row_of(roster["Carlos Peña"]))
    assert carlos.organisation == "Rotary Lima"


def test_following_starts_from_what_the_store_holds(
    qtbot: QtBot,
    window_a: MainWindow,
    user_b: Store,
    community_id: int,
    roster: dict[str, int],
) -> None:
    """Started without a poll first: the first tick already passes B's change on."""
    live = LiveUpdates(window_a.workspace, interval_ms=50)
    live.start()
    assert live._shown is not None
    user_b.run(members.add_member, community_id, MemberData(full_name="Early Arrival"))
    tab = window_a.members_tab

    def shown() -> list[str]:
        return [str(tab.proxy.index(r, Column.NAME).data()) for r in range(tab.proxy.rowCount())]

    qtbot.waitUntil(lambda: "Early Arrival" in shown(), timeout=3000)
    live.stop()


def test_hidden_tabs_and_views_are_made_when_first_shown(
    qtbot: QtBot, window: MainWindow, roster: dict[str, int]
) -> None:
    tab = window.members_tab
    assert [type(p).__name__ for p in window.pages] == ["MembersTab"]
    assert tab._knowledge is None and tab._reach is None
    tab.views.setCurrentIndex(1)  # the knowledge map: made, then filled
    assert tab._knowledge is not None and tab.views.currentWidget() is tab._knowledge
    qtbot.waitUntil(lambda: tab.knowledge.model.rowCount() > 0)
    assert tab.views.tabText(1) == "Knowledge map" and not tab.views.tabIcon(1).isNull()
    tab.views.setCurrentIndex(2)
    assert tab.views.currentWidget() is tab._reach
