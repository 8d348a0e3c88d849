"""row versions for stories, follow-up actions and the community record

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

Stories, follow-up actions and the community's own record (name, domain, host, stage,
logo) get the ``version`` column members, sessions, assessments and value entries have
had since their first revision, so that two people editing one of them on a shared store
never silently overwrite each other. Rows already in the store start at version 1.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("community", "follow_up_action", "story")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
