"""The demo community. CONTRACT (to be implemented)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

DEMO_NAME = "Water & Sanitation Practitioners"


class DemoExistsError(ValueError):
    """The store already holds a demo community."""


def create_demo(session: Session, *, seed: int = 7, today: dt.date | None = None) -> int:
    """Create the demo community; returns its id. Raises DemoExistsError if one exists."""
    raise NotImplementedError
