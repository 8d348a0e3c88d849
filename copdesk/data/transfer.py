"""Move a community between stores: from an offline SQLite file to a server and back.

    report = transfer_community("laptop.sqlite", "postgresql+psycopg://host/cop", "Water CoP")

Everything the community holds is copied: members with roles, tags and level history;
series, sessions with agenda blocks, facilitators, attendance and follow-up actions;
agenda templates; assessments with participants, answers and evidence links; stories;
value entries with beneficiaries. Rows get new ids on the target (every reference is
remapped); the copy is written in one transaction on the target, so it lands whole or
not at all. The source is only read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.orm import Session

from copdesk.data import changes
from copdesk.data.communities import CommunityError, find_community
from copdesk.data.models import Base, Community
from copdesk.data.store import Store, StoreError, describe, resolve_url


class TransferError(StoreError):
    """The community cannot be transferred; nothing was written. The message is for users."""


@dataclass(frozen=True, slots=True)
class TransferReport:
    community: str
    source: str  # password-free descriptions of both stores
    target: str
    source_id: int
    target_id: int
    replaced: bool
    #: Rows copied per table (the community itself not counted).
    rows: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class _Part:
    """One table of a community: how its rows are found and how references are remapped."""

    table: str
    #: The id map this table's own ids go into (None: no id of its own).
    key: str | None
    #: The column tying a row to the community, and the id map it is looked up in.
    owner: tuple[str, str]
    #: Other reference columns and their id maps (unknown targets become NULL).
    refs: Mapping[str, str] = field(default_factory=dict)


# In dependency order: every table a row references comes before it.
PARTS: tuple[_Part, ...] = (
    _Part("member", "member", ("community_id", "community")),
    _Part("member_role", None, ("member_id", "member")),
    _Part("member_tag", None, ("member_id", "member")),
    _Part("level_change", "level_change", ("member_id", "member")),
    _Part("series", "series", ("community_id", "community")),
    _Part("cop_session", "session", ("community_id", "community"), {"series_id": "series"}),
    _Part("agenda_block", "block", ("session_id", "session"), {"owner_id": "member"}),
    _Part("session_facilitator", None, ("session_id", "session"), {"member_id": "member"}),
    _Part("attendance", None, ("session_id", "session"), {"member_id": "member"}),
    _Part("follow_up_action", "action", ("session_id", "session"), {"owner_id": "member"}),
    _Part("agenda_template", "template", ("community_id", "community")),
    _Part("template_block", None, ("template_id", "template")),
    _Part("story", "story", ("community_id", "community")),
    _Part(
        "value_entry",
        "entry",
        ("community_id", "community"),
        {"session_id": "session", "logged_by_id": "member", "story_id": "story"},
    ),
    _Part("value_beneficiary", None, ("entry_id", "entry"), {"member_id": "member"}),
    _Part("assessment", "assessment", ("community_id", "community")),
    _Part(
        "assessment_participant", None, ("assessment_id", "assessment"), {"member_id": "member"}
    ),
    _Part("answer", "answer", ("assessment_id", "assessment")),
    _Part("evidence_link", "link", ("answer_id", "answer")),
)

#: Required references: a row whose reference cannot be remapped is left out.
_REQUIRED = {"member_id", "session_id", "entry_id", "assessment_id", "answer_id", "template_id"}
#: Evidence links name their target by kind, without a foreign key.
_LINK_TARGETS = {"session": "session", "value": "entry"}


def _tables() -> dict[str, Table]:
    return {t.name: t for t in Base.metadata.sorted_tables}


Rows = dict[str, list[dict[str, Any]]]


def _read(session: Session, community_id: int) -> tuple[dict[str, Any], Rows]:
    """The community's row and every row it holds, per table, ordered by id."""
    tables = _tables()
    community = dict(
        session.execute(select(tables["community"]).where(tables["community"].c.id == community_id))
        .mappings()
        .one()
    )
    ids: dict[str, list[int]] = {"community": [community_id]}
    rows: dict[str, list[dict[str, Any]]] = {}
    for part in PARTS:
        table = tables[part.table]
        column, owner_map = part.owner
        owners = ids.get(owner_map, [])
        if not owners:
            rows[part.table] = []
        else:
            order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
            stmt = select(table).where(table.c[column].in_(owners)).order_by(*order)
            rows[part.table] = [dict(r) for r in session.execute(stmt).mappings()]
        if part.key is not None:
            ids[part.key] = [r["id"] for r in rows[part.table]]
    return community, rows


def _write(
    session: Session,
    community: dict[str, Any],
    rows: Rows,
    *,
    replace: bool,
) -> tuple[int, bool, dict[str, int]]:
    tables = _tables()
    name = community["name"]
    existing = session.scalar(select(Community.id).where(Community.name == name))
    replaced = existing is not None
    if existing is not None:
        if not replace:
            raise TransferError(
                f"the target store already has a community named {name!r}; nothing was "
                "copied (replace it to overwrite it with the copy)"
            )
        # The database's own cascades remove everything it held.
        session.execute(delete(tables["community"]).where(tables["community"].c.id == existing))
        session.flush()
    conn = session.connection()
    values = {k: v for k, v in community.items() if k != "id"}
    new_cid = _insert(conn, tables["community"], values)
    maps: dict[str, dict[int, int]] = {"community": {community["id"]: new_cid}}
    counts: dict[str, int] = {}
    for part in PARTS:
        table = tables[part.table]
        id_map: dict[int, int] = {}
        plain: list[dict[str, Any]] = []
        for row in rows[part.table]:
            new = _remap(part, row, maps)
            if new is None:
                continue
            if part.key is None:
                plain.append(new)
                continue
            old_id = new.pop("id")
            id_map[old_id] = _insert(conn, table, new)
        if plain:
            conn.execute(insert(table), plain)
        if part.key is not None:
            maps[part.key] = id_map
        counts[part.table] = len(plain) + len(id_map)
    changes.record(session, changes.Change("community", "insert", (new_cid,), new_cid))
    return new_cid, replaced, counts


def _insert(conn: Connection, table: Table, values: dict[str, Any]) -> int:
    """Insert one row and return the id the target gave it."""
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _remap(
    part: _Part, row: dict[str, Any], maps: Mapping[str, Mapping[int, int]]
) -> dict[str, Any] | None:
    new = dict(row)
    column, owner_map = part.owner
    for col, map_name in ((column, owner_map), *part.refs.items()):
        old = row[col]
        if old is None:
            continue
        mapped = maps.get(map_name, {}).get(old)
        if mapped is None and col in _REQUIRED:
            return None
        new[col] = mapped
    if part.table == "evidence_link":
        target_map = _LINK_TARGETS.get(row["kind"])
        # A link outlives its target; one whose target is not copied points nowhere (0)
        # and shows the label it was made with, as a deleted target does.
        new["target_id"] = maps.get(target_map or "", {}).get(row["target_id"], 0)
    return new


def transfer_community(
    source_url: str | os.PathLike[str],
    target_url: str | os.PathLike[str],
    community_name: str,
    *,
    replace: bool = False,
) -> TransferReport:
    """Copy the community named ``community_name`` from one store to another.

    Refuses (TransferError, nothing written) when the stores are the same, the community
    is not in the source, or the target already has a community of that name and
    ``replace`` is False; with ``replace=True`` that community is deleted and the copy
    takes its place, in the same transaction.
    """
    source_resolved, target_resolved = resolve_url(source_url), resolve_url(target_url)
    if source_resolved == target_resolved:
        raise TransferError(
            f"the source and the target are the same store ({describe(source_resolved)})"
        )
    with Store.open(source_url) as source, source.session() as s:
        try:
            info = find_community(s, community_name)
        except CommunityError as exc:
            raise TransferError(f"{describe(source_resolved)}: {exc}") from exc
        community, rows = _read(s, info.id)
    with Store.open(target_url) as target:
        new_cid, replaced, counts = target.run(_write, community, rows, replace=replace)
    return TransferReport(
        community=community["name"],
        source=describe(source_resolved),
        target=describe(target_resolved),
        source_id=info.id,
        target_id=new_cid,
        replaced=replaced,
        rows=counts,
    )
