"""merge relief and reminders

Revision ID: m7merge0001
Revises: r4relief0001, r6reminders0001
Create Date: 2026-11-25 10:25:39.936396

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm7merge0001'
down_revision = ('r4relief0001', 'r6reminders0001')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
