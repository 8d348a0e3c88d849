"""Charts for the copdesk reports, drawn with ReportLab's own graphics (vector, no images).

Every chart uses the report fonts and the colour-blind-safe palette of
:mod:`copdesk.reports.style`, and prints its values beside the bars and points, so it reads
in black and white too. The pieces:

- :func:`bar_chart`: labelled horizontal bars (``Bar``), one per row, the value printed at
  the end of each bar; optional reference lines (``Mark``, e.g. the fitness thresholds)
  and a 0–maximum axis. Labels wrap onto up to three lines.
- :func:`line_chart`: one or two series (``Series``) over categories (e.g. assessment
  dates), every point labelled; gaps (``None``) break the line. Optional shaded bands
  (``Band``, e.g. red/amber/green) behind the line.
- :func:`small_multiples`: a grid of equally sized drawings (one small chart per dimension).
- :data:`BAND_COLOURS` / :data:`BAND_WORDS`: the fitness bands' colours and words.

All sizes are in points; a chart is a ``Drawing`` (a flowable), so it goes into a story
as is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Table

from copdesk.reports.style import (
    ACCENT,
    FONT_BOLD,
    FONT_REGULAR,
    INK,
    LAYOUT_TABLE,
    MUTED,
    OKABE_ITO,
    RULE,
    TRACK,
    clean,
    register_fonts,
)

__all__ = [
    "BAND_COLOURS",
    "BAND_TINTS",
    "BAND_WORDS",
    "Band",
    "Bar",
    "Mark",
    "Series",
    "bar_chart",
    "fmt_number",
    "fmt_percent",
    "line_chart",
    "small_multiples",
]

#: Fitness bands: vermillion, orange and bluish green are told apart with every common
#: colour-vision deficiency; the words are printed too ("pass" at green).
BAND_COLOURS: dict[str, Color] = {
    "red": OKABE_ITO["vermillion"],
    "amber": OKABE_ITO["orange"],
    "green": OKABE_ITO["bluish_green"],
    "none": TRACK,
}
#: Light versions of the band colours, for shaded backgrounds.
BAND_TINTS: dict[str, Color] = {
    "red": colors.HexColor("#FBE5D9"),
    "amber": colors.HexColor("#FDF1D6"),
    "green": colors.HexColor("#DDF2EA"),
    "none": colors.HexColor("#F3F6F9"),
}
BAND_WORDS: dict[str, str] = {
    "red": "red",
    "amber": "amber",
    "green": "pass",
    "none": "not assessed",
}

LABEL_SIZE = 8.0
VALUE_SIZE = 8.0
AXIS_SIZE = 7.0


def fmt_number(value: float) -> str:
    """``12``, ``12.5``, ``1,250``: whole numbers without decimals, at most two otherwise."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def fmt_percent(value: float) -> str:
    """A value already in percent: ``67%``."""
    return f"{round(value)}%"


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart; ``text`` replaces the printed value (e.g. ``"83% · pass"``)."""

    label: str
    value: float | None
    colour: Color = ACCENT
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A reference line across a chart at ``value`` with a short caption."""

    value: float
    label: str
    colour: Color = MUTED


@dataclass(frozen=True, slots=True)
class Series:
    """A line of a line chart: one value (or None: no data) per category."""

    name: str
    values: Sequence[float | None]
    colour: Color = ACCENT


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded horizontal band behind a line chart, from ``low`` to ``high``."""

    low: float
    high: float
    colour: Color


def _wrap(text: str, width: float, size: float, max_lines: int = 3) -> list[str]:
    lines = simpleSplit(" ".join(clean(text).split()), FONT_REGULAR, size, width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and stringWidth(last + "…", FONT_REGULAR, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def _string(x: float, y: float, text: str, *, size: float = LABEL_SIZE, bold: bool = False,
            colour: Color = INK, anchor: str = "start") -> String:  # fmt: skip
    return String(x, y, text, fontName=FONT_BOLD if bold else FONT_REGULAR, fontSize=size,
                  fillColor=colour, textAnchor=anchor)  # fmt: skip


def bar_chart(
    bars: Sequence[Bar],
    width: float,
    *,
    maximum: float | None = None,
    label_width: float | None = None,
    bar_height: float = 11.0,
    gap: float = 7.0,
    marks: Sequence[Mark] = (),
    value_format: Callable[[float], str] = fmt_number,
    axis_format: Callable[[float], str] | None = None,
    ticks: Sequence[float] = (),
) -> Drawing:
    """Horizontal bars with their labels on the left and values printed at the bar ends.

    ``maximum`` fixes the scale (e.g. 100 for percentages; default: the largest value).
    ``ticks`` draws a labelled axis below the bars (formatted with ``axis_format``).
    A bar whose value is None draws no bar and prints its ``text`` (or "–").
    """
    register_fonts()
    widest = max((stringWidth(" ".join(clean(b.label).split()), FONT_REGULAR, LABEL_SIZE)
                  for b in bars), default=0.0)  # fmt: skip
    label_w = label_width if label_width is not None else min(0.36 * width, widest + 2, 150.0)
    value_room = 4 + max(
        [stringWidth(b.text if b.text is not None else
                     (value_format(b.value) if b.value is not None else "–"),
                     FONT_BOLD, VALUE_SIZE) for b in bars] or [20.0]
    )  # fmt: skip
    x0 = label_w + 8
    plot_w = max(40.0, width - x0 - value_room - 2)
    top = max((b.value or 0.0 for b in bars), default=0.0)
    scale_max = maximum if maximum is not None else (top or 1.0)
    if scale_max <= 0:
        scale_max = 1.0
    line_h = LABEL_SIZE + 1.8
    rows = [_wrap(b.label, label_w, LABEL_SIZE) for b in bars]
    heights = [max(bar_height, len(lines) * line_h) + gap for lines in rows]
    mark_room = 12.0 if marks else 0.0
    axis_room = 13.0 if ticks else 2.0
    height = sum(heights) + mark_room + axis_room
    d = Drawing(width, height, initialFontName=FONT_REGULAR, initialFontSize=LABEL_SIZE)

    def xpos(v: float) -> float:
        return x0 + plot_w * max(0.0, min(v, scale_max)) / scale_max

    plot_top = height - mark_room
    plot_bottom = axis_room
    if ticks:
        d.add(Line(x0, plot_bottom, x0 + plot_w, plot_bottom, strokeColor=RULE, strokeWidth=0.5))
        fmt = axis_format or value_format
        for t in ticks:
            x = xpos(t)
            d.add(Line(x, plot_bottom, x, plot_bottom - 2.5, strokeColor=MUTED, strokeWidth=0.5))
            d.add(_string(x, plot_bottom - 9.5, fmt(t), size=AXIS_SIZE, colour=MUTED,
                          anchor="middle"))  # fmt: skip
    d.add(Line(x0, plot_bottom, x0, plot_top, strokeColor=MUTED, strokeWidth=0.6))
    y = plot_top
    for bar, lines, row_h in zip(bars, rows, heights, strict=True):
        body = row_h - gap
        centre = y - gap / 2 - body / 2
        # the label, vertically centred on the bar
        first = centre + (len(lines) - 1) * line_h / 2 - LABEL_SIZE * 0.35
        for i, text in enumerate(lines):
            d.add(_string(label_w, first - i * line_h, text, anchor="end"))
        bar_y = centre - bar_height / 2
        if bar.value is not None and bar.value > 0:
            d.add(Rect(x0, bar_y, max(0.8, xpos(bar.value) - x0), bar_height,
                       fillColor=bar.colour, strokeColor=None))  # fmt: skip
        end = xpos(bar.value) if bar.value is not None else x0
        text = bar.text if bar.text is not None else (
            value_format(bar.value) if bar.value is not None else "–")  # fmt: skip
        d.add(_string(end + 4, centre - VALUE_SIZE * 0.35, text, size=VALUE_SIZE, bold=True))
        y -= row_h
    for mark in marks:
        x = xpos(mark.value)
        d.add(Line(x, plot_bottom, x, plot_top + 2, strokeColor=mark.colour, strokeWidth=0.8,
                   strokeDashArray=[2, 2]))  # fmt: skip
        d.add(_string(x, plot_top + 4, mark.label, size=AXIS_SIZE, colour=mark.colour,
                      anchor="middle"))  # fmt: skip
    return d


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    width: float,
    height: float,
    *,
    maximum: float,
    minimum: float = 0.0,
    title: str = "",
    subtitle: str = "",
    value_format: Callable[[float], str] = fmt_number,
    bands: Sequence[Band] = (),
    ticks: Sequence[float] = (),
    axis_format: Callable[[float], str] | None = None,
    title_lines: int = 1,
) -> Drawing:
    """A line per series over the categories, every point labelled with its value.

    Category labels are printed under the points (shortened to fit). With two series the
    second's labels go below its points. ``title`` (bold, wrapped onto up to two lines)
    and ``subtitle`` sit on top; ``title_lines`` reserves room for that many title lines,
    so small multiples whose titles wrap differently keep the same plot size.
    """
    register_fonts()
    d = Drawing(width, height, initialFontName=FONT_REGULAR, initialFontSize=LABEL_SIZE)
    head = 0.0
    if title:  # up to two lines, shortened with an ellipsis beyond
        lines = simpleSplit(" ".join(clean(title).split()), FONT_BOLD, 8.5, width) or [""]
        if len(lines) > 2:
            lines = [lines[0], _fit(" ".join(lines[1:]), width, 8.5, bold=True)]
        for line in lines:
            head += 10.5
            d.add(_string(0, height - head + 1.5, line, size=8.5, bold=True))
        head = max(head, 10.5 * min(2, title_lines)) + 1.5
    if subtitle:
        head += 10
        d.add(_string(0, height - head + 1, _fit(subtitle, width, AXIS_SIZE), size=AXIS_SIZE,
                      colour=MUTED))  # fmt: skip
    axis_w = 0.0
    if ticks:
        fmt = axis_format or value_format
        axis_w = 4 + max(stringWidth(fmt(t), FONT_REGULAR, AXIS_SIZE) for t in ticks)
    left = axis_w + 4
    right = 12.0
    bottom = 13.0
    top = height - head - 12  # room for labels above the highest point
    plot_w = max(10.0, width - left - right)
    span = (maximum - minimum) or 1.0

    def ypos(v: float) -> float:
        return bottom + (top - bottom) * (max(minimum, min(v, maximum)) - minimum) / span

    n = max(1, len(categories))
    step = plot_w / n

    def xpos(i: int) -> float:
        return left + step * (i + 0.5)

    for band in bands:
        y1, y2 = ypos(band.low), ypos(band.high)
        d.add(Rect(left, y1, plot_w, y2 - y1, fillColor=band.colour, strokeColor=None))
    d.add(Line(left, bottom, left + plot_w, bottom, strokeColor=MUTED, strokeWidth=0.6))
    if ticks:
        fmt = axis_format or value_format
        for t in ticks:
            y = ypos(t)
            d.add(Line(left, y, left + plot_w, y, strokeColor=RULE, strokeWidth=0.3))
            d.add(_string(left - 3, y - AXIS_SIZE * 0.35, fmt(t), size=AXIS_SIZE, colour=MUTED,
                          anchor="end"))  # fmt: skip
    for i, cat in enumerate(categories):
        d.add(_string(xpos(i), 3, _fit(cat, step - 2, AXIS_SIZE), size=AXIS_SIZE, colour=MUTED,
                      anchor="middle"))  # fmt: skip
    for k, s in enumerate(series[:2]):
        run: list[float] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(run) >= 4:
                    d.add(PolyLine(run, strokeColor=s.colour, strokeWidth=1.6))
                run = []
                continue
            run += [xpos(i), ypos(v)]
        if len(run) >= 4:
            d.add(PolyLine(run, strokeColor=s.colour, strokeWidth=1.6))
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x, y = xpos(i), ypos(v)
            d.add(Circle(x, y, 2.4, fillColor=s.colour, strokeColor=colors.white,
                         strokeWidth=0.6))  # fmt: skip
            label_y = y + 4.5 if k == 0 else y - 4.5 - VALUE_SIZE * 0.75
            d.add(_string(x, label_y, value_format(v), size=VALUE_SIZE - 0.5, bold=True,
                          anchor="middle"))  # fmt: skip
    return d


def _fit(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` on one line, shortened with an ellipsis to fit ``width``."""
    font = FONT_BOLD if bold else FONT_REGULAR
    text = " ".join(clean(text).split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def small_multiples(drawings: Sequence[Drawing], width: float, columns: int,
                    gap: float = 10.0) -> Table:  # fmt: skip
    """Drawings in a grid, ``columns`` per row, left to right (a layout table, no lines).

    Make each drawing ``(width - gap * (columns - 1)) / columns`` wide.
    """
    columns = max(1, columns)
    cell = (width - gap * (columns - 1)) / columns
    rows: list[list[object]] = []
    for start in range(0, len(drawings), columns):
        row: list[object] = []
        for i, drawing in enumerate(drawings[start:start + columns]):
            if i:
                row.append("")
            row.append(drawing)
        while len(row) < 2 * columns - 1:
            row.append("")
        rows.append(row)
    widths: list[float] = []
    for i in range(columns):
        if i:
            widths.append(gap)
        widths.append(cell)
    style = [("BOTTOMPADDING", (0, 0), (-1, -1), gap)]
    return Table(rows or [[""]], colWidths=widths, style=[*LAYOUT_TABLE.getCommands(), *style],
                 hAlign="LEFT")  # fmt: skip


def cell_width(width: float, columns: int, gap: float = 10.0) -> float:
    """The width of one drawing in :func:`small_multiples`."""
    return (width - gap * (max(1, columns) - 1)) / max(1, columns)
