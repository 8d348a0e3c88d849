"""Issue 9's "done when": two copdesk windows on one PostgreSQL store at once.

The demo community is transferred from a laptop file to the server (``copdesk transfer``,
see conftest). Two people open it: two MainWindow objects, each with its own Store on
the same server URL and its own settings. What one does through the widgets appears in
the other's window after its poll (``LiveUpdates``), with the other's selection kept; an
edit against a member the other changed or deleted meanwhile is caught and shown with
both versions, and the user's choice (reload, overwrite, re-create) is what the server
and both windows end up with.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import members
from copdesk.data.store import Store
from copdesk.ui.main_window import MainWindow
from copdesk.ui.members.form import MemberForm
from copdesk.ui.members.model import Column
from copdesk.ui.members.tab import MembersTab

from .conftest import Modals, WindowFactory

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen popups


class Person:
    """One facilitator: a store connection and a window of their own."""

    def __init__(self, name: str, window: MainWindow, store: Store) -> None:
        self.name = name
        self.window = window
        self.store = store

    @property
    def tab(self) -> MembersTab:
        return self.window.members_tab

    def names(self) -> list[str]:
        proxy = self.tab.proxy
        return [str(proxy.index(r, Column.NAME).data()) for r in range(proxy.rowCount())]

    def shown(self, name: str) -> members.MemberRow:
        for r in range(self.tab.proxy.rowCount()):
            row = self.tab.proxy.index(r, Column.NAME)
            if row.data() == name:
                return self.tab.model.row_at(self.tab.proxy.mapToSource(row).row())
        raise AssertionError(f"{name} is not in {self.name}'s roster")

    def select(self, name: str) -> None:
        index = self.tab.proxy.index(self.names().index(name), 0)
        selection = self.tab.table.selectionModel()
        selection.select(index,
                         selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows)
        selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)
        assert self.selected() == [name]

    def selected(self) -> list[str]:
        return [r.full_name for r in self.tab.selected_rows()]

    def activate(self, qtbot: QtBot) -> None:
        self.window.activateWindow()
        qtbot.waitUntil(self.window.isActiveWindow, timeout=3000)

    def catch_up(self) -> None:
        """One poll of the store, as the window's timer does every 3 s."""
        self.window.live.poll()


@pytest.fixture
def two(
    make_window: WindowFactory, pg_url: str, demo_id: int, tmp_path: Path
) -> Iterator[tuple[Person, Person]]:
    people = []
    stores = []
    for name in ("Amara", "Bruno"):
        store = Store.open(pg_url)
        stores.append(store)
        settings = QSettings(str(tmp_path / name / "copdesk.ini"), QSettings.Format.IniFormat)
        window = make_window(store, settings_=settings)
        assert window.community_id == demo_id and window.live.timer.isActive()
        window.live.stop()  # the tests poll when they mean to (one test keeps the timer)
        window.tabs.setCurrentWidget(window.members_tab)
        people.append(Person(name, window, store))
    yield people[0], people[1]
    for person in people:
        person.window.close()
    for store in stores:
        store.close()


def on_server(store: Store, name: str, cid: int) -> members.MemberRow | None:
    with store.session() as s:
        return next((r for r in members.list_members(s, cid) if r.full_name == name), None)


def a_member(person: Person, index: int) -> str:
    return sorted(person.names())[index]


def test_what_one_window_does_appears_in_the_other(
    qtbot: QtBot, modals: Modals, two: tuple[Person, Person], demo_id: int
) -> None:
    a, b = two
    assert sorted(a.names()) == sorted(b.names())
    keep = a_member(b, 10)
    b.select(keep)  # Bruno is looking at someone; his selection must survive

    # Amara adds a member through her form.
    def fill(form: MemberForm) -> bool:
        form.show()
        qtbot.keyClicks(form.full_name, "Thandiwe Mokoena")
        qtbot.keyClicks(form.email, "thandi@randwater.example")
        form.level.setCurrentIndex(form.level.findData("occasional"))
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", fill)
    a.activate(qtbot)
    a.tab.add_action.trigger()
    assert "Thandiwe Mokoena" in a.names()
    assert "Thandiwe Mokoena" not in b.names()  # not before Bruno's window polls
    b.catch_up()
    assert "Thandiwe Mokoena" in b.names()
    assert b.shown("Thandiwe Mokoena").level == "occasional"
    assert b.selected() == [keep]

    # Bruno edits someone in his window; Amara's shows it after her poll.
    target = a_member(b, 5)
    b.select(target)

    def edit(form: MemberForm) -> bool:
        form.show()
        form.organisation.clear()
        qtbot.keyClicks(form.organisation, "Rand Water Board")
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", edit)
    b.activate(qtbot)
    b.tab.edit_selected()
    assert b.shown(target).organisation == "Rand Water Board"
    a.select(keep)
    a.catch_up()
    assert a.shown(target).organisation == "Rand Water Board"
    assert a.selected() == [keep]

    # Amara deletes the member she added; then undoes it (Ctrl+Z): Bruno follows both.
    a.select("Thandiwe Mokoena")
    modals.answer("confirm", True)
    a.tab.delete_selected()
    b.catch_up()
    assert "Thandiwe Mokoena" not in b.names()
    a.activate(qtbot)
    qtbot.keyClick(a.window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(a.window, Qt.Key.Key_Control)
    assert "Thandiwe Mokoena" in a.names()
    b.catch_up()
    assert "Thandiwe Mokoena" in b.names()
    assert sorted(a.names()) == sorted(b.names())
    # Each window's undo history holds its own edits only.
    assert a.window.workspace.undo_stack.count() == 2
    assert b.window.workspace.undo_stack.count() == 1
    back = on_server(b.store, "Thandiwe Mokoena", demo_id)
    assert back is not None and back.email == "thandi@randwater.example"


def conflict_answer(choice: str, seen: dict[str, Any]) -> Any:
    def answer(dialog: Any) -> bool:
        assert type(dialog).__name__ == "ConflictDialog"
        seen["cells"] = dict(dialog.cells)
        button = dialog.reload_button if choice == "reload" else dialog.overwrite_button
        button.click()
        return bool(dialog.result() == QDialog.DialogCode.Accepted)

    return answer


@pytest.mark.parametrize("choice", ["reload", "overwrite"])
def test_editing_a_member_the_other_window_just_changed_is_caught(
    qtbot: QtBot, modals: Modals, two: tuple[Person, Person], demo_id: int, choice: str
) -> None:
    a, b = two
    target = a_member(a, 7)
    before = a.shown(target)
    seen: dict[str, Any] = {}

    def amara_types(form: QDialog) -> bool:
        assert isinstance(form, MemberForm)
        form.show()
        form.job_title.clear()
        qtbot.keyClicks(form.job_title, "Amara's title")
        # Meanwhile Bruno edits the same member in his window and saves.
        b.select(target)
        b.tab.edit_selected()
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        seen["job_title_after"] = form.job_title.text()
        accepted = form.result() == QDialog.DialogCode.Accepted
        if not accepted:
            form.reject()
        return accepted

    def bruno_types(form: QDialog) -> bool:
        assert isinstance(form, MemberForm)
        form.show()
        form.job_title.clear()
        qtbot.keyClicks(form.job_title, "Bruno's title")
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", amara_types, bruno_types, conflict_answer(choice, seen))
    a.select(target)
    a.tab.edit_selected()

    assert seen["cells"]["job_title"] == ("Amara's title", "Bruno's title")
    stored = on_server(a.store, target, demo_id)
    assert stored is not None and stored.version > before.version
    if choice == "reload":
        assert seen["job_title_after"] == "Bruno's title"  # the form took Bruno's version
        assert stored.job_title == "Bruno's title"
        assert a.window.workspace.undo_stack.count() == 0
    else:
        assert stored.job_title == "Amara's title"
        assert a.window.workspace.undo_stack.count() == 1
    for person in (a, b):
        person.catch_up()
        assert person.shown(target).job_title == stored.job_title, person.name
    assert b.window.workspace.undo_stack.count() == 1


def test_saving_a_member_the_other_window_deleted_offers_to_recreate_it(
    qtbot: QtBot, modals: Modals, two: tuple[Person, Person], demo_id: int
) -> None:
    a, b = two
    target = a_member(a, 12)
    seen: dict[str, Any] = {}

    def amara_types(form: QDialog) -> bool:
        assert isinstance(form, MemberForm)
        form.show()
        form.notes.setPlainText("Met at the regional forum")
        b.select(target)
        b.tab.delete_selected()  # Bruno deletes the member meanwhile
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", amara_types, conflict_answer("overwrite", seen))
    modals.answer("confirm", True)  # Bruno's "Delete …?"
    a.select(target)
    a.tab.edit_selected()
    assert "Deleted by someone else" in [theirs for _mine, theirs in seen["cells"].values()]
    back = on_server(a.store, target, demo_id)
    assert back is not None and back.notes == "Met at the regional forum"
    b.catch_up()
    assert target in b.names()
    assert b.shown(target).notes == "Met at the regional forum"


def test_the_window_timer_brings_the_other_window_changes_within_seconds(
    qtbot: QtBot, modals: Modals, two: tuple[Person, Person], demo_id: int
) -> None:
    a, b = two
    b.window.live.start()  # every 3 s, as in use
    keep = a_member(b, 3)
    b.select(keep)
    target = a_member(a, 20)
    a.select(target)

    def edit(form: MemberForm) -> bool:
        form.show()
        form.region.clear()
        qtbot.keyClicks(form.region, "Western Cape")
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", edit)
    a.tab.edit_selected()
    qtbot.waitUntil(lambda: b.shown(target).region == "Western Cape", timeout=10_000)
    assert b.selected() == [keep]
