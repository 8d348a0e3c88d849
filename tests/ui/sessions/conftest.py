"""Fixtures for the Sessions tab: a workspace on the test store and a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from copdesk.data.store import Store
from copdesk.ui.sessions.tab import SessionsTab
from copdesk.ui.workspace import Workspace
from tests.ui.sessions import sample


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(sample.NOW)


@pytest.fixture
def workspace(store: Store, community_id: int) -> Iterator[Workspace]:
    ws = Workspace()
    ws.set_store(store)
    yield ws
    ws.events.detach()


@pytest.fixture
def tab(qtbot: QtBot, workspace: Workspace, community_id: int, clock: FakeClock) -> SessionsTab:
    page = SessionsTab(workspace, clock=clock)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    workspace.set_community(community_id)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def planned(store: Store, community_id: int, roster: dict[str, int]) -> dict[str, int]:
    """The demo-like year of sessions on the five-member roster."""
    return sample.build(store, community_id, list(roster.values()))
