"""The value log: what value the community created, for whom, and how it matured.

Entries carry one of the deck's ten kinds of value and a value-creation cycle; stories
link entries that follow one thread through the cycles. The value matrix (kinds against
cycles) is the usual summary for sponsors.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from copdesk.data import changes
from copdesk.data.bulk import collector_paused
from copdesk.data.ids import keep_ids_unused
from copdesk.data.models import (
    CopSession,
    Member,
    Story,
    ValueBeneficiary,
    ValueEntry,
    utcnow,
)
from copdesk.data.validation import ValidationError, clean_line, text_problem
from copdesk.data.versions import row_for_edit
from copdesk.framework import (
    FUNCTION_BY_KEY,
    VALUE_CYCLE_BY_KEY,
    VALUE_CYCLES,
    VALUE_KIND_BY_KEY,
    VALUE_KINDS,
    VALUE_TO_MEMBERS,
)

MAX_TITLE = 200
MAX_DESCRIPTION = 50_000
MAX_UNIT = 60
MEMBER_KINDS = frozenset(t.key for t in VALUE_TO_MEMBERS)
CYCLE_ORDER = {t.key: i for i, t in enumerate(VALUE_CYCLES)}


@dataclass(frozen=True, slots=True)
class EntryData:
    entry_date: dt.date
    title: str
    kind: str
    cycle: str
    description: str = ""
    beneficiary_ids: tuple[int, ...] = ()
    for_organisation: bool = False
    function: str = ""
    session_id: int | None = None
    evidence: str = ""
    measure_value: float | None = None
    measure_unit: str = ""
    logged_by_id: int | None = None


def parse_measure(text: str) -> float | None:
    """A typed measure ("12", "12.5", "1,5", "1 200") as a number; ValueError if not one."""
    cleaned = text.strip().replace("\u202f", "").replace(" ", "")
    if not cleaned:
        return None
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def validate_entry(data: EntryData, *, today: dt.date | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = clean_line(data.title)
    if not title:
        errors["title"] = "An entry needs a title"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"The title is too long (at most {MAX_TITLE} characters)"
    elif problem := text_problem(title):
        errors["title"] = f"The title {problem}"
    if not data.kind:
        errors["kind"] = "Choose the kind of value"
    elif data.kind not in VALUE_KIND_BY_KEY:
        errors["kind"] = f"Unknown kind of value {data.kind!r}"
    if not data.cycle:
        errors["cycle"] = "Choose the value-creation cycle"
    elif data.cycle not in VALUE_CYCLE_BY_KEY:
        errors["cycle"] = f"Unknown value-creation cycle {data.cycle!r}"
    if data.function and data.function not in FUNCTION_BY_KEY:
        errors["function"] = f"Unknown CoP function {data.function!r}"
    if len(data.description) > MAX_DESCRIPTION:
        errors["description"] = (
            f"The description is too long ({len(data.description):,} characters; "
            f"at most {MAX_DESCRIPTION:,})"
        )
    elif problem := text_problem(data.description):
        errors["description"] = f"The description {problem}"
    if len(data.evidence) > MAX_DESCRIPTION:
        errors["evidence"] = f"The evidence is too long (at most {MAX_DESCRIPTION:,} characters)"
    elif problem := text_problem(data.evidence):
        errors["evidence"] = f"The evidence {problem}"
    if data.measure_value is not None and not math.isfinite(data.measure_value):
        errors["measure_value"] = "The measure must be a number"
    elif data.measure_value is not None and abs(data.measure_value) > 1e12:
        errors["measure_value"] = "The measure is too large"
    if data.measure_value is not None and not data.measure_unit.strip():
        errors["measure_unit"] = "Give the measure a unit (for example: hours saved)"
    if len(data.measure_unit) > MAX_UNIT:
        errors["measure_unit"] = f"The unit is too long (at most {MAX_UNIT} characters)"
    elif problem := text_problem(data.measure_unit):
        errors["measure_unit"] = f"The unit {problem}"
    if not data.beneficiary_ids and not data.for_organisation:
        errors["beneficiaries"] = "Say who benefited: members, the host organisation, or both"
    today = today or dt.date.today()
    if data.entry_date > today + dt.timedelta(days=1):
        errors["entry_date"] = "The date is in the future"
    elif data.entry_date.year < 1900:
        errors["entry_date"] = "The date is before 1900"
    return errors


def _check(
    session: Session, community_id: int, data: EntryData, today: dt.date | None
) -> EntryData:
    data = replace(
        data,
        title=clean_line(data.title),
        description=data.description.strip(),
        evidence=data.evidence.strip(),
        measure_unit=clean_line(data.measure_unit),
        beneficiary_ids=tuple(dict.fromkeys(data.beneficiary_ids)),
    )
    errors = validate_entry(data, today=today)
    people = {*data.beneficiary_ids, *([data.logged_by_id] if data.logged_by_id else [])}
    if people:
        found = set(
            session.scalars(
                select(Member.id).where(Member.id.in_(people), Member.community_id == community_id)
            )
        )
        if people - found:
            errors["beneficiaries"] = "A chosen member is not in this community"
    if data.session_id is not None:
        owner = session.scalar(
            select(CopSession.community_id).where(CopSession.id == data.session_id)
        )
        if owner != community_id:
            errors["session_id"] = "That session is not one of this community's"
    if errors:
        raise ValidationError(errors)
    return data


def _apply(entry: ValueEntry, data: EntryData) -> None:
    entry.entry_date = data.entry_date
    entry.title = data.title
    entry.description = data.description
    entry.kind = data.kind
    entry.cycle = data.cycle
    entry.function = data.function
    entry.for_organisation = data.for_organisation
    entry.session_id = data.session_id
    entry.evidence = data.evidence
    entry.measure_value = data.measure_value
    entry.measure_unit = data.measure_unit if data.measure_value is not None else ""
    entry.logged_by_id = data.logged_by_id
    entry.beneficiaries = [ValueBeneficiary(member_id=m) for m in data.beneficiary_ids]


def add_entry(
    session: Session, community_id: int, data: EntryData, *, today: dt.date | None = None
) -> int:
    data = _check(session, community_id, data, today)
    entry = ValueEntry(community_id=community_id)
    _apply(entry, data)
    session.add(entry)
    session.flush()
    changes.record(session, changes.Change("value", "insert", (entry.id,), community_id))
    return entry.id


def update_entry(
    session: Session,
    entry_id: int,
    data: EntryData,
    *,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> EntryData:
    """Replace an entry's fields; returns the previous data (for undo).

    With ``expected_version`` (``EntryRow.version``), an entry someone else changed or
    deleted meanwhile raises ConflictError.
    """
    entry = row_for_edit(
        session, ValueEntry, entry_id, expected_version,
        what="value entry", name=lambda e: e.title, current=_current_entry,
    )
    before = entry_data(session, entry_id)
    data = _check(session, entry.community_id, data, today)
    _apply(entry, data)
    # Always write the row, so its version rises even when only who benefited changed.
    entry.updated_at = utcnow()
    session.flush()
    changes.record(session, changes.Change("value", "update", (entry_id,), entry.community_id))
    return before


def entry_data(session: Session, entry_id: int) -> EntryData:
    e = session.get(ValueEntry, entry_id)
    if e is None:
        raise LookupError(f"no value entry with id {entry_id}")
    return EntryData(
        entry_date=e.entry_date,
        title=e.title,
        kind=e.kind,
        cycle=e.cycle,
        description=e.description,
        beneficiary_ids=tuple(sorted(b.member_id for b in e.beneficiaries)),
        for_organisation=e.for_organisation,
        function=e.function,
        session_id=e.session_id,
        evidence=e.evidence,
        measure_value=e.measure_value,
        measure_unit=e.measure_unit,
        logged_by_id=e.logged_by_id,
    )


@dataclass(frozen=True)
class EntrySnapshot:
    id: int
    community_id: int
    data: EntryData
    story_id: int | None


def _current_entry(session: Session, entry_id: int) -> EntryRow | None:
    e = session.get(ValueEntry, entry_id)
    if e is None:
        return None
    found = list_entries(session, e.community_id, ids=[entry_id])
    return found[0] if found else None


def delete_entry(
    session: Session, entry_id: int, *, expected_version: int | None = None
) -> EntrySnapshot:
    if expected_version is not None:
        row_for_edit(
            session, ValueEntry, entry_id, expected_version,
            what="value entry", name=lambda e: e.title, current=_current_entry,
        )
    e = session.get(ValueEntry, entry_id)
    if e is None:
        raise LookupError(f"no value entry with id {entry_id}")
    snap = EntrySnapshot(e.id, e.community_id, entry_data(session, entry_id), e.story_id)
    session.execute(delete(ValueEntry).where(ValueEntry.id == entry_id))
    changes.record(session, changes.Change("value", "delete", (entry_id,), snap.community_id))
    return snap


def restore_entry(session: Session, snap: EntrySnapshot) -> None:
    live = set(session.scalars(select(Member.id).where(Member.community_id == snap.community_id)))
    data = replace(
        snap.data,
        beneficiary_ids=tuple(m for m in snap.data.beneficiary_ids if m in live),
        logged_by_id=snap.data.logged_by_id if snap.data.logged_by_id in live else None,
    )
    if data.session_id is not None and session.get(CopSession, data.session_id) is None:
        data = replace(data, session_id=None)
    story_ok = snap.story_id is not None and session.get(Story, snap.story_id) is not None
    entry = ValueEntry(id=snap.id, community_id=snap.community_id)
    _apply(entry, data)
    entry.story_id = snap.story_id if story_ok else None
    session.add(entry)
    keep_ids_unused(session, ValueEntry)
    changes.record(session, changes.Change("value", "insert", (snap.id,), snap.community_id))


# --- queries -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EntryRow:
    id: int
    entry_date: dt.date
    title: str
    description: str
    kind: str
    cycle: str
    function: str
    for_organisation: bool
    beneficiaries: tuple[str, ...]
    beneficiary_ids: tuple[int, ...]
    hidden_beneficiaries: int  # not named: no consent to host reports
    session_id: int | None
    session_title: str
    evidence: str
    measure_value: float | None
    measure_unit: str
    logged_by: str
    story_id: int | None
    story_title: str
    #: The row's version when read (hand it back as ``expected_version`` when saving);
    #: not compared: two reads of the same content are equal rows.
    version: int = field(default=0, compare=False)

    @property
    def kind_label(self) -> str:
        term = VALUE_KIND_BY_KEY.get(self.kind)
        return term.label if term else self.kind

    @property
    def cycle_label(self) -> str:
        term = VALUE_CYCLE_BY_KEY.get(self.cycle)
        return term.label if term else self.cycle

    @property
    def for_members(self) -> bool:
        return bool(self.beneficiary_ids or self.hidden_beneficiaries)


@dataclass(frozen=True, slots=True)
class EntryFilter:
    kinds: frozenset[str] = frozenset()
    cycles: frozenset[str] = frozenset()
    member_id: int | None = None
    session_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    text: str = ""

    def accepts(self, row: EntryRow) -> bool:
        if self.kinds and row.kind not in self.kinds:
            return False
        if self.cycles and row.cycle not in self.cycles:
            return False
        if self.member_id is not None and self.member_id not in row.beneficiary_ids:
            return False
        if self.session_id is not None and row.session_id != self.session_id:
            return False
        if self.start and row.entry_date < self.start:
            return False
        if self.end and row.entry_date > self.end:
            return False
        if self.text:
            needle = self.text.casefold()
            hay = " ".join((row.title, row.description, row.evidence, *row.beneficiaries))
            if needle not in hay.casefold():
                return False
        return True


_ENTRY_COLUMNS = (
    ValueEntry.id, ValueEntry.entry_date, ValueEntry.title, ValueEntry.description,
    ValueEntry.kind, ValueEntry.cycle, ValueEntry.function, ValueEntry.for_organisation,
    ValueEntry.session_id, ValueEntry.evidence, ValueEntry.measure_value,
    ValueEntry.measure_unit, ValueEntry.logged_by_id, ValueEntry.story_id,
)  # fmt: skip


#: Kept under this name for its callers: building many rows without collector passes.
bulk_rows = collector_paused


def list_entries(
    session: Session,
    community_id: int,
    *,
    ids: Iterable[int] | None = None,
    named: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
    in_stories: bool = False,
) -> list[EntryRow]:
    """Entries newest first; ``named="consenting"`` names only consenting beneficiaries.

    ``in_stories`` keeps only the entries that belong to a story.
    """
    with bulk_rows():
        return _entries(session, community_id, ids, named, start, end, in_stories)


def _entries(
    session: Session,
    community_id: int,
    ids: Iterable[int] | None,
    named: str,
    start: dt.date | None,
    end: dt.date | None,
    in_stories: bool,
) -> list[EntryRow]:
    if session.autoflush:
        session.flush()  # what session.execute would do: pending edits are seen
    # Core on the session's connection: ORM-wrapped result rows cost more than the query.
    conn = session.connection()
    stmt = (
        select(
            *_ENTRY_COLUMNS,
            CopSession.title.label("session_title"),
            Story.title.label("story_title"),
            ValueEntry.version,
        )
        .outerjoin(CopSession, CopSession.id == ValueEntry.session_id)
        .outerjoin(Story, Story.id == ValueEntry.story_id)
        .where(ValueEntry.community_id == community_id)
    )
    wanted = None if ids is None else list(ids)
    if wanted is not None:
        if not wanted:
            return []
        stmt = stmt.where(ValueEntry.id.in_(wanted))
    if start is not None:
        stmt = stmt.where(ValueEntry.entry_date >= start)
    if end is not None:
        stmt = stmt.where(ValueEntry.entry_date <= end)
    if in_stories:
        stmt = stmt.where(ValueEntry.story_id.is_not(None))
    rows = conn.execute(stmt.order_by(ValueEntry.entry_date.desc(), ValueEntry.id.desc())).all()
    if not rows:
        return []
    # Beneficiaries of exactly these entries: by id when a few were asked for, else joined
    # on the same conditions (an IN list of every entry would outgrow SQLite's variables).
    ben_stmt = select(ValueBeneficiary.entry_id, ValueBeneficiary.member_id)
    if wanted is not None:
        ben_stmt = ben_stmt.where(ValueBeneficiary.entry_id.in_([r.id for r in rows]))
    else:
        scope = select(ValueEntry.id).where(ValueEntry.community_id == community_id)
        if start is not None:
            scope = scope.where(ValueEntry.entry_date >= start)
        if end is not None:
            scope = scope.where(ValueEntry.entry_date <= end)
        if in_stories:
            scope = scope.where(ValueEntry.story_id.is_not(None))
        ben_stmt = ben_stmt.where(ValueBeneficiary.entry_id.in_(scope))
    ben: dict[int, list[int]] = defaultdict(list)
    for eid, mid in conn.execute(ben_stmt).all():  # whole: row by row costs more
        ben[eid].append(mid)
    # Names and consent: plain columns (ORM members cost more than the query), only the
    # members these entries mention when a few entries were asked for.
    name_stmt = select(Member.id, Member.full_name, Member.consent, Member.erased).where(
        Member.community_id == community_id
    )
    if wanted is not None:
        mentioned = {m for ms in ben.values() for m in ms}
        mentioned.update(r.logged_by_id for r in rows if r.logged_by_id is not None)
        name_stmt = name_stmt.where(Member.id.in_(mentioned))
    people = conn.execute(name_stmt).all()
    # Beneficiaries are listed by name (casefolded, then id): one rank a member, computed
    # once, instead of a casefold a beneficiary and a key function an entry.
    by_name = sorted((full.casefold(), mid) for mid, full, _c, _e in people)
    rank = {mid: i for i, (_k, mid) in enumerate(by_name)}
    names: dict[int, str] = {}
    named_ok: set[int] = set()
    for mid, full, consent, erased in people:
        names[mid] = full
        if consent and not erased:
            named_ok.add(mid)
    everyone = named == "all"
    # The same text is one string object in every row that shows it (kinds, cycles,
    # session and story titles, units, who logged): 20,000 rows hold a few hundred.
    shared: dict[str, str] = {}
    share = shared.setdefault
    no_names: tuple[str, ...] = ()
    no_ids: tuple[int, ...] = ()
    out: list[EntryRow] = []
    append = out.append
    for (
        eid, entry_date, title, description, kind, cycle, function, for_organisation,
        session_id, evidence, measure_value, measure_unit, logged_by_id, story_id,
        session_title, story_title, version,
    ) in rows:  # fmt: skip
        got = ben.get(eid)
        if got:
            if len(got) > 1:
                got.sort(key=rank.__getitem__)
            ids_ = tuple(got)
            if everyone:
                shown = tuple([names[m] for m in got])
            else:
                shown = tuple([names[m] for m in got if m in named_ok])
        else:
            ids_, shown = no_ids, no_names
        if logged_by_id is None or logged_by_id not in names:
            logged = ""
        elif everyone or logged_by_id in named_ok:
            logged = names[logged_by_id]
        else:
            logged = ""
        append(
            EntryRow(
                eid, entry_date, title, description, share(kind, kind),
                share(cycle, cycle), share(function, function), bool(for_organisation),
                shown, ids_, len(ids_) - len(shown), session_id,
                share(session_title, session_title) if session_title else "",
                evidence, measure_value, share(measure_unit, measure_unit),
                logged, story_id, share(story_title, story_title) if story_title else "",
                version,
            )
        )  # fmt: skip
    return out


def get_entry(session: Session, entry_id: int) -> EntryRow:
    e = session.get(ValueEntry, entry_id)
    if e is None:
        raise LookupError(f"no value entry with id {entry_id}")
    return list_entries(session, e.community_id, ids=[entry_id])[0]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Kinds of value against cycles: counts, and the entries behind every cell."""

    cells: dict[tuple[str, str], tuple[int, ...]]  # (kind, cycle) -> entry ids

    def count(self, kind: str, cycle: str) -> int:
        return len(self.cells.get((kind, cycle), ()))

    def kind_total(self, kind: str) -> int:
        return sum(len(v) for (k, _), v in self.cells.items() if k == kind)

    def cycle_total(self, cycle: str) -> int:
        return sum(len(v) for (_, c), v in self.cells.items() if c == cycle)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.cells.values())


def matrix(rows: Sequence[EntryRow]) -> Matrix:
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        cells[(r.kind, r.cycle)].append(r.id)
    return Matrix({k: tuple(v) for k, v in cells.items()})


def per_function(rows: Sequence[EntryRow]) -> dict[str, int]:
    """How many entries each CoP function produced, most first ("" for untagged)."""
    counts = Counter(r.function for r in rows)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True, slots=True)
class MemberValue:
    name: str
    benefited: int
    contributed: int  # entries they logged


def by_member(rows: Sequence[EntryRow]) -> tuple[list[MemberValue], int]:
    """Who benefits and who contributes, named as ``rows`` name them.

    Returns the named members and the count of entries' unnamed beneficiaries.
    """
    benefited: Counter[str] = Counter()
    contributed: Counter[str] = Counter()
    hidden = 0
    for r in rows:
        for name in r.beneficiaries:
            benefited[name] += 1
        hidden += r.hidden_beneficiaries
        if r.logged_by:
            contributed[r.logged_by] += 1
    names = set(benefited) | set(contributed)
    out = [MemberValue(n, benefited[n], contributed[n]) for n in names]
    out.sort(key=lambda m: (-(m.benefited + m.contributed), m.name.casefold()))
    return out, hidden


def measures(rows: Sequence[EntryRow]) -> dict[str, float]:
    """Measures summed by unit (units compared without case)."""
    sums: dict[str, float] = {}
    labels: dict[str, str] = {}
    for r in rows:
        if r.measure_value is None:
            continue
        key = r.measure_unit.casefold()
        labels.setdefault(key, r.measure_unit)
        sums[key] = sums.get(key, 0.0) + r.measure_value
    return {labels[k]: v for k, v in sorted(sums.items())}


# --- stories -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoryData:
    title: str
    expected_ending: str = ""
    follow_up_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class StoryView:
    id: int
    title: str
    expected_ending: str
    follow_up_on: dt.date | None
    entries: tuple[EntryRow, ...] = field(default=())  # in cycle order, then date
    #: The row version (optimistic locking): pass it back as ``expected_version``.
    version: int = 1

    @property
    def cycles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.cycle for e in self.entries))

    @property
    def complete(self) -> bool:
        """Followed through to applied or realised value."""
        return bool({"applied", "realised"} & set(self.cycles))

    def follow_up_due(self, today: dt.date) -> bool:
        return (
            self.follow_up_on is not None
            and self.follow_up_on <= today
            and "realised" not in self.cycles
        )


def _check_story(
    session: Session, community_id: int, data: StoryData, entry_ids: Sequence[int]
) -> StoryData:
    data = replace(data, title=clean_line(data.title), expected_ending=data.expected_ending.strip())
    errors: dict[str, str] = {}
    if not data.title:
        errors["title"] = "A story needs a title"
    elif len(data.title) > MAX_TITLE:
        errors["title"] = f"The title is too long (at most {MAX_TITLE} characters)"
    elif problem := text_problem(data.title):
        errors["title"] = f"The title {problem}"
    if len(data.expected_ending) > MAX_DESCRIPTION:
        errors["expected_ending"] = "The expected ending is too long"
    elif problem := text_problem(data.expected_ending):
        errors["expected_ending"] = f"The expected ending {problem}"
    if data.follow_up_on is not None and not 1900 <= data.follow_up_on.year <= 2200:
        errors["follow_up_on"] = "The follow-up date is out of range"
    if entry_ids:
        found = session.execute(
            select(ValueEntry.id, ValueEntry.community_id, ValueEntry.entry_date).where(
                ValueEntry.id.in_(list(entry_ids))
            )
        ).all()
        if len(found) < len(set(entry_ids)):
            errors["entries"] = "An entry of this story no longer exists"
        elif any(c != community_id for _, c, _ in found):
            errors["entries"] = "A story can only hold entries of its own community"
        elif data.follow_up_on is not None:
            first = min(d for _, _, d in found)
            if data.follow_up_on < first:
                errors["follow_up_on"] = (
                    f"The follow-up date is before the story's first entry ({first:%d %b %Y})"
                )
    if errors:
        raise ValidationError(errors)
    return data


def create_story(
    session: Session, community_id: int, data: StoryData, entry_ids: Sequence[int] = ()
) -> int:
    data = _check_story(session, community_id, data, entry_ids)
    story = Story(
        community_id=community_id,
        title=data.title,
        expected_ending=data.expected_ending,
        follow_up_on=data.follow_up_on,
    )
    session.add(story)
    session.flush()
    for e in session.scalars(select(ValueEntry).where(ValueEntry.id.in_(list(entry_ids)))):
        e.story_id = story.id
    changes.record(session, changes.Change("story", "insert", (story.id,), community_id))
    if entry_ids:
        changes.record(session, changes.Change("value", "update", tuple(entry_ids), community_id))
    return story.id


def story_members(session: Session, story_id: int) -> tuple[int, ...]:
    return tuple(session.scalars(select(ValueEntry.id).where(ValueEntry.story_id == story_id)))


def find_story(session: Session, story_id: int) -> StoryView | None:
    """The story as the Stories view shows it now, or None if it is gone."""
    community_id = session.scalar(select(Story.community_id).where(Story.id == story_id))
    if community_id is None:
        return None
    return next((s for s in list_stories(session, community_id) if s.id == story_id), None)


def _story_for_edit(session: Session, story_id: int, expected_version: int | None) -> Story:
    return row_for_edit(
        session, Story, story_id, expected_version,
        what="story", name=lambda s: s.title, current=find_story,
    )  # fmt: skip


def update_story(
    session: Session,
    story_id: int,
    data: StoryData,
    entry_ids: Sequence[int],
    *,
    expected_version: int | None = None,
) -> tuple[StoryData, tuple[int, ...]]:
    """Set a story's fields and entries; returns the previous ones (for undo).

    With ``expected_version`` (``StoryView.version``), a story someone else changed or
    deleted meanwhile raises ConflictError and nothing is written.
    """
    story = _story_for_edit(session, story_id, expected_version)
    before = (
        StoryData(story.title, story.expected_ending, story.follow_up_on),
        story_members(session, story_id),
    )
    data = _check_story(session, story.community_id, data, entry_ids)
    story.title, story.expected_ending, story.follow_up_on = (
        data.title,
        data.expected_ending,
        data.follow_up_on,
    )
    # Always write the row, so its version rises even when only its entries changed.
    flag_modified(story, "title")
    session.flush()
    touched = set(before[1]) | set(entry_ids)
    for e in session.scalars(select(ValueEntry).where(ValueEntry.id.in_(list(touched)))):
        e.story_id = story_id if e.id in entry_ids else None
    changes.record(session, changes.Change("story", "update", (story_id,), story.community_id))
    if touched:
        changes.record(
            session, changes.Change("value", "update", tuple(sorted(touched)), story.community_id)
        )
    return before


def delete_story(
    session: Session, story_id: int, *, expected_version: int | None = None
) -> tuple[int, int, StoryData, tuple[int, ...]]:
    """Delete a story (its entries stay in the log); returns what undo needs.

    With ``expected_version``, a story changed or deleted meanwhile raises ConflictError.
    """
    story = _story_for_edit(session, story_id, expected_version)
    snap = (
        story.id,
        story.community_id,
        StoryData(story.title, story.expected_ending, story.follow_up_on),
        story_members(session, story_id),
    )
    session.delete(story)
    session.flush()
    changes.record(session, changes.Change("story", "delete", (story_id,), snap[1]))
    if snap[3]:
        changes.record(session, changes.Change("value", "update", snap[3], snap[1]))
    return snap


def restore_story(
    session: Session, story_id: int, community_id: int, data: StoryData, entry_ids: Sequence[int]
) -> None:
    live = set(
        session.scalars(
            select(ValueEntry.id).where(
                ValueEntry.id.in_(list(entry_ids)), ValueEntry.community_id == community_id
            )
        )
    )
    session.add(
        Story(
            id=story_id,
            community_id=community_id,
            title=data.title,
            expected_ending=data.expected_ending,
            follow_up_on=data.follow_up_on,
        )
    )
    keep_ids_unused(session, Story)
    for e in session.scalars(select(ValueEntry).where(ValueEntry.id.in_(live))):
        e.story_id = story_id
    changes.record(session, changes.Change("story", "insert", (story_id,), community_id))
    if live:
        changes.record(
            session, changes.Change("value", "update", tuple(sorted(live)), community_id)
        )


def list_stories(session: Session, community_id: int, *, named: str = "all") -> list[StoryView]:
    return stories_of(
        session, community_id, list_entries(session, community_id, in_stories=True, named=named)
    )


def stories_of(
    session: Session, community_id: int, entries: Iterable[EntryRow]
) -> list[StoryView]:
    """The community's stories, holding those of ``entries`` that belong to them.

    ``entries`` are rows already read (the Value tab's log holds every entry): only the
    stories' own few columns are read here, never the entries again. Given every entry
    of the community (or every entry in a story), this is :func:`list_stories`.
    """
    if session.autoflush:
        session.flush()
    stories = session.connection().execute(
        select(Story.id, Story.title, Story.expected_ending, Story.follow_up_on, Story.version)
        .where(Story.community_id == community_id)
        .order_by(Story.id)
    ).all()
    if not stories:
        return []
    by_story: dict[int, list[EntryRow]] = defaultdict(list)
    for row in entries:
        if row.story_id is not None:
            by_story[row.story_id].append(row)
    return [
        StoryView(
            sid,
            title,
            expected_ending,
            follow_up_on,
            tuple(
                sorted(
                    by_story.get(sid, ()),
                    key=lambda e: (CYCLE_ORDER.get(e.cycle, 99), e.entry_date, e.id),
                )
            ),
            version,
        )
        # by code point on every database (not the server's collation), ties by id
        for sid, title, expected_ending, follow_up_on, version in sorted(
            stories, key=lambda s: s.title
        )
    ]


def due_follow_ups(
    session: Session, community_id: int, *, today: dt.date | None = None
) -> list[StoryView]:
    """Stories whose follow-up date has come and that have no realised value yet."""
    today = today or dt.date.today()
    due = [s for s in list_stories(session, community_id) if s.follow_up_due(today)]
    return sorted(due, key=lambda s: (s.follow_up_on or today, s.title.casefold()))


def entries_in_period(session: Session, community_id: int, start: dt.date, end: dt.date) -> int:
    from sqlalchemy import func

    return int(
        session.scalar(
            select(func.count(ValueEntry.id)).where(
                ValueEntry.community_id == community_id,
                ValueEntry.entry_date >= start,
                ValueEntry.entry_date <= end,
            )
        )
        or 0
    )


def kinds_for(beneficiary: str) -> tuple[str, ...]:
    """The kinds of value that fit a beneficiary ("members" or "organisation")."""
    return tuple(
        t.key for t in VALUE_KINDS if (t.key in MEMBER_KINDS) == (beneficiary == "members")
    )
