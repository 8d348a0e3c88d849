"""Where the window remembers its state (QSettings).

The application uses an INI file in the user's config folder. Tests and scripts pass their
own ``QSettings`` (or set ``COPDESK_SETTINGS`` to an INI file path) so nothing they do
touches the user's real settings.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

SETTINGS_ENV = "COPDESK_SETTINGS"


def open_settings() -> QSettings:
    """The application's settings: ``$COPDESK_SETTINGS`` if set, else the user's INI file."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "copdesk", "copdesk"
    )


def store_key(url: str) -> str:
    """A settings group name for things remembered per store (e.g. its last community).

    Built from the URL without its password: no credential ever lands in settings.
    """
    from copdesk.data.store import url_without_password  # SQLAlchemy: after the first paint

    safe = "".join(c if c.isalnum() else "_" for c in url_without_password(url))
    return f"stores/{safe[-120:]}"
