"""File > Export report…: the export dialog driven as a person would, on a real store."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from copdesk.data import demo, fitness, members, sessions, values
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.reports import style
from copdesk.ui.export_dialog import ExportDialog, period_dates, suggested_name
from tests.reports.fitness_value_sample import add_quarterly_assessments, add_value_log
from tests.reports.pdfread import all_text, outline_entries
from tests.ui.conftest import Modals

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, int]]:
    store = Store.open(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    cid = store.run(demo.create_demo, today=TODAY)
    with store.session() as s:
        if not values.list_entries(s, cid):
            store.run(add_value_log, cid, TODAY)
        if not fitness.list_assessments(s, cid):
            store.run(add_quarterly_assessments, cid, TODAY)
    yield store, cid
    store.close()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """The URLs the dialog asked the system to open (no viewer starts in tests)."""
    urls: list[QUrl] = []

    def fake(url: QUrl) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake)
    return urls


def _dialog(qtbot: QtBot, store: Store, cid: int, settings: QSettings,
            **kwargs: object) -> ExportDialog:  # fmt: skip
    dialog = ExportDialog(store, cid, settings, today=TODAY, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _choose(dialog: ExportDialog, report: str) -> None:
    dialog.report_combo.setFocus()
    index = dialog.report_combo.findData(report)
    assert index >= 0
    dialog.report_combo.setCurrentIndex(index)


def _toggle(qtbot: QtBot, dialog: ExportDialog, section: str) -> None:
    """Tick or untick a section by keyboard."""
    check = dialog.section_checks[section]
    check.setFocus()
    qtbot.keyClick(check, Qt.Key.Key_Space)


def _type_file(qtbot: QtBot, dialog: ExportDialog, path: Path) -> None:
    dialog.file_edit.selectAll()
    qtbot.keyClick(dialog.file_edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.file_edit, str(path))


def _export(qtbot: QtBot, dialog: ExportDialog) -> None:
    assert dialog.export_button.isEnabled(), dialog.status.text()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)


def _wait_done(qtbot: QtBot, dialog: ExportDialog, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=timeout)
    assert dialog.wait_for_export()


def test_period_choices() -> None:
    assert period_dates("year", TODAY) == (dt.date(2025, 7, 1), TODAY)
    assert period_dates("quarter", TODAY) == (dt.date(2026, 3, 29), TODAY)
    assert period_dates("last_quarter", TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert period_dates("last_quarter", dt.date(2026, 2, 3)) == (dt.date(2025, 10, 1),
                                                                dt.date(2025, 12, 31))  # fmt: skip
    assert period_dates("last_year", TODAY) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert period_dates("custom", TODAY) == (None, None)
    assert suggested_name("R&D <Water> CoP", "overview", None, TODAY) == (
        "r-d-water-cop-overview-2026-06-30.pdf")


def test_choose_a_report_and_export_it(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path,
    opened: list[QUrl],
) -> None:  # fmt: skip
    store, cid = demo_store
    dialog = _dialog(qtbot, store, cid, settings)
    assert dialog.kind().key == "overview" and dialog.sections_box.isVisible()
    _choose(dialog, "roster")
    assert not dialog.period_box.isVisible() and not dialog.sections_box.isVisible()
    assert dialog.file_edit.text().endswith("water-sanitation-practitioners-roster-2026-06-30.pdf")
    out = tmp_path / "exports" / "roster"
    out.parent.mkdir()
    _type_file(qtbot, dialog, out)  # no suffix typed: .pdf is added
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    written = out.with_suffix(".pdf")
    assert dialog.written == written and written.exists()
    assert demo.DEMO_NAME in all_text(written) and "Directory" in all_text(written)
    assert "Saved to" in dialog.status.text()
    assert dialog.open_button.isVisible() and dialog.folder_button.isVisible()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in opened] == [str(written), str(written.parent)]
    # the folder and the report are remembered for the next export
    again = _dialog(qtbot, store, cid, settings)
    assert again.kind().key == "roster"
    assert Path(again.file_edit.text()).parent == written.parent


def test_overview_with_chosen_period_and_sections(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path
) -> None:
    store, cid = demo_store
    dialog = _dialog(qtbot, store, cid, settings, report="overview")
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("custom"))
    assert dialog.start_edit.isEnabled()
    dialog.start_edit.setDate(QDate(2026, 1, 1))
    dialog.end_edit.setDate(QDate(2026, 3, 31))
    note = dialog.period_note.text()
    assert note == "Compared with the 90 days before, 2025-10-03 to 2025-12-31."
    for key in ("health", "knowledge", "next", "directory"):
        _toggle(qtbot, dialog, key)
    assert dialog.sections() == ("summary", "impact", "fitness")
    assert dialog.file_edit.text().endswith("-overview-2026-03-31.pdf")
    _type_file(qtbot, dialog, tmp_path / "q1.pdf")
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    out = tmp_path / "q1.pdf"
    top = [title for depth, title, _ in outline_entries(out) if depth == 0]
    assert top == [demo.DEMO_NAME, "Summary", "Impact", "Fitness"]
    assert "1 January 2026 to 31 March 2026" in all_text(out)
    # no section, or a period that ends before it starts: Export is not offered
    for key in ("summary", "impact", "fitness"):
        _toggle(qtbot, dialog, key)
    assert not dialog.export_button.isEnabled()
    assert dialog.status.text() == "Choose at least one section."
    _toggle(qtbot, dialog, "impact")
    dialog.start_edit.setDate(QDate(2026, 5, 1))
    assert not dialog.export_button.isEnabled()
    assert dialog.export_button.toolTip() == "The period starts after it ends."


def test_session_reports_start_from_the_selected_session(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path
) -> None:
    store, cid = demo_store
    with store.session() as s:
        held = [r for r in sessions.list_sessions(s, cid) if r.status == "held"][2]
    dialog = _dialog(qtbot, store, cid, settings, session_id=held.id, report="summary")
    assert dialog.session_combo.isVisible() and not dialog.period_box.isVisible()
    assert dialog.session_combo.currentData() == held.id
    _type_file(qtbot, dialog, tmp_path / "summary.pdf")
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    text = all_text(tmp_path / "summary.pdf")
    assert held.title.split(":")[0] in text and "Attendance" in text


def test_cancel_during_an_overview_export_leaves_no_file(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path
) -> None:
    store, cid = demo_store
    dialog = _dialog(qtbot, store, cid, settings, report="overview")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "overview.pdf"
    _type_file(qtbot, dialog, out)
    _export(qtbot, dialog)
    assert dialog.is_running() and dialog.cancel_button.isVisible()
    assert not dialog.close_button.isEnabled() and not dialog.report_combo.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=20000)
    assert dialog.cancel_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    _wait_done(qtbot, dialog)
    assert dialog.status.text() == "Export cancelled; no file was written."
    assert not out.exists() and list(folder.iterdir()) == []  # no temp file either
    assert dialog.written is None and not dialog.open_button.isVisible()
    assert dialog.export_button.isEnabled()  # ready to try again


def test_the_event_loop_keeps_running_during_a_long_export(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path
) -> None:
    store, cid = demo_store
    dialog = _dialog(qtbot, store, cid, settings, report="overview")
    _type_file(qtbot, dialog, tmp_path / "overview.pdf")
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    values_seen: list[int] = []
    dialog.progress.valueChanged.connect(values_seen.append)
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    timer.stop()
    assert (tmp_path / "overview.pdf").exists()
    assert ticks >= 10, ticks  # the timer kept firing while the worker built the PDF
    assert len(set(values_seen)) >= 5 and max(values_seen) == 1000


def test_an_unwritable_place_shows_the_error(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path,
    modals: Modals,
) -> None:  # fmt: skip
    store, cid = demo_store
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    dialog = _dialog(qtbot, store, cid, settings, report="roster")
    _type_file(qtbot, dialog, blocker / "roster.pdf")
    modals.answer("error", None)
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    [(parent, title, message, *_)] = modals.called("error")
    assert parent is dialog and title == "The report was not written"
    assert "is not a folder" in message and message.startswith("Cannot write")
    assert dialog.status.text().startswith("Not exported: cannot write")
    assert blocker.read_text() == "a file"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes into read-only folders")  # fmt: skip
def test_a_read_only_folder_keeps_the_earlier_file(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path,
    modals: Modals,
) -> None:  # fmt: skip
    store, cid = demo_store
    folder = tmp_path / "locked"
    folder.mkdir()
    earlier = folder / "roster.pdf"
    earlier.write_bytes(b"%PDF-1.4 earlier")
    folder.chmod(0o500)
    try:
        dialog = _dialog(qtbot, store, cid, settings, report="roster")
        _type_file(qtbot, dialog, earlier)
        modals.answer("confirm", True)  # replace it
        modals.answer("error", None)
        _export(qtbot, dialog)
        _wait_done(qtbot, dialog)
        assert "permission denied" in modals.called("error")[0][2]
        assert earlier.read_bytes() == b"%PDF-1.4 earlier"
    finally:
        folder.chmod(0o700)


def test_an_existing_file_is_replaced_only_when_confirmed(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path,
    modals: Modals,
) -> None:  # fmt: skip
    store, cid = demo_store
    out = tmp_path / "fitness.pdf"
    out.write_bytes(b"%PDF-1.4 earlier")
    dialog = _dialog(qtbot, store, cid, settings, report="fitness")
    _type_file(qtbot, dialog, out)
    modals.answer("confirm", False)
    _export(qtbot, dialog)
    assert not dialog.is_running() and out.read_bytes() == b"%PDF-1.4 earlier"
    modals.answer("confirm", True)
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    assert "Scores by dimension" in all_text(out)
    assert [args[1] for args in modals.called("confirm")] == ["Replace the file?"] * 2


def test_characters_that_would_print_as_boxes_are_reported_first(
    qtbot: QtBot, store: Store, community_id: int, settings: QSettings, tmp_path: Path,
    modals: Modals, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(style, "FALLBACK_FONT_DIRS", [tmp_path / "no-fonts"])
    store.run(members.add_member, community_id, MemberData(
        full_name="王小明", level="core", consent=True))  # fmt: skip
    dialog = _dialog(qtbot, store, community_id, settings, report="roster")
    out = tmp_path / "roster.pdf"
    _type_file(qtbot, dialog, out)
    modals.answer("confirm", False)
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    [(_, title, message, *_)] = modals.called("confirm")
    assert title == "Some characters cannot be printed" and "U+738B" in message
    assert not out.exists() and dialog.status.text().startswith("Not exported: Some characters")
    modals.answer("confirm", True)  # export anyway
    _export(qtbot, dialog)
    _wait_done(qtbot, dialog)
    assert out.exists() and dialog.written == out


def test_closing_during_an_export_cancels_it(
    qtbot: QtBot, demo_store: tuple[Store, int], settings: QSettings, tmp_path: Path
) -> None:
    store, cid = demo_store
    dialog = _dialog(qtbot, store, cid, settings, report="overview")
    _type_file(qtbot, dialog, tmp_path / "overview.pdf")
    _export(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=20000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.wait_for_export()
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert not (tmp_path / "overview.pdf").exists()
