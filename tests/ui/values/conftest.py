"""Fixtures for the Value tab: a workspace on the test store, a fixed day, a held meeting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from copdesk.data.store import Store
from copdesk.ui.values.tab import ValueTab
from copdesk.ui.workspace import Workspace
from tests.ui.values import sample


@pytest.fixture
def workspace(store: Store, community_id: int) -> Iterator[Workspace]:
    ws = Workspace()
    ws.set_store(store)
    yield ws
    ws.events.detach()


@pytest.fixture
def tab(qtbot: QtBot, workspace: Workspace, community_id: int) -> ValueTab:
    page = ValueTab(workspace, today=lambda: sample.TODAY)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    workspace.set_community(community_id)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def meeting(store: Store, community_id: int, roster: dict[str, int]) -> int:
    """A held clinic: Amina, José and Ελένη attended, Carlos apologised."""
    return sample.held_session(
        store, community_id, "Monthly clinic: pump seals", sample.TODAY.replace(day=2),
        attended=[roster["Amina Yusuf"], roster["José Álvarez"], roster["Ελένη Παπαδοπούλου"]],
        absent=[roster["Carlos Peña"]],
        facilitators=[roster["José Álvarez"]],
    )
