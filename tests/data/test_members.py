"""Member commands and queries on a real SQLite store."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from copdesk.data import communities, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError, split_tags, validate_member

TODAY = dt.date(2026, 11, 28)


def add(store: Store, cid: int, **fields: object) -> int:
    data = MemberData(**{"full_name": "Ada Lovelace", **fields})  # type: ignore[arg-type]
    return store.run(members.add_member, cid, data, today=TODAY)


def rows(store: Store, cid: int) -> list[members.MemberRow]:
    with store.session() as s:
        return members.list_members(s, cid)


def test_add_and_list_with_roles_tags_and_history(store: Store, community_id: int) -> None:
    mid = add(
        store,
        community_id,
        full_name="  Zoë   Ngũgĩ ",
        email="Zoe@Example.ORG",
        level="active",
        roles=("expert", "member"),
        expertise=("GIS", "hydrology", "gis"),
        interests=("Python",),
        joined_on=dt.date(2024, 3, 1),
    )
    (row,) = rows(store, community_id)
    assert row.id == mid
    assert row.full_name == "Zoë Ngũgĩ"
    assert row.email == "Zoe@example.org"
    assert row.roles == ("expert", "member")
    assert row.expertise == ("GIS", "hydrology")
    assert row.interests == ("Python",)
    with store.session() as s:
        assert members.level_history(s, mid) == [(dt.date(2024, 3, 1), "active")]


def test_required_name_and_valid_email(store: Store, community_id: int) -> None:
    with pytest.raises(ValidationError) as err:
        add(store, community_id, full_name="   ", email="not-an-email")
    assert set(err.value.errors) == {"full_name", "email"}
    assert rows(store, community_id) == []


def test_email_is_unique_per_community_case_insensitively(
    store: Store, community_id: int
) -> None:
    add(store, community_id, email="ada@example.org")
    with pytest.raises(ValidationError) as err:
        add(store, community_id, full_name="Someone Else", email="ADA@example.org")
    assert "Ada Lovelace already uses this email" in err.value.errors["email"]
    other = store.run(communities.create_community, "Another CoP")
    add(store, other, email="ada@example.org")  # another community may hold the same person
    assert len(rows(store, community_id)) == 1


def test_likely_duplicates_by_email_or_normalised_name(store: Store, community_id: int) -> None:
    mid = add(store, community_id, full_name="Łukasz Dvořák", email="lukasz@example.org")
    with store.session() as s:
        by_name = members.find_duplicates(
            s, community_id, MemberData(full_name="ŁUKASZ  dvořák")
        )
        by_email = members.find_duplicates(
            s, community_id, MemberData(full_name="L. D.", email="Lukasz@Example.org")
        )
        # NFKC: a full-width letter folds to the ordinary one.
        by_compat = members.find_duplicates(
            s, community_id, MemberData(full_name="Łukasz Dvořák")
        )
        none = members.find_duplicates(
            s, community_id, MemberData(full_name="Łukasz Dvořák"), exclude_id=mid
        )
    assert [(d.member_id, d.reason) for d in by_name] == [(mid, "name")]
    assert [(d.member_id, d.reason) for d in by_email] == [(mid, "email")]
    assert [d.member_id for d in by_compat] == [mid]
    assert none == []


def test_update_records_level_changes(store: Store, community_id: int) -> None:
    mid = add(store, community_id, level="peripheral", joined_on=dt.date(2023, 1, 1))
    data = rows(store, community_id)[0].to_data()
    store.run(members.update_member, mid, replace(data, level="core"), today=TODAY)
    with store.session() as s:
        assert members.level_history(s, mid) == [
            (dt.date(2023, 1, 1), "peripheral"),
            (TODAY, "core"),
        ]


def test_delete_and_restore_give_back_exactly_the_same_member(
    store: Store, community_id: int
) -> None:
    mid = add(store, community_id, email="ada@example.org", expertise=("maths",), level="active")
    store.run(members.set_level, mid, "core", on=TODAY)
    before = rows(store, community_id)
    with store.session() as s:
        history = members.level_history(s, mid)
    snap = store.run(members.delete_member, mid)
    assert rows(store, community_id) == []
    store.run(members.restore_member, snap)
    assert rows(store, community_id) == before
    with store.session() as s:
        assert members.level_history(s, mid) == history


def test_restore_refuses_when_the_email_was_taken_meanwhile(
    store: Store, community_id: int
) -> None:
    mid = add(store, community_id, email="ada@example.org")
    snap = store.run(members.delete_member, mid)
    add(store, community_id, full_name="New Ada", email="ada@example.org")
    with pytest.raises(ValidationError):
        store.run(members.restore_member, snap)
    assert [r.full_name for r in rows(store, community_id)] == ["New Ada"]


@pytest.mark.sqlite_only  # reads the file's bytes
def test_erase_removes_personal_fields_from_the_file(
    store: Store, store_path: Path, community_id: int
) -> None:
    secret_name = "Sigríður Þórsdóttir-Unforgettable"
    secret_mail = "sigridur.unforgettable@example.org"
    mid = add(
        store,
        community_id,
        full_name=secret_name,
        email=secret_mail,
        organisation="Secretive Org Ltd",
        notes="prefers tea, lives at 12 Hidden Lane",
        expertise=("Hidden Lane Zoning",),
        level="active",
    )
    add(store, community_id, full_name="Other Person", level="active")
    store.run(members.set_level, mid, "core", on=TODAY)
    store.checkpoint()
    store.run(members.erase_member, mid)
    store.checkpoint()
    store.close()

    raw = store_path.read_bytes()
    wal = store_path.with_name(store_path.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    for secret in (secret_name, secret_mail, "Secretive Org", "Hidden Lane"):
        assert secret.encode() not in raw, secret

    reopened = Store.open(store_path)
    try:
        with reopened.session() as s:
            erased = members.get_member(s, mid)
            reach = members.reach(s, community_id)
            history = members.level_history(s, mid)
        assert erased.erased and erased.email == "" and erased.expertise == ()
        assert erased.full_name.startswith(members.ERASED_NAME)
        assert reach.total == 2 and reach.by_level["core"] == 1
        assert [level for _, level in history] == ["active", "core"]
    finally:
        reopened.close()


def test_export_member_holds_everything_and_is_json(store: Store, community_id: int) -> None:
    mid = add(store, community_id, email="ada@example.org", notes="R&D <lead>", consent=True)
    with store.session() as s:
        data = members.export_member(s, mid)
    text = json.dumps(data, ensure_ascii=False)
    assert "ada@example.org" in text and "R&D <lead>" in text
    assert data["member"]["consent_to_host_reports"] is True
    assert data["participation_history"][0]["level"] == "peripheral"


def test_knowledge_map_counts_experts_seekers_and_gaps(store: Store, community_id: int) -> None:
    add(store, community_id, full_name="A", expertise=("GIS", "Python"), consent=True)
    add(store, community_id, full_name="B", expertise=("gis",), interests=("Drones",))
    add(store, community_id, full_name="C", interests=("Python", "drones", "Law"), consent=True)
    add(store, community_id, full_name="D", interests=("Law",), status="left")
    with store.session() as s:
        kmap = members.knowledge_map(s, community_id, named="consenting")
    by_tag = {e.tag.casefold(): e for e in kmap.entries}
    assert by_tag["gis"].expert_count == 2 and by_tag["gis"].experts == ("A",)
    assert by_tag["gis"].hidden_experts == 1
    assert by_tag["python"].seekers == ("C",)
    assert [g.tag for g in kmap.gaps] == ["Drones", "Law"]
    assert by_tag["law"].seeker_count == 1  # the member who left is not counted
    assert kmap.strengths[0].tag == "GIS"


def test_reach_counts(store: Store, community_id: int) -> None:
    add(store, community_id, full_name="A", level="core", organisation="X", region="Kenya")
    add(store, community_id, full_name="B", level="active", organisation="X", region="Peru")
    add(store, community_id, full_name="C", roles=("outside_guest",), region="Peru")
    add(store, community_id, full_name="D", status="left")
    with store.session() as s:
        r = members.reach(s, community_id)
    assert r.total == 3 and r.left == 1
    assert r.by_level == {"core": 1, "active": 1, "occasional": 0, "peripheral": 1,
                          "transactional": 0}
    assert r.by_organisation == {"X": 2, "(not given)": 1}
    assert r.by_region == {"Peru": 2, "Kenya": 1}
    assert (r.inside, r.outside_guests) == (2, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"full_name": "x" * 201}, "full_name"),
        ({"full_name": "Bell\x07"}, "full_name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"joined_on": dt.date(2030, 1, 1)}, "joined_on"),
        ({"level": "guru"}, "level"),
        ({"roles": ("overlord",)}, "roles"),
        ({"expertise": ("x" * 101,)}, "expertise"),
        ({"status": "gone"}, "status"),
        ({"notes": "n" * 20_001}, "notes"),
    ],
)
def test_validation_names_the_wrong_field(fields: dict[str, object], field: str) -> None:
    data = MemberData(**{"full_name": "Ada", **fields})  # type: ignore[arg-type]
    assert field in validate_member(data, today=TODAY)


def test_split_tags_accepts_commas_semicolons_and_lines() -> None:
    assert split_tags("GIS, hydrology;Python\n gis ,,") == ("GIS", "hydrology", "Python")


def test_a_change_of_tags_or_roles_alone_raises_the_version(
    store: Store, community_id: int
) -> None:
    mid = add(store, community_id, expertise=("GIS",))
    (row,) = rows(store, community_id)
    store.run(members.update_member, mid, replace(row.to_data(), expertise=("GIS", "Python")))
    (tags_changed,) = rows(store, community_id)
    assert tags_changed.version > row.version
    store.run(members.update_member, mid, replace(row.to_data(), roles=("expert",)))
    (roles_changed,) = rows(store, community_id)
    assert roles_changed.version > tags_changed.version


def test_listed_rows_share_repeated_values_and_match_the_stored_members(
    store: Store, community_id: int
) -> None:
    """One object per repeated value (memory on a large roster), the same content."""
    from copdesk.data.models import Member

    for i in range(6):
        add(store, community_id, full_name=f"Member {i}", organisation="Rivers Trust",
            region="Kazakhstan", level="active" if i % 2 else "core",
            roles=("member",), expertise=("GIS", "Hydrology"), interests=("Python",),
            joined_on=dt.date(2024, 3, 1))
    listed = rows(store, community_id)
    assert len(listed) == 6
    first = listed[0]
    for row in listed[1:]:
        assert row.organisation is first.organisation and row.region is first.region
        assert row.expertise is first.expertise and row.roles is first.roles
        assert row.joined_on is first.joined_on
    with store.session() as s:
        stored = {m.id: m for m in s.query(Member).filter_by(community_id=community_id)}
        for row in listed:
            member = stored[row.id]
            assert (row.full_name, row.organisation, row.region, row.level) == (
                member.full_name, member.organisation, member.region, member.level)
            assert row.expertise == ("GIS", "Hydrology") and row.interests == ("Python",)
    assert [r.full_name for r in listed] == [f"Member {i}" for i in range(6)]
