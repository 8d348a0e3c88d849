"""The host's logo kept in the store prints on the overview's cover."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from copdesk.data import communities
from copdesk.data.store import Store
from copdesk.reports.overview import build_overview_pdf
from tests.data.test_store import _tiny_png


def test_the_logo_kept_in_the_store_prints_on_the_cover(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    without = build_overview_pdf_in(store, community_id, tmp_path / "without.pdf")
    store.run(communities.set_logo, community_id, _tiny_png())
    with_logo = build_overview_pdf_in(store, community_id, tmp_path / "with.pdf")
    assert len(PdfReader(without).pages[0].images) == 0
    assert len(PdfReader(with_logo).pages[0].images) == 1


def build_overview_pdf_in(store: Store, cid: int, out: Path) -> Path:
    with store.session() as s:
        return build_overview_pdf(s, cid, out)
