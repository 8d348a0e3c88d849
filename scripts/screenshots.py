"""Render each tab of the demo community to PNG, offscreen, for reviewing the UI.

    python scripts/screenshots.py --out /tmp/shots [--size 1280x800] [--readme]

Builds a throw-away store with the demo community (a few hand-made members if the demo
cannot be built), opens the main window offscreen and saves one PNG per view: the four
tabs, the knowledge map, the reach counts, the member form and the welcome page.
``--readme`` also writes ``docs/screenshot-members.png`` for the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from copdesk.data import communities, csvio, demo, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.resources import resource_path
from copdesk.ui.app import configure_application
from copdesk.ui.main_window import MainWindow
from copdesk.ui.members.form import MemberForm
from copdesk.ui.members.import_dialog import ImportPreviewDialog

ROOT = Path(__file__).resolve().parent.parent

SAMPLE_CSV = (
    "Name;E-mail;Organisation;Country;Participation;Expertise\n"
    "Farah Khan;farah@bluegold.example;Blue Gold;Pakistan;active;Irrigation\n"
    "Lars Berg;lars@nordic.example;Nordic Water Institute;Sweden;peripheral;Hydrology\n"
    "Ngozi Eze;ngozi@example;Lagos Water Corp;Nigeria;core;\n"
    ";no-name@example.org;Somewhere;Kenya;active;\n"
    "Kofi Mensah;kofi@volta.example;Volta Rural Water Agency;Ghana;sometimes;\n"
    "Farah Khan;farah@bluegold.example;Blue Gold;Pakistan;active;\n"
)
#: The demo is built around today, as the window (its clock, its "upcoming") sees it.
TODAY = dt.date.today()

FALLBACK = (
    MemberData("Amina Yusuf", "amina@wateraid.example", "WaterAid", "Programme lead",
               "Nigeria", "Africa/Lagos", dt.date(2021, 5, 3), "core",
               ("coordinator", "core_member"), ("Borehole maintenance", "Facilitation"),
               ("Climate adaptation",), True),
    MemberData("Jiří Novák", "jiri@vodarny.example", "Vodárny Brno", "Engineer", "Czechia",
               "Europe/Prague", dt.date(2022, 1, 10), "active", ("expert",),
               ("Water quality testing",), ("Facilitation", "Sanitation marketing"), True),
    MemberData("Ελένη Παπαδοπούλου", "eleni@ydreysi.example", "EYDAP", "Analyst", "Greece",
               "Europe/Athens", dt.date(2023, 9, 1), "occasional", ("member",),
               ("Leak detection",), ("Climate adaptation", "Menstrual hygiene"), False),
    MemberData("Carlos Peña", "", "Rotary", "Volunteer", "Peru", "America/Lima",
               None, "peripheral", ("outside_guest",), (), ("Borehole maintenance",), True),
)


def build_store(path: Path) -> tuple[Store, int]:
    store = Store.open(path)
    try:
        cid = store.run(demo.create_demo, today=TODAY)
    except NotImplementedError:
        cid = store.run(
            communities.create_community,
            demo.DEMO_NAME,
            domain="Safe water and sanitation for rural communities",
            host_organisation="Rivers Trust",
        )
        store.run(members.add_members, cid, list(FALLBACK), today=TODAY)
    return store, cid


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshots: cannot write {path}")
    print(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--size", default="1280x800", help="window size, e.g. 1280x800")
    parser.add_argument("--readme", action="store_true",
                        help="also write docs/screenshot-members.png")
    args = parser.parse_args(argv)
    try:
        width, height = (int(x) for x in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size must look like 1280x800, not {args.size!r}")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    configure_application(app)
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
    app.setFont(QFont("DejaVu Sans", 9))

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        store, _cid = build_store(Path(tmp) / "demo.sqlite")
        window = MainWindow(store, settings=settings, owns_store=True)
        window.resize(width, height)
        window.show()
        tab = window.members_tab

        def select_third() -> None:
            if tab.proxy.rowCount():
                tab.table.selectRow(min(2, tab.proxy.rowCount() - 1))

        select_third()
        shots = out / "members.png"
        save(window, shots)
        if args.readme:
            (ROOT / "docs").mkdir(exist_ok=True)
            save(window, ROOT / "docs" / "screenshot-members.png")
        tab.filter_edit.setText("water")
        save(window, out / "members-filtered.png")
        tab.filter_edit.clear()
        select_third()
        tab.views.setCurrentIndex(1)
        save(window, out / "members-knowledge-map.png")
        tab.views.setCurrentIndex(2)
        save(window, out / "members-reach.png")
        tab.views.setCurrentIndex(0)
        for index, name in ((1, "sessions"), (2, "fitness"), (3, "value")):
            window.tabs.setCurrentIndex(index)
            save(window, out / f"{name}.png")
        window.tabs.setCurrentIndex(0)

        row = tab.current_row()
        form = MemberForm(lambda _d: None, member=row, parent=window)
        form.show()
        save(form, out / "member-form.png")
        form.close()

        # A new member being typed: a likely duplicate and an invalid email, as shown inline.
        def find(data: MemberData) -> list[members.Duplicate]:
            with store.session() as session:
                return members.find_duplicates(session, _cid, data)

        typed = MemberForm(lambda _d: None, find_duplicates=find, parent=window)
        typed.full_name.setText(row.full_name if row else "Amina Yusuf")
        typed.email.setText("amina@@example")
        typed.show()
        typed.accept()
        save(typed, out / "member-form-errors.png")
        typed.close()

        sample = Path(tmp) / "new-members.csv"
        sample.write_text(SAMPLE_CSV, encoding="utf-8-sig")
        with store.session() as session:
            preview = csvio.preview_import(session, _cid, sample)
        dialog = ImportPreviewDialog(preview, window)
        dialog.show()
        save(dialog, out / "import-preview.png")
        dialog.tabs.setCurrentIndex(1)
        save(dialog, out / "import-preview-invalid.png")
        dialog.close()

        empty = Store.open(Path(tmp) / "empty.sqlite")
        first_run = MainWindow(empty, settings=settings, owns_store=True)
        first_run.resize(width, height)
        first_run.show()
        save(first_run, out / "first-run.png")
        first_run.close()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
