"""Shared bits of the Fitness tab: band colours and words, percentages, the chart palette."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from copdesk.data.fitness import Band

MUTED = "#5d6d7e"
WARN = "#b03a2e"

#: Band colours (deep for text and lines, pale for backgrounds); words carry the meaning too.
BAND_COLOURS: dict[str, str] = {
    "red": "#b03a2e",
    "amber": "#9a6700",
    "green": "#1e7b4a",
    "none": "#7f8c8d",
}
BAND_BACKGROUNDS: dict[str, str] = {
    "red": "#fbe3e0",
    "amber": "#fdf0cf",
    "green": "#dff3e7",
    "none": "#eef0f1",
}
BAND_WORDS: dict[str, str] = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "none": "Not scored",
}
#: A shape per band, so the band reads without colour.
BAND_MARKS: dict[str, str] = {"red": "▼", "amber": "◆", "green": "▲", "none": "○"}

#: Okabe and Ito's colour-blind-safe palette, darkest first (yellow last: weak on white).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)

STATUS_WORDS: dict[str, str] = {"draft": "Draft", "final": "Final"}


def percent(share: float | None) -> str:
    """A share of the maximum as a whole percentage, or a dash when nothing is scored."""
    return "—" if share is None else f"{round(share * 100)}%"


def band_text(band: Band | str, *, passes_word: bool = False) -> str:
    """The band in words with its shape, e.g. "▲ Green (passes)"."""
    words = BAND_WORDS.get(band, band)
    mark = BAND_MARKS.get(band, "")
    suffix = " (passes)" if passes_word and band == "green" else ""
    return f"{mark} {words}{suffix}".strip()


def score_text(share: float | None, band: Band | str) -> str:
    """"72% ◆ Amber"; "—" when not scored."""
    if share is None:
        return "— not scored"
    return f"{percent(share)} {band_text(band)}"


def date_text(day: dt.date) -> str:
    return f"{day:%d %b %Y}"


_SWATCHES: dict[str, QIcon] = {}


def band_swatch(band: str) -> QIcon:
    """A small rounded square in the band's colour, for tables and lists."""
    if band not in _SWATCHES:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#6c7a7d"), 1.5))
        painter.setBrush(QColor(BAND_COLOURS.get(band, "#cccccc")))
        painter.drawRoundedRect(5, 5, 22, 22, 5, 5)
        painter.end()
        _SWATCHES[band] = QIcon(pixmap)
    return _SWATCHES[band]
