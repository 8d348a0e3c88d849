"""Function coverage and the method mix, added up by the database (issue 8).

:func:`function_coverage` gives exactly what :func:`copdesk.data.sessions.function_coverage`
gives, without reading every agenda block of the community's history into Python (16,000
rows on the large demo): the minutes per function and the blocks per method of the period
are sums and counts per group, and only the first use of each method needs a look at
single sessions. A method is "new" in the session that used it first (earliest start, then
lowest id; spellings that differ only in case are one method) and "familiar" ever after.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copdesk.data.models import AgendaBlock, CopSession
from copdesk.data.sessions import Coverage
from copdesk.framework import FUNCTIONS

__all__ = ["function_coverage", "session_count"]

NO_METHOD = ("", "break")  # blocks without a method, and breaks, are in no method mix


def session_count(session: Session, community_id: int) -> int:
    """How many sessions the community has (any status)."""
    return session.scalar(
        select(func.count(CopSession.id)).where(CopSession.community_id == community_id)
    ) or 0


def function_coverage(
    session: Session,
    community_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    include_planned: bool = False,
) -> Coverage:
    """Agenda time per CoP function in held (and optionally planned) sessions of a period."""
    sessions_wanted: list[Any] = [
        CopSession.community_id == community_id,
        CopSession.status != "cancelled" if include_planned else CopSession.status == "held",
    ]
    in_period = list(sessions_wanted)
    if start is not None:
        in_period.append(CopSession.starts_at >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        in_period.append(CopSession.starts_at < after)
    conn = session.connection()
    blocks = select().select_from(AgendaBlock).join(
        CopSession, CopSession.id == AgendaBlock.session_id
    )

    minutes = {f.key: 0 for f in FUNCTIONS}
    untagged = 0
    for function, total in conn.execute(
        blocks.add_columns(AgendaBlock.function, func.sum(AgendaBlock.minutes))
        .where(*in_period)
        .group_by(AgendaBlock.function)
    ):
        if function in minutes:
            minutes[function] += int(total or 0)
        else:
            untagged += int(total or 0)

    used: dict[str, int] = {}  # exact method -> blocks in the period
    for method, n in conn.execute(
        blocks.add_columns(AgendaBlock.method, func.count())
        .where(*in_period, AgendaBlock.method.is_not(None), AgendaBlock.method.not_in(NO_METHOD))
        .group_by(AgendaBlock.method)
    ):
        used[method] = int(n)
    if not used:
        return Coverage(minutes, untagged, {}, {})

    # The first use of each method, over the whole history (not only the period).
    first_at: dict[str, dt.datetime] = {}  # casefolded method -> earliest start
    for method, earliest in conn.execute(
        blocks.add_columns(AgendaBlock.method, func.min(CopSession.starts_at))
        .where(*sessions_wanted, AgendaBlock.method.is_not(None),
               AgendaBlock.method.not_in(NO_METHOD))
        .group_by(AgendaBlock.method)
    ):
        key = method.casefold()  # every spelling counts, also those unused in the period
        if key not in first_at or earliest < first_at[key]:
            first_at[key] = earliest
    # Only a first use inside the period makes a method new there; look at those sessions.
    lo = dt.datetime.combine(start, dt.time()) if start is not None else None
    candidates = {k: at for k, at in first_at.items() if lo is None or at >= lo}
    new: dict[str, int] = {}
    if candidates:
        spellings = [m for m in used if m.casefold() in candidates]
        firsts: dict[str, tuple[dt.datetime, int]] = {}
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for method, sid, at, n in conn.execute(
            blocks.add_columns(AgendaBlock.method, CopSession.id, CopSession.starts_at,
                               func.count())
            .where(
                *sessions_wanted,
                AgendaBlock.method.in_(spellings),
                CopSession.starts_at.in_(sorted(set(candidates.values()))),
            )
            .group_by(AgendaBlock.method, CopSession.id, CopSession.starts_at)
        ):
            key = method.casefold()
            if at != candidates[key]:
                continue
            if key not in firsts or (at, sid) < firsts[key]:
                firsts[key] = (at, sid)
            counts[(method, sid)] += int(n)
        for (method, sid), n in counts.items():
            if firsts[method.casefold()][1] == sid:
                new[method] = n
    familiar = {m: n - new.get(m, 0) for m, n in used.items() if n - new.get(m, 0) > 0}
    return Coverage(minutes, untagged, familiar, new)

