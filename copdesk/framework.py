"""The Community of Practice framework: the product's vocabulary, in one place.

Every list the forms, the validation and the reports use comes from here, worded as in
the source deck ("Communities of Practice; the basics") where the deck has words, and
in our own words for the models around it (see shared/reference/framework.md).

Stored values are the stable ``key`` strings; what people read is the ``label``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of a vocabulary: a stable key, the words shown, and optional help."""

    key: str
    label: str
    help: str = ""


def _index(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {t.key: t for t in terms}


# --- The three elements -------------------------------------------------------------
ELEMENTS: tuple[Term, ...] = (
    Term("domain", "Domain", "Shared area of interest"),
    Term("community", "Community", "Members interact and learn together"),
    Term(
        "practice",
        "Practice",
        "Members are practitioners who develop a shared repertoire of resources",
    ),
)

# --- The twelve functions, each with the question that reveals it ------------------
FUNCTIONS: tuple[Term, ...] = (
    Term("filters_information", "Filters information",
         "What information is worth paying more attention to?"),
    Term("convenes_people", "Convenes people",
         "Brings together different groups of people from potentially diverse "
         "geographical regions"),
    Term("amplifies_information", "Amplifies information",
         "What new, little known or little understood information needs to be "
         "discussed/given a platform?"),
    Term("creates_resources", "Creates resources", "What resources would be useful to develop?"),
    Term("builds_values", "Builds values",
         "Promotes and sustains values of individuals and organisations"),
    Term("problem_solves", "Problem solves", "How can we..?"),
    Term("requests_for_information", "Requests for information",
         "Where can I find an example of..?"),
    Term("experience_sharing", "Experience sharing", "Has anyone had a similar experience?"),
    Term("creating_templates_assets", "Creating templates & assets",
         "I have materials from a similar session that can be used as a starting point"),
    Term("enhances_collaboration", "Enhances collaboration",
         "Can we combine or work together? Can I visit your practice?"),
    Term("discuss_developments", "Discuss developments", "What do you think of...?"),
    Term("maps_knowledge_gaps", "Maps knowledge and gaps",
         "Who knows what and what are we missing?"),
)
FUNCTION_BY_KEY = _index(FUNCTIONS)

# --- Long-term value (five to members, five to the organisation) --------------------
VALUE_TO_MEMBERS: tuple[Term, ...] = (
    Term("personal_development", "Personal development"),
    Term("reputation", "Reputation"),
    Term("professional_identity", "Professional identity"),
    Term("collaborative_advantage", "Collaborative advantage"),
    Term("marketability", "Marketability"),
)
VALUE_TO_ORGANISATION: tuple[Term, ...] = (
    Term("strategic_capabilities", "Strategic capabilities"),
    Term("keeping_abreast", "Keeping abreast"),
    Term("innovation", "Innovation"),
    Term("retention_of_talents", "Retention of talents"),
    Term("new_strategies", "New strategies"),
)
VALUE_KINDS: tuple[Term, ...] = VALUE_TO_MEMBERS + VALUE_TO_ORGANISATION
VALUE_KIND_BY_KEY = _index(VALUE_KINDS)

# --- Value-creation cycles (Wenger, Trayner & de Laat) ------------------------------
VALUE_CYCLES: tuple[Term, ...] = (
    Term("immediate", "Immediate value", "The activities and interactions themselves"),
    Term("potential", "Potential value",
         "Knowledge capital: skills, relationships, resources, reputation, a changed "
         "ability to learn"),
    Term("applied", "Applied value", "Changes in practice"),
    Term("realised", "Realised value", "Performance improvement"),
    Term("reframing", "Reframing value", "Redefining what success means"),
    Term("enabling", "Enabling value", "Conditions that make the other cycles possible"),
    Term("strategic", "Strategic value", "Alignment with the host's strategy"),
)
VALUE_CYCLE_BY_KEY = _index(VALUE_CYCLES)

# --- The seven design principles --------------------------------------------------
DESIGN_PRINCIPLES: tuple[Term, ...] = (
    Term("design_for_evolution", "Design for evolution"),
    Term("inside_outside_dialogue",
         "Open a dialogue between inside and outside perspectives"),
    Term("levels_of_participation", "Invite different levels of participation"),
    Term("public_private_spaces", "Develop both public and private community spaces"),
    Term("focus_on_value", "Focus on value"),
    Term("familiarity_excitement", "Combine familiarity and excitement"),
    Term("rhythm", "Create a rhythm for the community"),
)


# --- Participation levels (Wenger-Trayner) ------------------------------------------
class Level(StrEnum):
    """How close a member is to the heart of the community, core first."""

    CORE = "core"
    ACTIVE = "active"
    OCCASIONAL = "occasional"
    PERIPHERAL = "peripheral"
    TRANSACTIONAL = "transactional"

    @property
    def label(self) -> str:
        return LEVEL_TERMS[self.value].label

    @property
    def rank(self) -> int:
        """0 for the core, growing toward the edge."""
        return list(Level).index(self)


LEVEL_TERMS: dict[str, Term] = _index((
    Term("core", "Core group",
         "The small heart of the community (typically 10-15% of members)"),
    Term("active", "Active", "Take part regularly (typically 15-20% of members)"),
    Term("occasional", "Occasional", "Take part when a topic matters to them"),
    Term("peripheral", "Peripheral", "Follow from the edge, rarely speak"),
    Term("transactional", "Transactional",
         "Come to take or give something specific, then leave"),
))


# --- Roles ---------------------------------------------------------------------------
class Role(StrEnum):
    """Roles seen in CoP toolkits; a member may hold several."""

    SPONSOR = "sponsor"
    COORDINATOR = "coordinator"
    CORE_MEMBER = "core_member"
    EXPERT = "expert"
    MEMBER = "member"
    OUTSIDE_GUEST = "outside_guest"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.SPONSOR: "Sponsor/host",
    Role.COORDINATOR: "Coordinator/facilitator",
    Role.CORE_MEMBER: "Core member",
    Role.EXPERT: "Expert",
    Role.MEMBER: "Member",
    Role.OUTSIDE_GUEST: "Outside guest",
}


# --- Stages of development (Wenger, McDermott & Snyder) ------------------------------
class Stage(StrEnum):
    POTENTIAL = "potential"
    COALESCING = "coalescing"
    MATURING = "maturing"
    STEWARDSHIP = "stewardship"
    TRANSFORMATION = "transformation"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MemberStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"

    @property
    def label(self) -> str:
        return {"active": "Active", "left": "Left"}[self.value]


# --- The fitness test (from the deck) -------------------------------------------------
@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    questions: tuple[Term, ...]


FITNESS_TEST: tuple[Dimension, ...] = (
    Dimension("results", "Results", (
        Term("results_common_concern",
             "Is delivering and reporting on tangible results a common concern?"),
        Term("results_member_benefit",
             "Do members draw direct and practical benefits from their involvement?"),
        Term("results_recognised", "Are results officially recognised by the host?"),
    )),
    Dimension("resources", "Resources", (
        Term("resources_member_time", "Do members have sufficient time for the CoP?"),
        Term("resources_host_support",
             "Is the host willing to provide time, space, and incentives?"),
        Term("resources_facilitation", "Is CoP facilitation attractive and stimulating?"),
    )),
    Dimension("values", "Values", (
        Term("values_listening", "Is listening to others a cardinal virtue?"),
        Term("values_giving", "Are members willing to give without immediate return?"),
        Term("values_diversity", "Is diversity in thinking and practice validated?"),
    )),
)


_EXTENDED_HEADINGS: tuple[Dimension, ...] = (
    Dimension("purpose", "Purpose", (
        Term("purpose_common_topics", "Are the topics of interest to all members?"),
        Term("purpose_strategic", "Is the domain strategically relevant to the host?"),
        Term("purpose_own_practice", "Do members have their own practice in the domain?"),
    )),
    Dimension("members", "Members", (
        Term("members_experience", "Is relevant experience on board?"),
        Term("members_heterogeneity", "Is the membership varied enough to learn from?"),
        Term("members_open", "Is the community open to newcomers?"),
    )),
    Dimension("norms", "Norms and rules", (
        Term("norms_roles", "Are roles and accountability agreed?"),
        Term("norms_contact", "Is both distant and face-to-face contact possible?"),
        Term("norms_balance", "Is there a balance of giving and taking?"),
    )),
    Dimension("structure", "Structure and process", (
        Term("structure_clear", "Is the structure clear yet flexible?"),
        Term("structure_core_roles",
             "Are core roles (owner, manager, facilitator, expert) defined?"),
        Term("structure_planning", "Is planning open and transparent?"),
    )),
    Dimension("energy", "Flow of energy", (
        Term("energy_care",
             "Do members care about common interests, with commitment and trust?"),
        Term("energy_events", "Are there regular events and celebrated moments?"),
        Term("energy_history", "Is the community's history told to newcomers?"),
    )),
)
#: The longer development checklist: five headings before the deck's three.
EXTENDED_CHECKLIST: tuple[Dimension, ...] = (*_EXTENDED_HEADINGS, *FITNESS_TEST)

_PRINCIPLE_QUESTIONS: dict[str, str] = {
    "design_for_evolution":
        "Is the community designed to evolve as its members and domain change?",
    "inside_outside_dialogue": "Is there a dialogue between inside and outside perspectives?",
    "levels_of_participation": "Are different levels of participation invited and welcome?",
    "public_private_spaces": "Are there both public and private community spaces?",
    "focus_on_value": "Does the community focus on the value it creates?",
    "familiarity_excitement": "Does it combine familiarity and excitement?",
    "rhythm": "Does the community have a clear rhythm?",
}
DESIGN_PRINCIPLES_REVIEW: tuple[Dimension, ...] = tuple(
    Dimension(p.key, p.label, (Term(f"principle_{p.key}", _PRINCIPLE_QUESTIONS[p.key]),))
    for p in DESIGN_PRINCIPLES
)


@dataclass(frozen=True, slots=True)
class Checklist:
    key: str
    label: str
    dimensions: tuple[Dimension, ...]
    help: str = ""

    def question(self, key: str) -> tuple[Dimension, Term] | None:
        for d in self.dimensions:
            for q in d.questions:
                if q.key == key:
                    return d, q
        return None


CHECKLISTS: tuple[Checklist, ...] = (
    Checklist("fitness_test", "Fitness test", FITNESS_TEST,
              "The deck's test: results, resources and values, three questions each"),
    Checklist("extended", "Extended development checklist", EXTENDED_CHECKLIST,
              "Eight headings, from purpose to values"),
    Checklist("design_principles", "Design principles review", DESIGN_PRINCIPLES_REVIEW,
              "The seven design principles, each scored the same way"),
)
CHECKLIST_BY_KEY: dict[str, Checklist] = {c.key: c for c in CHECKLISTS}

#: One scale for every question; None means "not assessed".
SCORE_SCALE: tuple[tuple[int, str], ...] = (
    (0, "Not at all"),
    (1, "Partly"),
    (2, "Mostly"),
    (3, "Fully"),
)
MAX_SCORE = 3
NOT_ASSESSED = "Not assessed"


def score_label(score: int | None) -> str:
    if score is None:
        return NOT_ASSESSED
    return dict(SCORE_SCALE).get(score, str(score))


def level_label(key: str) -> str:
    """The label of a participation level key, or the key itself if unknown."""
    term = LEVEL_TERMS.get(key)
    return term.label if term else key


def role_label(key: str) -> str:
    try:
        return Role(key).label
    except ValueError:
        return key


# --- Sessions: modes, spaces, statuses, methods --------------------------------------
SESSION_MODES: tuple[Term, ...] = (
    Term("in_person", "In person"),
    Term("online", "Online"),
    Term("hybrid", "Hybrid"),
)
SESSION_SPACES: tuple[Term, ...] = (
    Term("public", "Public", "Open to all members and guests"),
    Term("private", "Private", "Core group or invited only"),
)
SESSION_STATUSES: tuple[Term, ...] = (
    Term("planned", "Planned"),
    Term("held", "Held"),
    Term("cancelled", "Cancelled"),
)
ATTENDANCE_STATUSES: tuple[Term, ...] = (
    Term("invited", "Invited"),
    Term("attended", "Attended"),
    Term("apologised", "Apologised"),
    Term("absent", "Absent"),
)
ATTENDANCE_ROLES: tuple[Term, ...] = (
    Term("participant", "Participant"),
    Term("presenter", "Presenter"),
    Term("facilitator", "Facilitator"),
    Term("guest", "Guest"),
)
ACTION_STATUSES: tuple[Term, ...] = (
    Term("open", "Open"),
    Term("done", "Done"),
    Term("dropped", "Dropped"),
)
CADENCES: tuple[Term, ...] = (
    Term("weekly", "Weekly", "Every 7 days"),
    Term("fortnightly", "Fortnightly", "Every 14 days"),
    Term("monthly", "Monthly", "The same day every month"),
    Term("custom", "Custom interval", "Every N days"),
)

#: Methods (formats) for agenda blocks, with the functions each is known to serve.
METHODS: tuple[Term, ...] = (
    Term("peer_assist", "Peer assist", "A member brings a challenge; peers advise"),
    Term("lightning_talks", "Lightning talks", "Several five-minute talks in a row"),
    Term("fishbowl", "Fishbowl", "An inner circle talks, the outer circle listens and joins"),
    Term("world_cafe", "World cafe", "Small tables, rotating rounds on one question"),
    Term("open_discussion", "Open discussion"),
    Term("presentation", "Presentation"),
    Term("show_and_tell", "Show and tell", "Members show something they made"),
    Term("case_clinic", "Case clinic", "Work through one real case together"),
    Term("knowledge_mapping", "Knowledge mapping", "Map who knows what, and the gaps"),
    Term("co_creation", "Co-creation workshop", "Build a shared resource together"),
    Term("news_round", "News round", "What is new in our field?"),
    Term("check_in", "Check-in", "Welcome and introductions"),
    Term("retrospective", "Retrospective", "Look back at what worked"),
    Term("site_visit", "Site visit"),
    Term("break", "Break"),
)
METHOD_BY_KEY = _index(METHODS)

FUNCTION_METHODS: dict[str, tuple[str, ...]] = {
    "filters_information": ("news_round", "lightning_talks", "open_discussion"),
    "convenes_people": ("check_in", "world_cafe", "site_visit"),
    "amplifies_information": ("presentation", "lightning_talks", "fishbowl"),
    "creates_resources": ("co_creation", "case_clinic"),
    "builds_values": ("fishbowl", "open_discussion", "retrospective"),
    "problem_solves": ("peer_assist", "case_clinic", "world_cafe"),
    "requests_for_information": ("peer_assist", "open_discussion"),
    "experience_sharing": ("show_and_tell", "fishbowl", "lightning_talks"),
    "creating_templates_assets": ("co_creation", "show_and_tell"),
    "enhances_collaboration": ("world_cafe", "site_visit", "co_creation"),
    "discuss_developments": ("fishbowl", "news_round", "open_discussion"),
    "maps_knowledge_gaps": ("knowledge_mapping", "world_cafe"),
}


def suggested_methods(function_key: str) -> tuple[Term, ...]:
    """Methods known to serve a function, for the agenda builder's suggestions."""
    return tuple(METHOD_BY_KEY[k] for k in FUNCTION_METHODS.get(function_key, ()))


def method_label(key: str) -> str:
    """A method's label; the user's own methods are stored as typed."""
    term = METHOD_BY_KEY.get(key)
    return term.label if term else key


def term_label(terms: tuple[Term, ...], key: str) -> str:
    for t in terms:
        if t.key == key:
            return t.label
    return key
