"""The base of every main-window tab."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from copdesk.ui.workspace import Workspace


class TabPage(QWidget):
    """A tab of the main window: it follows the workspace and remembers its layout."""

    title = ""
    icon_name = ""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace

    def focus_filter(self) -> bool:
        """Put the keyboard in the tab's filter box (Ctrl+F); False if it has none."""
        return False

    def save_state(self, settings: QSettings) -> None:
        """Remember splitter positions and the like."""

    def restore_state(self, settings: QSettings) -> None:
        """Restore what :meth:`save_state` remembered."""
