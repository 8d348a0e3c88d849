"""A large community's value log loads on a worker; once loaded the tab behaves as before.

``inline_below`` is lowered so that the small test community counts as large: the rows
are read off the UI thread while the event loop keeps turning and "Loading…" shows, then
they equal what the tab's model reads itself (the path every small community takes), the
stories hold the log's rows, and editing, undo and the filters work as they always did.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from copdesk.data import communities, session_queries, value_queries
from copdesk.data import values as V
from copdesk.data.store import Store
from copdesk.data.values import EntryData
from copdesk.ui.values.model import ROW_ROLE, Column
from copdesk.ui.values.tab import EMPTY_PAGE, LOADING_PAGE, TABLE_PAGE, ValueTab
from copdesk.ui.workspace import Workspace
from tests.ui.conftest import Modals
from tests.ui.values import sample


class Ticker:
    """Counts the event loop's turns: a QTimer firing every 5 ms."""

    def __init__(self) -> None:
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(5)

    def _tick(self) -> None:
        self.ticks += 1


@pytest.fixture
def logged(store: Store, community_id: int, roster: dict[str, int]) -> list[int]:
    sample.held_session(store, community_id, "Clinic", sample.TODAY.replace(day=2),
                        attended=list(roster.values())[:3])  # fmt: skip
    ids = sample.build_log(store, community_id, count=30)
    sample.build_stories(store, community_id, ids)
    return ids


@pytest.fixture
def big_tab(qtbot: QtBot, store: Store, logged: list[int]) -> Iterator[ValueTab]:
    """A Value tab for which every community is large (read on the worker)."""
    ws = Workspace()
    ws.set_store(store)
    page = ValueTab(ws, today=lambda: sample.TODAY)
    page.inline_below = 0
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    yield page
    page.runner.cancel()
    page.runner.wait()
    ws.events.detach()


def titles(tab: ValueTab) -> list[str]:
    return [tab.proxy.index(r, Column.TITLE).data() for r in range(tab.proxy.rowCount())]


def test_a_large_community_loads_on_the_worker_and_shows_the_same_rows(
    qtbot: QtBot, big_tab: ValueTab, store: Store, community_id: int
) -> None:
    tab = big_tab
    ticker = Ticker()
    tab.workspace.set_community(community_id)
    # set_community returned before the rows were read: the UI thread is free meanwhile.
    assert tab.loading() and tab.busy.isVisible()
    assert tab.log_stack.currentIndex() == LOADING_PAGE
    assert tab.loading_label.text() == "Loading the value log…"
    assert not tab.add_action.isEnabled()  # no form with nobody to choose yet
    assert tab.count_label.text() == ""  # not "0 entries"
    start = ticker.ticks
    qtbot.waitUntil(lambda: not tab.loading(), timeout=30000)
    assert ticker.ticks - start >= 1  # the event loop turned while the worker read
    assert not tab.busy.isVisible() and tab.log_stack.currentIndex() == TABLE_PAGE
    assert tab.add_action.isEnabled()

    # the same rows as the model reads itself (the small communities' path), newest first
    expected = tab.model.fetch(None)
    assert sorted(tab.model.all_rows(), key=lambda r: r.id) == sorted(expected,
                                                                      key=lambda r: r.id)
    assert [r.id for r in tab.model.all_rows()] == [r.id for r in expected]
    with store.session() as s:
        stories = V.list_stories(s, community_id)
        people = value_queries.people(s, community_id)
        choices = session_queries.session_choices(s, community_id)
    assert tab.story_model.all_stories() == stories
    # the stories hold the log's very rows: the entries were read once
    log_rows = {id(r) for r in tab.model.all_rows()}
    assert all(id(e) in log_rows for s in tab.story_model.all_stories() for e in s.entries)
    combo = tab.member_filter
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Any member", *(p.full_name for p in people if not p.erased)]
    assert tab.session_filter.count() == 1 + len(choices)
    assert tab.count_label.text() == f"{len(expected)} entries"


def test_after_loading_filters_edits_and_undo_behave_as_before(
    qtbot: QtBot, big_tab: ValueTab, store: Store, community_id: int,
    roster: dict[str, int], modals: Modals,
) -> None:
    tab = big_tab
    tab.workspace.set_community(community_id)
    qtbot.waitUntil(lambda: not tab.loading(), timeout=30000)
    total = tab.model.rowCount()

    # filters: typing, a member
    qtbot.keyClicks(tab.filter_edit, "mentoring")
    assert titles(tab) and all("mentoring" in t.casefold() for t in titles(tab))
    tab.reset_filters()
    amina = roster["Amina Yusuf"]
    tab.member_filter.setCurrentIndex(tab.member_filter.findData(amina))
    assert 0 < tab.proxy.rowCount() < total
    assert all(amina in tab.proxy.index(r, 0).data(ROW_ROLE).beneficiary_ids
               for r in range(tab.proxy.rowCount()))
    tab.reset_filters()

    # an entry logged elsewhere shows at once (followed row by row, not read again)
    new = store.run(V.add_entry, community_id, EntryData(
        entry_date=sample.TODAY, title="Brand new entry", kind="innovation",
        cycle="immediate", for_organisation=True))  # fmt: skip
    assert not tab.loading() and tab.model.rowCount() == total + 1
    assert tab.model.find(new) is not None

    # delete it from the tab, then undo
    tab.select_entry(new)
    modals.answer("confirm", True)
    tab.delete_selected()
    assert tab.model.find(new) is None and tab.model.rowCount() == total
    tab.workspace.undo_stack.undo()
    assert tab.model.find(new) is not None and tab.model.rowCount() == total + 1
    row = tab.model.find(new)
    assert row is not None and row.title == "Brand new entry"


def test_a_change_while_loading_is_read_with_the_rest(
    qtbot: QtBot, big_tab: ValueTab, store: Store, community_id: int
) -> None:
    tab = big_tab
    tab.workspace.set_community(community_id)
    assert tab.loading()
    new = store.run(V.add_entry, community_id, EntryData(
        entry_date=sample.TODAY, title="Logged while loading", kind="innovation",
        cycle="immediate", for_organisation=True))  # fmt: skip
    qtbot.waitUntil(lambda: not tab.loading(), timeout=30000)
    qtbot.wait(20)  # a superseded result, if any, would arrive now: it must be dropped
    assert tab.model.find(new) is not None
    assert [r.id for r in tab.model.all_rows()] == [r.id for r in tab.model.fetch(None)]

    # reading again (the same community) keeps the rows on screen until the new ones come
    shown = tab.model.rowCount()
    tab.reload()
    assert tab.loading() and tab.model.rowCount() == shown
    assert tab.log_stack.currentIndex() == TABLE_PAGE
    qtbot.waitUntil(lambda: not tab.loading(), timeout=30000)

    # no community: empty at once, whatever was in flight is dropped
    tab.reload()
    tab.workspace.set_community(None)
    assert not tab.loading() and tab.model.rowCount() == 0
    assert tab.runner.wait()
    qtbot.wait(20)
    assert tab.model.rowCount() == 0 and tab.log_stack.currentIndex() == TABLE_PAGE


def test_a_failed_load_says_so_without_a_traceback(
    qtbot: QtBot, big_tab: ValueTab, store: Store, community_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(session: Session, cid: int) -> value_queries.TabData:
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(value_queries, "tab_data", broken)
    tab = big_tab
    tab.workspace.set_community(community_id)
    qtbot.waitUntil(lambda: not tab.loading(), timeout=30000)
    assert tab.log_stack.currentIndex() == LOADING_PAGE
    text = tab.loading_label.text()
    assert text.startswith("The value log could not be read:") and "disk I/O error" in text
    assert "Traceback" not in text and not tab.add_action.isEnabled()

    monkeypatch.undo()  # the store reads again: the next load shows the rows
    tab.reload()
    qtbot.waitUntil(lambda: not tab.loading(), timeout=30000)
    assert tab.model.rowCount() > 0 and tab.add_action.isEnabled()


def test_a_small_community_loads_at_once_and_an_empty_log_invites(
    qtbot: QtBot, store: Store, community_id: int, logged: list[int]
) -> None:
    ws = Workspace()
    ws.set_store(store)
    tab = ValueTab(ws, today=lambda: sample.TODAY)
    qtbot.addWidget(tab)
    tab.show()
    ws.set_community(community_id)
    assert not tab.loading() and tab.model.rowCount() == len(logged)  # read right away
    other = store.run(communities.create_community, "Empty CoP")
    ws.set_community(other)
    assert not tab.loading() and tab.log_stack.currentIndex() == EMPTY_PAGE
    ws.events.detach()
