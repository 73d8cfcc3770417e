"""security: a row per signed-in browser (login_sessions), so sign-out ends one session, not every one

New table login_sessions (id: the SHA-256 of the secret the session cookie carries; user_id; created_at;
last_seen_at). users.session_version goes: it could only end every session at once. Session cookies made
before this revision name no row, so everyone signed in is asked to sign in once more; API tokens are not touched.

The downgrade drops the table and gives users.session_version back (1 for everyone).

Revision ID: s13sessions0001
Revises: t12perf0001
Create Date: 2026-12-06 20:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 's13sessions0001'
down_revision = 't12perf0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'], unique=False)
    # SQLite 3.35+ drops a column in place; a batch rebuild would cascade to every row that points at users.
    op.drop_column('users', 'session_version')


def downgrade():
    op.add_column('users', sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
