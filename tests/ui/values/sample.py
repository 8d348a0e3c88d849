"""Value-log sample data built through the data layer, for tests and screenshots."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from copdesk.data import members as M
from copdesk.data import sessions as S
from copdesk.data import values as V
from copdesk.data.sessions import SessionData
from copdesk.data.store import Store
from copdesk.data.values import EntryData, StoryData
from copdesk.framework import FUNCTIONS, VALUE_CYCLES, VALUE_KINDS

TODAY = dt.date(2026, 3, 9)


def held_session(
    store: Store,
    cid: int,
    title: str,
    day: dt.date,
    *,
    attended: Sequence[int],
    absent: Sequence[int] = (),
    facilitators: Sequence[int] = (),
) -> int:
    """A held session with attendance taken."""
    sid = store.run(S.create_session, cid, SessionData(
        title=title, starts_at=dt.datetime.combine(day, dt.time(14, 0)),
        time_zone="Europe/London", status="held", facilitator_ids=tuple(facilitators)))
    store.run(S.invite, sid, [*attended, *absent])
    for mid in attended:
        store.run(S.set_attendance, sid, mid, status="attended")
    for mid in absent:
        store.run(S.set_attendance, sid, mid, status="apologised")
    return sid


TITLES = (
    "Seal checklist shared with three utilities",
    "Peer assist on borehole yields",
    "New contact at the regional water board",
    "Template for monitoring visits reused",
    "Talk accepted at the WASH conference",
    "Pump repair time cut after the clinic",
    "Mentoring pair formed across regions",
    "Field-kit guide translated into Portuguese",
    "Grant application drew on community cases",
    "Host adopted the community's fault taxonomy",
    "R&D <lead> briefing on chlorination",
    "Two new members recruited by word of mouth",
)
UNITS = ("hours saved", "people reached", "EUR saved")


def build_log(
    store: Store, cid: int, *, count: int = 40, seed: int = 11, today: dt.date = TODAY
) -> list[int]:
    """``count`` entries over the past year across all ten kinds and the cycles."""
    rng = random.Random(seed)
    with store.session() as session:
        people = [m for m in M.list_members(session, cid) if m.status == "active"]
        held = [s for s in S.list_sessions(session, cid)
                if s.status == "held" and s.starts_at.date() <= today]
    ids = []
    for i in range(count):
        kind = VALUE_KINDS[i % len(VALUE_KINDS)].key
        cycle = VALUE_CYCLES[(i * 3 + i // 7) % len(VALUE_CYCLES)].key
        day = today - dt.timedelta(days=rng.randint(0, 360))
        session_id = None
        if held and rng.random() < 0.6:
            pick = rng.choice(held)
            session_id, day = pick.id, min(pick.starts_at.date(), today)
        for_members = kind in V.MEMBER_KINDS
        k = rng.randint(1, 3) if for_members else rng.randint(0, 1)
        who = tuple(m.id for m in rng.sample(people, k=min(len(people), k)))
        org = not for_members or not who
        measure = rng.random() < 0.35
        ids.append(store.run(V.add_entry, cid, EntryData(
            entry_date=day,
            title=TITLES[i % len(TITLES)] + ("" if i < len(TITLES) else f" ({i})"),
            kind=kind,
            cycle=cycle,
            description="Told at the meeting; notes in the shared folder." if i % 3 else "",
            beneficiary_ids=who,
            for_organisation=org,
            function=FUNCTIONS[rng.randrange(len(FUNCTIONS))].key if i % 5 else "",
            session_id=session_id,
            evidence="Email from the utility's manager" if i % 4 == 0 else "",
            measure_value=float(rng.randint(2, 40)) if measure else None,
            measure_unit=UNITS[i % len(UNITS)] if measure else "",
            logged_by_id=rng.choice(people).id if people else None,
        ), today=today))
    return ids


def build_stories(store: Store, cid: int, ids: Sequence[int], *, today: dt.date = TODAY
                  ) -> list[int]:
    """Three stories: one realised, one under way with a follow-up due, one due later."""
    with store.session() as session:
        rows = {r.id: r for r in V.list_entries(session, cid, ids=list(ids))}

    def by_cycle(cycle: str, skip: set[int]) -> int:
        return next(r.id for r in sorted(rows.values(), key=lambda r: r.entry_date)
                    if r.cycle == cycle and r.id not in skip)

    used: set[int] = set()
    thread = []
    for cycle in ("immediate", "potential", "applied", "realised"):
        thread.append(by_cycle(cycle, used))
        used.add(thread[-1])
    stories = [store.run(V.create_story, cid, StoryData(
        "From the seal checklist to fewer pump failures",
        "Fewer call-outs in the rainy season", None), thread)]
    pair = [by_cycle("immediate", used), by_cycle("potential", used)]
    used.update(pair)
    first = min(rows[e].entry_date for e in pair)
    stories.append(store.run(V.create_story, cid, StoryData(
        "Mentoring across regions", "Mentees lead a clinic within a year",
        max(first, today - dt.timedelta(days=10))), pair))
    one = [by_cycle("potential", used)]
    stories.append(store.run(V.create_story, cid, StoryData(
        "Monitoring template adopted by the host", "",
        max(rows[one[0]].entry_date, today) + dt.timedelta(days=60)), one))
    return stories
