"""Start-up: the window paints its frame at once; the data layer and the store come after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from copdesk.data import communities
from copdesk.data.store import Store
from copdesk.ui import app as app_module
from copdesk.ui.fitness.tab import FitnessTab
from copdesk.ui.main_window import TAB_HEADS
from copdesk.ui.members.tab import MembersTab
from copdesk.ui.sessions.tab import SessionsTab
from copdesk.ui.values.tab import ValueTab

from .conftest import Modals
from .test_main_window import _newer_store

# In a fresh interpreter, so that nothing a test imported earlier hides an eager import.
DRIVER = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    from copdesk.ui.app import after_first_paint, configure_application, start_main_window
    configure_application(app)
    settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
    seen = {}

    def painted():
        w = holder[0]
        seen["painted"] = {
            "sqlalchemy_loaded": "sqlalchemy" in sys.modules,
            "built": w.built,
            "tabs": [w.tabs.tabText(i) for i in range(w.tabs.count())],
            "text": w.tabs.currentWidget().text(),
            "menus": [a.text() for a in w.menuBar().actions()],
        }

    def done(ok):
        w = holder[0]
        seen["done"] = {"ok": ok, "built": w.built, "title": w.windowTitle(),
                        "rows": w.members_tab.model.rowCount() if ok else None,
                        "status": w.where_label.text() if ok else None}
        w.close()
        print(json.dumps(seen))
        app.quit()

    holder = [start_main_window(sys.argv[1], settings, done)]
    after_first_paint(holder[0], painted)
    app.exec()
    """
)


@pytest.mark.slow
def test_the_frame_paints_before_the_data_layer_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.sqlite"
    with Store.open(path) as store:
        store.run(communities.create_community, "Data stewards")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(path), str(tmp_path / "settings.ini")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    first = seen["painted"]
    assert first["sqlalchemy_loaded"] is False  # painted before SQLAlchemy was imported
    assert first["built"] is False
    assert first["tabs"] == ["Members", "Sessions", "Fitness", "Value"]
    assert first["text"] == "Opening mine.sqlite…"
    assert first["menus"] == ["&File", "&Edit", "&View", "&Help"]
    done = seen["done"]
    assert done == {"ok": True, "built": True, "title": "Data stewards — copdesk", "rows": 0,
                    "status": f"Community: Data stewards (0 members)  ·  Store: {path}"}


def test_the_frame_names_the_tabs_as_the_tabs_do() -> None:
    classes = (MembersTab, SessionsTab, FitnessTab, ValueTab)
    assert tuple((c.title, c.icon_name) for c in classes) == TAB_HEADS


def test_a_store_that_cannot_open_closes_the_frame_and_says_so(
    tmp_path: Path, modals: Modals, settings: QSettings, qtbot: QtBot
) -> None:
    path = tmp_path / "newer.sqlite"
    before = _newer_store(path)
    modals.answer("store_problem", "quit")
    results: list[bool] = []
    window = app_module.start_main_window(str(path), settings, results.append)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: results == [False], timeout=10000)
    assert not window.isVisible() and not window.built
    (args,) = modals.called("store_problem")
    assert "newer than this copdesk" in args[1]
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("target", "line"),
    [
        (None, "Opening your store…"),
        ("/home/ana/cop/mine.sqlite", "Opening mine.sqlite…"),
        ("sqlite:////home/ana/cop/mine.sqlite", "Opening mine.sqlite…"),
        ("postgresql+psycopg://ana@db.example.org/cop", "Connecting to the shared store…"),
    ],
)
def test_what_the_frame_says_while_opening(target: str | None, line: str) -> None:
    assert app_module.opening_line(target) == line
