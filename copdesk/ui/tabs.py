"""The base of every main-window tab, and the placeholder for tabs still to come."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from copdesk.ui.icons import icon
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


class PlaceholderTab(TabPage):
    """A tab built by a later issue: says in one line what it will hold."""

    def __init__(
        self,
        workspace: Workspace,
        title: str,
        icon_name: str,
        line: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(workspace, parent)
        self.title = title
        self.icon_name = icon_name
        self.setObjectName(f"placeholder_{icon_name}")
        picture = QLabel()
        picture.setPixmap(icon(icon_name).pixmap(56, 56))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel(title)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setStyleSheet("font-size: 16pt; font-weight: 600; color: #34495e;")
        self.line = QLabel(line)
        self.line.setObjectName("placeholderLine")
        self.line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.line.setStyleSheet("font-size: 11pt; color: #5d6d7e;")
        soon = QLabel("Coming in a later version of copdesk.")
        soon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        soon.setStyleSheet("color: #95a5a6;")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(picture)
        layout.addSpacing(6)
        layout.addWidget(heading)
        layout.addWidget(self.line)
        layout.addSpacing(4)
        layout.addWidget(soon)
        layout.addStretch(3)
