"""SQLAlchemy 2 typed models: the store's schema.

Enumerated values are stored as their framework keys (plain strings), checked by the
commands in this package, so that the SQL stays dialect-neutral and old rows still load
if a later version of the vocabulary drops a term.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


#: Ids are never reused (SQLite AUTOINCREMENT), so undo can put a row back under its id.
NO_REUSE = {"sqlite_autoincrement": True}


class Community(Base):
    __tablename__ = "community"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str] = mapped_column(Text, default="")
    host_organisation: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(20), default="coalescing")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Fitness bands as a share of the maximum score, in percent: below ``amber_from``
    #: is red, from ``green_from`` on is green (a dimension "passes" at green).
    fitness_amber_from: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    fitness_green_from: Mapped[int] = mapped_column(Integer, default=75, server_default="75")
    #: The host's logo for the reports' covers (PNG or JPEG bytes; SVG is rasterised on
    #: import), kept in the store so the file can move without losing it.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(10), default="", server_default="")
    #: Row version, bumped on every update (optimistic locking for shared stores).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    members: Mapped[list[Member]] = relationship(
        back_populates="community", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Member(Base):
    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("community_id", "email_key", name="uq_member_community_email"),
        Index("ix_member_community_name", "community_id", "name_key"),
        NO_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    #: Case-folded, NFKC-normalised name, for finding likely duplicates.
    name_key: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    #: Lower-cased email, unique within a community (NULL when there is none).
    email_key: Mapped[str | None] = mapped_column(String(320))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    joined_on: Mapped[dt.date | None] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(20), default="peripheral")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="active")
    erased: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    #: Row version, bumped on every update (optimistic locking for shared stores).
    version: Mapped[int] = mapped_column(Integer, default=1)

    community: Mapped[Community] = relationship(back_populates="members")
    roles: Mapped[list[MemberRole]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="MemberRole.role"
    )
    tags: Mapped[list[MemberTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="MemberTag.position"
    )
    level_history: Mapped[list[LevelChange]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(LevelChange.changed_on, LevelChange.id)",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MemberRole(Base):
    __tablename__ = "member_role"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class MemberTag(Base):
    """A tag a member holds, either as expertise (what they know) or interest."""

    __tablename__ = "member_tag"
    __table_args__ = (Index("ix_member_tag_key", "kind", "tag_key"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # expertise | interest
    tag_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class LevelChange(Base):
    """A member's participation level from a date on: the trajectory over time."""

    __tablename__ = "level_change"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[dt.date] = mapped_column(Date)


class StoreInfo(Base):
    """Key/value facts about the store itself (which app version last wrote it)."""

    __tablename__ = "store_info"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


# --- Sessions (issue 3) ---------------------------------------------------------------
class Series(Base):
    """A rhythm: the rule that generated a run of planned sessions."""

    __tablename__ = "series"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(20))  # weekly | fortnightly | monthly | custom
    interval_days: Mapped[int] = mapped_column(Integer, default=7)
    first_start: Mapped[dt.datetime] = mapped_column(DateTime)
    until: Mapped[dt.date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)


class CopSession(Base):
    """A community session (meeting); ``starts_at`` is wall-clock time in ``time_zone``."""

    __tablename__ = "cop_session"
    __table_args__ = (
        Index("ix_cop_session_community_start", "community_id", "starts_at"),
        NO_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    planned_minutes: Mapped[int] = mapped_column(Integer, default=90)
    mode: Mapped[str] = mapped_column(String(20), default="online")
    location: Mapped[str] = mapped_column(String(500), default="")
    space: Mapped[str] = mapped_column(String(10), default="public")
    status: Mapped[str] = mapped_column(String(10), default="planned")
    outcome_notes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    resources_created: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    blocks: Mapped[list[AgendaBlock]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AgendaBlock.position"
    )
    facilitators: Mapped[list[SessionFacilitator]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    attendance: Mapped[list[Attendance]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    actions: Mapped[list[FollowUpAction]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="FollowUpAction.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AgendaBlock(Base):
    """One timed block of a session's agenda; its clock time is computed, never stored."""

    __tablename__ = "agenda_block"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("cop_session.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    function: Mapped[str] = mapped_column(String(40), default="")
    method: Mapped[str] = mapped_column(String(100), default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    materials: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class SessionFacilitator(Base):
    __tablename__ = "session_facilitator"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("cop_session.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Attendance(Base):
    __tablename__ = "attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("cop_session.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="invited")
    role: Mapped[str] = mapped_column(String(12), default="participant")


class FollowUpAction(Base):
    __tablename__ = "follow_up_action"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("cop_session.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Row version, bumped on every update (optimistic locking for shared stores).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AgendaTemplate(Base):
    """A saved agenda to start new sessions from (the community's own templates)."""

    __tablename__ = "agenda_template"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_template_name"), NO_REUSE)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    planned_minutes: Mapped[int] = mapped_column(Integer, default=90)
    blocks: Mapped[list[TemplateBlock]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="TemplateBlock.position"
    )


class TemplateBlock(Base):
    __tablename__ = "template_block"

    template_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_template.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    function: Mapped[str] = mapped_column(String(40), default="")
    method: Mapped[str] = mapped_column(String(100), default="")
    materials: Mapped[str] = mapped_column(Text, default="")


# --- Fitness assessments (issue 4) --------------------------------------------------------
class Assessment(Base):
    """One fitness check of a community against a checklist, on a date."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_community_date", "community_id", "held_on"), NO_REUSE)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    checklist: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | final
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    answers: Mapped[list[Answer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Answer.position"
    )
    participants: Mapped[list[AssessmentParticipant]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AssessmentParticipant(Base):
    __tablename__ = "assessment_participant"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Answer(Base):
    """The answer to one checklist question.

    The question's and its dimension's words are kept with the answer, so an answer to a
    question a later copdesk drops still displays and reports as it was asked.
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("assessment_id", "question_key", name="uq_answer_question"),
        NO_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    dimension_key: Mapped[str] = mapped_column(String(40))
    dimension_label: Mapped[str] = mapped_column(String(100))
    question_key: Mapped[str] = mapped_column(String(60))
    question_text: Mapped[str] = mapped_column(Text)
    score: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    action_done: Mapped[bool] = mapped_column(Boolean, default=False)

    links: Mapped[list[EvidenceLink]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="EvidenceLink.id"
    )


class EvidenceLink(Base):
    """A link from an answer to a session or value entry that backs it.

    No foreign key on the target: a link outlives what it points to and then shows the
    label it was made with, marked as deleted.
    """

    __tablename__ = "evidence_link"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # session | value
    target_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300), default="")


# --- The value log (issue 5) ---------------------------------------------------------------
class Story(Base):
    """A value-creation story: entries that follow one thread through the cycles."""

    __tablename__ = "story"
    __table_args__ = (NO_REUSE,)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    expected_ending: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Row version, bumped on every update (optimistic locking for shared stores).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ValueEntry(Base):
    """One piece of value the community created, for members, the host, or both."""

    __tablename__ = "value_entry"
    __table_args__ = (
        Index("ix_value_entry_community_date", "community_id", "entry_date"),
        NO_REUSE,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40))
    cycle: Mapped[str] = mapped_column(String(20))
    function: Mapped[str] = mapped_column(String(40), default="")
    for_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("cop_session.id", ondelete="SET NULL"), index=True
    )
    evidence: Mapped[str] = mapped_column(Text, default="")
    measure_value: Mapped[float | None] = mapped_column()
    measure_unit: Mapped[str] = mapped_column(String(60), default="")
    logged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("story.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    beneficiaries: Mapped[list[ValueBeneficiary]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ValueBeneficiary(Base):
    __tablename__ = "value_beneficiary"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("value_entry.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
