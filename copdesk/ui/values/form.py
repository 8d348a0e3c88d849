"""The value entry form, with a message beside each field that is wrong.

Built for the minute after a meeting: pre-filled from the session when opened from one,
the title has the focus, letters pick the kind and cycle, Ctrl+Enter saves from anywhere.
When editing, a save against an entry someone else changed or deleted meanwhile shows
both versions (:mod:`copdesk.ui.conflicts`): reload theirs, overwrite, or cancel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QDate, QMimeData, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.sessions import SessionRow
from copdesk.data.store import ConflictError
from copdesk.data.validation import ValidationError
from copdesk.data.values import (
    MAX_DESCRIPTION,
    EntryData,
    parse_measure,
    validate_entry,
)
from copdesk.framework import (
    FUNCTION_BY_KEY,
    FUNCTIONS,
    VALUE_CYCLE_BY_KEY,
    VALUE_CYCLES,
    VALUE_KIND_BY_KEY,
    VALUE_TO_MEMBERS,
    VALUE_TO_ORGANISATION,
)
from copdesk.ui import conflicts
from copdesk.ui.values.model import Choice, format_number
from copdesk.ui.values.picker import CheckListPicker

ERROR_STYLE = "color: #b03a2e;"
HELP_STYLE = "color: #5d6d7e;"

#: Fields with a message label, in the order the keyboard visits them.
FIELDS = (
    "entry_date",
    "title",
    "kind",
    "cycle",
    "function",
    "session_id",
    "measure_value",
    "measure_unit",
    "logged_by",
    "beneficiaries",
    "description",
    "evidence",
)


def too_long(length: int, what: str = "description") -> str:
    return (
        f"The {what} is too long ({length:,} characters; at most {MAX_DESCRIPTION:,}). "
        "Shorten it, or keep the full text elsewhere and summarise it here."
    )


class LimitedTextEdit(QPlainTextEdit):
    """Plain text that refuses a paste which would take it past ``limit`` characters."""

    refused = Signal(int)  # the length the paste would have made

    def __init__(self, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self.setTabChangesFocus(True)

    def length(self) -> int:
        return max(self.document().characterCount() - 1, 0)

    def insertFromMimeData(self, source: QMimeData) -> None:
        text = source.text() if source.hasText() else ""
        selected = len(self.textCursor().selectedText())
        after = self.length() - selected + len(text)
        if after > self.limit:
            self.refused.emit(after)
            return
        super().insertFromMimeData(source)


def session_label(row: SessionRow) -> str:
    return f"{row.starts_at:%Y-%m-%d} · {row.title}"


class PersonLike(Protocol):
    """What the form needs of a member (a ``MemberRow`` or the Value tab's light
    :class:`~copdesk.data.value_queries.Person`)."""

    @property
    def id(self) -> int: ...
    @property
    def full_name(self) -> str: ...
    @property
    def organisation(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def consent(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def erased(self) -> bool: ...


#: The fields of an entry as the conflict dialog names them, in display order.
CONFLICT_LABELS: dict[str, str] = {
    "entry_date": "Date",
    "title": "Title",
    "kind": "Kind",
    "cycle": "Cycle",
    "function": "Function",
    "session_id": "Session",
    "measure": "Measure",
    "logged_by": "Logged by",
    "beneficiaries": "Who benefited",
    "description": "Description",
    "evidence": "Evidence",
}


def _short(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def member_choices(rows: Sequence[PersonLike], keep: Sequence[int] = ()) -> list[Choice]:
    """Active members, plus any in ``keep`` (already chosen) who left since."""
    out = []
    for m in rows:
        if m.status != "active" and m.id not in keep:
            continue
        name = "(erased member)" if m.erased else m.full_name
        extra = " · ".join(p for p in (m.organisation, m.region) if p)
        detail = extra + ("" if m.consent else " · not named in host reports")
        out.append(Choice(m.id, f"{name} · {m.organisation}" if m.organisation else name,
                          detail.strip(" ·")))
    return out


class EntryForm(QDialog):
    """Add or edit a value entry.

    ``submit(data)`` saves (raising ValidationError for anything the store refuses); the
    dialog closes only when it returns.

    When editing, ``expected_version`` is the version of the entry the form was filled
    from (the tab's ``submit`` hands it to the store). If the store refuses the save with
    ConflictError, ``load_current()`` reads the entry as stored now (None: deleted) and
    the form shows both versions: reload theirs (the form stays open with their values),
    overwrite (``expected_version`` becomes None and the form saves again; ``recreate``
    is True for an entry deleted meanwhile), or cancel (nothing saved, typing kept).
    """

    def __init__(
        self,
        submit: Callable[[EntryData], None],
        *,
        members: Sequence[PersonLike],
        sessions: Sequence[SessionRow],
        units: Sequence[str] = (),
        initial: EntryData | None = None,
        editing: bool = False,
        heading: str = "",
        today: dt.date | None = None,
        expected_version: int | None = None,
        load_current: Callable[[], tuple[EntryData, int] | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._today = today or dt.date.today()
        self.editing = editing
        #: The version the form was filled from (None: overwrite whatever is stored).
        self.expected_version = expected_version
        #: True when saving should re-create an entry someone else deleted meanwhile.
        self.recreate = False
        self._load_current = load_current
        self._names = {m.id: m.full_name for m in members if not m.erased}
        self.setObjectName("entryForm")
        self.setWindowTitle("Edit value entry" if editing else "Log value")
        keep = tuple(initial.beneficiary_ids) if initial else ()
        self._init_fields(members, sessions, units, keep)
        self._init_layout(heading)
        self._connect_signals()
        self.set_data(initial or EntryData(entry_date=self._today, title="", kind="", cycle=""))
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ------------------------------------------------------------------------
    def _init_fields(
        self,
        members: Sequence[PersonLike],
        sessions: Sequence[SessionRow],
        units: Sequence[str],
        keep: Sequence[int],
    ) -> None:
        self.entry_date = QDateEdit()
        self.entry_date.setCalendarPopup(True)
        self.entry_date.setDisplayFormat("yyyy-MM-dd")
        self.entry_date.setMaximumDate(_qdate(self._today))
        self.title = QLineEdit()
        self.title.setPlaceholderText("What happened, in a line (required)")
        self.title.setMaxLength(400)
        self.kind = QComboBox()
        self.kind.setObjectName("kindCombo")
        self.kind.addItem("Choose the kind of value…", "")
        model = self.kind.model()
        for heading, terms in (("— Value to members —", VALUE_TO_MEMBERS),
                               ("— Value to the organisation —", VALUE_TO_ORGANISATION)):
            self.kind.addItem(heading, None)
            if isinstance(model, QStandardItemModel):
                item = model.item(self.kind.count() - 1)
                item.setEnabled(False)
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            for term in terms:
                self.kind.addItem(term.label, term.key)
        self.cycle = QComboBox()
        self.cycle.addItem("Choose the value-creation cycle…", "")
        for term in VALUE_CYCLES:
            self.cycle.addItem(term.label, term.key)
            self.cycle.setItemData(self.cycle.count() - 1, term.help,
                                   Qt.ItemDataRole.ToolTipRole)
        self.cycle_help = QLabel()
        self.cycle_help.setObjectName("cycleHelp")
        self.cycle_help.setStyleSheet(HELP_STYLE)
        self.cycle_help.setWordWrap(True)
        self.function = QComboBox()
        self.function.addItem("(not recorded)", "")
        for term in FUNCTIONS:
            self.function.addItem(term.label, term.key)
            self.function.setItemData(self.function.count() - 1, term.help,
                                      Qt.ItemDataRole.ToolTipRole)
        self.session = QComboBox()
        self.session.addItem("(none)", None)
        for row in sorted(sessions, key=lambda s: s.starts_at, reverse=True):
            if row.status == "cancelled":
                continue
            self.session.addItem(session_label(row), row.id)
        self.measure_value = QLineEdit()
        self.measure_value.setPlaceholderText("Number, e.g. 12")
        self.measure_value.setMaximumWidth(120)
        self.measure_unit = QLineEdit()
        self.measure_unit.setPlaceholderText("Unit, e.g. hours saved")
        completer = QCompleter(sorted({u for u in units if u}, key=str.casefold), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.measure_unit.setCompleter(completer)
        self.logged_by = QComboBox()
        self.logged_by.addItem("(not recorded)", None)
        for m in members:
            if m.erased:
                continue
            self.logged_by.addItem(m.full_name, m.id)
        self.picker = CheckListPicker(
            member_choices(members, keep),
            placeholder="Type a name, Enter to tick",
            noun=("member", "members"),
        )
        self.picker.setObjectName("beneficiaryPicker")
        self.picker.view.setMinimumHeight(150)
        self.for_organisation = QCheckBox("The host organisation")
        self.description = LimitedTextEdit(MAX_DESCRIPTION)
        self.description.setPlaceholderText("What happened and what it gave (optional)")
        self.description.setMinimumHeight(90)
        self.evidence = LimitedTextEdit(MAX_DESCRIPTION)
        self.evidence.setPlaceholderText("How we know: a quote, a link, a document (optional)")
        self.evidence.setFixedHeight(60)

        self.errors: dict[str, QLabel] = {}
        for name in FIELDS:
            label = QLabel()
            label.setObjectName(f"error_{name}")
            label.setStyleSheet(ERROR_STYLE)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.hide()
            self.errors[name] = label
        self.focus_of: dict[str, QWidget] = {
            "entry_date": self.entry_date,
            "title": self.title,
            "kind": self.kind,
            "cycle": self.cycle,
            "function": self.function,
            "session_id": self.session,
            "measure_value": self.measure_value,
            "measure_unit": self.measure_unit,
            "logged_by": self.logged_by,
            "beneficiaries": self.picker.search,
            "description": self.description,
            "evidence": self.evidence,
        }

    def _cell(self, *widgets: QWidget, errors: Sequence[str] = ()) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        for w in widgets:
            box.addWidget(w)
        for name in errors:
            box.addWidget(self.errors[name])
        return cell

    def _init_layout(self, heading: str) -> None:
        left = QFormLayout()
        left.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        left.addRow("&Date:", self._cell(self.entry_date, errors=["entry_date"]))
        left.addRow("&Title:", self._cell(self.title, errors=["title"]))
        left.addRow("&Kind:", self._cell(self.kind, errors=["kind"]))
        left.addRow("C&ycle:", self._cell(self.cycle, self.cycle_help, errors=["cycle"]))
        left.addRow("&Function:", self._cell(self.function, errors=["function"]))
        left.addRow("&Session:", self._cell(self.session, errors=["session_id"]))
        measure = QWidget()
        row = QHBoxLayout(measure)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.measure_value)
        row.addWidget(self.measure_unit, 1)
        left.addRow("&Measure:", self._cell(measure, errors=["measure_value", "measure_unit"]))
        left.addRow("&Logged by:", self._cell(self.logged_by, errors=["logged_by"]))

        right = QFormLayout()
        right.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        right.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        right.addRow("&Who benefited:", self._cell(self.picker, self.for_organisation,
                                                   errors=["beneficiaries"]))
        right.addRow("Descr&iption:", self._cell(self.description, errors=["description"]))
        right.addRow("&Evidence:", self._cell(self.evidence, errors=["evidence"]))

        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        columns.addSpacing(12)
        columns.addLayout(right, 6)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Save changes" if self.editing else "Log value")
        self.ok_button.setToolTip("Save (Ctrl+Enter)")
        hint = QLabel("Ctrl+Enter saves from any field.")
        hint.setStyleSheet(HELP_STYLE)

        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setObjectName("entryHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-weight: 600; color: #34495e;")
        self.heading.setWordWrap(True)
        self.heading.setVisible(bool(heading))
        layout.addWidget(self.heading)
        layout.addLayout(columns, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.setMinimumWidth(1000)
        for a, b in zip(
            (self.entry_date, self.title, self.kind, self.cycle, self.function, self.session,
             self.measure_value, self.measure_unit, self.logged_by, self.picker.search,
             self.picker.view, self.for_organisation, self.description, self.evidence),
            (self.title, self.kind, self.cycle, self.function, self.session,
             self.measure_value, self.measure_unit, self.logged_by, self.picker.search,
             self.picker.view, self.for_organisation, self.description, self.evidence,
             self.ok_button),
            strict=True,
        ):
            QWidget.setTabOrder(a, b)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.activated.connect(self.accept)
        self.cycle.currentIndexChanged.connect(lambda _i: self._show_cycle_help())
        self.title.textEdited.connect(lambda _t: self._clear("title"))
        self.kind.currentIndexChanged.connect(lambda _i: self._clear("kind"))
        self.cycle.currentIndexChanged.connect(lambda _i: self._clear("cycle"))
        self.measure_value.textEdited.connect(lambda _t: self._clear("measure_value"))
        self.measure_unit.textEdited.connect(lambda _t: self._clear("measure_unit"))
        self.entry_date.dateChanged.connect(lambda _d: self._clear("entry_date"))
        self.session.currentIndexChanged.connect(lambda _i: self._clear("session_id"))
        self.picker.changed.connect(lambda: self._clear("beneficiaries"))
        self.for_organisation.toggled.connect(lambda _on: self._clear("beneficiaries"))
        self.description.textChanged.connect(lambda: self._check_length("description"))
        self.evidence.textChanged.connect(lambda: self._check_length("evidence"))
        self.description.refused.connect(lambda n: self._refused("description", n))
        self.evidence.refused.connect(lambda n: self._refused("evidence", n))

    # -- data ----------------------------------------------------------------------------
    def set_data(self, data: EntryData) -> None:
        self.entry_date.setDate(_qdate(min(data.entry_date, self._today)))
        self.title.setText(data.title)
        self.kind.setCurrentIndex(max(self.kind.findData(data.kind), 0) if data.kind else 0)
        self.cycle.setCurrentIndex(max(self.cycle.findData(data.cycle), 0) if data.cycle else 0)
        self.function.setCurrentIndex(max(self.function.findData(data.function), 0))
        index = self.session.findData(data.session_id) if data.session_id is not None else 0
        self.session.setCurrentIndex(max(index, 0))
        self.measure_value.setText(
            format_number(data.measure_value).replace(",", "")
            if data.measure_value is not None else ""
        )
        self.measure_unit.setText(data.measure_unit)
        index = self.logged_by.findData(data.logged_by_id) if data.logged_by_id else 0
        self.logged_by.setCurrentIndex(max(index, 0))
        self.picker.set_checked(data.beneficiary_ids)
        self.for_organisation.setChecked(data.for_organisation)
        self.description.setPlainText(data.description)
        self.evidence.setPlainText(data.evidence)
        self._show_cycle_help()
        for label in self.errors.values():
            label.hide()

    def entry_data(self) -> EntryData:
        """The typed entry; ValueError if the measure is not a number."""
        qd = self.entry_date.date()
        session_id = self.session.currentData()
        logged = self.logged_by.currentData()
        return EntryData(
            entry_date=dt.date(qd.year(), qd.month(), qd.day()),
            title=self.title.text(),
            kind=str(self.kind.currentData() or ""),
            cycle=str(self.cycle.currentData() or ""),
            description=self.description.toPlainText(),
            beneficiary_ids=self.picker.checked_ids(),
            for_organisation=self.for_organisation.isChecked(),
            function=str(self.function.currentData() or ""),
            session_id=int(session_id) if session_id is not None else None,
            evidence=self.evidence.toPlainText(),
            measure_value=parse_measure(self.measure_value.text()),
            measure_unit=self.measure_unit.text(),
            logged_by_id=int(logged) if logged is not None else None,
        )

    # -- feedback ------------------------------------------------------------------------
    def _show_cycle_help(self) -> None:
        key = self.cycle.currentData()
        term = next((t for t in VALUE_CYCLES if t.key == key), None)
        self.cycle_help.setText(term.help if term else
                                "From immediate value (the activity itself) to realised "
                                "value (performance improvement).")

    def _clear(self, name: str) -> None:
        self.errors[name].hide()

    def _check_length(self, name: str) -> None:
        edit = self.description if name == "description" else self.evidence
        length = edit.length()
        if length > MAX_DESCRIPTION:
            self._set_error(name, too_long(length, name))
        elif self.errors[name].text().startswith(f"The {name} is too long"):
            self.errors[name].hide()

    def _refused(self, name: str, length: int) -> None:
        self._set_error(
            name,
            f"Not pasted: the {name} would be {length:,} characters long; it holds at most "
            f"{MAX_DESCRIPTION:,}. Paste a shorter extract or a summary.",
        )

    def _set_error(self, name: str, message: str) -> None:
        self.errors[name].setText(message)
        self.errors[name].show()
        self._fit_height()

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            message = errors.get(name)
            label.setText(message or "")
            label.setVisible(bool(message))
        unknown = [m for f, m in errors.items() if f not in self.errors]
        if unknown:
            self.errors["title"].setText("; ".join([self.errors["title"].text(), *unknown])
                                         .strip("; "))
            self.errors["title"].show()
        first = next((f for f in FIELDS if f in errors), None)
        if first is not None:
            self.focus_of[first].setFocus(Qt.FocusReason.OtherFocusReason)
        self._fit_height()

    def _fit_height(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = layout.totalHeightForWidth(self.width())
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def visible_errors(self) -> dict[str, str]:
        """The messages currently shown, by field (for tests and accessibility)."""
        return {n: lb.text() for n, lb in self.errors.items() if not lb.isHidden()}

    def accept(self) -> None:
        errors: dict[str, str] = {}
        try:
            data = self.entry_data()
        except ValueError:
            typed = self.measure_value.text().strip()
            errors["measure_value"] = f"“{typed[:40]}” is not a number"
            data = None
        if data is None:
            # Check the other fields too, so every problem shows at once.
            saved = self.measure_value.text()
            self.measure_value.setText("")
            try:
                errors = {**validate_entry(self.entry_data(), today=self._today), **errors}
                errors.pop("measure_unit", None)
            finally:
                self.measure_value.setText(saved)
            self.show_errors(errors)
            return
        errors = validate_entry(data, today=self._today)
        if errors:
            self.show_errors(errors)
            return
        if self._save(data):
            super().accept()

    def _save(self, data: EntryData) -> bool:
        """Submit ``data``; True once the form may close."""
        try:
            self._submit(data)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except ConflictError:  # someone else changed or deleted the entry
            return conflicts.resolve(
                self, data, self._load_current() if self._load_current is not None else None,
                what="value entry", name=f"the entry “{data.title.strip()}”",
                labels=CONFLICT_LABELS, describe=self.describe, refill=self.set_data,
                shown_when_deleted=("title", "entry_date", "kind"),
                save=lambda: self._save(data),
            )
        return True

    # -- someone else changed the entry ----------------------------------------------------
    def describe(self, data: EntryData) -> dict[str, str]:
        """An entry's fields as people read them (labels and names, not stored keys)."""
        kind = VALUE_KIND_BY_KEY.get(data.kind)
        cycle = VALUE_CYCLE_BY_KEY.get(data.cycle)
        function = FUNCTION_BY_KEY.get(data.function)
        session = "(none)"
        if data.session_id is not None:
            index = self.session.findData(data.session_id)
            session = self.session.itemText(index) if index >= 0 else "(another session)"
        measure = "(none)"
        if data.measure_value is not None:
            measure = f"{format_number(data.measure_value)} {data.measure_unit.strip()}".strip()
        who = [self._names.get(m, "(a member no longer listed)") for m in data.beneficiary_ids]
        if data.for_organisation:
            who.append("the host organisation")
        return {
            "entry_date": data.entry_date.isoformat(),
            "title": data.title.strip() or "(empty)",
            "kind": kind.label if kind else (data.kind or "(not chosen)"),
            "cycle": cycle.label if cycle else (data.cycle or "(not chosen)"),
            "function": function.label if function else "(not recorded)",
            "session_id": session,
            "measure": measure,
            "logged_by": self._names.get(data.logged_by_id, "(not recorded)")
            if data.logged_by_id is not None else "(not recorded)",
            "beneficiaries": ", ".join(who) or "(nobody)",
            "description": _short(data.description) or "(empty)",
            "evidence": _short(data.evidence) or "(empty)",
        }


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
