"""The add/edit member form, with a message beside each field that is wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import available_timezones

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.members import Duplicate, MemberRow
from copdesk.data.store import ConflictError
from copdesk.data.validation import MemberData, ValidationError, split_tags, validate_member
from copdesk.framework import LEVEL_TERMS, Level, MemberStatus, Role
from copdesk.ui import conflicts

#: The earliest date the picker shows; it stands for "not known".
NO_DATE = QDate(1899, 12, 31)

ERROR_STYLE = "color: #b03a2e;"
DUPLICATE_STYLE = (
    "QLabel#duplicateBanner { background: #fff4d6; border: 1px solid #e9c46a;"
    " border-radius: 6px; padding: 6px 10px; }"
)

#: What the conflict dialog shows of a member someone else deleted (which member it was).
SHOWN_WHEN_DELETED = ("full_name", "email", "organisation")

FIELD_LABELS: dict[str, str] = {
    "full_name": "Full name",
    "email": "Email",
    "organisation": "Organisation",
    "job_title": "Job title",
    "region": "Region/country",
    "time_zone": "Time zone",
    "joined_on": "Joined",
    "level": "Participation level",
    "roles": "Roles",
    "expertise": "Expertise",
    "interests": "Interests",
    "consent": "Host reports",
    "notes": "Notes",
    "status": "Status",
}


def _zone_names() -> list[str]:
    return sorted(available_timezones() | {"UTC"})


class MemberForm(QDialog):
    """Add or edit a member.

    ``submit(data)`` saves (raising ValidationError for anything the store refuses, e.g. an
    email another member uses); the dialog closes only when it returns.
    ``find_duplicates(data)`` lists likely duplicates, shown as a warning while typing.

    When editing, ``expected_version`` is the version of the member the form was filled
    from; ``submit`` hands it to the store. If someone else changed or deleted the member
    meanwhile (``ConflictError``), the form shows both versions and lets the user reload
    (the form stays open with the store's values) or overwrite (``expected_version``
    becomes None and the form saves again; ``recreate`` is then True for a member that
    was deleted meanwhile).
    """

    def __init__(
        self,
        submit: Callable[[MemberData], None],
        *,
        find_duplicates: Callable[[MemberData], list[Duplicate]] | None = None,
        member: MemberRow | None = None,
        organisations: list[str] | None = None,
        regions: list[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._find_duplicates = find_duplicates
        self.member = member
        #: The version the form was filled from (None: overwrite whatever is stored).
        self.expected_version: int | None = member.version if member is not None else None
        #: True when saving should re-create a member someone else deleted meanwhile.
        self.recreate = False
        self.setWindowTitle(f"Edit {member.full_name}" if member else "Add a member")
        self.setObjectName("memberForm")
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._init_fields(organisations or [], regions or [])
        self._init_layout()
        self._connect_signals()
        if member is not None:
            self.set_data(member.to_data())
        self.fields["full_name"].setFocus()

    # -- building ------------------------------------------------------------------------
    def _init_fields(self, organisations: list[str], regions: list[str]) -> None:
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText("Required")
        self.email = QLineEdit()
        self.email.setPlaceholderText("name@example.org")
        self.organisation = QLineEdit()
        self.organisation.setCompleter(_completer(organisations, self))
        self.job_title = QLineEdit()
        self.region = QLineEdit()
        self.region.setCompleter(_completer(regions, self))
        self.time_zone = QComboBox()
        self.time_zone.setEditable(True)
        self.time_zone.addItem("")
        self.time_zone.addItems(_zone_names())
        self.time_zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.time_zone.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.joined_on = QDateEdit()
        self.joined_on.setCalendarPopup(True)
        self.joined_on.setDisplayFormat("yyyy-MM-dd")
        self.joined_on.setMinimumDate(NO_DATE)
        self.joined_on.setMaximumDate(QDate.currentDate())
        self.joined_on.setSpecialValueText("Not known")
        self.joined_on.setDate(NO_DATE)
        self.level = QComboBox()
        for level in Level:
            self.level.addItem(level.label, level.value)
            self.level.setItemData(
                self.level.count() - 1, LEVEL_TERMS[level.value].help, Qt.ItemDataRole.ToolTipRole
            )
        self.level.setCurrentIndex(self.level.findData(Level.PERIPHERAL.value))
        self.roles_box = QWidget()
        grid = QGridLayout(self.roles_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.role_checks: dict[str, QCheckBox] = {}
        for i, role in enumerate(Role):
            check = QCheckBox(role.label)
            check.setChecked(role == Role.MEMBER)
            self.role_checks[role.value] = check
            grid.addWidget(check, i // 3, i % 3)
        self.expertise = QLineEdit()
        self.expertise.setPlaceholderText("What they know, separated by commas")
        self.interests = QLineEdit()
        self.interests.setPlaceholderText("What they want to learn, separated by commas")
        self.consent = QCheckBox("May be named in reports shared with the host")
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(64)
        self.status = QComboBox()
        for status in MemberStatus:
            self.status.addItem(status.label, status.value)
        self.fields = {
            "full_name": self.full_name,
            "email": self.email,
            "organisation": self.organisation,
            "job_title": self.job_title,
            "region": self.region,
            "time_zone": self.time_zone,
            "joined_on": self.joined_on,
            "level": self.level,
            "roles": self.roles_box,
            "expertise": self.expertise,
            "interests": self.interests,
            "consent": self.consent,
            "notes": self.notes,
            "status": self.status,
        }
        for name in self.fields:
            label = QLabel()
            label.setObjectName(f"error_{name}")
            label.setStyleSheet(ERROR_STYLE)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.hide()
            self.errors[name] = label

    def _init_layout(self) -> None:
        self.duplicate_banner = QLabel()
        self.duplicate_banner.setObjectName("duplicateBanner")
        self.duplicate_banner.setStyleSheet(DUPLICATE_STYLE)
        self.duplicate_banner.setWordWrap(True)
        self.duplicate_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.duplicate_banner.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, widget in self.fields.items():
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(self.errors[name])
            form.addRow(FIELD_LABELS[name] + ":", cell)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Save changes" if self.member else "Add member")

        layout = QVBoxLayout(self)
        layout.addWidget(self.duplicate_banner)
        layout.addLayout(form)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.setMinimumWidth(560)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.full_name.textChanged.connect(self._check_duplicates)
        self.email.textChanged.connect(self._check_duplicates)
        for name in ("full_name", "email", "organisation", "job_title", "region",
                     "expertise", "interests"):
            edit = self.fields[name]
            assert isinstance(edit, QLineEdit)
            edit.textEdited.connect(lambda _t, n=name: self._clear_error(n))
        self.time_zone.editTextChanged.connect(lambda _t: self._clear_error("time_zone"))
        self.joined_on.dateChanged.connect(lambda _d: self._clear_error("joined_on"))

    # -- data ----------------------------------------------------------------------------
    def set_data(self, data: MemberData) -> None:
        self.full_name.setText(data.full_name)
        self.email.setText(data.email)
        self.organisation.setText(data.organisation)
        self.job_title.setText(data.job_title)
        self.region.setText(data.region)
        self.time_zone.setEditText(data.time_zone)
        if data.joined_on is not None:
            self.joined_on.setDate(
                QDate(data.joined_on.year, data.joined_on.month, data.joined_on.day)
            )
        else:
            self.joined_on.setDate(NO_DATE)
        index = self.level.findData(data.level)
        self.level.setCurrentIndex(max(index, 0))
        for key, check in self.role_checks.items():
            check.setChecked(key in data.roles)
        self.expertise.setText(", ".join(data.expertise))
        self.interests.setText(", ".join(data.interests))
        self.consent.setChecked(data.consent)
        self.notes.setPlainText(data.notes)
        self.status.setCurrentIndex(max(self.status.findData(data.status), 0))

    def member_data(self) -> MemberData:
        qdate = self.joined_on.date()
        joined: dt.date | None = None
        if qdate > NO_DATE:
            joined = dt.date(qdate.year(), qdate.month(), qdate.day())
        return MemberData(
            full_name=self.full_name.text(),
            email=self.email.text(),
            organisation=self.organisation.text(),
            job_title=self.job_title.text(),
            region=self.region.text(),
            time_zone=self.time_zone.currentText(),
            joined_on=joined,
            level=str(self.level.currentData()),
            roles=tuple(k for k, c in self.role_checks.items() if c.isChecked()),
            expertise=split_tags(self.expertise.text()),
            interests=split_tags(self.interests.text()),
            consent=self.consent.isChecked(),
            notes=self.notes.toPlainText(),
            status=str(self.status.currentData()),
        )

    # -- feedback ------------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            message = errors.get(name)
            label.setText(message or "")
            label.setVisible(bool(message))
        unknown = [m for f, m in errors.items() if f not in self.errors]
        if unknown:
            self.errors["full_name"].setText("; ".join(unknown))
            self.errors["full_name"].show()
        first = next((f for f in self.fields if f in errors), None)
        if first is not None:
            self.fields[first].setFocus()
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow the dialog so messages that wrap onto two lines are not cut off."""
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

    def _clear_error(self, name: str) -> None:
        self.errors[name].hide()

    def _check_duplicates(self) -> None:
        if self._find_duplicates is None:
            return
        data = self.member_data()
        typed = data.full_name.strip() or data.email.strip()
        found = self._find_duplicates(data) if typed else []
        if not found:
            self.duplicate_banner.hide()
            return
        lines = []
        for dup in found[:3]:
            why = "same email" if dup.reason == "email" else "same name"
            who = dup.full_name + (f" <{dup.email}>" if dup.email else "")
            lines.append(f"{who} ({why})")
        self.duplicate_banner.setText(
            "Possible duplicate of " + "; ".join(lines) + ". Check before saving; "
            "you can still save if this is a different person."
        )
        self.duplicate_banner.show()
        self._fit_height()

    def accept(self) -> None:
        data = self.member_data()
        errors = validate_member(data.cleaned())
        if errors:
            self.show_errors(errors)
            return
        if self._save(data):
            super().accept()

    def _save(self, data: MemberData) -> bool:
        """Submit ``data``; True once the form may close."""
        try:
            self._submit(data)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except ConflictError as exc:  # someone else changed or deleted the member
            row = exc.current if isinstance(exc.current, MemberRow) else None
            return conflicts.resolve(
                self, data, None if row is None else (row.to_data(), row.version),
                what="member", name=self.member.full_name if self.member else data.full_name,
                editing="while you were editing", labels=FIELD_LABELS, describe=member_texts,
                shown_when_deleted=SHOWN_WHEN_DELETED, save=lambda: self._save(data),
                refill=lambda theirs: self._reloaded(theirs, row),
            )
        return True

    def _reloaded(self, theirs: MemberData, row: MemberRow | None) -> None:
        """Continue from their version of the member (after a conflict)."""
        self.member = row
        self.set_data(theirs)
        self.show_errors({})


def describe_value(name: str, data: MemberData) -> str:
    """A member field as people read it (labels, not stored keys)."""
    value = getattr(data, name)
    if name == "level":
        return Level(value).label if value in {lv.value for lv in Level} else str(value)
    if name == "status":
        known = {st.value: st.label for st in MemberStatus}
        return known.get(value, str(value))
    if name == "roles":
        labels = {r.value: r.label for r in Role}
        return ", ".join(labels.get(r, r) for r in value) or "(none)"
    if name == "consent":
        return "May be named" if value else "Not named"
    if name == "joined_on":
        return value.isoformat() if value is not None else "Not known"
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    return str(value).strip() or "(empty)"


def member_texts(data: MemberData) -> dict[str, str]:
    """Every form field of a member as people read it (for the conflict dialog)."""
    cleaned = data.cleaned()
    return {name: describe_value(name, cleaned) for name in FIELD_LABELS}


class MemberConflictDialog(conflicts.ConflictDialog):
    """The shared conflict dialog for two versions of a member (``theirs=None``: deleted)."""

    def __init__(
        self,
        headline: str,
        mine: MemberData,
        theirs: MemberData | None,
        *,
        overwrite_text: str = "Overwrite with mine",
        reload_text: str = "Reload their version",
        mine_title: str = "Your version",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            headline, FIELD_LABELS, member_texts(mine),
            None if theirs is None else member_texts(theirs),
            what="member", overwrite_text=overwrite_text, reload_text=reload_text,
            mine_title=mine_title, shown_when_deleted=SHOWN_WHEN_DELETED, parent=parent,
        )


def _completer(words: list[str], parent: QWidget) -> QCompleter:
    completer = QCompleter(sorted({w for w in words if w}, key=str.casefold), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    return completer
