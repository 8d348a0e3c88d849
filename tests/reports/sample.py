"""Realistic, diverse members for report tests (and for looking at the PDFs by eye)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from copdesk.data import members
from copdesk.data.validation import MemberData

#: Names in several scripts and with the accents that break naive PDF code.
SCRIPT_NAMES = {
    "greek": "Αλεξάνδρα Παπαδοπούλου",
    "cyrillic": "Дмитрий Иванов",
    "polish": "Łukasz Żółkiewski",
    "czech": "Jiří Dvořák",
    "turkish": "Şükrü Çağlayan",
    "vietnamese": "Nguyễn Thị Hương",
}
MARKUP_ORG = "R&D <lead>"

FIRST = [
    "Amina", "Björn", "Carmen", "Dagmar", "Émile", "Fatou", "Giulia", "Hamid", "Inès",
    "Jonas", "Kateřina", "Lars", "Małgorzata", "Nikolaos", "Oksana", "Pedro", "Quentin",
    "Rūta", "Siobhán", "Tomasz", "Ugnė", "Valentina", "Wojciech", "Xènia", "Yusuf", "Zofia",
    "Αθηνά", "Γιώργος", "Ольга", "Сергей", "Ayşe", "Mehmet", "Trần", "Đặng",
]  # fmt: skip
LAST = [
    "Okafor", "Lindqvist", "García", "Novák", "Dubois", "Diop", "Rossi", "Karimi", "Müller",
    "Ó Briain", "Kowalczyk", "Jansen", "Petrović", "Horváth", "Schäfer", "Nørgaard",
    "Κωνσταντίνου", "Смирнова", "Yılmaz", "Văn Minh", "Fernández", "Costa", "Byrne",
]  # fmt: skip
ORGS = [
    "Rivers Trust", "Aqua Vitae Foundation", "Ministry of Water, Lusaka", "WaterAid",
    "Université de Liège", "Københavns Vand", "Hydro Consult s.r.o.", "City of Kraków",
    "Independent", "ΕΥΔΑΠ Athens", "Водоканал Санкт-Петербург", MARKUP_ORG,
]  # fmt: skip
REGIONS = [
    "Zambia", "Kenya", "Denmark", "Poland", "Czechia", "Greece", "Türkiye", "Viet Nam",
    "Ireland", "Belgium", "Russia", "Spain", "Senegal",
]  # fmt: skip
TOPICS = [
    "Water quality testing", "Hand pumps", "Sanitation marketing", "GIS mapping",
    "Rainwater harvesting", "Community-led total sanitation", "Tariff design",
    "Borehole drilling", "Behaviour change", "Solar pumping", "Menstrual hygiene",
    "Monitoring & evaluation", "Faecal sludge management", "Climate resilience",
]  # fmt: skip
#: Interests nobody in the sample holds as expertise (the knowledge gaps).
GAP_TOPICS = ["Drone surveys", "Machine learning for leak detection", "Ёмкостные датчики"]
LEVELS = ["core"] * 6 + ["active"] * 10 + ["occasional"] * 16 + ["peripheral"] * 20 + [
    "transactional"
] * 8


def add_sample_members(
    session: Session, community_id: int, count: int = 60, *, seed: int = 3,
    consent_rate: float = 0.8,
) -> list[int]:  # fmt: skip
    """Add ``count`` diverse members; the first six carry the names in SCRIPT_NAMES."""
    rng = random.Random(seed)
    today = dt.date(2025, 6, 30)
    rows: list[MemberData] = []
    used: set[str] = set()
    script_names = list(SCRIPT_NAMES.values())
    for i in range(count):
        if i < len(script_names):
            name = script_names[i]
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            while name in used:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        used.add(name)
        level = LEVELS[i % len(LEVELS)] if i >= len(script_names) else "core"
        roles: list[str] = ["member"]
        if level == "core":
            roles = ["core_member"]
        if i == 0:
            roles = ["coordinator", "core_member"]
        if rng.random() < 0.15:
            roles.append("outside_guest")
        if rng.random() < 0.1:
            roles.append("expert")
        expertise = tuple(rng.sample(TOPICS, rng.randint(0, 3)))
        interests = tuple(
            t for t in rng.sample(TOPICS, rng.randint(0, 2)) if t not in expertise
        )
        if i % 9 == 4:
            interests += (GAP_TOPICS[(i // 9) % len(GAP_TOPICS)],)
        rows.append(
            MemberData(
                full_name=name,
                email=f"member{i}@example.org",
                organisation=MARKUP_ORG if i == 1 else rng.choice(ORGS),
                job_title=rng.choice(["Engineer", "Hydrologist", "Programme officer", ""]),
                region=rng.choice(REGIONS),
                joined_on=today - dt.timedelta(days=rng.randint(10, 1500)),
                level=level,
                roles=tuple(roles),
                expertise=expertise,
                interests=interests,
                consent=i < len(script_names) or rng.random() < consent_rate,
            )
        )
    return members.add_members(session, community_id, rows, today=today)
