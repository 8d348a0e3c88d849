"""Running and logging: run mode, attendance, outcomes, actions, coverage, drifting members."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from copdesk.data import sessions as S
from copdesk.data.sessions import ActionData, BlockData, SessionData
from copdesk.data.store import Store
from copdesk.ui.sessions.actions import ActionForm, ActionModel, Col
from copdesk.ui.sessions.attendance import AttendanceModel, InviteDialog
from copdesk.ui.sessions.common import NO_OWNER
from copdesk.ui.sessions.run_mode import RunModeWindow, fmt_left
from copdesk.ui.sessions.tab import SessionsTab
from tests.ui.conftest import Modals
from tests.ui.sessions import sample
from tests.ui.sessions.conftest import FakeClock


def test_run_mode_extend_and_skip_with_an_injected_clock(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, clock: FakeClock
) -> None:
    blocks = [BlockData("Welcome", 10, "convenes_people", "check_in"),
              BlockData("Talk", 20), BlockData("Discussion", 30)]
    sid = store.run(S.create_session, community_id,
                    SessionData("Room", dt.datetime(2026, 3, 9, 10), "UTC", 60), blocks)
    tab.select_session(sid)
    window = tab.start_run_mode()
    assert isinstance(window, RunModeWindow)
    qtbot.addWidget(window)
    assert window.isVisible() and not window.isModal()
    assert window.current_label.text() == "Welcome"
    assert window.left_label.text() == "10:00"
    assert window.next_label.text() == "Next at 10:10: Talk (20 min)"
    clock.advance(minutes=4, seconds=30)
    window.tick()
    assert window.left_label.text() == "05:30"
    qtbot.keyClick(window, Qt.Key.Key_E)  # extend +5 min
    assert window.left_label.text() == "10:30"
    assert window.next_label.text() == "Next at 10:15: Talk (20 min)"
    assert "Projected end 11:05 against the planned end 11:00: 5 min over" in (
        window.total_label.text())
    clock.advance(minutes=2)
    window.skip_button.click()  # skip ahead at 10:06:30
    assert window.current_label.text() == "Talk"
    assert window.position_label.text() == "Block 2 of 3"
    assert window.next_label.text() == "Next at 10:26: Discussion (30 min)"
    assert "spare" in window.total_label.text()
    clock.advance(minutes=25)
    window.tick()
    assert window.left_label.text() == "−05:00"  # over time, in minus
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.current_label.text() == "The agenda is done"
    assert not window.skip_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert fmt_left(dt.timedelta(hours=1, minutes=2, seconds=3)) == "1:02:03"


def test_run_mode_without_an_agenda_says_so(
    tab: SessionsTab, store: Store, community_id: int, modals: Modals
) -> None:
    sid = store.run(S.create_session, community_id,
                    SessionData("Empty", dt.datetime(2026, 3, 9, 10), "UTC", 60))
    tab.select_session(sid)
    assert not tab.run_action.isEnabled()
    modals.answer("information", None)
    assert tab.start_run_mode() is None
    assert "has no agenda yet" in modals.called("information")[0][2]


def test_invite_by_level_and_mark_attendance(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals,
    roster: dict[str, int],
) -> None:
    sid = store.run(S.create_session, community_id,
                    SessionData("Clinic", dt.datetime(2026, 3, 2, 10), "UTC", 60))
    tab.select_session(sid)
    tab.details.setCurrentIndex(1)

    def choose(dialog: InviteDialog) -> bool:
        dialog.level_combo.setCurrentIndex(dialog.level_combo.findData("core"))
        dialog.level_button.click()
        dialog.tag_combo.setCurrentIndex(dialog.tag_combo.findText("Water quality testing"))
        dialog.tag_button.click()
        assert dialog.count_label.text() == "2 members to invite"
        dialog.accept()
        return True

    modals.answer("run", choose)
    tab.attendance.invite_action.trigger()
    names = {r.full_name for r in store.run(S.list_attendance, sid)}
    assert names == {"Amina Yusuf", "José Álvarez"}
    view = tab.attendance
    assert view.counts_label.text() == "2 on the list · 2 invited"
    view.select_members([roster["Amina Yusuf"]])
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_A)
    view.select_members([roster["José Álvarez"]])
    qtbot.keyClick(view.table, Qt.Key.Key_P)
    assert view.counts_label.text() == "2 on the list · 1 attended · 1 apologised"
    view.select_members([roster["Amina Yusuf"]])
    view.role_combo.setCurrentIndex(view.role_combo.findData("presenter"))
    view.role_combo.activated.emit(view.role_combo.currentIndex())
    rows = {r.full_name: (r.status, r.role) for r in store.run(S.list_attendance, sid)}
    assert rows == {"Amina Yusuf": ("attended", "presenter"),
                    "José Álvarez": ("apologised", "participant")}
    row = tab.current_row()
    assert row is not None and (row.attended, row.invited) == (1, 2)
    stack = tab.workspace.undo_stack
    stack.undo()  # role
    stack.undo()  # apologised
    assert view.counts_label.text() == "2 on the list · 1 invited · 1 attended"
    stack.undo()
    stack.undo()  # the invitation
    assert store.run(S.list_attendance, sid) == []


def test_log_outcomes_and_actions_with_overdue_marking(
    qtbot: QtBot, tab: SessionsTab, store: Store, community_id: int, modals: Modals,
    planned: dict[str, int], roster: dict[str, int],
) -> None:
    sid = planned["review"]
    tab.select_session(sid)
    tab.details.setCurrentIndex(2)
    outcomes = tab.outcomes
    qtbot.keyClicks(outcomes.decisions_edit, "Meet monthly in person")
    assert outcomes.save_button.isEnabled()
    outcomes.save_button.click()
    assert store.run(S.snapshot_session, sid).outcomes[1] == "Meet monthly in person"

    def add(form: ActionForm) -> bool:
        form.accept()  # no description: refused with a message
        assert form.error.text() == "An action needs a description"
        qtbot.keyClicks(form.title_edit, "Book the room")
        form.owner_combo.setCurrentIndex(form.owner_combo.findText("José Álvarez"))
        form.due_edit.setDate(QDate(2026, 3, 1))  # before the fixed "today"
        form.accept()
        return form.result() == form.DialogCode.Accepted

    modals.answer("run", add)
    tab.session_actions.add_action.trigger()
    model = tab.session_actions.model
    assert model.rowCount() == 1
    index = model.index(0, Col.DUE)
    assert index.data() == "01 Mar 2026 (overdue)"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Overdue: was due 01 Mar 2026"
    assert tab.session_actions.summary.text() == "1 open, 1 overdue"
    # The view of all open actions, across sessions, marks the overdue ones.
    all_rows = tab.all_actions.rows_in_view()
    assert [(r.title, r.overdue) for r in all_rows] == [
        ("Share the seal checklist", True), ("Book the room", True),
        ("Ask the host for a field visit", False)]
    tab.session_actions.table.selectRow(0)
    tab.session_actions.done_action.trigger()
    assert [r.title for r in tab.all_actions.rows_in_view()] == [
        "Share the seal checklist", "Ask the host for a field visit"]
    tab.workspace.undo_stack.undo()
    assert len(tab.all_actions.model.rows()) == 3
    # A deleted owner: the action stays, with "(no owner)".
    from copdesk.data import members

    store.run(members.delete_member, roster["José Álvarez"])
    row = next(r for r in range(model.rowCount()))
    assert model.index(row, Col.OWNER).data() == NO_OWNER


def test_coverage_chart_numbers_and_never_served(
    tab: SessionsTab, planned: dict[str, int]
) -> None:
    tab.views.setCurrentIndex(1)
    view = tab.coverage
    values = view.chart.values()
    # Eight held clinics (six blocks each) and the held show and tell.
    assert values["Convenes people"] == 8 * 10 + 5
    assert values["Experience sharing"] == 8 * 25 + 30
    assert values["Amplifies information"] == 0
    assert "Never served in this period: Amplifies information, Builds values" in (
        view.never_label.text())
    assert "held sessions, 09 Mar 2025 – 09 Mar 2026" in view.heading.text()
    # 48 clinic blocks and 5 show-and-tell blocks: 6 + 2 methods tried for the first time.
    assert "Familiar (used at an earlier session): 45 blocks" in view.mix_label.text()
    assert "New (first time tried): 8 blocks" in view.mix_label.text()
    assert (view.mix.familiar, view.mix.new) == (45, 8)
    view.planned_check.setChecked(True)
    assert view.chart.values()["Builds values"] == 0  # the review is after the period
    view.period_combo.setCurrentIndex(view.period_combo.findText("All time"))
    assert view.chart.values()["Builds values"] == 40 + 10


def test_drifting_members_are_listed(tab: SessionsTab, planned: dict[str, int],
                                     roster: dict[str, int]) -> None:
    tab.views.setCurrentIndex(3)
    view = tab.drifting
    view.months_spin.setValue(1)
    texts = [view.list.item(i).text() for i in range(view.list.count())]
    assert set(view.member_ids()) <= set(roster.values())
    assert all("last seen" in t or "never seen" in t for t in texts)
    assert "not seen for 1 months or more" in view.summary.text() or not texts


def test_attendance_and_action_models_pass_the_model_tester(
    qtmodeltester: object, store: Store, community_id: int, planned: dict[str, int]
) -> None:
    att = AttendanceModel()
    rows = store.run(S.list_attendance, planned["clinic_held"])
    att.set_rows(rows, reset=True)
    qtmodeltester.check(att)  # type: ignore[attr-defined]
    att.set_rows(rows[1:4])
    att.set_rows(rows)
    qtmodeltester.check(att)  # type: ignore[attr-defined]
    acts = ActionModel()
    arows = store.run(S.list_actions, community_id, today=sample.NOW.date())
    acts.set_rows(arows, reset=True)
    qtmodeltester.check(acts)  # type: ignore[attr-defined]
    acts.set_rows(arows[:1])
    qtmodeltester.check(acts)  # type: ignore[attr-defined]


def test_render_the_tab_and_run_mode_to_png(
    tab: SessionsTab, planned: dict[str, int], tmp_path: Path
) -> None:
    tab.select_session(planned["review"])
    shots = {"tab": tab.grab()}
    window = tab.start_run_mode()
    assert window is not None
    shots["run"] = window.grab()
    window.close()
    for name, pixmap in shots.items():
        path = tmp_path / f"{name}.png"
        assert pixmap.save(str(path))
        image = QImage(str(path))
        assert image.width() > 800 and image.height() > 500
    ActionData("x")  # the type is part of the public flow used above
