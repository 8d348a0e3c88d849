"""Both versions of a record someone else changed meanwhile, side by side.

Every form that saves against a row version (members, sessions, assessments, answers,
value entries) shows a :class:`ConflictDialog` when the store refuses the save with a
:class:`~copdesk.data.store.ConflictError`: the user's values beside the store's (or
"Deleted by someone else"), only the fields that differ, and three ways out: reload
their version, overwrite it with mine, or cancel (nothing saved, typing kept).

The dialog works on text: each form describes its values as ``{field: text}`` with the
labels people read (not stored keys), so one dialog serves every kind of record.

:func:`resolve` is the whole "someone else changed it" flow of a form saved against a
version (ask; reload theirs, overwrite or re-create, or cancel), so each form only says
how to describe, refill and save itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from copdesk.ui import dialogs

ERROR_STYLE = "color: #b03a2e;"
DELETED = "Deleted by someone else"

RELOAD, OVERWRITE, CANCEL = "reload", "overwrite", "cancel"

T = TypeVar("T")


def differing(
    labels: Mapping[str, str], mine: Mapping[str, str], theirs: Mapping[str, str]
) -> list[str]:
    """The fields (in ``labels`` order) whose shown values differ between two versions."""
    return [name for name in labels if mine.get(name, "") != theirs.get(name, "")]


class ConflictDialog(QDialog):
    """The user's version beside the store's; ``choice`` is RELOAD, OVERWRITE or CANCEL.

    ``labels`` maps each field to its label, in display order; ``mine`` and ``theirs``
    give each field's value as text. ``theirs=None`` means the record was deleted: then
    ``shown_when_deleted`` (default: the first field) says which of the user's values to
    show so they can tell which record it was.
    """

    RELOAD, OVERWRITE, CANCEL = RELOAD, OVERWRITE, CANCEL

    def __init__(
        self,
        headline: str,
        labels: Mapping[str, str],
        mine: Mapping[str, str],
        theirs: Mapping[str, str] | None,
        *,
        what: str = "record",
        overwrite_text: str = "Overwrite with mine",
        reload_text: str = "Reload their version",
        mine_title: str = "Your version",
        shown_when_deleted: Sequence[str] = (),
        deleted_note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(f"Someone else edited this {what}")
        self.choice = CANCEL
        layout = QVBoxLayout(self)
        title = QLabel(headline)
        title.setObjectName("conflictHeadline")
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold;")
        layout.addWidget(title)
        self.headline = headline
        if theirs is None:
            wanted = list(shown_when_deleted) or list(labels)[:1]
            #: The fields shown, in order.
            self.fields = [n for n in labels if n in wanted]
            note = deleted_note or (
                "It is no longer in the store. Nothing was saved. Re-create it with your "
                "values, or discard your changes."
            )
        else:
            self.fields = differing(labels, mine, theirs)
            note = ("Nothing was saved. Reload to continue from their version (your typing "
                    "is discarded), or overwrite their changes with yours.")
            if not self.fields:
                note = "Your values are the same as theirs. Nothing was saved. " + note
        explain = QLabel(note)
        explain.setObjectName("conflictNote")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.note = note
        #: The cells shown, by field: (yours, theirs) as text (for tests and screen readers).
        self.cells: dict[str, tuple[str, str]] = {}
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        for col, text in enumerate(("", mine_title, "In the store now")):
            head = QLabel(text)
            head.setStyleSheet("font-weight: bold;")
            grid.addWidget(head, 0, col)
        for row, name in enumerate(self.fields, start=1):
            yours = mine.get(name, "")
            stored = (DELETED if row == 1 else "") if theirs is None else theirs.get(name, "")
            self.cells[name] = (yours, stored)
            grid.addWidget(QLabel(labels[name] + ":"), row, 0)
            for col, text in ((1, yours), (2, stored)):
                cell = QLabel(text)
                cell.setTextFormat(Qt.TextFormat.PlainText)
                cell.setWordWrap(True)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                if col == 2 and theirs is None:
                    cell.setStyleSheet(ERROR_STYLE)
                grid.addWidget(cell, row, col)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        layout.addWidget(frame)
        self.buttons = QDialogButtonBox()
        self.reload_button = self.buttons.addButton(
            reload_text, QDialogButtonBox.ButtonRole.ResetRole
        )
        self.overwrite_button = self.buttons.addButton(
            overwrite_text, QDialogButtonBox.ButtonRole.DestructiveRole
        )
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        self.cancel_button = cancel
        self.reload_button.setDefault(True)
        self.reload_button.clicked.connect(lambda: self.choose(RELOAD))
        self.overwrite_button.clicked.connect(lambda: self.choose(OVERWRITE))
        self.cancel_button.clicked.connect(lambda: self.choose(CANCEL))
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def choose(self, choice: str) -> None:
        self.choice = choice
        if choice == CANCEL:
            self.reject()
        else:
            self.accept()


def ask(dialog: ConflictDialog) -> str:
    """Show ``dialog`` modally (through :mod:`copdesk.ui.dialogs`); the user's choice."""
    try:
        dialogs.run(dialog)
        return dialog.choice
    finally:
        dialog.deleteLater()


def edit_headline(name: str, deleted: bool, editing: str = "while you were editing it") -> str:
    """The headline of a save that met someone else's change (or deletion)."""
    return f"Someone else {'deleted' if deleted else 'changed'} {name} {editing}."


class VersionedForm(Protocol):
    """A form saved against the version of the record it was filled from."""

    #: The version the form was filled from (None: overwrite whatever is stored).
    expected_version: int | None
    #: True when saving should re-create a record someone else deleted meanwhile.
    recreate: bool

    def reject(self) -> None: ...


def resolve(
    form: VersionedForm,
    mine: T,
    current: tuple[T, int] | None,
    *,
    what: str,
    name: str,
    labels: Mapping[str, str],
    describe: Callable[[T], Mapping[str, str]],
    refill: Callable[[T], None],
    save: Callable[[], bool],
    shown_when_deleted: Sequence[str] = (),
    editing: str = "while you were editing it",
    recreate_text: str = "Re-create with my values",
    deleted_note: str = "",
) -> bool:
    """Someone else changed or deleted what ``form`` saves: ask; True once it may close.

    ``mine`` is what the user typed; ``current`` the record as stored now with its
    version (None: deleted); ``describe`` turns either into ``{field: text}`` for
    ``labels``; ``name`` (e.g. "the session “Pump clinic”") goes into the headline.

    - Reload: ``refill(theirs)`` and their version becomes ``expected_version``; the form
      stays open (for a deleted record there is nothing left to edit: it is rejected).
    - Overwrite (re-create, if deleted): ``expected_version`` becomes None, ``recreate``
      says whether it was deleted, and ``save()`` submits again; it returns whether the
      form may close (and calls this again if someone changed it yet again meanwhile).
    - Cancel: nothing saved, the form stays open with the user's typing.
    """
    deleted = current is None
    dialog = ConflictDialog(
        edit_headline(name, deleted, editing),
        labels,
        describe(mine),
        None if current is None else describe(current[0]),
        what=what,
        overwrite_text=recreate_text if deleted else "Overwrite with mine",
        reload_text="Discard my changes" if deleted else "Reload their version",
        shown_when_deleted=shown_when_deleted,
        deleted_note=deleted_note,
        parent=form if isinstance(form, QWidget) else None,
    )
    choice = ask(dialog)
    if choice == RELOAD:
        if current is None:
            form.reject()  # nothing left to edit
            return False
        theirs, version = current
        form.expected_version = version
        refill(theirs)
        return False
    if choice != OVERWRITE:
        return False  # keep the form open with the user's typing
    form.expected_version = None
    form.recreate = deleted
    return save()


def delete_headline(name: str, deleted: bool, what: str) -> str:
    """The headline of a delete that met someone else's change."""
    if deleted:
        return f"Someone else already deleted {name}."
    return f"Someone else changed {name} since you selected this {what}."


__all__ = [
    "CANCEL",
    "OVERWRITE",
    "RELOAD",
    "ConflictDialog",
    "VersionedForm",
    "ask",
    "delete_headline",
    "differing",
    "edit_headline",
    "resolve",
]
