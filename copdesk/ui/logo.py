"""Reading the host's logo from a file: PNG and JPEG as they are, SVG drawn to a PNG.

The reports (which know no Qt) print PNG or JPEG; an SVG logo is rasterised here, once,
at a size that prints sharply on the cover.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from copdesk.data.communities import logo_kind


class LogoError(ValueError):
    """The file cannot be used as the host's logo; the message is for the user."""


#: The longest side of a rasterised SVG logo, in pixels (48 mm at about 600 dpi).
SVG_PIXELS = 1200


def read_logo(path: Path) -> bytes:
    """The logo's bytes for the store; LogoError with a message for anything unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LogoError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".svg" or data.lstrip()[:5] in (b"<?xml", b"<svg "):
        return _svg_to_png(data, path)
    if logo_kind(data) is None or QImage.fromData(data).isNull():
        raise LogoError(f"{path.name} is not a PNG, JPEG or SVG image")
    return data


def _svg_to_png(data: bytes, path: Path) -> bytes:
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise LogoError(f"{path.name} cannot be read as an SVG drawing")
    size = renderer.defaultSize()
    if size.isEmpty():
        size = QSize(SVG_PIXELS, SVG_PIXELS // 2)
    size = size.scaled(SVG_PIXELS, SVG_PIXELS, Qt.AspectRatioMode.KeepAspectRatio)
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes
    return bytes(buffer.data().data())
