"""Validation and normalisation of what people type, shared by forms, CSV import and CLI.

Validation never raises on odd input: it returns messages keyed by field name, worded for
the person who typed the value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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


def _check_text(errors: dict[str, str], name: str, value: str, limit: int, label: str) -> None:
    if len(value) > limit:
        errors[name] = f"{label} is too long ({len(value):,} characters; at most {limit:,})"
    elif problem := text_problem(value):
        errors[name] = f"{label} {problem}"


def validate_member(data: MemberData, *, today: dt.date | None = None) -> dict[str, str]:
    """Messages for every invalid field of ``data`` (empty when it is valid)."""
    errors: dict[str, str] = {}
    name = clean_line(data.full_name)
    if not name:
        errors["full_name"] = "Full name is required"
    else:
        _check_text(errors, "full_name", name, MAX_NAME, "Full name")
    if email := data.email.strip():
        ok, why = _checked_email(email)
        if not ok:
            errors["email"] = f"Not a valid email address: {why}"
    _check_text(errors, "organisation", data.organisation, MAX_SHORT, "Organisation")
    _check_text(errors, "job_title", data.job_title, MAX_SHORT, "Job title")
    _check_text(errors, "region", data.region, MAX_SHORT, "Region")
    tz = data.time_zone.strip()
    if tz and tz not in (_TZ_CACHE or _time_zones()):
        errors["time_zone"] = f"Unknown time zone {tz[:40]!r} (use a name like Europe/Paris)"
    if data.joined_on is not None:
        today = today or dt.date.today()
        if data.joined_on > today:
            errors["joined_on"] = "Joined date is in the future"
        elif data.joined_on.year < 1900:
            errors["joined_on"] = "Joined date is before 1900"
    if data.level not in LEVEL_TERMS:
        errors["level"] = f"Unknown participation level {data.level!r}"
    bad_roles = [r for r in data.roles if r not in _ROLES]
    if bad_roles:
        errors["roles"] = f"Unknown role {bad_roles[0]!r}"
    for fname, label, tags in (
        ("expertise", "Expertise", data.expertise),
        ("interests", "Interests", data.interests),
    ):
        if tags and (problem := _tags_problem(tuple(tags))):
            errors[fname] = f"{label}: {problem}"
    if len(data.notes) > MAX_NOTES:
        errors["notes"] = (
            f"Notes are too long ({len(data.notes):,} characters; at most {MAX_NOTES:,})"
        )
    elif problem := text_problem(data.notes):
        errors["notes"] = f"Notes {problem.replace('contains', 'contain', 1)}"
    if data.status not in _STATUSES:
        errors["status"] = f"Unknown status {data.status!r}"
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
