"""One undo design for every tab: commands built from two callables that use the store.

A user action is performed once, directly, so that a refused change (a validation error,
a store error) raises to the caller and leaves the undo stack untouched. Only when it has
succeeded is a :class:`StoreCommand` pushed, carrying how to undo it and how to do it
again::

    mid = store.run(members.add_member, cid, data)
    snap = store.run(members.snapshot_member, mid)
    perform_done(stack, "Add Ana",
                 undo=lambda: store.run(members.delete_member, mid),
                 redo=lambda: store.run(members.restore_member, snap))

or, for actions with nothing to return, ``perform(stack, text, do=..., undo=...)``.
Undo and redo work on snapshots (``members.snapshot_member``/``restore_member``), so the
UI never needs to know the schema. If an undo or redo cannot be applied any more (another
change got in the way), the user is told and the history is cleared rather than left lying.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack

from copdesk.data.communities import CommunityError
from copdesk.data.store import StoreError
from copdesk.data.validation import ValidationError
from copdesk.ui import dialogs

#: Failures an undo or redo may meet; anything else is a bug and goes to the excepthook.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    StoreError,
    ValidationError,
    LookupError,
    CommunityError,
)


class StoreCommand(QUndoCommand):
    """An undoable store change: ``redo`` and ``undo`` are callables using ``store.run``."""

    def __init__(
        self,
        text: str,
        *,
        redo: Callable[[], Any],
        undo: Callable[[], Any],
        done: bool = True,
    ) -> None:
        super().__init__(text)
        self._redo = redo
        self._undo = undo
        self._skip_first_redo = done
        self.stack: QUndoStack | None = None

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._apply(self._redo, "redo")

    def undo(self) -> None:
        self._apply(self._undo, "undo")

    def _apply(self, fn: Callable[[], Any], what: str) -> None:
        try:
            fn()
        except EXPECTED_ERRORS as exc:
            message = exc.errors if isinstance(exc, ValidationError) else None
            detail = "; ".join(message.values()) if message else str(exc)
            stack = self.stack
            done = "undone" if what == "undo" else "redone"
            dialogs.warning(
                None,
                f"Cannot {what}",
                f"“{self.text()}” cannot be {done} any more: {detail}\n\n"
                "The undo history has been cleared; your data is as shown.",
            )
            if stack is not None:
                QTimer.singleShot(0, stack.clear)


def perform_done(
    stack: QUndoStack, text: str, *, undo: Callable[[], Any], redo: Callable[[], Any]
) -> StoreCommand:
    """Record an action that has already been done."""
    command = StoreCommand(text, redo=redo, undo=undo, done=True)
    command.stack = stack
    stack.push(command)
    return command


def perform(
    stack: QUndoStack, text: str, *, do: Callable[[], Any], undo: Callable[[], Any]
) -> Any:
    """Do an action now (errors propagate, nothing recorded) and record it for undo."""
    result = do()
    perform_done(stack, text, undo=undo, redo=do)
    return result
