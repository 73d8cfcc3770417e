"""reminders: routine_id (a foreign key to routines) replaces the slug text in reminders.routine

A routine reminder names its routine by id, so a routine someone makes can never be taken for another by a
slug, and a deleted routine leaves the reminder in place (SET NULL: it keeps its title and opens the routine
library). The API and the forms still name a routine by slug; the service maps one to the other.

Existing rows: routine_id is filled from the routine whose slug the text names, if the reminder's owner may
play it (a stock routine, or their own). A reminder whose slug names no such routine keeps its row, with
routine_id NULL and its slug text in routine_slug_unresolved (never shown, never written by the app), so
nothing is lost. Going back writes each linked routine's slug into the text column again, and the kept text
where there is no linked routine.

Edited in place before release (routine_slug_unresolved was added to this revision, not to a new one): no
deployed database has run it yet.

On SQLite, batch mode rebuilds the table (copy, drop, rename); deliveries and the inbox point at reminders, so
foreign key enforcement is off while it is rebuilt and checked before it is back on (as in c1nulls0001).

Revision ID: b10routines0001
Revises: c1nulls0001
Create Date: 2026-12-01 09:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = 'b10routines0001'
down_revision = 'c1nulls0001'
branch_labels = None
depends_on = None

FK = 'fk_reminders_routine_id_routines'  # NAMING_CONVENTION's name, so SQLite's rebuild can find it again


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
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.add_column(sa.Column('routine_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('routine_slug_unresolved', sa.String(length=60), nullable=True))
            batch_op.create_foreign_key(FK, 'routines', ['routine_id'], ['id'], ondelete='SET NULL')
        op.execute(
            'UPDATE reminders SET routine_id = ('
            ' SELECT routines.id FROM routines WHERE routines.slug = reminders.routine'
            ' AND (routines.is_stock OR routines.owner_id = reminders.user_id))'
            ' WHERE reminders.routine IS NOT NULL'
        )
        op.execute(
            'UPDATE reminders SET routine_slug_unresolved = routine'
            ' WHERE reminders.routine IS NOT NULL AND reminders.routine_id IS NULL'
        )
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.drop_column('routine')


def downgrade():
    with _children_kept():
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.add_column(sa.Column('routine', sa.String(length=60), nullable=True))
        op.execute(
            'UPDATE reminders SET routine = COALESCE('
            ' (SELECT routines.slug FROM routines WHERE routines.id = reminders.routine_id),'
            ' reminders.routine_slug_unresolved)'
            ' WHERE reminders.routine_id IS NOT NULL OR reminders.routine_slug_unresolved IS NOT NULL'
        )
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.drop_constraint(FK, type_='foreignkey')
            batch_op.drop_column('routine_slug_unresolved')
            batch_op.drop_column('routine_id')
