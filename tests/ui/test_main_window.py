"""The main window: tabs and shortcuts, menus, settings, communities, stores, first run."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from copdesk import __version__
from copdesk.data import communities, demo, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui import app as app_module
from copdesk.ui.community import CommunityForm
from copdesk.ui.fitness.tab import FitnessTab
from copdesk.ui.main_window import MainWindow
from copdesk.ui.sessions.tab import SessionsTab
from copdesk.ui.values.tab import ValueTab

from .conftest import Modals, WindowFactory

CTRL = Qt.KeyboardModifier.ControlModifier


def test_four_tabs_with_icons(window: MainWindow) -> None:
    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Members", "Sessions", "Fitness", "Value"
    ]
    assert all(not tabs.tabIcon(i).isNull() for i in range(tabs.count()))
    # Only the tab shown is made at start; each other one when it is first shown.
    assert [type(p).__name__ for p in window.pages] == ["MembersTab"]
    for index, kind in ((2, FitnessTab), (1, SessionsTab), (3, ValueTab)):
        placeholder = tabs.widget(index)
        tabs.setCurrentIndex(index)
        assert isinstance(tabs.widget(index), kind)
        assert tabs.currentIndex() == index
        assert tabs.tabText(index) == kind.title and not tabs.tabIcon(index).isNull()
        assert placeholder is not tabs.widget(index)
    assert [type(p) for p in window.pages][1:] == [SessionsTab, FitnessTab, ValueTab]


def test_a_tab_made_later_loads_the_open_community_and_its_remembered_layout(
    qtbot: QtBot, make_window: WindowFactory, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    first = make_window(store)
    first.tabs.setCurrentIndex(3)
    first.value_tab.views.setCurrentIndex(1)
    first.tabs.setCurrentIndex(0)
    first.close()
    second = make_window(store)
    assert second.tabs.currentIndex() == 0
    assert len(second.pages) == 1
    second.tabs.setCurrentIndex(3)  # made now, after the window: restores its own layout
    value = second.value_tab
    assert value.views.currentIndex() == 1
    qtbot.waitUntil(lambda: not value.stale)
    assert value.workspace.community_id == community_id
    assert len(second.pages) == 2


def test_ctrl_digits_switch_tabs_and_ctrl_f_focuses_the_filter(
    qtbot: QtBot, window: MainWindow
) -> None:
    for key, index in ((Qt.Key.Key_3, 2), (Qt.Key.Key_2, 1), (Qt.Key.Key_4, 3),
                       (Qt.Key.Key_1, 0)):
        qtbot.keyClick(window, key, CTRL)
        assert window.tabs.currentIndex() == index
    tab = window.members_tab
    tab.views.setCurrentWidget(tab.reach)
    window.members_tab.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert tab.views.currentIndex() == 0
    assert QApplication.focusWidget() is tab.filter_edit


def test_menus_hold_what_a_desktop_user_expects(window: MainWindow) -> None:
    menus = {
        a.text().replace("&", ""): [x.text().replace("&", "") for x in a.menu().actions()
                                     if not x.isSeparator()]
        for a in window.menuBar().actions()
        if a.menu() is not None
    }
    assert list(menus) == ["File", "Edit", "View", "Help"]
    assert menus["File"] == [
        "New community…", "Switch community…", "Community details…", "Open store…",
        "Export…", "Host logo…", "Remove host logo", "Restore from backup…", "Quit",
    ]
    assert menus["Edit"][2:] == ["Find"]
    assert menus["Edit"][0].startswith("Undo") and menus["Edit"][1].startswith("Redo")
    assert menus["Help"] == ["Data and backups…", "About copdesk"]
    assert window.redo_action.shortcut().toString() == "Ctrl+Shift+Z"
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"


def test_about_names_the_version(modals: Modals, window: MainWindow) -> None:
    modals.answer("information", None)
    window.about_action.trigger()
    (args,) = modals.called("information")
    assert f"copdesk {__version__}" in args[2]


def test_status_bar_names_store_and_community(
    store: Store, roster: dict[str, int], window: MainWindow
) -> None:
    text = window.where_label.text()
    assert "Water CoP (5 members)" in text
    assert str(store.url).split("///")[-1] in text
    assert window.windowTitle() == "Water CoP — copdesk"


def test_window_state_is_remembered(
    qtbot: QtBot, store: Store, community_id: int, make_window: WindowFactory,
    settings: QSettings, roster: dict[str, int],
) -> None:
    first = make_window(store)
    first.resize(790, 590)  # within the offscreen screen (800x600), above the minimum
    splitter = first.members_tab.splitter
    qtbot.waitUntil(lambda: splitter.width() > 700)  # laid out at the new size
    splitter.setSizes([500, 300])  # as the user drags it, on the visible tab
    remembered = splitter.sizes()
    first.tabs.setCurrentIndex(2)
    first.close()
    assert settings.value("window/tab", type=int) == 2
    assert settings.value("store/last") == store.url

    second = make_window(store)
    assert second.tabs.currentIndex() == 2
    assert (second.width(), second.height()) == (790, 590)
    second.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: second.members_tab.splitter.sizes()[1] > 0)
    sizes = second.members_tab.splitter.sizes()
    # The split is kept in proportion (the tab may be laid out at another width).
    assert abs(sizes[0] / sum(sizes) - remembered[0] / sum(remembered)) < 0.01


def test_first_run_offers_to_create_a_community(
    qtbot: QtBot, modals: Modals, store: Store, make_window: WindowFactory
) -> None:
    window = make_window(store)
    assert window.central.currentWidget() is window.welcome
    assert "No community yet" in window.where_label.text()

    def create(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        form.show()
        qtbot.keyClicks(form.name, "River Keepers")
        qtbot.keyClicks(form.domain, "Keeping rivers clean")
        qtbot.keyClicks(form.host, "Basin Authority")
        form.stage.setCurrentIndex(form.stage.findData("maturing"))
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", create)
    qtbot.mouseClick(window.welcome.create_button, Qt.MouseButton.LeftButton)
    assert window.central.currentWidget() is window.tabs
    with store.session() as s:
        (info,) = communities.list_communities(s)
    assert (info.name, info.domain, info.host_organisation, info.stage) == (
        "River Keepers", "Keeping rivers clean", "Basin Authority", "maturing"
    )
    assert window.community_id == info.id
    assert "River Keepers" in window.where_label.text()


def test_community_name_taken_is_refused_in_the_form(
    qtbot: QtBot, modals: Modals, store: Store, community_id: int, window: MainWindow
) -> None:
    seen: dict[str, str] = {}

    def create(form: QDialog) -> bool:
        assert isinstance(form, CommunityForm)
        form.show()
        qtbot.keyClicks(form.name, "Water CoP")
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
        seen["error"] = form.name_error.text() if form.name_error.isVisibleTo(form) else ""
        form.reject()
        return False

    modals.answer("run", create)
    window.new_community_action.trigger()
    assert "already exists" in seen["error"]


def test_first_run_can_open_the_demo(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    window = make_window(store)
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    assert window.central.currentWidget() is window.tabs
    assert demo.DEMO_NAME in window.where_label.text()
    assert window.members_tab.model.rowCount() >= 50
    # A second time finds the demo that exists instead of adding another.
    cid = window.community_id
    window.open_demo()
    assert window.community_id == cid


def test_switching_community(
    qtbot: QtBot, modals: Modals, store: Store, community_id: int, roster: dict[str, int],
    window: MainWindow,
) -> None:
    assert window.switch_community_action.isEnabled() is False  # one community: the default
    other = store.run(communities.create_community, "Health CoP")
    store.run(members.add_member, other, MemberData("Mei Lin"))
    assert window.switch_community_action.isEnabled()

    window.members_tab.filter_edit.setText("x")
    window.members_tab.filter_edit.clear()
    modals.answer("confirm", True)
    window.members_tab.table.selectRow(0)
    window.members_tab.delete_action.trigger()
    assert window.workspace.undo_stack.count() == 1

    modals.answer("choose", "Health CoP")
    window.switch_community_action.trigger()
    assert window.community_id == other
    assert [r.full_name for r in window.members_tab.model.all_rows()] == ["Mei Lin"]
    assert window.workspace.undo_stack.count() == 0  # no undoing into another community
    assert "Health CoP (1 member)" in window.where_label.text()


def test_remembers_the_community_per_store(
    store: Store, community_id: int, make_window: WindowFactory
) -> None:
    other = store.run(communities.create_community, "Alpha CoP")
    first = make_window(store)
    assert first.community_id == other  # nothing remembered: the first by name
    first.set_community(community_id)
    first.close()
    second = make_window(store)
    assert second.community_id == community_id


def test_export_report_opens_the_export_dialog_on_the_selected_session(
    qtbot: QtBot, modals: Modals, store: Store, community_id: int, roster: dict[str, int],
    make_window: WindowFactory, tmp_path: Path,
) -> None:
    import datetime as dt

    from copdesk.data import sessions as S
    from copdesk.ui.export_dialog import ExportDialog

    sid = store.run(S.create_session, community_id,
                    S.SessionData("Clinic", dt.datetime(2026, 3, 3, 10), "UTC", 60))
    window = make_window(store)
    window.tabs.setCurrentWidget(window.sessions_tab)
    window.sessions_tab.select_session(sid)
    out = tmp_path / "roster.pdf"

    def export(dialog: QDialog) -> bool:
        assert isinstance(dialog, ExportDialog)
        dialog.show()
        assert dialog.session_combo.currentData() == sid
        dialog.report_combo.setCurrentIndex(dialog.report_combo.findData("roster"))
        dialog.file_edit.setText(str(out))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.is_running(), timeout=60_000)
        assert dialog.wait_for_export()
        dialog.reject()
        return False

    modals.answer("run", export)
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Water CoP" in text and "Amina Yusuf" in text


def test_open_store_from_the_menu(
    tmp_path: Path, modals: Modals, store: Store, community_id: int, window: MainWindow
) -> None:
    other_path = tmp_path / "other.sqlite"
    with Store.open(other_path) as other:
        other.run(communities.create_community, "Elsewhere")
    modals.answer("open_file", other_path)
    window.open_store_action.trigger()
    assert "Elsewhere" in window.where_label.text()
    assert str(other_path) in window.where_label.text()

    (tmp_path / "junk.sqlite").write_text("not a database")
    modals.answer("open_file", tmp_path / "junk.sqlite")
    modals.answer("error", None)
    window.open_store_action.trigger()
    (args,) = modals.called("error")
    assert "not a copdesk store" in args[2]
    assert "Elsewhere" in window.where_label.text()  # still on the store that worked


# --- starting the app -------------------------------------------------------------------------
def _newer_store(path: Path) -> bytes:
    with Store.open(path):
        pass
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    return path.read_bytes()


def test_a_store_that_cannot_be_opened_is_explained_not_a_traceback(
    tmp_path: Path, modals: Modals, settings: QSettings, qtbot: QtBot
) -> None:
    path = tmp_path / "newer.sqlite"
    before = _newer_store(path)
    modals.answer("store_problem", "quit")
    assert app_module.build_main_window(str(path), settings) is None
    (args,) = modals.called("store_problem")
    assert "newer than this copdesk" in args[1]
    assert path.read_bytes() == before


def test_after_a_store_problem_the_user_can_pick_another(
    tmp_path: Path, modals: Modals, settings: QSettings, qtbot: QtBot
) -> None:
    bad = tmp_path / "newer.sqlite"
    _newer_store(bad)
    good = tmp_path / "good.sqlite"
    modals.answer("store_problem", "other")
    modals.answer("open_file", good)
    window = app_module.build_main_window(str(bad), settings)
    assert window is not None
    qtbot.addWidget(window)
    try:
        assert window.store is not None and str(good) in window.store.url
    finally:
        window.close()


def test_the_last_store_is_opened_when_no_db_is_given(
    tmp_path: Path, settings: QSettings, qtbot: QtBot
) -> None:
    path = tmp_path / "last.sqlite"
    with Store.open(path) as s:
        settings.setValue("store/last", s.url)
    window = app_module.build_main_window(None, settings)
    assert window is not None
    qtbot.addWidget(window)
    try:
        assert window.store is not None and window.store.url == f"sqlite:///{path}"
    finally:
        window.close()


def test_unexpected_errors_get_a_short_message(modals: Modals) -> None:
    previous = app_module.install_excepthook()
    try:
        modals.answer("error", None)
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    (args,) = modals.called("error")
    assert args[1] == "Something went wrong"
    assert "RuntimeError: boom" in args[2]
    assert "Traceback" in args[3]


def test_an_undo_that_no_longer_applies_is_explained(
    modals: Modals, store: Store, community_id: int, roster: dict[str, int],
    window: MainWindow, qtbot: QtBot,
) -> None:
    tab = window.members_tab
    tab.table.selectRow(0)
    deleted = tab.current_row()
    assert deleted is not None and deleted.email
    modals.answer("confirm", True)
    tab.delete_action.trigger()
    # Someone takes the email meanwhile: the member cannot come back as they were.
    store.run(members.add_member, community_id, MemberData("Newcomer", email=deleted.email))
    modals.answer("warning", None)
    window.undo_action.trigger()
    (args,) = modals.called("warning")
    assert "cannot be undone any more" in args[2]
    qtbot.waitUntil(lambda: window.workspace.undo_stack.count() == 0)


def test_log_value_from_a_held_session_opens_the_value_form(
    qtbot: QtBot, modals: Modals, store: Store, community_id: int, make_window: WindowFactory
) -> None:
    import datetime as dt

    from copdesk.data import sessions as S
    from copdesk.data import values as V
    from copdesk.ui.values.form import EntryForm

    ada = store.run(members.add_member, community_id, MemberData(full_name="Ada Lovelace"))
    sid = store.run(S.create_session, community_id,
                    S.SessionData("Clinic", dt.datetime(2026, 3, 3, 10), "UTC", 60, status="held"))
    store.run(S.invite, sid, [ada])
    store.run(S.set_attendance, sid, ada, status="attended")
    window = make_window(store)
    window.tabs.setCurrentWidget(window.sessions_tab)
    window.sessions_tab.select_session(sid)
    assert window.sessions_tab.log_value_action.isEnabled()

    def fill(form: QDialog) -> bool:
        assert isinstance(form, EntryForm)
        form.show()
        qtbot.keyClicks(form.title, "Ada fixed her pump schedule")
        form.kind.setCurrentIndex(form.kind.findData("personal_development"))
        form.cycle.setCurrentIndex(form.cycle.findData("applied"))
        form.accept()
        return form.result() == QDialog.DialogCode.Accepted

    modals.answer("run", fill)
    window.sessions_tab.log_value_action.trigger()
    assert window.tabs.currentWidget() is window.value_tab
    with store.session() as s:
        (entry,) = V.list_entries(s, community_id)
    assert entry.session_id == sid and entry.beneficiaries == ("Ada Lovelace",)
    assert entry.entry_date == dt.date(2026, 3, 3)


def test_hidden_tabs_load_when_first_shown(
    qtbot: QtBot, store: Store, community_id: int, make_window: WindowFactory
) -> None:
    window = make_window(store)
    window.tabs.setCurrentIndex(0)
    other = store.run(communities.create_community, "Second CoP")
    window.set_community(other)
    assert not window.members_tab.stale  # the visible tab loads at once
    assert window.sessions_tab.stale and window.value_tab.stale
    store.run(members.add_member, other, MemberData(full_name="Ada Lovelace"))
    window.tabs.setCurrentWidget(window.sessions_tab)
    assert not window.sessions_tab.stale
    assert window.members_tab.model.rowCount() == 1


def test_no_password_ever_lands_in_settings(settings: QSettings) -> None:
    from copdesk.ui.settings import store_key

    url = "postgresql+psycopg://ann:s3cret-pw@db.example/cop"
    assert "s3cret" not in store_key(url)
    assert store_key(url) == store_key("postgresql+psycopg://ann@db.example/cop")


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80">'
    b'<rect width="200" height="80" fill="#0072B2"/></svg>'
)


def test_host_logo_from_svg_or_png_is_kept_in_the_store_and_undoable(
    modals: Modals, store: Store, community_id: int, window: MainWindow, tmp_path: Path
) -> None:
    from PySide6.QtGui import QImage

    svg = tmp_path / "host.svg"
    svg.write_bytes(SVG_LOGO)
    modals.answer("open_file", svg)
    window.logo_action.trigger()
    with store.session() as s:
        kept = communities.get_logo(s, community_id)
    assert kept is not None and communities.logo_kind(kept) == "png"
    assert QImage.fromData(kept).width() == 1200  # drawn large enough to print sharply
    window.undo_action.trigger()
    with store.session() as s:
        assert communities.get_logo(s, community_id) is None
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_text("not an image")
    modals.answer("open_file", not_an_image)
    modals.answer("error", None)
    window.logo_action.trigger()
    assert "not a PNG, JPEG or SVG image" in modals.called("error")[0][2]
