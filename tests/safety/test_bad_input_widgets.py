"""Bad input typed into the real forms: the message shows beside the field, nothing is saved.

The dialogs are built directly and driven with pytest-qt (no ``exec()``): text is typed
with ``keyClicks`` (or set, for characters a keyboard cannot type) and the OK button is
clicked; the dialog must stay open with the message and the store must be unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import members, sessions, values
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui.members.form import MemberForm
from copdesk.ui.sessions.common import MemberDirectory
from copdesk.ui.sessions.editor import SessionForm
from copdesk.ui.values.form import EntryForm
from tests.safety.conftest import snapshot


@pytest.fixture
def ada(store: Store, community_id: int) -> int:
    return store.run(members.add_member, community_id,
                     MemberData("Ada Lovelace", email="ada@example.org"))


def _member_form(qtbot: QtBot, store: Store, cid: int) -> MemberForm:
    def submit(data: MemberData) -> None:
        store.run(members.add_member, cid, data)

    form = MemberForm(submit)
    qtbot.addWidget(form)
    form.show()
    return form


@pytest.mark.parametrize(("name", "email", "field", "message"), [
    ("", "", "full_name", "Full name is required"),
    ("Grace", "ADA@example.org", "email", "Ada Lovelace already uses this email in this community"),
    ("Gr\x01ace", "", "full_name", "Full name contains control characters"),
    ("G" * 250, "", "full_name", "Full name is too long (250 characters; at most 200)"),
], ids=["widget-member-empty", "widget-member-duplicate-email", "widget-member-control",
        "widget-member-too-long"])
def test_member_form_shows_the_message_and_saves_nothing(
    qtbot: QtBot, store: Store, store_path: Path, community_id: int, ada: int,
    name: str, email: str, field: str, message: str,
) -> None:
    before = snapshot(store_path)
    form = _member_form(qtbot, store, community_id)
    if name.isprintable():
        qtbot.keyClicks(form.full_name, name)
    else:
        form.full_name.setText(name)  # pasted: a keyboard cannot type it
    qtbot.keyClicks(form.email, email)
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert form.visible_errors() == {field: message}
    assert form.isVisible() and form.result() != QDialog.DialogCode.Accepted
    assert snapshot(store_path) == before


def test_member_form_stores_right_to_left_and_emoji_names_exactly(
    qtbot: QtBot, store: Store, community_id: int
) -> None:
    form = _member_form(qtbot, store, community_id)
    name = "\u0645\u0631\u064a\u0645 \U0001f30a \u05e9\u05dc\u05d5\u05dd"
    form.full_name.setText(name)
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert form.result() == QDialog.DialogCode.Accepted
    with store.session() as s:
        assert [m.full_name for m in members.list_members(s, community_id)] == [name]


@pytest.mark.parametrize(("title", "measure", "field", "message"), [
    ("", "", "title", "An entry needs a title"),
    ("Saved time", "lots", "measure_value", "“lots” is not a number"),
    ("Saved time", "1e14", "measure_value", "The measure is too large"),
    ("Saved time", "1e999", "measure_value", "“1e999” is not a number"),
], ids=["widget-value-empty-title", "widget-value-measure-text", "widget-value-measure-huge",
        "widget-value-measure-infinite"])
def test_value_form_shows_the_message_and_saves_nothing(
    qtbot: QtBot, store: Store, store_path: Path, community_id: int, ada: int,
    title: str, measure: str, field: str, message: str,
) -> None:
    with store.session() as s:
        roster = members.list_members(s, community_id)
    def submit(data: values.EntryData) -> None:
        store.run(values.add_entry, community_id, data)

    form = EntryForm(submit, members=roster, sessions=[], today=dt.date(2026, 1, 10))
    qtbot.addWidget(form)
    form.show()
    before = snapshot(store_path)
    qtbot.keyClicks(form.title, title)
    form.kind.setCurrentIndex(form.kind.findData("reputation"))
    form.cycle.setCurrentIndex(form.cycle.findData("immediate"))
    form.for_organisation.setChecked(True)
    qtbot.keyClicks(form.measure_value, measure)
    qtbot.keyClicks(form.measure_unit, "hours")
    form.accept()
    assert form.visible_errors() == {field: message}
    assert form.isVisible() and form.result() != QDialog.DialogCode.Accepted
    assert snapshot(store_path) == before


@pytest.mark.parametrize(("title", "zone", "field", "message"), [
    ("", "UTC", "title", "A session needs a title"),
    ("Clinic", "Mars/Olympus", "time_zone", "Unknown time zone 'Mars/Olympus'"),
    ("Clinic", "Z" * 300, "time_zone", f"Unknown time zone {'Z' * 40!r}"),
], ids=["widget-session-empty-title", "widget-session-zone-unknown",
        "widget-session-zone-300-chars"])
def test_session_form_shows_the_message_and_saves_nothing(
    qtbot: QtBot, store: Store, store_path: Path, community_id: int,
    title: str, zone: str, field: str, message: str,
) -> None:
    def submit(form: SessionForm) -> None:
        store.run(sessions.create_session, community_id, form.session_data())

    directory = MemberDirectory()
    directory.load(store, community_id)
    form = SessionForm(submit, directory=directory,
                       default_start=dt.datetime(2026, 3, 2, 14, 0))
    qtbot.addWidget(form)
    form.show()
    before = snapshot(store_path)
    qtbot.keyClicks(form.title_edit, title)
    form.zone_combo.setEditText(zone)
    form.accept()
    assert form.visible_errors() == {field: message}
    assert form.isVisible() and form.result() != QDialog.DialogCode.Accepted
    assert snapshot(store_path) == before
