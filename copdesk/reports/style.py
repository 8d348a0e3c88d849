"""One report style for every copdesk PDF.

Every report (roster, run sheet, session summary, fitness, value, overview) is a story of
flowables built with the pieces here, so all of them share typography, colours, header and
footer, metadata, bookmarks and the safe way of writing the file:

- :func:`styles` gives the paragraph styles (all derived from one base with ``parent=``);
  the fonts are the bundled DejaVu Sans family (Latin, Greek, Cyrillic), embedded.
- :func:`escape` turns user text into safe Paragraph markup (and routes characters the
  bundled fonts lack through a system fallback font when there is one);
  :func:`check_coverage` says before export which characters would print as boxes.
- :class:`ReportDocument` lays the story out on A4 with the header (community, report
  title), the footer ("Page x of y"), metadata and an outline entry per :func:`heading`.
- :func:`data_table` builds long tables page by page (header row on every page, fixed
  column widths, wrapped cells); :data:`DATA_TABLE` & co. are the named table styles.
- :data:`PALETTE` is the Okabe-Ito colour-blind-safe palette for charts.
- :func:`write_pdf_atomically` writes through a temp file and ``os.replace``, so a failed
  export leaves any earlier file untouched and raises :class:`ReportError` saying why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias
from xml.sax.saxutils import escape as _xml_escape

from reportlab import rl_config
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from copdesk import __version__
from copdesk.data.files import WriteError, atomic_output
from copdesk.reports.errors import ReportError
from copdesk.resources import resource_path

__all__ = [
    "CALLOUT_TABLE",
    "DATA_TABLE",
    "FIGURES_TABLE",
    "FONT_FAMILY",
    "KEY_VALUE_TABLE",
    "LAYOUT_TABLE",
    "PALETTE",
    "TILES_TABLE",
    "Coverage",
    "LongTable",
    "ReportDocument",
    "ReportError",
    "Styles",
    "bar",
    "check_coverage",
    "data_table",
    "escape",
    "figure_tiles",
    "fit_cells",
    "fit_paragraph",
    "fit_widths",
    "fitted_table",
    "heading",
    "register_fonts",
    "styles",
    "write_pdf_atomically",
]

# --- colours -------------------------------------------------------------------------------
# Okabe & Ito (2008): eight colours told apart by people with every common colour-vision
# deficiency. Charts take them in this order; label values too, so print in grey works.
OKABE_ITO: dict[str, Color] = {
    "blue": colors.HexColor("#0072B2"),
    "orange": colors.HexColor("#E69F00"),
    "bluish_green": colors.HexColor("#009E73"),
    "vermillion": colors.HexColor("#D55E00"),
    "sky_blue": colors.HexColor("#56B4E9"),
    "reddish_purple": colors.HexColor("#CC79A7"),
    "yellow": colors.HexColor("#F0E442"),
    "black": colors.HexColor("#000000"),
}
PALETTE: tuple[Color, ...] = tuple(OKABE_ITO.values())

INK = colors.HexColor("#1B2631")  # body text
MUTED = colors.HexColor("#5B6877")  # secondary text, header and footer
RULE = colors.HexColor("#C5CED8")  # hairlines
STRIPE = colors.HexColor("#F3F6F9")  # every other table row
HEADER_BG = colors.HexColor("#E3EAF1")  # table header row
TRACK = colors.HexColor("#E8ECF0")  # the empty part of a bar
ACCENT = OKABE_ITO["blue"]
ACCENT_DARK = colors.HexColor("#00507D")
WARN = OKABE_ITO["vermillion"]
WARN_BG = colors.HexColor("#FCEFE6")

# --- page geometry -------------------------------------------------------------------------
PAGE_SIZE: tuple[float, float] = A4
MARGIN_LEFT = MARGIN_RIGHT = 20 * mm
MARGIN_TOP = 24 * mm  # room for the running header
MARGIN_BOTTOM = 20 * mm  # room for the footer
HEADER_Y_FROM_TOP = 13 * mm
FOOTER_Y = 11 * mm

# --- fonts ---------------------------------------------------------------------------------
FONT_FAMILY = "DejaVuSans"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FONT_FILES = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_font_lock = threading.RLock()
_registered = False


def register_fonts() -> str:
    """Register the bundled DejaVu Sans family (once); returns the family name.

    Registered as a family so ``<b>`` and ``<i>`` in Paragraph markup pick the right face.
    """
    global _registered
    with _font_lock:
        if not _registered:
            for name, filename in _FONT_FILES.items():
                try:
                    pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
                except (OSError, FileNotFoundError) as exc:  # a broken installation
                    message = f"the report font {filename} cannot be loaded: {exc}"
                    raise ReportError(message) from exc
            pdfmetrics.registerFontFamily(
                FONT_FAMILY,
                normal=FONT_REGULAR,
                bold=FONT_BOLD,
                italic=FONT_ITALIC,
                boldItalic=FONT_BOLD_ITALIC,
            )
            _registered = True
    return FONT_FAMILY


@functools.cache
def _bundled_coverage() -> frozenset[int]:
    """Code points every face of the bundled family can draw (so bold and italic work too)."""
    register_fonts()
    faces = [pdfmetrics.getFont(name).face.charToGlyph for name in _FONT_FILES]
    covered = set(faces[0])
    for cmap in faces[1:]:
        covered &= set(cmap)
    return frozenset(covered)


# --- fallback fonts for scripts the bundled family lacks -------------------------------------
def _default_font_dirs() -> list[Path]:
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [
        data_home / "fonts",
        home / ".fonts",
        Path("/usr/local/share/fonts"),
        Path("/usr/share/fonts"),
    ]


#: Folders searched for a fallback font; ``None`` means the platform's usual folders.
#: (Tests point this at a folder of their own.)
FALLBACK_FONT_DIRS: list[Path | str] | None = None
_MAX_FALLBACK_FILES = 400  # never spend long scanning a huge font collection
_PREFERRED = ("noto", "droid", "freesans", "freeserif", "arialuni", "unifont", "dejavu")


@dataclass
class _FallbackState:
    dirs: tuple[Path, ...] | None = None
    files: list[Path] | None = None
    cmaps: dict[Path, frozenset[int] | None] | None = None
    by_char: dict[int, str | None] | None = None


_fallback = _FallbackState()


def _fallback_files(dirs: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for folder in dirs:
        if len(found) >= _MAX_FALLBACK_FILES:
            break
        for root, subdirs, files in os.walk(folder):
            subdirs.sort()
            found += [Path(root, f) for f in sorted(files) if f.lower().endswith(".ttf")]
            if len(found) >= _MAX_FALLBACK_FILES:
                break

    def rank(path: Path) -> tuple[int, str]:
        name = path.name.lower()
        for i, word in enumerate(_PREFERRED):
            if word in name:
                return (i, name)
        return (len(_PREFERRED), name)

    # regular faces first: a fallback is only ever used upright and plain
    plain = [p for p in found if not re.search(r"bold|italic|oblique", p.name, re.I)]
    return sorted(plain, key=rank)


def _fallback_font_for(code: int) -> str | None:
    """The name of a registered system font that draws ``code``, or None."""
    with _font_lock:
        dirs = None if FALLBACK_FONT_DIRS is None else tuple(Path(d) for d in FALLBACK_FONT_DIRS)
        if _fallback.by_char is None or _fallback.dirs != dirs:
            _fallback.dirs = dirs
            _fallback.files = None
            _fallback.cmaps = {}
            _fallback.by_char = {}
        by_char = _fallback.by_char
        if code in by_char:
            return by_char[code]
        if _fallback.files is None:
            search = list(dirs) if dirs is not None else _default_font_dirs()
            _fallback.files = _fallback_files(tuple(search))
        cmaps = _fallback.cmaps
        assert cmaps is not None
        chosen: str | None = None
        for path in _fallback.files:
            if path not in cmaps:
                try:
                    font = TTFont(_fallback_name(path), str(path))
                    cmaps[path] = frozenset(font.face.charToGlyph)
                    if _fallback_name(path) not in pdfmetrics.getRegisteredFontNames():
                        pdfmetrics.registerFont(font)
                        name = _fallback_name(path)
                        pdfmetrics.registerFontFamily(
                            name, normal=name, bold=name, italic=name, boldItalic=name
                        )
                except Exception:  # not a font reportlab can embed (e.g. CFF outlines)
                    cmaps[path] = None
            cmap = cmaps[path]
            if cmap is not None and code in cmap:
                chosen = _fallback_name(path)
                break
        by_char[code] = chosen
        return chosen


def _fallback_name(path: Path) -> str:
    return "Fallback-" + re.sub(r"[^A-Za-z0-9-]", "", path.stem)


# --- user text -----------------------------------------------------------------------------
_STRIP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufe00-\ufe0f\ufeff\ufffe\uffff]")
_IGNORED_FOR_COVERAGE = frozenset(" \t\n\r")


def clean(text: str) -> str:
    """User text made printable: NFC (so accents are single glyphs), no control characters."""
    return _STRIP.sub("", unicodedata.normalize("NFC", text))


def escape(text: str, *, newlines: bool = False, fallback: bool = True) -> str:
    """User text as safe Paragraph markup: ``R&D <lead>`` prints exactly as typed.

    Control characters are dropped. With ``newlines`` a line break stays a line break.
    Characters the bundled fonts lack are set in a system fallback font when one draws
    them (see :func:`check_coverage` to warn about the rest before exporting).
    """
    text = clean(text)
    covered = _bundled_coverage()
    if not fallback or all(ord(c) in covered or c in _IGNORED_FOR_COVERAGE for c in text):
        out = _xml_escape(text)
    else:
        parts: list[str] = []
        run_font: str | None = None
        run: list[str] = []

        def flush() -> None:
            chunk = _xml_escape("".join(run))
            parts.append(f'<font name="{run_font}">{chunk}</font>' if run_font else chunk)
            run.clear()

        for char in text:
            font = None
            if ord(char) not in covered and char not in _IGNORED_FOR_COVERAGE:
                font = _fallback_font_for(ord(char))
            if font != run_font and run:
                flush()
            run_font = font
            run.append(char)
        if run:
            flush()
        out = "".join(parts)
    if newlines:
        out = "<br/>".join(line.strip() for line in out.replace("\r\n", "\n").split("\n"))
    else:
        out = " ".join(out.split())
    return out


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which characters of some text the report fonts can print."""

    missing: tuple[str, ...]  # would print as boxes: no bundled nor fallback font has them
    via_fallback: tuple[str, ...]  # printed through a system fallback font

    @property
    def ok(self) -> bool:
        return not self.missing

    def message(self) -> str:
        """A sentence for the user, empty when everything prints."""
        if not self.missing:
            return ""
        shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in self.missing[:12])
        more = f" and {len(self.missing) - 12} more" if len(self.missing) > 12 else ""
        return (
            "Some characters cannot be printed with the fonts available on this computer "
            f"and would appear as empty boxes: {shown}{more}. Install a font that covers "
            "them (for example a Noto font) or change the text."
        )


def check_coverage(texts: Iterable[str], *, fallback: bool = True) -> Coverage:
    """Report the characters of ``texts`` the bundled fonts cannot draw.

    With ``fallback`` (the default), characters a system font can draw instead are listed
    in ``via_fallback`` and only the rest in ``missing``.
    """
    covered = _bundled_coverage()
    lacking: dict[str, None] = {}
    for text in texts:
        for char in clean(text):
            if ord(char) not in covered and char not in _IGNORED_FOR_COVERAGE:
                lacking.setdefault(char)
    missing: list[str] = []
    via: list[str] = []
    for char in lacking:
        if fallback and _fallback_font_for(ord(char)) is not None:
            via.append(char)
        else:
            missing.append(char)
    return Coverage(tuple(sorted(missing)), tuple(sorted(via)))


# --- paragraph styles ----------------------------------------------------------------------
@dataclass(frozen=True)
class Styles:
    """The paragraph styles every report uses; all derive from ``base``."""

    base: ParagraphStyle
    body: ParagraphStyle
    lead: ParagraphStyle  # an opening paragraph, a little larger
    small: ParagraphStyle
    note: ParagraphStyle  # italic, muted: explanations and privacy notes
    title: ParagraphStyle  # the report's title on its first page
    kicker: ParagraphStyle  # the small capitalised line above the title
    h1: ParagraphStyle
    h2: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_muted: ParagraphStyle
    cell_number: ParagraphStyle
    cell_header: ParagraphStyle
    cell_header_number: ParagraphStyle
    figure: ParagraphStyle  # a big headline number
    figure_label: ParagraphStyle
    label: ParagraphStyle  # a key in a key/value list
    running: ParagraphStyle  # header and footer text


@functools.cache
def styles() -> Styles:
    """The shared paragraph styles (fonts are registered on first use)."""
    register_fonts()
    base = ParagraphStyle(
        "base",
        fontName=FONT_REGULAR,
        fontSize=9.5,
        leading=13.5,
        textColor=INK,
        alignment=TA_LEFT,
    )
    body = ParagraphStyle("body", parent=base, spaceAfter=6)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.3, leading=10.8)
    cell_header = ParagraphStyle("cell_header", parent=cell, fontName=FONT_BOLD, textColor=INK)
    return Styles(
        base=base,
        body=body,
        lead=ParagraphStyle("lead", parent=body, fontSize=11, leading=15.5, spaceAfter=8),
        small=ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        note=ParagraphStyle(
            "note", parent=base, fontName=FONT_ITALIC, fontSize=8.5, leading=12,
            textColor=MUTED, spaceBefore=2, spaceAfter=6,
        ),
        title=ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=24, leading=29,
            spaceAfter=6, textColor=INK,
        ),
        kicker=ParagraphStyle(
            "kicker", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12,
            textColor=ACCENT, spaceAfter=4,
        ),
        h1=ParagraphStyle(
            "h1", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19,
            textColor=ACCENT_DARK, spaceBefore=16, spaceAfter=7, keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14.5,
            spaceBefore=11, spaceAfter=5, keepWithNext=1,
        ),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=FONT_BOLD),
        cell_muted=ParagraphStyle(
            "cell_muted", parent=cell, fontSize=7.6, leading=10, textColor=MUTED
        ),
        cell_number=ParagraphStyle("cell_number", parent=cell, alignment=TA_RIGHT),
        cell_header=cell_header,
        cell_header_number=ParagraphStyle(
            "cell_header_number", parent=cell_header, alignment=TA_RIGHT
        ),
        figure=ParagraphStyle(
            "figure", parent=base, fontName=FONT_BOLD, fontSize=22, leading=26,
            textColor=ACCENT_DARK,
        ),
        figure_label=ParagraphStyle(
            "figure_label", parent=base, fontSize=8, leading=10.5, textColor=MUTED
        ),
        label=ParagraphStyle("label", parent=base, textColor=MUTED),
        running=ParagraphStyle(
            "running", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED
        ),
    )  # fmt: skip


# --- named table styles --------------------------------------------------------------------
_PAD_SIDE, _PAD_TOP, _PAD_BOTTOM = 5, 3.5, 4
_CELL_PADDING: list[tuple[Any, ...]] = [
    ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 8.3, 10.8),  # plain-string cells: never Helvetica
    ("LEFTPADDING", (0, 0), (-1, -1), _PAD_SIDE),
    ("RIGHTPADDING", (0, 0), (-1, -1), _PAD_SIDE),
    ("TOPPADDING", (0, 0), (-1, -1), _PAD_TOP),
    ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD_BOTTOM),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]

#: Tables of records: a tinted header row, subtle striping, hairlines between rows.
DATA_TABLE = TableStyle(
    [
        *_CELL_PADDING,
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT_DARK),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
    ]
)
#: Small tables of counts: like DATA_TABLE, vertically centred (for bars beside numbers).
FIGURES_TABLE = TableStyle([("VALIGN", (0, 1), (-1, -1), "MIDDLE")], parent=DATA_TABLE)
#: A key/value list without a grid (the facts on a report's first page).
KEY_VALUE_TABLE = TableStyle(
    [
        *_CELL_PADDING,
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
)
#: A highlighted box (e.g. the knowledge gaps): warm background, a strong bar at the left.
CALLOUT_TABLE = TableStyle(
    [
        *_CELL_PADDING,
        ("BACKGROUND", (0, 0), (-1, -1), WARN_BG),
        ("LINEBEFORE", (0, 0), (0, -1), 3, WARN),
        ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#EBCDB8")),
        ("LEFTPADDING", (0, 0), (0, -1), 9),
    ]
)
#: A table used only to place other flowables side by side: no padding, no lines.
LAYOUT_TABLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 8.3, 10.8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
)
#: Headline figures in tiles.
TILES_TABLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 8.3, 10.8),
        ("BACKGROUND", (0, 0), (-1, -1), STRIPE),
        ("LINEABOVE", (0, 0), (-1, 0), 2, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 9),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, 0), 7),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)

Cell: TypeAlias = "str | Flowable"


def text_cell(value: str, width: float, para_style: ParagraphStyle) -> str | Paragraph:
    """A table cell for plain user text: a string wrapped to ``width`` points (the column
    inside its padding) when the bundled font prints it and every word fits, else a
    Paragraph in ``para_style`` (shrunk or hyphenated by :func:`fit_paragraph` when a word
    is wider than the column).

    Strings skip Paragraph's markup parsing and line breaking, and the table measures them
    by counting lines: for thousands of rows this is several times cheaper. The table's
    FONT command must match ``para_style``'s font and size.
    """
    lines = _plain_lines(value, round(width, 2), para_style.fontName, para_style.fontSize)
    if lines is not None:
        return lines
    return fit_paragraph(Paragraph(escape(value), para_style), width)


@functools.lru_cache(maxsize=16_384)
def _plain_lines(value: str, width: float, font: str, size: float) -> str | None:
    """``value`` broken into lines at spaces; None when a character needs a fallback font
    or a word is wider than ``width`` (a Paragraph then shrinks or hyphenates it: words
    are never cut without a hyphen)."""
    text = " ".join(clean(value).split())
    covered = _bundled_coverage()
    if not all(ord(c) in covered for c in text):
        return None
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    if longest_word(text, font, size) > width:
        return None
    return "\n".join(simpleSplit(text, font, size, width))


# --- keeping words whole in narrow columns --------------------------------------------------
#: A cell's text shrinks to no less than this share of its size to keep its longest word
#: whole; a word wider still is hyphenated ("Kazakh-" / "stan"), never cut bare.
MIN_SHRINK = 0.8
#: A column widened to fit its longest word takes at most this share of the table width
#: (and at most doubles).
_MOST_SHARE = 0.4
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&[#\w]+;)")
_SHY = "\xad"


@functools.lru_cache(maxsize=65_536)
def _word_width(word: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(word, font, size))


def longest_word(text: str, font: str = FONT_REGULAR, size: float = 8.3) -> float:
    """The width of the widest word of ``text`` (words are separated by white space)."""
    return max((_word_width(w, font, size) for w in set(text.split())), default=0.0)


def _widest_line(text: str, font: str, size: float) -> float:
    return max((_word_width(line, font, size) for line in text.split("\n")), default=0.0)


def cell_min_width(cell: Any, font: str = FONT_REGULAR, size: float = 8.3) -> float:
    """How narrow a cell may be without cutting a word (padding not included).

    A string cell is drawn line by line as it is (tables never rewrap strings), so it needs
    its widest line; a Paragraph needs its longest word; a list, its widest member; other
    flowables (charts, bars) adapt and need nothing.
    """
    if isinstance(cell, str):
        return _widest_line(cell, font, size) if cell else 0.0
    if isinstance(cell, Paragraph):
        return float(cell.minWidth()) + float(cell.style.leftIndent) + float(
            cell.style.rightIndent)
    if isinstance(cell, (list, tuple)):
        return max((cell_min_width(c, font, size) for c in cell), default=0.0)
    return 0.0


def fit_widths(needs: Sequence[float], widths: Sequence[float]) -> list[float]:
    """Column widths as close to ``widths`` as the longest words allow; the total stays.

    A column narrower than it ``needs`` (its longest word plus padding) takes room from the
    columns wider than their own needs, in proportion to what each can spare; for one long
    word a column grows to at most twice its width (and 40% of the table). When there is
    not enough room to spare, every short column gets its share of what there is (its
    longest words are then shrunk or hyphenated, see :func:`fit_paragraph`).
    """
    total = sum(widths)
    capped = [min(n, max(w, min(2 * w, _MOST_SHARE * total)))
              for n, w in zip(needs, widths, strict=True)]  # fmt: skip
    short = [max(0.0, n - w) for n, w in zip(capped, widths, strict=True)]
    spare = [max(0.0, w - n) for n, w in zip(capped, widths, strict=True)]
    wanted, available = sum(short), sum(spare)
    if wanted <= 0.01 or available <= 0.01:
        return list(widths)
    moved = min(wanted, available)
    return [w + moved * s / wanted - moved * f / available
            for w, s, f in zip(widths, short, spare, strict=True)]  # fmt: skip


def fit_cells(rows: list[list[Any]], widths: Sequence[float], *,
              padding: float = 2 * _PAD_SIDE) -> list[float]:  # fmt: skip
    """Fit a table to its words: the returned column widths keep every word whole where
    the table has room (see :func:`fit_widths`), and the Paragraph cells of ``rows`` whose
    longest word is still wider than their column are replaced (in place) by shrunk or
    hyphenated ones. ``padding``: the cells' left plus right padding."""
    columns = len(widths)
    needs = [0.0] * columns
    for row in rows:
        for i, cell in enumerate(row[:columns]):
            if cell is None or cell == "":
                continue
            needs[i] = max(needs[i], cell_min_width(cell) + padding)
    fitted = fit_widths(needs, widths)
    for row in rows:
        for i, cell in enumerate(row[:columns]):
            if needs[i] > fitted[i] + 0.01:
                row[i] = _fit_cell(cell, fitted[i] - padding)
    return fitted


def fitted_table(rows: Sequence[Sequence[Any]], colWidths: Sequence[float], *,
                 padding: float = 2 * _PAD_SIDE, **kwargs: Any) -> Table:  # fmt: skip
    """A ReportLab ``Table`` of ``rows`` whose column widths keep its words whole
    (:func:`fit_cells`); called like Table, ``kwargs`` go to it (style, hAlign...)."""
    cells = [list(r) for r in rows]
    widths = fit_cells(cells, colWidths, padding=padding)
    return Table(cells, colWidths=widths, **kwargs)


def _fit_cell(cell: Any, width: float) -> Any:
    if isinstance(cell, Paragraph):
        return fit_paragraph(cell, width)
    if isinstance(cell, list):
        return [_fit_cell(c, width) for c in cell]
    return cell


def fit_paragraph(para: Paragraph, width: float) -> Paragraph:
    """``para`` with its longest word kept whole in ``width`` points: as is when it fits,
    else set smaller (down to :data:`MIN_SHRINK` of its size); a word wider even then is
    hyphenated at the line's end ("Kazakh-" / "stan") instead of being cut bare."""
    need = cell_min_width(para)
    if need <= width + 0.01 or width <= 0:
        return para
    st = para.style
    factor = max(MIN_SHRINK, width / need)
    fitted = ParagraphStyle(
        f"{st.name}_fitted", parent=st, fontSize=st.fontSize * factor,
        leading=st.leading * factor, embeddedHyphenation=1, hyphenationLang="",
    )  # fmt: skip
    text = para.text
    if need * factor > width + 0.01:  # still too wide: allow a hyphen inside the long words
        text = _allow_hyphens(text, width, fitted.fontSize)
    return Paragraph(text, fitted)


def _allow_hyphens(markup: str, width: float, size: float) -> str:
    """Soft hyphens between the letters of every word of ``markup`` wider than ``width``
    (measured in bold, the widest face); tags and entities are left alone."""
    out: list[str] = []
    for part in _TAG_OR_ENTITY.split(markup):
        if not part or part.startswith("<") or (part.startswith("&") and part.endswith(";")):
            out.append(part)
            continue
        words = re.split(r"(\s+)", part)
        for k, word in enumerate(words):
            if len(word) > 4 and _word_width(word, FONT_BOLD, size) > width:
                # never a lone letter before or after the hyphen
                words[k] = word[:2] + _SHY + _SHY.join(word[2:-2]) + _SHY + word[-2:]
        out.append("".join(words))
    return "".join(out)


def _cell(value: Cell, style: ParagraphStyle) -> Flowable:
    return value if isinstance(value, Flowable) else Paragraph(escape(value), style)


class LongTable(Flowable):
    """A table of any length laid out one page at a time.

    ReportLab's Table re-measures every remaining row at each page break, which gets slow
    with thousands of rows. This flowable only ever builds a page-sized ``Table`` (fixed
    column widths, the header row first) from the rows that are left, so the cost per page
    is constant. Every page therefore starts with the header row.
    """

    def __init__(
        self,
        header: Sequence[Flowable],
        rows: Sequence[Sequence[Flowable]],
        col_widths: Sequence[float],
        style: TableStyle,
        *,
        chunk_rows: int = 60,
        row_heights: Sequence[float] | None = None,
        fit: bool = True,
    ) -> None:
        super().__init__()
        self.header = list(header)
        self.rows: list[Sequence[Flowable]] = list(rows)
        self.col_widths = list(col_widths)
        if row_heights is None and fit:  # keep words whole (plain_table fits before wrapping)
            cells: list[Any] = [self.header, *[list(r) for r in self.rows]]
            self.col_widths = fit_cells(cells, self.col_widths)
            self.header, self.rows = cells[0], cells[1:]
        self.style = style
        self.chunk_rows = max(1, chunk_rows)
        #: Known heights (the header's first, then every row's): pages are then cut by
        #: adding them up and ReportLab measures nothing (see :func:`plain_row_heights`).
        self.row_heights = None if row_heights is None else list(row_heights)
        self._table: Table | None = None
        self._guess = 0  # rows likely to fit on a page, learnt from the previous page

    def _make(self, rows: Sequence[Sequence[Flowable]], start: int = 0) -> Table:
        heights = None
        if self.row_heights is not None:
            heights = [self.row_heights[0], *self.row_heights[1 + start : 1 + start + len(rows)]]
        return Table(
            [self.header, *rows],
            colWidths=self.col_widths,
            rowHeights=heights,
            repeatRows=1,
            style=self.style,
            hAlign="LEFT",
            longTableOptimize=1,  # measure rows only as far as the page goes
        )

    def _wrap_known(self, availHeight: float) -> tuple[float, float]:
        assert self.row_heights is not None
        self.width, self.height = sum(self.col_widths), sum(self.row_heights)
        # Drawn whole if it fits; otherwise the frame asks to split it.
        self._table = self._make(self.rows) if self.height <= availHeight else None
        if self._table is not None:
            self._table.wrap(self.width, availHeight)
        return self.width, self.height

    def _split_known(self, availHeight: float) -> list[Flowable]:
        assert self.row_heights is not None
        used = self.row_heights[0]
        n = 0
        for h in self.row_heights[1:]:
            if used + h > availHeight:
                break
            used += h
            n += 1
        if n == 0:
            return []  # not even the header and one row fit here: the frame moves on
        if n >= len(self.rows):
            return [self._make(self.rows)]
        rest = type(self)(
            self.header, self.rows[n:], self.col_widths, self.style,
            chunk_rows=self.chunk_rows,
            row_heights=[self.row_heights[0], *self.row_heights[1 + n :]],
        )  # fmt: skip
        if hasattr(self, "spec"):
            rest.spec = self.spec
        return [self._make(self.rows[:n]), rest]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.row_heights is not None:
            return self._wrap_known(availHeight)
        if len(self.rows) <= self.chunk_rows:
            self._table = self._make(self.rows)
            w, h = self._table.wrap(availWidth, availHeight)
            self.width, self.height = w, h
            return w, h
        # Too long to measure cheaply: claim more than the page so the frame asks to split.
        self._table = None
        self.width, self.height = sum(self.col_widths), availHeight + 1
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self.row_heights is not None:
            return self._split_known(availHeight)
        if self.min_height(availWidth, availHeight, rows=1) > availHeight:
            return []  # not even the header and one row fit here: the frame moves on
        n = min(len(self.rows), self._guess or self.chunk_rows)
        while True:
            table = self._make(self.rows[:n])
            parts = table.split(availWidth, availHeight)
            if not parts:
                return []  # not even one row fits here: the frame moves on
            if len(parts) == 1:  # all n rows fit
                if n >= len(self.rows):
                    return [table]
                n = min(len(self.rows), n * 2)
                continue
            first = parts[0]  # keeps the row heights it measured: not measured again
            fitted = len(first._cellvalues) - 1  # rows of data on this page
            if fitted <= 0:
                return []
            rest = self._rest(fitted)
            rest._guess = max(8, fitted + fitted // 4 + 3)  # ReportLab measures all n rows
            return [first, rest]

    def min_height(self, availWidth: float, availHeight: float, rows: int = 2) -> float:
        """The height of the header row and the first ``rows`` rows."""
        _, height = self._make(self.rows[:rows]).wrap(availWidth, availHeight)
        return float(height)

    def _rest(self, start: int) -> LongTable:
        return LongTable(
            self.header, self.rows[start:], self.col_widths, self.style,
            chunk_rows=self.chunk_rows, fit=False,
        )  # fmt: skip

    def draw(self) -> None:
        if self._table is None:  # pragma: no cover - the frame always splits us first
            raise RuntimeError("LongTable drawn without being split")
        self._table.drawOn(self.canv, 0, 0)


def plain_row_heights(
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    leading: float,
) -> list[float]:
    """The height of every row of a table in a style with :data:`_CELL_PADDING`, whose
    cells are mostly strings (lines of ``leading`` points): give them to LongTable, which
    then cuts pages by adding heights instead of having ReportLab measure every row."""
    vpad = _PAD_TOP + _PAD_BOTTOM
    out = []
    for row in rows:
        tallest = 0.0
        for cell, w in zip(row, col_widths, strict=True):
            if isinstance(cell, str):
                h = (cell.count("\n") + 1) * leading
            else:
                h = float(cell.wrap(w - 2 * _PAD_SIDE, 1e6)[1])
            tallest = max(tallest, h)
        out.append(tallest + vpad)
    return out


class _PlainRows(Flowable):
    """One page of a :func:`plain_table`, drawn directly: the stripes and rules of
    DATA_TABLE, then all text in one PDF text object (ReportLab's Table makes one per line,
    which is most of the cost of a long directory)."""

    def __init__(self, spec: _PlainSpec, rows: Sequence[Sequence[Any]],
                 heights: Sequence[float]) -> None:  # fmt: skip
        super().__init__()
        self.spec, self.rows, self.heights = spec, rows, list(heights)
        self.width, self.height = sum(spec.col_widths), sum(self.heights)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        spec, c = self.spec, self.canv
        width, top = self.width, self.height
        c.saveState()
        c.setFillColor(HEADER_BG)
        c.rect(0, top - self.heights[0], width, self.heights[0], stroke=0, fill=1)
        y = top - self.heights[0]
        c.setFillColor(STRIPE)
        for i, h in enumerate(self.heights[1:]):
            if i % 2:
                c.rect(0, y - h, width, h, stroke=0, fill=1)
            y -= h
        c.setStrokeColor(RULE)
        c.setLineWidth(0.25)
        y = top - self.heights[0]
        for h in self.heights[1:]:
            y -= h
            c.line(0, y, width, y)
        c.setStrokeColor(ACCENT_DARK)
        c.setLineWidth(0.8)
        c.line(0, top - self.heights[0], width, top - self.heights[0])
        text = c.beginText()
        text.setFillColor(spec.colour)
        code = text._code
        flowables: list[tuple[Flowable, float, float]] = []
        y = top
        for r, (row, h) in enumerate(zip(self.rows, self.heights, strict=True)):
            x = 0.0
            for i, (cell, w) in enumerate(zip(row, spec.col_widths, strict=True)):
                if isinstance(cell, str):
                    font, size, leading = spec.fonts[0 if r == 0 else i + 1]
                    text.setFont(font, size, leading)
                    lines = cell.split("\n")
                    if r == 0:  # the header sits on the row's bottom, as in DATA_TABLE
                        base = y - h + _PAD_BOTTOM + len(lines) * leading - size
                    else:
                        base = y - _PAD_TOP - size
                    for k, line in enumerate(lines):
                        lx = x + _PAD_SIDE
                        if i in spec.right:
                            lx = x + w - _PAD_SIDE - pdfmetrics.stringWidth(line, font, size)
                        # setTextOrigin and textOut, without their number formatting and
                        # cursor measuring (a directory has ~100,000 lines)
                        code.append(f"1 0 0 1 {lx:.2f} {base - k * leading:.2f} Tm")
                        text._textOut(line)
                else:
                    _, ch = cell.wrapOn(c, w - 2 * _PAD_SIDE, h)
                    flowables.append((cell, x + _PAD_SIDE, y - _PAD_TOP - ch))
                x += w
            y -= h
        c.drawText(text)
        c.restoreState()
        for cell, fx, fy in flowables:
            cell.drawOn(c, fx, fy)


@dataclass(frozen=True)
class _PlainSpec:
    col_widths: tuple[float, ...]
    fonts: tuple[tuple[str, float, float], ...]  # the header's, then each column's
    right: frozenset[int]
    colour: Color


class _PlainLongTable(LongTable):
    """A LongTable whose pages are :class:`_PlainRows`."""

    spec: _PlainSpec

    def _make(self, rows: Sequence[Sequence[Flowable]], start: int = 0) -> Any:
        assert self.row_heights is not None
        heights = [self.row_heights[0], *self.row_heights[1 + start : 1 + start + len(rows)]]
        return _PlainRows(self.spec, [self.header, *rows], heights)


def plain_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str | tuple[str, ...]]],
    col_widths: Sequence[float],
    *,
    bold_first: bool = False,
    numeric: Iterable[int] = (),
    style: TableStyle = DATA_TABLE,
) -> LongTable:
    """A long table of plain user text (a tuple cell: lines kept apart), as fast as
    ReportLab goes: cells are wrapped strings (see :func:`text_cell`), row heights are
    added up rather than measured, and the page is cut by that sum. Looks like
    :func:`data_table` (header row repeated on every page, stripes, rules); ``style``
    only matters for pieces ReportLab lays out itself (pages are drawn as DATA_TABLE).
    """
    st = styles()
    numbers = set(numeric)
    body_styles = [
        ParagraphStyle("cell_bold", parent=st.cell, fontName=FONT_BOLD)
        if i == 0 and bold_first else st.cell
        for i in range(len(col_widths))
    ]  # fmt: skip
    col_widths = _fit_plain_widths(header, rows, col_widths, body_styles, st.cell_header)
    inner = [w - 2 * _PAD_SIDE for w in col_widths]

    def cell(value: str | tuple[str, ...], i: int) -> str | Paragraph:
        if isinstance(value, str):
            return text_cell(value, inner[i], body_styles[i])
        parts = [text_cell(v, inner[i], body_styles[i]) for v in value if v]
        if all(isinstance(p, str) for p in parts):
            return "\n".join(str(p) for p in parts)
        return Paragraph("<br/>".join(escape(v) for v in value if v), body_styles[i])

    head = [text_cell(h, inner[i], st.cell_header) for i, h in enumerate(header)]
    body = [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), st.cell_header.fontName, st.cell_header.fontSize,
         st.cell_header.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), st.cell.textColor),
    ]  # fmt: skip
    if bold_first:
        commands.append(("FONT", (0, 1), (0, -1), FONT_BOLD, st.cell.fontSize, st.cell.leading))
    for i in numbers:
        commands.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    heights = plain_row_heights([head, *body], col_widths, st.cell.leading)
    table = _PlainLongTable(head, body, col_widths, TableStyle(commands, parent=style),
                            row_heights=heights)  # fmt: skip
    hd = st.cell_header
    table.spec = _PlainSpec(
        col_widths=tuple(col_widths),
        fonts=(
            (hd.fontName, hd.fontSize, hd.leading),
            *((s.fontName, s.fontSize, s.leading) for s in body_styles),
        ),
        right=frozenset(numbers),
        colour=st.cell.textColor,
    )
    return table


def _fit_plain_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[str | tuple[str, ...]]],
    col_widths: Sequence[float],
    body_styles: Sequence[ParagraphStyle],
    header_style: ParagraphStyle,
) -> list[float]:
    """:func:`fit_widths` for the plain text of :func:`plain_table`, before it is wrapped:
    each column's distinct words are measured once."""
    needs: list[float] = []
    for i, body in enumerate(body_styles):
        words: set[str] = set()
        for row in rows:
            value = row[i]
            if isinstance(value, str):
                words.update(value.split())
            else:
                for v in value:
                    words.update(v.split())
        widest = max((_word_width(w, body.fontName, body.fontSize) for w in words), default=0.0)
        head = longest_word(header[i], header_style.fontName, header_style.fontSize)
        needs.append(max(widest, head) + 2 * _PAD_SIDE)
    return fit_widths(needs, col_widths)


def data_table(
    header: Sequence[Cell],
    rows: Sequence[Sequence[Cell]],
    col_widths: Sequence[float],
    *,
    style: TableStyle = DATA_TABLE,
    numeric: Iterable[int] = (),
    chunk_rows: int = 60,
) -> Flowable:
    """A table whose header row repeats on every page; str cells are escaped and wrapped.

    ``col_widths`` are in points (fixed, for speed); ``numeric`` lists the columns whose
    values are right-aligned figures.
    """
    st = styles()
    numbers = set(numeric)
    head = [
        _cell(h, st.cell_header_number if i in numbers else st.cell_header)
        for i, h in enumerate(header)
    ]
    body = [
        [_cell(v, st.cell_number if i in numbers else st.cell) for i, v in enumerate(row)]
        for row in rows
    ]
    return LongTable(head, body, col_widths, style, chunk_rows=chunk_rows)


def figure_tiles(figures: Sequence[tuple[str, str]], width: float) -> Table:
    """Headline figures as a row of tiles: ``[("58", "members"), ...]``."""
    st = styles()
    n = max(1, len(figures))
    gap = 6.0
    tile = (width - gap * (n - 1)) / n
    numbers = [Paragraph(escape(value), st.figure) for value, _ in figures]
    labels = [Paragraph(escape(label), st.figure_label) for _, label in figures]
    widths: list[float] = []
    top: list[Any] = []
    bottom: list[Any] = []
    for i in range(n):
        if i:
            widths.append(gap)
            top.append("")
            bottom.append("")
        widths.append(tile)
        top.append(numbers[i])
        bottom.append(labels[i])
    style = TableStyle([], parent=TILES_TABLE)
    for i in range(1, n):  # the gaps between tiles stay white
        col = 2 * i - 1
        style.add("BACKGROUND", (col, 0), (col, -1), colors.white)
        style.add("LINEABOVE", (col, 0), (col, 0), 2, colors.white)
    return Table([top, bottom], colWidths=widths, style=style, hAlign="LEFT")


def bar(value: float, maximum: float, width: float, *, colour: Color = ACCENT,
        height: float = 7) -> Drawing:  # fmt: skip
    """A small horizontal bar (value against maximum) to sit beside a labelled figure."""
    drawing = Drawing(width, height, initialFontName=FONT_REGULAR, initialFontSize=8)
    drawing.add(Rect(0, 0, width, height, fillColor=TRACK, strokeColor=None))
    share = 0.0 if maximum <= 0 else max(0.0, min(1.0, value / maximum))
    if share > 0:
        drawing.add(Rect(0, 0, max(1.0, width * share), height, fillColor=colour,
                         strokeColor=None))  # fmt: skip
    return drawing


# --- headings with bookmarks ---------------------------------------------------------------
class _Heading(Paragraph):
    """A heading that adds itself to the PDF outline (see ReportDocument.afterFlowable)."""

    outline_title: str
    outline_level: int


def heading(text: str, level: int = 1) -> Paragraph:
    """A section heading (level 1) or sub-heading (level 2), with a PDF bookmark."""
    st = styles()
    para = _Heading(escape(text), st.h1 if level <= 1 else st.h2)
    para.outline_title = " ".join(clean(text).split())
    para.outline_level = max(0, level - 1)
    return para


class _KeepWithNext(KeepTogether):
    """Keeps headings with what follows; before a long table, with its first rows only.

    ReportLab's KeepTogether moves a heading and the whole table after it to a new page
    when the table does not fit, which leaves most of a page blank before every long
    table. Here a long table may start on the current page as long as the heading, the
    header row and two rows fit.
    """

    def split(self, aW: float, aH: float) -> list[Flowable]:
        content = list(self._content)
        last = content[-1]
        if not isinstance(last, LongTable):
            result: list[Flowable] = super().split(aW, aH)
            return result
        need = last.min_height(aW, aH)
        for flowable in content[:-1]:
            need += flowable.wrapOn(self.canv, aW, aH)[1]
            need += flowable.getSpaceBefore() + flowable.getSpaceAfter()
        frame = getattr(self, "_frame", None)
        at_top = bool(frame is not None and getattr(frame, "_atTop", False))
        if need <= aH or at_top:
            return content
        return [FrameBreak(), *content]


# --- the document ---------------------------------------------------------------------------
class _NumberedCanvas(Canvas):
    """Holds every page until the end so the footer can say "Page x of y".

    Bookmarks made on a page are replayed when that page is finally emitted, so outline
    entries point at the right page.
    """

    def __init__(self, *args: Any, page_label: Callable[[Canvas, int, int], None],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self._page_label = page_label
        self._held_pages: list[dict[str, Any]] = []
        self._held_bookmarks: list[tuple[str, dict[str, Any]]] = []

    def bookmarkPage(self, key: str, **kwargs: Any) -> None:
        self._held_bookmarks.append((key, kwargs))

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._held_bookmarks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            for key, kwargs in state["_held_bookmarks"]:
                Canvas.bookmarkPage(self, key, **kwargs)
            self._page_label(self, number, total)
            Canvas.showPage(self)
        Canvas.save(self)


@functools.cache
def _running_style(right: bool) -> ParagraphStyle:
    return ParagraphStyle("running_right" if right else "running_left", parent=styles().running,
                          alignment=TA_RIGHT if right else TA_LEFT)  # fmt: skip


class ReportDocument(BaseDocTemplate):
    """An A4 copdesk report: running header, "Page x of y" footer, metadata, outline.

    The first page carries no running header (it has the title block); every page has the
    footer. Headings made with :func:`heading` become PDF bookmarks.
    """

    def __init__(
        self,
        filename: Path | str,
        *,
        title: str,
        community: str,
        subject: str = "",
        prepared_on: dt.date | None = None,
        invariant: bool = False,
        keywords: Sequence[str] = (),
    ) -> None:
        register_fonts()
        self.report_title = title
        self.community = community
        self.prepared_on = prepared_on or dt.date.today()
        self._bookmarks = 0
        self._running_lines: dict[tuple[str, bool], tuple[Paragraph, float]] = {}
        super().__init__(
            str(filename),
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{title}: {clean(community)}",
            author="copdesk",
            subject=subject or title,
            creator=f"copdesk {__version__}",
            keywords=list(keywords),
            invariant=1 if invariant else 0,
            initialFontName=FONT_REGULAR,
            initialFontSize=9.5,
            lang="en",
            displayDocTitle=1,
            keepTogetherClass=_KeepWithNext,
        )
        frame = Frame(
            self.leftMargin, self.bottomMargin, self.width, self.height,
            id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )  # fmt: skip
        self.addPageTemplates([
            PageTemplate(id="first", frames=[frame], onPage=self._first_page,
                         autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[frame], onPage=self._later_page),
        ])  # fmt: skip

    # page decoration ---------------------------------------------------------------
    def _running(self, canv: Canvas, text: str, x: float, y: float, *, right: bool) -> None:
        # The same few lines on every page: each is laid out once and drawn on each page.
        width = self.width * 0.6
        cached = self._running_lines.get((text, right))
        if cached is None:
            para = Paragraph(text, _running_style(right))
            cached = self._running_lines[(text, right)] = (para, para.wrap(width, 30)[1])
        para, h = cached
        para.drawOn(canv, x - width if right else x, y - h + para.style.leading)

    def _footer(self, canv: Canvas) -> None:
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(self.leftMargin, FOOTER_Y + 10, self.leftMargin + self.width, FOOTER_Y + 10)
        prepared = f"Prepared with copdesk on {self.prepared_on.isoformat()}"
        self._running(canv, escape(prepared), self.leftMargin, FOOTER_Y, right=False)
        canv.restoreState()

    def _first_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.showOutline()
        self._footer(canv)

    def _later_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        top = self.pagesize[1] - HEADER_Y_FROM_TOP
        self._running(canv, f"<b>{escape(self.community)}</b>", self.leftMargin, top,
                      right=False)  # fmt: skip
        self._running(canv, escape(self.report_title), self.leftMargin + self.width, top,
                      right=True)  # fmt: skip
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(self.leftMargin, top - 4, self.leftMargin + self.width, top - 4)
        canv.restoreState()
        self._footer(canv)

    def _page_label(self, canv: Canvas, number: int, total: int) -> None:
        canv.saveState()
        canv.setFont(FONT_REGULAR, 7.5)
        canv.setFillColor(MUTED)
        canv.drawRightString(self.leftMargin + self.width, FOOTER_Y, f"Page {number} of {total}")
        canv.restoreState()

    # outline -----------------------------------------------------------------------------
    def afterFlowable(self, flowable: Flowable) -> None:
        title = getattr(flowable, "outline_title", None)
        if title is None:
            return
        level = int(getattr(flowable, "outline_level", 0))
        self._bookmarks += 1
        key = f"section-{self._bookmarks}"
        space_after = getattr(getattr(flowable, "style", None), "spaceAfter", 0) or 0
        top = self.frame._y + space_after + flowable.height + 6  # the heading's top edge
        self.canv.bookmarkPage(key, fit="XYZ", left=0, top=top, zoom=0)
        self.canv.addOutlineEntry(title, key, level=level, closed=False)
        self.notify("TOCEntry", (level, title, self.page, key))

    def build(self, flowables: list[Flowable], **kwargs: Any) -> None:
        maker = functools.partial(_NumberedCanvas, page_label=self._page_label)
        # Compressed streams as binary, not also ASCII85-encoded (ReportLab's default):
        # the same content, a quarter smaller, and the pure-Python encoder was ~10% of a
        # long report's build.
        with _binary_streams():
            super().build(flowables, canvasmaker=maker, **kwargs)


_a85_lock = threading.Lock()
_a85_users = 0
_a85_saved: Any = 1


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    global _a85_users, _a85_saved
    with _a85_lock:
        if _a85_users == 0:
            _a85_saved = rl_config.useA85
        _a85_users += 1
        rl_config.useA85 = 0
    try:
        yield
    finally:
        with _a85_lock:
            _a85_users -= 1
            if _a85_users == 0:
                rl_config.useA85 = _a85_saved


# --- writing the file ----------------------------------------------------------------------
def write_pdf_atomically(out: Path | str, build: Callable[[Path], None]) -> Path:
    """Run ``build(temp_path)`` and move the result to ``out`` in one step.

    The shared :func:`copdesk.data.files.atomic_output` does the writing: the temp file
    lives in ``out``'s folder, on any failure it is removed, an earlier file at ``out``
    is left untouched, and :class:`ReportError` says why ("cannot write /x/y.pdf:
    permission denied"). Interruptions (KeyboardInterrupt, a cancelled export) clean up
    and propagate as is.
    """
    out = Path(out).expanduser()
    try:
        with atomic_output(out) as tmp:
            build(tmp)
            with open(tmp, "rb") as handle:
                if handle.read(5) != b"%PDF-":
                    raise ReportError(f"cannot write {out}: the report came out empty")
    except WriteError as exc:
        raise ReportError(str(exc)) from exc
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(f"cannot write {out}: the report could not be built ({exc})") from exc
    return out
