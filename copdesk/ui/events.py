"""The store's change records as a Qt signal.

The data layer knows nothing of Qt: :class:`copdesk.data.store.Store` calls plain
callbacks after each commit. :class:`StoreEvents` subscribes one such callback and
re-emits the changes as ``changed(list[Change])`` for models and views to follow.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from copdesk.data.changes import Change
from copdesk.data.store import Store


class StoreEvents(QObject):
    """Adapts ``store.subscribe`` to a ``changed`` signal; follows one store at a time."""

    changed = Signal(list)  # list[Change]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store: Store | None = None

    def attach(self, store: Store | None) -> None:
        if self._store is not None:
            self._store.unsubscribe(self._on_changes)
        self._store = store
        if store is not None:
            store.subscribe(self._on_changes)

    def detach(self) -> None:
        self.attach(None)

    def _on_changes(self, recorded: list[Change]) -> None:
        self.changed.emit(list(recorded))
