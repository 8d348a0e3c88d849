"""Small wording helpers shared by the window, the CLI and the reports."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "session")`` -> "1 session"; ``plural(3, "session")`` -> "3 sessions"."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {word}"
