"""The roster PDF. CONTRACT (to be implemented)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session


def build_roster_pdf(
    session: Session, community_id: int, out: Path, *, invariant: bool = False
) -> Path:
    """Write the roster PDF to ``out`` atomically; raises ReportError on failure."""
    raise NotImplementedError
