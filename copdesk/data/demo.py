"""The demo community: a realistic Community of Practice to explore copdesk with.

``create_demo`` builds it from small steps so later issues can add sessions, fitness
checks and value entries beside the members:

* :func:`plan_members` decides, from a seeded ``random.Random``, who is in the community:
  levels in realistic proportions (a small core, some active members, many at the edge),
  roles, tags, consent, join dates and level histories. It is pure (no store).
* :func:`add_planned_members` writes a plan through the ordinary member commands.
* :func:`add_demo_sessions` (in :mod:`copdesk.data.demo_sessions`) gives the community a
  year of sessions ending around ``today``: a monthly series, special sessions, agendas,
  attendance that follows the participation levels, outcomes and follow-up actions.
* :func:`add_demo_values` and :func:`add_demo_fitness` (in
  :mod:`copdesk.data.demo_fitness_values`) log a year of value with a few complete
  value-creation stories, and four quarterly fitness checks with a believable trend.

The same seed gives the same community.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from copdesk.data import communities, members
from copdesk.data.demo_fitness_values import add_demo_fitness, add_demo_values
from copdesk.data.demo_sessions import add_demo_sessions
from copdesk.data.models import Community
from copdesk.data.validation import MemberData
from copdesk.framework import Level, MemberStatus, Role, Stage

DEMO_NAME = "Water & Sanitation Practitioners"
DEMO_DOMAIN = (
    "Designing, running and maintaining safe water supply and sanitation services in "
    "small towns and rural areas: what works in the field, what fails, and why."
)
DEMO_HOST = "Global WASH Alliance"
DEMO_STAGE = Stage.MATURING.value


class DemoExistsError(ValueError):
    """The store already holds a demo community."""


# --- who is who --------------------------------------------------------------------------
#: Country -> IANA time zone.
COUNTRIES: dict[str, str] = {
    "Kenya": "Africa/Nairobi",
    "Uganda": "Africa/Kampala",
    "Tanzania": "Africa/Dar_es_Salaam",
    "Nigeria": "Africa/Lagos",
    "Ghana": "Africa/Accra",
    "Senegal": "Africa/Dakar",
    "Ethiopia": "Africa/Addis_Ababa",
    "South Africa": "Africa/Johannesburg",
    "Denmark": "Europe/Copenhagen",
    "Poland": "Europe/Warsaw",
    "Czechia": "Europe/Prague",
    "Germany": "Europe/Berlin",
    "France": "Europe/Paris",
    "Netherlands": "Europe/Amsterdam",
    "Ireland": "Europe/Dublin",
    "United Kingdom": "Europe/London",
    "Spain": "Europe/Madrid",
    "Portugal": "Europe/Lisbon",
    "Greece": "Europe/Athens",
    "Türkiye": "Europe/Istanbul",
    "Serbia": "Europe/Belgrade",
    "Bulgaria": "Europe/Sofia",
    "Kazakhstan": "Asia/Almaty",
    "Georgia": "Asia/Tbilisi",
    "Armenia": "Asia/Yerevan",
    "India": "Asia/Kolkata",
    "Nepal": "Asia/Kathmandu",
    "Bangladesh": "Asia/Dhaka",
    "Vietnam": "Asia/Ho_Chi_Minh",
    "Japan": "Asia/Tokyo",
    "Peru": "America/Lima",
    "Colombia": "America/Bogota",
    "Brazil": "America/Sao_Paulo",
    "Mexico": "America/Mexico_City",
    "Canada": "America/Toronto",
}

#: Organisation -> email domain (reserved ``.example`` domains: nobody gets mail).
ORGANISATIONS: dict[str, str] = {
    DEMO_HOST: "globalwash.example",
    "Lakeside Water Board": "lakesidewater.example",
    "Kampala Water & Sewerage": "kws.example",
    "Ogun Basin Water Trust": "ogunbasin.example",
    "Volta Rural Water Agency": "voltawater.example",
    "Eau Vive Sahel": "eauvive.example",
    "Highlands Water Bureau": "highlandswater.example",
    "Nordic Water Institute": "nordicwater.example",
    "Vistula Water Works": "vistula.example",
    "Danube Water Utilities Network": "danubewater.example",
    "Aqua Viva Foundation": "aquaviva.example",
    "Hellenic Water Utilities": "hellenicwater.example",
    "Anatolian Water Platform": "anatolianwater.example",
    "Steppe Water Trust": "steppewater.example",
    "Caucasus Water Forum": "caucasuswater.example",
    "Deccan Sanitation Trust": "deccansanitation.example",
    "Himalayan Springs Initiative": "himalayansprings.example",
    "Delta WASH Network": "deltawash.example",
    "Mekong Sanitation Partnership": "mekongsan.example",
    "Rural Pipes Cooperative": "ruralpipes.example",
    "Irish Group Water Federation": "groupwater.example",
    # Outside the host's network: their people take part as outside guests.
    "Delft Hydrology Lab": "delfthydro.example",
    "BlueLedger Consulting": "blueledger.example",
    "Open Sensor Collective": "opensensor.example",
    "Cape Water Research Unit": "capewater.example",
    "Great Lakes Water Lab": "greatlakeslab.example",
}
OUTSIDE_ORGANISATIONS = frozenset({
    "Delft Hydrology Lab",
    "BlueLedger Consulting",
    "Open Sensor Collective",
    "Cape Water Research Unit",
    "Great Lakes Water Lab",
})


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    country: str
    organisation: str
    job_title: str
    speciality: tuple[str, ...]  # what they are known for (expertise tags)
    email_local: str = ""  # derived from the name when empty
    notes: str = ""


P = Person
PEOPLE: tuple[Person, ...] = (
    P("Ngũgĩ Kamau", "Kenya", "Lakeside Water Board", "Operations manager",
      ("utility management", "non-revenue water"),
      notes="Hosts the Nakuru field visits; prefers WhatsApp to email."),
    P("Wanjiru Njoroge", "Kenya", "Lakeside Water Board", "Water quality analyst",
      ("water quality testing", "chlorination")),
    P("Achieng' Otieno", "Kenya", "Lakeside Water Board", "Community liaison officer",
      ("behaviour change", "hygiene promotion"), email_local="achieng.otieno"),
    P("Kiprop Cheruiyot", "Kenya", "Lakeside Water Board", "Field technician",
      ("handpump maintenance",)),
    P("Sarah Nakato", "Uganda", "Kampala Water & Sewerage", "Sanitation engineer",
      ("faecal sludge management",)),
    P("Joseph Okello", "Uganda", "Kampala Water & Sewerage", "Network planner",
      ("GIS mapping", "non-revenue water")),
    P("Aisha Nambi", "Uganda", "Kampala Water & Sewerage", "Customer service lead",
      ("tariff design",)),
    P("Neema Mwakyusa", "Tanzania", DEMO_HOST, "Programme officer",
      ("monitoring & evaluation",)),
    P("Baraka Mushi", "Tanzania", DEMO_HOST, "Regional coordinator",
      ("community-led total sanitation", "hygiene promotion"),
      notes="Co-facilitates the East Africa calls with Zoë."),
    P("Ọlájídé Adébáyọ", "Nigeria", "Ogun Basin Water Trust", "Hydrogeologist",
      ("hydrogeology", "borehole drilling"), email_local="olajide.adebayo",
      notes="R&D <lead> for the basin trust; ask about the borehole logger pilot."),
    P("Chiamaka Okafor", "Nigeria", "Ogun Basin Water Trust", "M&E specialist",
      ("monitoring & evaluation",)),
    P("Ṣèyí Afọlábí", "Nigeria", "Ogun Basin Water Trust", "Civil engineer",
      ("solar pumping",), email_local="seyi.afolabi"),
    P("Ama Owusu-Ansah", "Ghana", "Volta Rural Water Agency", "Hygiene promotion lead",
      ("hygiene promotion", "menstrual hygiene")),
    P("Kwame Mensah", "Ghana", "Volta Rural Water Agency", "District water engineer",
      ("handpump maintenance", "procurement")),
    P("Aïssatou Diallo", "Senegal", "Eau Vive Sahel", "Programme director",
      ("utility management", "grant writing")),
    P("Mamadou Ndiaye", "Senegal", "Eau Vive Sahel", "Borehole technician",
      ("borehole drilling",)),
    P("Fatou Sène", "Senegal", "Eau Vive Sahel", "Sanitation officer",
      ("community-led total sanitation",)),
    P("Selamawit Tesfaye", "Ethiopia", DEMO_HOST, "Country lead",
      ("climate resilience", "water safety planning")),
    P("Dawit Bekele", "Ethiopia", "Highlands Water Bureau", "Water supply engineer",
      ("spring-shed management", "solar pumping")),
    P("Thandiwe Dlamini", "South Africa", "Cape Water Research Unit", "Researcher",
      ("climate resilience", "rainwater harvesting")),
    P("Pieter van der Merwe", "South Africa", "BlueLedger Consulting", "Consultant",
      ("tariff design", "procurement"), email_local="pieter.vandermerwe"),
    P("Søren Østergaard", "Denmark", "Nordic Water Institute", "Senior hydrologist",
      ("hydrogeology", "climate resilience")),
    P("Freja Mølgaard", "Denmark", "Nordic Water Institute", "Data scientist",
      ("GIS mapping",)),
    P("Anders Bækgaard", "Denmark", "Nordic Water Institute", "Researcher",
      ("water safety planning",)),
    P("Łukasz Wiśniewski", "Poland", "Vistula Water Works", "Asset manager",
      ("non-revenue water", "utility management")),
    P("Małgorzata Zając", "Poland", "Vistula Water Works", "Laboratory head",
      ("water quality testing",)),
    P("Tereza Dvořáková", "Czechia", "Danube Water Utilities Network",
      "Benchmarking analyst", ("utility management", "monitoring & evaluation")),
    P("Jiří Dvořák", "Czechia", "Danube Water Utilities Network", "Process engineer",
      ("chlorination", "water safety planning")),
    P("Jürgen Weiß", "Germany", "Open Sensor Collective", "Hardware developer",
      ("solar pumping",), email_local="juergen.weiss"),
    P("Lena Groß", "Germany", DEMO_HOST, "Head of knowledge management",
      ("grant writing",), email_local="lena.gross",
      notes="Sponsor contact at the host: the quarterly roster goes to her."),
    P("François Lefèvre", "France", DEMO_HOST, "Programme director",
      ("procurement", "grant writing")),
    P("Zoë Martin", "France", DEMO_HOST, "Knowledge manager",
      ("monitoring & evaluation", "behaviour change"),
      notes="Runs the monthly call & keeps the shared library tidy."),
    P("Hélène Côté", "France", "Eau Vive Sahel", "Fundraising officer",
      ("grant writing",)),
    P("Sanne de Vries", "Netherlands", "Delft Hydrology Lab", "PhD researcher",
      ("hydrogeology",), email_local="sanne.devries"),
    P("Joost van 't Hof", "Netherlands", "Delft Hydrology Lab", "Associate professor",
      ("hydrogeology", "climate resilience"), email_local="joost.vanthof",
      notes='Invited for the "groundwater & climate" series as a guest speaker.'),
    P("Siobhán O'Connell", "Ireland", "Irish Group Water Federation",
      "Group water scheme adviser", ("water safety planning", "utility management"),
      email_local="siobhan.oconnell"),
    P("Oliver Bennett", "United Kingdom", "BlueLedger Consulting", "Financial analyst",
      ("tariff design",)),
    P("Priya Raghunathan", "United Kingdom", DEMO_HOST, "Monitoring & evaluation lead",
      ("monitoring & evaluation", "behaviour change")),
    P("José Manuel Muñoz", "Spain", "Aqua Viva Foundation", "Technical director",
      ("rainwater harvesting", "utility management")),
    P("Nuria Castañeda", "Spain", "Aqua Viva Foundation", "Project manager",
      ("procurement",)),
    P("Ana Luísa Gonçalves", "Portugal", "Aqua Viva Foundation", "Water engineer",
      ("non-revenue water",)),
    P("Γιώργος Παπαδόπουλος", "Greece", "Hellenic Water Utilities", "Network engineer",
      ("non-revenue water", "GIS mapping"), email_local="g.papadopoulos"),
    P("Ελένη Κωνσταντίνου", "Greece", "Hellenic Water Utilities", "Water safety planner",
      ("water safety planning",), email_local="e.konstantinou"),
    P("İlkay Yıldız", "Türkiye", "Anatolian Water Platform", "Policy adviser",
      ("tariff design", "climate resilience"), email_local="ilkay.yildiz"),
    P("Çağla Öztürk", "Türkiye", "Anatolian Water Platform", "Environmental engineer",
      ("water quality testing",), email_local="cagla.ozturk"),
    P("Милош Јовановић", "Serbia", "Danube Water Utilities Network", "Utility manager",
      ("utility management",), email_local="milos.jovanovic"),
    P("Мария Георгиева", "Bulgaria", "Danube Water Utilities Network", "Trainer",
      ("behaviour change",), email_local="maria.georgieva"),
    P("Айгерим Нұрланқызы", "Kazakhstan", "Steppe Water Trust", "Programme officer",
      ("rainwater harvesting",), email_local="aigerim.n"),
    P("ნინო ბერიძე", "Georgia", "Caucasus Water Forum", "Sanitation specialist",
      ("faecal sludge management",), email_local="nino.beridze"),
    P("Արամ Պետրոսյան", "Armenia", "Caucasus Water Forum", "Irrigation engineer",
      ("solar pumping", "spring-shed management"), email_local="aram.petrosyan"),
    P("Anil Deshpande", "India", DEMO_HOST, "Regional adviser",
      ("community-led total sanitation",)),
    P("Meenakshi Iyer", "India", "Deccan Sanitation Trust", "FSM specialist",
      ("faecal sludge management", "menstrual hygiene")),
    P("Sunita Gurung", "Nepal", "Himalayan Springs Initiative", "Spring-shed manager",
      ("spring-shed management",)),
    P("Farhana Rahman", "Bangladesh", "Delta WASH Network", "Arsenic mitigation officer",
      ("arsenic mitigation", "water quality testing")),
    P("Nguyễn Thị Hương", "Vietnam", "Mekong Sanitation Partnership",
      "Project coordinator", ("hygiene promotion",), email_local="huong.nguyen"),
    P("Trần Văn Minh", "Vietnam", "Mekong Sanitation Partnership", "Engineer",
      ("faecal sludge management",), email_local="minh.tran"),
    P("Haruto Satō", "Japan", "Open Sensor Collective", "Sensor engineer",
      ("GIS mapping",), email_local="haruto.sato"),
    P("Rosa Quispe Mamani", "Peru", "Rural Pipes Cooperative", "Community organiser",
      ("behaviour change", "hygiene promotion"), email_local="rosa.quispe"),
    P("Andrés Felipe Ríos", "Colombia", "Rural Pipes Cooperative", "Engineer",
      ("gravity-fed systems",)),
    P("João Pedro Araújo", "Brazil", "Aqua Viva Foundation", "Hydrologist",
      ("rainwater harvesting", "hydrogeology")),
    P("Ximena Hernández", "Mexico", "Aqua Viva Foundation", "Social researcher",
      ("behaviour change",)),
    P("Marie-Ève Tremblay", "Canada", "Great Lakes Water Lab", "Researcher",
      ("water quality testing",)),
)
del P

#: The coordinators/facilitators (always in the core) and the host's sponsor.
COORDINATORS = ("Zoë Martin", "Baraka Mushi")
SPONSOR = "Lena Groß"
#: People whose notes say how involved they are keep a matching level.
PINNED_LEVELS: dict[str, Level] = {"Ngũgĩ Kamau": Level.CORE, "Ọlájídé Adébáyọ": Level.ACTIVE}

#: Expertise tags that members add to their speciality, most popular first.
EXTRA_EXPERTISE: tuple[str, ...] = (
    "monitoring & evaluation", "behaviour change", "water quality testing",
    "climate resilience", "hygiene promotion", "GIS mapping", "procurement",
    "utility management", "rainwater harvesting", "solar pumping", "grant writing",
    "chlorination", "tariff design", "handpump maintenance", "gravity-fed systems",
)  # fmt: skip

#: What people want to learn. The first four nobody in the community holds: the gaps.
GAP_TAGS: tuple[str, ...] = (
    "remote sensing", "smart metering", "blended finance", "drought early warning",
)  # fmt: skip
WANTED_TAGS: tuple[str, ...] = (
    *GAP_TAGS,
    "climate resilience", "solar pumping", "GIS mapping", "non-revenue water",
    "faecal sludge management", "tariff design", "water safety planning",
    "behaviour change", "monitoring & evaluation", "menstrual hygiene",
    "arsenic mitigation", "spring-shed management", "grant writing",
)  # fmt: skip

#: Members per level for the 62 people above: a small core, then widening circles.
LEVEL_COUNTS: dict[Level, int] = {
    Level.CORE: 8,
    Level.ACTIVE: 11,
    Level.OCCASIONAL: 14,
    Level.PERIPHERAL: 20,
    Level.TRANSACTIONAL: 9,
}

#: Days before today that a member at each level joined (earliest, latest).
JOINED_DAYS: dict[Level, tuple[int, int]] = {
    Level.CORE: (500, 1100),
    Level.ACTIVE: (300, 1000),
    Level.OCCASIONAL: (120, 900),
    Level.PERIPHERAL: (30, 800),
    Level.TRANSACTIONAL: (10, 400),
}


@dataclass(frozen=True)
class PlannedMember:
    """One member to add: their data (final level) and earlier levels with dates."""

    data: MemberData
    history: tuple[tuple[dt.date, str], ...] = field(default=())  # after the joined level

    @property
    def first_level(self) -> str:
        return self.history[0][1] if self.history else self.data.level


# --- planning (pure) -----------------------------------------------------------------------
def ascii_fold(text: str) -> str:
    table = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss",
                           "ı": "i", "'": ""})  # fmt: skip
    decomposed = unicodedata.normalize("NFKD", text.translate(table))
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))


def email_for(person: Person) -> str:
    local = person.email_local
    if not local:
        parts = ascii_fold(person.name).lower().split()
        local = f"{parts[0]}.{parts[-1]}"
    return f"{local}@{ORGANISATIONS[person.organisation]}"


def assign_levels(rng: random.Random, people: Sequence[Person]) -> dict[str, Level]:
    """Levels in the proportions of LEVEL_COUNTS (scaled to ``people``).

    Coordinators are in the core; outside guests and the sponsor stay at the edge.
    """
    total = sum(LEVEL_COUNTS.values())
    counts = {lv: round(n * len(people) / total) for lv, n in LEVEL_COUNTS.items()}
    counts[Level.PERIPHERAL] += len(people) - sum(counts.values())
    levels: dict[str, Level] = {}
    pinned = {name: Level.CORE for name in COORDINATORS} | PINNED_LEVELS
    for name, level in pinned.items():
        if any(p.name == name for p in people):
            levels[name] = level
            counts[level] -= 1
    edge = [p.name for p in people
            if p.organisation in OUTSIDE_ORGANISATIONS or p.name == SPONSOR]
    inside = [p.name for p in people if p.name not in levels and p.name not in edge]
    rng.shuffle(inside)
    for level in (Level.CORE, Level.ACTIVE):
        for _ in range(max(counts[level], 0)):
            levels[inside.pop()] = level
    rest = [*inside, *edge]
    rng.shuffle(rest)
    for level in (Level.OCCASIONAL, Level.TRANSACTIONAL, Level.PERIPHERAL):
        n = len(rest) if level is Level.PERIPHERAL else counts[level]
        for _ in range(n):
            levels[rest.pop()] = level
    if SPONSOR in levels:
        levels[SPONSOR] = Level.OCCASIONAL
    return levels


def assign_roles(rng: random.Random, person: Person, level: Level,
                 expertise: Sequence[str]) -> tuple[str, ...]:
    roles: list[str] = []
    if person.name == SPONSOR:
        roles.append(Role.SPONSOR.value)
    if person.name in COORDINATORS:
        roles.append(Role.COORDINATOR.value)
    if level is Level.CORE:
        roles.append(Role.CORE_MEMBER.value)
    known_for = len(expertise) >= 3 or (len(expertise) >= 2 and level.rank <= Level.ACTIVE.rank)
    if known_for and level.rank <= Level.OCCASIONAL.rank and rng.random() < 0.5:
        roles.append(Role.EXPERT.value)
    if person.organisation in OUTSIDE_ORGANISATIONS:
        roles.append(Role.OUTSIDE_GUEST.value)
        if "professor" in person.job_title.lower():
            roles.append(Role.EXPERT.value)
    elif not roles or roles == [Role.EXPERT.value]:
        roles.append(Role.MEMBER.value)
    return tuple(dict.fromkeys(roles))


def pick_tags(rng: random.Random, person: Person, level: Level) -> tuple[
    tuple[str, ...], tuple[str, ...]
]:
    """(expertise, interests): the speciality plus a few more; interests they lack."""
    extra = {Level.CORE: 2, Level.ACTIVE: 2, Level.OCCASIONAL: 1}.get(level, 0)
    expertise = list(person.speciality)
    pool = [t for t in EXTRA_EXPERTISE if t not in expertise]
    weights = [len(pool) - i for i in range(len(pool))]
    for _ in range(rng.randint(0, extra)):
        tag = rng.choices(pool, weights)[0]
        if tag not in expertise:
            expertise.append(tag)
    wanted = [t for t in WANTED_TAGS if t not in expertise]
    n = 1 if level is Level.TRANSACTIONAL else rng.randint(1, 3)
    interests: list[str] = []
    while len(interests) < n:
        # The gaps are real but niche: wanted half as often as the common topics.
        tag = rng.choices(wanted, [1 if t in GAP_TAGS else 2 for t in wanted])[0]
        if tag not in interests:
            interests.append(tag)
    return tuple(expertise), tuple(interests)


def level_path(
    rng: random.Random, final: Level, joined: dt.date, today: dt.date
) -> tuple[tuple[dt.date, str], ...]:
    """A move from the edge toward ``final`` over the last two years, step by step."""
    start = rng.choice((Level.PERIPHERAL, Level.OCCASIONAL))
    steps = [lv for lv in Level if final.rank <= lv.rank < start.rank]
    steps.sort(key=lambda lv: -lv.rank)
    if not steps:
        return ()
    first = max(joined + dt.timedelta(days=60), today - dt.timedelta(days=700))
    last = today - dt.timedelta(days=rng.randint(20, 90))
    span = max((last - first).days, len(steps))
    dates = sorted(first + dt.timedelta(days=d) for d in rng.sample(range(span), len(steps)))
    return ((joined, start.value), *((d, lv.value) for d, lv in zip(dates, steps, strict=True)))


def plan_members(rng: random.Random, today: dt.date,
                 people: Sequence[Person] = PEOPLE) -> list[PlannedMember]:
    """The demo community's members, deterministic for a given ``rng`` state."""
    levels = assign_levels(rng, people)
    plans: list[PlannedMember] = []
    passing = [p.name for p in people if levels[p.name] is Level.TRANSACTIONAL
               and p.organisation not in OUTSIDE_ORGANISATIONS]
    no_email = set(rng.sample(passing, min(3, len(passing))))
    for person in people:
        level = levels[person.name]
        expertise, interests = pick_tags(rng, person, level)
        low, high = JOINED_DAYS[level]
        joined = today - dt.timedelta(days=rng.randint(low, high))
        data = MemberData(
            full_name=person.name,
            email="" if person.name in no_email else email_for(person),
            organisation=person.organisation,
            job_title=person.job_title,
            region=person.country,
            time_zone=COUNTRIES[person.country],
            joined_on=joined,
            level=level.value,
            roles=assign_roles(rng, person, level, expertise),
            expertise=expertise,
            interests=interests,
            consent=True,
            notes=person.notes,
        )
        plans.append(PlannedMember(data))
    plans = _with_trajectories(rng, plans, today)
    plans = _with_gaps_sought(rng, plans)
    plans = _without_consent(rng, plans)
    return _with_leavers(rng, plans, today)


def _index_of(plans: Sequence[PlannedMember], name: str) -> int:
    return next(i for i, p in enumerate(plans) if p.data.full_name == name)


def _with_trajectories(
    rng: random.Random, plans: list[PlannedMember], today: dt.date
) -> list[PlannedMember]:
    """Some core and active members moved in from the edge; one drifted outward."""
    inner = [p.data.full_name for p in plans
             if p.data.level in (Level.CORE, Level.ACTIVE)
             and p.data.full_name not in COORDINATORS]
    for name in rng.sample(inner, min(8, len(inner))):
        i = _index_of(plans, name)
        plan = plans[i]
        assert plan.data.joined_on is not None
        joined = min(plan.data.joined_on, today - dt.timedelta(days=rng.randint(640, 760)))
        path = level_path(rng, Level(plan.data.level), joined, today)
        plans[i] = PlannedMember(replace(plan.data, joined_on=joined), path)
    outer = [p.data.full_name for p in plans
             if p.data.level == Level.OCCASIONAL and not p.history
             and p.data.full_name != SPONSOR]
    if outer:
        i = _index_of(plans, rng.choice(outer))
        plan = plans[i]
        joined = today - dt.timedelta(days=rng.randint(600, 900))
        moved = today - dt.timedelta(days=rng.randint(90, 240))
        plans[i] = PlannedMember(
            replace(plan.data, joined_on=joined),
            ((joined, Level.ACTIVE.value), (moved, Level.OCCASIONAL.value)),
        )
    return plans


def _with_gaps_sought(rng: random.Random, plans: list[PlannedMember]) -> list[PlannedMember]:
    """Every gap is wanted by at least two members, so the knowledge map shows it."""
    for gap in GAP_TAGS:
        seekers = [i for i, p in enumerate(plans) if gap in p.data.interests]
        others = [i for i, p in enumerate(plans) if gap not in p.data.interests]
        for i in rng.sample(others, max(0, 2 - len(seekers))):
            data = plans[i].data
            plans[i] = replace(plans[i], data=replace(data, interests=(*data.interests, gap)))
    return plans


def _without_consent(rng: random.Random, plans: list[PlannedMember]) -> list[PlannedMember]:
    """About one in seven, none of them core, did not consent to host reports."""
    candidates = [i for i, p in enumerate(plans)
                  if p.data.level != Level.CORE and p.data.full_name != SPONSOR]
    for i in rng.sample(candidates, max(1, len(plans) // 7)):
        plans[i] = replace(plans[i], data=replace(plans[i].data, consent=False))
    return plans


def _with_leavers(
    rng: random.Random, plans: list[PlannedMember], today: dt.date
) -> list[PlannedMember]:
    """A couple of people from the edge have left the community."""
    candidates = [i for i, p in enumerate(plans)
                  if p.data.level in (Level.PERIPHERAL, Level.OCCASIONAL) and not p.history
                  and p.data.full_name != SPONSOR
                  and Role.OUTSIDE_GUEST.value not in p.data.roles]
    for i in rng.sample(candidates, min(2, len(candidates))):
        left_on = today - dt.timedelta(days=rng.randint(20, 200))
        note = f"Left in {left_on:%B %Y} after changing jobs; happy to be contacted."
        data = plans[i].data
        notes = f"{data.notes}\n{note}".strip()
        plans[i] = replace(plans[i], data=replace(
            data, status=MemberStatus.LEFT.value, notes=notes))
    return plans


# --- writing ------------------------------------------------------------------------------
def demo_community_id(session: Session) -> int | None:
    """The id of the store's demo community, if it has one."""
    return session.scalar(select(Community.id).where(Community.is_demo.is_(True)).limit(1))


def create_demo_community(session: Session) -> int:
    existing = demo_community_id(session)
    if existing is not None:
        name = session.get_one(Community, existing).name
        raise DemoExistsError(f"this store already has the demo community ({name!r})")
    if session.scalar(select(Community.id).where(Community.name == DEMO_NAME)) is not None:
        raise DemoExistsError(
            f"this store already has a community named {DEMO_NAME!r}; the demo needs that name"
        )
    return communities.create_community(
        session,
        DEMO_NAME,
        domain=DEMO_DOMAIN,
        host_organisation=DEMO_HOST,
        stage=DEMO_STAGE,
        is_demo=True,
    )


def add_planned_members(
    session: Session, community_id: int, plans: Sequence[PlannedMember], today: dt.date
) -> list[int]:
    """Add the planned members through the member commands, with their level history."""
    ids: list[int] = []
    for plan in plans:
        data = replace(plan.data, level=plan.first_level)
        member_id = members.add_member(session, community_id, data, today=today)
        for on, level in plan.history[1:]:
            members.set_level(session, member_id, level, on=on)
        if plan.history and plan.history[-1][1] != plan.data.level:
            members.set_level(session, member_id, plan.data.level, on=today)
        ids.append(member_id)
    return ids


def create_demo(session: Session, *, seed: int = 7, today: dt.date | None = None) -> int:
    """Create the demo community; returns its id. Raises DemoExistsError if one exists."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    community_id = create_demo_community(session)
    add_planned_members(session, community_id, plan_members(rng, today), today)
    roster = members.list_members(session, community_id)
    add_demo_sessions(session, community_id, roster, rng, today)
    add_demo_values(session, community_id, roster, rng, today)
    add_demo_fitness(session, community_id, roster, rng, today)
    return community_id
