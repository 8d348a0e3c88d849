"""The report builders run without Qt (the CLI and the export thread rely on it)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_reports_never_loads_qt() -> None:
    code = (
        "import sys, copdesk.reports.style, copdesk.reports.roster, copdesk.reports.errors; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'shiboken6'} "
        "or m.startswith('copdesk.ui')); print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
