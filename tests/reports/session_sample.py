"""A realistic session (agenda, attendance, outcomes, actions) for the session PDF tests.

Also runnable to look at the PDFs by eye:
``python -m tests.reports.session_sample /tmp/out`` writes runsheet.pdf and summary.pdf for
a session of the demo community.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from copdesk.data import members, sessions
from copdesk.data.sessions import ActionData, BlockData, SessionData

START = dt.datetime(2025, 6, 17, 14, 0)
TODAY = dt.date(2025, 7, 1)

#: (title, minutes, function, method, owner index or None, materials, notes)
AGENDA: tuple[tuple[str, int, str, str, int | None, str, str], ...] = (
    ("Welcome, check-in and today's goals", 10, "convenes_people", "check_in", 0,
     "Name cards, the agenda on a flip chart", ""),
    ("News round: what caught your eye this month", 15, "filters_information", "news_round",
     None, "", "Two minutes each; park long discussions"),
    ("Peer assist: chlorination dosing in the rainy season", 35, "problem_solves",
     "peer_assist", 1, "Dosing log (handout), turbidity chart on the screen",
     "Case owner presents 10 min, then questions, then advice"),
    ("Break", 10, "", "break", None, "Coffee and tea in the foyer", ""),
    ("Lightning talks: three field stories", 20, "experience_sharing", "lightning_talks", 2,
     "Slides on the shared drive, timer", ""),
    ("Who knows what? Updating our knowledge map", 15, "maps_knowledge_gaps",
     "knowledge_mapping", 3, "Sticky notes in two colours, the wall map", ""),
    ("Template for a village water safety plan", 15, "creating_templates_assets",
     "co_creation", None, "Draft template (printed A3)", ""),
    ("Close: actions, owners and the next session", 10, "enhances_collaboration",
     "open_discussion", 0, "", ""),
)  # fmt: skip

OUTCOMES = (
    "The peer assist gave Amara three concrete options for dosing when turbidity rises "
    "after heavy rain; she will trial the jar test with the operators next week.\n\n"
    "The knowledge map now lists two members with solar pumping experience, which closes "
    "a gap noted in March."
)
DECISIONS = (
    "- Adopt the village water safety plan template as a draft for field testing\n"
    "- Move the July session online because of the holidays\n"
    "- R&D <lead> group joins the September session as guests"
)
RESOURCES = "- Dosing decision tree (draft), shared drive\n- Updated knowledge map photo"


def add_session(
    session: Session,
    community_id: int,
    people: Sequence[int],
    *,
    title: str = "Monthly clinic: safe water in the rainy season",
    start: dt.datetime = START,
    planned_minutes: int = 120,
    time_zone: str = "Africa/Nairobi",
) -> int:
    """A held session with an eight-block agenda; ``people[:4]`` own blocks."""
    blocks = [
        BlockData(t, m, f, meth, people[o] if o is not None else None, mat, notes)
        for t, m, f, meth, o, mat, notes in AGENDA
    ]
    return sessions.create_session(
        session,
        community_id,
        SessionData(
            title=title,
            starts_at=start,
            time_zone=time_zone,
            planned_minutes=planned_minutes,
            purpose="Help each other keep water safe when the rains change the source water, "
            "and update who knows what in the community.",
            mode="hybrid",
            location="Kisumu Water Training Centre, room 3 & https://meet.example.org/wash-cop",
            space="public",
            status="held",
            facilitator_ids=(people[0], people[4]),
        ),
        blocks,
    )


def add_attendance(
    session: Session, session_id: int, people: Sequence[int], statuses: Sequence[str]
) -> None:
    """Mark ``people[i]`` with ``statuses[i]``; the first is facilitator, the next presenters."""
    sessions.invite(session, session_id, people)
    for i, (mid, status) in enumerate(zip(people, statuses, strict=False)):
        role = "facilitator" if i in (0, 4) else "presenter" if i in (1, 2) else "participant"
        sessions.set_attendance(session, session_id, mid, status=status, role=role)


def add_outcomes_and_actions(session: Session, session_id: int, people: Sequence[int]) -> None:
    sessions.set_outcomes(
        session, session_id, notes=OUTCOMES, decisions=DECISIONS, resources=RESOURCES
    )
    for data in (
        ActionData("Trial the jar test with two operators", people[1], dt.date(2025, 6, 24)),
        ActionData("Circulate the dosing decision tree", people[2], dt.date(2025, 7, 15)),
        ActionData("Book the room for September", people[0], dt.date(2025, 6, 20), "done"),
        ActionData("Ask the utility for turbidity data", None, None),
        ActionData("Draft the safety plan template v2", people[3], dt.date(2025, 6, 27),
                   notes="Use the comments from the co-creation round"),
    ):  # fmt: skip
        sessions.add_action(session, session_id, data)


def demo_session(session: Session, *, today: dt.date = TODAY) -> int:
    """The demo community with one realistic held session; returns the session id."""
    from copdesk.data.demo import create_demo

    cid = create_demo(session, today=today)
    rows = [r for r in members.list_members(session, cid) if r.status == "active"]
    rows.sort(key=lambda r: ({"core": 0, "active": 1}.get(r.level, 2), r.id))
    consenting = [r.id for r in rows if r.consent]
    hidden = [r.id for r in rows if not r.consent]
    people = consenting[:5] + hidden[:4] + consenting[5:16] + hidden[4:6]
    sid = add_session(session, cid, people)
    statuses = ["attended"] * 14 + ["apologised"] * 4 + ["absent"] * 3 + ["invited"]
    add_attendance(session, sid, people, statuses)
    add_outcomes_and_actions(session, sid, people)
    return sid


def main(argv: list[str]) -> int:  # pragma: no cover - a tool for looking at the PDFs
    from copdesk.data.store import Store
    from copdesk.reports.session_reports import build_session_pdf

    out = Path(argv[0]) if argv else Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    store = Store.open(out / "store.sqlite")
    try:
        sid = store.run(demo_session)
        with store.session() as session:
            for kind in ("runsheet", "summary"):
                print(build_session_pdf(session, sid, out / f"{kind}.pdf", kind=kind,
                                        today=TODAY))  # fmt: skip
    finally:
        store.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
