"""The CSV import's fast paths give exactly what the straightforward ones give.

:func:`csvio.preview_import` reads each distinct cell of a column once, checks it with its
field's own rule from ``validate_member``, builds the rows column by column, and leaves
any row with a failing cell to the full per-row reading and checks. These tests hold it
to the straightforward reading (every row through ``_build`` and ``validate_member``, the
duplicate rules applied row by row) on random files with valid, invalid, defused,
duplicate, blank and ragged rows; and check the bulk insert's many-rows-per-statement
writes, the slot-level construction and the pause of the cycle collector.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gc
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from copdesk.data import csvio, members
from copdesk.data.csvio import CsvError, ImportPreview, ImportRow, preview_import
from copdesk.data.members import Duplicate, DuplicateIndex
from copdesk.data.store import Store
from copdesk.data.validation import FIELD_PROBLEMS, MemberData, email_key, name_key

TODAY = dt.date(2025, 6, 1)


# --- the straightforward reading, row by row -----------------------------------------------
def reference_rows(session: Session, cid: int, path: Path) -> tuple[ImportRow, ...]:
    """Every row read as the importer read rows before its fast path: one at a time,
    through ``_build`` and ``validate_member``, duplicates found row by row."""
    text, _ = csvio._read_text(path)
    records = iter(csvio._records(path, text, csvio._sniff_delimiter(text)))
    _, headers = next(records)
    headers = [h.strip() for h in headers]
    mapping, _ = csvio.map_headers(headers)
    plan = csvio._plan(headers, mapping)
    field_header = {f: h for h, f in mapping.items()}
    known = DuplicateIndex(session, cid)
    ncols = len(headers)
    rows: list[ImportRow] = []
    seen_emails: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for line, cells in records:
        if not "".join(cells).strip():
            continue
        if len(cells) < ncols or (len(cells) > ncols and any(c.strip() for c in cells[ncols:])):
            message = f"has {len(cells)} values but the header has {ncols} columns"
            rows.append(ImportRow(line, None, (message,)))
            continue
        data, errors = csvio._checked_row(cells, plan, TODAY, field_header)
        if data is None or errors:
            rows.append(ImportRow(line, data, tuple(errors)))
            continue
        ekey = email_key(data.email) if data.email else None
        nkey = name_key(data.full_name)
        dups: tuple[Duplicate, ...] = tuple(known.find(data))
        earlier = seen_emails.get(ekey) if ekey else None
        if earlier is None:
            earlier = seen_names.get(nkey)
        if earlier is None:
            if ekey:
                seen_emails[ekey] = line
            seen_names[nkey] = line
        rows.append(ImportRow(line, data, (), dups, earlier))
    return tuple(rows)


# --- random files --------------------------------------------------------------------------
HEADER_SETS = [
    [h for h, _ in csvio.EXPORT_COLUMNS],
    ["First name", "Last name", "E-mail", "Company", "Country", "Skills", "Joined", "Notes",
     "Other"],
    ["Name", "Level", "Roles", "Consent", "Status", "Time zone", "Interests"],
    ["Surname"],
]  # fmt: skip

#: Cells worth mixing: valid and invalid values of every field, defused formulas, blanks.
POOL = [
    "", " ", "Ana Lima", "  ana   lima ", "ANA LIMA", "Ben", "Zoë Ñandú", "x" * 201,
    "An\x01a", "ana@example.org", "ANA@Example.org", " ben@example.org ", "not-an-email",
    "a@b", "Aqua Utility", "Kenya", "Europe/Paris", "UTC", "Mars/Olympus", "2024-01-31",
    "31/01/2024", "2099-01-01", "1850-05-05", "31/02/2024", "soon", "Core", "core group member",
    "Active", "Occasional", "peripheral", "wizard", "Member; Expert", "coordinator,guest",
    "sorcerer", "yes", "no", "Y", "maybe", "Left", "former", "gone", "GIS; tariffs",
    "GIS, gis, GIS", ";".join(f"t{i}" for i in range(51)), "y" * 101, "'=1+1", "'-5",
    "''quoted", "'@x", "=SUM(A1)", "line\nbreak", "tab\there",
]  # fmt: skip
CELL = st.one_of(
    st.sampled_from(POOL),
    st.text(st.sampled_from("ab Ç'=+-;,@.\t\n\r\u00a0é"), max_size=10),
)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    headers = draw(st.sampled_from(HEADER_SETS))
    n = len(headers)
    row = st.one_of(
        st.lists(CELL, min_size=n, max_size=n),  # mostly regular rows
        st.lists(CELL, min_size=n, max_size=n),
        st.lists(CELL, min_size=n, max_size=n),
        st.lists(CELL, min_size=max(0, n - 1), max_size=n + 1),  # ragged, blank
    )
    return headers, draw(st.lists(row, max_size=12))


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, int]]:
    """A store whose community already holds members that rows may double."""
    from copdesk.data import communities

    store = Store.open(tmp_path_factory.mktemp("fast") / "store.sqlite")
    cid = store.run(communities.create_community, "Water CoP")
    for data in (MemberData("Ana Lima", email="ana@example.org"), MemberData("Ben")):
        store.run(members.add_member, cid, data)
    yield store, cid
    store.close()


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([headers, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(files())
def test_preview_rows_equal_the_straightforward_reading(
    roster: tuple[Store, int], tmp_path: Path, case: tuple[list[str], list[list[str]]]
) -> None:
    store, cid = roster
    path = write_csv(tmp_path / "x.csv", *case)
    with store.session() as s:
        expected = reference_rows(s, cid, path)
        preview = preview_import(s, cid, path, today=TODAY)
    assert preview.rows == expected
    for got, want in zip(preview.rows, expected, strict=True):
        assert type(got.data) is type(want.data)
        if got.data is not None and want.data is not None:  # every field, extra too
            assert got.data.extra == {}
            assert dataclasses.astuple(got.data) == dataclasses.astuple(want.data)
    assert preview.checked == tuple(r.data for r in preview.valid_rows)


def test_a_large_file_with_some_bad_rows_reads_as_row_by_row(
    roster: tuple[Store, int], tmp_path: Path
) -> None:
    """Thousands of rows (the caches at work, repeated and unique cells), bad ones spread."""
    store, cid = roster
    headers = [h for h, _ in csvio.EXPORT_COLUMNS]
    rows = []
    for n in range(3000):
        rows.append([
            f"Person {n % 1700}", f"p{n}@example.org" if n % 7 else "",
            ("Aqua", "Rivers Trust", "")[n % 3], "Engineer", ("Kenya", "Peru")[n % 2],
            ("Europe/Paris", "UTC", "Mars/Base" if n % 301 == 0 else "")[n % 3],
            f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 211 else "2099-01-01",
            ("Core", "Active", "Occasional", "Peripheral")[n % 4],
            "Member; Expert" if n % 5 else "Member", f"GIS; topic {n % 40}",
            "tariffs" if n % 2 else "", ("yes", "no")[n % 2],
            "Active" if n % 97 else "gone", "'=not a formula" if n % 13 == 0 else "",
        ])  # fmt: skip
    path = write_csv(tmp_path / "big.csv", headers, rows)
    with store.session() as s:
        expected = reference_rows(s, cid, path)
        preview = preview_import(s, cid, path, today=TODAY)
    assert preview.rows == expected
    assert preview.invalid_rows and preview.duplicate_rows and preview.valid_rows


# --- the parts ---------------------------------------------------------------------------
def test_the_classes_built_slot_by_slot_set_nothing_but_their_fields() -> None:
    for cls in (MemberData, ImportRow):
        assert not hasattr(cls, "__post_init__")
        assert "__slots__" in vars(cls)
    columns = [["Ana", "Ben"], ["a@example.org", ""], *([v, v] for v in csvio._DEFAULTS[2:])]
    made = csvio._new_many(MemberData, [*columns, [{}, {}]], 2)
    assert made == [MemberData("Ana", "a@example.org"), MemberData("Ben")]
    assert [dataclasses.astuple(m) for m in made] == [
        dataclasses.astuple(MemberData("Ana", "a@example.org")),
        dataclasses.astuple(MemberData("Ben")),
    ]
    rows = csvio._new_many(ImportRow, [[2], [made[0]], [()], [()], [None]], 1)
    assert rows == [ImportRow(2, made[0])] and rows[0].valid
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].full_name = "Changed"  # type: ignore[misc]


def test_every_field_validate_member_checks_has_its_own_check() -> None:
    checked = {f.name for f in dataclasses.fields(MemberData)} - {"consent", "extra"}
    assert set(FIELD_PROBLEMS) == checked


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 20_000])
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r", "\u2028", ""])
def test_first_line_is_that_of_splitlines(size: int, end: str) -> None:
    text = "h" * size + end + "second line\nthird"
    assert csvio._first_line(text) == text.splitlines()[0]


def test_collector_comes_back_on_after_a_preview_even_a_failing_one(
    roster: tuple[Store, int], tmp_path: Path
) -> None:
    store, cid = roster
    path = write_csv(tmp_path / "ok.csv", ["Name"], [["Ana"]])
    assert gc.isenabled()
    with store.session() as s:
        preview_import(s, cid, path, today=TODAY)
        assert gc.isenabled()
        with pytest.raises(CsvError):
            preview_import(s, cid, tmp_path / "missing.csv", today=TODAY)
        assert gc.isenabled()
        gc.disable()
        try:  # a program that turned it off keeps it off
            preview_import(s, cid, path, today=TODAY)
            assert not gc.isenabled()
        finally:
            gc.enable()


# --- many rows per insert statement ------------------------------------------------------------
def test_bulk_add_across_many_insert_statements_keeps_every_row_with_its_id(
    store: Store, community_id: int
) -> None:
    """More members (18 columns: 55 a statement), tags and roles than one statement holds."""
    rows = [
        MemberData(
            full_name=f"Member {n:03d}", email=f"m{n}@example.org" if n % 3 else "",
            joined_on=dt.date(2020, 1, 1) + dt.timedelta(days=n),
            level=("core", "active", "occasional", "peripheral")[n % 4],
            roles=("coordinator", "expert") if n % 5 == 0 else ("member",),
            expertise=tuple(f"skill {k}" for k in range(n % 4)),
            interests=("tariffs",) if n % 2 else (), consent=n % 2 == 0, notes=f"n{n}",
        )
        for n in range(260)
    ]  # fmt: skip
    ids = store.run(members.add_members, community_id, rows, today=TODAY)
    assert len(set(ids)) == 260
    with store.session() as s:
        got = {r.id: r for r in members.list_members(s, community_id)}
        assert [got[i].to_data() for i in ids] == rows
        assert members.level_history(s, ids[-1]) == [(rows[-1].joined_on, rows[-1].level)]


def test_imported_rows_equal_those_the_preview_read(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    headers = [h for h, _ in csvio.EXPORT_COLUMNS]
    rows = [[f"Name {n}", f"n{n}@Example.org", "Aqua", "", "Kenya", "UTC", "2024-02-02",
             "Core", "Expert; Member", f"GIS; t{n % 9}", "", "yes", "Active", ""]
            for n in range(300)]  # fmt: skip
    path = write_csv(tmp_path / "x.csv", headers, rows)
    with store.session() as s:
        preview: ImportPreview = preview_import(s, community_id, path, today=TODAY)
    ids = store.run(csvio.commit_import, community_id, preview, today=TODAY)
    with store.session() as s:
        got = {r.id: r.to_data() for r in members.list_members(s, community_id)}
    want = [
        dataclasses.replace(r.data, email=r.data.email.replace("Example.org", "example.org"))
        for r in preview.valid_rows
        if r.data is not None
    ]
    assert [got[i] for i in ids] == want
