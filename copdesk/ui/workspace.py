"""What every tab works on: the open store, the current community and the undo stack."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from copdesk.data.store import Store
from copdesk.ui.events import StoreEvents


class Workspace(QObject):
    """The store and community the window shows, shared by all tabs.

    ``undo_stack`` is the one undo history of the window (every tab pushes to it);
    ``events.changed`` re-emits the store's change records; ``switched`` tells the tabs
    that the store or the community changed (the one time they reload everything).
    """

    switched = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.events = StoreEvents(self)
        self.store: Store | None = None
        self.community_id: int | None = None

    def set_store(self, store: Store | None) -> None:
        if store is not self.store:
            self.undo_stack.clear()
            self.events.attach(store)
            self.store = store
            self.community_id = None

    def set_community(self, community_id: int | None) -> None:
        if community_id != self.community_id:
            self.undo_stack.clear()
        self.community_id = community_id
        self.switched.emit()
