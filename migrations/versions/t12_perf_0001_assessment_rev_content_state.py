"""performance: a revision per person for the assessment cache, and the shipped content's generation

New column users.assessment_rev (0 for every existing person: nothing is cached yet, so any start value is
right). New table content_state with one row (generation 0), which `flask seed` bumps with the content so that
every worker's content cache reloads.

Existing rows keep every value. The downgrade drops only what this revision added.

Revision ID: t12perf0001
Revises: t11trainers0001
Create Date: 2026-12-06 17:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 't12perf0001'
down_revision = 't11trainers0001'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases (no table rebuild, so nothing that points at users is touched).
    op.add_column('users', sa.Column('assessment_rev', sa.Integer(), nullable=False, server_default='0'))
    state = op.create_table(
        'content_state',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('generation', sa.Integer(), nullable=False, server_default='0'),
    )
    op.bulk_insert(state, [{'id': 1, 'generation': 0}])


def downgrade():
    op.drop_table('content_state')
    # SQLite 3.35+ drops a column in place; a batch rebuild would cascade to every row that points at users.
    op.drop_column('users', 'assessment_rev')
