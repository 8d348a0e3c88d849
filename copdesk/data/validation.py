"""Validation and normalisation of what people type, shared by forms, CSV import and CLI.

Validation never raises on odd input: it returns messages keyed by field name, worded for
the person who typed the value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT

from copdesk.framework import LEVEL_TERMS, MemberStatus, Role

MAX_NAME = 200
MAX_SHORT = 200
MAX_TAG = 100
MAX_TAGS = 50
MAX_NOTES = 20_000
MAX_TZ = 64

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Half of a UTF-16 pair on its own (pasted from a broken source): not storable as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Either of the above (one scan finds that a value is fine).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_TAG_SPLIT = re.compile(r"[;,\n]")
_ROLES = frozenset(r.value for r in Role)
_DOT_ATOM = DOT_ATOM_TEXT
_CASE_INSENSITIVE_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_STATUSES = frozenset(s.value for s in MemberStatus)


class ValidationError(ValueError):
    """One or more fields are invalid; ``errors`` maps field name to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True, slots=True)
class MemberData:
    """Everything a person can enter about a member (the form's and the CSV's fields)."""

    full_name: str
    email: str = ""
    organisation: str = ""
    job_title: str = ""
    region: str = ""
    time_zone: str = ""
    joined_on: dt.date | None = None
    level: str = "peripheral"
    roles: tuple[str, ...] = ("member",)
    expertise: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    consent: bool = False
    notes: str = ""
    status: str = "active"
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def cleaned(self) -> MemberData:
        """The same data with surrounding white space trimmed and tags normalised."""
        return replace(
            self,
            full_name=clean_line(self.full_name),
            email=self.email.strip(),
            organisation=clean_line(self.organisation),
            job_title=clean_line(self.job_title),
            region=clean_line(self.region),
            time_zone=self.time_zone.strip(),
            roles=tuple(dict.fromkeys(r.strip() for r in self.roles if r.strip())),
            expertise=normalise_tags(self.expertise),
            interests=normalise_tags(self.interests),
            notes=self.notes.strip(),
        )


def clean_line(text: str) -> str:
    """Collapse runs of white space in a one-line field and trim it."""
    return " ".join(text.split())


def name_key(name: str) -> str:
    """A name folded for duplicate detection: NFKC, case-folded, accents kept."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def tag_key(tag: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", tag).casefold().split())


def split_tags(text: str) -> tuple[str, ...]:
    """Split a typed list of tags on commas, semicolons or new lines."""
    return normalise_tags(_TAG_SPLIT.split(text))


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, de-duplicated (case-insensitively) tags, in the order first given."""
    seen: dict[str, str] = {}
    for raw in tags:
        tag = clean_line(raw)
        if tag and (key := tag_key(tag)) not in seen:
            seen[key] = tag
    return tuple(seen.values())


def normalise_email(email: str) -> str:
    """The email as stored (trimmed, domain lower-cased); raises ValueError if invalid."""
    ok, result = _checked_email(email.strip())
    if not ok:
        raise ValueError(result)
    return result


@functools.lru_cache(maxsize=65_536)
def _checked_email(text: str) -> tuple[bool, str]:
    """(True, normalised) or (False, why): remembered, so that the checks of an import
    (preview, commit, the stored form) validate each address once, not three times."""
    local, at, domain = text.partition("@")
    if (
        at
        and "@" not in domain
        and _DOT_ATOM.match(local)
        and local.lower() not in _CASE_INSENSITIVE_MAILBOXES
    ):
        # The common case: a plain local part, which email_validator keeps as it is, and a
        # domain checked (and normalised) by email_validator once per domain, not per
        # address: domains repeat across a roster, and checking one is the costly part.
        longest, checked = _checked_domain(domain)
        if checked and len(local) + 1 + longest <= 254:  # else let the full check explain
            return True, f"{local}@{checked}"
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return False, str(exc)
    return True, info.normalized


@functools.lru_cache(maxsize=4_096)
def _checked_domain(domain: str) -> tuple[int, str]:
    """(longest form in UTF-8 bytes, normalised domain) when ``x@domain`` is valid, else
    (0, "")."""
    try:
        info = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return 0, ""
    forms = (domain, info.domain, info.ascii_domain or "")
    return max(len(f.encode()) for f in forms), info.domain


def email_key(email: str) -> str:
    return email.strip().casefold()


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as typed ("contains ..."), or None if it can.

    Line breaks and tabs are allowed (callers collapse them in one-line fields); other
    control characters and unpaired UTF-16 surrogates are not.
    """
    if not _UNSTORABLE.search(value):  # the common case: one scan, not two
        return None
    if _CONTROL.search(value):
        return "contains control characters"
    if _SURROGATE.search(value):
        return "contains broken characters (half of a character pair); type it again"
    return None


def _text_message(value: str, limit: int, label: str) -> str | None:
    """Why a one-line text cannot be stored (too long, unstorable characters), or None."""
    if len(value) > limit:
        return f"{label} is too long ({len(value):,} characters; at most {limit:,})"
    if problem := text_problem(value):
        return f"{label} {problem}"
    return None


# --- one check per field ---------------------------------------------------------------
# Every field is checked on its own value alone (and the joined date against today), so a
# bulk reader (the CSV import) can check each distinct value of a column once. These are
# the very checks :func:`validate_member` runs: there is no second copy of the rules.
def _full_name_problem(value: str, today: dt.date | None) -> str | None:
    name = clean_line(value)
    if not name:
        return "Full name is required"
    return _text_message(name, MAX_NAME, "Full name")


def _email_problem(value: str, today: dt.date | None) -> str | None:
    if email := value.strip():
        ok, why = _checked_email(email)
        if not ok:
            return f"Not a valid email address: {why}"
    return None


def _organisation_problem(value: str, today: dt.date | None) -> str | None:
    return _text_message(value, MAX_SHORT, "Organisation")


def _job_title_problem(value: str, today: dt.date | None) -> str | None:
    return _text_message(value, MAX_SHORT, "Job title")


def _region_problem(value: str, today: dt.date | None) -> str | None:
    return _text_message(value, MAX_SHORT, "Region")


def _time_zone_problem(value: str, today: dt.date | None) -> str | None:
    tz = value.strip()
    if tz and tz not in (_TZ_CACHE or _time_zones()):
        return f"Unknown time zone {tz[:40]!r} (use a name like Europe/Paris)"
    return None


def _joined_on_problem(value: dt.date | None, today: dt.date | None) -> str | None:
    if value is None:
        return None
    if value > (today or dt.date.today()):
        return "Joined date is in the future"
    if value.year < 1900:
        return "Joined date is before 1900"
    return None


def _level_problem(value: str, today: dt.date | None) -> str | None:
    return None if value in LEVEL_TERMS else f"Unknown participation level {value!r}"


def _roles_problem(value: tuple[str, ...], today: dt.date | None) -> str | None:
    bad_roles = [r for r in value if r not in _ROLES]
    return f"Unknown role {bad_roles[0]!r}" if bad_roles else None


def _expertise_problem(value: tuple[str, ...], today: dt.date | None) -> str | None:
    if value and (problem := _tags_problem(tuple(value))):
        return f"Expertise: {problem}"
    return None


def _interests_problem(value: tuple[str, ...], today: dt.date | None) -> str | None:
    if value and (problem := _tags_problem(tuple(value))):
        return f"Interests: {problem}"
    return None


def _notes_problem(value: str, today: dt.date | None) -> str | None:
    if len(value) > MAX_NOTES:
        return f"Notes are too long ({len(value):,} characters; at most {MAX_NOTES:,})"
    if problem := text_problem(value):
        return f"Notes {problem.replace('contains', 'contain', 1)}"
    return None


def _status_problem(value: str, today: dt.date | None) -> str | None:
    return None if value in _STATUSES else f"Unknown status {value!r}"


#: field name -> its check ``(value, today) -> message or None``, in the order
#: :func:`validate_member` reports them. ``consent`` (a flag) cannot be wrong.
FIELD_PROBLEMS: dict[str, Callable[[Any, dt.date | None], str | None]] = {
    "full_name": _full_name_problem,
    "email": _email_problem,
    "organisation": _organisation_problem,
    "job_title": _job_title_problem,
    "region": _region_problem,
    "time_zone": _time_zone_problem,
    "joined_on": _joined_on_problem,
    "level": _level_problem,
    "roles": _roles_problem,
    "expertise": _expertise_problem,
    "interests": _interests_problem,
    "notes": _notes_problem,
    "status": _status_problem,
}


def validate_member(data: MemberData, *, today: dt.date | None = None) -> dict[str, str]:
    """Messages for every invalid field of ``data`` (empty when it is valid)."""
    errors: dict[str, str] = {}
    for fname, problem_of in FIELD_PROBLEMS.items():
        if (problem := problem_of(getattr(data, fname), today)) is not None:
            errors[fname] = problem
    return errors


@functools.lru_cache(maxsize=16_384)
def _tags_problem(tags: tuple[str, ...]) -> str | None:
    """What is wrong with a list of tags, if anything: remembered, as tag lists repeat
    across a roster."""
    if len(tags) > MAX_TAGS:
        return f"at most {MAX_TAGS} tags"
    if any(len(t) > MAX_TAG for t in tags):
        return f"a tag is longer than {MAX_TAG} characters"
    if problem := next(filter(None, map(text_problem, tags)), None):
        return f"a tag {problem}"
    return None


_TZ_CACHE: set[str] = set()


def _time_zones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
        _TZ_CACHE.add("UTC")
    return _TZ_CACHE
