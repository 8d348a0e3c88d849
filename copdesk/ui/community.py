"""Creating a community, and the welcome page shown while a store has none open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.communities import CommunityInfo
from copdesk.data.validation import ValidationError
from copdesk.framework import Stage
from copdesk.ui.icons import app_icon

STAGE_HELP = {
    Stage.POTENTIAL: "People face similar problems and see the value of sharing",
    Stage.COALESCING: "Members come together and launch the community",
    Stage.MATURING: "The community sets its focus, roles and boundaries",
    Stage.STEWARDSHIP: "The community sustains its momentum and relevance",
    Stage.TRANSFORMATION: "The community radically changes, merges or closes",
}


class CommunityForm(QDialog):
    """Name, domain statement, host organisation and stage of a community.

    ``submit(name, domain, host, stage)`` creates it, or with ``info`` saves the details of
    that community (raising ValidationError for a name already taken); the dialog closes
    only once it succeeded. ``submit`` returning False keeps the form open (after a
    conflict the user chose to reload, say).
    """

    def __init__(
        self,
        submit: Callable[[str, str, str, str], bool | None],
        parent: QWidget | None = None,
        *,
        info: CommunityInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        #: Saved against this version (a conflict's Reload takes the store's).
        self.expected_version: int | None = info.version if info is not None else None
        self.recreate = False  # what conflicts.resolve sets; a community is not re-created
        self.setWindowTitle("New community" if info is None else "Community details")
        self.setObjectName("communityForm")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Water & Sanitation Practitioners")
        self.domain = QPlainTextEdit()
        self.domain.setPlaceholderText(
            "The shared area of interest: what members care about and learn together"
        )
        self.domain.setFixedHeight(72)
        self.host = QLineEdit()
        self.host.setPlaceholderText("The sponsoring organisation, if any")
        self.stage = QComboBox()
        for stage in Stage:
            self.stage.addItem(stage.label, stage.value)
            self.stage.setItemData(
                self.stage.count() - 1, STAGE_HELP[stage], Qt.ItemDataRole.ToolTipRole
            )
        self.stage.setCurrentIndex(self.stage.findData(Stage.COALESCING.value))
        self.name_error = QLabel()
        self.name_error.setStyleSheet("color: #b03a2e;")
        self.name_error.setTextFormat(Qt.TextFormat.PlainText)
        self.name_error.hide()

        name_cell = QWidget()
        cell = QVBoxLayout(name_cell)
        cell.setContentsMargins(0, 0, 0, 0)
        cell.setSpacing(2)
        cell.addWidget(self.name)
        cell.addWidget(self.name_error)
        form = QFormLayout()
        form.addRow("Name:", name_cell)
        form.addRow("Domain:", self.domain)
        form.addRow("Host organisation:", self.host)
        form.addRow("Stage of development:", self.stage)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("Create community" if info is None else "Save")
        self.ok_button = ok
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.name.textEdited.connect(lambda _t: self.name_error.hide())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        if info is not None:
            self.fill(info)

    def fill(self, info: CommunityInfo) -> None:
        """Show ``info``'s details in the form."""
        self.name.setText(info.name)
        self.domain.setPlainText(info.domain)
        self.host.setText(info.host_organisation)
        self.stage.setCurrentIndex(max(0, self.stage.findData(info.stage)))
        self.name_error.hide()

    def values(self) -> tuple[str, str, str, str]:
        """(name, domain, host, stage) as typed."""
        return (self.name.text(), self.domain.toPlainText(), self.host.text(),
                str(self.stage.currentData()))

    def accept(self) -> None:
        try:
            done = self._submit(*self.values())
        except ValidationError as exc:
            self.name_error.setText("; ".join(exc.errors.values()))
            self.name_error.show()
            self.name.setFocus()
            return
        if done is False:
            return
        super().accept()


class WelcomePage(QWidget):
    """Shown when the store has no community yet (first run): create one, or try the demo."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        logo.setMinimumHeight(80)
        title = QLabel("Welcome to copdesk")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 20pt; font-weight: 600; color: #1c2833;")
        text = QLabel(
            "This store has no community yet. Create yours to start the roster, or open the "
            "demo community to look around first: about sixty members with their "
            "expertise and interests, which you can delete later."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setStyleSheet("font-size: 11pt; color: #5d6d7e;")
        self.create_button = QPushButton("Create your community…")
        self.create_button.setDefault(True)
        self.create_button.setMinimumHeight(36)
        self.demo_button = QPushButton("Open the demo community")
        self.demo_button.setMinimumHeight(36)
        self.open_button = QPushButton("Open another store…")
        self.open_button.setFlat(True)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        card = QFrame()
        card.setObjectName("welcomeCard")
        card.setFixedWidth(620)
        inner = QVBoxLayout(card)
        inner.addWidget(logo)
        inner.addWidget(title)
        inner.addSpacing(6)
        inner.addWidget(text)
        inner.addSpacing(14)
        inner.addLayout(buttons)
        inner.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
