"""Every item model passes Qt's model tester, empty, full, and after incremental changes."""

from __future__ import annotations

from pathlib import Path

from pytestqt.modeltest import ModelTester

from copdesk.data import csvio, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData
from copdesk.ui.events import StoreEvents
from copdesk.ui.members.import_dialog import ImportRowsModel, MappingModel
from copdesk.ui.members.knowledge import KnowledgeMapModel, KnowledgeProxy
from copdesk.ui.members.model import MemberFilterProxy, MemberTableModel
from copdesk.ui.members.reach import CountsModel


def test_member_model_and_proxy(
    qtmodeltester: ModelTester, store: Store, community_id: int, roster: dict[str, int]
) -> None:
    model = MemberTableModel()
    qtmodeltester.check(model)  # empty
    events = StoreEvents()
    events.attach(store)
    events.changed.connect(model.on_changes)
    model.set_source(store, community_id)
    proxy = MemberFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(0)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)

    new = store.run(members.add_member, community_id, MemberData("Zoë Martin"))
    store.run(members.set_level, new, "core")
    store.run(members.delete_member, roster["Carlos Peña"])
    proxy.set_text("a")
    proxy.set_level("core")
    assert [model.row_at(proxy.mapToSource(proxy.index(r, 0)).row()).full_name
            for r in range(proxy.rowCount())] == ["Amina Yusuf", "Zoë Martin"]
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    events.detach()


def test_knowledge_and_counts_models(
    qtmodeltester: ModelTester, store: Store, community_id: int, roster: dict[str, int]
) -> None:
    kmodel = KnowledgeMapModel()
    qtmodeltester.check(kmodel)
    with store.session() as s:
        kmodel.set_map(members.knowledge_map(s, community_id))
        reach = members.reach(s, community_id)
    proxy = KnowledgeProxy()
    proxy.setSourceModel(kmodel)
    proxy.set_gaps_only(True)
    qtmodeltester.check(kmodel)
    qtmodeltester.check(proxy)
    counts = CountsModel("Region")
    qtmodeltester.check(counts)
    counts.set_counts([(k, n, "") for k, n in reach.by_region.items()], reach.total)
    qtmodeltester.check(counts)


def test_import_preview_models(
    qtmodeltester: ModelTester, tmp_path: Path, store: Store, community_id: int,
    roster: dict[str, int],
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "Full name,Email,Shoe size\nAna,ana@example.org,38\n,bad,40\nAmina Yusuf,,41\n",
        encoding="utf-8",
    )
    with store.session() as s:
        preview = csvio.preview_import(s, community_id, path)
    for rows in (preview.rows, preview.valid_rows, preview.invalid_rows, ()):
        qtmodeltester.check(ImportRowsModel(rows))
    mapping = MappingModel(preview)
    qtmodeltester.check(mapping)
    assert mapping.rowCount() == 3
