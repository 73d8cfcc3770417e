"""episodes: skipped answers are NULL ("not recorded"); users.profile_prompt_done_at

CONTENT.md 2026.2: a question the person skipped is stored as not recorded (NULL), never as "no", 0 or
"unknown". episodes.trigger, during_exercise, severity and locked_minutes become nullable (eased_by_stretch
already was). Existing rows are kept exactly as they are: an old "unknown", false or 0 cannot be told apart
from a real answer, so nothing is guessed into NULL.

users.profile_prompt_done_at: when set, the profile prompt after the first spasm is not shown again.

On SQLite, batch mode rebuilds a table (copy, drop, rename). With foreign keys enforced, dropping episodes
would cascade to follow_ups and reminders (and dropping users, on the way down, to everything), so
enforcement is off while tables are rebuilt (SQLite's "12-step" procedure: the PRAGMA only works outside a
transaction, hence the autocommit blocks) and a foreign_key_check confirms every reference still points at a
row before it is switched back on.

Revision ID: c1nulls0001
Revises: r8dispatch0001
Create Date: 2026-11-26 09:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = 'c1nulls0001'
down_revision = 'r8dispatch0001'
branch_labels = None
depends_on = None

NOW_NULLABLE = (
    ('trigger', sa.String(length=16)),
    ('during_exercise', sa.Boolean()),
    ('severity', sa.Integer()),
    ('locked_minutes', sa.Integer()),
)
# What the old schema stored for a skipped answer: only used to go back (downgrade).
OLD_FILL = {'trigger': "'unknown'", 'during_exercise': 'false', 'locked_minutes': '0'}


@contextmanager
def _children_kept():
    """On SQLite, batch mode rebuilds a table (copy, drop, rename); with foreign keys enforced the drop would
    cascade to every row that points at it. Enforcement is off meanwhile and checked before it is back on."""
    context = op.get_context()
    sqlite = context.dialect.name == 'sqlite'
    if sqlite:
        with context.autocommit_block():
            op.execute('PRAGMA foreign_keys=OFF')
    try:
        yield
        if sqlite and not context.as_sql:
            broken = op.get_bind().exec_driver_sql('PRAGMA foreign_key_check').fetchall()
            if broken:
                raise RuntimeError(f'foreign keys broken by the table rebuild: {broken[:5]}')
    finally:
        if sqlite:
            with context.autocommit_block():
                op.execute('PRAGMA foreign_keys=ON')


def upgrade():
    with _children_kept():
        with op.batch_alter_table('episodes', schema=None) as batch_op:
            for name, type_ in NOW_NULLABLE:
                batch_op.alter_column(name, existing_type=type_, nullable=True)
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.add_column(sa.Column('profile_prompt_done_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    if not op.get_context().as_sql:
        unscored = op.get_bind().execute(sa.text('SELECT count(*) FROM episodes WHERE severity IS NULL')).scalar()
        if unscored:
            raise RuntimeError(
                f'Episodes without a pain score (not recorded): {unscored}; the old schema cannot hold them. '
                'Give them a score or delete them before downgrading.'
            )
    # The old schema has no "not recorded": a skipped answer goes back to what it used to store.
    for name, fill in OLD_FILL.items():
        op.execute(f'UPDATE episodes SET {name} = {fill} WHERE {name} IS NULL')
    with _children_kept():
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.drop_column('profile_prompt_done_at')
        with op.batch_alter_table('episodes', schema=None) as batch_op:
            for name, type_ in NOW_NULLABLE:
                batch_op.alter_column(name, existing_type=type_, nullable=False)
