"""Read a PDF back with pypdf, for report tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, white space collapsed (cells wrap lines anywhere)."""
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]


def all_text(pdf: Path) -> str:
    return " ".join(page_texts(pdf))


def fonts(pdf: Path) -> list[Any]:
    """Every font dictionary used on any page (resolved)."""
    found: dict[int, Any] = {}
    for page in PdfReader(pdf).pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            found[id(font)] = font
    return list(found.values())


def outline_entries(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline entry, in order."""
    reader = PdfReader(pdf)
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                assert page is not None, item.title
                out.append((depth, str(item.title), page))

    walk(reader.outline, 0)
    return out
