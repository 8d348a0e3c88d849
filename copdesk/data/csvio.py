"""CSV import (with a preview) and export of the roster.

CONTRACT (to be implemented): the UI's import dialog and the CLI both use exactly this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from copdesk.data.members import Duplicate
from copdesk.data.validation import MemberData


class CsvError(ValueError):
    """The file cannot be read as a roster CSV at all; the message is for the user."""


@dataclass(frozen=True)
class ImportRow:
    line: int  # line number in the file (the header is line 1)
    data: MemberData | None  # None when the row could not be parsed at all
    errors: tuple[str, ...] = ()  # why the row is invalid ("email: not a valid ...")
    duplicates: tuple[Duplicate, ...] = ()  # existing members it likely doubles
    duplicate_in_file: int | None = None  # line of an earlier row in the file it doubles

    @property
    def valid(self) -> bool:
        return self.data is not None and not self.errors


@dataclass(frozen=True)
class ImportPreview:
    path: Path
    encoding: str  # "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str  # "," or ";"
    mapping: dict[str, str]  # CSV header -> member field name
    unmapped: tuple[str, ...]  # headers that map to nothing (ignored)
    rows: tuple[ImportRow, ...] = field(default=())

    @property
    def valid_rows(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if r.valid and not r.duplicates and r.duplicate_in_file is None)

    @property
    def invalid_rows(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if not r.valid)

    @property
    def duplicate_rows(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if r.valid and (r.duplicates or r.duplicate_in_file is not None))


def preview_import(session: Session, community_id: int | None, path: Path) -> ImportPreview:
    """Read and check a CSV file without writing anything."""
    raise NotImplementedError


def commit_import(session: Session, community_id: int, preview: ImportPreview) -> list[int]:
    """Add every valid, non-duplicate row of ``preview``: all of them or none."""
    raise NotImplementedError


def export_csv(session: Session, community_id: int, path: Path) -> int:
    """Write the roster to ``path`` (atomically) for Excel; returns the number of rows."""
    raise NotImplementedError
