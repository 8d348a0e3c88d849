"""The Fitness tab's own dialogs: start (or edit) an assessment, pick a session to link.

They are shown through :func:`copdesk.ui.dialogs.run` like every modal of the app. When
editing, a save against an assessment someone else changed or deleted meanwhile shows
both versions (:mod:`copdesk.ui.conflicts`): reload theirs, overwrite, or cancel.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.fitness import OpenAction
from copdesk.data.sessions import SessionRow
from copdesk.data.store import ConflictError
from copdesk.data.validation import ValidationError
from copdesk.framework import CHECKLISTS
from copdesk.ui import conflicts
from copdesk.ui.fitness.common import MUTED, WARN, date_text

ID_ROLE = Qt.ItemDataRole.UserRole

#: An assessment's editable details: the date, who took part and the notes.
Details = tuple[dt.date, tuple[int, ...], str]
DETAIL_LABELS: dict[str, str] = {"held_on": "Date", "participants": "Who took part",
                                 "notes": "Notes"}


def _fold(text: str) -> str:
    """Folded for matching as you type: case and accents ignored ("jose" finds José)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class AssessmentDialog(QDialog):
    """Checklist, date, participants and notes of a new (or existing) assessment.

    ``submit(checklist, held_on, participant_ids, notes)`` saves; a ValidationError it
    raises is shown beside the field and the dialog stays open. ``actions_for(date)`` lists
    the open actions of the last assessment before a date (only for a new assessment).

    When editing, ``expected_version`` is the version of the assessment the dialog was
    filled from. If ``submit`` raises ConflictError, ``load_current()`` reads the details
    as stored now (None: deleted) and both versions are shown: reload theirs, overwrite
    (``expected_version`` becomes None; ``recreate`` is True for a deleted assessment),
    or cancel.
    """

    def __init__(
        self,
        people: Sequence[tuple[int, str]],
        submit: Callable[[str, dt.date, list[int], str], None],
        *,
        today: dt.date,
        actions_for: Callable[[dt.date, str], list[OpenAction]] | None = None,
        checklist: str = "fitness_test",
        held_on: dt.date | None = None,
        participant_ids: Sequence[int] = (),
        notes: str = "",
        editing: bool = False,
        expected_version: int | None = None,
        load_current: Callable[[], tuple[Details, int] | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentDialog")
        #: The version the dialog was filled from (None: overwrite whatever is stored).
        self.expected_version = expected_version
        #: True when saving should re-create an assessment someone else deleted meanwhile.
        self.recreate = False
        self._load_current = load_current
        self._names = dict(people)
        self.setWindowTitle("Edit assessment details" if editing else "New fitness assessment")
        self._submit = submit
        self._today = today
        self._actions_for = actions_for
        self.checklist = QComboBox()
        self.checklist.setObjectName("checklistChoice")
        for c in CHECKLISTS:
            self.checklist.addItem(c.label, c.key)
            last = self.checklist.count() - 1
            self.checklist.setItemData(last, c.help, Qt.ItemDataRole.ToolTipRole)
        self.checklist.setCurrentIndex(max(0, self.checklist.findData(checklist)))
        self.checklist.setEnabled(not editing)
        self.checklist_help = QLabel()
        self.checklist_help.setStyleSheet(f"color: {MUTED};")
        self.checklist_help.setWordWrap(True)
        self.date = QDateEdit()
        self.date.setObjectName("assessmentDate")
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        day = held_on or today
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.date_error = QLabel()
        self.date_error.setObjectName("dateError")
        self.date_error.setStyleSheet(f"color: {WARN};")
        self.date_error.hide()
        self.people_filter = QLineEdit()
        self.people_filter.setObjectName("participantFilter")
        self.people_filter.setPlaceholderText("Type to find a member; Space ticks who took part")
        self.people_filter.setClearButtonEnabled(True)
        self.people = QListWidget()
        self.people.setObjectName("participants")
        chosen = set(participant_ids)
        for mid, name in people:
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, mid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if mid in chosen else Qt.CheckState.Unchecked
            )
            self.people.addItem(item)
        self.people.setMinimumHeight(140)
        self.people_count = QLabel()
        self.people_count.setStyleSheet(f"color: {MUTED};")
        self.notes = QLineEdit(notes)
        self.notes.setObjectName("assessmentNotes")
        self.notes.setPlaceholderText("Optional: where and how the check was run")
        self.error = QLabel()
        self.error.setObjectName("assessmentError")
        self.error.setStyleSheet(f"color: {WARN};")
        self.error.setWordWrap(True)
        self.error.hide()
        self.actions_label = QLabel()
        self.actions_label.setObjectName("openActions")
        self.actions_label.setWordWrap(True)
        self.actions_label.setTextFormat(Qt.TextFormat.RichText)
        self.actions_label.setStyleSheet(
            "background: #fdf6e3; border-left: 3px solid #E69F00; padding: 6px 8px;"
        )
        self.actions_label.setVisible(False)

        form = QFormLayout()
        form.addRow("&Checklist:", self.checklist)
        form.addRow("", self.checklist_help)
        form.addRow("&Date:", self.date)
        form.addRow("", self.date_error)
        form.addRow("&Who took part:", self.people_filter)
        form.addRow("", self.people)
        form.addRow("", self.people_count)
        form.addRow("&Notes:", self.notes)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Save" if editing else "Start assessment")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.actions_label)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.checklist.currentIndexChanged.connect(self._checklist_changed)
        self.date.dateChanged.connect(self._date_changed)
        self.people_filter.textChanged.connect(self._filter_people)
        self.people.itemChanged.connect(self._count_people)
        self.people_filter.installEventFilter(self)
        self._checklist_changed()
        self._date_changed()
        self._count_people()
        (self.date if editing else self.checklist).setFocus()

    # -- reading ---------------------------------------------------------------------------
    def chosen_checklist(self) -> str:
        return str(self.checklist.currentData())

    def held_on(self) -> dt.date:
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())

    def participant_ids(self) -> list[int]:
        out = []
        for i in range(self.people.count()):
            item = self.people.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(ID_ROLE)))
        return out

    # -- reacting ----------------------------------------------------------------------------
    def _checklist_changed(self) -> None:
        self.checklist_help.setText(str(self.checklist.currentData(Qt.ItemDataRole.ToolTipRole)))
        if hasattr(self, "buttons"):
            self._show_actions(self.held_on())

    def _date_changed(self) -> None:
        day = self.held_on()
        future = day > self._today
        self.date_error.setText(
            f"An assessment cannot be dated in the future (today is {date_text(self._today)})"
            if future
            else ""
        )
        self.date_error.setVisible(future)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not future)
        self._show_actions(day)

    def _show_actions(self, day: dt.date) -> None:
        if self._actions_for is None:
            return
        actions = self._actions_for(day, self.chosen_checklist())
        if not actions:
            self.actions_label.setVisible(False)
            return
        items = "".join(
            f"<li><b>{_escape(a.action)}</b> <span style='color:{MUTED}'>"
            f"({_escape(a.question_text)})</span></li>"
            for a in actions
        )
        self.actions_label.setText(
            f"<b>Open actions from the assessment of {date_text(actions[0].held_on)}</b>"
            f" — review them in this check:<ul style='margin-left:-18px'>{items}</ul>"
        )
        self.actions_label.setVisible(True)

    def open_action_texts(self) -> list[str]:
        if self._actions_for is None:
            return []
        return [a.action for a in self._actions_for(self.held_on(), self.chosen_checklist())]

    def _filter_people(self, text: str) -> None:
        words = _fold(text).split()
        first: QListWidgetItem | None = None
        for i in range(self.people.count()):
            item = self.people.item(i)
            hidden = not all(w in _fold(item.text()) for w in words)
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None:
            self.people.setCurrentItem(first)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in a non-empty member filter ticks the first match (not the OK button)."""
        if (
            watched is self.people_filter
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.people_filter.text().strip()
        ):
            item = self.people.currentItem()
            if item is not None and not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked)
            self.people_filter.clear()
            return True
        return super().eventFilter(watched, event)

    def _count_people(self, *_args: object) -> None:
        n = len(self.participant_ids())
        self.people_count.setText(
            "Nobody ticked yet" if n == 0 else f"{n} member{'s' if n != 1 else ''} took part"
        )

    def accept(self) -> None:
        if self.held_on() > self._today:
            self._date_changed()
            return
        if self._save():
            super().accept()

    def _save(self) -> bool:
        """Submit what is typed; True once the dialog may close."""
        try:
            self._submit(
                self.chosen_checklist(), self.held_on(), self.participant_ids(), self.notes.text()
            )
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except ConflictError:
            return self._resolve_conflict()
        return True

    def _show_errors(self, errors: dict[str, str]) -> None:
        if "held_on" in errors:
            self.date_error.setText(errors["held_on"])
            self.date_error.show()
        others = [m for k, m in errors.items() if k != "held_on"]
        self.error.setText("; ".join(others))
        self.error.setVisible(bool(others))

    # -- someone else changed the assessment -------------------------------------------------
    def details(self) -> Details:
        return (self.held_on(), tuple(self.participant_ids()), self.notes.text())

    def set_details(self, details: Details) -> None:
        day, people, notes = details
        self.date.setDate(QDate(day.year, day.month, day.day))
        chosen = set(people)
        for i in range(self.people.count()):
            item = self.people.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if int(item.data(ID_ROLE)) in chosen
                else Qt.CheckState.Unchecked
            )
        self.notes.setText(notes)
        self.error.hide()

    def describe(self, details: Details) -> dict[str, str]:
        day, people, notes = details
        names = sorted((self._names.get(m, "(a member no longer listed)") for m in people),
                       key=str.casefold)
        return {
            "held_on": date_text(day),
            "participants": ", ".join(names) or "(nobody recorded)",
            "notes": notes.strip() or "(empty)",
        }

    def _resolve_conflict(self) -> bool:
        loaded = self._load_current() if self._load_current is not None else None
        return conflicts.resolve(
            self, self.details(), loaded, what="assessment", name="this assessment",
            editing="while you were editing its details", labels=DETAIL_LABELS,
            describe=self.describe, refill=self.set_details, save=self._save,
            shown_when_deleted=("held_on", "participants"),
            recreate_text="Re-create with my details",
            deleted_note="It is no longer in the store, with its answers. Nothing was saved. "
                         "Re-create it (its answers as you last saw them) with your details, "
                         "or discard your changes.",
        )  # fmt: skip


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SessionPickerDialog(QDialog):
    """Pick one of the community's sessions (newest first) as evidence; type to filter."""

    def __init__(
        self, sessions: Sequence[SessionRow], question: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sessionPicker")
        self.setWindowTitle("Link a session as evidence")
        self.chosen_id: int | None = None
        intro = QLabel(f"Which session backs the evidence for “{question}”?")
        intro.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setObjectName("sessionFilter")
        self.filter.setPlaceholderText("Type to filter by title or date; ↓ to the list")
        self.list = QListWidget()
        self.list.setObjectName("sessionList")
        for row in sorted(sessions, key=lambda r: r.starts_at, reverse=True):
            text = f"{row.starts_at:%Y-%m-%d}  {row.title}"
            if row.status != "held":
                text += f"  ({row.status})"
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, row.id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.empty = QLabel("This community has no sessions yet.")
        self.empty.setStyleSheet(f"color: {MUTED};")
        self.empty.setVisible(self.list.count() == 0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Link")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(480, 420)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self.accept)
        self.list.itemActivated.connect(lambda _i: self.accept())
        self.filter.setFocus()

    def _filter(self, text: str) -> None:
        words = _fold(text).split()
        first = -1
        for i in range(self.list.count()):
            item = self.list.item(i)
            hidden = not all(w in _fold(item.text()) for w in words)
            item.setHidden(hidden)
            if not hidden and first < 0:
                first = i
        if first >= 0:
            self.list.setCurrentRow(first)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and self.filter.hasFocus():
            self.list.setFocus()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return
        self.chosen_id = int(item.data(ID_ROLE))
        super().accept()
