"""Fitness assessments: score the community's health against a checklist, with evidence.

An assessment is created with an answer row for every question of its checklist (all
"not assessed"), and is saved as it is filled in; it stays a draft until it is marked
final. Scores are shares of the maximum per dimension and overall, banded red, amber and
green by the community's thresholds.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from copdesk.data import changes
from copdesk.data import sessions as S
from copdesk.data.ids import keep_ids_unused
from copdesk.data.members import reach
from copdesk.data.models import (
    AgendaBlock,
    Answer,
    Assessment,
    AssessmentParticipant,
    Attendance,
    Community,
    CopSession,
    EvidenceLink,
    Member,
    ValueEntry,
    utcnow,
)
from copdesk.data.store import ConflictError
from copdesk.data.validation import ValidationError, text_problem
from copdesk.data.values import entries_in_period
from copdesk.data.versions import row_for_edit
from copdesk.framework import CHECKLIST_BY_KEY, MAX_SCORE, Checklist
from copdesk.text import plural

Band = Literal["red", "amber", "green", "none"]
MAX_EVIDENCE = 20_000
STATUSES = ("draft", "final")


# --- thresholds ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Thresholds:
    amber_from: int = 50
    green_from: int = 75

    def band(self, share: float | None) -> Band:
        if share is None:
            return "none"
        pct = share * 100
        if pct >= self.green_from:
            return "green"
        if pct >= self.amber_from:
            return "amber"
        return "red"


def thresholds(session: Session, community_id: int) -> Thresholds:
    c = session.get_one(Community, community_id)
    return Thresholds(c.fitness_amber_from, c.fitness_green_from)


def set_thresholds(
    session: Session, community_id: int, amber_from: int, green_from: int
) -> Thresholds:
    """Set the bands; returns the previous thresholds (for undo)."""
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (amber_from, green_from)):
        raise ValidationError({"thresholds": "Thresholds are whole percentages"})
    if not 0 < amber_from < green_from <= 100:
        raise ValidationError(
            {"thresholds": "Amber must start above 0% and below green, green at most 100%"}
        )
    c = session.get_one(Community, community_id)
    before = Thresholds(c.fitness_amber_from, c.fitness_green_from)
    c.fitness_amber_from, c.fitness_green_from = amber_from, green_from
    changes.record(session, changes.Change("fitness", "reload", (), community_id))
    return before


# --- views ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LinkView:
    kind: str
    target_id: int
    label: str
    exists: bool


@dataclass(frozen=True, slots=True)
class AnswerView:
    question_key: str
    question_text: str
    dimension_key: str
    dimension_label: str
    score: int | None
    evidence: str
    action: str
    action_done: bool
    links: tuple[LinkView, ...]
    retired: bool  # the question is no longer in this copdesk's checklist


@dataclass(frozen=True, slots=True)
class DimensionScore:
    key: str
    label: str
    points: int
    assessed: int  # questions scored
    questions: int
    share: float | None  # points / (assessed * MAX_SCORE); None if nothing assessed
    band: Band

    @property
    def passes(self) -> bool:
        return self.band == "green"


@dataclass(frozen=True, slots=True)
class AssessmentView:
    id: int
    community_id: int
    held_on: dt.date
    checklist: str
    checklist_label: str
    status: str
    notes: str
    participant_ids: tuple[int, ...]
    participants: tuple[str, ...]
    answers: tuple[AnswerView, ...]
    dimensions: tuple[DimensionScore, ...]
    overall: float | None
    overall_band: Band
    #: The row's version when read (hand it back as ``expected_version`` when saving);
    #: not compared: two reads of the same content are equal views.
    version: int = field(default=0, compare=False)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def unanswered(self) -> int:
        return sum(1 for a in self.answers if a.score is None)

    def dimension(self, key: str) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.key == key), None)


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    id: int
    held_on: dt.date
    checklist: str
    checklist_label: str
    status: str
    overall: float | None
    band: Band
    open_actions: int
    #: The row's version when read (hand it back as ``expected_version`` when saving);
    #: not compared: two reads of the same content are equal rows.
    version: int = field(default=0, compare=False)


def _checklist(key: str) -> Checklist:
    checklist = CHECKLIST_BY_KEY.get(key)
    if checklist is None:
        raise ValidationError({"checklist": f"Unknown checklist {key!r}"})
    return checklist


def _label(key: str) -> str:
    checklist = CHECKLIST_BY_KEY.get(key)
    return checklist.label if checklist else f"{key} (retired checklist)"


def score_dimensions(
    answers: Iterable[AnswerView | Answer], limits: Thresholds
) -> tuple[tuple[DimensionScore, ...], float | None]:
    """Per-dimension shares of the maximum, in the answers' order, and the overall share."""
    order: dict[str, str] = {}
    points: dict[str, int] = defaultdict(int)
    assessed: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for a in answers:
        order.setdefault(a.dimension_key, a.dimension_label)
        total[a.dimension_key] += 1
        if a.score is not None:
            points[a.dimension_key] += a.score
            assessed[a.dimension_key] += 1
    dims = []
    for key, label in order.items():
        share = points[key] / (assessed[key] * MAX_SCORE) if assessed[key] else None
        dims.append(
            DimensionScore(
                key, label, points[key], assessed[key], total[key], share, limits.band(share)
            )
        )
    n = sum(assessed.values())
    overall = sum(points.values()) / (n * MAX_SCORE) if n else None
    return tuple(dims), overall


def _link_views(session: Session, links: Sequence[EvidenceLink]) -> tuple[LinkView, ...]:
    session_ids = {ln.target_id for ln in links if ln.kind == "session"}
    live = set(session.scalars(select(CopSession.id).where(CopSession.id.in_(session_ids))))
    value_ids = {ln.target_id for ln in links if ln.kind == "value"}
    live_values = _live_value_ids(session, value_ids)
    return tuple(
        LinkView(
            ln.kind,
            ln.target_id,
            ln.label,
            ln.target_id in (live if ln.kind == "session" else live_values),
        )
        for ln in links
    )


def _live_value_ids(session: Session, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(ValueEntry.id).where(ValueEntry.id.in_(ids))))


def get_assessment(session: Session, assessment_id: int) -> AssessmentView:
    a = session.get(Assessment, assessment_id)
    if a is None:
        raise LookupError(f"no assessment with id {assessment_id}")
    limits = thresholds(session, a.community_id)
    current = CHECKLIST_BY_KEY.get(a.checklist)
    answers = tuple(
        AnswerView(
            question_key=x.question_key,
            question_text=x.question_text,
            dimension_key=x.dimension_key,
            dimension_label=x.dimension_label,
            score=x.score,
            evidence=x.evidence,
            action=x.action,
            action_done=x.action_done,
            links=_link_views(session, x.links),
            retired=current is None or current.question(x.question_key) is None,
        )
        for x in a.answers
    )
    dims, overall = score_dimensions(answers, limits)
    people = session.execute(
        select(Member.id, Member.full_name)
        .join(AssessmentParticipant, AssessmentParticipant.member_id == Member.id)
        .where(AssessmentParticipant.assessment_id == assessment_id)
        .order_by(Member.name_key)
    ).all()
    return AssessmentView(
        id=a.id,
        community_id=a.community_id,
        held_on=a.held_on,
        checklist=a.checklist,
        checklist_label=_label(a.checklist),
        status=a.status,
        notes=a.notes,
        participant_ids=tuple(p[0] for p in people),
        participants=tuple(p[1] for p in people),
        answers=answers,
        dimensions=dims,
        overall=overall,
        overall_band=limits.band(overall),
        version=a.version,
    )


def list_assessments(session: Session, community_id: int) -> list[AssessmentRow]:
    """Every assessment of the community, newest first, with its overall score."""
    limits = thresholds(session, community_id)
    rows = session.scalars(
        select(Assessment)
        .where(Assessment.community_id == community_id)
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    pts: dict[int, tuple[int, int]] = {}
    for aid, total, n in session.execute(
        select(Answer.assessment_id, func.sum(Answer.score), func.count(Answer.score))
        .where(Answer.assessment_id.in_(ids))
        .group_by(Answer.assessment_id)
    ):
        pts[aid] = (int(total or 0), int(n or 0))
    open_actions = dict(
        session.execute(
            select(Answer.assessment_id, func.count())
            .where(
                Answer.assessment_id.in_(ids), Answer.action != "", Answer.action_done.is_(False)
            )
            .group_by(Answer.assessment_id)
        ).all()
    )
    out = []
    for r in rows:
        total, n = pts.get(r.id, (0, 0))
        share = total / (n * MAX_SCORE) if n else None
        out.append(
            AssessmentRow(
                r.id,
                r.held_on,
                r.checklist,
                _label(r.checklist),
                r.status,
                share,
                limits.band(share),
                int(open_actions.get(r.id, 0)),
                r.version,
            )
        )
    return out


# --- commands -------------------------------------------------------------------------------
def _check_notes(notes: str) -> None:
    if len(notes) > MAX_EVIDENCE:
        raise ValidationError(
            {"notes": f"The notes are too long (at most {MAX_EVIDENCE:,} characters)"}
        )
    if problem := text_problem(notes):
        raise ValidationError({"notes": f"The notes {problem}"})


def _check_date(held_on: dt.date, today: dt.date | None) -> None:
    today = today or dt.date.today()
    if held_on > today:
        raise ValidationError({"held_on": "An assessment cannot be dated in the future"})
    if held_on.year < 1990:
        raise ValidationError({"held_on": "The date is too far in the past"})


def _check_participants(session: Session, community_id: int, ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(ids))
    if ids:
        found = set(
            session.scalars(
                select(Member.id).where(Member.id.in_(ids), Member.community_id == community_id)
            )
        )
        if set(ids) - found:
            raise ValidationError({"participants": "a chosen member no longer exists"})
    return ids


def start_assessment(
    session: Session,
    community_id: int,
    checklist: str,
    held_on: dt.date,
    *,
    participant_ids: Iterable[int] = (),
    notes: str = "",
    today: dt.date | None = None,
) -> int:
    """A new draft assessment with every question of ``checklist`` not yet assessed."""
    spec = _checklist(checklist)
    _check_date(held_on, today)
    _check_notes(notes)
    people = _check_participants(session, community_id, participant_ids)
    a = Assessment(
        community_id=community_id, held_on=held_on, checklist=checklist, notes=notes.strip()
    )
    position = 0
    for d in spec.dimensions:
        for q in d.questions:
            a.answers.append(
                Answer(
                    position=position,
                    dimension_key=d.key,
                    dimension_label=d.label,
                    question_key=q.key,
                    question_text=q.label,
                )
            )
            position += 1
    a.participants = [AssessmentParticipant(member_id=m) for m in people]
    session.add(a)
    session.flush()
    changes.record(session, changes.Change("assessment", "insert", (a.id,), community_id))
    return a.id


def update_assessment(
    session: Session,
    assessment_id: int,
    *,
    held_on: dt.date,
    participant_ids: Iterable[int],
    notes: str,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> None:
    """Change an assessment's date, participants and notes; with ``expected_version``
    (``AssessmentRow.version``), one changed or deleted meanwhile raises ConflictError."""
    a = row_for_edit(session, Assessment, assessment_id, expected_version, what="assessment")
    _check_date(held_on, today)
    _check_notes(notes)
    people = _check_participants(session, a.community_id, participant_ids)
    a.held_on = held_on
    a.notes = notes.strip()
    a.participants = [AssessmentParticipant(member_id=m) for m in people]
    # Always write the row, so its version rises even when only the participants changed.
    a.updated_at = utcnow()
    session.flush()
    changes.record(
        session, changes.Change("assessment", "update", (assessment_id,), a.community_id)
    )


def set_status(
    session: Session, assessment_id: int, status: str, *, expected_version: int | None = None
) -> str:
    """Mark an assessment draft or final; returns the previous status.

    With ``expected_version`` (``AssessmentView.version``), an assessment someone else
    changed or deleted meanwhile raises ConflictError."""
    if status not in STATUSES:
        raise ValidationError({"status": f"Unknown status {status!r}"})
    if expected_version is None:
        a = session.get_one(Assessment, assessment_id)
    else:
        a = row_for_edit(session, Assessment, assessment_id, expected_version,
                         what="assessment")
    before = a.status
    if status == "final" and all(x.score is None for x in a.answers):
        raise ValidationError(
            {"status": "Score at least one question before marking the assessment final"}
        )
    a.status = status
    changes.record(
        session, changes.Change("assessment", "update", (assessment_id,), a.community_id)
    )
    return before


@dataclass(frozen=True, slots=True)
class AnswerData:
    score: int | None
    evidence: str = ""
    action: str = ""
    action_done: bool = False
    links: tuple[tuple[str, int, str], ...] = field(default=())  # (kind, target id, label)


def validate_answer(data: AnswerData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.score is not None and not (
        isinstance(data.score, int)
        and not isinstance(data.score, bool)
        and 0 <= data.score <= MAX_SCORE
    ):
        errors["score"] = f"A score is 0 to {MAX_SCORE}, or not assessed"
    if len(data.evidence) > MAX_EVIDENCE:
        errors["evidence"] = f"The evidence is too long (at most {MAX_EVIDENCE:,} characters)"
    elif problem := text_problem(data.evidence):
        errors["evidence"] = f"The evidence {problem}"
    if len(data.action) > MAX_EVIDENCE:
        errors["action"] = f"The action is too long (at most {MAX_EVIDENCE:,} characters)"
    elif problem := text_problem(data.action):
        errors["action"] = f"The action {problem}"
    for kind, _, _ in data.links:
        if kind not in ("session", "value"):
            errors["links"] = f"Unknown kind of evidence link {kind!r}"
    return errors


def answer_data(session: Session, assessment_id: int, question_key: str) -> AnswerData:
    x = _answer(session, assessment_id, question_key)
    return AnswerData(
        x.score,
        x.evidence,
        x.action,
        x.action_done,
        tuple((ln.kind, ln.target_id, ln.label) for ln in x.links),
    )


def _answer(session: Session, assessment_id: int, question_key: str) -> Answer:
    x = session.scalar(
        select(Answer).where(
            Answer.assessment_id == assessment_id, Answer.question_key == question_key
        )
    )
    if x is None:
        raise LookupError(f"assessment {assessment_id} has no question {question_key!r}")
    return x


def normalised_answer(data: AnswerData) -> AnswerData:
    """An answer as the store keeps it (text stripped, link labels cut to 300)."""
    return AnswerData(
        data.score,
        data.evidence.strip(),
        data.action.strip(),
        data.action_done,
        tuple((k, t, label[:300]) for k, t, label in data.links),
    )


def set_answer(
    session: Session,
    assessment_id: int,
    question_key: str,
    data: AnswerData,
    *,
    expected: AnswerData | None = None,
) -> AnswerData:
    """Save one answer (saved as it is filled in); returns the previous answer for undo.

    Answers carry no version of their own: with ``expected`` (the answer the user
    started from), an answer someone else changed meanwhile raises ConflictError (its
    ``current`` is the stored :class:`AnswerData`), as does a deleted assessment.
    Different questions of one assessment can be filled in by two people at once.
    """
    errors = validate_answer(data)
    if errors:
        raise ValidationError(errors)
    if expected is not None:
        a = session.get(Assessment, assessment_id, with_for_update=True)
        if a is None:
            raise ConflictError(
                "Someone else deleted this assessment while you were filling it in; "
                "nothing was saved.",
                entity="answer",
                row_id=assessment_id,
            )
    x = _answer(session, assessment_id, question_key)
    before = answer_data(session, assessment_id, question_key)
    if expected is not None and normalised_answer(expected) != before:
        raise ConflictError(
            f"Someone else changed the answer to “{x.question_text}” while you were "
            "filling it in. Nothing was saved: reload to see their answer, or save "
            "yours over it.",
            entity="answer",
            row_id=assessment_id,
            current=before,
        )
    x.score = data.score
    x.evidence = data.evidence.strip()
    x.action = data.action.strip()
    x.action_done = data.action_done
    x.links = [EvidenceLink(kind=k, target_id=t, label=label[:300]) for k, t, label in data.links]
    session.flush()
    a = session.get_one(Assessment, assessment_id)
    changes.record(
        session, changes.Change("assessment", "update", (assessment_id,), a.community_id)
    )
    return before


def session_link(session: Session, session_id: int) -> tuple[str, int, str]:
    """An evidence link to a session, labelled with its title and date."""
    row = S.get_session(session, session_id)
    return ("session", session_id, f"{row.title} ({row.starts_at:%Y-%m-%d})")


@dataclass(frozen=True)
class AssessmentSnapshot:
    id: int
    community_id: int
    held_on: dt.date
    checklist: str
    status: str
    notes: str
    participants: tuple[int, ...]
    answers: tuple[tuple[int, str, str, str, str, AnswerData], ...]


def delete_assessment(
    session: Session, assessment_id: int, *, expected_version: int | None = None
) -> AssessmentSnapshot:
    if expected_version is not None:
        row_for_edit(session, Assessment, assessment_id, expected_version, what="assessment")
    snap = snapshot_assessment(session, assessment_id)
    session.execute(delete(Assessment).where(Assessment.id == assessment_id))
    changes.record(
        session, changes.Change("assessment", "delete", (assessment_id,), snap.community_id)
    )
    return snap


def snapshot_assessment(session: Session, assessment_id: int) -> AssessmentSnapshot:
    """What :func:`restore_assessment` needs to put the assessment back as it is now."""
    a = session.get(Assessment, assessment_id)
    if a is None:
        raise LookupError(f"no assessment with id {assessment_id}")
    return AssessmentSnapshot(
        a.id,
        a.community_id,
        a.held_on,
        a.checklist,
        a.status,
        a.notes,
        tuple(p.member_id for p in a.participants),
        tuple(
            (
                x.position,
                x.dimension_key,
                x.dimension_label,
                x.question_key,
                x.question_text,
                answer_data(session, assessment_id, x.question_key),
            )
            for x in a.answers
        ),
    )


def restore_assessment(session: Session, snap: AssessmentSnapshot) -> None:
    live = set(session.scalars(select(Member.id).where(Member.community_id == snap.community_id)))
    a = Assessment(
        id=snap.id,
        community_id=snap.community_id,
        held_on=snap.held_on,
        checklist=snap.checklist,
        status=snap.status,
        notes=snap.notes,
    )
    a.participants = [AssessmentParticipant(member_id=m) for m in snap.participants if m in live]
    for pos, dkey, dlabel, qkey, qtext, data in snap.answers:
        ans = Answer(
            position=pos,
            dimension_key=dkey,
            dimension_label=dlabel,
            question_key=qkey,
            question_text=qtext,
            score=data.score,
            evidence=data.evidence,
            action=data.action,
            action_done=data.action_done,
        )
        ans.links = [EvidenceLink(kind=k, target_id=t, label=lb) for k, t, lb in data.links]
        a.answers.append(ans)
    session.add(a)
    keep_ids_unused(session, Assessment)
    changes.record(session, changes.Change("assessment", "insert", (snap.id,), snap.community_id))


# --- history -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrendPoint:
    assessment_id: int
    held_on: dt.date
    overall: float | None
    dimensions: dict[str, float | None]


def trend(session: Session, community_id: int, checklist: str) -> list[TrendPoint]:
    """Dimension shares across the community's assessments of one checklist, oldest first."""
    ids = session.scalars(
        select(Assessment.id)
        .where(Assessment.community_id == community_id, Assessment.checklist == checklist)
        .order_by(Assessment.held_on, Assessment.id)
    ).all()
    points = []
    for aid in ids:
        view = get_assessment(session, aid)
        points.append(
            TrendPoint(aid, view.held_on, view.overall, {d.key: d.share for d in view.dimensions})
        )
    return points


@dataclass(frozen=True, slots=True)
class QuestionChange:
    question_key: str
    question_text: str
    dimension_label: str
    before: int | None
    after: int | None

    @property
    def delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def direction(self) -> str:
        d = self.delta
        if d is None:
            return "n/a"
        return "rose" if d > 0 else "fell" if d < 0 else "same"


@dataclass(frozen=True, slots=True)
class Comparison:
    before: AssessmentView
    after: AssessmentView
    questions: tuple[QuestionChange, ...]
    dimensions: tuple[tuple[str, float | None, float | None], ...]  # label, before, after

    @property
    def rose(self) -> tuple[QuestionChange, ...]:
        return tuple(q for q in self.questions if q.direction == "rose")

    @property
    def fell(self) -> tuple[QuestionChange, ...]:
        return tuple(q for q in self.questions if q.direction == "fell")


def compare(session: Session, first_id: int, second_id: int) -> Comparison:
    """Two assessments side by side, older first, with what rose and what fell."""
    a, b = get_assessment(session, first_id), get_assessment(session, second_id)
    if (b.held_on, b.id) < (a.held_on, a.id):
        a, b = b, a
    before = {x.question_key: x for x in a.answers}
    after = {x.question_key: x for x in b.answers}
    keys = list(dict.fromkeys([*before, *after]))
    questions = tuple(
        QuestionChange(
            k,
            (after.get(k) or before[k]).question_text,
            (after.get(k) or before[k]).dimension_label,
            before[k].score if k in before else None,
            after[k].score if k in after else None,
        )
        for k in keys
    )
    dkeys = list(dict.fromkeys([d.key for d in a.dimensions] + [d.key for d in b.dimensions]))
    dims = []
    for k in dkeys:
        da, db = a.dimension(k), b.dimension(k)
        either = db or da
        label = either.label if either is not None else k
        dims.append((label, da.share if da else None, db.share if db else None))
    return Comparison(a, b, questions, tuple(dims))


@dataclass(frozen=True, slots=True)
class OpenAction:
    assessment_id: int
    held_on: dt.date
    question_key: str
    question_text: str
    action: str


def open_actions(
    session: Session,
    community_id: int,
    *,
    before: dt.date | None = None,
    checklist: str | None = None,
) -> list[OpenAction]:
    """The agreed actions not yet done of the latest assessment held on or before a date
    (of one checklist, when given: a design-principles review's actions are not the
    fitness test's)."""
    stmt = select(Assessment).where(Assessment.community_id == community_id)
    if before is not None:
        stmt = stmt.where(Assessment.held_on <= before)
    if checklist is not None:
        stmt = stmt.where(Assessment.checklist == checklist)
    last = session.scalars(stmt.order_by(Assessment.held_on.desc(), Assessment.id.desc())).first()
    return [] if last is None else _open_actions(last)


def previous_assessment_id(session: Session, assessment_id: int) -> int | None:
    """The assessment of the same checklist just before this one (by date, then id)."""
    a = session.get(Assessment, assessment_id)
    if a is None:
        return None
    return session.scalar(
        select(Assessment.id)
        .where(
            Assessment.community_id == a.community_id,
            Assessment.checklist == a.checklist,
            or_(
                Assessment.held_on < a.held_on,
                and_(Assessment.held_on == a.held_on, Assessment.id < a.id),
            ),
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
        .limit(1)
    )


def actions_from_previous(session: Session, assessment_id: int) -> list[OpenAction]:
    """The agreed actions of the assessment before this one that are not done yet."""
    previous = previous_assessment_id(session, assessment_id)
    if previous is None:
        return []
    return _open_actions(session.get_one(Assessment, previous))


def _open_actions(last: Assessment) -> list[OpenAction]:
    return [
        OpenAction(last.id, last.held_on, x.question_key, x.question_text, x.action)
        for x in last.answers
        if x.action and not x.action_done
    ]


# --- evidence the store already holds ---------------------------------------------------
def _method_novelty(
    session: Session, community_id: int, start: dt.date, end: dt.date
) -> tuple[int, int]:
    """Agenda blocks of held sessions from ``start`` to ``end`` (days) with a familiar
    method and with a new one, as :func:`sessions.function_coverage` counts them.

    A method (case aside; breaks aside) is new in the first session that uses it and
    familiar ever after. Two set-based queries rather than walking every block of the
    community's history: the methods used before the period, and the period's blocks
    counted per session and method.
    """
    held = and_(CopSession.community_id == community_id, CopSession.status == "held")
    with_method = AgendaBlock.method.not_in(("", "break"))
    since = dt.datetime.combine(start, dt.time())
    before = {
        str(m).casefold()
        for m in session.scalars(
            select(AgendaBlock.method)
            .distinct()
            .join(CopSession, CopSession.id == AgendaBlock.session_id)
            .where(held, with_method, CopSession.starts_at < since)
        )
    }
    rows = session.execute(
        select(AgendaBlock.method, CopSession.id, func.count())
        .join(CopSession, CopSession.id == AgendaBlock.session_id)
        .where(
            held,
            with_method,
            CopSession.starts_at >= since,
            CopSession.starts_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
        )
        .group_by(CopSession.starts_at, CopSession.id, AgendaBlock.method)
        .order_by(CopSession.starts_at, CopSession.id)
    ).all()
    familiar = new = 0
    first_session: dict[str, int] = {}
    for method, sid, n in rows:
        key = method.casefold()
        if key not in before and first_session.setdefault(key, sid) == sid:
            new += n
        else:
            familiar += n
    return familiar, new


def evidence_hints(
    session: Session, community_id: int, held_on: dt.date, *, months: int = 12
) -> dict[str, list[str]]:
    """Hints per dimension key from what the store knows about the period before a date.

    The user still decides the score; these only save looking things up.
    """
    start = held_on - dt.timedelta(days=round(months * 30.44))
    # Counts of the period's sessions and their attendance, by the database.
    in_period = and_(
        CopSession.community_id == community_id,
        CopSession.starts_at >= dt.datetime.combine(start, dt.time()),
        CopSession.starts_at < dt.datetime.combine(held_on + dt.timedelta(days=1), dt.time()),
    )
    is_held = CopSession.status == "held"
    n_sessions, n_held, public = session.execute(
        select(
            func.count(CopSession.id),
            func.sum(case((is_held, 1), else_=0)),
            func.sum(case((CopSession.space == "public", 1), else_=0)),
        ).where(in_period)
    ).one()
    n_sessions, n_held, public = int(n_sessions or 0), int(n_held or 0), int(public or 0)
    invited, attended = (
        int(v or 0)
        for v in session.execute(
            select(func.count(), func.sum(case((Attendance.status == "attended", 1), else_=0)))
            .join(CopSession, CopSession.id == Attendance.session_id)
            .where(in_period, is_held)
        ).one()
    )
    hints: dict[str, list[str]] = defaultdict(list)
    period = f"in the {months} months before {held_on:%d %b %Y}"
    rate = f"{attended / invited:.0%}" if invited else "no attendance recorded"
    hints["resources"].append(
        f"{plural(n_held, 'session')} held {period}; attendance rate {rate}"
    )
    presenters = session.scalar(
        select(func.count(func.distinct(Attendance.member_id)))
        .join(CopSession, CopSession.id == Attendance.session_id)
        .where(
            CopSession.community_id == community_id,
            CopSession.status == "held",
            Attendance.role.in_(("presenter", "facilitator")),
        )
    )
    hints["resources"].append(
        f"{plural(presenters or 0, 'member')} presented or facilitated sessions"
    )
    value_count = entries_in_period(session, community_id, start, held_on)
    hints["results"].append(
        f"{plural(value_count, 'value entry', 'value entries')} logged {period}"
    )
    rh = S.rhythm(session, community_id, now=dt.datetime.combine(held_on, dt.time(23, 59)))
    hints["rhythm"].append(rh.message())
    hints["energy"].append(rh.message())
    r = reach(session, community_id)
    if r.total:
        hints["inside_outside_dialogue"].append(
            f"{plural(r.outside_guests, 'outside guest')} among {plural(r.total, 'member')} "
            f"({r.outside_guests / r.total:.0%})"
        )
        mix = ", ".join(f"{n} {k}" for k, n in r.by_level.items())
        hints["levels_of_participation"].append(f"Participation levels: {mix}")
        hints["members"].append(
            f"{plural(r.total, 'member')} from {plural(len(r.by_organisation), 'organisation')}"
            f" and {plural(len(r.by_region), 'region')}"
        )
    hints["public_private_spaces"].append(
        f"{public} public and {n_sessions - public} private sessions {period}"
    )
    familiar, new = _method_novelty(session, community_id, start, held_on)
    hints["familiarity_excitement"].append(
        f"{plural(familiar, 'block')} used familiar methods, {plural(new, 'block')} tried new ones"
    )
    if n_held:
        gaps = [g for g in rh.gaps_days] or [0]
        hints["structure"].append(
            f"Median gap between sessions: {statistics.median(gaps):.0f} days"
        )
    return dict(hints)
