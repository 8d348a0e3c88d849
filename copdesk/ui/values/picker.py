"""A search box over a checkable list: type a few letters, Enter ticks the first match."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from copdesk.ui.values.model import CheckListModel, CheckListProxy, Choice


class CheckListPicker(QWidget):
    """Pick several items by keyboard.

    In the search box: type to narrow the list, Enter ticks the first unticked match and
    clears the box, Down moves into the list. In the list: Space ticks or unticks.
    """

    changed = Signal()

    def __init__(
        self,
        choices: Sequence[Choice],
        *,
        placeholder: str = "Search…",
        noun: tuple[str, str] = ("item", "items"),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._noun = noun
        self.model = CheckListModel(choices, self)
        self.proxy = CheckListProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.count = QLabel()
        self.count.setStyleSheet("color: #5d6d7e;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self.proxy.set_text)
        self.search.installEventFilter(self)
        self.model.checks_changed.connect(self._on_checks)
        self._on_checks()

    def set_checked(self, ids: Sequence[int] | set[int]) -> None:
        self.model.set_checked(ids)

    def checked_ids(self) -> tuple[int, ...]:
        return self.model.checked_ids()

    def _on_checks(self) -> None:
        n = len(self.model.checked_ids())
        self.count.setText(f"{n} {self._noun[0] if n == 1 else self._noun[1]} chosen")
        self.changed.emit()

    def tick_first_match(self) -> bool:
        """Tick the first visible unticked item (Enter in the search box).

        The search box is cleared when something matched, ready for the next name.
        """
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if not self.model.is_checked(source.row()):
                self.model.toggle(source.row())
                self.search.clear()
                return True
        if self.proxy.rowCount():  # every match is ticked already
            self.search.clear()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.search.text():
                self.tick_first_match()
                return True  # never let Enter here close the dialog
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                self.view.setFocus(Qt.FocusReason.TabFocusReason)
                if not self.view.currentIndex().isValid():
                    self.view.setCurrentIndex(self.proxy.index(0, 0))
                return True
        return super().eventFilter(watched, event)
