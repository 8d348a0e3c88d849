"""A store with the demo community and a year of quarterly fitness checks (a believable trend)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from copdesk.data import fitness
from copdesk.data import sessions as S
from copdesk.data.fitness import AnswerData
from copdesk.data.members import list_members
from copdesk.data.store import Store
from copdesk.framework import CHECKLIST_BY_KEY

TODAY = dt.date(2025, 3, 1)

#: Scores of the nine fitness-test questions (results, resources, values), quarter by quarter.
QUARTERS: tuple[tuple[dt.date, tuple[int | None, ...], str], ...] = (
    (dt.date(2024, 3, 15), (1, 1, 0, 1, 0, 2, 2, 1, 2), "final"),
    (dt.date(2024, 6, 14), (1, 2, 1, 1, 1, 2, 2, 2, 2), "final"),
    (dt.date(2024, 9, 13), (2, 2, 1, 2, 1, 2, 3, 2, 2), "final"),
    (dt.date(2024, 12, 13), (2, 3, 2, 2, None, 2, 3, None, 3), "draft"),
)

EVIDENCE: dict[str, str] = {
    "results_common_concern": "Monthly clinics now end with a one-line result each member logs.",
    "results_member_benefit": "Three utilities adopted the leak-detection checklist.",
    "results_recognised": "Host mentioned the community in its annual report, not yet in KPIs.",
    "resources_member_time": "Attendance steady; members say Friday slots work.",
    "resources_facilitation": "Rotating facilitators since June.",
    "values_listening": "Peer assists follow the 'ask before telling' rule.",
}
ACTIONS: dict[str, tuple[str, bool]] = {
    "results_recognised": ("Ask the host to add a community KPI for 2025", False),
    "resources_host_support": ("Agree protected time with line managers", False),
    "values_giving": ("Start a 'thank-you' round at the end of clinics", True),
}


def add_assessments(session: Session, community_id: int) -> list[int]:
    """Four quarterly fitness tests and a design-principles review, with evidence and actions."""
    people = [m.id for m in list_members(session, community_id) if m.level in ("core", "active")]
    held = [r for r in S.list_sessions(session, community_id) if r.status == "held"]
    spec = CHECKLIST_BY_KEY["fitness_test"]
    keys = [q.key for d in spec.dimensions for q in d.questions]
    ids: list[int] = []
    for n, (day, scores, status) in enumerate(QUARTERS):
        aid = fitness.start_assessment(
            session, community_id, "fitness_test", day,
            participant_ids=people[n: n + 6], today=TODAY,
            notes="Quarterly check at the coordinators' meeting",
        )
        for key, score in zip(keys, scores, strict=True):
            action, done = ACTIONS.get(key, ("", False))
            links: tuple[tuple[str, int, str], ...] = ()
            earlier = [r for r in held if r.starts_at.date() <= day]
            if key in EVIDENCE and earlier:
                links = (fitness.session_link(session, earlier[-1].id),)
            fitness.set_answer(
                session, aid, key,
                AnswerData(score, EVIDENCE.get(key, ""), action, done and n < 3, links),
            )
        if status == "final":
            fitness.set_status(session, aid, "final")
        ids.append(aid)
    review = fitness.start_assessment(
        session, community_id, "design_principles", dt.date(2024, 11, 8), today=TODAY
    )
    for i, d in enumerate(CHECKLIST_BY_KEY["design_principles"].dimensions):
        fitness.set_answer(session, review, d.questions[0].key, AnswerData((i * 2) % 4))
    fitness.set_status(session, review, "final")
    ids.append(review)
    return ids


def build(store: Store) -> tuple[int, list[int]]:
    """The demo community (members, sessions) plus the assessments above."""
    from copdesk.data import demo

    cid = store.run(demo.create_demo, today=TODAY)
    with store.session() as session:
        existing = fitness.list_assessments(session, cid)
    if existing:  # the demo may bring its own fitness checks one day
        return cid, [r.id for r in existing]
    return cid, store.run(add_assessments, cid)
