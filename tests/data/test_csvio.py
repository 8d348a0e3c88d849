"""CSV import and export on real files in a temp folder and a real SQLite store."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

from copdesk.data import communities, csvio, files, members
from copdesk.data.csvio import CsvError, commit_import, export_csv, preview_import
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError

TODAY = dt.date(2025, 6, 1)


def outdir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    return folder


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def preview(store: Store, cid: int | None, path: Path) -> csvio.ImportPreview:
    with store.session() as s:
        return preview_import(s, cid, path, today=TODAY)


# --- encodings and separators -------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")],
)
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_encodings_and_separators(
    store: Store, community_id: int, tmp_path: Path, encoding: str, expected: str, delimiter: str
) -> None:
    text = delimiter.join(["Name", "Email", "Organization"]) + "\r\n"
    text += delimiter.join(["Zoë Dvořák-Müller" if encoding != "cp1252" else "Zoë Müller",
                            "zoe@example.org", "Café Société"]) + "\r\n"
    text += delimiter.join(["François Lefèvre", "", "Eau & Vie"]) + "\r\n"
    path = write(tmp_path / "roster.csv", text, encoding)

    p = preview(store, community_id, path)

    assert p.encoding == expected
    assert p.delimiter == delimiter
    assert p.mapping == {"Name": "full_name", "Email": "email", "Organization": "organisation"}
    names = [r.data.full_name for r in p.rows if r.data]
    assert names[1] == "François Lefèvre"
    assert names[0].startswith("Zoë ")
    assert [r.data.organisation for r in p.rows if r.data] == ["Café Société", "Eau & Vie"]
    assert len(p.valid_rows) == 2


def test_cp1252_curly_quotes_and_euro(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Name;Notes\nSøren Østergaard;“Budget” 5 €\n", "cp1252")
    p = preview(store, None, path)
    assert p.encoding == "cp1252"
    assert p.rows[0].data is not None
    assert p.rows[0].data.notes == "“Budget” 5 €"


def test_semicolon_wins_when_names_hold_commas(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Full name;Organisation\nAdébáyọ, Ọlá;Lagos Water, Ltd\n")
    p = preview(store, None, path)
    assert p.delimiter == ";"
    assert p.rows[0].data is not None
    assert p.rows[0].data.organisation == "Lagos Water, Ltd"


# --- mapping and values ---------------------------------------------------------------------
def test_synonyms_and_values(store: Store, community_id: int, tmp_path: Path) -> None:
    text = (
        "Member,E-mail address,Company,Country,Participation,Roles,Skills,Wants to learn,"
        "Consent,Joined,Time zone,Notes,Status,Role title,Favourite colour\n"
        'Łukasz Wiśniewski,LUKASZ@Example.ORG,Aqua,Poland,Core group,Expert | coordinator,'
        '"GIS; hydrogeology",tariffs,x,05/03/2021,Europe/Warsaw,"R&D <lead>\nsecond line",'
        "Left,Hydrologist,blue\n"
        "İlkay Yıldız,,,Türkiye,ACTIVE,outside_guest;Member,,,no,2022-11-30,,,,,\n"
    )
    path = write(tmp_path / "x.csv", text)
    p = preview(store, community_id, path)

    assert p.unmapped == ("Favourite colour",)
    assert p.mapping["Role title"] == "job_title"
    assert p.mapping["Country"] == "region"
    first, second = p.rows
    assert first.line == 2 and second.line == 4  # the note spans two lines
    assert first.data == MemberData(
        full_name="Łukasz Wiśniewski",
        email="LUKASZ@Example.ORG",
        organisation="Aqua",
        job_title="Hydrologist",
        region="Poland",
        time_zone="Europe/Warsaw",
        joined_on=dt.date(2021, 3, 5),
        level="core",
        roles=("expert", "coordinator"),
        expertise=("GIS", "hydrogeology"),
        interests=("tariffs",),
        consent=True,
        notes="R&D <lead>\nsecond line",
        status="left",
    )
    assert second.data is not None
    assert second.data.level == "active"
    assert second.data.roles == ("outside_guest", "member")
    assert second.data.consent is False
    assert second.data.joined_on == dt.date(2022, 11, 30)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("YES", True), ("true", True), ("1", True), ("x", True),
     ("no", False), ("False", False), ("0", False), ("", False)],
)
def test_consent_values(store: Store, tmp_path: Path, cell: str, expected: bool) -> None:
    path = write(tmp_path / "x.csv", f"Name,Consent\nAna,{cell}\n")
    row = preview(store, None, path).rows[0]
    assert row.valid and row.data is not None
    assert row.data.consent is expected


def test_first_and_last_name_columns(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "First name,Last name,Email\nNgũgĩ,Kamau,n@example.org\n")
    p = preview(store, None, path)
    assert p.rows[0].data is not None
    assert p.rows[0].data.full_name == "Ngũgĩ Kamau"


# --- invalid rows ------------------------------------------------------------------------------
def test_every_invalid_row_listed_with_line_and_reason(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    text = (
        "Name,Email,Level,Consent,Joined,Time zone,Roles,Status\n"
        "Good One,good@example.org,,,,,,\n"            # 2 valid
        ",nobody@example.org,,,,,,\n"                   # 3 no name
        "Bad Mail,not-an-email,,,,,,\n"                 # 4
        "Bad Level,,wizard,,,,,\n"                      # 5
        "Bad Consent,,,maybe,,,,\n"                     # 6
        "Future,,,,2030-01-01,,,\n"                     # 7
        "Bad Date,,,,31/02/2024,,,\n"                   # 8
        "Bad Zone,,,,,Mars/Olympus,,\n"                 # 9
        "Bad Role,,,,,,Wizard,\n"                       # 10
        "Bad Status,,,,,,,gone\n"                       # 11
        "Ragged,a@example.org\n"                        # 12 too few values
        "Too many,,,,,,,,extra\n"                       # 13 too many values
        "\n"                                            # 14 blank: skipped
        ",,,,,,,\n"                                     # 15 empty cells: skipped
        "Also Good,,Occasional,no,2024-01-01,Africa/Nairobi,Member,Active\n"  # 16
    )
    path = write(tmp_path / "x.csv", text)
    p = preview(store, community_id, path)

    invalid = {r.line: r.errors for r in p.invalid_rows}
    assert sorted(invalid) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert "Name: Full name is required" in invalid[3]
    assert invalid[4][0].startswith("Email: Not a valid email address")
    assert "wizard" in invalid[5][0] and "Core group" in invalid[5][0]
    assert invalid[6] == ("Consent: 'maybe' is not yes or no",)
    assert invalid[7] == ("Joined: Joined date is in the future",)
    assert "not a date" in invalid[8][0]
    assert "Mars/Olympus" in invalid[9][0]
    assert "Wizard" in invalid[10][0]
    assert "gone" in invalid[11][0]
    assert invalid[12] == ("has 2 values but the header has 8 columns",)
    assert invalid[13] == ("has 9 values but the header has 8 columns",)
    assert [r.line for r in p.valid_rows] == [2, 16]


def test_trailing_empty_cells_are_tolerated(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Name;Email\nAna;;;\n")
    p = preview(store, None, path)
    assert [r.line for r in p.valid_rows] == [2]


# --- duplicates -------------------------------------------------------------------------------
def test_duplicates_of_existing_members_and_within_file(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    store.run(
        members.add_member, community_id,
        MemberData(full_name="Søren Østergaard", email="soren@example.dk"),
    )
    store.run(members.add_member, community_id, MemberData(full_name="Eleni Papadaki"))
    text = (
        "Name,Email\n"
        "Someone Else,SOREN@example.dk\n"   # 2 same email as an existing member
        "ELENI  papadaki,\n"               # 3 same name (case folded) as an existing member
        "Ana Lima,ana@example.org\n"       # 4 new
        "Ana Lima,\n"                      # 5 same name as line 4
        "Other Ana,Ana@Example.org\n"      # 6 same email as line 4
        "Γιώργος Παπαδόπουλος,\n"          # 7 new
    )
    path = write(tmp_path / "x.csv", text)
    p = preview(store, community_id, path)

    by_line = {r.line: r for r in p.rows}
    assert by_line[2].duplicates[0].full_name == "Søren Østergaard"
    assert by_line[2].duplicates[0].reason == "email"
    assert by_line[3].duplicates[0].reason == "name"
    assert by_line[5].duplicate_in_file == 4
    assert by_line[6].duplicate_in_file == 4
    assert [r.line for r in p.valid_rows] == [4, 7]
    assert [r.line for r in p.duplicate_rows] == [2, 3, 5, 6]
    assert p.invalid_rows == ()

    ids = store.run(commit_import, community_id, p)
    assert len(ids) == 2
    with store.session() as s:
        names = sorted(r.full_name for r in members.list_members(s, community_id))
    assert names == ["Ana Lima", "Eleni Papadaki", "Søren Østergaard", "Γιώργος Παπαδόπουλος"]


def test_preview_writes_nothing(store: Store, store_path: Path, community_id: int,
                                tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Name\nAna\nBen\n")
    preview(store, community_id, path)
    with store.session() as s:
        assert members.list_members(s, community_id) == []


def test_commit_is_all_or_none(store: Store, community_id: int, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Name,Email\nAna,ana@example.org\nBen,ben@example.org\n")
    p = preview(store, community_id, path)
    # The roster changes after the preview: Ben is added by someone else.
    store.run(members.add_member, community_id,
              MemberData(full_name="Benedict", email="ben@example.org"))

    with pytest.raises(CsvError, match="line 3"):
        store.run(commit_import, community_id, p)

    with store.session() as s:
        assert [r.full_name for r in members.list_members(s, community_id)] == ["Benedict"]


def test_commit_rolls_back_on_validation_error(store: Store, community_id: int,
                                               tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Name,Joined\nAna,2024-01-01\nBen,2025-05-30\n")
    p = preview(store, community_id, path)
    assert len(p.valid_rows) == 2
    with pytest.raises(ValidationError):
        store.run(commit_import, community_id, p, today=dt.date(2025, 1, 1))
    with store.session() as s:
        assert members.list_members(s, community_id) == []


# --- unreadable files ---------------------------------------------------------------------------
def test_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="no such file"):
        preview(store, None, tmp_path / "nope.csv")


def test_folder(store: Store, tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="folder"):
        preview(store, None, tmp_path)


def test_binary_file(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)))
    with pytest.raises(CsvError, match="binary"):
        preview(store, None, path)


def test_utf16_file_explains_what_to_do(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("Name\tEmail\r\nAna\t\r\n".encode("utf-16"))
    with pytest.raises(CsvError, match="CSV UTF-8"):
        preview(store, None, path)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n  \n"])
def test_empty_file(store: Store, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(CsvError, match="is empty"):
        preview(store, None, path)


def test_no_name_column(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "Email,Company\na@example.org,Acme\n")
    with pytest.raises(CsvError, match=r"no column for the member's name.*'Email', 'Company'"):
        preview(store, None, path)


def test_header_only_gives_no_rows(store: Store, tmp_path: Path) -> None:
    p = preview(store, None, write(tmp_path / "x.csv", "Name,Email\n"))
    assert p.rows == ()


# --- export -------------------------------------------------------------------------------------
def _member(name: str, **kw: object) -> MemberData:
    return MemberData(full_name=name, **kw)  # type: ignore[arg-type]


def _fill(store: Store, cid: int) -> None:
    rows = [
        _member(
            "Zoë Dvořák", email="zoe@example.org", organisation="=HYPERLINK(\"x\")",
            job_title="+44 lead", region="Česko", time_zone="Europe/Prague",
            joined_on=dt.date(2023, 4, 5), level="core",
            roles=("coordinator", "expert"), expertise=("GIS", "chlorination"),
            interests=("tariff design",), consent=True,
            notes="R&D <lead>\n-- second line, with \"quotes\"", status="active",
        ),
        _member("@handle Person", email="", region="-", notes="'quoted already",
                level="transactional", roles=("outside_guest",), status="left"),
        _member("Ελένη Κωνσταντίνου", email="eleni@example.gr", level="active",
                roles=("sponsor", "member"), interests=("remote sensing", "GIS")),
        _member("Мария Георгиева", level="occasional", notes="\ttabbed note"),
        _member("İlkay Yıldız", level="peripheral", consent=False),
    ]
    for data in rows:
        store.run(members.add_member, cid, data, today=TODAY)


def test_export_is_excel_friendly_and_defused(store: Store, community_id: int,
                                              tmp_path: Path) -> None:
    _fill(store, community_id)
    out = outdir(tmp_path) / "roster.csv"
    with store.session() as s:
        assert export_csv(s, community_id, out) == 5

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert rows[0] == [h for h, _ in csvio.EXPORT_COLUMNS]
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    zoe = by_name["Zoë Dvořák"]
    assert zoe["Organisation"] == "'=HYPERLINK(\"x\")"
    assert zoe["Job title"] == "'+44 lead"
    assert zoe["Participation level"] == "Core group"
    assert zoe["Roles"] == "Coordinator/facilitator; Expert"
    assert zoe["Consent"] == "yes"
    assert zoe["Joined"] == "2023-04-05"
    assert zoe["Notes"] == "R&D <lead>\n-- second line, with \"quotes\""
    handle = by_name["'@handle Person"]
    assert handle["Region"] == "'-"
    assert handle["Status"] == "Left"
    assert handle["Notes"] == "''quoted already"
    # Nothing in any cell starts with a character a spreadsheet would run as a formula.
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [p.name for p in out.parent.iterdir()] == ["roster.csv"]


def test_round_trip_into_fresh_community(store: Store, community_id: int, tmp_path: Path) -> None:
    _fill(store, community_id)
    out = tmp_path / "roster.csv"
    with store.session() as s:
        export_csv(s, community_id, out)
    other = store.run(communities.create_community, "Fresh")

    p = preview(store, other, out)
    assert p.invalid_rows == () and p.duplicate_rows == ()
    assert p.unmapped == ()
    store.run(commit_import, other, p, today=TODAY)

    with store.session() as s:
        before = [r.to_data() for r in members.list_members(s, community_id)]
        after = [r.to_data() for r in members.list_members(s, other)]
    assert after == before
    assert len(after) == 5


def test_export_replaces_atomically_and_leaves_no_partial_file(
    store: Store, community_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(store, community_id)
    out = outdir(tmp_path) / "roster.csv"
    out.write_text("old contents", encoding="utf-8")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    # The shared atomic writer (copdesk.data.files) moves the finished file into place.
    monkeypatch.setattr(files.os, "replace", broken_replace)
    with store.session() as s, pytest.raises(CsvError, match=r"roster\.csv: the disk is full"):
        export_csv(s, community_id, out)
    assert out.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in out.parent.iterdir()] == ["roster.csv"]


def test_export_to_missing_folder(store: Store, community_id: int, tmp_path: Path) -> None:
    with store.session() as s, pytest.raises(CsvError, match="does not exist"):
        export_csv(s, community_id, tmp_path / "nope" / "roster.csv")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_export_to_read_only_folder(store: Store, community_id: int, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with store.session() as s, pytest.raises(CsvError, match="cannot write"):
            export_csv(s, community_id, folder / "roster.csv")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_export_leaves_out_erased_members(store: Store, community_id: int,
                                          tmp_path: Path) -> None:
    _fill(store, community_id)
    with store.session() as s:
        victim = members.list_members(s, community_id)[0].id
    store.run(members.erase_member, victim)
    out = tmp_path / "r.csv"
    with store.session() as s:
        assert export_csv(s, community_id, out) == 4
    assert "Erased member" not in out.read_text(encoding="utf-8-sig")
