"""Fixtures for the Fitness tab: a workspace on the test store, a fixed today, the tab shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from copdesk.data.store import Store
from copdesk.ui.fitness.tab import FitnessTab
from copdesk.ui.workspace import Workspace

TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def workspace(store: Store, community_id: int) -> Iterator[Workspace]:
    ws = Workspace()
    ws.set_store(store)
    yield ws
    ws.events.detach()


@pytest.fixture
def tab(qtbot: QtBot, workspace: Workspace, community_id: int) -> FitnessTab:
    page = FitnessTab(workspace, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    workspace.set_community(community_id)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    return page
