"""The shared report style: escaping, font coverage, long tables, the document, atomic writes."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph

from copdesk.reports import style
from copdesk.reports.errors import ReportError
from copdesk.reports.style import (
    ReportDocument,
    check_coverage,
    data_table,
    escape,
    heading,
    styles,
    write_pdf_atomically,
)
from tests.reports.pdfread import all_text, fonts, outline_entries, page_texts

SYSTEM_SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


# --- escaping ---------------------------------------------------------------------------
def test_escape_makes_markup_characters_literal() -> None:
    assert escape("R&D <lead>") == "R&amp;D &lt;lead&gt;"
    assert escape("<b>not bold</b>") == "&lt;b&gt;not bold&lt;/b&gt;"


def test_escape_strips_control_characters_and_composes_accents() -> None:
    assert escape("a\x00b\x07c\x1b[31m") == "abc[31m"
    assert escape("Nguye\u0302\u0303n") == "Nguyễn"  # decomposed input, one glyph out
    assert escape("two\nlines") == "two lines"
    assert escape("two\nlines", newlines=True) == "two<br/>lines"


def test_escaped_text_round_trips_through_a_pdf(tmp_path: Path) -> None:
    text = "R&D <lead> \"quoted\" 'single' 5 > 3 & 2 < 4"

    def build(path: Path) -> None:
        ReportDocument(path, title="T", community="C").build(
            [Paragraph(escape(text), styles().body)]
        )

    pdf = write_pdf_atomically(tmp_path / "e.pdf", build)
    assert text in all_text(pdf)


# --- font coverage ----------------------------------------------------------------------
def test_coverage_reports_cjk_and_emoji_but_not_european_scripts() -> None:
    coverage = check_coverage([
        "Αλεξάνδρα Ольга Łukasz Jiří Şükrü Nguyễn Thị Hương Ærøskøbing",
        "王小明 🦄",
    ])  # fmt: skip
    assert coverage.missing == ("小", "明", "王", "🦄")
    assert coverage.via_fallback == ()
    assert not coverage.ok
    message = coverage.message()
    assert "U+738B" in message and "U+1F984" in message and "empty boxes" in message
    assert check_coverage(["Αθηνά Смирнова"]).ok
    assert check_coverage(["Αθηνά"]).message() == ""


def test_coverage_without_fallback_lists_everything_the_bundled_fonts_lack() -> None:
    coverage = check_coverage(["ᴕ 中"], fallback=False)
    assert coverage.missing == ("ᴕ", "中")


@pytest.mark.skipif(not SYSTEM_SERIF.exists(), reason="needs DejaVu Serif installed")
def test_a_system_font_prints_what_the_bundled_fonts_lack(tmp_path: Path) -> None:
    fonts_dir = tmp_path / "fonts"
    fonts_dir.mkdir()
    shutil.copy(SYSTEM_SERIF, fonts_dir / "DejaVuSerif.ttf")
    style.FALLBACK_FONT_DIRS = [fonts_dir]
    coverage = check_coverage(["ᴕ 中"])  # U+1D15 is in DejaVu Serif, not in DejaVu Sans
    assert coverage.via_fallback == ("ᴕ",)
    assert coverage.missing == ("中",)
    assert escape("aᴕb") == 'a<font name="Fallback-DejaVuSerif">ᴕ</font>b'

    def build(path: Path) -> None:
        ReportDocument(path, title="T", community="C").build(
            [Paragraph(escape("Fallback: aᴕb & <x>"), styles().body)]
        )

    pdf = write_pdf_atomically(tmp_path / "f.pdf", build)
    names = {str(f["/BaseFont"]) for f in fonts(pdf)}
    assert any("DejaVuSerif" in n for n in names)
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts(pdf))
    assert "Fallback: aᴕb & <x>" in all_text(pdf)


# --- long tables and the document ---------------------------------------------------------
def _long_doc(path: Path, rows: int, *, invariant: bool = False) -> None:
    doc = ReportDocument(
        path, title="Long report", community="Κοινότητα & <Co>", subject="A test",
        prepared_on=dt.date(2025, 1, 2), invariant=invariant,
    )  # fmt: skip
    data = [[f"row {i:05d}", f"Ελληνικά {i}", str(i)] for i in range(rows)]
    w = doc.width
    doc.build([
        heading("Section one"),
        Paragraph(escape("Intro text."), styles().body),
        heading("Sub-section", level=2),
        data_table(["Label", "Text", "Number"], data, [w * 0.4, w * 0.4, w * 0.2], numeric=[2]),
        heading("Section two"),
        Paragraph(escape("The end."), styles().body),
    ])  # fmt: skip


def test_long_table_repeats_its_header_and_keeps_every_row_in_order(tmp_path: Path) -> None:
    pdf = write_pdf_atomically(tmp_path / "long.pdf", lambda p: _long_doc(p, 1500))
    texts = page_texts(pdf)
    assert len(texts) > 20
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {len(texts)}" in text
    table_pages = [t for t in texts if "row " in t]
    assert len(table_pages) == len(texts)  # the table starts on page 1, under its heading
    for text in table_pages:
        assert "Label Text Number" in text
    text = " ".join(texts)
    positions = [text.index(f"row {i:05d} ") for i in range(0, 1500, 7)]
    assert positions == sorted(positions)
    assert text.count("row 0") == 1500


def test_running_header_is_on_every_page_but_the_first(tmp_path: Path) -> None:
    pdf = write_pdf_atomically(tmp_path / "h.pdf", lambda p: _long_doc(p, 200))
    texts = page_texts(pdf)
    assert "Κοινότητα & <Co> Long report" not in texts[0]
    for text in texts[1:]:
        assert text.startswith("Κοινότητα & <Co> Long report")
    assert "Prepared with copdesk on 2025-01-02" in texts[0]


def test_outline_levels_and_pages(tmp_path: Path) -> None:
    pdf = write_pdf_atomically(tmp_path / "o.pdf", lambda p: _long_doc(p, 400))
    entries = outline_entries(pdf)
    n = len(PdfReader(pdf).pages)
    assert [(d, t) for d, t, _ in entries] == [
        (0, "Section one"), (1, "Sub-section"), (0, "Section two"),
    ]  # fmt: skip
    assert entries[0][2] == 0
    assert entries[2][2] == n - 1  # after the long table, on the last page


def test_metadata(tmp_path: Path) -> None:
    pdf = write_pdf_atomically(tmp_path / "m.pdf", lambda p: _long_doc(p, 3))
    meta = PdfReader(pdf).metadata
    assert meta is not None
    assert meta.title == "Long report: Κοινότητα & <Co>"
    assert meta.author == "copdesk"
    assert meta.subject == "A test"
    assert meta.creator is not None and meta.creator.startswith("copdesk ")


def test_invariant_output_is_byte_identical(tmp_path: Path) -> None:
    a = write_pdf_atomically(tmp_path / "a.pdf", lambda p: _long_doc(p, 120, invariant=True))
    b = write_pdf_atomically(tmp_path / "b.pdf", lambda p: _long_doc(p, 120, invariant=True))
    assert a.read_bytes() == b.read_bytes()


# --- atomic writes --------------------------------------------------------------------------
def _tiny(path: Path) -> None:
    ReportDocument(path, title="T", community="C").build([Paragraph("x", styles().body)])


def test_permission_denied_when_creating_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deny(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(style.os, "open", deny)
    out = tmp_path / "r.pdf"
    with pytest.raises(ReportError, match=rf"^cannot write {out}: permission denied$"):
        write_pdf_atomically(out, _tiny)
    assert list(tmp_path.iterdir()) == []


def test_a_locked_target_keeps_the_earlier_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.pdf"
    out.write_bytes(b"earlier")

    def locked(src: object, dst: object) -> None:  # what Windows does when a viewer has it open
        raise PermissionError(errno.EACCES, "Access is denied")

    monkeypatch.setattr(style.os, "replace", locked)
    with pytest.raises(ReportError, match="open in another program"):
        write_pdf_atomically(out, _tiny)
    assert out.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_disk_full_is_explained(tmp_path: Path) -> None:
    def full(path: Path) -> None:
        path.write_bytes(b"%PDF-1.4 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ReportError, match="the disk is full"):
        write_pdf_atomically(tmp_path / "r.pdf", full)
    assert list(tmp_path.iterdir()) == []


def test_a_builder_that_writes_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="came out empty"):
        write_pdf_atomically(tmp_path / "r.pdf", lambda p: None)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_build_cleans_up_and_propagates(tmp_path: Path) -> None:
    def interrupted(path: Path) -> None:
        path.write_bytes(b"%PDF-")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_pdf_atomically(tmp_path / "r.pdf", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="it is a folder"):
        write_pdf_atomically(tmp_path, _tiny)


def test_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    out = write_pdf_atomically(tmp_path / "r.pdf", _tiny)
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        assert out.stat().st_mode & 0o777 == 0o666 & ~umask
