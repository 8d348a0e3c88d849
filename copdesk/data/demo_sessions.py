"""The demo community's year of sessions, written through the public session commands.

:func:`add_demo_sessions` gives the demo community (see :mod:`copdesk.data.demo`) a year of
life ending around ``today``:

* a monthly practice call (a series on the 12th, 14:00 in the lead coordinator's time
  zone): the past occurrences held, two cancelled, weekend dates moved to the Monday, one
  moved for a holiday; the next three planned;
* special sessions: last year's annual review (from the "Annual review" starter template),
  a site visit, a private core-group planning session; and, ahead, lightning talks by an
  outside guest, a core-group check-in and this year's annual review;
* agendas whose blocks serve ten of the twelve CoP functions in held sessions (one more
  only in a planned session, and "Creating templates & assets" never), with methods from
  the framework and a couple of the community's own, and owners chosen by expertise;
* attendance that follows each member's participation level at the time (core nearly
  always, transactional once or twice), apologies and absences, a member who drifts
  away, presenters, facilitators and outside guests;
* outcomes on held sessions and follow-up actions, some done, some dropped, some open and
  some overdue relative to ``today``.

Everything is decided by the ``random.Random`` passed in, so the same seed and ``today``
give the same sessions. Nothing here touches the models directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from copdesk.data import members as M
from copdesk.data import sessions as S
from copdesk.data.sessions import ActionData, BlockData, SeriesRule, SessionData
from copdesk.framework import Level, MemberStatus, Role

#: The monthly call's link (a reserved ``.example`` domain).
CALL_LINK = "https://meet.example.org/wash-practitioners"
DEFAULT_ZONE = "Europe/Paris"
#: Chance that a member attends a session, by their level at the time.
ATTEND: dict[Level, float] = {
    Level.CORE: 0.9,
    Level.ACTIVE: 0.65,
    Level.OCCASIONAL: 0.3,
    Level.PERIPHERAL: 0.08,
    Level.TRANSACTIONAL: 0.0,  # they come once or twice, chosen up front
}
#: Chance that someone who does not attend sent apologies, by level.
APOLOGISE: dict[Level, float] = {
    Level.CORE: 0.85,
    Level.ACTIVE: 0.6,
    Level.OCCASIONAL: 0.3,
    Level.PERIPHERAL: 0.1,
    Level.TRANSACTIONAL: 0.05,
}
#: Members who left did so at most this many days before today (see demo._with_leavers).
LEFT_WITHIN_DAYS = 200
SERIES_DAY = 12
PLANNED_AHEAD = 3


# --- the agenda content ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Blk:
    """A block to be: ``owner`` is "chair", "cochair", "tag:<expertise>" or ""."""

    title: str
    minutes: int
    function: str
    method: str
    owner: str = ""
    materials: str = ""


@dataclass(frozen=True, slots=True)
class Theme:
    title: str
    purpose: str
    blocks: tuple[Blk, ...]  # the middle hour of a monthly call
    notes: str = ""
    decisions: str = ""
    resources: str = ""
    actions: tuple[tuple[str, str], ...] = ()  # (what, owner spec)


OPENING = (
    Blk("Welcome and check-in", 10, "convenes_people", "check_in", "chair"),
    Blk("News round: what caught your eye this month", 10, "filters_information",
        "news_round", "cochair"),
)
CLOSE = Blk("What will you try? Close", 10, "builds_values", "retrospective", "chair")
#: The series' agenda before a topic is chosen (kept by cancelled occurrences).
OPEN_FLOOR = Blk("Open floor: members' questions", 60, "problem_solves", "open_discussion")

THEMES: tuple[Theme, ...] = (
    Theme(
        "Non-revenue water: where does the water go?",
        "Two utilities compare how they found and fixed their losses.",
        (
            Blk("Case: halving losses in a small-town network", 25, "experience_sharing",
                "show_and_tell", "tag:non-revenue water",
                "District meter readings, before and after"),
            Blk("Peer assist: metering without a budget", 35, "problem_solves", "peer_assist",
                "tag:utility management"),
        ),
        notes="Most losses were in the last 50 metres: illegal connections and worn "
        "service pipes. Night-flow readings found more than the acoustic survey did.",
        decisions="Collect members' night-flow methods into one shared note.",
        resources="Slides: district metering on a shoestring",
        actions=(("Write up the night-flow method as a two-page note", "tag:non-revenue water"),
                 ("Ask the host for the regional benchmark of water losses", "chair")),
    ),
    Theme(
        "Handpumps after the rains",
        "Why do so many pumps fail in the wet season, and who fixes them?",
        (
            Blk("Where can I find a spare-parts supply model that works?", 20,
                "requests_for_information", "open_discussion", "tag:handpump maintenance"),
            Blk("Case clinic: the district with 40% of pumps down", 40, "problem_solves",
                "case_clinic", "tag:procurement"),
        ),
        notes="Spare parts reach district towns but not villages. Area mechanics paid per "
        "repair kept pumps running longest.",
        decisions="Map which districts have area mechanics before the next call.",
        resources="Spare-parts suppliers by country (draft list)",
        actions=(("Share the spare-parts supplier list on the forum", "tag:handpump maintenance"),
                 ("Map the districts with area mechanics", "tag:GIS mapping")),
    ),
    Theme(
        "Water safety plans people actually use",
        "From binders on a shelf to a plan the operator checks every week.",
        (
            Blk("Three plans, three fates", 20, "experience_sharing", "lightning_talks",
                "tag:water safety planning"),
            Blk("Co-create a one-page water safety checklist", 40, "creates_resources",
                "co_creation", "tag:water quality testing",
                "Flip-chart template; last year's plans"),
        ),
        notes="Plans that named one person per hazard were used; the long ones were not.",
        decisions="Publish the one-page checklist as version 1 and test it in two schemes.",
        resources="One-page water safety checklist, version 1",
        actions=(("Translate the checklist into French and Swahili", "tag:hygiene promotion"),
                 ("Test the checklist with two operators", "tag:water safety planning")),
    ),
    Theme(
        "Solar pumping, three years on",
        "What broke, what lasted, and is solar now the default choice?",
        (
            Blk("What broke, what lasted", 25, "experience_sharing", "lightning_talks",
                "tag:solar pumping"),
            Blk("Is solar the default now?", 35, "discuss_developments", "fishbowl",
                "tag:solar pumping"),
        ),
        notes="Inverters, not panels, caused most breakdowns. Theft was a problem in two "
        "towns until the panels were raised.",
        decisions="Recommend solar for new schemes under 50 m head; keep a diesel back-up "
        "for health centres.",
        resources="Failure log of 14 solar schemes",
        actions=(("Collect inverter failure data from members' schemes", "tag:solar pumping"),),
    ),
    Theme(
        "Chlorination at home: what makes it stick?",
        "Dosing, taste and trust: why households stop chlorinating.",
        (
            Blk("Dosing, taste and trust", 40, "problem_solves", "world_cafe",
                "tag:behaviour change", "Three table questions printed on A3"),
            Blk("Where can I find dosing guidance for small tanks?", 20,
                "requests_for_information", "peer_assist", "tag:chlorination"),
        ),
        notes="Taste is the first complaint; trusted local vendors matter more than messages.",
        resources="Dosing table for 20-litre jerrycans and 200-litre tanks",
        actions=(("Send round the dosing table for 200-litre tanks", "tag:chlorination"),),
    ),
    Theme(
        "Planning for drought",
        "What the new seasonal outlook means for small-town supplies.",
        (
            Blk("What do you think of the new drought outlook?", 25, "discuss_developments",
                "open_discussion", "tag:climate resilience"),
            Blk("Who knows what about drought, and what are we missing?", 35,
                "maps_knowledge_gaps", "knowledge_mapping", "chair",
                "Sticky notes; the knowledge map from copdesk"),
        ),
        notes="Nobody in the community works with remote sensing or drought early-warning "
        "data, and several members want to learn them.",
        decisions="Invite an outside speaker on remote sensing for drought early warning.",
        actions=(("Find an outside speaker on remote sensing", "chair"),),
    ),
    Theme(
        "Hygiene behaviour change: beyond posters",
        "Campaigns that changed habits, and what we owe the people we work with.",
        (
            Blk("Campaigns that changed habits", 35, "experience_sharing", "fishbowl",
                "tag:hygiene promotion"),
            Blk("What do we owe the communities we work with?", 25, "builds_values",
                "open_discussion", "tag:behaviour change"),
        ),
        notes="School-led handwashing lasted longest. Members agreed to ask communities "
        "before publishing photos of them.",
        decisions="Adopt a short consent note for photos in members' reports.",
        actions=(("Draft the photo consent note", "tag:behaviour change"),),
    ),
    Theme(
        "Tariffs people can pay",
        "Reviewing a tariff under political pressure without losing the utility.",
        (
            Blk("Peer assist: a tariff review under pressure", 35, "problem_solves",
                "peer_assist", "tag:tariff design"),
            Blk("Building a lifeline tariff, step by step", 25, "creates_resources",
                "case_clinic", "tag:utility management", "Tariff spreadsheet"),
        ),
        notes="A lifeline block of 6 m³ a month kept the poorest connected; the council "
        "accepted a two-step rise.",
        resources="Lifeline tariff worked example (spreadsheet)",
        actions=(("Clean up the lifeline tariff spreadsheet for sharing", "tag:tariff design"),),
    ),
    Theme(
        "Faecal sludge: from pit to plant",
        "An emptying service that pays its way, and whether towns can share trucks.",
        (
            Blk("A pit-emptying service that pays its way", 25, "experience_sharing",
                "show_and_tell", "tag:faecal sludge management"),
            Blk("Can we combine? Shared vacuum trucks across towns", 35,
                "enhances_collaboration", "world_cafe", "tag:faecal sludge management"),
        ),
        decisions="Two utilities will pilot a shared emptying schedule for six months.",
        actions=(("Agree the shared emptying schedule with both utilities",
                  "tag:faecal sludge management"),),
    ),
    Theme(
        "Monitoring that helps the operator",
        "Fewer indicators, read by the people who run the system.",
        (
            Blk("One indicator each, in two minutes", 25, "problem_solves", "Speed consulting",
                "tag:monitoring & evaluation"),
            Blk("A small indicator set we would all use", 35, "creates_resources",
                "co_creation", "tag:monitoring & evaluation"),
        ),
        notes="Operators read three numbers: hours of supply, breakdowns, and revenue "
        "collected. Everything else goes to the annual report.",
        resources="Indicator set for small operators (draft)",
        actions=(("Circulate the draft indicator set for comments",
                  "tag:monitoring & evaluation"),),
    ),
    Theme(
        "Gravity-fed systems in the hills",
        "Spring catchments, landslides, pressure breaks and air locks.",
        (
            Blk("Spring catchments that survived the landslides", 25, "experience_sharing",
                "show_and_tell", "tag:gravity-fed systems"),
            Blk("Peer assist: pressure breaks and air locks", 35, "problem_solves",
                "peer_assist", "tag:spring-shed management"),
        ),
        notes="Catchments protected with planted terraces held; air valves at every high "
        "point solved most air locks.",
        actions=(("Share the photos of the terraced catchments", "tag:gravity-fed systems"),),
    ),
    Theme(
        "Grant writing clinic",
        "One proposal, reviewed together; where the money for rural sanitation is.",
        (
            Blk("Where can I find funders for rural sanitation?", 20,
                "requests_for_information", "open_discussion", "tag:grant writing"),
            Blk("One proposal, reviewed together", 40, "problem_solves", "case_clinic",
                "tag:grant writing", "The draft proposal, sent a week before"),
        ),
        notes="Reviewers want operation and maintenance costs for ten years, not three.",
        resources="List of funders for rural sanitation",
        actions=(("Send the revised proposal to the reviewers", "tag:grant writing"),),
    ),
)


# --- members as the sessions see them -------------------------------------------------------
@dataclass
class Person:
    """A member with what the sessions need: their levels over time and expertise."""

    row: M.MemberRow
    history: list[tuple[dt.date, Level]]
    stops_after: dt.date | None = None  # drifting away: no session after this date
    one_off: set[int] = field(default_factory=set)  # the sessions a transactional member attends

    @property
    def id(self) -> int:
        return self.row.id

    def level_on(self, day: dt.date) -> Level:
        level = self.history[0][1] if self.history else Level(self.row.level)
        for on, lv in self.history:
            if on <= day:
                level = lv
        return level

    def present_on(self, day: dt.date, today: dt.date) -> bool:
        """A member of the community on ``day`` (joined, not yet left)."""
        if self.row.joined_on is not None and self.row.joined_on > day:
            return False
        if self.row.status == MemberStatus.LEFT.value:
            return day < today - dt.timedelta(days=LEFT_WITHIN_DAYS)
        return True

    @property
    def is_guest(self) -> bool:
        return Role.OUTSIDE_GUEST.value in self.row.roles


def _people(session: Session, roster: Sequence[M.MemberRow]) -> list[Person]:
    people = []
    for row in roster:
        history = [(on, Level(lv)) for on, lv in M.level_history(session, row.id)]
        people.append(Person(row, history))
    return people


def _drifter(people: Sequence[Person]) -> Person | None:
    """The member whose level moved outward: they stop coming a while before the move."""
    for p in people:
        ranks = [lv.rank for _, lv in p.history]
        if len(ranks) > 1 and ranks[-1] > ranks[-2]:
            moved = p.history[-1][0]
            p.stops_after = moved - dt.timedelta(days=30)
            return p
    return None


@dataclass(frozen=True)
class Cast:
    """Who leads what: the coordinators, a core host for the site visit, the sponsor."""

    chair: Person
    cochair: Person
    core: tuple[Person, ...]
    site_host: Person
    sponsor: Person | None
    zone: str


def _cast(people: Sequence[Person]) -> Cast:
    active = [p for p in people if p.row.status == MemberStatus.ACTIVE.value]
    coordinators = [p for p in active if Role.COORDINATOR.value in p.row.roles] or active[:2]
    chair = coordinators[0]
    cochair = coordinators[1] if len(coordinators) > 1 else chair
    core = tuple(p for p in active if p.row.level == Level.CORE.value)
    hosts = [p for p in core if p not in (chair, cochair)
             and p.row.time_zone.startswith("Africa/")] or list(core) or [chair]
    sponsor = next((p for p in active if Role.SPONSOR.value in p.row.roles), None)
    return Cast(chair, cochair, core, hosts[0], sponsor, chair.row.time_zone or DEFAULT_ZONE)


# --- what a session is, before it is written --------------------------------------------------
@dataclass
class Plan:
    """One session to write, with who attends decided afterwards."""

    data: SessionData
    blocks: list[BlockData]
    theme: Theme | None = None
    invite: str = "everyone"  # "everyone", "core", "inner", "region"
    boost: float = 0.0  # added to every attendance chance (special occasions)
    notes: str = ""
    decisions: str = ""
    resources: str = ""
    actions: tuple[tuple[str, str], ...] = ()
    id: int = 0

    @property
    def day(self) -> dt.date:
        return self.data.starts_at.date()

    @property
    def held(self) -> bool:
        return self.data.status == "held"


def _pick_owner(rng: random.Random, spec: str, people: Sequence[Person], day: dt.date,
                today: dt.date, facilitators: Sequence[Person]) -> Person | None:
    if spec == "chair":
        return facilitators[0]
    if spec == "cochair":
        return facilitators[-1]
    if not spec.startswith("tag:"):
        return None
    tag = spec.removeprefix("tag:")
    able = [p for p in people
            if tag in p.row.expertise and p.present_on(day, today)
            and (p.stops_after is None or day <= p.stops_after)
            and p.row.status == MemberStatus.ACTIVE.value]
    inner = [p for p in able if p.level_on(day).rank <= Level.OCCASIONAL.rank]
    pool = inner or able
    return rng.choice(pool) if pool else facilitators[0]


def _blocks(rng: random.Random, specs: Sequence[Blk], people: Sequence[Person], day: dt.date,
            today: dt.date, facilitators: Sequence[Person]) -> list[BlockData]:
    out = []
    for b in specs:
        owner = _pick_owner(rng, b.owner, people, day, today, facilitators)
        out.append(BlockData(b.title, b.minutes, b.function, b.method,
                             owner.id if owner else None, b.materials))
    return out


def _from_template(name: str, owners: Sequence[Person]) -> list[BlockData]:
    """A starter template's blocks, owners taken in turn from ``owners``."""
    template = next(t for t in S.STARTER_TEMPLATES if t.name == name)
    return [replace(b, owner_id=owners[i % len(owners)].id if b.method != "break" else None)
            for i, b in enumerate(template.blocks)]


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Monday after a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def _functions(themes: Sequence[Theme]) -> set[str]:
    return {b.function for t in themes for b in t.blocks}


def _theme_order(rng: random.Random, held: int) -> list[Theme]:
    """The topics in the order the calls take them: the held calls cover every function
    the topics serve, and the drought call (which names the knowledge gaps) comes late."""
    for _ in range(100):
        themes = list(THEMES)
        rng.shuffle(themes)
        drought = next(t for t in themes if t.title == "Planning for drought")
        themes.remove(drought)
        themes.insert(max(0, min(held - 2, len(themes))), drought)
        if _functions(themes[:held]) == _functions(THEMES):
            break
    return themes


# --- the monthly series ------------------------------------------------------------------------
def _first_call(today: dt.date) -> dt.date:
    """The first 12th of a month within the last year."""
    start = today - dt.timedelta(days=365)
    first = start.replace(day=SERIES_DAY)
    if first < start:
        month = first.month % 12 + 1
        first = first.replace(year=first.year + (first.month == 12), month=month)
    return first


def monthly_calls(session: Session, community_id: int, cast: Cast, people: Sequence[Person],
                  rng: random.Random, today: dt.date) -> list[Plan]:
    """Create the monthly series; return a plan for each occurrence (not yet updated)."""
    first = _first_call(today)
    past = sum(1 for at in S.occurrences(SeriesRule("monthly", _at(first, 14), count=24))
               if _weekday(at.date()) < today)
    rule = SeriesRule("monthly", _at(first, 14), count=past + PLANNED_AHEAD)
    data = SessionData(
        title="Monthly practice call",
        starts_at=rule.first_start,
        time_zone=cast.zone,
        planned_minutes=90,
        purpose="Our regular call: news, one topic in depth, and what we will try.",
        mode="online",
        location=CALL_LINK,
        facilitator_ids=(cast.chair.id,),
    )
    default = _blocks(rng, (*OPENING, OPEN_FLOOR, CLOSE), people, first, today,
                      [cast.chair, cast.cochair])
    _, ids = S.create_series(session, community_id, rule, data, default)
    # Two calls were cancelled (a holiday month, a strike), one in each half of the year,
    # and one moved a week for a public holiday.
    cancelled: set[int] = set()
    if past > 6:
        cancelled = {rng.randrange(2, past // 2), rng.randrange(past // 2 + 1, past - 1)}
    moved = rng.choice([i for i in range(1, past - 1) if i not in cancelled]) if past > 3 else -1
    themes = _theme_order(rng, past - len(cancelled))
    plans: list[Plan] = []
    topic = 0
    for i, sid in enumerate(ids):
        current = S.session_data(session, sid)
        day = _weekday(current.starts_at.date())
        if i == moved:
            day = _weekday(day + dt.timedelta(days=7))
        status = "held" if day < today else "planned"
        if i in cancelled:
            status = "cancelled"
        facilitators = [cast.chair if i % 2 == 0 else cast.cochair]
        if i % 4 == 3 and len(cast.core) > 2:
            helper = rng.choice([p for p in cast.core if p not in (cast.chair, cast.cochair)])
            facilitators.append(helper)
        plan = Plan(replace(current, starts_at=_at(day, 14), status=status,
                            facilitator_ids=tuple(p.id for p in facilitators)), [], id=sid)
        if status != "cancelled":
            theme = themes[topic % len(themes)]
            topic += 1
            plan.theme = theme
            plan.data = replace(plan.data, title=f"Practice call: {theme.title}",
                                purpose=theme.purpose)
            plan.blocks = _blocks(rng, (*OPENING, *theme.blocks, CLOSE), people, day, today,
                                  facilitators)
            plan.notes, plan.decisions = theme.notes, theme.decisions
            plan.resources, plan.actions = theme.resources, theme.actions
        else:
            plan.notes = "Cancelled: too many apologies for a public holiday week."
        plans.append(plan)
    return plans


# --- special sessions ------------------------------------------------------------------------
def _clear_of(day: dt.date, taken: Sequence[dt.date]) -> dt.date:
    """A weekday at least three days from every date in ``taken``, outside the holidays
    around the new year."""
    day = _weekday(day)
    while any(abs((day - t).days) < 3 for t in taken) or _holidays(day):
        day = _weekday(day + dt.timedelta(days=1))
    return day


def _review_year(day: dt.date) -> int:
    """The year an annual review looks back on (one held early in a year: the year before)."""
    return day.year - 1 if day.month <= 2 else day.year


def _holidays(day: dt.date) -> bool:
    return (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 3)


def _nearest_weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))


def _midway(calls: Sequence[Plan], target: dt.date, used: list[dt.date]) -> dt.date:
    """Halfway between the two held calls nearest ``target`` (a pair not yet used), so a
    special session keeps the rhythm rather than crowding a call."""
    held = sorted(p.day for p in calls if p.held)
    pairs = [(a, b) for a, b in itertools.pairwise(held) if a not in used]
    if not pairs:
        return target
    a, b = min(pairs, key=lambda ab: abs((ab[0] + (ab[1] - ab[0]) / 2 - target).days))
    used.append(a)
    return _nearest_weekday(a + (b - a) / 2)


def special_sessions(cast: Cast, people: Sequence[Person], rng: random.Random,
                     today: dt.date, calls: Sequence[Plan]) -> list[Plan]:
    taken = [p.day for p in calls]
    used: list[dt.date] = []

    def when(day: dt.date, *, between_calls: bool = False) -> dt.date:
        if between_calls:
            day = _midway(calls, day, used)
        chosen = _clear_of(day, taken)
        taken.append(chosen)
        return chosen

    both = (cast.chair, cast.cochair)
    plans: list[Plan] = []
    office = "Global WASH Alliance, Berlin office (room Spree), and online"
    sponsor_zone = cast.sponsor.row.time_zone if cast.sponsor else cast.zone
    owners = [cast.chair, *([cast.sponsor] if cast.sponsor else []), cast.cochair]
    city = cast.zone.rsplit("/", 1)[-1].replace("_", " ")

    day = when(_first_call(today) + dt.timedelta(days=15), between_calls=True)
    plans.append(Plan(
        SessionData(f"Annual review {_review_year(day)}", _at(day, 9, 30), sponsor_zone, 180,
                    "Look back at the year and plan the next.", "hybrid", office, "public",
                    "held" if day < today else "planned", tuple(p.id for p in both)),
        _from_template("Annual review", owners), invite="inner", boost=0.15,
        notes="Members valued the peer assists most; the knowledge map showed gaps in "
        "remote sensing, smart metering and blended finance.",
        decisions=f"Keep the monthly call on the {SERIES_DAY}th at 14:00 {city} time. Add one "
        "site visit and a private core-group check-in each quarter.",
        resources="The year in pictures (slides); value stories, written up",
        actions=(("Publish the value stories on the community page", "chair"),
                 ("Book the site visit with the host utility", "cochair")),
    ))

    day = when(today - dt.timedelta(days=130), between_calls=True)
    host = cast.site_host
    visit = (
        Blk("Arrival, tea and introductions", 30, "convenes_people", "check_in", "host"),
        Blk("Tour: intake, filters and the chlorine house", 90, "enhances_collaboration",
            "site_visit", "host", "Safety boots; hard hats provided"),
        Blk("Lunch", 60, "", "break"),
        Blk("Walking the distribution main to the kiosks", 60, "experience_sharing",
            "Walking tour", "host"),
        Blk("What we take home", 45, "experience_sharing", "open_discussion", "chair"),
    )
    visit_blocks = [BlockData(b.title, b.minutes, b.function, b.method,
                              (host if b.owner == "host" else cast.cochair).id
                              if b.owner else None, b.materials) for b in visit]
    plans.append(Plan(
        SessionData(f"Site visit: {host.row.organisation or 'a member utility'}",
                    _at(day, 9), host.row.time_zone or cast.zone, 300,
                    "See a working treatment plant and kiosk network, and ask the "
                    "operators everything.", "in_person",
                    f"{host.row.organisation}, treatment works (meet at the gate)", "public",
                    "held" if day < today else "planned", (cast.cochair.id, host.id)),
        visit_blocks, invite="region", boost=0.1,
        notes="The chlorine house doses by flow, not by time; kiosk attendants keep the "
        "daily log that the operators actually read.",
        decisions="Offer two more site visits next year, one in West Africa.",
        resources="Photo set and the kiosk log template",
        actions=(("Send the kiosk log template to everyone who visited", "host"),
                 ("Ask West African members to host the next visit", "cochair")),
    ))

    # The core group met in the month a call was cancelled, to take stock.
    gaps = [p.day for p in calls if p.data.status == "cancelled"]
    day = when(gaps[-1] if gaps else today - dt.timedelta(days=70), between_calls=True)
    core_blocks = (
        Blk("Where is the community now?", 20, "discuss_developments", "open_discussion",
            "chair"),
        Blk("Who is drifting, who is rising?", 25, "maps_knowledge_gaps",
            "knowledge_mapping", "cochair", "Attendance of the last six months"),
        Blk("Topics for the next quarter", 15, "filters_information", "open_discussion",
            "chair"),
    )
    plans.append(Plan(
        SessionData("Core group planning", _at(day, 16), cast.zone, 60,
                    "The core group's quarterly look at the community (private).", "online",
                    CALL_LINK + "-core", "private", "held", tuple(p.id for p in both)),
        _blocks(rng, core_blocks, people, day, today, both), invite="core",
        notes="Attendance of the active members is steady; two people stopped coming.",
        decisions="Phone the members who stopped coming before the next call.",
        actions=(("Phone the members who stopped coming", "cochair"),
                 ("Draft the topics for the next quarter", "chair")),
    ))

    # Ahead: lightning talks by an outside guest (the gap the drought call found), the
    # core group's next check-in, and this year's annual review.
    guests = [p for p in people if p.is_guest and "GIS mapping" in p.row.expertise
              and p.row.status == MemberStatus.ACTIVE.value] or [cast.chair]
    talks = (
        Blk("Welcome", 5, "convenes_people", "check_in", "chair"),
        Blk("Satellite soil moisture in five minutes", 10, "amplifies_information",
            "lightning_talks", "guest", "Slides shared in advance"),
        Blk("Rain gauges and SMS alerts on a small budget", 10, "amplifies_information",
            "lightning_talks", "tag:GIS mapping"),
        Blk("What would it take for us to use this?", 40, "discuss_developments", "fishbowl",
            "cochair"),
        CLOSE,
    )
    day = when(today + dt.timedelta(days=24))
    talk_blocks = _blocks(rng, [replace(b, owner="") if b.owner == "guest" else b
                                for b in talks], people, day, today, both)
    talk_blocks[1] = replace(talk_blocks[1], owner_id=guests[0].id)
    plans.append(Plan(
        SessionData("Lightning talks: remote sensing for drought early warning",
                    _at(day, 14), cast.zone, 75,
                    "Outside guests show what satellites and cheap sensors can tell us "
                    "about drought.", "online", CALL_LINK, "public", "planned",
                    (cast.chair.id,)),
        talk_blocks,
    ))
    day = when(today + dt.timedelta(days=45))
    plans.append(Plan(
        SessionData("Core group check-in", _at(day, 16), cast.zone, 60,
                    "The core group's quarterly look at the community (private).", "online",
                    CALL_LINK + "-core", "private", "planned", tuple(p.id for p in both)),
        _blocks(rng, core_blocks, people, day, today, both), invite="core",
    ))
    day = when(_first_call(today) + dt.timedelta(days=365 + 15))
    if day <= today:
        day = when(today + dt.timedelta(days=60))
    plans.append(Plan(
        SessionData(f"Annual review {_review_year(day)}", _at(day, 9, 30), sponsor_zone, 180,
                    "Look back at the year and plan the next.", "hybrid", office, "public",
                    "planned", tuple(p.id for p in both)),
        _from_template("Annual review", owners),
    ))
    return plans


# --- attendance, outcomes and actions -----------------------------------------------------------
def _invitees(plan: Plan, people: Sequence[Person], cast: Cast,
              today: dt.date) -> list[Person]:
    present = [p for p in people if p.present_on(plan.day, today)]
    if plan.invite == "core":
        return [p for p in present if p.level_on(plan.day) is Level.CORE]
    if plan.invite == "inner":
        return [p for p in present if p.level_on(plan.day).rank <= Level.OCCASIONAL.rank
                or p is cast.sponsor]
    if plan.invite == "region":
        region = cast.site_host.row.time_zone.split("/")[0]
        return [p for p in present if p.level_on(plan.day).rank <= Level.ACTIVE.rank
                or p.row.time_zone.startswith(region + "/")]
    return present


def _choose_one_offs(rng: random.Random, plans: Sequence[Plan], people: Sequence[Person],
                     today: dt.date) -> None:
    """Each transactional member comes to one or two public calls, to get something."""
    calls = [p for p in plans if p.held and p.invite == "everyone"]
    for person in people:
        if person.row.level != Level.TRANSACTIONAL.value:
            continue
        open_to = [c.id for c in calls if person.present_on(c.day, today)]
        if open_to:
            person.one_off = set(rng.sample(open_to, min(len(open_to), rng.randint(1, 2))))


def _response(plan: Plan, p: Person, leads: set[int], owners: set[int],
              rng: random.Random) -> tuple[str, str]:
    """(status, role) of one member at a held session."""
    level = p.level_on(plan.day)
    gone = p.stops_after is not None and plan.day > p.stops_after
    if p.id in leads:
        return "attended", "facilitator"
    if p.id in owners and not gone:
        return "attended", "guest" if p.is_guest else "presenter"
    role = "guest" if p.is_guest else "participant"
    if level is Level.TRANSACTIONAL:
        came = plan.id in p.one_off
    else:
        came = not gone and rng.random() < min(1.0, ATTEND[level] + plan.boost)
    if came:
        return "attended", role
    return ("apologised" if rng.random() < APOLOGISE[level] else "absent"), role


def mark_attendance(session: Session, plan: Plan, people: Sequence[Person], cast: Cast,
                    rng: random.Random, today: dt.date) -> None:
    """Invite and mark a session's attendance.

    A public call is open to everyone: the inner circle (occasional and closer) is on its
    list by name, and people from the edge appear only when they came or sent apologies.
    """
    candidates = _invitees(plan, people, cast, today)
    owners = {b.owner_id for b in plan.blocks if b.owner_id}
    leads = set(plan.data.facilitator_ids)
    for p in people:  # presenters and facilitators are invited whatever their level
        if (p.id in owners or p.id in leads) and p not in candidates:
            candidates.append(p)

    def named(p: Person) -> bool:
        return (plan.invite != "everyone" or p.id in leads | owners
                or p.level_on(plan.day).rank <= Level.OCCASIONAL.rank)

    if not plan.held:
        listed = [p for p in candidates if named(p)]
        S.invite(session, plan.id, [p.id for p in listed])
        # Ahead of a session, a few people have already sent apologies.
        apologies = {p.id: "apologised" for p in listed
                     if p.id not in leads | owners and rng.random() < 0.05}
        S.set_attendance_many(session, plan.id, apologies)
        return
    responses = [(p, *_response(plan, p, leads, owners, rng)) for p in candidates]
    responses = [(p, status, role) for p, status, role in responses
                 if named(p) or status != "absent"]
    # One batch per session (a few statements, not several per member: on a server
    # store each statement is a round trip).
    S.set_attendance_many(session, plan.id, {p.id: (status, role) for p, status, role in responses})


@dataclass(frozen=True)
class PendingAction:
    session_id: int
    title: str
    owner_id: int | None
    due_on: dt.date


def _actions_of(rng: random.Random, plan: Plan, people: Sequence[Person],
                today: dt.date) -> list[PendingAction]:
    by_id = {p.id: p for p in people}
    leads = [by_id[i] for i in plan.data.facilitator_ids]
    out = []
    for title, spec in plan.actions:
        owner_id: int | None
        if spec == "host":
            owner_id = plan.data.facilitator_ids[-1]
        else:
            owner = _pick_owner(rng, spec, people, plan.day, today, leads)
            owner_id = owner.id if owner else None
        due = plan.day + dt.timedelta(days=rng.choice((14, 21, 28, 35, 42)))
        out.append(PendingAction(plan.id, title, owner_id, due))
    return out


def add_outcomes_and_actions(session: Session, plans: Sequence[Plan], people: Sequence[Person],
                             rng: random.Random, today: dt.date) -> None:
    """Outcomes on held sessions; actions done, dropped, open, and a few overdue."""
    pending: list[PendingAction] = []
    for plan in plans:
        if plan.held:
            S.set_outcomes(session, plan.id, notes=plan.notes, decisions=plan.decisions,
                           resources=plan.resources)
            pending += _actions_of(rng, plan, people, today)
    past_due = [a for a in pending if a.due_on < today]
    recent = [a for a in past_due if a.due_on >= today - dt.timedelta(days=150)]
    overdue = set(rng.sample(recent, min(4, len(recent))))
    dropped = set(rng.sample([a for a in past_due if a not in overdue],
                             min(1, len(past_due) - len(overdue))))
    for a in pending:
        if a.due_on >= today or a in overdue:
            status, notes = "open", ""
        elif a in dropped:
            status, notes = "dropped", "Overtaken by events; no longer needed."
        else:
            status, notes = "done", ""
        S.add_action(session, a.session_id, ActionData(a.title, a.owner_id, a.due_on,
                                                       status, notes))


# --- the whole year ----------------------------------------------------------------------------
def add_demo_sessions(session: Session, community_id: int, roster: Sequence[M.MemberRow],
                      rng: random.Random, today: dt.date) -> list[int]:
    """Give the demo community a year of sessions ending around ``today``; returns their ids."""
    people = _people(session, roster)
    _drifter(people)
    cast = _cast(people)
    plans = monthly_calls(session, community_id, cast, people, rng, today)
    for plan in plans:
        S.update_session(session, plan.id, plan.data)
        if plan.blocks:
            S.set_agenda(session, plan.id, plan.blocks)
    specials = special_sessions(cast, people, rng, today, plans)
    for plan in specials:
        plan.id = S.create_session(session, community_id, plan.data, plan.blocks)
    everything = sorted([*plans, *specials], key=lambda p: p.data.starts_at)
    _choose_one_offs(rng, everything, people, today)
    upcoming = [p for p in everything if p.data.status == "planned"]
    for plan in everything:
        if plan.held or plan is upcoming[0] or (plan.invite == "core" and not plan.held):
            mark_attendance(session, plan, people, cast, rng, today)
    add_outcomes_and_actions(session, everything, people, rng, today)
    return [p.id for p in everything]
