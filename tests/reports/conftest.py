"""Report tests never depend on the fonts installed on the machine running them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from copdesk.reports import style


@pytest.fixture(autouse=True)
def _no_system_fallback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests see no system fallback fonts unless they provide a folder of their own."""
    saved = style.FALLBACK_FONT_DIRS
    style.FALLBACK_FONT_DIRS = [tmp_path_factory.mktemp("no-fonts")]
    yield
    style.FALLBACK_FONT_DIRS = saved
