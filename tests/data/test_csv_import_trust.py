"""CSV import at scale: a commit trusts only what its own preview checked, today.

The commit skips validating again rows that :func:`csvio.preview_import` itself cleaned and
validated as of the same day (the import's slowest part, done twice). These tests pin the
limits of that trust on a real SQLite store: another day, rows put into a preview by hand,
and the roster changing meanwhile all get the full checks; and the rows are built exactly
as ``MemberData(...).cleaned()`` would have built them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copdesk.data import communities, csvio, members
from copdesk.data.csvio import CsvError, ImportRow, commit_import, preview_import
from copdesk.data.store import Store
from copdesk.data.validation import MemberData, ValidationError, validate_member

TODAY = dt.date(2025, 6, 1)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def preview(store: Store, cid: int | None, path: Path) -> csvio.ImportPreview:
    with store.session() as s:
        return preview_import(s, cid, path, today=TODAY)


def names(store: Store, cid: int) -> list[str]:
    with store.session() as s:
        return [r.full_name for r in members.list_members(s, cid)]


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[MemberData]:
    """Every member data the member commands validate, in order."""
    seen: list[MemberData] = []

    def counting(data: MemberData, *, today: dt.date | None = None) -> dict[str, str]:
        seen.append(data)
        return validate_member(data, today=today)

    monkeypatch.setattr(members, "validate_member", counting)
    return seen


def test_commit_on_the_preview_day_does_not_validate_again(
    store: Store, community_id: int, tmp_path: Path, validations: list[MemberData]
) -> None:
    path = write(tmp_path / "x.csv", "Name,Email,Joined\nAna,ana@example.org,2024-01-01\n"
                                     "Ben,,2025-05-30\n")  # fmt: skip
    p = preview(store, community_id, path)
    assert p.checked_on == TODAY
    assert len(p.checked) == 2

    ids = store.run(commit_import, community_id, p, today=TODAY)

    assert validations == []
    assert len(ids) == 2
    assert names(store, community_id) == ["Ana", "Ben"]


def test_commit_on_another_day_validates_every_row_again(
    store: Store, community_id: int, tmp_path: Path, validations: list[MemberData]
) -> None:
    path = write(tmp_path / "x.csv", "Name,Joined\nAna,2024-01-01\nBen,2025-05-30\n")
    p = preview(store, community_id, path)

    # The day before the preview's day, Ben's joining date is in the future.
    with pytest.raises(ValidationError, match="Joined date is in the future"):
        store.run(commit_import, community_id, p, today=dt.date(2025, 5, 29))
    assert names(store, community_id) == []
    assert [d.full_name for d in validations] == ["Ana", "Ben"]

    validations.clear()
    assert len(store.run(commit_import, community_id, p, today=dt.date(2025, 6, 2))) == 2
    assert [d.full_name for d in validations] == ["Ana", "Ben"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (MemberData(full_name="Ana", email="not-an-email"), "Not a valid email address"),
        (MemberData(full_name="Ana", joined_on=dt.date(2030, 1, 1)), "in the future"),
        (MemberData(full_name="An\x01a"), "control characters"),
        (MemberData(full_name="Ana", level="wizard"), "Unknown participation level"),
    ],
    ids=["email", "future", "control", "level"],
)
def test_rows_put_into_a_preview_by_hand_are_validated(
    store: Store, community_id: int, tmp_path: Path, data: MemberData, message: str
) -> None:
    p = preview(store, community_id, write(tmp_path / "x.csv", "Name\nBen\n"))
    forged = dataclasses.replace(p, rows=(*p.rows, ImportRow(3, data)))
    assert forged.checked == p.checked  # the preview's record came along, yet ...

    with pytest.raises(ValidationError, match=message):
        store.run(commit_import, community_id, forged, today=TODAY)
    assert names(store, community_id) == []


def test_an_equal_row_that_is_not_the_checked_one_is_cleaned_and_checked(
    store: Store, community_id: int, tmp_path: Path, validations: list[MemberData]
) -> None:
    p = preview(store, community_id, write(tmp_path / "x.csv", "Name\nAna Lima\n"))
    (row,) = p.rows
    # Same member, typed untidily, in a new object: not trusted, so cleaned and checked.
    untidy = ImportRow(row.line, dataclasses.replace(row.data or MemberData(""),
                                                     full_name="  Ana   Lima "))
    forged = dataclasses.replace(p, rows=(untidy,))

    store.run(commit_import, community_id, forged, today=TODAY)

    assert [d.full_name for d in validations] == ["Ana Lima"]
    assert names(store, community_id) == ["Ana Lima"]


def test_trusted_commit_still_refuses_what_changed_in_the_roster(
    store: Store, community_id: int, tmp_path: Path
) -> None:
    p = preview(store, community_id, write(
        tmp_path / "x.csv", "Name,Email\nAna,ana@example.org\nBen,BEN@example.org\n"
    ))
    store.run(members.add_member, community_id,
              MemberData(full_name="Benedict", email="ben@example.org"))  # fmt: skip

    with pytest.raises(CsvError, match="line 3: Ben now doubles Benedict"):
        store.run(commit_import, community_id, p, today=TODAY)
    assert names(store, community_id) == ["Benedict"]


def test_prechecked_members_still_may_not_take_an_email_in_use(
    store: Store, community_id: int
) -> None:
    store.run(members.add_member, community_id,
              MemberData(full_name="Ana", email="ana@example.org"))  # fmt: skip
    rows = [MemberData(full_name="Ben"), MemberData(full_name="Anna", email="ANA@example.org")]
    with pytest.raises(ValidationError, match="Ana already uses this email"):
        store.run(members.add_members, community_id, rows, prechecked=True)
    # Two rows of one batch with the same email: the second is refused too.
    rows = [MemberData(full_name="Cy", email="cy@example.org"),
            MemberData(full_name="Cyrus", email="cy@example.org")]  # fmt: skip
    with pytest.raises(ValidationError, match="Cy already uses this email"):
        store.run(members.add_members, community_id, rows, prechecked=True)
    assert names(store, community_id) == ["Ana"]


# --- the bulk insert --------------------------------------------------------------------
def test_bulk_add_returns_ids_in_the_order_given_and_stores_every_value(
    store: Store, community_id: int
) -> None:
    # A gap in the ids (a deleted member) and rows in a non-alphabetical order.
    first = store.run(members.add_member, community_id, MemberData(full_name="Zed"))
    store.run(members.delete_member, first)
    other = store.run(communities.create_community, "Other")
    store.run(members.add_member, other, MemberData(full_name="Elsewhere"))
    rows = [
        MemberData(
            full_name=f"Member {n:02d}", email=f"m{n}@Example.ORG" if n % 2 else "",
            organisation="Aqua", joined_on=dt.date(2020, 1, 1) + dt.timedelta(days=n),
            level=("core", "active", "occasional", "peripheral")[n % 4],
            roles=("coordinator", "expert") if n % 3 == 0 else ("member",),
            expertise=("GIS", f"topic {n}"), interests=() if n % 2 else ("tariffs",),
            consent=n % 2 == 0, notes=f"note {n}", status="left" if n == 7 else "active",
        )
        for n in (30, 2, 17, 7, 11, 25, 3)
    ]
    ids = store.run(members.add_members, community_id, rows, today=TODAY)

    assert len(set(ids)) == len(rows) and first not in ids
    with store.session() as s:
        for mid, data in zip(ids, rows, strict=True):
            row = members.get_member(s, mid)
            assert row.community_id == community_id
            expected = data.cleaned()
            expected = dataclasses.replace(expected, email=expected.email.replace(
                "Example.ORG", "example.org"))  # the domain is stored in lower case
            assert row.to_data() == expected
            assert members.level_history(s, mid) == [(data.joined_on, data.level)]


def test_bulk_add_of_nothing_adds_nothing(store: Store, community_id: int) -> None:
    assert store.run(members.add_members, community_id, []) == []
    assert names(store, community_id) == []


# --- rows are built as MemberData(...).cleaned() would build them -------------------------
def _reference_row(headers: list[str], cells: list[str]) -> MemberData:
    """What the importer built before it built rows clean directly: raw values, then
    ``MemberData(...).cleaned()``."""
    mapping, _ = csvio.map_headers(headers)
    values: dict[str, object] = {}
    first = last = ""
    for header, raw in zip(headers, cells, strict=False):
        fname = mapping.get(header)
        if fname is None:
            continue
        cell = csvio.undefuse(raw)
        if fname == csvio.FIRST_NAME:
            first = cell
        elif fname == csvio.LAST_NAME:
            last = cell
        elif (parse := csvio._PARSERS.get(fname)) is None:
            values[fname] = cell
        else:
            with contextlib.suppress(ValueError):  # the field keeps its default
                values[fname] = parse(cell)
    if "full_name" not in values:
        values["full_name"] = " ".join(p for p in (first.strip(), last.strip()) if p)
    return MemberData(**values).cleaned()  # type: ignore[arg-type]


CELL = st.text(st.sampled_from("ab Ç'=+-;,\t\n\r\u00a0\u2003\x01\ud800é"), max_size=12)
HEADER_SETS = [
    [h for h, _ in csvio.EXPORT_COLUMNS],
    ["First name", "Last name", "E-mail", "Company", "Country", "Skills", "Notes", "Other"],
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(HEADER_SETS).flatmap(
    lambda hs: st.tuples(st.just(hs), st.lists(CELL, min_size=len(hs), max_size=len(hs)))
))  # fmt: skip
def test_rows_are_built_exactly_as_cleaned_data(case: tuple[list[str], list[str]]) -> None:
    headers, cells = case
    mapping, _ = csvio.map_headers(headers)
    data, _ = csvio._build(cells, csvio._plan(headers, mapping))
    assert data == _reference_row(headers, cells)
    assert data is not None and data.cleaned() == data
