"""The shared "someone else changed it" flow (:func:`copdesk.ui.conflicts.resolve`).

Driven through the real member form on a real store, with a second connection as the
other person: the branches the per-form tests do not reach (cancel, then reload; a second
conflict while overwriting).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui.conflicts import ConflictDialog
from copdesk.ui.members.form import MemberForm

from .conftest import Modals, click


def stored(store: Store, member_id: int) -> members.MemberRow:
    with store.session() as s:
        return members.get_member(s, member_id)


def b_changes(user_b: Store, member_id: int, **fields: Any) -> None:
    data = stored(user_b, member_id).to_data()
    user_b.run(members.update_member, member_id, dataclasses.replace(data, **fields))


def accepted(form: QDialog) -> bool:
    return form.result() == QDialog.DialogCode.Accepted


def still_open(form: QDialog) -> bool:
    return form.isVisible() and not accepted(form)


class Editing:
    """A edits José in the real member form, saving as the members tab does.

    ``saves`` records ``(expected_version, recreate)`` at each submit. ``race`` (if set)
    runs once, on the first save without a version check: the other person saves just
    before A's overwrite lands, so the store refuses it against the version A was shown.
    """

    def __init__(self, qtbot: QtBot, store: Store, member_id: int) -> None:
        self.store, self.member_id = store, member_id
        self.row = stored(store, member_id)
        self.opened = store.run(members.snapshot_member, member_id)
        self.saves: list[tuple[int | None, bool]] = []
        self.race: Callable[[], None] | None = None
        self.form = MemberForm(self.submit, member=self.row)
        qtbot.addWidget(self.form)
        self.form.show()
        self.form.organisation.setText("Agua Viva Lima")

    def submit(self, data: MemberData) -> None:
        expected, recreate = self.form.expected_version, self.form.recreate
        self.saves.append((expected, recreate))
        if recreate:  # put the row back (same id), with A's values
            self.store.run(members.restore_member, self.opened)
            self.store.run(members.update_member, self.member_id, data)
            return
        if expected is None and self.race is not None:
            expected = stored(self.store, self.member_id).version
            self.race()
            self.race = None
        self.store.run(members.update_member, self.member_id, data, expected_version=expected)

    def now(self) -> members.MemberRow:
        return stored(self.store, self.member_id)


@pytest.fixture
def editing(qtbot: QtBot, store: Store, roster: dict[str, int]) -> Editing:
    return Editing(qtbot, store, roster["José Álvarez"])


def test_cancel_keeps_the_typing_and_the_version_then_reload_takes_theirs(
    modals: Modals, user_b: Store, editing: Editing
) -> None:
    form, row = editing.form, editing.row
    b_changes(user_b, row.id, organisation="Agua Pura", region="Bolivia")
    first: dict[str, ConflictDialog] = {}
    modals.answer("run", click(ConflictDialog.CANCEL, first))
    form.ok_button.click()
    # Nothing saved; the form is still open with A's typing, still against A's version.
    assert still_open(form)
    assert form.organisation.text() == "Agua Viva Lima"
    assert form.region.text() == "Peru"
    assert (form.expected_version, form.recreate) == (row.version, False)
    assert editing.now().organisation == "Agua Pura"
    assert first["dialog"].cells["organisation"] == ("Agua Viva Lima", "Agua Pura")
    assert first["dialog"].headline == (
        "Someone else changed José Álvarez while you were editing.")

    # Saving again meets the same conflict; this time A takes B's version.
    again: dict[str, ConflictDialog] = {}
    modals.answer("run", click(ConflictDialog.RELOAD, again))
    form.ok_button.click()
    assert still_open(form) and again["dialog"] is not first["dialog"]
    assert form.organisation.text() == "Agua Pura" and form.region.text() == "Bolivia"
    b_version = editing.now().version
    assert form.expected_version == b_version and b_version != row.version

    # Against B's version the save goes through, with no dialog.
    form.job_title.setText("Lab lead")
    form.ok_button.click()
    assert accepted(form)
    assert editing.saves == [(row.version, False), (row.version, False), (b_version, False)]
    after = editing.now()
    assert (after.organisation, after.region, after.job_title) == (
        "Agua Pura", "Bolivia", "Lab lead")


def test_a_second_conflict_while_overwriting_asks_again_with_the_newest_version(
    modals: Modals, user_b: Store, editing: Editing
) -> None:
    form, row = editing.form, editing.row
    b_changes(user_b, row.id, organisation="Agua Pura", region="Bolivia")
    editing.race = lambda: b_changes(user_b, row.id, region="Chile")
    first: dict[str, ConflictDialog] = {}
    second: dict[str, ConflictDialog] = {}
    modals.answer("run", click(ConflictDialog.OVERWRITE, first),
                  click(ConflictDialog.OVERWRITE, second))
    form.ok_button.click()

    # Asked again (not saved over a version A never saw), with B's newest values.
    assert first["dialog"].cells["region"] == ("Peru", "Bolivia")
    assert second["dialog"].cells["region"] == ("Peru", "Chile")
    assert second["dialog"].overwrite_button.text() == "Overwrite with mine"
    assert accepted(form)
    assert editing.saves == [(row.version, False), (None, False), (None, False)]
    after = editing.now()
    assert (after.organisation, after.region) == ("Agua Viva Lima", "Peru")


def test_deleted_meanwhile_cancel_keeps_the_form_and_recreate_puts_it_back(
    modals: Modals, user_b: Store, editing: Editing
) -> None:
    form, row = editing.form, editing.row
    user_b.run(members.delete_member, row.id)
    seen: dict[str, ConflictDialog] = {}
    modals.answer("run", click(ConflictDialog.CANCEL, seen))
    form.ok_button.click()
    dialog = seen["dialog"]
    assert dialog.headline == "Someone else deleted José Álvarez while you were editing."
    assert (dialog.reload_button.text(), dialog.overwrite_button.text()) == (
        "Discard my changes", "Re-create with my values")
    assert dialog.fields == ["full_name", "email", "organisation"]
    assert still_open(form) and form.organisation.text() == "Agua Viva Lima"
    assert (form.expected_version, form.recreate) == (row.version, False)

    modals.answer("run", click(ConflictDialog.OVERWRITE, seen))
    form.ok_button.click()
    assert accepted(form)
    assert editing.saves[-1] == (None, True)
    assert editing.now().organisation == "Agua Viva Lima"
