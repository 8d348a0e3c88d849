"""Where the shipped resources (icons, fonts) are, in a checkout and in an installed wheel.

The wheel carries the top-level ``resources/`` folder as ``copdesk/resources``; a checkout
(or an editable install) finds it beside the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError("copdesk's resources folder is missing from this installation")


def resource_path(*parts: str) -> Path:
    """The path of a shipped resource, e.g. ``resource_path("icons", "members.svg")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"copdesk resource missing: {'/'.join(parts)}")
    return path
