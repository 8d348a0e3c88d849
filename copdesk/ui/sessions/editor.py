"""The session form: plan or edit a session, optionally as a series, with inline messages.

When editing, a save against a session someone else changed or deleted meanwhile shows
both versions (:mod:`copdesk.ui.conflicts`): reload theirs, overwrite, or cancel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import available_timezones

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from copdesk.data.agenda import fmt_minutes
from copdesk.data.sessions import (
    MAX_OCCURRENCES,
    MAX_SESSION_MINUTES,
    SeriesRule,
    SessionData,
    Template,
    occurrences,
    validate_session,
)
from copdesk.data.store import ConflictError
from copdesk.data.validation import ValidationError
from copdesk.framework import (
    CADENCES,
    SESSION_MODES,
    SESSION_SPACES,
    SESSION_STATUSES,
    term_label,
)
from copdesk.ui import conflicts
from copdesk.ui.sessions.common import MUTED, WARN, MemberDirectory, local_time_note

SPACE_EXPLANATION = (
    "Design principle 4: develop both public and private community spaces.\n"
    "Private sessions let the core group speak freely and tend the community's direction."
)

FIELD_LABELS: dict[str, str] = {
    "template": "Agenda",
    "title": "Title",
    "purpose": "Purpose",
    "starts_at": "Starts",
    "time_zone": "Time zone",
    "planned_minutes": "Planned length",
    "mode": "Mode",
    "location": "Location or link",
    "space": "Space",
    "facilitators": "Facilitators",
    "status": "Status",
    "series": "Series",
}
SERIES_FIELDS = ("cadence", "interval_days", "until", "count")
#: The fields of a session as the conflict dialog names them, in display order.
CONFLICT_LABELS: dict[str, str] = {
    "title": "Title",
    "purpose": "Purpose",
    "starts_at": "Starts",
    "time_zone": "Time zone",
    "planned_minutes": "Planned length",
    "mode": "Mode",
    "location": "Location or link",
    "space": "Space",
    "facilitators": "Facilitators",
    "status": "Status",
}


def zone_names() -> list[str]:
    return sorted(available_timezones() | {"UTC"})


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class SessionForm(QDialog):
    """Plan a new session (blank, from a template, or as a series) or edit one.

    ``submit(form)`` saves, raising ValidationError for what the store refuses; the
    dialog closes only when it returns. Read the choices with :meth:`session_data`,
    :meth:`template` and :meth:`series_rule`.

    When editing, ``expected_version`` is the version of the session the form was filled
    from and ``initial`` its data; ``submit`` hands the version to the store. If the
    store refuses with ConflictError, ``load_current()`` reads the session as stored now
    (None: deleted) and the form shows both versions: reload theirs (the form stays open
    with their values), overwrite (``expected_version`` becomes None and the form saves
    again; ``recreate`` is True for a session deleted meanwhile), or cancel.
    """

    def __init__(
        self,
        submit: Callable[[SessionForm], None],
        *,
        directory: MemberDirectory,
        data: SessionData | None = None,
        series_title: str = "",
        templates: Sequence[Template] = (),
        as_series: bool = False,
        default_zone: str = "UTC",
        default_start: dt.datetime | None = None,
        expected_version: int | None = None,
        load_current: Callable[[], tuple[SessionData, int] | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.directory = directory
        self.editing = data is not None
        #: The session as the form was filled (or last reloaded) from the store.
        self.initial = data
        #: The version the form was filled from (None: overwrite whatever is stored).
        self.expected_version = expected_version
        #: True when saving should re-create a session someone else deleted meanwhile.
        self.recreate = False
        self._load_current = load_current
        self.templates = list(templates)
        self.setObjectName("sessionForm")
        if self.editing:
            self.setWindowTitle("Edit session")
        else:
            self.setWindowTitle("Plan a series of sessions" if as_series else "Plan a session")
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self._init_fields(default_zone)
        self._init_series(as_series)
        self._init_layout(series_title)
        self._connect()
        start = default_start or (dt.datetime.now() + dt.timedelta(days=7)).replace(
            hour=14, minute=0, second=0, microsecond=0
        )
        self.set_data(data or SessionData(title="", starts_at=start, time_zone=default_zone))
        self.title_edit.setFocus()

    # -- building ------------------------------------------------------------------------
    def _init_fields(self, default_zone: str) -> None:
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("templateCombo")
        self.template_combo.addItem("Blank agenda", -1)
        for i, tpl in enumerate(self.templates):
            kind = "starter" if tpl.is_starter else "saved"
            self.template_combo.addItem(
                f"{tpl.name} ({fmt_minutes(tpl.planned_minutes)}, {len(tpl.blocks)} blocks, "
                f"{kind})", i
            )
            self.template_combo.setItemData(i + 1, tpl.description, Qt.ItemDataRole.ToolTipRole)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setPlaceholderText("Required, e.g. “Peer-assist clinic: pump repairs”")
        self.purpose_edit = QPlainTextEdit()
        self.purpose_edit.setFixedHeight(54)
        self.purpose_edit.setPlaceholderText("What the session is for, in a sentence or two")
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("dateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.time_edit = QTimeEdit()
        self.time_edit.setObjectName("timeEdit")
        self.time_edit.setDisplayFormat("HH:mm")
        self.end_edit = QTimeEdit()
        self.end_edit.setObjectName("endEdit")
        self.end_edit.setDisplayFormat("HH:mm")
        self.end_edit.setToolTip("When the session ends; it must end after it starts")
        self.local_note = QLabel()
        self.local_note.setObjectName("localTime")
        self.local_note.setStyleSheet(f"color: {MUTED};")
        self.zone_combo = QComboBox()
        self.zone_combo.setObjectName("zoneCombo")
        self.zone_combo.setEditable(True)
        self.zone_combo.addItems(zone_names())
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.zone_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.zone_combo.setEditText(default_zone)
        self.length_spin = QSpinBox()
        self.length_spin.setObjectName("lengthSpin")
        self.length_spin.setRange(0, MAX_SESSION_MINUTES + 60)
        self.length_spin.setSingleStep(15)
        self.length_spin.setSuffix(" min")
        self.length_note = QLabel()
        self.length_note.setStyleSheet(f"color: {MUTED};")
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("modeCombo")
        for term in SESSION_MODES:
            self.mode_combo.addItem(term.label, term.key)
        self.location_edit = QLineEdit()
        self.location_edit.setObjectName("locationEdit")
        self.space_group = QButtonGroup(self)
        self.space_buttons: dict[str, QRadioButton] = {}
        for term in SESSION_SPACES:
            button = QRadioButton(f"{term.label}: {term.help.lower()}")
            button.setObjectName(f"space_{term.key}")
            self.space_group.addButton(button)
            self.space_buttons[term.key] = button
        self.facilitator_filter = QLineEdit()
        self.facilitator_filter.setPlaceholderText("Filter members…")
        self.facilitator_filter.setClearButtonEnabled(True)
        self.facilitator_list = QListWidget()
        self.facilitator_list.setObjectName("facilitatorList")
        self.facilitator_list.setFixedHeight(96)
        for person in self.directory.people:
            item = QListWidgetItem(person.name)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if not person.active:
                item.setForeground(Qt.GlobalColor.gray)
            self.facilitator_list.addItem(item)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusCombo")
        for term in SESSION_STATUSES:
            self.status_combo.addItem(term.label, term.key)

    def _init_series(self, as_series: bool) -> None:
        self.series_box = QGroupBox("Repeat as a series (the community's rhythm)")
        self.series_box.setObjectName("seriesBox")
        self.series_box.setCheckable(True)
        self.series_box.setChecked(as_series)
        self.cadence_combo = QComboBox()
        self.cadence_combo.setObjectName("cadenceCombo")
        for term in CADENCES:
            self.cadence_combo.addItem(f"{term.label} ({term.help.lower()})", term.key)
        self.cadence_combo.setCurrentIndex(max(self.cadence_combo.findData("monthly"), 0))
        self.interval_spin = QSpinBox()
        self.interval_spin.setObjectName("intervalSpin")
        self.interval_spin.setRange(1, 366)
        self.interval_spin.setValue(21)
        self.interval_spin.setSuffix(" days")
        self.until_radio = QRadioButton("Until")
        self.until_radio.setObjectName("untilRadio")
        self.count_radio = QRadioButton("Number of sessions")
        self.count_radio.setObjectName("countRadio")
        self.no_end_radio = QRadioButton("No end")
        self.no_end_radio.setObjectName("noEndRadio")
        self.no_end_radio.setToolTip("A series needs an end; choose a date or a number")
        self.count_radio.setChecked(True)
        self.until_edit = QDateEdit()
        self.until_edit.setObjectName("untilEdit")
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("countSpin")
        self.count_spin.setRange(1, 9999)
        self.count_spin.setValue(6)
        self.series_preview = QLabel()
        self.series_preview.setObjectName("seriesPreview")
        self.series_preview.setWordWrap(True)
        self.series_preview.setStyleSheet(f"color: {MUTED};")
        grid = QFormLayout(self.series_box)
        cadence_row = QHBoxLayout()
        cadence_row.addWidget(self.cadence_combo)
        cadence_row.addWidget(QLabel("every"))
        cadence_row.addWidget(self.interval_spin)
        cadence_row.addStretch(1)
        grid.addRow("Cadence:", self._cell("cadence", cadence_row))
        grid.addRow("", self._cell("interval_days", QHBoxLayout()))
        end_row = QHBoxLayout()
        end_row.addWidget(self.count_radio)
        end_row.addWidget(self.count_spin)
        end_row.addSpacing(10)
        end_row.addWidget(self.until_radio)
        end_row.addWidget(self.until_edit)
        end_row.addSpacing(10)
        end_row.addWidget(self.no_end_radio)
        end_row.addStretch(1)
        grid.addRow("Ends:", self._cell("until", end_row))
        grid.addRow("", self._cell("count", QHBoxLayout()))
        grid.addRow("", self.series_preview)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{name}")
        label.setStyleSheet(f"color: {WARN};")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.hide()
        self.errors[name] = label
        return label

    def _cell(self, name: str, content: QWidget | QHBoxLayout) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        if isinstance(content, QWidget):
            box.addWidget(content)
            self.fields[name] = content
        else:
            box.addLayout(content)
        box.addWidget(self._error_label(name))
        return cell

    def _row(self, *widgets: QWidget, stretch: bool = True) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            row.addWidget(widget)
        if stretch:
            row.addStretch(1)
        return holder

    def _init_layout(self, series_title: str) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        if not self.editing:
            form.addRow("Agenda:", self._cell("template", self.template_combo))
        form.addRow("Title:", self._cell("title", self.title_edit))
        form.addRow("Purpose:", self._cell("purpose", self.purpose_edit))
        when = self._row(self.date_edit, self.time_edit, QLabel("to"), self.end_edit,
                         self.local_note)
        form.addRow("Starts:", self._cell("starts_at", when))
        self.fields["starts_at"] = self.date_edit
        form.addRow("Time zone:", self._cell("time_zone", self.zone_combo))
        form.addRow("Planned length:", self._cell(
            "planned_minutes", self._row(self.length_spin, self.length_note)))
        self.fields["planned_minutes"] = self.length_spin
        form.addRow("Mode:", self._cell("mode", self._row(self.mode_combo)))
        self.fields["mode"] = self.mode_combo
        form.addRow("Location or link:", self._cell("location", self.location_edit))
        space = QWidget()
        space_box = QVBoxLayout(space)
        space_box.setContentsMargins(0, 0, 0, 0)
        space_box.setSpacing(2)
        for button in self.space_buttons.values():
            space_box.addWidget(button)
        explanation = QLabel(SPACE_EXPLANATION)
        explanation.setObjectName("spaceExplanation")
        explanation.setStyleSheet(f"color: {MUTED}; font-size: 9pt;")
        space_box.addWidget(explanation)
        form.addRow("Space:", self._cell("space", space))
        facilitators = QWidget()
        fbox = QVBoxLayout(facilitators)
        fbox.setContentsMargins(0, 0, 0, 0)
        fbox.setSpacing(2)
        fbox.addWidget(self.facilitator_filter)
        fbox.addWidget(self.facilitator_list)
        form.addRow("Facilitators:", self._cell("facilitators", facilitators))
        self.fields["facilitators"] = self.facilitator_list
        form.addRow("Status:", self._cell("status", self._row(self.status_combo)))
        self.fields["status"] = self.status_combo
        if self.editing:
            series = QLabel(f"Part of the series “{series_title}”" if series_title
                            else "Not part of a series")
            series.setObjectName("seriesLabel")
            series.setStyleSheet(f"color: {MUTED};")
            form.addRow("Series:", self._cell("series", series))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Save changes" if self.editing else "Plan session")

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(form)
        if not self.editing:
            inner.addWidget(self.series_box)
        else:
            self.series_box.hide()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        self.resize(700, 760)

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.title_edit.textEdited.connect(lambda _t: self._clear("title"))
        self.date_edit.dateChanged.connect(lambda _d: self._times_changed())
        self.time_edit.timeChanged.connect(lambda _t: self._times_changed())
        self.zone_combo.editTextChanged.connect(lambda _t: self._times_changed())
        self.length_spin.valueChanged.connect(lambda _v: self._length_changed())
        self.end_edit.timeChanged.connect(lambda _t: self._end_changed())
        self.mode_combo.currentIndexChanged.connect(lambda _i: self._mode_changed())
        self.template_combo.currentIndexChanged.connect(lambda _i: self._template_changed())
        self.facilitator_filter.textChanged.connect(self._filter_facilitators)
        for widget in (self.cadence_combo,):
            widget.currentIndexChanged.connect(lambda _i: self._series_changed())
        for spin in (self.interval_spin, self.count_spin):
            spin.valueChanged.connect(lambda _v: self._series_changed())
        self.until_edit.dateChanged.connect(lambda _d: self._series_changed())
        for radio in (self.until_radio, self.count_radio, self.no_end_radio):
            radio.toggled.connect(lambda _on: self._series_changed())
        self.series_box.toggled.connect(lambda _on: self._series_changed())

    # -- data ----------------------------------------------------------------------------
    def set_data(self, data: SessionData) -> None:
        self.title_edit.setText(data.title)
        self.purpose_edit.setPlainText(data.purpose)
        self.date_edit.setDate(qdate(data.starts_at.date()))
        self.time_edit.setTime(QTime(data.starts_at.hour, data.starts_at.minute))
        self.zone_combo.setEditText(data.time_zone)
        self.length_spin.setValue(data.planned_minutes)
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(data.mode), 0))
        self.location_edit.setText(data.location)
        self.space_buttons.get(data.space, self.space_buttons["public"]).setChecked(True)
        chosen = set(data.facilitator_ids)
        for i in range(self.facilitator_list.count()):
            item = self.facilitator_list.item(i)
            mid = item.data(Qt.ItemDataRole.UserRole)
            item.setCheckState(Qt.CheckState.Checked if mid in chosen else Qt.CheckState.Unchecked)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(data.status), 0))
        self.until_edit.setDate(qdate(data.starts_at.date() + dt.timedelta(days=180)))
        self._mode_changed()
        self._length_changed()
        self._series_changed()

    def starts_at(self) -> dt.datetime:
        day = pydate(self.date_edit.date())
        time = self.time_edit.time()
        return dt.datetime.combine(day, dt.time(time.hour(), time.minute()))

    def session_data(self) -> SessionData:
        space = next((k for k, b in self.space_buttons.items() if b.isChecked()), "public")
        facilitators = []
        for i in range(self.facilitator_list.count()):
            item = self.facilitator_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                facilitators.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return SessionData(
            title=self.title_edit.text(),
            starts_at=self.starts_at(),
            time_zone=self.zone_combo.currentText().strip(),
            planned_minutes=self.length_spin.value(),
            purpose=self.purpose_edit.toPlainText(),
            mode=str(self.mode_combo.currentData()),
            location=self.location_edit.text(),
            space=space,
            status=str(self.status_combo.currentData()),
            facilitator_ids=tuple(facilitators),
        )

    def template(self) -> Template | None:
        index = self.template_combo.currentData()
        if self.editing or not isinstance(index, int) or index < 0:
            return None
        return self.templates[index]

    def series_rule(self) -> SeriesRule | None:
        if self.editing or not self.series_box.isChecked():
            return None
        return SeriesRule(
            cadence=str(self.cadence_combo.currentData()),
            first_start=self.starts_at(),
            until=pydate(self.until_edit.date()) if self.until_radio.isChecked() else None,
            count=self.count_spin.value() if self.count_radio.isChecked() else None,
            interval_days=self.interval_spin.value(),
        )

    # -- live feedback ---------------------------------------------------------------------
    def _clear(self, name: str) -> None:
        if name in self.errors:
            self.errors[name].hide()

    def _times_changed(self) -> None:
        self._clear("starts_at")
        self._clear("time_zone")
        self._length_changed()
        self._series_changed()

    def _length_changed(self) -> None:
        self._clear("planned_minutes")
        minutes = self.length_spin.value()
        end = self.starts_at() + dt.timedelta(minutes=minutes)
        self.end_edit.blockSignals(True)
        self.end_edit.setTime(QTime(end.hour, end.minute))
        self.end_edit.blockSignals(False)
        self.length_note.setText(fmt_minutes(minutes) if minutes >= 60 else "")
        note = local_time_note(self.starts_at(), self.zone_combo.currentText().strip())
        self.local_note.setText(note)
        if minutes <= 0:
            self.show_errors({"planned_minutes": "The session must end after it starts "
                                                 "(length above 0)"}, focus=False)

    def _end_changed(self) -> None:
        end_time = self.end_edit.time()
        start = self.starts_at()
        end = dt.datetime.combine(start.date(), dt.time(end_time.hour(), end_time.minute()))
        minutes = int((end - start).total_seconds() // 60)
        self.length_spin.blockSignals(True)
        self.length_spin.setValue(max(0, minutes))
        self.length_spin.blockSignals(False)
        self._clear("planned_minutes")
        self.length_note.setText(fmt_minutes(minutes) if minutes >= 60 else "")
        if minutes <= 0:
            self.show_errors({"planned_minutes": "The session ends before it starts: choose "
                                                 "an end after the start"}, focus=False)

    def _mode_changed(self) -> None:
        mode = self.mode_combo.currentData()
        self.location_edit.setPlaceholderText(
            {"online": "Meeting link, e.g. https://meet.example.org/cop",
             "in_person": "Address or room",
             "hybrid": "Room and meeting link"}.get(str(mode), "")
        )

    def _template_changed(self) -> None:
        tpl = self.template()
        if tpl is None:
            return
        self.length_spin.setValue(tpl.planned_minutes)
        if not self.title_edit.text().strip():
            self.title_edit.setText(tpl.name)
        if not self.purpose_edit.toPlainText().strip():
            self.purpose_edit.setPlainText(tpl.description)

    def _filter_facilitators(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.facilitator_list.count()):
            item = self.facilitator_list.item(i)
            name = item.text().casefold()
            item.setHidden(not all(w in name for w in words))

    def _series_changed(self) -> None:
        for name in SERIES_FIELDS:
            self._clear(name)
        custom = self.cadence_combo.currentData() == "custom"
        self.interval_spin.setEnabled(custom)
        self.until_edit.setEnabled(self.until_radio.isChecked())
        self.count_spin.setEnabled(self.count_radio.isChecked())
        if not self.series_box.isChecked():
            self.series_preview.setText("")
            return
        try:
            rule = self._rule_or_no_end()
            starts = occurrences(rule)
        except ValidationError as exc:
            self.series_preview.setText("")
            self.show_errors(exc.errors, focus=False)
            return
        self.series_preview.setText(
            f"Creates {len(starts)} planned sessions: first {starts[0]:%a %d %b %Y}, "
            f"last {starts[-1]:%a %d %b %Y}, at {starts[0]:%H:%M}."
            if len(starts) > 1 else f"Creates 1 planned session on {starts[0]:%a %d %b %Y}."
        )

    def _rule_or_no_end(self) -> SeriesRule:
        rule = self.series_rule()
        assert rule is not None
        return rule

    def show_errors(self, errors: dict[str, str], *, focus: bool = True) -> None:
        for name, message in errors.items():
            key = name if name in self.errors else ("title" if name not in SERIES_FIELDS
                                                   else "until")
            label = self.errors[key]
            label.setText(message)
            label.show()
        if focus:
            first = next((f for f in self.fields if f in errors), None)
            if first is not None:
                self.fields[first].setFocus()

    def visible_errors(self) -> dict[str, str]:
        return {n: lb.text() for n, lb in self.errors.items() if not lb.isHidden()}

    def accept(self) -> None:
        for label in self.errors.values():
            label.hide()
        data = self.session_data()
        errors = validate_session(data)
        if self.series_box.isChecked() and not self.editing:
            try:
                occurrences(self._rule_or_no_end())
            except ValidationError as exc:
                errors.update(exc.errors)
        if errors:
            self.show_errors(errors)
            return
        if self._save(data):
            super().accept()

    def _save(self, data: SessionData) -> bool:
        """Submit the form (``data`` is what it holds); True once it may close."""
        try:
            self._submit(self)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except ConflictError:  # someone else changed or deleted the session
            return conflicts.resolve(
                self, data, self._load_current() if self._load_current is not None else None,
                what="session", name=f"the session “{(self.initial or data).title.strip()}”",
                labels=CONFLICT_LABELS, describe=self.describe, refill=self._reloaded,
                shown_when_deleted=("title", "starts_at"), save=lambda: self._save(data),
            )
        return True

    # -- someone else changed the session ----------------------------------------------------
    def describe(self, data: SessionData) -> dict[str, str]:
        """A session's fields as people read them (labels and names, not stored keys)."""
        people = [self.directory.name(m, "(a member no longer listed)")
                  for m in data.facilitator_ids]
        return {
            "title": data.title.strip() or "(empty)",
            "purpose": data.purpose.strip() or "(empty)",
            "starts_at": f"{data.starts_at:%a %Y-%m-%d %H:%M}",
            "time_zone": data.time_zone.strip(),
            "planned_minutes": fmt_minutes(data.planned_minutes),
            "mode": term_label(SESSION_MODES, data.mode),
            "location": data.location.strip() or "(none)",
            "space": term_label(SESSION_SPACES, data.space),
            "facilitators": ", ".join(sorted(people, key=str.casefold)) or "(none)",
            "status": term_label(SESSION_STATUSES, data.status),
        }

    def _reloaded(self, theirs: SessionData) -> None:
        """Continue from their version of the session (after a conflict)."""
        self.initial = theirs
        self.set_data(theirs)
        for label in self.errors.values():
            label.hide()


__all__ = ["MAX_OCCURRENCES", "SessionForm"]
