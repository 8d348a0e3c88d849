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
        return {
            t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        con.close()
