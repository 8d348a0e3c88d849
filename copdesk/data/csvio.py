"""CSV import (with a preview) and export of the roster.

CONTRACT: the UI's import dialog and the CLI both use exactly this.

Import is two steps. :func:`preview_import` reads and checks a file without writing
anything: it detects the encoding (UTF-8 with or without a byte-order mark, else Excel's
legacy Windows encoding cp1252) and the separator (comma or semicolon), maps the columns
by their headers (with common synonyms), and checks every row, reporting invalid rows with
their line number and reason and likely duplicates (of existing members and within the
file). :func:`commit_import` then adds every valid, non-duplicate row in the caller's
transaction: all of them or none.

:func:`export_csv` writes the roster for Excel (UTF-8 with a byte-order mark), with the
headers the importer maps back, cells that a spreadsheet would run as a formula defused
with a leading ``'``, and the file replaced atomically.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import operator
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, dataclass, field
from dataclasses import fields as dataclass_fields
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.bulk import collector_paused
from copdesk.data.files import WriteError, atomic_output
from copdesk.data.members import Duplicate
from copdesk.data.validation import (
    FIELD_PROBLEMS,
    MemberData,
    clean_line,
    email_key,
    name_key,
    split_tags,
    validate_member,
)
from copdesk.framework import LEVEL_TERMS, MemberStatus, Role, level_label, role_label


class CsvError(ValueError):
    """The file cannot be read as a roster CSV at all; the message is for the user."""


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int  # line number in the file (the header is line 1)
    data: MemberData | None  # None when the row could not be parsed at all
    errors: tuple[str, ...] = ()  # why the row is invalid ("email: not a valid ...")
    duplicates: tuple[Duplicate, ...] = ()  # existing members it likely doubles
    duplicate_in_file: int | None = None  # line of an earlier row in the file it doubles

    @property
    def valid(self) -> bool:
        return self.data is not None and not self.errors


@dataclass(frozen=True)
class ImportPreview:
    path: Path
    encoding: str  # "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str  # "," or ";"
    mapping: dict[str, str]  # CSV header -> member field name
    unmapped: tuple[str, ...]  # headers that map to nothing (ignored)
    rows: tuple[ImportRow, ...] = field(default=())
    #: The day the rows were checked as of ("joined in the future" depends on it).
    checked_on: dt.date | None = None
    #: The member data the preview itself cleaned and validated, in the order of
    #: ``valid_rows``: a commit on the same day trusts exactly these objects (by identity)
    #: instead of validating them again. Rows put into a preview any other way are checked.
    checked: tuple[MemberData, ...] = field(default=(), repr=False, compare=False)

    @functools.cached_property
    def valid_rows(self) -> tuple[ImportRow, ...]:
        return tuple(
            r for r in self.rows
            if r.valid and not r.duplicates and r.duplicate_in_file is None
        )

    @property
    def invalid_rows(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if not r.valid)

    @property
    def duplicate_rows(self) -> tuple[ImportRow, ...]:
        return tuple(
            r for r in self.rows
            if r.valid and (r.duplicates or r.duplicate_in_file is not None)
        )


# --- columns ------------------------------------------------------------------------------
#: What the exporter writes, in order: (header, MemberData field). The importer maps every
#: one of these headers back to its field, so an exported file imports unchanged.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Full name", "full_name"),
    ("Email", "email"),
    ("Organisation", "organisation"),
    ("Job title", "job_title"),
    ("Region", "region"),
    ("Time zone", "time_zone"),
    ("Joined", "joined_on"),
    ("Participation level", "level"),
    ("Roles", "roles"),
    ("Expertise", "expertise"),
    ("Interests", "interests"),
    ("Consent", "consent"),
    ("Status", "status"),
    ("Notes", "notes"),
)

#: Pseudo fields joined into ``full_name`` when a file has no single name column.
FIRST_NAME = "first_name"
LAST_NAME = "last_name"

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "full name", "name", "member", "member name", "fullname", "participant",
        "person", "display name", "nom", "nombre", "nome",
    ),
    FIRST_NAME: ("first name", "given name", "forename", "firstname", "prenom"),
    LAST_NAME: ("last name", "surname", "family name", "lastname"),
    "email": (
        "email", "e-mail", "email address", "e-mail address", "mail", "emails",
        "courriel", "correo",
    ),
    "organisation": (
        "organisation", "organization", "company", "org", "employer", "institution",
        "agency", "affiliation",
    ),
    "job_title": ("job title", "title", "role title", "position", "job", "function"),
    "region": ("region", "country", "location", "country/region", "country or region"),
    "time_zone": ("time zone", "timezone", "tz"),
    "joined_on": ("joined", "joined on", "join date", "date joined", "member since", "since"),
    "level": (
        "level", "participation", "participation level", "engagement",
        "engagement level",
    ),
    "roles": ("roles", "role", "cop role", "cop roles"),
    "expertise": ("expertise", "skills", "knows", "skill", "what they know", "expert in"),
    "interests": (
        "interests", "interest", "wants to learn", "learning interests", "wants",
        "what they want to learn", "learning goals",
    ),
    "consent": (
        "consent", "consents", "consent to reports", "consent to host reports",
        "share with host", "consented",
    ),
    "status": ("status", "member status", "state"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
}  # fmt: skip


def _header_key(header: str) -> str:
    """A header folded for matching: case, accents, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKD", header).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", text)


_HEADER_FIELDS: dict[str, str] = {
    _header_key(s): fname for fname, synonyms in _SYNONYMS.items() for s in synonyms
}
for _header, _fname in EXPORT_COLUMNS:
    _HEADER_FIELDS.setdefault(_header_key(_header), _fname)
_HEADER_FIELDS.update({_header_key(f): f for f in _SYNONYMS})

#: How each field is called in messages when the file's own header is unknown.
_FIELD_LABELS = {f: h for h, f in EXPORT_COLUMNS}


def map_headers(headers: Sequence[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Map a file's headers to member fields; the first header for a field wins."""
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    taken: set[str] = set()
    for header in headers:
        fname = _HEADER_FIELDS.get(_header_key(header))
        if fname is None or fname in taken:
            unmapped.append(header)
        else:
            mapping[header] = fname
            taken.add(fname)
    return mapping, tuple(unmapped)


# --- values -----------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TRUE = {"yes", "y", "true", "t", "1", "x", "oui", "si", "ja"}
_FALSE = {"no", "n", "false", "f", "0", "non", "nein", ""}
_ROLE_SPLIT = re.compile(r"[;|,\n]")


_WORD_SPLIT = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=4_096)
def _word_key(text: str) -> str:
    return " ".join(_WORD_SPLIT.split(text.strip().casefold())).strip()


_LEVELS: dict[str, str] = {}
for _key, _term in LEVEL_TERMS.items():
    _LEVELS[_word_key(_key)] = _key
    _LEVELS[_word_key(_term.label)] = _key
_LEVELS[_word_key("core group member")] = "core"

_ROLES: dict[str, str] = {}
for _role in Role:
    _ROLES[_word_key(_role.value)] = _role.value
    _ROLES[_word_key(_role.label)] = _role.value
    for _part in _role.label.split("/"):
        _ROLES.setdefault(_word_key(_part), _role.value)
_ROLES.update({
    "guest": Role.OUTSIDE_GUEST.value,
    "outsider": Role.OUTSIDE_GUEST.value,
    "core": Role.CORE_MEMBER.value,
    "core group": Role.CORE_MEMBER.value,
    "moderator": Role.COORDINATOR.value,
})

_STATUSES: dict[str, str] = {}
for _status in MemberStatus:
    _STATUSES[_word_key(_status.value)] = _status.value
    _STATUSES[_word_key(_status.label)] = _status.value
_STATUS_LABELS = {s.value: s.label for s in MemberStatus}
_STATUSES.update({"": MemberStatus.ACTIVE.value, "former": MemberStatus.LEFT.value})


def undefuse(value: str) -> str:
    """Undo :func:`defuse`: drop the quote it put before a formula-like cell."""
    if len(value) > 1 and value[0] == "'" and value[1] in ("'", *_FORMULA_START):
        return value[1:]
    return value


def defuse(value: str) -> str:
    """Make a cell safe for spreadsheets: never start it with = + - @, a tab or CR.

    A cell already starting with a quote gets one more, so that :func:`undefuse`
    gives back exactly what was exported.
    """
    if value.startswith((*_FORMULA_START, "'")):
        return "'" + value
    return value


@functools.lru_cache(maxsize=4_096)
def _parse_level(text: str) -> str:
    key = _word_key(text)
    if not key:
        return "peripheral"
    try:
        return _LEVELS[key]
    except KeyError:
        known = ", ".join(t.label for t in LEVEL_TERMS.values())
        raise ValueError(f"unknown participation level {text.strip()!r} (use {known})") from None


@functools.lru_cache(maxsize=4_096)
def _parse_roles(text: str) -> tuple[str, ...]:
    parts = [p for p in _ROLE_SPLIT.split(text) if p.strip()]
    if not parts:
        return (Role.MEMBER.value,)
    roles: list[str] = []
    for part in parts:
        role = _ROLES.get(_word_key(part))
        if role is None:
            known = ", ".join(r.label for r in Role)
            raise ValueError(f"unknown role {part.strip()!r} (use {known})")
        if role not in roles:
            roles.append(role)
    return tuple(roles)


@functools.lru_cache(maxsize=256)
def _parse_consent(text: str) -> bool:
    key = text.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{text.strip()!r} is not yes or no")


_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


@functools.lru_cache(maxsize=4_096)
def _parse_date(text: str) -> dt.date | None:
    value = text.strip()
    if not value:
        return None
    for candidate in (value, value[:10]):
        try:
            return dt.date.fromisoformat(candidate)
        except ValueError:
            pass
    match = _DMY.fullmatch(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


@functools.lru_cache(maxsize=4_096)
def _parse_status(text: str) -> str:
    try:
        return _STATUSES[_word_key(text)]
    except KeyError:
        raise ValueError(f"unknown status {text.strip()!r} (use Active or Left)") from None


_PARSERS: dict[str, Callable[[str], object]] = {
    "level": _parse_level,
    "roles": _parse_roles,
    "consent": _parse_consent,
    "joined_on": _parse_date,
    "status": _parse_status,
    # Cells repeat across a roster (levels, roles, dates, tag lists): parse each once.
    "expertise": functools.lru_cache(maxsize=16_384)(split_tags),
    "interests": functools.lru_cache(maxsize=16_384)(split_tags),
}


# --- reading ------------------------------------------------------------------------------
def _read_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CsvError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvError(f"{path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CsvError(
            f"{path} is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' instead"
        )
    if b"\x00" in raw[:8192]:
        raise CsvError(f"{path} is not a CSV file (it looks like a binary file)")
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise CsvError(
            f"{path} is neither UTF-8 nor Windows (cp1252) text; save it as 'CSV UTF-8'"
        ) from None
    if not text or text.isspace():  # (not text.strip(): no copy of a large file)
        raise CsvError(f"{path} is empty")
    return text, encoding


def _sniff_delimiter(text: str) -> str:
    """Comma or semicolon: whichever splits the header line into more columns."""
    first = _first_line(text.lstrip("\r\n"))
    counts = {}
    for delim in (",", ";"):
        try:
            counts[delim] = len(next(csv.reader([first], delimiter=delim)))
        except (csv.Error, StopIteration):
            counts[delim] = 0
    return ";" if counts[";"] > counts[","] else ","


def _first_line(text: str) -> str:
    """``text.splitlines()[0]``, without splitting the whole file into lines."""
    size = 4096
    while True:
        lines = text[:size].splitlines()
        if len(lines) > 1 or size >= len(text):
            return lines[0]
        size *= 4


def _records(path: Path, text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """(first line number, cells) for every record; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvError(f"{path}, line {start}: cannot be read as CSV ({exc})") from None


#: How a plain text cell is cleaned: exactly what :meth:`MemberData.cleaned` does to it, so
#: that rows are built clean once (not built, then copied clean).
_CLEANERS: dict[str, Callable[[str], str]] = {
    "full_name": clean_line,
    "organisation": clean_line,
    "job_title": clean_line,
    "region": clean_line,
    "email": str.strip,
    "time_zone": str.strip,
    "notes": str.strip,
}


@dataclass(frozen=True)
class _Plan:
    """How to read the mapped columns of one file, worked out once per file."""

    #: (index in the row, field, cleaner) of plain text columns: reading them cannot fail.
    texts: tuple[tuple[int, str, Callable[[str], str]], ...]
    #: (index, header, field, parser) of columns whose parser may refuse the cell.
    parsed: tuple[tuple[int, str, str, Callable[[str], object]], ...]
    first: int | None  # index of a first-name column (joined into the full name)
    last: int | None  # index of a last-name column

    @property
    def name_from_parts(self) -> bool:
        """No name column: the full name is joined from the first and last names."""
        return all(fname != "full_name" for _, fname, _ in self.texts)


def _plan(headers: list[str], mapping: dict[str, str]) -> _Plan:
    texts: list[tuple[int, str, Callable[[str], str]]] = []
    parsed: list[tuple[int, str, str, Callable[[str], object]]] = []
    first = last = None
    # Organisations, regions, titles repeat down a roster: clean each distinct cell once
    # (for this file only).
    clean = functools.cache(clean_line)
    for index, header in enumerate(headers):
        fname = mapping.get(header)
        if fname is None:
            continue
        if fname == FIRST_NAME:
            first = index
        elif fname == LAST_NAME:
            last = index
        elif (parser := _PARSERS.get(fname)) is not None:
            parsed.append((index, header, fname, parser))
        else:
            cleaner = _CLEANERS[fname]
            texts.append((index, fname, clean if cleaner is clean_line else cleaner))
    return _Plan(tuple(texts), tuple(parsed), first, last)


def _cell(cells: list[str], index: int | None) -> str:
    if index is None:
        return ""
    cell = cells[index]
    return undefuse(cell) if cell[:1] == "'" else cell


def _build(cells: list[str], plan: _Plan) -> tuple[MemberData | None, list[str]]:
    """The row's member data, already cleaned (as ``MemberData(...).cleaned()`` would be),
    and the reasons why cells could not be read."""
    values: dict[str, object] = {
        fname: clean(undefuse(cell) if (cell := cells[index])[:1] == "'" else cell)
        for index, fname, clean in plan.texts
    }
    errors: list[str] = []
    for index, header, fname, parse in plan.parsed:
        cell = cells[index]
        try:
            values[fname] = parse(undefuse(cell) if cell[:1] == "'" else cell)
        except ValueError as exc:
            errors.append(f"{header}: {exc}")
    if "full_name" not in values:
        first, last = _cell(cells, plan.first).strip(), _cell(cells, plan.last).strip()
        values["full_name"] = clean_line(" ".join(p for p in (first, last) if p))
    try:
        data = MemberData(**values)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:  # pragma: no cover - guarded by the mapping
        return None, [str(exc)]
    return data, errors


#: A cell that needs the full check (it cannot be read, or its field's check finds a
#: problem): the fast reader leaves such a row to :func:`_checked_row`.
_BAD = object()
#: MemberData's fields in the order of its positional arguments, and their defaults.
_DATA_FIELDS = tuple(f for f in dataclass_fields(MemberData) if f.name != "extra")
_POSITION = {f.name: i for i, f in enumerate(_DATA_FIELDS)}
_DEFAULTS: list[Any] = [f.default if f.default is not MISSING else "" for f in _DATA_FIELDS]

_T = TypeVar("_T")


def _new_many(cls: type[_T], columns: Sequence[Iterable[Any]], n: int) -> list[_T]:
    """``[cls(*args) for args in zip(*columns)]`` (``n`` of them) for a frozen dataclass
    with slots whose ``__init__`` only sets its fields (a test checks that for the classes
    built here).

    The objects are made empty, then each field is set column by column through its slot,
    all by C code. The frozen ``__init__`` sets every field through ``object.__setattr__``,
    which takes ten times as long: for a large roster, the better part of reading it.
    """
    made: list[_T] = list(map(object.__new__, repeat(cls, n)))
    for f, column in zip(dataclass_fields(cls), columns, strict=True):  # type: ignore[arg-type]
        deque(map(getattr(cls, f.name).__set__, made, column), maxlen=0)
    return made


class _Seen(dict[str, Any]):
    """Distinct texts -> ``read(text)``, each read on first sight."""

    __slots__ = ("read",)

    def __init__(self, read: Callable[[str], Any]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, cell: str) -> Any:
        value = self[cell] = self.read(cell)
        return value


class _Column(dict[str, Any]):
    """One column's distinct cells -> clean value as :func:`_build` makes it, each read on
    first sight; _BAD when reading it fails or the field's own check in
    :func:`validate_member` (as of ``today``) finds a problem."""

    __slots__ = ("problem_of", "read", "refused", "today")

    def __init__(self, fname: str, read: Callable[[str], object], today: dt.date) -> None:
        super().__init__()
        self.read = read
        self.problem_of = FIELD_PROBLEMS.get(fname)
        self.today = today
        self.refused = False  # whether any cell gave _BAD

    def __missing__(self, cell: str) -> Any:
        try:
            value = self.read(undefuse(cell) if cell[:1] == "'" else cell)
        except ValueError:
            value = _BAD
        else:
            if self.problem_of is not None and self.problem_of(value, self.today) is not None:
                value = _BAD
        if value is _BAD:
            self.refused = True
        self[cell] = value
        return value


@dataclass(frozen=True)
class _FastPlan:
    """How the fast reader reads one file's rows, worked out once per file.

    Every distinct cell of a column is read and checked once (organisations, levels,
    dates, tag lists repeat down a roster), and the rows are built column by column.
    """

    pick: Callable[[list[str]], Sequence[str]]  # a row's mapped cells, in order
    seen: tuple[_Column, ...]  # for each picked cell, its column's cache
    #: For each MemberData field, the index of its column of values (the name joined
    #: from its parts, if any, comes after the picked ones), or None for its default.
    where: tuple[int | None, ...]
    parts: tuple[int | None, int | None] | None  # (first, last) name columns, if joined
    today: dt.date


def _fast_plan(plan: _Plan, today: dt.date) -> _FastPlan:
    readers: list[tuple[int, str, Callable[[str], object]]] = [
        (index, fname, clean) for index, fname, clean in plan.texts
    ]
    readers += [(index, fname, parse) for index, _, fname, parse in plan.parsed]
    where = {_POSITION[fname]: i for i, (_, fname, _) in enumerate(readers)}
    parts = None
    if plan.name_from_parts:
        parts = (plan.first, plan.last)
        where[_POSITION["full_name"]] = len(readers)
    return _FastPlan(
        pick=_getter([index for index, _, _ in readers]),
        seen=tuple(_Column(fname, read, today) for _, fname, read in readers),
        where=tuple(where.get(i) for i in range(len(_DATA_FIELDS))),
        parts=parts,
        today=today,
    )


def _getter(indexes: list[int]) -> Callable[[list[str]], Sequence[str]]:
    """``itemgetter(*indexes)``, always giving a tuple (even of one item, or none)."""
    if len(indexes) == 1:
        (only,) = indexes
        return lambda items: (items[only],)
    if not indexes:
        return lambda items: ()
    return operator.itemgetter(*indexes)


def _joined_name(cells: list[str], parts: tuple[int | None, int | None], today: dt.date) -> Any:
    """The full name joined from the first and last name cells, as :func:`_build` joins
    it, or _BAD when the name's check finds a problem."""
    first, last = (_cell(cells, i).strip() for i in parts)
    name = clean_line(" ".join(p for p in (first, last) if p))
    return _BAD if FIELD_PROBLEMS["full_name"](name, today) is not None else name


def _fast_members(rows: list[list[str]], fast: _FastPlan) -> list[MemberData | None]:
    """Each row's member data when every cell of it reads and checks fine, else None.

    Gives exactly what :func:`_build` gives for such a row (and ``validate_member`` finds
    it valid); a row it turns down goes through the full reading and checks, which word
    every reason.
    """
    n = len(rows)
    if not n:
        return []
    cells_by_column = zip(*map(fast.pick, rows), strict=True)
    values: list[list[Any]] = [
        list(map(seen.__getitem__, cells))
        for seen, cells in zip(fast.seen, cells_by_column, strict=True)
    ]
    if fast.parts is not None:
        values.append([_joined_name(cells, fast.parts, fast.today) for cells in rows])
    suspects = [column for seen, column in zip(fast.seen, values, strict=False) if seen.refused]
    suspects += values[len(fast.seen) :]  # the joined names
    bad = {i for column in suspects if _BAD in column for i, v in enumerate(column) if v is _BAD}
    columns: list[Iterable[Any]] = [
        repeat(_DEFAULTS[position], n) if i is None else values[i]
        for position, i in enumerate(fast.where)
    ]
    columns.append(map(dict, repeat((), n)))  # extra: a dict of its own for each
    made: list[MemberData | None] = list(_new_many(MemberData, columns, n))
    for i in bad:
        made[i] = None
    return made


def _checked_row(
    cells: list[str],
    plan: _Plan,
    today: dt.date,
    field_header: dict[str, str],
) -> tuple[MemberData | None, list[str]]:
    """The full reading and checks of one row: its data and every reason it is invalid."""
    data, errors = _build(cells, plan)
    if data is None:
        return None, errors
    for fname, message in validate_member(data, today=today).items():
        if fname == "full_name" and "full_name" not in field_header:
            label = "Name"
        else:
            label = field_header.get(fname, _FIELD_LABELS.get(fname, fname))
        if not any(e.startswith(f"{label}:") for e in errors):
            errors.append(f"{label}: {message}")
    return data, errors


def preview_import(
    session: Session,
    community_id: int | None,
    path: Path,
    *,
    today: dt.date | None = None,
) -> ImportPreview:
    """Read and check a CSV file without writing anything.

    Raises CsvError when the file cannot be read as a roster at all (missing, binary,
    empty, no column for the name); problems of single rows are reported in the rows.
    """
    with collector_paused():
        return _preview(session, community_id, Path(path), today)


def _preview(
    session: Session, community_id: int | None, path: Path, today: dt.date | None
) -> ImportPreview:
    text, encoding = _read_text(path)
    delimiter = _sniff_delimiter(text)
    records = iter(_records(path, text, delimiter))
    _, headers = next(records, (1, []))
    headers = [h.strip() for h in headers]
    mapping, unmapped = map_headers(headers)
    fields = set(mapping.values())
    if "full_name" not in fields and not {FIRST_NAME, LAST_NAME} & fields:
        shown = ", ".join(repr(h) for h in headers if h) or "none"
        raise CsvError(
            f"{path} has no column for the member's name (headers found: {shown}); "
            "call it 'Full name'"
        )
    ncols = len(headers)
    plan = _plan(headers, mapping)
    checked_on = today or dt.date.today()
    fast = _fast_plan(plan, checked_on)
    field_header = {f: h for h, f in mapping.items()}
    known = members.DuplicateIndex(session, community_id) if community_id is not None else None
    # The rows in file order; None where a regular row (as many cells as headers) goes.
    order: list[ImportRow | None] = []
    regular: list[tuple[int, list[str]]] = []
    for line, cells in records:
        if not (cells and cells[0] and not cells[0].isspace()) and not "".join(cells).strip():
            continue  # blank line, or a row of empty cells as spreadsheets write them
        if len(cells) < ncols or (
            len(cells) > ncols and any(c.strip() for c in cells[ncols:])
        ):
            order.append(ImportRow(line, None, (
                f"has {len(cells)} values but the header has {ncols} columns",
            )))
        else:
            order.append(None)
            regular.append((line, cells))
    datas = _fast_members([cells for _, cells in regular], fast)
    by_email = known.by_email if known is not None else {}
    by_name = known.by_name if known is not None else {}
    seen_emails: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    name_keys = _Seen(name_key)  # names repeat in a large roster
    done: list[ImportRow | None] = []  # for each regular row; None for a valid one
    valid: tuple[list[int], list[MemberData], list[tuple[Duplicate, ...]], list[int | None]]
    valid = ([], [], [], [])  # their line, data, duplicates, earlier line in the file
    for (line, cells), data in zip(regular, datas, strict=True):
        if data is None:  # some cell needs the full check: find and word every reason
            data, errors = _checked_row(cells, plan, checked_on, field_header)
            if data is None or errors:
                done.append(ImportRow(line, data, tuple(errors)))
                continue
        ekey = email_key(data.email) if data.email else None
        nkey = name_keys[data.full_name]
        dups: tuple[Duplicate, ...] = ()
        if known is not None and (ekey in by_email or nkey in by_name):
            dups = tuple(known.find(data))
        earlier = None
        if ekey:
            earlier = seen_emails.get(ekey)
        if earlier is None:
            earlier = seen_names.get(nkey)
        if earlier is None:
            if ekey:
                seen_emails[ekey] = line
            seen_names[nkey] = line
        done.append(None)
        valid[0].append(line)
        valid[1].append(data)
        valid[2].append(dups)
        valid[3].append(earlier)
    count = len(valid[0])
    fresh = iter(_new_many(ImportRow, (*valid[:2], repeat((), count), *valid[2:]), count))
    read = iter([row if row is not None else next(fresh) for row in done])
    rows = [row if row is not None else next(read) for row in order]
    return ImportPreview(
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        mapping=mapping,
        unmapped=tuple(h for h in unmapped if h),
        rows=tuple(rows),
        checked_on=checked_on,
        # valid_rows' data (the valid rows that double nobody), these very objects
        checked=tuple(
            data
            for data, dups, earlier in zip(*valid[1:], strict=True)
            if not dups and earlier is None
        ),
    )


def commit_import(
    session: Session,
    community_id: int,
    preview: ImportPreview,
    *,
    today: dt.date | None = None,
) -> list[int]:
    """Add every valid, non-duplicate row of ``preview``: all of them or none.

    Runs in the caller's transaction. If the roster changed since the preview so that a
    row now doubles an existing member, raises CsvError (or ValidationError from the
    member commands) and the caller's transaction is rolled back: nothing is added.

    Rows are validated as any new member is, except the very rows this module's preview
    cleaned and validated itself, when committed on the day they were checked as of.
    """
    rows = preview.valid_rows
    data = [r.data for r in rows if r.data is not None]
    known = members.DuplicateIndex(session, community_id)
    for row in rows if known.by_email or known.by_name else ():  # none in an empty roster
        assert row.data is not None
        if dups := known.find(row.data):
            raise CsvError(
                f"line {row.line}: {row.data.full_name} now doubles {dups[0].full_name}, "
                "already in the community; preview the file again"
            )
    # Rows this module's preview cleaned and validated today are not validated again (a
    # tenth of the import's time); anything else in the preview is, as any new member is.
    trusted = (
        preview.checked_on is not None
        and preview.checked_on == (today or dt.date.today())
        and len(preview.checked) == len(data)
        and all(a is b for a, b in zip(preview.checked, data, strict=True))
    )
    with collector_paused():
        return members.add_members(
            session, community_id, data, today=today, prechecked=trusted
        )


# --- export ------------------------------------------------------------------------------
def _cells(row: members.MemberRow) -> list[str]:
    cells: list[str] = []
    for _, fname in EXPORT_COLUMNS:
        value = getattr(row, fname)
        if fname == "joined_on":
            text = value.isoformat() if value else ""
        elif fname == "level":
            text = level_label(value)
        elif fname == "roles":
            text = "; ".join(role_label(r) for r in value)
        elif fname in ("expertise", "interests"):
            text = "; ".join(value)
        elif fname == "consent":
            text = "yes" if value else "no"
        elif fname == "status":
            text = _STATUS_LABELS.get(value, value)
        else:
            text = str(value)
        cells.append(defuse(text))
    return cells


def export_csv(session: Session, community_id: int, path: Path) -> int:
    """Write the roster to ``path`` (atomically) for Excel; returns the number of rows.

    Erased members are left out (they hold nothing personal to export). The file is
    written with :func:`copdesk.data.files.atomic_output` (a temporary file beside ``path``
    moved into place), so a failure leaves no partial file (and an existing file at
    ``path`` untouched); raises CsvError.
    """
    path = Path(path)
    rows = [r for r in members.list_members(session, community_id) if not r.erased]
    try:
        with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow([h for h, _ in EXPORT_COLUMNS])
            writer.writerows(_cells(row) for row in rows)
    except WriteError as exc:
        raise CsvError(str(exc)) from None
    return len(rows)
