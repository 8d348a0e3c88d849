"""Render the Value tab to PNG offscreen: the log, the matrix, a story, both forms.

``python -m tests.ui.values.render OUT_DIR`` builds the demo community in a fresh store
under OUT_DIR, adds about forty value entries and three stories, and writes the pictures.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from copdesk.data import sessions as S
from copdesk.data.store import Store
from copdesk.ui import dialogs
from copdesk.ui.values.form import EntryForm
from copdesk.ui.values.stories import StoryForm
from copdesk.ui.values.tab import MATRIX, STORIES, ValueTab
from copdesk.ui.workspace import Workspace
from tests.ui.values import sample


def render(store: Store, cid: int, out: Path) -> list[Path]:
    """Write the pictures of the Value tab on ``cid`` to ``out``; returns their paths."""
    app = QApplication.instance()
    assert app is not None
    out.mkdir(parents=True, exist_ok=True)
    ids = sample.build_log(store, cid, count=40)
    stories = sample.build_stories(store, cid, ids)
    ws = Workspace()
    ws.set_store(store)
    tab = ValueTab(ws, today=lambda: sample.TODAY)
    tab.resize(1280, 760)
    ws.set_community(cid)
    tab.show()
    written: list[Path] = []

    def shot(widget: QDialog | ValueTab, name: str) -> None:
        app.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    shot(tab, "value-log")
    tab.views.setCurrentIndex(MATRIX)
    shot(tab, "value-matrix")
    tab.views.setCurrentIndex(STORIES)
    tab.select_story(stories[1])
    shot(tab, "value-story-due")
    tab.select_story(stories[0])
    shot(tab, "value-story")

    with store.session() as session:
        held = [s for s in S.list_sessions(session, cid) if s.status == "held"]
    saved = dialogs.run

    def entry_form(dialog: QDialog) -> bool:
        assert isinstance(dialog, EntryForm)
        dialog.resize(dialog.sizeHint().expandedTo(dialog.minimumSize()))
        dialog.show()
        dialog.title.setText("Seal checklist adopted by the Lagos utility")
        dialog.kind.setCurrentIndex(dialog.kind.findData("innovation"))
        dialog.cycle.setCurrentIndex(dialog.cycle.findData("applied"))
        dialog.measure_value.setText("about 12")
        dialog.accept()  # shows the inline message, does not close
        shot(dialog, "value-form")
        dialog.close()
        return False

    def story_form(dialog: QDialog) -> bool:
        assert isinstance(dialog, StoryForm)
        dialog.resize(dialog.sizeHint().expandedTo(dialog.minimumSize()))
        dialog.show()
        dialog.title.setText("Pump seals: from a clinic to fewer call-outs")
        shot(dialog, "value-story-form")
        dialog.close()
        return False

    try:
        dialogs.run = entry_form  # type: ignore[assignment]
        tab.log_value_from_session(held[-1].id)
        tab.views.setCurrentIndex(0)
        tab.table.selectRow(0)
        dialogs.run = story_form  # type: ignore[assignment]
        tab.new_story()
    finally:
        dialogs.run = saved  # type: ignore[assignment]
    tab.close()
    ws.events.detach()
    return written


def main(argv: list[str]) -> int:
    from copdesk.data.demo import create_demo

    out = Path(argv[0] if argv else "value-pngs")
    app = QApplication.instance() or QApplication([])
    out.mkdir(parents=True, exist_ok=True)
    db = out / "value-demo.sqlite"
    db.unlink(missing_ok=True)
    store = Store.open(db)
    cid = store.run(create_demo, today=sample.TODAY)
    for path in render(store, cid, out):
        print(path)
    store.close()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
