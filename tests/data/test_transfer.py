"""Moving a community between stores: SQLite → server → SQLite, all or nothing.

The middle store is the test's store: a PostgreSQL database in ``make pytest-pg``, an
SQLite file otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from copdesk.data import communities, members, sessions, values
from copdesk.data import fitness as F
from copdesk.data.demo import DEMO_NAME, create_demo
from copdesk.data.models import Base
from copdesk.data.store import Store
from copdesk.data.transfer import PARTS, TransferError, transfer_community
from copdesk.data.validation import MemberData

TODAY = dt.date(2026, 11, 1)
Target = Path | str


def _plain(value: Any) -> Any:
    """A query result with every id left out (ids differ between stores)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.name == "id" or f.name.endswith(("_id", "_ids")))
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def picture(target: Target, name: str = DEMO_NAME) -> dict[str, Any]:
    """Everything the tabs and reports read about a community, ids left out."""
    with Store.open(target) as store, store.session() as s:
        info = communities.find_community(s, name)
        cid = info.id
        roster = members.list_members(s, cid)
        rows = sessions.list_sessions(s, cid)
        assessments = F.list_assessments(s, cid)
        return {
            "community": _plain(info),
            "members": _plain(roster),
            "history": [members.level_history(s, m.id) for m in roster],
            "knowledge": _plain(members.knowledge_map(s, cid)),
            "sessions": _plain(rows),
            "blocks": [_plain(sessions.list_blocks(s, r.id)) for r in rows],
            "attendance": [_plain(sessions.list_attendance(s, r.id)) for r in rows],
            "actions": _plain(sessions.list_actions(s, cid)),
            "templates": _plain(sessions.list_templates(s, cid)),
            "entries": _plain(values.list_entries(s, cid)),
            "stories": _plain(values.list_stories(s, cid)),
            "assessments": _plain(assessments),
            "answers": [_plain(F.get_assessment(s, a.id)) for a in assessments],
        }


def test_every_table_of_a_community_is_transferred() -> None:
    covered = {p.table for p in PARTS}
    assert covered == {t.name for t in Base.metadata.sorted_tables} - {"community", "store_info"}


@pytest.mark.slow
def test_demo_goes_to_the_server_and_back_unchanged(tmp_path: Path, store_path: Target) -> None:
    laptop = tmp_path / "laptop.sqlite"
    with Store.open(laptop) as store:
        store.run(create_demo, today=TODAY)
        store.run(communities.create_community, "Other CoP")
    before = picture(laptop)
    assert before["members"] and before["sessions"] and before["entries"]
    assert before["assessments"] and before["stories"] and before["actions"]

    there = transfer_community(laptop, store_path, DEMO_NAME)
    assert there.community == DEMO_NAME and not there.replaced
    assert there.rows["member"] == len(before["members"]) and there.total > 500
    assert picture(store_path) == before

    back = tmp_path / "back.sqlite"
    home = transfer_community(store_path, back, DEMO_NAME)
    assert home.rows == there.rows
    assert picture(back) == before
    with Store.open(back) as store, store.session() as s:  # only the one community came
        assert [c.name for c in communities.list_communities(s)] == [DEMO_NAME]


def test_an_existing_community_is_kept_unless_replaced(tmp_path: Path, store_path: Target) -> None:
    laptop = tmp_path / "laptop.sqlite"
    with Store.open(laptop) as store:
        cid = store.run(communities.create_community, "Water CoP")
        store.run(members.add_member, cid, MemberData(full_name="Ada", consent=True))
    with Store.open(store_path) as server:
        other = server.run(communities.create_community, "Water CoP")
        server.run(members.add_member, other, MemberData(full_name="Grace"))
        poller = Store.open(store_path)
    try:
        with pytest.raises(TransferError, match="already has a community named 'Water CoP'"):
            transfer_community(laptop, store_path, "Water CoP")
        assert not poller.poll_external_changes()
        assert [m["full_name"] for m in picture(store_path, "Water CoP")["members"]] == ["Grace"]

        report = transfer_community(laptop, store_path, "Water CoP", replace=True)
        assert report.replaced and report.rows["member"] == 1
        assert [m["full_name"] for m in picture(store_path, "Water CoP")["members"]] == ["Ada"]
        assert poller.poll_external_changes()  # an open window notices the copy
    finally:
        poller.close()


def test_refusals_write_nothing(tmp_path: Path, store_path: Target) -> None:
    laptop = tmp_path / "laptop.sqlite"
    with Store.open(laptop) as store:
        store.run(communities.create_community, "Water CoP")
    with pytest.raises(TransferError, match="no community named 'Nope'"):
        transfer_community(laptop, store_path, "Nope")
    with pytest.raises(TransferError, match="same store"):
        transfer_community(laptop, f"sqlite:///{laptop}", "Water CoP")
    with Store.open(store_path) as server, server.session() as s:
        assert communities.list_communities(s) == []


def test_a_failure_half_way_leaves_the_target_as_it_was(
    tmp_path: Path, store_path: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = tmp_path / "laptop.sqlite"
    with Store.open(laptop) as store:
        cid = store.run(communities.create_community, "Water CoP")
        for name in ("Ada", "Grace"):
            store.run(members.add_member, cid, MemberData(full_name=name))
    from copdesk.data import transfer as T

    real = T._remap
    calls = {"n": 0}

    def failing(part: Any, row: Any, maps: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("network gone")
        return real(part, row, maps)

    monkeypatch.setattr(T, "_remap", failing)
    with pytest.raises(RuntimeError):
        transfer_community(laptop, store_path, "Water CoP")
    with Store.open(store_path) as server, server.session() as s:
        assert communities.list_communities(s) == []
