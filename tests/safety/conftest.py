"""Shared helpers for the safety tests: a whole-store snapshot to prove nothing changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(path: Path) -> Snapshot:
    """Every row of every table of an SQLite file (read-only, committed data)."""
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        found = {
            t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
        # The store's commit counter (watched by shared stores) rises with every commit:
        # it is bookkeeping, not data, so "nothing changed" leaves it out.
        if "store_info" in found:
            found["store_info"] = [r for r in found["store_info"] if r[0] != "store_revision"]
        return found
    finally:
        con.close()
