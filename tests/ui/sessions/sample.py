"""A demo-like year of sessions built through the data layer, for tests and screenshots."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import replace

from copdesk.data import sessions as S
from copdesk.data.sessions import ActionData, BlockData, SeriesRule, SessionData
from copdesk.data.store import Store

NOW = dt.datetime(2026, 3, 9, 10, 0)
ZONE = "Europe/London"

CLINIC = (
    BlockData("Welcome and check-in", 10, "convenes_people", "check_in"),
    BlockData("News round: what caught your eye", 15, "filters_information", "news_round"),
    BlockData("The challenge, told by its owner", 15, "requests_for_information",
              "peer_assist"),
    BlockData("Peers share similar experiences", 25, "experience_sharing", "peer_assist"),
    BlockData("Options and advice", 15, "problem_solves", "open_discussion"),
    BlockData("What I will try; close", 10, "creates_resources", "retrospective"),
)


def build(store: Store, cid: int, people: Sequence[int], *, seed: int = 3) -> dict[str, int]:
    """A monthly clinic series (held in the past, planned ahead) and special sessions."""
    rng = random.Random(seed)
    rule = SeriesRule("monthly", dt.datetime(2025, 6, 12, 14, 0), count=12)
    data = SessionData(
        title="Monthly peer-assist clinic",
        starts_at=rule.first_start,
        time_zone=ZONE,
        planned_minutes=90,
        purpose="One member brings a live challenge; peers help.",
        mode="online",
        location="https://meet.example.org/water-cop",
        facilitator_ids=tuple(people[:1]),
    )
    series_id, ids = store.run(S.create_series, cid, rule, data, list(CLINIC))
    out = {"series": series_id}
    for i, sid in enumerate(ids):
        row = store.run(S.get_session, sid)
        if row.starts_at < NOW:
            status = "cancelled" if i == 3 else "held"
            store.run(S.update_session, sid,
                      replace(store.run(S.session_data, sid), status=status))
            if status == "held":
                store.run(S.invite, sid, list(people))
                for mid in people:
                    pick = rng.random()
                    state = "attended" if pick < 0.6 else ("apologised" if pick < 0.8
                                                          else "absent")
                    store.run(S.set_attendance, sid, mid, status=state)
    out["clinic_next"] = next(sid for sid in ids if store.run(S.get_session, sid).starts_at > NOW)
    out["clinic_held"] = ids[1]
    review = store.run(S.create_session, cid, SessionData(
        title="Annual review", starts_at=dt.datetime(2026, 3, 20, 9, 30), time_zone=ZONE,
        planned_minutes=150, purpose="Look back at the year and plan the next.",
        mode="in_person", location="Rivers Trust, Room 2", space="private",
        facilitator_ids=tuple(people[:2])),
        list(S.STARTER_TEMPLATES[2].blocks))
    out["review"] = review
    show = store.run(S.create_session, cid, SessionData(
        title="Show and tell: field kits", starts_at=dt.datetime(2025, 11, 27, 16, 0),
        time_zone="Africa/Lagos", planned_minutes=60, mode="hybrid", status="held",
        location="Lagos office and online"), list(S.STARTER_TEMPLATES[1].blocks))
    out["show"] = show
    store.run(S.set_outcomes, out["clinic_held"], notes="Pump seals fail after the rains.",
              decisions="Write a seal checklist.", resources="Seal checklist draft")
    store.run(S.add_action, out["clinic_held"], ActionData(
        "Share the seal checklist", people[1], dt.date(2025, 8, 1)))
    store.run(S.add_action, out["clinic_held"], ActionData(
        "Ask the host for a field visit", people[0], dt.date(2026, 4, 30)))
    store.run(S.add_action, show, ActionData("Photograph the kits", None, None, "done"))
    return out

