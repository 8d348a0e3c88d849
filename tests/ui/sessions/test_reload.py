"""Opening the Sessions tab reads each thing once, and the directory shares its strings."""

from __future__ import annotations

from typing import Any

import pytest

from copdesk.data import members, session_queries, sessions
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui.sessions.tab import SessionsTab


def test_a_reload_reads_the_rhythm_once_and_still_shows_it(
    tab: SessionsTab, planned: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = sessions.rhythm

    def counted(*args: Any, **kwargs: Any) -> sessions.Rhythm:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sessions, "rhythm", counted)
    tab.rhythm_label.setText("")
    tab.reload()
    assert len(calls) == 1
    assert tab.rhythm_label.text().startswith("Rhythm: ")
    assert tab.model.rowCount() == len(tab.model.fetch(None)) > 0
    assert tab.count_label.text().startswith(f"{tab.model.rowCount()} sessions")


def test_directory_rows_share_tags_levels_and_roles(store: Store, community_id: int) -> None:
    data = [
        MemberData(f"Member {i}", level="core" if i % 2 else "active",
                   roles=("member", "coordinator") if i < 3 else ("member",),
                   expertise=("GIS", "hydrology"), interests=("maps",))
        for i in range(6)
    ]
    store.run(members.add_members, community_id, data)
    with store.session() as s:
        rows = session_queries.directory_rows(s, community_id)
    assert len(rows) == 6
    assert all(r.tags == ("GIS", "hydrology", "maps") for r in rows)
    assert all(r.tags is rows[0].tags for r in rows)  # one tuple for the same tags
    core = [r.level for r in rows if r.level == "core"]
    assert len(core) == 3 and all(level is core[0] for level in core)
    coordinators = [r.roles for r in rows if "coordinator" in r.roles]
    assert len(coordinators) == 3 and all(x is coordinators[0] for x in coordinators)
    assert coordinators[0] == ("coordinator", "member")  # the framework's order
