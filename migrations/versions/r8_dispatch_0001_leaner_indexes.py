"""dispatch: leaner indexes on the tables the dispatcher writes at the busy minute

Every advanced reminder and every finished delivery is a new row version with an entry in each of its
table's indexes, so at the busy minute an index costs per push. ix_reminders_user_id repeats the leading
column of uq_reminders_user_id (user_id, client_id); ix_reminders_episode_id now holds only follow-up
reminders (the only ones with an episode); the deliveries' claim index holds only pending deliveries.

Revision ID: r8dispatch0001
Revises: m7merge0001
Create Date: 2026-11-25 12:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'r8dispatch0001'
down_revision = 'm7merge0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_user_id')
        batch_op.drop_index('ix_reminders_episode_id')
        batch_op.create_index('ix_reminders_episode_id', ['episode_id'], unique=False,
                              postgresql_where=sa.text('episode_id IS NOT NULL'),
                              sqlite_where=sa.text('episode_id IS NOT NULL'))
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_next_attempt_at')
        batch_op.create_index('ix_deliveries_pending_next_attempt_at', ['next_attempt_at'], unique=False,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_pending_next_attempt_at')
        batch_op.create_index('ix_deliveries_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_episode_id')
        batch_op.create_index('ix_reminders_episode_id', ['episode_id'], unique=False)
        batch_op.create_index('ix_reminders_user_id', ['user_id'], unique=False)
