"""Regression tests for faults the safety catalogue found (one section per module)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from copdesk.data import csvio, members
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError, validate_member


# --- validation: unpaired surrogates and control characters in notes -------------------
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (MemberData(full_name="Ana \ud800"), "full_name",
         "Full name contains broken characters (half of a character pair); type it again"),
        (MemberData(full_name="Ana", organisation="\udfff"), "organisation",
         "Organisation contains broken characters (half of a character pair); type it again"),
        (MemberData(full_name="Ana", expertise=("Pumps\udc00",)), "expertise",
         "Expertise: a tag contains broken characters (half of a character pair); type it "
         "again"),
        (MemberData(full_name="Ana", notes="a\x00b"), "notes",
         "Notes contain control characters"),
        (MemberData(full_name="Ana", notes="\ud83d"), "notes",
         "Notes contain broken characters (half of a character pair); type it again"),
    ],
    ids=["name-surrogate", "organisation-surrogate", "tag-surrogate", "notes-nul",
         "notes-surrogate"],
)
def test_unstorable_text_is_refused_not_crashed_on(
    store: Store, community_id: int, data: MemberData, field: str, message: str
) -> None:
    assert validate_member(data)[field] == message
    with pytest.raises(ValidationError) as err:
        store.run(members.add_member, community_id, data)  # was UnicodeEncodeError
    assert err.value.errors[field] == message
    with store.session() as s:
        assert members.list_members(s, community_id) == []


def test_notes_keep_line_breaks_and_tabs(store: Store, community_id: int) -> None:
    notes = "Line 1\r\nLine 2\n\tindented"
    mid = store.run(members.add_member, community_id, MemberData("Ana", notes=notes))
    with store.session() as s:
        assert members.get_member(s, mid).notes == notes


def test_exported_roster_imports_back_even_with_odd_notes(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    """A NUL in notes used to be stored, and then the export failed to import ("binary")."""
    with pytest.raises(ValidationError):
        store.run(members.add_member, community_id, MemberData("Ana", notes="x\x00y"))
    store.run(members.add_member, community_id, MemberData("Ana", notes="x\ty\nz"))
    out = tmp_path / "roster.csv"
    with store.session() as s:
        csvio.export_csv(s, community_id, out)
        preview = csvio.preview_import(s, None, out)
    assert [r.data.notes for r in preview.rows if r.data] == ["x\ty\nz"]
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 2


def test_a_very_long_unknown_time_zone_is_quoted_short() -> None:
    message = validate_member(MemberData("Ana", time_zone="Z" * 5000))["time_zone"]
    assert message == f"Unknown time zone {'Z' * 40!r} (use a name like Europe/Paris)"


