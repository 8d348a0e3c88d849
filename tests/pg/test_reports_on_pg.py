"""Every report exported from a PostgreSQL store holding the transferred demo community.

Each report is written twice from the server: with ``copdesk report`` (a subprocess) and
through the window (File > Export > Report…, Ctrl+E, the export dialog on its worker
thread). Both PDFs are read back with pypdf; the command line's must also read exactly
like the same report written from the laptop file the community was transferred from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from copdesk.data import communities, sessions
from copdesk.data.demo import DEMO_NAME
from copdesk.data.store import Store
from copdesk.ui.export_dialog import ExportDialog
from copdesk.ui.main_window import MainWindow
from tests.reports.pdfread import page_texts

from .conftest import DemoSource, Modals, WindowFactory, copdesk

#: report key -> the `copdesk report` arguments, and words its PDF must hold.
REPORTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "roster": (("roster",), ("Directory", "Knowledge map")),
    "runsheet": (("session", "--kind", "runsheet"), ("Welcome and check-in",)),
    "summary": (("session", "--kind", "summary"), ("Attendance", "Decisions")),
    "fitness": (("fitness",), ("Fitness",)),
    "values": (("values",), ("Value",)),
    "overview": (("overview",), ("Impact", "Health", "Knowledge")),
}


def held_call(store: Store) -> sessions.SessionRow:
    """The latest monthly practice call that was held (it has an agenda and attendance)."""
    with store.session() as s:
        cid = communities.find_community(s, DEMO_NAME).id
        held = [r for r in sessions.list_sessions(s, cid)
                if r.status == "held" and r.series_id is not None]
    return max(held, key=lambda r: r.starts_at)


@pytest.fixture(scope="module")
def laptop_store(demo_source: DemoSource) -> Iterator[Store]:
    store = Store.open(demo_source.laptop)
    yield store
    store.close()


def report_args(kind: str, db: str, out: Path, store: Store) -> list[str]:
    args, _words = REPORTS[kind]
    extra = ["--session", str(held_call(store).id)] if args[0] == "session" else []
    return ["report", *args, *extra, "--db", db, "--out", str(out)]


def check_pdf(kind: str, pdf: Path) -> list[str]:
    texts = page_texts(pdf)
    text = " ".join(texts)
    assert DEMO_NAME in text
    for word in REPORTS[kind][1]:
        assert word in text, (kind, word)
    return texts


@pytest.mark.parametrize("kind", list(REPORTS))
def test_every_report_from_the_server_on_the_command_line_reads_as_from_the_laptop(
    kind: str, pg_url: str, pg_store: Store, laptop_store: Store, demo_source: DemoSource,
    tmp_path: Path,
) -> None:
    out = tmp_path / f"{kind}-server.pdf"
    done = copdesk(*report_args(kind, pg_url, out, pg_store))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    server = check_pdf(kind, out)
    if kind in ("runsheet", "summary"):
        assert held_call(pg_store).title in " ".join(server)
    laptop_out = tmp_path / f"{kind}-laptop.pdf"
    done = copdesk(*report_args(kind, str(demo_source.laptop), laptop_out, laptop_store))
    assert done.returncode == 0, done.stderr
    assert server == page_texts(laptop_out)


def test_a_missing_session_on_the_server_is_one_clear_line(
    pg_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "none.pdf"
    done = copdesk("report", "session", "--session", "999999", "--kind", "summary",
                   "--db", pg_url, "--out", str(out))
    assert done.returncode == 1
    assert done.stderr == "copdesk: error: no session with id 999999\n"
    assert not out.exists()


@pytest.fixture
def window(make_window: WindowFactory, pg_store: Store, demo_id: int) -> MainWindow:
    return make_window(pg_store)


@pytest.mark.parametrize("kind", list(REPORTS))
def test_every_report_from_the_server_through_the_export_dialog(
    qtbot: QtBot, modals: Modals, kind: str, window: MainWindow, pg_store: Store,
    tmp_path: Path,
) -> None:
    call = held_call(pg_store)
    # The run sheet and summary start from the session selected in the Sessions tab.
    window.tabs.setCurrentWidget(window.sessions_tab)
    assert window.sessions_tab.select_session(call.id)
    out = tmp_path / "exports" / f"{kind}.pdf"
    out.parent.mkdir()
    seen: dict[str, str] = {}

    def export(dialog: QDialog) -> bool:
        assert isinstance(dialog, ExportDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.report_combo.setCurrentIndex(dialog.report_combo.findData(kind))
        if kind in ("runsheet", "summary"):
            assert dialog.session_combo.currentData() == call.id
        dialog.file_edit.selectAll()
        qtbot.keyClick(dialog.file_edit, Qt.Key.Key_Delete)
        qtbot.keyClicks(dialog.file_edit, str(out))
        assert dialog.export_button.isEnabled(), dialog.status.text()
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.is_running(), timeout=120_000)
        assert dialog.wait_for_export()
        seen["status"] = dialog.status.text()
        dialog.reject()
        return False

    modals.answer("run", export)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(window, Qt.Key.Key_Control)
    assert "Saved to" in seen["status"], seen["status"]
    texts = check_pdf(kind, out)
    if kind in ("runsheet", "summary"):
        assert call.title in " ".join(texts)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp file left
