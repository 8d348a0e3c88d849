"""``run_gui`` for real, in a child process: it opens the window and closes cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

DRIVER = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from copdesk.ui.app import run_gui

    app = QApplication(sys.argv[:1])

    def report_and_close():
        window = next(w for w in app.topLevelWidgets() if w.objectName() == "mainWindow")
        print("TITLE", window.windowTitle())
        print("STATUS", window.where_label.text())
        print("APP", app.applicationName(), app.organizationName())
        window.close()

    QTimer.singleShot(300, report_and_close)
    sys.exit(run_gui(sys.argv[1] if len(sys.argv) > 1 else None))
    """
)


def run_driver(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["COPDESK_SETTINGS"] = str(tmp_path / "settings.ini")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_run_gui_opens_the_store_and_remembers_it(tmp_path: Path) -> None:
    store = tmp_path / "mine.sqlite"
    first = run_driver(tmp_path, str(store))
    assert first.returncode == 0, first.stderr
    assert "STATUS Store: " + str(store) in first.stdout
    assert "No community yet" in first.stdout
    assert "APP copdesk copdesk" in first.stdout
    assert store.exists()
    assert "Traceback" not in first.stderr

    # No --db the next time: the last store is opened again.
    second = run_driver(tmp_path)
    assert second.returncode == 0, second.stderr
    assert str(store) in second.stdout
