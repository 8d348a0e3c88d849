"""Communities: the store holds one or more; the window and the CLI work on one at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copdesk.data import changes
from copdesk.data.models import Community, Member
from copdesk.data.validation import ValidationError, clean_line, text_problem
from copdesk.data.versions import row_for_edit
from copdesk.framework import Stage

DEFAULT_COMMUNITY_NAME = "My community"


class CommunityError(LookupError):
    """A community could not be found or chosen; the message is for the user."""


@dataclass(frozen=True, slots=True)
class CommunityInfo:
    id: int
    name: str
    domain: str
    host_organisation: str
    stage: str
    is_demo: bool
    member_count: int
    #: The row version (optimistic locking): pass it back as ``expected_version``.
    version: int = 1


MAX_DOMAIN = 5_000


def validate_community(name: str, stage: str, domain: str = "", host: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    if not clean_line(name):
        errors["name"] = "A community needs a name"
    elif len(clean_line(name)) > 200:
        errors["name"] = "The name is too long (at most 200 characters)"
    elif problem := text_problem(name):
        errors["name"] = f"The name {problem}"
    if len(domain) > MAX_DOMAIN:
        errors["domain"] = f"The domain statement is too long (at most {MAX_DOMAIN:,} characters)"
    elif problem := text_problem(domain):
        errors["domain"] = f"The domain statement {problem}"
    if len(clean_line(host)) > 200:
        errors["host_organisation"] = "The host organisation is too long (at most 200 characters)"
    elif problem := text_problem(host):
        errors["host_organisation"] = f"The host organisation {problem}"
    if stage not in {s.value for s in Stage}:
        errors["stage"] = f"Unknown stage of development {stage!r}"
    return errors


def create_community(
    session: Session,
    name: str,
    *,
    domain: str = "",
    host_organisation: str = "",
    stage: str = Stage.COALESCING.value,
    is_demo: bool = False,
) -> int:
    errors = validate_community(name, stage, domain, host_organisation)
    name = clean_line(name)
    if not errors and session.scalar(select(Community.id).where(Community.name == name)):
        errors["name"] = f"A community named {name!r} already exists in this store"
    if errors:
        raise ValidationError(errors)
    community = Community(
        name=name,
        domain=domain.strip(),
        host_organisation=clean_line(host_organisation),
        stage=stage,
        is_demo=is_demo,
    )
    session.add(community)
    session.flush()
    changes.record(session, changes.Change("community", "insert", (community.id,), community.id))
    return community.id


def _current(session: Session, community_id: int) -> CommunityInfo | None:
    try:
        return get_community(session, community_id)
    except CommunityError:
        return None


def _for_edit(session: Session, community_id: int, expected_version: int | None) -> Community:
    return row_for_edit(
        session, Community, community_id, expected_version,
        what="community", name=lambda c: c.name, current=_current,
    )  # fmt: skip


def update_community(
    session: Session,
    community_id: int,
    *,
    name: str,
    domain: str,
    host_organisation: str,
    stage: str,
    expected_version: int | None = None,
) -> None:
    """Set the community's name, domain, host and stage.

    With ``expected_version`` (``CommunityInfo.version`` the form was filled from), a
    community someone else changed or deleted meanwhile raises ConflictError.
    """
    if expected_version is not None:
        _for_edit(session, community_id, expected_version)
    errors = validate_community(name, stage, domain, host_organisation)
    name = clean_line(name)
    clash = session.scalar(
        select(Community.id).where(Community.name == name, Community.id != community_id)
    )
    if not errors and clash:
        errors["name"] = f"A community named {name!r} already exists in this store"
    if errors:
        raise ValidationError(errors)
    community = session.get_one(Community, community_id)
    community.name = name
    community.domain = domain.strip()
    community.host_organisation = clean_line(host_organisation)
    community.stage = stage
    changes.record(session, changes.Change("community", "update", (community_id,), community_id))


def list_communities(session: Session) -> list[CommunityInfo]:
    counts = (
        select(Member.community_id, func.count(Member.id).label("n"))
        .group_by(Member.community_id)
        .subquery()
    )
    rows = session.execute(
        select(Community, func.coalesce(counts.c.n, 0)).outerjoin(
            counts, counts.c.community_id == Community.id
        )
    ).all()
    # Sorted here, by code point, as SQLite's binary collation does: a server's
    # collation (case-insensitive, accent-aware) must not change the order.
    rows = sorted(rows, key=lambda r: r[0].name)
    return [
        CommunityInfo(
            c.id, c.name, c.domain, c.host_organisation, c.stage, c.is_demo, n, c.version
        )
        for c, n in rows
    ]


def get_community(session: Session, community_id: int) -> CommunityInfo:
    for info in list_communities(session):
        if info.id == community_id:
            return info
    raise CommunityError(f"no community with id {community_id}")


def find_community(session: Session, name: str | None) -> CommunityInfo:
    """The community named ``name``; with no name, the only one in the store.

    Raises CommunityError naming the communities that exist when the choice is unclear.
    """
    infos = list_communities(session)
    if name is not None:
        wanted = clean_line(name)
        for info in infos:
            if info.name == wanted:
                return info
        for info in infos:
            if info.name.casefold() == wanted.casefold():
                return info
        known = ", ".join(i.name for i in infos) or "none yet"
        raise CommunityError(f"no community named {wanted!r} (communities: {known})")
    if not infos:
        raise CommunityError("the store has no community yet")
    if len(infos) > 1:
        known = ", ".join(i.name for i in infos)
        raise CommunityError(
            f"the store has several communities; choose one with --community ({known})"
        )
    return infos[0]


# --- the host's logo ----------------------------------------------------------------------
MAX_LOGO_BYTES = 2 * 1024 * 1024
_LOGO_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}


def logo_kind(data: bytes) -> str | None:
    """"png" or "jpeg" from the file's first bytes, or None for anything else."""
    for kind, magic in _LOGO_MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def set_logo(
    session: Session,
    community_id: int,
    data: bytes | None,
    *,
    expected_version: int | None = None,
) -> bytes | None:
    """Keep the host's logo (PNG or JPEG bytes; None removes it); returns the previous one.

    Raises ValidationError for anything that is not a PNG or JPEG image of at most 2 MiB.
    With ``expected_version``, a community changed or deleted meanwhile raises
    ConflictError (the logo is part of the community's record).
    """
    if expected_version is not None:
        _for_edit(session, community_id, expected_version)
    if data is not None:
        if len(data) > MAX_LOGO_BYTES:
            raise ValidationError(
                {"logo": f"The logo is too large ({len(data) / 1048576:.1f} MiB; at most 2 MiB)"}
            )
        if logo_kind(data) is None:
            raise ValidationError({"logo": "The logo must be a PNG, JPEG or SVG image"})
    community = session.get_one(Community, community_id)
    before = community.logo
    community.logo = data
    community.logo_type = logo_kind(data) or "" if data is not None else ""
    changes.record(session, changes.Change("community", "update", (community_id,), community_id))
    return before


def get_logo(session: Session, community_id: int) -> bytes | None:
    """The host's logo kept for the community, if any."""
    return session.scalar(select(Community.logo).where(Community.id == community_id))
