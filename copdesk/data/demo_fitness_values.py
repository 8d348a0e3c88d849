"""The demo community's value log, value-creation stories and fitness checks.

Written through the public value and fitness commands after the year of sessions (see
:mod:`copdesk.data.demo_sessions`), so everything ties to what the community did:

* :func:`add_demo_values` logs a year of value: after each held session, what it gave
  (immediate value, the attendees as beneficiaries, logged by a coordinator) and, where a
  topic was taken further, what it made possible (potential), how members used it
  (applied) and what difference it made (realised), dated weeks and months later. A few
  entries outside any session (protected time from the host, a promotion, the host's
  strategy) complete the ten kinds of value and the seven cycles. Three threads become
  complete value-creation stories; a fourth has been applied and waits for its due
  follow-up.
* :func:`add_demo_fitness` adds four quarterly fitness tests with a rising but uneven
  trend (about 40%, 50%, 60%, 70%; resources dip in the third quarter, values in the
  fourth), evidence drawn from the store, agreed actions (the earlier ones done), links
  to sessions and value entries; the latest is still a draft. And one design-principles
  review.

Everything is decided by the ``random.Random`` passed in and ``today``.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from copdesk.data import fitness as F
from copdesk.data import members as M
from copdesk.data import sessions as S
from copdesk.data import values as V
from copdesk.data.fitness import AnswerData
from copdesk.data.values import EntryData, StoryData
from copdesk.framework import CHECKLIST_BY_KEY, Level, MemberStatus, Role

CALL_PREFIX = "Practice call: "


# --- what the community logged ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Step:
    """One value entry to be.

    ``days`` after the session (or, for entries outside any session, before today).
    ``who``: "attendees", "tag:<expertise>" (attendees or members who hold it), "org"
    (the host organisation only), "org+tag:<expertise>" (both) or "core".
    A measure of ``(ATTENDEES, unit)`` counts the session's attendees.
    """

    cycle: str
    kind: str
    title: str
    description: str
    function: str = ""
    evidence: str = ""
    measure: tuple[float, str] | None = None
    days: int = 0
    who: str = "attendees"


ATTENDEES = -1.0


@dataclass(frozen=True, slots=True)
class Thread:
    steps: tuple[Step, ...]
    story: str = ""  # the story's title when this thread is told as one
    ending: str = ""  # the expected ending


T = Thread
St = Step
#: What each kind of session gave, keyed by the theme (or the special session's title start).
THREADS: dict[str, Thread] = {
    "Non-revenue water: where does the water go?": T((
        St("immediate", "personal_development", "Night-flow readings explained, step by step",
           "Two utilities walked through how they found their losses; most members had "
           "never tried night-flow readings and asked for the method.",
           "experience_sharing", "14 questions in the chat; slides downloaded by 22 members.",
           (ATTENDEES, "people trained")),
        St("potential", "strategic_capabilities", "Night-flow method written up as a two-page note",
           "The method from the call, with the meter-reading form and the arithmetic, "
           "shared on the community page.", "creates_resources",
           "Note downloaded 31 times in its first month.", None, 18, "org+tag:non-revenue water"),
        St("applied", "innovation", "Night-flow readings in two pilot districts",
           "A member utility ran night-flow readings in two district metered areas and found "
           "three illegal connections and a burst service main.", "problem_solves",
           "District meter logs, March to April.", None, 75, "org+tag:non-revenue water"),
        St("realised", "strategic_capabilities",
           "Losses in the pilot districts down from 38% to 27%",
           "After the repairs, water lost in the two pilot districts fell by eleven points; "
           "the utility is rolling the method out to four more districts.", "problem_solves",
           "Utility's monthly water balance; about 410 m³ a day no longer lost.",
           (61000, "EUR saved"), 120, "org+tag:non-revenue water"),
    ), "Finding the lost water: night-flow readings from call to district",
        "Losses below 25% in all six districts by the end of next year, and the method in the "
        "host's guidance on non-revenue water."),
    "Handpumps after the rains": T((
        St("immediate", "collaborative_advantage",
           "Spare-parts suppliers found for three districts",
           "Members pooled the names of suppliers who deliver beyond the district towns.",
           "requests_for_information", "Supplier list with 17 entries in 6 countries."),
        St("potential", "keeping_abreast", "Area-mechanic payment models compared",
           "The case clinic compared paying area mechanics per repair, by salary and by "
           "community subscription.", "problem_solves", "", None, 21, "tag:handpump maintenance"),
        St("applied", "new_strategies", "District pays its area mechanics per repair",
           "The district water office changed its contract with area mechanics: paid per "
           "repair, with spare parts stocked in two villages.", "problem_solves",
           "Signed contracts for four area mechanics.", None, 60, "org+tag:handpump maintenance"),
        St("realised", "strategic_capabilities", "Pumps out of order down from 40% to 18%",
           "Four months on, far fewer pumps wait for repair; most are fixed within a week.",
           "problem_solves", "District functionality survey.", (52, "handpumps back in service"),
           115, "org+tag:handpump maintenance"),
    ), "Handpumps that keep working: paying mechanics per repair",
        "Fewer than 15% of the district's pumps out of order, and the model copied by a "
        "second district."),
    "Water safety plans people actually use": T((
        St("immediate", "professional_identity", "One-page water safety checklist co-created",
           "Members boiled long water safety plans down to one page an operator checks "
           "every week, one named person per hazard.", "creates_resources",
           "Checklist version 1 agreed in the session.", (ATTENDEES, "people trained")),
        St("potential", "strategic_capabilities", "Checklist translated into French and Swahili",
           "Volunteers translated the checklist so that operators in West and East Africa "
           "can use it as it is.", "creates_resources", "", (16, "hours volunteered"), 25,
           "org+tag:water safety planning"),
        St("applied", "strategic_capabilities", "Two small schemes use the checklist every week",
           "Two group water schemes replaced their binders with the one-page checklist; "
           "operators tick it on Monday mornings.", "problem_solves",
           "Photos of the filled checklists, eight weeks running.", None, 70,
           "org+tag:water safety planning"),
        St("realised", "retention_of_talents",
           "A failing chlorinator caught before anyone fell ill",
           "The weekly check caught a chlorinator dosing at half strength; it was fixed the "
           "same day and no sample failed.", "problem_solves",
           "Operator's log and the laboratory results for the quarter.",
           (1800, "households kept safe"), 110, "org+tag:water safety planning"),
    ), "From the binder to Monday morning: a water safety plan that is used",
        "Every scheme of the federation on the one-page checklist, and no failed sample "
        "for a year."),
    "Solar pumping, three years on": T((
        St("immediate", "keeping_abreast", "Failure log of 14 solar schemes shared",
           "Members learned that inverters, not panels, cause most breakdowns.",
           "experience_sharing", "", (ATTENDEES, "people trained")),
        St("potential", "innovation", "Inverter failure data pooled from members' schemes",
           "Members sent their breakdown records; the pooled log covers 31 schemes.",
           "creates_resources", "Spreadsheet of 31 schemes, 58 failures.", None, 30,
           "tag:solar pumping"),
        St("applied", "innovation", "Surge-protected inverters written into a tender",
           "A member utility specified surge protection and a local service agent in its "
           "tender for nine new solar schemes.", "problem_solves",
           "Tender documents, section 4.2.", None, 70, "org+tag:solar pumping"),
        St("realised", "strategic_capabilities", "Diesel bill cut at nine schemes",
           "The new schemes ran their first dry season without the diesel back-up except "
           "at the health centre.", "problem_solves", "Fuel purchase records.",
           (8400, "EUR saved"), 125, "org+tag:solar pumping"),
    ), "Solar pumps that last: from a failure log to a better tender",
        "No inverter failure in the first two years of the nine new schemes."),
    "Tariffs people can pay": T((
        St("immediate", "collaborative_advantage", "Peer assist on a tariff review under pressure",
           "Five members helped a utility prepare for a council that wanted no rise at all.",
           "problem_solves", "", (ATTENDEES, "people trained")),
        St("potential", "strategic_capabilities", "Lifeline tariff worked example shared",
           "The spreadsheet from the call, cleaned up so other utilities can enter their own "
           "costs.",
           "creates_resources", "Downloaded 19 times.", None, 20, "org+tag:tariff design"),
        St("applied", "new_strategies", "Council accepts a two-step rise with a lifeline block",
           "The utility proposed a 6 m³ lifeline block and a rise in two steps; the council "
           "accepted it.", "problem_solves", "Council minutes.", None, 55, "org+tag:tariff design"),
        St("realised", "strategic_capabilities", "Revenue collected up from 71% to 83% of bills",
           "The poorest households stayed connected and more customers pay on time.",
           "problem_solves", "Utility billing reports, two quarters.",
           (2300, "households kept connected"), 110, "org+tag:tariff design"),
    ), "A tariff people can pay: the lifeline block",
        "Collection above 85% and no disconnections among lifeline customers."),
    "Site visit": T((
        St("immediate", "collaborative_advantage",
           "Operators from several countries saw flow-paced dosing",
           "Visitors saw a chlorine house that doses by flow and kiosks whose daily log the "
           "operators read.", "enhances_collaboration", "", (ATTENDEES, "people trained")),
        St("potential", "strategic_capabilities", "Kiosk log template shared with every visitor",
           "The one-page daily log the kiosk attendants keep, with the host's permission.",
           "creates_resources", "", None, 12, "org+attendees"),
        St("applied", "innovation", "Kiosk log adopted by a second utility",
           "A visiting utility introduced the daily log at its own twelve kiosks.",
           "enhances_collaboration", "First month of filled logs.", None, 60, "org+attendees"),
        St("realised", "strategic_capabilities", "Kiosk downtime found and halved",
           "The logs showed kiosks closed for a third of opening hours; new rotas halved it.",
           "problem_solves", "Kiosk logs, three months.", (320, "hours of service added"),
           105, "org+attendees"),
    ), "The kiosk log: from a site visit to longer opening hours",
        "All kiosks open at least 90% of their hours."),
    "Chlorination at home: what makes it stick?": T((
        St("immediate", "personal_development", "Dosing table for 200-litre tanks",
           "Members left with a tested dosing table and three reasons households stop.",
           "requests_for_information", "", (ATTENDEES, "people trained")),
        St("potential", "reputation", "Chlorine vendors trained as promoters",
           "A member trained the local vendors, who households trust more than posters.",
           "creates_resources", "", (24, "vendors trained"), 35, "tag:chlorination"),
        St("applied", "new_strategies", "Vendors sell chlorine with the dosing table",
           "The vendors hand out the dosing table with every bottle; the utility's outreach "
           "team now works through them.", "problem_solves", "Vendor sales records.",
           (640, "households reached"), 70, "org+tag:chlorination"),
        St("realised", "strategic_capabilities", "Fewer diarrhoea cases at the health centre",
           "The health centre in the pilot area saw a third fewer cases among children than "
           "in the same months last year.", "problem_solves",
           "Health centre register, three months against last year.", None, 115,
           "org+tag:chlorination"),
    ), "Chlorine that households keep using: the vendors' story",
        "Half of the pilot area's households chlorinating every week, a year on."),
    "Planning for drought": T((
        St("immediate", "keeping_abreast", "First look at the seasonal drought outlook",
           "Members read the new outlook together and found where it matters for small "
           "towns.", "discuss_developments", "", None, 0, "org+attendees"),
        St("reframing", "new_strategies",
           "Drought treated as a planning question, not an emergency",
           "Members agreed that drought belongs in every supply plan, before the tankers.",
           "maps_knowledge_gaps", "The gap on remote sensing shown on the knowledge map.",
           None, 10, "org+attendees"),
    )),
    "Hygiene behaviour change: beyond posters": T((
        St("immediate", "professional_identity", "Photo consent note agreed",
           "Members agreed to ask communities before publishing photos of them.",
           "builds_values", "", None, 0, "attendees"),
        St("reframing", "professional_identity", "Asking before publishing becomes our norm",
           "Members now see consent as part of doing hygiene promotion well, not paperwork.",
           "builds_values", "The note is in eight members' report templates.", None, 60,
           "tag:hygiene promotion"),
    )),
    "Faecal sludge: from pit to plant": T((
        St("immediate", "collaborative_advantage", "Two utilities agree to share vacuum trucks",
           "A shared emptying schedule for neighbouring towns, to be piloted for six months.",
           "enhances_collaboration"),
        St("potential", "collaborative_advantage", "Shared emptying schedule drafted",
           "The two utilities' planners wrote one schedule and a cost-sharing rule.",
           "enhances_collaboration", "", None, 25, "tag:faecal sludge management"),
        St("applied", "innovation", "Shared emptying schedule piloted",
           "The two utilities run one schedule for both towns' trucks.",
           "enhances_collaboration", "Truck logbooks.", (46, "truck days saved"), 70,
           "org+tag:faecal sludge management"),
        St("realised", "strategic_capabilities", "More pits emptied at a lower cost per trip",
           "With the trucks shared, both towns emptied more pits and the cost per trip fell "
           "by a fifth.", "problem_solves", "Pilot report to both councils.",
           (12500, "EUR saved"), 115, "org+tag:faecal sludge management"),
    ), "Two towns, one fleet: sharing vacuum trucks",
        "The shared schedule made permanent and a third town joining."),
    "Monitoring that helps the operator": T((
        St("immediate", "personal_development", "Three numbers an operator reads",
           "Hours of supply, breakdowns and revenue collected; everything else goes to the "
           "annual report.", "problem_solves", "", (ATTENDEES, "people trained")),
        St("potential", "strategic_capabilities", "Indicator set for small operators drafted",
           "A short indicator set members would all use, out for comments.",
           "creates_resources", "", None, 20, "org+tag:monitoring & evaluation"),
        St("applied", "new_strategies", "Host uses the indicator set in its small-town programme",
           "The host replaced its 24 indicators for small operators with the community's "
           "three.", "creates_resources", "Programme monitoring plan.", None, 65,
           "org+tag:monitoring & evaluation"),
        St("realised", "strategic_capabilities", "Operators report in an hour instead of a day",
           "Small operators now send their monthly numbers in about an hour; the host gets "
           "them on time.", "problem_solves", "Reporting dates, three months.",
           (140, "hours saved"), 115, "org+tag:monitoring & evaluation"),
    ), "Three numbers that matter: monitoring for operators",
        "Every small operator in the programme reporting on time, and using the numbers "
        "themselves."),
    "Gravity-fed systems in the hills": T((
        St("immediate", "personal_development", "Air valves at every high point",
           "Members took home how terraced catchments held through the landslides and how "
           "air valves solved the air locks.", "experience_sharing", "",
           (ATTENDEES, "people trained")),
        St("potential", "reputation", "Photos of the terraced catchments shared",
           "A photo guide of the catchments that held, with notes on the planting.",
           "creates_resources", "", None, 20, "tag:gravity-fed systems"),
        St("applied", "marketability", "Two spring catchments rebuilt with planted terraces",
           "A member's cooperative rebuilt two catchments on the model shown in the call.",
           "experience_sharing", "Photos before and after.", None, 60,
           "tag:gravity-fed systems"),
        St("realised", "strategic_capabilities", "Water through the rainy season, no outage",
           "Both rebuilt catchments kept supplying through the heaviest rains in years.",
           "problem_solves", "Operator's log.", (900, "people with water"), 110,
           "org+tag:gravity-fed systems"),
    ), "Catchments that survive the landslides",
        "Every catchment of the cooperative terraced within three years."),
    "Grant writing clinic": T((
        St("immediate", "marketability", "Proposal reviewed by five peers",
           "Reviewers asked for ten years of operation and maintenance costs, not three.",
           "problem_solves", "", None, 0, "tag:grant writing"),
    )),
    "Annual review": T((
        St("immediate", "retention_of_talents", "The year reviewed together",
           "Members said what they valued most: the peer assists, and knowing whom to ask.",
           "builds_values", "", (ATTENDEES, "people trained")),
        St("potential", "reputation", "Value stories written up for the community page",
           "The year's stories, written so the host and newcomers can read them.",
           "creates_resources", "", None, 25, "org+core"),
    )),
    "Core group planning": T((
        St("enabling", "retention_of_talents", "Members who stopped coming phoned",
           "The core group called the members who had drifted away; two came back.",
           "convenes_people", "", None, 20, "core"),
    )),
}

#: Value outside any session: ``days`` before today. Together they cover every kind and cycle.
STANDALONE: tuple[Step, ...] = (
    St("enabling", "retention_of_talents", "Host grants four hours a month of protected time",
       "Core members may spend four working hours a month on the community.",
       "convenes_people", "Letter from the host's head of knowledge management.",
       (192, "hours a year"), 40, "org+core"),
    St("strategic", "new_strategies", "Host's strategy names the community as a delivery channel",
       "The host's draft strategy for next year lists peer learning among utilities as one "
       "of its three ways of working.", "builds_values", "Draft strategy, chapter 3.", None,
       25, "org"),
    St("applied", "marketability", "A member's promotion credits the peer assists",
       "Promoted to lead a utility's water-loss unit; the interview drew on the community's "
       "cases.", "experience_sharing", "", None, 110, "tag:non-revenue water"),
    St("potential", "reputation", "Member invited to speak at the regional WASH conference",
       "Invited after the conference organisers read a write-up from the community.",
       "amplifies_information", "", None, 200, "tag:faecal sludge management"),
    St("realised", "retention_of_talents", "Two young engineers stayed, citing the community",
       "In their exit-interview survey, two engineers who had offers elsewhere named the "
       "community among their reasons to stay.", "convenes_people", "Host's HR survey.",
       (2, "engineers retained"), 60, "org"),
    St("reframing", "professional_identity", "Operators, not only engineers, now present",
       "Three kiosk and pump operators presented cases this year; members now treat "
       "operators as experts.", "builds_values", "", None, 90, "attendees"),
    St("immediate", "keeping_abreast", "Members' digest of the new drinking-water guidance",
       "A member summarised the new international guidance in two pages for the rest.",
       "filters_information", "", (6, "hours saved"), 300, "core"),
    St("potential", "collaborative_advantage", "Joint proposal by three member utilities",
       "Three utilities met through the community and wrote one proposal together.",
       "enhances_collaboration", "", None, 160, "tag:utility management"),
    St("strategic", "keeping_abreast", "Host briefed on what its utilities find hard",
       "The coordinators' quarterly note told the host which problems members bring "
       "most often.", "filters_information", "", None, 130, "org"),
    St("applied", "personal_development", "Newcomers paired with a core member",
       "Each newcomer now has a core member to ask for the first three months.",
       "convenes_people", "", (7, "newcomers paired"), 75, "core"),
)
del T, St


def thread_key(title: str) -> str | None:
    """The THREADS key of a session's title, or None."""
    theme = title.removeprefix(CALL_PREFIX)
    if theme in THREADS:
        return theme
    return next((k for k in THREADS if title.startswith(k)), None)


# --- writing values ---------------------------------------------------------------------------
@dataclass
class _Context:
    session: Session
    community_id: int
    rng: random.Random
    today: dt.date
    roster: Sequence[M.MemberRow]

    def __post_init__(self) -> None:
        active = [r for r in self.roster if r.status == MemberStatus.ACTIVE.value]
        self.active = active
        self.coordinators = [r.id for r in active if Role.COORDINATOR.value in r.roles] or [
            active[0].id
        ]
        self.core = [r.id for r in active if r.level == Level.CORE.value] or self.coordinators

    def tagged(self, tag: str, among: Sequence[int]) -> list[int]:
        holders = [r.id for r in self.active if tag in r.expertise]
        near = [i for i in holders if i in set(among)]
        pool = near or holders
        return sorted(self.rng.sample(pool, min(3, len(pool))))

    def beneficiaries(self, who: str, attendees: Sequence[int]) -> tuple[tuple[int, ...], bool]:
        org = who.startswith("org")
        spec = who.removeprefix("org").removeprefix("+")
        if spec == "attendees":
            ids = list(attendees)
        elif spec == "core":
            ids = list(self.core)
        elif spec.startswith("tag:"):
            ids = self.tagged(spec.removeprefix("tag:"), attendees)
        else:
            ids = []
        if not ids and not org:
            ids = list(self.core)
        return tuple(ids), org

    def logger(self, cycle: str, attendees: Sequence[int]) -> int:
        if cycle == "immediate":
            return self.rng.choice(self.coordinators)
        pool = [i for i in self.core if i in set(attendees)] or self.core
        return self.rng.choice(pool)


def _add(ctx: _Context, step: Step, day: dt.date, attendees: Sequence[int],
         session_id: int | None) -> int:
    ids, org = ctx.beneficiaries(step.who, attendees)
    value: float | None = None
    unit = ""
    if step.measure is not None:
        value, unit = step.measure
        if value == ATTENDEES:
            value = float(len(attendees))
    return V.add_entry(ctx.session, ctx.community_id, EntryData(
        entry_date=day, title=step.title, kind=step.kind, cycle=step.cycle,
        description=step.description, beneficiary_ids=ids, for_organisation=org,
        function=step.function, session_id=session_id, evidence=step.evidence,
        measure_value=value, measure_unit=unit,
        logged_by_id=ctx.logger(step.cycle, attendees),
    ), today=ctx.today)


@dataclass(frozen=True)
class ValueLog:
    entry_ids: tuple[int, ...]
    story_ids: tuple[int, ...]


def _attendees(session: Session, session_id: int) -> list[int]:
    return [a.member_id for a in S.list_attendance(session, session_id) if a.status == "attended"]


def add_demo_values(session: Session, community_id: int, roster: Sequence[M.MemberRow],
                    rng: random.Random, today: dt.date) -> ValueLog:
    """A year of value entries tied to the held sessions, and the stories they tell."""
    ctx = _Context(session, community_id, rng, today, roster)
    latest = today - dt.timedelta(days=2)
    held = [r for r in S.list_sessions(session, community_id) if r.status == "held"]
    firsts: dict[str, S.SessionRow] = {}
    for row in held:
        key = thread_key(row.title)
        if key is not None:
            firsts.setdefault(key, row)
    # Date every step first (oldest sessions first), then choose the stories: three
    # threads followed through to realised value, and one applied but still waiting for
    # its follow-up (its realised value is not logged yet).
    planned: dict[str, list[tuple[dt.date, Step]]] = {}
    for key, row in sorted(firsts.items(), key=lambda kv: kv[1].starts_at):
        start = row.starts_at.date()
        planned[key] = [
            (start + dt.timedelta(days=rng.randint(0, 1) if step.days == 0
                                  else step.days + rng.randint(0, 3)), step)
            for step in THREADS[key].steps
        ]
    complete: list[str] = []
    pending: str | None = None
    for key, steps in planned.items():
        if not THREADS[key].story:
            continue
        cycles = {step.cycle: day for day, step in steps}
        if len(complete) < 3 and max(cycles.values()) <= latest:
            complete.append(key)
        elif pending is None and cycles.get("applied", today) <= today - dt.timedelta(days=20):
            pending = key

    dated: list[tuple[dt.date, Step, list[int], int | None, str | None]] = []
    for key, steps in planned.items():
        row = firsts[key]
        attendees = _attendees(session, row.id)
        for day, step in steps:
            if day > latest or (key == pending and step.cycle == "realised"):
                continue
            dated.append((day, step, attendees, row.id, key))
    for step in STANDALONE:
        day = today - dt.timedelta(days=step.days + rng.randint(0, 5))
        dated.append((day, step, list(ctx.core), None, None))
    dated.sort(key=lambda d: (d[0], d[1].title))

    by_thread: dict[str, list[int]] = {}
    ids: list[int] = []
    for day, step, attendees, session_id, key in dated:
        entry_id = _add(ctx, step, day, attendees, session_id)
        ids.append(entry_id)
        if key is not None:
            by_thread.setdefault(key, []).append(entry_id)

    stories: list[int] = []
    for n, key in enumerate(complete):
        thread = THREADS[key]
        follow = today + dt.timedelta(days=60 + 30 * n)
        stories.append(V.create_story(session, community_id, StoryData(
            thread.story, thread.ending, follow), by_thread[key]))
    if pending is not None:
        thread = THREADS[pending]
        entries = by_thread[pending]
        follow = today - dt.timedelta(days=rng.randint(3, 12))
        stories.append(V.create_story(session, community_id, StoryData(
            thread.story, thread.ending, follow), entries))
    return ValueLog(tuple(ids), tuple(stories))


# --- fitness ----------------------------------------------------------------------------------
QUESTIONS = tuple(q.key for d in CHECKLIST_BY_KEY["fitness_test"].dimensions for q in d.questions)
#: Scores of the nine questions (results, resources, values), quarter by quarter: about
#: 40%, 50%, 60%, 70%; resources dip in the third quarter, values in the fourth.
SCORES: tuple[tuple[int | None, ...], ...] = (
    (1, 2, 0, 1, 0, 2, 2, 1, 2),
    (2, 2, 0, 1, 1, 2, 2, 2, 2),
    (2, 3, 1, 1, 0, 2, 3, 2, 3),
    (2, 3, 1, 2, None, 2, 3, 2, 2),
)
#: Evidence per question and quarter; ``{...}`` fields are filled from the store.
EVIDENCE: dict[str, tuple[str, str, str, str]] = {
    "results_common_concern": (
        "Outcomes are noted after most calls, but nobody records what members did with "
        "them. {values} value entries in the quarter.",
        "The coordinators now log value after every call: {values} entries this quarter, "
        "{applied} of them changes in practice.",
        "{values} value entries this quarter. Members ask for the 'what did you do with "
        "it?' round at the start of each call.",
        "{values} entries this quarter; value stories followed through to realised value: "
        "{stories}. Still mostly logged by the two coordinators.",
    ),
    "results_member_benefit": (
        "Members call the sessions interesting; few examples of changed practice yet.",
        "{applied} changes in practice logged this quarter, each traced to a call.",
        "{applied} changes in practice this quarter, among them the ones linked here.",
        "{applied} changes in practice this quarter; members cite the community in their "
        "own reports.",
    ),
    "results_recognised": (
        "The host's annual report does not mention the community.",
        "The sponsor asked for a quarterly one-page summary; no target or indicator yet.",
        "The host quoted one of our value stories in its newsletter.",
        "The host's draft strategy names the community; there is still no indicator for it.",
    ),
    "resources_member_time": (
        "{held} sessions held this quarter with {attended} attendees on average; core "
        "members join from their lunch breaks.",
        "{held} sessions, {attended} attendees on average. Members from the field say "
        "afternoons in Europe are evenings for them.",
        "Field season: {held} sessions held, {cancelled} call cancelled, {attended} "
        "attendees on average. Several core members missed two calls.",
        "Four hours a month of protected time agreed for core members; {attended} "
        "attendees on average this quarter.",
    ),
    "resources_host_support": (
        "No budget beyond the coordinators' time.",
        "The host paid travel for the site visit and the room for the annual review.",
        "Travel budget frozen mid-year; members paid their own way to the site visit.",
        "Waiting for the sponsor's answer on next year's budget before scoring.",
    ),
    "resources_facilitation": (
        "Two coordinators run every call; the format is the same each month.",
        "Methods now vary: peer assists, a fishbowl, a world café.",
        "Members chair parts of the calls; the case clinics fill up fastest.",
        "Methods vary and newcomers say the calls are easy to join.",
    ),
    "values_listening": (
        "Peer assists follow 'ask before telling', but a few voices dominate.",
        "The fishbowl format gave quieter members the floor.",
        "Speakers are timed and everyone is asked in turn; people from the edge now speak.",
        "Listening is good in the calls, less so in the written forum.",
    ),
    "values_giving": (
        "Requests for information are answered, mostly by the core group.",
        "Members beyond the core answer requests; the thank-you round started.",
        "Templates and spreadsheets shared freely; three members volunteered translations.",
        "Giving slowed this quarter: requests waited a week or more for answers.",
    ),
    "values_diversity": (
        "Members from {countries} countries, mostly engineers.",
        "Operators and hygiene promoters present as well as engineers.",
        "Outside guests bring research; members from {countries} countries.",
        "Fewer outside voices this quarter; the lightning talks should help.",
    ),
}
#: Agreed actions per question and quarter: (action, done by now).
ACTIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "results_common_concern": (
        ("Log value after every call, starting next month", True),
        ("", False),
        ("", False),
        ("Ask presenters to log the value of their own sessions", False),
    ),
    "results_recognised": (
        ("Send the sponsor a quarterly one-page summary of the value created", True),
        ("Propose a community indicator for the host's plan", True),
        ("Present two value stories at the host's management meeting", False),
        ("Agree the community indicator with the sponsor", False),
    ),
    "resources_member_time": (
        ("Ask line managers for protected time for core members", True),
        ("Move one call a quarter to the morning for the Asian members", True),
        ("Skip the call in the peak field month and say so early", True),
        ("", False),
    ),
    "resources_host_support": (
        ("Ask the host for a small travel budget", True),
        ("", False),
        ("Find a second sponsor for the site visits", False),
        ("Write the budget request for next year", False),
    ),
    "values_giving": (
        ("Start a thank-you round at the end of each call", True),
        ("", False),
        ("", False),
        ("Answer each request within three days: a rota in the core group", False),
    ),
    "values_diversity": (
        ("Invite operators to present their own cases", True),
        ("", False),
        ("", False),
        ("Invite two outside guests a quarter", False),
    ),
}


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class _Quarter:
    start: dt.date
    end: dt.date
    held: list[S.SessionRow]
    cancelled: int
    values: list[V.EntryRow]


def _facts(q: _Quarter, countries: int, stories: int) -> dict[str, object]:
    attended = [r.attended for r in q.held if r.attended]
    return {
        "values": len(q.values),
        "applied": sum(1 for e in q.values if e.cycle == "applied"),
        "held": len(q.held),
        "cancelled": q.cancelled,
        "attended": round(statistics.fmean(attended)) if attended else 0,
        "countries": countries,
        "stories": stories,
    }


def _links(session: Session, key: str, q: _Quarter) -> tuple[tuple[str, int, str], ...]:
    calls = [r for r in q.held if r.title.startswith(CALL_PREFIX)]
    if key == "resources_member_time" and q.held:
        best = max(q.held, key=lambda r: (r.attended, r.id))
        return (F.session_link(session, best.id),)
    if key in ("resources_facilitation", "values_listening") and calls:
        return (F.session_link(session, calls[-1 if key == "values_listening" else 0].id),)
    if key == "results_member_benefit":
        applied = [e for e in q.values if e.cycle in ("applied", "realised")][:2]
        return tuple(("value", e.id, f"{e.title} ({e.entry_date:%Y-%m-%d})") for e in applied)
    return ()


def add_demo_fitness(session: Session, community_id: int, roster: Sequence[M.MemberRow],
                     rng: random.Random, today: dt.date) -> list[int]:
    """Four quarterly fitness tests (the last a draft) and a design-principles review."""
    active = [r for r in roster if r.status == MemberStatus.ACTIVE.value]
    core = [r.id for r in active if r.level == Level.CORE.value]
    coordinators = [r.id for r in active if Role.COORDINATOR.value in r.roles]
    sponsor = [r.id for r in active if Role.SPONSOR.value in r.roles]
    countries = len({r.region for r in roster if r.region})
    rows = S.list_sessions(session, community_id)
    entries = V.list_entries(session, community_id)
    realised_stories = sum(
        1 for s in V.list_stories(session, community_id) if "realised" in s.cycles
    )
    ids: list[int] = []
    for n, scores in enumerate(SCORES):
        held_on = _weekday(today - dt.timedelta(days=6 + 91 * (len(SCORES) - 1 - n)))
        start = held_on - dt.timedelta(days=91)
        q = _Quarter(
            start, held_on,
            [r for r in rows if r.status == "held" and start < r.starts_at.date() <= held_on],
            sum(1 for r in rows if r.status == "cancelled"
                and start < r.starts_at.date() <= held_on),
            [e for e in entries if start < e.entry_date <= held_on],
        )
        others = [i for i in core if i not in coordinators]
        people = [*coordinators, *rng.sample(others, min(len(others), rng.randint(3, 5)))]
        if n == 1 and sponsor:
            people += sponsor
        aid = F.start_assessment(
            session, community_id, "fitness_test", held_on, participant_ids=people,
            notes="Quarterly check by the core group" + (
                ", with the sponsor" if n == 1 and sponsor else "") + ".",
            today=today,
        )
        facts = _facts(q, countries, realised_stories)
        for key, score in zip(QUESTIONS, scores, strict=True):
            action, done = ACTIONS.get(key, (("", False),) * 4)[n]
            F.set_answer(session, aid, key, AnswerData(
                score, EVIDENCE[key][n].format(**facts), action, done,
                _links(session, key, q),
            ))
        if n < len(SCORES) - 1:
            F.set_status(session, aid, "final")
        ids.append(aid)
    ids.append(_principles_review(session, community_id, rows, roster, core, today))
    return ids


def _principles_review(session: Session, community_id: int, rows: Sequence[S.SessionRow],
                       roster: Sequence[M.MemberRow], core: Sequence[int],
                       today: dt.date) -> int:
    held = [r for r in rows if r.status == "held"]
    calls = [r for r in rows if r.series_id is not None and r.starts_at.date() <= today]
    cancelled = sum(1 for r in calls if r.status == "cancelled")
    private = sum(1 for r in held if r.space == "private")
    guests = sum(1 for r in roster if Role.OUTSIDE_GUEST.value in r.roles)
    levels = {lv: sum(1 for r in roster if r.level == lv.value) for lv in Level}
    mix = ", ".join(f"{levels[lv]} {lv.label.lower()}" for lv in Level)
    planning = [r for r in held if r.space == "private"]
    day = planning[-1].starts_at.date() if planning else today - dt.timedelta(days=90)
    answers: dict[str, tuple[int, str]] = {
        "design_for_evolution": (2, "Topics chosen each quarter by the core group; the "
                                 "format has changed twice in a year."),
        "inside_outside_dialogue": (1, f"{guests} outside guests among {len(roster)} members; "
                                    "the lightning talks are the first event led by them."),
        "levels_of_participation": (2, f"Participation levels: {mix}."),
        "public_private_spaces": (3, f"{len(held) - private} public and {private} private "
                                  "sessions held in the year."),
        "focus_on_value": (2, "Value is logged after every call; stories are written up "
                           "for the annual review."),
        "familiarity_excitement": (2, "The monthly call is familiar; the site visit and "
                                   "outside speakers bring excitement."),
        "rhythm": (3, f"{len(calls) - cancelled} of {len(calls)} monthly calls held on the "
                   f"{calls[0].starts_at.day if calls else 12}th or the next weekday; "
                   f"{cancelled} cancelled."),
    }
    aid = F.start_assessment(session, community_id, "design_principles", day,
                             participant_ids=list(core),
                             notes="Review at the core group planning session.", today=today)
    links = (F.session_link(session, planning[-1].id),) if planning else ()
    for d in CHECKLIST_BY_KEY["design_principles"].dimensions:
        score, evidence = answers.get(d.key, (2, ""))
        action = ("Invite two outside guests a quarter"
                  if d.key == "inside_outside_dialogue" else "")
        F.set_answer(session, aid, d.questions[0].key, AnswerData(
            score, evidence, action, False, links if d.key == "public_private_spaces" else ()))
    F.set_status(session, aid, "final")
    return aid
