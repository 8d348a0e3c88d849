"""Realistic fitness assessments and a value log, for report tests and for looking at the PDFs.

Everything goes through the data layer (``copdesk.data.fitness`` and ``copdesk.data.values``),
as the window would write it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from sqlalchemy.orm import Session

from copdesk.data import fitness, members, sessions, values
from copdesk.data.fitness import AnswerData
from copdesk.data.values import EntryData, StoryData
from copdesk.framework import CHECKLIST_BY_KEY, FUNCTIONS, VALUE_CYCLES, VALUE_KINDS

#: Fitness-test scores per quarter (results, resources, values; three questions each):
#: results climb, resources dip then recover, values stay high.
QUARTERLY_SCORES: tuple[tuple[int, ...], ...] = (
    (1, 1, 0, 1, 2, 1, 2, 2, 1),
    (1, 2, 1, 1, 1, 1, 2, 3, 2),
    (2, 2, 1, 2, 2, 1, 3, 2, 2),
    (2, 3, 2, 2, 2, 2, 3, 3, 2),
)
EVIDENCE = {
    "results_common_concern": "Every monthly call now closes with 'what will you take back?' "
                              "and the answers go into the value log.",
    "results_member_benefit": "Members report saved design time and fewer failed pump "
                              "installations after peer assists.",
    "results_recognised": "The host mentioned the community in its annual report; no formal "
                          "recognition in staff objectives yet.",
    "resources_member_time": "Attendance is steady but members say calls compete with field "
                             "work; two core members asked for shorter sessions.",
    "resources_host_support": "The host pays for the video platform and one in-person "
                              "meeting a year; no time allowance yet.",
    "resources_facilitation": "Facilitation rotates among three core members; feedback on "
                              "the last clinics was very positive.",
    "values_listening": "Peer-assist rules (no advice before questions) are kept and "
                        "newcomers say they feel heard.",
    "values_giving": "Templates and field guides are shared openly; most requests get an "
                     "answer within a week.",
    "values_diversity": "Utility engineers and NGO staff both present; still few voices "
                        "from francophone West Africa.",
}
ACTIONS = {
    "results_recognised": "Ask the host's programme director to name the CoP in staff "
                          "objectives for next year.",
    "resources_member_time": "Trial 60-minute calls instead of 90 for the next quarter.",
    "resources_host_support": "Propose a time allowance of two hours a month to the host.",
    "values_diversity": "Invite two practitioners from Senegal and Côte d'Ivoire as guest "
                        "speakers.",
    "results_common_concern": "Add a value-log minute at the end of every call.",
}

TITLES = [
    "Peer assist on a failing borehole pump", "Tariff model shared with two utilities",
    "Field guide for chlorine dosing", "Mentoring pair for a new district engineer",
    "Joint proposal for solar pumping", "Lessons from the cholera response",
    "Template for sanitation marketing plans", "Visit to a utility's control room",
    "GIS layer of hand pumps opened up", "New leak detection routine adopted",
    "Talk at the regional WASH conference", "Retained engineer after CoP mentoring",
    "Strategy note on climate-resilient supply", "Training on menstrual hygiene materials",
    "Cost comparison of latrine designs", "Webinar on water quality testing kits",
]  # fmt: skip
MEASURES = [("hours saved", 4, 40), ("EUR saved", 500, 12000), ("people reached", 50, 2500),
            ("hours saved", 2, 16)]  # fmt: skip
STORIES = (
    ("From a peer assist to a working pump network", "Fewer pump breakdowns in the district",
     ["immediate", "potential", "applied", "realised"]),
    ("Sharing the tariff model", "Two utilities adopt cost-reflective tariffs",
     ["immediate", "potential", "applied"]),
    ("A guest speaker changes how we talk about sanitation",
     "The host funds a sanitation marketing pilot", ["immediate", "reframing", "strategic"]),
)  # fmt: skip


def add_quarterly_assessments(session: Session, community_id: int, today: dt.date, *,
                              final_last: bool = True) -> list[int]:  # fmt: skip
    """Four fitness tests, a quarter apart, ending a few days before ``today``.

    Evidence links point to held sessions of the quarter and to value entries logged
    before the assessment (so call :func:`add_value_log` first for value links).
    """
    roster = [m for m in members.list_members(session, community_id) if m.status == "active"]
    core = [m.id for m in roster if m.level in ("core", "active")][:6]
    held = [s for s in sessions.list_sessions(session, community_id) if s.status == "held"]
    entries = values.list_entries(session, community_id)
    questions = [q for d in CHECKLIST_BY_KEY["fitness_test"].dimensions for q in d.questions]
    ids: list[int] = []
    for quarter, scores in enumerate(QUARTERLY_SCORES):
        held_on = today - dt.timedelta(days=5 + 91 * (3 - quarter))
        aid = fitness.start_assessment(
            session, community_id, "fitness_test", held_on,
            participant_ids=core[: 3 + quarter], today=today,
            notes="Held in the last quarterly call." if quarter == 3 else "",
        )  # fmt: skip
        recent = [s for s in held if held_on - dt.timedelta(days=91) < s.starts_at.date()
                  <= held_on]  # fmt: skip
        logged = [e for e in entries if e.entry_date <= held_on]
        for i, (q, score) in enumerate(zip(questions, scores, strict=True)):
            links: list[tuple[str, int, str]] = []
            if recent and i % 3 == 0:
                links.append(fitness.session_link(session, recent[i % len(recent)].id))
            if logged and q.key.startswith("results"):
                e = logged[i % len(logged)]
                links.append(("value", e.id, f"{e.title} ({e.entry_date:%Y-%m-%d})"))
            action = ACTIONS.get(q.key, "") if score < 2 or quarter == 3 else ""
            fitness.set_answer(session, aid, q.key, AnswerData(
                score, EVIDENCE[q.key], action if q.key in ACTIONS else "",
                action_done=quarter < 3 and bool(action), links=tuple(links),
            ))  # fmt: skip
        if quarter < 3 or final_last:
            fitness.set_status(session, aid, "final")
        ids.append(aid)
    return ids


def add_value_log(session: Session, community_id: int, today: dt.date, *, count: int = 40,
                  seed: int = 5) -> tuple[list[int], list[int]]:  # fmt: skip
    """About a year of value entries over all ten kinds and the cycles, plus three stories.

    Returns (entry ids, story ids). Some beneficiaries did not consent to be named.
    """
    rng = random.Random(seed)
    roster = [m for m in members.list_members(session, community_id) if m.status == "active"]
    held = [s for s in sessions.list_sessions(session, community_id) if s.status == "held"]
    cycles = [c.key for c in VALUE_CYCLES]
    ids: list[int] = []
    for i in range(count):
        kind = VALUE_KINDS[i % len(VALUE_KINDS)].key
        cycle = cycles[min(len(cycles) - 1, int(rng.triangular(0, len(cycles), 1)))]
        day = today - dt.timedelta(days=rng.randint(3, 360))
        from_session = [s for s in held if s.starts_at.date() <= day]
        sess = from_session[-1] if from_session and rng.random() < 0.7 else None
        people = rng.sample(roster, rng.randint(0, 3)) if kind in values.MEMBER_KINDS else []
        unit, lo, hi = rng.choice(MEASURES)
        measured = rng.random() < 0.45
        ids.append(values.add_entry(session, community_id, EntryData(
            entry_date=sess.starts_at.date() if sess else day,
            title=TITLES[i % len(TITLES)],
            kind=kind,
            cycle=cycle,
            description=(
                "What happened: members compared notes on the problem and agreed next steps. "
                "What it gave: " + rng.choice([
                    "a checklist the district team now uses.", "a contact at a utility "
                    "that solved the same problem.", "confidence to try a new method.",
                    "a shared template that saved days of work."])
            ),
            beneficiary_ids=tuple(p.id for p in people),
            for_organisation=not people or rng.random() < 0.3,
            function=rng.choice(FUNCTIONS).key if rng.random() < 0.9 else "",
            session_id=sess.id if sess else None,
            evidence="Reported by the member in the follow-up call.",
            measure_value=float(rng.randint(lo, hi)) if measured else None,
            measure_unit=unit if measured else "",
        ), today=today))
    story_ids = []
    for n, (title, ending, story_cycles) in enumerate(STORIES):
        chain: list[int] = []
        start = today - dt.timedelta(days=300 - 40 * n)
        pair = [roster[n].id, roster[-1 - n].id]
        for step, cycle in enumerate(story_cycles):
            kind = "personal_development" if n == 0 and step < 2 else (
                "strategic_capabilities" if n == 0 else
                "collaborative_advantage" if n == 1 else "new_strategies")  # fmt: skip
            chain.append(values.add_entry(session, community_id, EntryData(
                entry_date=start + dt.timedelta(days=45 * step),
                title=f"{title}: {cycle} value",
                kind=kind,
                cycle=cycle,
                description=f"Step {step + 1} of the story '{title}'.",
                beneficiary_ids=tuple(pair) if kind in values.MEMBER_KINDS else (),
                for_organisation=kind not in values.MEMBER_KINDS,
                function="problem_solves",
                measure_value=120.0 if cycle == "realised" else None,
                measure_unit="hours saved" if cycle == "realised" else "",
            ), today=today))  # fmt: skip
        ids += chain
        story_ids.append(values.create_story(session, community_id, StoryData(
            title, ending, start + dt.timedelta(days=200)), chain))  # fmt: skip
    return ids, story_ids


def member_ids(session: Session, community_id: int) -> Sequence[int]:
    return [m.id for m in members.list_members(session, community_id)]
