"""The Qt binding copdesk installs does not leak references to None.

PySide6 6.12.0 on Python 3.11 dropped one reference to None on every call of a C++ method
returning void (``QLabel.setText``...): after some tens of thousands of such calls the
interpreter aborts with "none_dealloc". A window open for an afternoon makes that many
calls, so ``constraints.txt`` pins a release without the bug and this test guards it.
"""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel()
before = sys.getrefcount(None)
for _ in range(60_000):
    label.setText("x")
print(sys.getrefcount(None) - before)
"""


def test_many_void_calls_leave_none_alone() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert abs(int(done.stdout.strip())) < 100
