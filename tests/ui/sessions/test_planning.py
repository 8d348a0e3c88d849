"""Planning sessions through the window: the list, the form, series, templates, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from pytestqt.qtbot import QtBot

from copdesk.data import sessions as S
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.ui.sessions.editor import SessionForm
from copdesk.ui.sessions.model import Column, SessionFilterProxy, SessionTableModel
from copdesk.ui.sessions.tab import THIS_AND_FOLLOWING, THIS_ONLY, SessionsTab
from tests.ui.conftest import Modals
from tests.ui.sessions import sample


def titles(tab: SessionsTab) -> list[str]:
    proxy = tab.proxy
    return [str(proxy.index(r, Column.TITLE).data()) for r in range(proxy.rowCount())]


def dates(tab: SessionsTab) -> list[str]:
    proxy = tab.proxy
    return [str(proxy.index(r, Column.WHEN).data()) for r in range(proxy.rowCount())]


def test_list_shows_upcoming_first_then_past_and_filters(
    qtbot: QtBot, tab: SessionsTab, planned: dict[str, int]
) -> None:
    shown = dates(tab)
    assert shown[:4] == ["Thu 12 Mar 2026  14:00", "Fri 20 Mar 2026  09:30",
                         "Sun 12 Apr 2026  14:00", "Tue 12 May 2026  14:00"]
    assert shown[4] == "Thu 12 Feb 2026  14:00"  # the latest past session comes next
    assert shown[-1] == "Thu 12 Jun 2025  14:00"
    qtbot.keyClicks(tab.filter_edit, "show")
    assert titles(tab) == ["Show and tell: field kits"]
    tab.filter_edit.clear()
    tab.status_filter.setCurrentIndex(tab.status_filter.findData("cancelled"))
    assert len(titles(tab)) == 1
    tab.status_filter.setCurrentIndex(0)
    tab.space_filter.setCurrentIndex(tab.space_filter.findData("private"))
    assert titles(tab) == ["Annual review"]
    assert tab.count_label.text().startswith("1 of 14 sessions")


def test_rhythm_line_and_calendar(tab: SessionsTab, planned: dict[str, int]) -> None:
    text = tab.rhythm_label.text()
    assert text.startswith("Rhythm: Target every 30 days; held every")
    assert "next: Thu 12 Mar 2026" in text
    assert "Next planned: Monthly peer-assist clinic, Thu 12 Mar 2026 14:00" in (
        tab.next_label.text())
    assert "(in 3 days)" in tab.next_label.text()
    assert [r.title for r in tab.calendar.sessions_on(dt.date(2026, 3, 20))] == ["Annual review"]
    tab.calendar.clicked.emit(QDate(2026, 3, 20))
    row = tab.current_row()
    assert row is not None and row.id == planned["review"]
    assert "Private space" in tab.info.text()


def test_plan_a_session_from_a_template_through_the_form(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals,
    roster: dict[str, int],
) -> None:
    def fill(form: SessionForm) -> bool:
        form.template_combo.setCurrentIndex(form.template_combo.findText("Show and tell",
                                                                         Qt.MatchFlag.MatchStartsWith))
        assert form.length_spin.value() == 60
        form.title_edit.clear()
        qtbot.keyClicks(form.title_edit, "Show and tell: sensors")
        form.date_edit.setDate(QDate(2026, 4, 2))
        form.time_edit.setTime(QTime(15, 30))
        form.zone_combo.setEditText("Europe/Paris")
        form.space_buttons["private"].setChecked(True)
        item = form.facilitator_list.findItems("Amina Yusuf", Qt.MatchFlag.MatchExactly)[0]
        item.setCheckState(Qt.CheckState.Checked)
        form.ok_button.click()
        return form.result() == form.DialogCode.Accepted

    modals.answer("run", fill)
    tab.new_action.trigger()
    row = tab.current_row()
    assert row is not None and row.title == "Show and tell: sensors"
    assert row.starts_at == dt.datetime(2026, 4, 2, 15, 30) and row.time_zone == "Europe/Paris"
    assert row.space == "private" and row.facilitators == ("Amina Yusuf",)
    assert tab.agenda.model.rowCount() == 5
    assert tab.agenda.model.index(0, 0).data() == "15:30"
    tab.workspace.undo_stack.undo()
    assert store.run(S.list_sessions, community_id) == []
    tab.workspace.undo_stack.redo()
    assert len(store.run(S.list_blocks, row.id)) == 5


def test_a_session_that_ends_before_it_starts_is_refused(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals
) -> None:
    seen: dict[str, str] = {}

    def fill(form: SessionForm) -> bool:
        qtbot.keyClicks(form.title_edit, "Backwards")
        form.time_edit.setTime(QTime(15, 0))
        form.end_edit.setTime(QTime(14, 0))  # ends before it starts
        form.ok_button.click()
        seen.update(form.visible_errors())
        assert form.result() != form.DialogCode.Accepted
        form.zone_combo.setEditText("Mars/Olympus")
        form.end_edit.setTime(QTime(16, 0))
        form.ok_button.click()
        seen.update(form.visible_errors())
        return False

    modals.answer("run", fill)
    tab.new_action.trigger()
    assert "ends before it starts" in seen["planned_minutes"] or (
        "must end after it starts" in seen["planned_minutes"])
    assert seen["time_zone"] == "Unknown time zone 'Mars/Olympus'"
    assert store.run(S.list_sessions, community_id) == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_end", "A series needs an end: a last date or a number of sessions"),
        ("thousand", "A series can hold 1 to 120 sessions (asked for 1,000)"),
    ],
)
def test_a_series_with_no_end_or_too_many_sessions_gets_a_clear_message(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals,
    setup: str, message: str,
) -> None:
    seen: dict[str, str] = {}

    def fill(form: SessionForm) -> bool:
        assert form.series_box.isChecked()
        qtbot.keyClicks(form.title_edit, "Weekly stand-up")
        if setup == "no_end":
            form.no_end_radio.setChecked(True)
        else:
            form.count_spin.setValue(1000)
        form.ok_button.click()
        seen.update(form.visible_errors())
        return False

    modals.answer("run", fill)
    tab.series_action.trigger()
    assert message in seen.values()
    assert store.run(S.list_sessions, community_id) == []


def test_create_a_series_then_edit_the_rest_of_it(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals
) -> None:
    def create(form: SessionForm) -> bool:
        qtbot.keyClicks(form.title_edit, "Fortnightly clinic")
        form.date_edit.setDate(QDate(2026, 4, 1))
        form.time_edit.setTime(QTime(10, 0))
        form.zone_combo.setEditText("UTC")
        form.cadence_combo.setCurrentIndex(form.cadence_combo.findData("fortnightly"))
        form.count_spin.setValue(4)
        assert "Creates 4 planned sessions: first Wed 01 Apr 2026" in form.series_preview.text()
        form.ok_button.click()
        return form.result() == form.DialogCode.Accepted

    modals.answer("run", create)
    tab.series_action.trigger()
    rows = store.run(S.list_sessions, community_id)
    assert [r.starts_at.date().isoformat() for r in rows] == [
        "2026-04-01", "2026-04-15", "2026-04-29", "2026-05-13"]
    second = rows[1]
    assert tab.select_session(second.id)

    def edit(form: SessionForm) -> bool:
        form.time_edit.setTime(QTime(11, 30))
        form.title_edit.setText("Fortnightly clinic (new time)")
        form.ok_button.click()
        return form.result() == form.DialogCode.Accepted

    modals.answer("run", edit)
    modals.answer("choose", THIS_AND_FOLLOWING)
    tab.edit_action.trigger()
    question = modals.called("choose")[0]
    assert question[3] == [THIS_ONLY, THIS_AND_FOLLOWING]
    after = store.run(S.list_sessions, community_id)
    assert [(r.starts_at.strftime("%m-%d %H:%M"), r.title) for r in after] == [
        ("04-01 10:00", "Fortnightly clinic"),
        ("04-15 11:30", "Fortnightly clinic (new time)"),
        ("04-29 11:30", "Fortnightly clinic (new time)"),
        ("05-13 11:30", "Fortnightly clinic (new time)"),
    ]
    tab.workspace.undo_stack.undo()
    assert {r.title for r in store.run(S.list_sessions, community_id)} == {"Fortnightly clinic"}
    # "This session only" leaves the others alone.
    tab.select_session(second.id)
    modals.answer("run", edit)
    modals.answer("choose", THIS_ONLY)
    tab.edit_action.trigger()
    changed = [r.title for r in store.run(S.list_sessions, community_id)]
    assert changed.count("Fortnightly clinic (new time)") == 1
    # Undo the edit and the series creation: nothing is left, the series neither.
    tab.workspace.undo_stack.undo()
    tab.workspace.undo_stack.undo()
    tab.workspace.undo_stack.undo()
    assert store.run(S.list_sessions, community_id) == []
    tab.workspace.undo_stack.redo()
    assert len(store.run(S.list_sessions, community_id)) == 4


def test_delete_a_session_and_undo_brings_everything_back(
    tab: SessionsTab, store: Store, community_id: int, modals: Modals, planned: dict[str, int]
) -> None:
    sid = planned["clinic_held"]
    tab.select_session(sid)
    before = store.run(S.snapshot_session, sid)
    modals.answer("confirm", True)
    tab.delete_action.trigger()
    assert tab.model.row_of(sid) == -1
    assert modals.called("confirm")[0][2] == "Delete “Monthly peer-assist clinic” on Sat 12 Jul 2025?"
    tab.workspace.undo_stack.undo()
    assert tab.model.row_of(sid) >= 0
    assert store.run(S.snapshot_session, sid) == before
    tab.workspace.undo_stack.redo()
    assert tab.model.row_of(sid) == -1


def test_save_an_agenda_as_a_template(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals,
    planned: dict[str, int],
) -> None:
    tab.select_session(planned["clinic_next"])

    def name(dialog: object) -> bool:
        from copdesk.ui.sessions.tab import TemplateNameDialog

        assert isinstance(dialog, TemplateNameDialog)
        dialog.name_edit.setText("Show and tell")  # a starter's name: refused
        dialog.accept()
        assert "already exists" in dialog.error.text()
        dialog.name_edit.setText("Our clinic")
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    modals.answer("run", name)
    tab.template_action.trigger()
    names = [t.name for t in store.run(S.list_templates, community_id)]
    assert "Our clinic" in names
    tab.workspace.undo_stack.undo()
    assert "Our clinic" not in [t.name for t in store.run(S.list_templates, community_id)]


def test_session_models_pass_the_model_tester(
    qtmodeltester: object, store: Store, community_id: int, planned: dict[str, int]
) -> None:
    model = SessionTableModel(clock=lambda: sample.NOW)
    model.set_source(store, community_id)
    proxy = SessionFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.WHEN)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]
    store.subscribe(model.on_changes)
    sid = store.run(S.create_session, community_id,
                    SessionData("Extra", dt.datetime(2026, 6, 1, 9), "UTC", 30))
    store.run(S.delete_session, planned["show"])
    proxy.set_text("extra")
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]
    assert proxy.rowCount() == 1 and model.find(sid) is not None


@pytest.mark.parametrize("width", [1280, 900, 700])
def test_the_rhythm_lines_are_never_clipped(
    qtbot: QtBot, tab: SessionsTab, planned: dict[str, int], width: int
) -> None:
    tab.reload()
    tab.resize(width, 560)
    qtbot.wait(20)  # the layout settles
    assert tab.rhythm_label.text().startswith("Rhythm: ") and tab.next_label.text()
    for label in (tab.count_label, tab.rhythm_label, tab.next_label):
        assert label.isVisible()
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    box = tab.rhythm_box.geometry()
    assert box.bottom() < tab.table.mapTo(tab, tab.table.rect().topLeft()).y()
