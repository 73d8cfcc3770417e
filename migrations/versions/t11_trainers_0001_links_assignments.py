"""trainers: invites, links with the client's consent, assignments and their pauses, routine versions

New tables: invites, trainer_links, assignments, assignment_pauses, routine_versions. New columns:
routines.version (the latest published version; 1 for every existing routine) and routines.has_draft,
reminders.assignment_id (CASCADE: an assignment's reminder goes with it), routine_sessions.assignment_id (SET
NULL: a client keeps their sessions when a trainer's account goes) and routine_sessions.routine_version.

Existing rows keep every value; the new columns are NULL or their default. Routines people made before this
revision get their version 1 in routine_versions from their current steps, so a trainer can assign them at
once. The downgrade drops only what this revision added.

On SQLite, adding a foreign key rebuilds the table (copy, drop, rename); deliveries, the inbox and steps point at
these tables, so foreign key enforcement is off while they are rebuilt and checked before it is back on (as in
b10routines0001).

Revision ID: t11trainers0001
Revises: b10routines0001
Create Date: 2026-12-06 14:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = 't11trainers0001'
down_revision = 'b10routines0001'
branch_labels = None
depends_on = None


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


def _first_versions():
    """Version 1 of every routine someone made, from its steps as they are now."""
    bind = op.get_bind()
    made = bind.execute(sa.text(
        'SELECT id FROM routines WHERE is_stock = :no'), {'no': False}).fetchall()
    for routine in made:
        steps = bind.execute(sa.text(
            'SELECT position, title, instruction, seconds, optional FROM routine_steps '
            'WHERE routine_id = :id ORDER BY position'), {'id': routine.id}).fetchall()
        # published_at copied in SQL: the text differs by dialect (SQLite keeps a naive string).
        bind.execute(
            sa.text('INSERT INTO routine_versions (routine_id, version, title, kind, summary, steps, published_at) '
                    'SELECT id, 1, title, kind, summary, :steps, created_at FROM routines WHERE id = :id')
            .bindparams(sa.bindparam('steps', type_=sa.JSON())),
            {'id': routine.id,
             'steps': [{'position': s.position, 'title': s.title, 'instruction': s.instruction,
                        'seconds': s.seconds, 'optional': bool(s.optional)} for s in steps]})


def upgrade():
    op.create_table('invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('note', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_invites_trainer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_id'], ['users.id'], name=op.f('fk_invites_used_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
    sa.UniqueConstraint('code', name=op.f('uq_invites_code'))
    )
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invites_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('trainer_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('share_episodes', sa.Boolean(), nullable=False),
    sa.Column('share_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=8), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('note_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_level', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_trainer_links_client_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_trainer_links_trainer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainer_links')),
    sa.UniqueConstraint('trainer_id', 'client_id', name=op.f('uq_trainer_links_trainer_id'))
    )
    with op.batch_alter_table('trainer_links', schema=None) as batch_op:
        batch_op.create_index('ix_trainer_links_client_id', ['client_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('routine_id', sa.Integer(), nullable=False),
    sa.Column('routine_version', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_assignments_client_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['routine_id'], ['routines.id'], name=op.f('fk_assignments_routine_id_routines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_assignments_trainer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_client_id', ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_routine_id'), ['routine_id'], unique=False)
        batch_op.create_index('ix_assignments_trainer_id_client_id', ['trainer_id', 'client_id'], unique=False)

    op.create_table('routine_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('routine_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.String(length=120), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['routine_id'], ['routines.id'], name=op.f('fk_routine_versions_routine_id_routines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routine_versions')),
    sa.UniqueConstraint('routine_id', 'version', name=op.f('uq_routine_versions_routine_id'))
    )
    op.create_table('assignment_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('by', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_pauses_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_pauses'))
    )
    with op.batch_alter_table('assignment_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_pauses_assignment_id'), ['assignment_id'], unique=False)

    with _children_kept():
        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
            batch_op.create_index('ix_reminders_assignment_id', ['assignment_id'], unique=False,
                                  postgresql_where=sa.text('assignment_id IS NOT NULL'),
                                  sqlite_where=sa.text('assignment_id IS NOT NULL'))
            batch_op.create_foreign_key(batch_op.f('fk_reminders_assignment_id_assignments'), 'assignments',
                                        ['assignment_id'], ['id'], ondelete='CASCADE')

        with op.batch_alter_table('routine_sessions', schema=None) as batch_op:
            batch_op.add_column(sa.Column('routine_version', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_routine_sessions_assignment_id_assignments'), 'assignments',
                                        ['assignment_id'], ['id'], ondelete='SET NULL')

        with op.batch_alter_table('routines', schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
            batch_op.add_column(sa.Column('has_draft', sa.Boolean(), server_default=sa.false(), nullable=False))

    _first_versions()


def downgrade():
    with _children_kept():
        with op.batch_alter_table('routines', schema=None) as batch_op:
            batch_op.drop_column('has_draft')
            batch_op.drop_column('version')

        with op.batch_alter_table('routine_sessions', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_routine_sessions_assignment_id_assignments'), type_='foreignkey')
            batch_op.drop_column('assignment_id')
            batch_op.drop_column('routine_version')

        with op.batch_alter_table('reminders', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_reminders_assignment_id_assignments'), type_='foreignkey')
            batch_op.drop_index('ix_reminders_assignment_id', postgresql_where=sa.text('assignment_id IS NOT NULL'),
                                sqlite_where=sa.text('assignment_id IS NOT NULL'))
            batch_op.drop_column('assignment_id')

    with op.batch_alter_table('assignment_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_pauses_assignment_id'))

    op.drop_table('assignment_pauses')
    op.drop_table('routine_versions')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_trainer_id_client_id')
        batch_op.drop_index(batch_op.f('ix_assignments_routine_id'))
        batch_op.drop_index('ix_assignments_client_id')

    op.drop_table('assignments')
    with op.batch_alter_table('trainer_links', schema=None) as batch_op:
        batch_op.drop_index('ix_trainer_links_client_id')

    op.drop_table('trainer_links')
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invites_trainer_id'))

    op.drop_table('invites')
