"""Icons shipped in ``resources/icons`` (SVG), looked up by name in one place."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from copdesk.resources import resource_path


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``."""
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def app_icon() -> QIcon:
    return icon("copdesk")
