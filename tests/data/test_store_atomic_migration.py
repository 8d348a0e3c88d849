"""An upgrade is all or nothing: a failure half-way leaves the store as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.operations import Operations

from copdesk.data import communities
from copdesk.data.store import Store, StoreError, head_revision

pytestmark = pytest.mark.sqlite_only


def test_a_creation_that_fails_half_way_leaves_nothing_behind(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Operations.create_table
    calls = {"n": 0}

    def failing(self: Operations, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("the power went out")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Operations, "create_table", failing)
    with pytest.raises((RuntimeError, StoreError)):
        Store.open(store_path)
    con = sqlite3.connect(store_path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert tables <= {"sqlite_sequence"}  # nothing half-made
    monkeypatch.setattr(Operations, "create_table", real)
    with Store.open(store_path) as store:  # and the next start simply makes the store
        assert store.schema_revision() == head_revision()
        store.run(communities.create_community, "After the outage")
