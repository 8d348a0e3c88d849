"""The Value tab renders offscreen (log, matrix, stories, forms) with realistic data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from copdesk.data.store import Store
from tests.ui.values.render import render


def test_render_pngs(qtbot: QtBot, store: Store, community_id: int, roster: dict[str, int],
                     meeting: int, tmp_path: Path) -> None:
    paths = render(store, community_id, tmp_path)
    assert [p.name for p in paths] == [
        "value-log.png", "value-matrix.png", "value-story-due.png", "value-story.png",
        "value-form.png", "value-story-form.png",
    ]
    for path in paths:
        image = QImage(str(path))
        assert image.width() >= 600 and image.height() >= 400, path.name
