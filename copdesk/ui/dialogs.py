"""Every modal the UI opens goes through one of these small functions.

Message boxes, confirmations, file dialogs and custom dialogs are shown from here only, so
tests replace these functions (``monkeypatch.setattr(dialogs, "confirm", ...)``) and no test
ever waits on a real modal. ``tests/ui/conftest.py`` replaces all of them with stubs that
fail the test unless the test said which answer to give.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)


def run(dialog: QDialog) -> bool:
    """Show a custom dialog modally; True when the user accepted it."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def information(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def error(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    ok_text: str = "OK",
    informative: str = "",
    destructive: bool = False,
) -> bool:
    """Ask a yes/no question; Cancel is the default for destructive actions."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    if informative:
        box.setInformativeText(informative)
    role = (
        QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    ok = box.addButton(ok_text, role)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if destructive else ok)
    box.exec()
    return box.clickedButton() is ok


def confirm_typed(parent: QWidget | None, title: str, text: str, word: str) -> bool:
    """A strong confirmation: the user must type ``word`` to go ahead."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    message = QLabel(text)
    message.setWordWrap(True)
    layout.addWidget(message)
    layout.addWidget(QLabel(f"Type <b>{word}</b> to confirm:"))
    edit = QLineEdit()
    layout.addWidget(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    go = buttons.addButton(title, QDialogButtonBox.ButtonRole.DestructiveRole)
    go.setEnabled(False)
    edit.textChanged.connect(lambda t: go.setEnabled(t.strip() == word))
    go.clicked.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return dialog.exec() == QDialog.DialogCode.Accepted


def choose(
    parent: QWidget | None, title: str, label: str, items: list[str], current: int = 0
) -> str | None:
    """Pick one of ``items``; None when cancelled."""
    text, ok = QInputDialog.getItem(parent, title, label, items, current, False)
    return text if ok else None


def password(parent: QWidget | None, title: str, label: str) -> str | None:
    """Ask for a password (typed unseen); None when cancelled. Kept by no one."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def open_file(
    parent: QWidget | None, caption: str, filters: str, directory: str = ""
) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, caption, directory, filters)
    return Path(name) if name else None


def save_file(
    parent: QWidget | None, caption: str, filters: str, suggested: str = ""
) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filters)
    return Path(name) if name else None


def store_problem(parent: QWidget | None, message: str) -> str:
    """A store cannot be opened: ask what to do. Returns "other", "default" or "quit"."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "copdesk cannot open this store",
        message,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    other = box.addButton("Open another store…", QMessageBox.ButtonRole.AcceptRole)
    default = box.addButton("Use the default store", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(other)
    box.exec()
    clicked = box.clickedButton()
    if clicked is other:
        return "other"
    if clicked is default:
        return "default"
    return "quit"
