"""Queries the Fitness tab needs beyond :mod:`copdesk.data.fitness`.

Kept apart so the data layer's commands stay as they are: these only read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from copdesk.data.fitness import OpenAction
from copdesk.data.models import Assessment


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


def open_actions_before(
    session: Session, community_id: int, day: dt.date, checklist: str
) -> list[OpenAction]:
    """The open actions of the last assessment of ``checklist`` held on or before ``day``."""
    last = session.scalars(
        select(Assessment)
        .where(
            Assessment.community_id == community_id,
            Assessment.checklist == checklist,
            Assessment.held_on <= day,
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
        .limit(1)
    ).first()
    return [] if last is None else _open_actions(last)


def _open_actions(last: Assessment) -> list[OpenAction]:
    return [
        OpenAction(last.id, last.held_on, x.question_key, x.question_text, x.action)
        for x in last.answers
        if x.action and not x.action_done
    ]
