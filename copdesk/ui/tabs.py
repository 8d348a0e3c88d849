"""The base of every main-window tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from copdesk.ui.workspace import Workspace


class TabPage(QWidget):
    """A tab of the main window: it follows the workspace and remembers its layout.

    A tab reloads everything when the workspace switches store or community, and
    otherwise follows the store's changes row by row. In the main window tabs are *lazy*:
    a hidden tab only notes that it is stale, and reloads when it is first shown, so
    opening a large store loads one tab, not four.
    """

    title = ""
    icon_name = ""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._lazy = False
        self._stale = False
        self._reload: Callable[[], None] = lambda: None
        self._follow: Callable[[list[Any]], None] = lambda _changes: None

    def follow_workspace(
        self, reload: Callable[[], None], on_changes: Callable[[list[Any]], None]
    ) -> None:
        """Call ``reload`` on a switch and ``on_changes`` with the store's changes
        (a list of :class:`copdesk.data.changes.Change`)."""
        self._reload = reload
        self._follow = on_changes
        self.workspace.switched.connect(self._on_switched)
        self.workspace.events.changed.connect(self._on_changed)

    def set_lazy(self, lazy: bool) -> None:
        self._lazy = lazy

    def mark_stale(self) -> None:
        """Made while the workspace already shows a store: load it when first shown."""
        if self.workspace.store is not None:
            if self._lazy and not self.isVisible():
                self._stale = True
            else:
                self._reload()

    @property
    def stale(self) -> bool:
        """True while the tab waits to be shown to load what the workspace holds."""
        return self._stale

    def ensure_loaded(self) -> None:
        if self._stale:
            self._stale = False
            self._reload()

    def _on_switched(self) -> None:
        if self._lazy and not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._reload()

    def _on_changed(self, changes: list[Any]) -> None:
        if not self._stale:  # a stale tab reads everything when it is shown
            self._follow(changes)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def focus_filter(self) -> bool:
        """Put the keyboard in the tab's filter box (Ctrl+F); False if it has none."""
        return False

    def save_state(self, settings: QSettings) -> None:
        """Remember splitter positions and the like."""

    def restore_state(self, settings: QSettings) -> None:
        """Restore what :meth:`save_state` remembered."""
