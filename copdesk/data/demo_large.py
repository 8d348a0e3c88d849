"""A deterministic large community, to measure copdesk at scale (issue 8).

``create_large_demo(session, size="large", seed=N)`` writes, in the caller's transaction,
a network of practice of the size a long-lived CoP reaches:

============  ========  ========  ==============  ==========  ======  ===========
size          members   sessions  agenda blocks   attendance  values  assessments
============  ========  ========  ==============  ==========  ======  ===========
``large``     10,000    2,000     about 16,000    60,000      20,000  40
``xlarge``    20,000    4,000     about 32,000    120,000     40,000  80
``tiny``      100       20        about 160       600         200     4 (tests)
============  ========  ========  ==============  ==========  ======  ===========

Everything is decided by ``random.Random(seed)`` and ``today``: the same seed and day give
the same rows. Rows go in with SQLAlchemy Core ``executemany`` in batches (not one ORM
object at a time), normalised exactly as the ordinary commands normalise them (name, email
and tag keys, level history, roles, positions), so every query reads them as if they had
been typed in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from copdesk.data import communities
from copdesk.data.demo import COUNTRIES, DemoExistsError
from copdesk.data.models import Base, Community
from copdesk.data.validation import email_key, name_key, tag_key
from copdesk.framework import (
    CHECKLISTS,
    FUNCTION_METHODS,
    FUNCTIONS,
    VALUE_CYCLES,
    VALUE_TO_MEMBERS,
    VALUE_TO_ORGANISATION,
    Level,
    Role,
    Stage,
)

BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Size:
    members: int
    sessions: int
    attendance: int
    values: int
    assessments: int

    @property
    def series(self) -> int:
        return max(1, self.sessions // 100)

    @property
    def stories(self) -> int:
        return max(1, self.values // 100)


SIZES: dict[str, Size] = {
    "large": Size(10_000, 2_000, 60_000, 20_000, 40),
    "xlarge": Size(20_000, 4_000, 120_000, 40_000, 80),
    # Hidden: 1/100 of large, for tests.
    "tiny": Size(100, 20, 600, 200, 4),
}
PUBLIC_SIZES = ("large", "xlarge")

#: Years of history the sessions and value entries cover, ending around today.
YEARS = 6
BLOCKS_PER_SESSION = (6, 10)  # inclusive: 8 on average

FIRST_NAMES = (
    "Amina", "Ngũgĩ", "Søren", "Łukasz", "Zoë", "Baraka", "Aïssatou", "José", "Priya",
    "Haruto", "Chiamaka", "Freja", "Małgorzata", "Jürgen", "Hélène", "Siobhán", "Mamadou",
    "Ana Luísa", "Kwame", "Thandiwe", "Dawit", "İlkay", "Çağla", "Sunita", "Farhana",
    "Rosa", "Andrés", "João", "Ximena", "Marie-Ève", "Oliver", "Lena", "François",
    "Wanjiru", "Kiprop", "Sarah", "Joseph", "Neema", "Fatou", "Selamawit", "Anders",
    "Tereza", "Jiří", "Sanne", "Joost", "Nuria", "Anil", "Meenakshi", "Minh", "Huong",
    "Γιώργος", "Ελένη", "Милош", "Мария", "Айгерим", "ნინო", "Արամ", "Ọlájídé", "Ṣèyí",
    "Achieng'", "Pieter", "Ama", "Aisha", "Kiran", "Mei", "Tomás", "Ingrid", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Kamau", "Njoroge", "Otieno", "Østergaard", "Wiśniewski", "Martin", "Mushi", "Diallo",
    "Muñoz", "Raghunathan", "Satō", "Okafor", "Mølgaard", "Zając", "Weiß", "Côté",
    "O'Connell", "Ndiaye", "Gonçalves", "Mensah", "Dlamini", "Bekele", "Yıldız", "Öztürk",
    "Gurung", "Rahman", "Quispe Mamani", "Ríos", "Araújo", "Hernández", "Tremblay",
    "Bennett", "Groß", "Lefèvre", "Cheruiyot", "Nakato", "Okello", "Mwakyusa", "Sène",
    "Tesfaye", "Bækgaard", "Dvořáková", "Dvořák", "de Vries", "van 't Hof", "Castañeda",
    "Deshpande", "Iyer", "Trần", "Nguyễn", "Παπαδόπουλος", "Κωνσταντίνου", "Јовановић",
    "Георгиева", "Нұрланқызы", "ბერიძე", "Պետրոսյան", "Adébáyọ", "Afọlábí", "Owusu-Ansah",
    "van der Merwe", "Nambi", "Patel", "Chen", "Silva", "Larsen", "Haddad", "Kowalski",
)  # fmt: skip
ASCII = str.maketrans({
    "ũ": "u", "ĩ": "i", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ë": "e", "ï": "i",
    "é": "e", "è": "e", "ê": "e", "É": "E", "í": "i", "á": "a", "à": "a", "ã": "a",
    "â": "a", "ç": "c", "ğ": "g", "ı": "i", "İ": "I", "ö": "o", "Ö": "O", "ü": "u",
    "ß": "ss", "ś": "s", "ń": "n", "ą": "a", "ż": "z", "ō": "o", "ñ": "n", "ú": "u",
    "ó": "o", "ọ": "o", "ṣ": "s", "Ọ": "O", "Ṣ": "S", "ě": "e", "ř": "r", "ý": "y",
    "ǎ": "a", "æ": "ae", "Å": "A", "å": "a", "ễ": "e", "ầ": "a", "ạ": "a",
})  # fmt: skip

ORGANISATIONS = (
    "Global WASH Alliance", "Lakeside Water Board", "Kampala Water & Sewerage",
    "Ogun Basin Water Trust", "Volta Rural Water Agency", "Eau Vive Sahel",
    "Highlands Water Bureau", "Nordic Water Institute", "Vistula Water Works",
    "Danube Water Utilities Network", "Aqua Viva Foundation", "Hellenic Water Utilities",
    "Anatolian Water Platform", "Steppe Water Trust", "Caucasus Water Forum",
    "Deccan Sanitation Trust", "Himalayan Springs Initiative", "Delta WASH Network",
    "Mekong Sanitation Partnership", "Rural Pipes Cooperative", "Delft Hydrology Lab",
    "BlueLedger Consulting", "Open Sensor Collective", "Cape Water Research Unit",
)  # fmt: skip
JOBS = (
    "Operations manager", "Water quality analyst", "Field technician", "Sanitation engineer",
    "Network planner", "Programme officer", "Regional coordinator", "Hydrogeologist",
    "M&E specialist", "Civil engineer", "Researcher", "Consultant", "Data scientist",
    "Asset manager", "Policy adviser", "Trainer", "Project manager", "Community organiser",
)  # fmt: skip
TAGS = (
    "utility management", "non-revenue water", "water quality testing", "chlorination",
    "behaviour change", "hygiene promotion", "handpump maintenance", "faecal sludge management",
    "GIS mapping", "tariff design", "monitoring & evaluation", "community-led total sanitation",
    "hydrogeology", "borehole drilling", "solar pumping", "menstrual hygiene", "procurement",
    "grant writing", "climate resilience", "water safety planning", "spring-shed management",
    "rainwater harvesting", "arsenic mitigation", "gravity-fed systems", "asset management",
    "leak detection", "customer service", "water law", "citizen science", "data dashboards",
    "school WASH", "WASH in health care", "emergency WASH", "desalination", "wastewater reuse",
    "groundwater recharge", "pipe materials", "pump hydraulics", "energy efficiency",
    "public-private partnerships", "regulation", "gender & WASH", "disability inclusion",
    "WASH finance", "mobile payments", "water kiosks", "latrine design",
    "container-based sanitation",
)  # fmt: skip
#: Wanted by some, held by nobody: the knowledge map's gaps.
GAP_TAGS = ("remote sensing", "smart metering", "blended finance", "drought early warning")
TOPICS = (
    "Non-revenue water", "Handpumps after the rains", "Water safety plans", "Solar pumping",
    "Chlorination at home", "Planning for drought", "Hygiene behaviour change",
    "Faecal sludge markets", "Tariffs people can pay", "Groundwater and climate",
    "Spare parts supply", "Data for decisions", "Menstrual hygiene in schools",
    "Sanitation in small towns", "Rainwater for health centres", "Arsenic in wells",
)  # fmt: skip
ZONES = ("Europe/Paris", "Africa/Nairobi", "Asia/Kolkata", "America/Bogota", "UTC")
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 28}
UNITS = ("hours saved", "people reached", "litres per day", "euros saved", "schemes")

LEVEL_SHARES: tuple[tuple[Level, float], ...] = (
    (Level.CORE, 0.03),
    (Level.ACTIVE, 0.12),
    (Level.OCCASIONAL, 0.25),
    (Level.PERIPHERAL, 0.45),
    (Level.TRANSACTIONAL, 0.15),
)
#: How likely a member of each level is to be on a session's list, relative to others.
ATTEND_WEIGHT = {
    Level.CORE: 30.0,
    Level.ACTIVE: 8.0,
    Level.OCCASIONAL: 2.0,
    Level.PERIPHERAL: 0.5,
    Level.TRANSACTIONAL: 0.3,
}


def community_name(size: str, seed: int) -> str:
    return f"WASH Practitioners Network ({size}, seed {seed})"


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _chunks(rows: Sequence[dict[str, Any]], n: int = BATCH) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), n):
        yield rows[i : i + n]


def _insert(session: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(_table(table)), list(chunk))


def _ids(session: Session, table: str, community_id: int) -> list[int]:
    """Ids of ``table``'s rows for the community, in insertion (= id) order."""
    t = _table(table)
    return list(
        session.scalars(select(t.c.id).where(t.c.community_id == community_id).order_by(t.c.id))
    )


def create_large_demo(
    session: Session, *, size: str = "large", seed: int = 1, today: dt.date | None = None
) -> int:
    """Write the large community (see the module's docstring); returns its id.

    Raises ValueError for an unknown size and DemoExistsError when the store already has a
    community of that name (the same size and seed).
    """
    spec = SIZES.get(size)
    if spec is None:
        raise ValueError(f"unknown size {size!r} (use one of: {', '.join(PUBLIC_SIZES)})")
    today = today or dt.date.today()
    name = community_name(size, seed)
    if session.scalar(select(Community.id).where(Community.name == name)) is not None:
        raise DemoExistsError(f"this store already has a community named {name!r}")
    builder = _Builder(session, spec, random.Random(seed), today)
    cid = communities.create_community(
        session,
        name,
        domain="Safe water and sanitation services in small towns and rural areas, "
        "shared across a network of utilities, NGOs and researchers.",
        host_organisation="Global WASH Alliance",
        stage=Stage.STEWARDSHIP.value,
        is_demo=True,
    )
    builder.build(cid)
    # create_community recorded the community's insert; everything else is inside it.
    return cid


@dataclass(slots=True)
class _Member:
    id: int
    level: Level
    joined_on: dt.date
    active: bool
    expertise: tuple[str, ...]


class _Builder:
    def __init__(self, session: Session, spec: Size, rng: random.Random, today: dt.date) -> None:
        self.session = session
        self.spec = spec
        self.rng = rng
        self.today = today
        self.start = today - dt.timedelta(days=365 * YEARS)
        self.stamp = dt.datetime.combine(today, dt.time(9, 0))
        self.members: list[_Member] = []
        self.by_level: dict[Level, list[int]] = {lv: [] for lv in Level}
        self.coordinators: list[int] = []
        self.sessions: list[tuple[int, dt.datetime, str, str]] = []  # id, start, status, title

    def build(self, cid: int) -> None:
        self._members(cid)
        self._sessions(cid)
        self._values(cid)
        self._assessments(cid)

    # -- members ---------------------------------------------------------------------------
    def _levels(self) -> list[Level]:
        n = self.spec.members
        levels: list[Level] = []
        for level, share in LEVEL_SHARES:
            levels.extend([level] * round(n * share))
        levels = (levels + [Level.PERIPHERAL] * n)[:n]
        self.rng.shuffle(levels)
        return levels

    def _members(self, cid: int) -> None:
        rng, n = self.rng, self.spec.members
        countries = list(COUNTRIES.items())
        levels = self._levels()
        rows: list[dict[str, Any]] = []
        plans: list[tuple[Level, dt.date, list[tuple[dt.date, str]], tuple[str, ...],
                          tuple[str, ...], tuple[str, ...]]] = []  # fmt: skip
        span = (self.today - self.start).days
        for i in range(n):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            full = f"{first} {last}"
            org = rng.choice(ORGANISATIONS)
            country, zone = rng.choice(countries)
            words = f"{first} {last}".translate(ASCII).casefold().split()
            words = ["".join(c for c in w if c.isascii() and c.isalnum()) for w in words]
            local = ".".join(w for w in words if w) or "member"
            email = f"{local}.{i + 1}@{org.split()[0].casefold()}.example"
            level = levels[i]
            joined = self.start + dt.timedelta(days=rng.randrange(span))
            history = [(joined, level.value)]
            if level in (Level.CORE, Level.ACTIVE) and rng.random() < 0.5:
                # Moved in from the edge.
                first_level = Level.OCCASIONAL if level == Level.ACTIVE else Level.ACTIVE
                moved = joined + dt.timedelta(
                    days=rng.randrange(1, max(2, (self.today - joined).days))
                )
                history = [(joined, first_level.value), (moved, level.value)]
            n_exp = rng.choice((0, 0, 1, 1, 1, 2, 2, 3))
            n_int = rng.choice((0, 1, 1, 2, 2, 3))
            expertise = tuple(rng.sample(TAGS, n_exp))
            interests = [t for t in rng.sample(TAGS, n_int) if t not in expertise]
            if rng.random() < 0.02:
                interests.append(rng.choice(GAP_TAGS))
            roles = ["member"]
            if level == Level.CORE:
                roles.insert(0, Role.CORE_MEMBER.value)
            if expertise and rng.random() < 0.05:
                roles.append(Role.EXPERT.value)
            if org in ("Delft Hydrology Lab", "BlueLedger Consulting", "Open Sensor Collective"):
                roles.append(Role.OUTSIDE_GUEST.value)
            active = rng.random() >= 0.03
            rows.append(
                {
                    "community_id": cid,
                    "full_name": full,
                    "name_key": name_key(full),
                    "email": email,
                    "email_key": email_key(email),
                    "organisation": org,
                    "job_title": rng.choice(JOBS),
                    "region": country,
                    "time_zone": zone,
                    "joined_on": joined,
                    "level": level.value,
                    "consent": rng.random() < 0.85,
                    "notes": "" if rng.random() < 0.9 else f"Met at the {joined:%Y} field visit.",
                    "status": "active" if active else "left",
                    "erased": False,
                    "created_at": self.stamp,
                    "updated_at": self.stamp,
                    "version": 1,
                }
            )
            plans.append((level, joined, history, tuple(roles), expertise, tuple(interests)))
        _insert(self.session, "member", rows)
        ids = _ids(self.session, "member", cid)
        role_rows: list[dict[str, Any]] = []
        tag_rows: list[dict[str, Any]] = []
        history_rows: list[dict[str, Any]] = []
        for mid, row, (level, joined, history, held_roles, expertise, wanted) in zip(
            ids, rows, plans, strict=True
        ):
            active = row["status"] == "active"
            self.members.append(_Member(mid, level, joined, active, expertise))
            if active:
                self.by_level[level].append(mid)
            role_rows.extend({"member_id": mid, "role": r} for r in held_roles)
            for kind, tags in (("expertise", expertise), ("interest", wanted)):
                tag_rows.extend(
                    {"member_id": mid, "kind": kind, "tag_key": tag_key(t), "tag": t,
                     "position": p}
                    for p, t in enumerate(tags)
                )  # fmt: skip
            history_rows.extend(
                {"member_id": mid, "level": lv, "changed_on": on} for on, lv in history
            )
        core = self.by_level[Level.CORE]
        self.coordinators = core[: max(2, len(core) // 10)] or [self.members[0].id]
        extra = [{"member_id": mid, "role": Role.COORDINATOR.value} for mid in self.coordinators]
        sponsor = self.by_level[Level.OCCASIONAL][:1] or [self.members[-1].id]
        extra += [{"member_id": mid, "role": Role.SPONSOR.value} for mid in sponsor]
        _insert(self.session, "member_role", role_rows + extra)
        _insert(self.session, "member_tag", tag_rows)
        _insert(self.session, "level_change", history_rows)

    # -- sessions --------------------------------------------------------------------------
    def _status(self, starts: dt.datetime) -> str:
        if starts.date() >= self.today:
            return "planned"
        return "cancelled" if self.rng.random() < 0.05 else "held"

    def _sessions(self, cid: int) -> None:
        rng, spec = self.rng, self.spec
        series_rows: list[dict[str, Any]] = []
        plans: list[tuple[int | None, str, dt.datetime, str]] = []  # series idx, title, start, zone
        in_series = spec.sessions * 6 // 10
        per_series = max(1, in_series // spec.series)
        for k in range(spec.series):
            cadence = rng.choice(tuple(CADENCE_DAYS))
            step = CADENCE_DAYS[cadence]
            zone = rng.choice(ZONES)
            topic = TOPICS[k % len(TOPICS)]
            title = f"{topic} call" if k < len(TOPICS) else f"{topic} call {k // len(TOPICS) + 1}"
            # Half the series (the first always) still run: their last call is ahead.
            latest = self.today + dt.timedelta(days=60) - dt.timedelta(days=step * per_series)
            if k == 0 or rng.random() < 0.5:
                first_day = latest - dt.timedelta(days=rng.randrange(0, 50))
            else:
                first_day = self.start + dt.timedelta(
                    days=rng.randrange(max(1, (latest - self.start).days))
                )
            first = dt.datetime.combine(first_day, dt.time(rng.choice((9, 12, 14, 16)), 0))
            series_rows.append({
                "community_id": cid, "title": title, "cadence": cadence, "interval_days": step,
                "first_start": first, "until": None, "count": per_series,
            })  # fmt: skip
            for i in range(per_series):
                plans.append((k, title, first + dt.timedelta(days=step * i), zone))
        span = (self.today + dt.timedelta(days=90) - self.start).days
        while len(plans) < spec.sessions:
            day = self.start + dt.timedelta(days=rng.randrange(span))
            starts = dt.datetime.combine(day, dt.time(rng.choice((8, 10, 13, 15)), 30))
            kind = rng.choice(("Site visit", "Lightning talks", "Core group planning",
                               "Annual review", "Writeshop", "Webinar"))  # fmt: skip
            plans.append((None, f"{kind}: {rng.choice(TOPICS).lower()}", starts, rng.choice(ZONES)))
        _insert(self.session, "series", series_rows)
        series_ids = _ids(self.session, "series", cid)
        rows: list[dict[str, Any]] = []
        for index, title, starts, zone in plans:
            status = self._status(starts)
            private = title.startswith("Core group")
            rows.append(
                {
                    "community_id": cid,
                    "series_id": series_ids[index] if index is not None else None,
                    "title": title,
                    "purpose": f"{title}: what members tried, what worked, what to do next.",
                    "starts_at": starts,
                    "time_zone": zone,
                    "planned_minutes": 90,
                    "mode": rng.choice(("online", "online", "hybrid", "in_person")),
                    "location": "https://meet.example.org/wash",
                    "space": "private" if private else "public",
                    "status": status,
                    "outcome_notes": "Notes are in the shared folder." if status == "held" else "",
                    "decisions": "",
                    "resources_created": "",
                    "created_at": self.stamp,
                    "updated_at": self.stamp,
                    "version": 1,
                }
            )
        _insert(self.session, "cop_session", rows)
        ids = _ids(self.session, "cop_session", cid)
        self.sessions = [
            (sid, r["starts_at"], r["status"], r["title"]) for sid, r in zip(ids, rows, strict=True)
        ]
        self._agendas_and_attendance()

    def _agendas_and_attendance(self) -> None:
        rng, spec = self.rng, self.spec
        keys = [f.key for f in FUNCTIONS]
        owners = self.by_level[Level.CORE] + self.by_level[Level.ACTIVE]
        pool = [mid for lv, mids in self.by_level.items() for mid in mids]
        weights = [ATTEND_WEIGHT[lv] for lv, mids in self.by_level.items() for _ in mids]
        per_session = max(1, spec.attendance // spec.sessions)
        blocks: list[dict[str, Any]] = []
        facilitators: list[dict[str, Any]] = []
        attendance: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        for sid, starts, status, title in self.sessions:
            n = rng.randint(*BLOCKS_PER_SESSION)
            minutes = [10] + [rng.choice((5, 10, 10, 15)) for _ in range(n - 2)] + [10]
            for pos, mins in enumerate(minutes):
                function = rng.choice(keys)
                method = rng.choice(FUNCTION_METHODS[function])
                blocks.append({
                    "session_id": sid, "position": pos,
                    "title": f"{function.replace('_', ' ').capitalize()} ({pos + 1})",
                    "minutes": mins, "function": function, "method": method,
                    "owner_id": rng.choice(owners) if owners and rng.random() < 0.5 else None,
                    "materials": "", "notes": "",
                })  # fmt: skip
            chairs = rng.sample(self.coordinators, min(len(self.coordinators), rng.randint(1, 2)))
            facilitators.extend({"session_id": sid, "member_id": m} for m in chairs)
            chosen = set(chairs)
            while len(chosen) < per_session and len(chosen) < len(pool):
                chosen.update(rng.choices(pool, weights, k=per_session - len(chosen)))
            for mid in sorted(chosen):
                if status == "planned":
                    state = "invited"
                elif status == "cancelled":
                    state = "apologised"
                else:
                    state = rng.choices(("attended", "apologised", "absent"), (70, 20, 10))[0]
                role = "facilitator" if mid in chairs else "participant"
                attendance.append(
                    {"session_id": sid, "member_id": mid, "status": state, "role": role}
                )
            if status == "held":
                for _ in range(rng.choice((0, 1, 1, 2))):
                    due = starts.date() + dt.timedelta(days=rng.randint(7, 60))
                    done = due < self.today and rng.random() < 0.7
                    actions.append({
                        "session_id": sid, "title": f"Share the notes of '{title}'",
                        "owner_id": rng.choice(owners) if owners else None, "due_on": due,
                        "status": "done" if done else "open", "notes": "",
                    })  # fmt: skip
        _insert(self.session, "agenda_block", blocks)
        _insert(self.session, "session_facilitator", facilitators)
        _insert(self.session, "attendance", attendance)
        _insert(self.session, "follow_up_action", actions)

    # -- value --------------------------------------------------------------------------------
    def _values(self, cid: int) -> None:
        rng, spec = self.rng, self.spec
        story_rows = [
            {"community_id": cid, "title": f"{rng.choice(TOPICS)}: story {i + 1}",
             "expected_ending": "Fewer breakdowns and a method others adopt.",
             "follow_up_on": self.today + dt.timedelta(days=rng.randint(-60, 120)),
             "created_at": self.stamp}
            for i in range(spec.stories)
        ]  # fmt: skip
        _insert(self.session, "story", story_rows)
        story_ids = _ids(self.session, "story", cid)
        held = [(sid, starts) for sid, starts, status, _ in self.sessions if status == "held"]
        pool = [m.id for m in self.members if m.active]
        member_kinds = [t.key for t in VALUE_TO_MEMBERS]
        org_kinds = [t.key for t in VALUE_TO_ORGANISATION]
        cycles = [t.key for t in VALUE_CYCLES]
        keys = [f.key for f in FUNCTIONS]
        span = (self.today - self.start).days
        rows: list[dict[str, Any]] = []
        beneficiaries: list[list[int]] = []
        for i in range(spec.values):
            for_members = rng.random() < 0.7
            kind = rng.choice(member_kinds if for_members else org_kinds)
            linked = held and rng.random() < 0.5
            if linked:
                sid, starts = rng.choice(held)
                day = min(self.today, starts.date() + dt.timedelta(days=rng.randint(0, 30)))
            else:
                sid, day = None, self.start + dt.timedelta(days=rng.randrange(span))
            measured = rng.random() < 0.2
            rows.append({
                "community_id": cid, "entry_date": day,
                "title": f"{rng.choice(TOPICS)}: value {i + 1}",
                "description": "What changed for the people involved, in their words.",
                "kind": kind, "cycle": rng.choice(cycles),
                "function": rng.choice(keys) if rng.random() < 0.6 else "",
                "for_organisation": not for_members or rng.random() < 0.2,
                "session_id": sid, "evidence": "",
                "measure_value": float(rng.randint(1, 500)) if measured else None,
                "measure_unit": rng.choice(UNITS) if measured else "",
                "logged_by_id": rng.choice(self.coordinators),
                "story_id": rng.choice(story_ids) if rng.random() < 0.1 else None,
                "created_at": self.stamp, "updated_at": self.stamp, "version": 1,
            })  # fmt: skip
            beneficiaries.append(
                rng.sample(pool, min(len(pool), rng.randint(1, 3))) if for_members else []
            )
        _insert(self.session, "value_entry", rows)
        ids = _ids(self.session, "value_entry", cid)
        _insert(
            self.session,
            "value_beneficiary",
            [
                {"entry_id": eid, "member_id": mid}
                for eid, mids in zip(ids, beneficiaries, strict=True)
                for mid in sorted(set(mids))
            ],
        )

    # -- fitness --------------------------------------------------------------------------------
    def _assessments(self, cid: int) -> None:
        rng, n = self.rng, self.spec.assessments
        step = max(1, (self.today - self.start).days // max(1, n))
        plans = []
        for i in range(n):
            held_on = self.today - dt.timedelta(days=step * (n - 1 - i) + 1)
            checklist = CHECKLISTS[i % len(CHECKLISTS)]
            plans.append((held_on, checklist, "draft" if i == n - 1 else "final"))
        _insert(
            self.session,
            "assessment",
            [
                {"community_id": cid, "held_on": held_on, "checklist": c.key, "status": status,
                 "notes": f"{c.label} with the core group.", "created_at": self.stamp,
                 "updated_at": self.stamp, "version": 1}
                for held_on, c, status in plans
            ],
        )  # fmt: skip
        ids = _ids(self.session, "assessment", cid)
        core = self.by_level[Level.CORE] or [m.id for m in self.members[:5]]
        held = [(sid, starts, title) for sid, starts, st, title in self.sessions if st == "held"]
        participants: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        link_plans: list[tuple[int, str]] = []  # (answer index, question key)
        for aid, (_held_on, checklist, status) in zip(ids, plans, strict=True):
            people = rng.sample(core, min(len(core), rng.randint(3, 6)))
            participants.extend({"assessment_id": aid, "member_id": m} for m in sorted(people))
            pos = 0
            for d in checklist.dimensions:
                for q in d.questions:
                    draft_gap = status == "draft" and rng.random() < 0.3
                    score = None if draft_gap else rng.choices((0, 1, 2, 3), (1, 3, 4, 2))[0]
                    action = "Agree who follows this up." if score is not None and score < 2 else ""
                    answers.append({
                        "assessment_id": aid, "position": pos, "dimension_key": d.key,
                        "dimension_label": d.label, "question_key": q.key,
                        "question_text": q.label, "score": score,
                        "evidence": "Seen in the session notes." if score is not None else "",
                        "action": action,
                        "action_done": bool(action) and status == "final" and rng.random() < 0.5,
                    })  # fmt: skip
                    if score is not None and held and rng.random() < 0.2:
                        link_plans.append((len(answers) - 1, q.key))
                    pos += 1
        _insert(self.session, "assessment_participant", participants)
        _insert(self.session, "answer", answers)
        t = _table("answer")
        ordered = list(
            self.session.scalars(select(t.c.id).where(t.c.assessment_id.in_(ids)).order_by(t.c.id))
        )
        links = []
        for index, _key in link_plans:
            sid, starts, title = rng.choice(held)
            links.append({
                "answer_id": ordered[index], "kind": "session", "target_id": sid,
                "label": f"{title} ({starts:%Y-%m-%d})"[:300],
            })  # fmt: skip
        _insert(self.session, "evidence_link", links)
