"""The value log driven as a coordinator would: the fast path, the form, filters, undo."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from PySide6.QtCore import QDate, QMimeData, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import values as V
from copdesk.data.store import Store
from copdesk.data.values import EntryData
from copdesk.ui.values.form import EntryForm
from copdesk.ui.values.model import Column
from copdesk.ui.values.tab import ValueTab
from tests.ui.conftest import Modals
from tests.ui.values import sample


def drive(qtbot: QtBot, steps: Callable[[QDialog], None]) -> Callable[[QDialog], bool]:
    """A ``dialogs.run`` stand-in: show the dialog, let ``steps`` use it like a person."""

    def run(dialog: QDialog) -> bool:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
        steps(dialog)
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        dialog.close()
        return accepted

    return run


def focus(qtbot: QtBot, tab: ValueTab) -> None:
    """Give the tab's window the keyboard again (a closed dialog took it), table focused."""
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=2000)
    tab.table.setFocus()


def entries(store: Store, cid: int) -> list[V.EntryRow]:
    with store.session() as s:
        return V.list_entries(s, cid)


def shown_titles(tab: ValueTab) -> list[str]:
    return [tab.proxy.index(r, Column.TITLE).data() for r in range(tab.proxy.rowCount())]


def add(store: Store, cid: int, title: str, kind: str = "innovation", cycle: str = "immediate",
        **fields: object) -> int:
    fields.setdefault("for_organisation", True)
    fields.setdefault("entry_date", sample.TODAY)
    return store.run(V.add_entry, cid, EntryData(title=title, kind=kind, cycle=cycle,
                                                 **fields),  # type: ignore[arg-type]
                     today=sample.TODAY)


def test_fast_path_from_a_session_by_keyboard(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    roster: dict[str, int], meeting: int,
) -> None:
    seen: dict[str, object] = {}

    def steps(dialog: QDialog) -> None:
        assert isinstance(dialog, EntryForm)
        seen["date"] = dialog.entry_date.date()
        seen["session"] = dialog.session.currentData()
        seen["ticked"] = dialog.picker.checked_ids()
        seen["logged_by"] = dialog.logged_by.currentText()
        seen["focus"] = dialog.focusWidget() is dialog.title
        seen["heading"] = dialog.heading.text()
        qtbot.keyClicks(dialog.title, "Seal checklist adopted by two utilities")
        qtbot.keyClick(dialog.title, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.kind
        qtbot.keyClicks(dialog.kind, "Inno")
        qtbot.keyClick(dialog.kind, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.cycle, "Applied")
        seen["help"] = dialog.cycle_help.text()
        qtbot.keyClick(dialog.cycle, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.function, "Problem")
        qtbot.keyClick(dialog.cycle, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    modals.answer("run", drive(qtbot, steps))
    started = time.monotonic()
    tab.log_value_from_session(meeting)
    assert time.monotonic() - started < 10

    assert seen["date"] == QDate(2026, 3, 2)
    assert seen["session"] == meeting
    attended = {roster["Amina Yusuf"], roster["José Álvarez"], roster["Ελένη Παπαδοπούλου"]}
    assert set(seen["ticked"]) == attended  # type: ignore[arg-type]
    assert seen["logged_by"] == "José Álvarez"  # the session's facilitator
    assert seen["focus"] is True
    assert "Monthly clinic: pump seals" in str(seen["heading"])
    assert seen["help"] == "Changes in practice"

    [row] = entries(store, community_id)
    assert (row.title, row.kind, row.cycle, row.function) == (
        "Seal checklist adopted by two utilities", "innovation", "applied", "problem_solves")
    assert row.session_id == meeting and row.session_title == "Monthly clinic: pump seals"
    assert row.entry_date == dt.date(2026, 3, 2)
    assert set(row.beneficiary_ids) == attended
    assert row.logged_by == "José Álvarez"
    assert shown_titles(tab) == ["Seal checklist adopted by two utilities"]
    assert tab.selected_rows()[0].id == row.id
    # The next entry defaults to whoever logged last.
    assert tab.default_logged_by() == roster["José Álvarez"]


def test_log_from_a_chosen_session_and_from_elsewhere(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    meeting: int,
) -> None:
    from copdesk.data.communities import create_community

    modals.answer("choose", lambda _p, _t, _l, items, _c: items[0])
    modals.answer("run", lambda d: (seen.append(d.session.currentData()), False)[1])
    seen: list[object] = []
    tab.log_from_chosen_session()
    assert seen == [meeting]

    other = store.run(create_community, "Other CoP")
    foreign = sample.held_session(store, other, "Not ours", sample.TODAY, attended=[])
    modals.answer("warning", None)
    tab.log_value_from_session(foreign)
    assert "another community" in modals.called("warning")[0][2]
    modals.answer("warning", None)
    tab.log_value_from_session(999_999)
    assert entries(store, community_id) == []


def test_measure_that_is_not_a_number_is_refused_beside_the_field(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    shown: list[dict[str, str]] = []

    def steps(dialog: QDialog) -> None:
        assert isinstance(dialog, EntryForm)
        qtbot.keyClicks(dialog.title, "Faster repairs")
        dialog.kind.setCurrentIndex(dialog.kind.findData("new_strategies"))
        dialog.cycle.setCurrentIndex(dialog.cycle.findData("realised"))
        qtbot.keyClicks(dialog.measure_value, "twelve")
        qtbot.keyClicks(dialog.measure_unit, "hours saved")
        dialog.for_organisation.setChecked(True)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        shown.append(dialog.visible_errors())
        assert dialog.isVisible() and dialog.focusWidget() is dialog.measure_value
        assert entries(store, community_id) == []
        dialog.measure_value.clear()
        qtbot.keyClicks(dialog.measure_value, "1 200,5")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    modals.answer("run", drive(qtbot, steps))
    tab.add_entry()
    assert shown == [{"measure_value": "“twelve” is not a number"}]
    [row] = entries(store, community_id)
    assert (row.measure_value, row.measure_unit) == (1200.5, "hours saved")
    assert tab.proxy.index(0, Column.MEASURE).data() == "hours saved: 1,200.5"


def test_missing_fields_all_reported_at_once(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int
) -> None:
    shown: list[dict[str, str]] = []

    def steps(dialog: QDialog) -> None:
        assert isinstance(dialog, EntryForm)
        qtbot.keyClicks(dialog.measure_value, "abc")
        dialog.accept()
        shown.append(dialog.visible_errors())
        dialog.reject()

    modals.answer("run", drive(qtbot, steps))
    tab.add_entry()
    assert set(shown[0]) == {"title", "kind", "cycle", "beneficiaries", "measure_value"}
    assert shown[0]["kind"] == "Choose the kind of value"
    assert entries(store, community_id) == []


def test_a_100000_character_description_is_refused_clearly(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int
) -> None:
    huge = "Long minutes of the meeting. " * 3449  # just over 100,000 characters
    assert len(huge) > 100_000
    shown: list[dict[str, str]] = []

    def steps(dialog: QDialog) -> None:
        assert isinstance(dialog, EntryForm)
        qtbot.keyClicks(dialog.title, "Minutes")
        dialog.kind.setCurrentIndex(dialog.kind.findData("keeping_abreast"))
        dialog.cycle.setCurrentIndex(dialog.cycle.findData("immediate"))
        dialog.for_organisation.setChecked(True)
        # Pasting it is refused at once, with a message beside the field.
        mime = QMimeData()
        mime.setText(huge)
        started = time.monotonic()
        dialog.description.insertFromMimeData(mime)
        assert time.monotonic() - started < 2
        assert dialog.description.toPlainText() == ""
        shown.append(dialog.visible_errors())
        # Text that got there another way is measured as it changes and refused on save.
        dialog.description.setPlainText(huge)
        shown.append(dialog.visible_errors())
        started = time.monotonic()
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert time.monotonic() - started < 2
        shown.append(dialog.visible_errors())
        assert dialog.isVisible()
        dialog.reject()

    modals.answer("run", drive(qtbot, steps))
    tab.add_entry()
    assert "Not pasted" in shown[0]["description"] and "100,0" in shown[0]["description"]
    assert "at most 50,000" in shown[0]["description"]
    assert shown[1]["description"].startswith("The description is too long (100,0")
    assert shown[2]["description"].startswith("The description is too long")
    assert entries(store, community_id) == []


def test_markup_text_round_trips(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    title = "R&D <lead> briefing"
    eid = add(store, community_id, title, description="<b>not bold</b> & more",
              beneficiary_ids=(roster["Amina Yusuf"],))
    assert shown_titles(tab) == [title]
    seen: list[tuple[str, str]] = []

    def steps(dialog: QDialog) -> None:
        assert isinstance(dialog, EntryForm)
        seen.append((dialog.title.text(), dialog.description.toPlainText()))
        dialog.accept()

    tab.select_entry(eid)
    modals.answer("run", drive(qtbot, steps))
    tab.edit_selected()
    assert seen == [(title, "<b>not bold</b> & more")]
    with store.session() as s:
        assert V.entry_data(s, eid).title == title
    story = store.run(V.create_story, community_id, V.StoryData("A <i>story</i> & co"), [eid])
    tab.views.setCurrentIndex(1)
    tab.select_story(story)
    text = tab.reader.toPlainText()
    assert "A <i>story</i> & co" in text and title in text and "<b>not bold</b> & more" in text


def test_undo_and_redo_add_edit_delete(
    qtbot: QtBot, tab: ValueTab, modals: Modals, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    stack = tab.workspace.undo_stack

    def typed(title: str) -> Callable[[QDialog], None]:
        def steps(dialog: QDialog) -> None:
            assert isinstance(dialog, EntryForm)
            dialog.title.selectAll()
            qtbot.keyClicks(dialog.title, title)
            dialog.kind.setCurrentIndex(dialog.kind.findData("reputation"))
            dialog.cycle.setCurrentIndex(dialog.cycle.findData("potential"))
            qtbot.keyClicks(dialog.picker.search, "amina")
            qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Return)  # ticks, does not close
            assert dialog.isVisible() and dialog.picker.search.text() == ""
            dialog.accept()
        return steps

    modals.answer("run", drive(qtbot, typed("Talk accepted")))
    qtbot.keyClick(tab.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    [row] = entries(store, community_id)
    assert row.beneficiary_ids == (roster["Amina Yusuf"],)
    assert stack.undoText() == "Log value “Talk accepted”"

    tab.select_entry(row.id)
    modals.answer("run", drive(qtbot, typed("Keynote accepted")))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert shown_titles(tab) == ["Keynote accepted"]

    tab.select_entry(row.id)
    modals.answer("confirm", True)
    focus(qtbot, tab)
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert entries(store, community_id) == [] and shown_titles(tab) == []
    assert "Talk accepted" not in modals.called("confirm")[0][2]

    stack.undo()
    assert shown_titles(tab) == ["Keynote accepted"]
    stack.undo()
    assert shown_titles(tab) == ["Talk accepted"]
    stack.undo()
    assert shown_titles(tab) == []
    stack.redo()
    stack.redo()
    assert [r.title for r in entries(store, community_id)] == ["Keynote accepted"]
    assert entries(store, community_id)[0].beneficiary_ids == (roster["Amina Yusuf"],)
    stack.redo()
    assert shown_titles(tab) == []


def test_filters_by_kind_cycle_member_session_period_and_text(
    qtbot: QtBot, tab: ValueTab, store: Store, community_id: int, roster: dict[str, int],
    meeting: int,
) -> None:
    amina, jose = roster["Amina Yusuf"], roster["José Álvarez"]
    add(store, community_id, "Old news", "keeping_abreast", "immediate",
        entry_date=dt.date(2024, 5, 1))
    add(store, community_id, "Pump seals", "innovation", "applied", session_id=meeting,
        beneficiary_ids=(amina,), entry_date=dt.date(2026, 3, 2))
    add(store, community_id, "Mentoring", "personal_development", "potential",
        for_organisation=False, beneficiary_ids=(jose,), entry_date=dt.date(2026, 1, 10),
        evidence="Thank-you note from Lagos")
    assert tab.count_label.text() == "3 entries"

    def only(combo_name: str, data: object) -> list[str]:
        tab.reset_filters()
        combo = getattr(tab, combo_name)
        combo.setCurrentIndex(combo.findData(data))
        return sorted(shown_titles(tab))

    assert only("kind_filter", "innovation") == ["Pump seals"]
    assert only("kind_filter", "group:members") == ["Mentoring"]
    assert only("kind_filter", "group:organisation") == ["Old news", "Pump seals"]
    assert only("cycle_filter", "potential") == ["Mentoring"]
    assert only("member_filter", jose) == ["Mentoring"]
    assert only("session_filter", meeting) == ["Pump seals"]
    assert only("period_filter", "12m") == ["Mentoring", "Pump seals"]
    assert only("period_filter", "last_year") == []
    tab.reset_filters()
    tab.period_filter.setCurrentIndex(tab.period_filter.findData("between"))
    assert tab.start_edit.isVisible()
    tab.start_edit.setDate(QDate(2024, 1, 1))
    tab.end_edit.setDate(QDate(2025, 12, 31))
    assert shown_titles(tab) == ["Old news"]
    tab.reset_filters()
    assert tab.focus_filter() and tab.filter_edit.hasFocus()
    qtbot.keyClicks(tab.filter_edit, "lagos")
    assert shown_titles(tab) == ["Mentoring"]
    assert tab.count_label.text() == "1 of 3 entries"
    qtbot.mouseClick(tab.clear_filters, Qt.MouseButton.LeftButton)
    assert tab.count_label.text() == "3 entries"


def test_the_log_follows_the_store_without_resets(
    qtbot: QtBot, tab: ValueTab, store: Store, community_id: int, roster: dict[str, int]
) -> None:
    resets: list[int] = []
    tab.model.modelReset.connect(lambda: resets.append(1))
    eid = add(store, community_id, "Added elsewhere", beneficiary_ids=(roster["Dana Smith"],))
    assert shown_titles(tab) == ["Added elsewhere"]
    from copdesk.data import members as M
    from copdesk.data.validation import MemberData

    store.run(M.update_member, roster["Dana Smith"], MemberData("Dana Smith-Jones"))
    assert tab.proxy.index(0, Column.BENEFICIARIES).data().startswith("Dana Smith-Jones")
    store.run(V.delete_entry, eid)
    assert shown_titles(tab) == [] and tab.log_stack.currentIndex() == 1
    assert resets == []
