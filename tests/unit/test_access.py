"""coach/access.py: the table (relation x scope x action), and rows()/get()/routines() on a real database."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from coach import access
from coach.access import Action, Scope
from coach.auth.service import issue_token
from coach.episodes.service import add_follow_up
from coach.errors import Forbidden, NotFound, Unauthorized
from coach.extensions import db
from coach.models import (
    MAX_ID,
    ApiToken,
    CalendarFeed,
    Episode,
    FollowUp,
    Notification,
    PushSubscription,
    Reminder,
    Routine,
    RoutineSession,
    User,
)
from coach.relief.service import record_session
from coach.reminders.calendar import create_feed
from tests.factories import add_own_routine, make_episode

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

# The table as people are promised it, written out (not derived from RULES): a person may read and change all
# of their own data. Their trainer, through an active link, reads their sessions (for adherence) and, only while
# the client shares episodes, their diary with its assessment and report; never the profile (risk answers),
# reminders, inbox, credentials or made routines, and never a change. Nobody else may do anything. COACHING (a
# trainer's invites, links with private notes, assignments) is the trainer's own.
SCOPES = ("profile", "sessions", "episodes", "reminders", "routines", "credentials", "coaching")
#  relation                  scopes read            scopes changed
GRANTS = {
    "self": (set(SCOPES), set(SCOPES)),
    "linked_trainer": ({"sessions"}, set()),
    "linked_trainer_consent": ({"sessions", "episodes"}, set()),
    "other": (set(), set()),
    "anonymous": (set(), set()),
}
EXPECTED = [(relation, scope, scope in read, scope in change)
            for relation, (read, change) in GRANTS.items() for scope in SCOPES]


def _expected_rows() -> set[tuple[str, str, str, bool]]:
    return {row for relation, scope, read, change in EXPECTED
            for row in ((relation, scope, "read", read), (relation, scope, "change", change))}


def test_the_table_is_the_one_written_down():
    table = access.table()
    assert len(table) == len(set(table)), "a (relation, scope, action) appears twice"
    assert set(table) == _expected_rows()


def test_the_table_covers_every_scope_relation_and_action():
    covered = {(relation, scope, action) for relation, scope, action, _ in access.table()}
    assert covered == {(r.value, s.value, a.value) for r in access.Relation for s in Scope for a in Action}
    assert {scope for _, scope, _, _ in EXPECTED} == {s.value for s in Scope}


def _person(ident: int, role: str = "athlete") -> User:
    return User(id=ident, email=f"p{ident}@example.com", display_name=f"P{ident}", role=role, timezone="UTC", country="GB")


ME, SOMEONE = _person(1), _person(2)
SIGNED_OUT = (None, AnonymousUserMixin())


# The trainer relations come from link rows in the database: tests/api/test_trainer_matrix.py walks them.
@pytest.mark.parametrize(("relation", "scope", "read", "change"),
                         [row for row in EXPECTED if row[0] in ("self", "other", "anonymous")])
def test_allows_answers_the_table_for_real_actors(relation, scope, read, change):
    actors = {"self": [ME], "other": [SOMEONE], "anonymous": list(SIGNED_OUT)}[relation]
    for actor in actors:
        assert access.allows(actor, ME.id, Scope(scope), Action.READ) is read
        assert access.allows(actor, ME.id, Scope(scope), Action.CHANGE) is change
        if read:
            access.require(actor, ME.id, Scope(scope), Action.READ)
        else:
            with pytest.raises(NotFound):
                access.require(actor, ME.id, Scope(scope), Action.READ)


def test_relation():
    assert access.relation(ME, ME.id) is access.Relation.SELF
    assert access.relation(SOMEONE, ME.id) is access.Relation.OTHER
    assert access.relation(ME, None) is access.Relation.OTHER  # data of no one is nobody's own
    for actor in SIGNED_OUT:
        assert access.relation(actor, ME.id) is access.Relation.ANONYMOUS


def test_require_role_is_403_for_a_role_401_signed_out_and_lets_the_role_through():
    access.require_role(_person(3, "trainer"), "trainer")
    with pytest.raises(Forbidden) as raised:
        access.require_role(_person(4, "athlete"), "trainer")
    assert raised.value.status == 403 and raised.value.code == "forbidden"
    for actor in SIGNED_OUT:
        with pytest.raises(Unauthorized) as raised:
            access.require_role(actor, "trainer")
        assert raised.value.status == 401 and raised.value.code == "unauthorized"


def test_credentials_are_self_only_whatever_the_rules_say(monkeypatch):
    """SELF_ONLY holds even if a relation's row were (wrongly) given credentials: nobody else reads them."""
    assert Scope.CREDENTIALS in access.SELF_ONLY
    assert all(Scope.CREDENTIALS not in rules for relation, rules in access.RULES.items()
               if relation is not access.Relation.SELF)
    monkeypatch.setitem(access.RULES, access.Relation.OTHER, {scope: access.ALL for scope in Scope})
    assert access.allows(SOMEONE, ME.id, Scope.EPISODES)  # the patch took
    for action in Action:
        assert not access.allows(SOMEONE, ME.id, Scope.CREDENTIALS, action)
        assert access.allows(ME, ME.id, Scope.CREDENTIALS, action)


def test_subject_is_the_actor_or_a_person_the_actor_may_reach():
    assert access.subject(ME, None, Scope.EPISODES) is ME
    assert access.subject(ME, ME, Scope.EPISODES, Action.CHANGE) is ME
    assert access.subject(ME, ME.id, Scope.PROFILE) is ME  # oneself by id: no query
    for actor, whose in ((SOMEONE, ME), (SOMEONE, ME.id), (None, None), (None, ME), *((a, None) for a in SIGNED_OUT)):
        for scope in Scope:
            with pytest.raises(NotFound):
                access.subject(actor, whose, scope)
    for ident in (0, -1, MAX_ID + 1, True, "1"):
        with pytest.raises(NotFound):
            access.subject(ME, ident, Scope.EPISODES)


# ---------------------------------------------------------------- a real database with two people
DAILY = {"type": "daily", "times": ["09:00"]}


def _fill(app, uid: int, name: str) -> dict[type, list[int]]:
    """One of each kind of row for this person; returns their ids by model."""
    episode_id = make_episode(app, uid, NOW, notes=f"{name}'s spasm")
    add_own_routine(app, uid, title=f"{name.title()} warm-up")
    with app.app_context():
        user = db.session.get(User, uid)
        follow_up, _ = add_follow_up(user, episode_id, {"status": "same", "severity": 4}, NOW)
        session, _ = record_session(user, {"routine": "gym-floor-settle", "started_at": NOW - timedelta(minutes=9),
                                           "ended_at": NOW - timedelta(minutes=5), "completed": True,
                                           "completed_steps": [1], "pain_before": 6, "pain_after": 4}, NOW)
        db.session.add_all([
            Reminder(user_id=uid, kind="custom", title=f"{name}'s reminder", schedule=DAILY, enabled=True),
            Notification(user_id=uid, kind="custom", title=f"{name}'s note", url="/", tag=f"t-{name}", fire_at=NOW),
            PushSubscription(user_id=uid, endpoint=f"https://push.example/{name}", p256dh="k", auth="a"),
        ])
        db.session.commit()
        create_feed(user, NOW)
        issue_token(user, NOW, ttl_days=30)
        owned = {model: list(db.session.scalars(select(model.id).where(model.user_id == uid)))
                 for model in (Episode, FollowUp, RoutineSession, Reminder, Notification, PushSubscription,
                               CalendarFeed, ApiToken)}
        owned[Routine] = list(db.session.scalars(select(Routine.id).where(Routine.owner_id == uid)))
        assert follow_up.id in owned[FollowUp] and session.id in owned[RoutineSession]
        assert all(len(ids) >= 1 for ids in owned.values()), owned
        return owned


SCOPES = [
    (Episode, Scope.EPISODES), (FollowUp, Scope.EPISODES), (RoutineSession, Scope.SESSIONS),
    (Reminder, Scope.REMINDERS), (Notification, Scope.REMINDERS), (PushSubscription, Scope.CREDENTIALS),
    (CalendarFeed, Scope.CREDENTIALS), (ApiToken, Scope.CREDENTIALS), (Routine, Scope.ROUTINES),
]


@pytest.fixture
def two(seeded):
    app = seeded
    with app.app_context():
        alice, bob = (User(email=f"{n}@example.com", password_hash="x", display_name=n, timezone="UTC", country="GB")
                      for n in ("alice", "bob"))
        db.session.add_all([alice, bob])
        db.session.commit()
        ids = alice.id, bob.id
    return app, ids, {ids[0]: _fill(app, ids[0], "alice"), ids[1]: _fill(app, ids[1], "bob")}


def _ids(model, clause) -> set[int]:
    return set(db.session.scalars(select(model.id).where(clause)))


def test_rows_are_only_the_actors_own_in_every_scope(two):
    app, (alice_id, bob_id), owned = two
    with app.app_context():
        alice, bob = db.session.get(User, alice_id), db.session.get(User, bob_id)
        for model, scope in SCOPES:
            for action in Action:
                assert _ids(model, access.rows(alice, model, scope, action)) == set(owned[alice_id][model]), model
                assert _ids(model, access.rows(bob, model, scope, action)) == set(owned[bob_id][model]), model
                for actor in SIGNED_OUT:
                    assert _ids(model, access.rows(actor, model, scope, action)) == set(), model
                # Asking for a given person's rows: one's own, or nothing at all.
                assert _ids(model, access.rows(alice, model, scope, action, subject_id=alice_id)) == set(owned[alice_id][model])
                assert _ids(model, access.rows(alice, model, scope, action, subject_id=bob_id)) == set(), model
                assert _ids(model, access.rows(None, model, scope, action, subject_id=bob_id)) == set(), model


def test_rows_of_a_routine_are_never_a_stock_one(two):
    app, (alice_id, _), owned = two
    with app.app_context():
        alice = db.session.get(User, alice_id)
        mine = _ids(Routine, access.rows(alice, Routine, Scope.ROUTINES))
        assert mine == set(owned[alice_id][Routine])
        assert not any(db.session.get(Routine, ident).is_stock for ident in mine)


def test_get_returns_ones_own_and_not_found_for_anyone_elses(two):
    app, (alice_id, bob_id), owned = two
    with app.app_context():
        alice, bob = db.session.get(User, alice_id), db.session.get(User, bob_id)
        for model, scope in SCOPES:
            if model is Routine:  # a routine is asked for by slug, through access.routines (below)
                continue
            mine, theirs = owned[alice_id][model][0], owned[bob_id][model][0]
            for action in Action:
                assert access.get(alice, model, mine, scope, action).id == mine
                assert access.get(bob, model, theirs, scope, action).id == theirs
                for actor in (bob, *SIGNED_OUT):
                    with pytest.raises(NotFound) as raised:
                        access.get(actor, model, mine, scope, action, message="No such thing.")
                    assert raised.value.message == "No such thing."


def test_get_refuses_ids_that_cannot_exist_without_asking_the_database(two):
    app, (alice_id, _), _ = two
    with app.app_context():
        alice = db.session.get(User, alice_id)
        for ident in (0, -1, MAX_ID + 1, 2**63, True, "1", 1.0, None):
            with pytest.raises(NotFound):
                access.get(alice, Episode, ident, Scope.EPISODES)


def test_routines_are_stock_to_everyone_and_ones_own_to_oneself(two):
    app, (alice_id, bob_id), owned = two
    with app.app_context():
        alice, bob = db.session.get(User, alice_id), db.session.get(User, bob_id)
        stock = set(db.session.scalars(select(Routine.id).where(Routine.is_stock.is_(True))))
        assert stock, "the seed loads stock routines"
        assert _ids(Routine, access.routines(alice)) == stock | set(owned[alice_id][Routine])
        assert _ids(Routine, access.routines(bob)) == stock | set(owned[bob_id][Routine])
        for actor in SIGNED_OUT:
            assert _ids(Routine, access.routines(actor)) == stock
        # Nobody changes a stock routine here; one's own, yes.
        assert _ids(Routine, access.routines(alice, Action.CHANGE)) == set(owned[alice_id][Routine])
        assert _ids(Routine, access.routines(None, Action.CHANGE)) == set()

        # get() reads a routine's owner column too (a routine has no user_id).
        theirs = owned[bob_id][Routine][0]
        assert access.get(bob, Routine, theirs, Scope.ROUTINES, Action.CHANGE).id == theirs
        with pytest.raises(NotFound):
            access.get(alice, Routine, theirs, Scope.ROUTINES)


# ---------------------------------------------------------------- the trainer relations, from link rows
@pytest.fixture
def coached(two):
    """Alice's trainers: `plain` (linked, no consent), `sharing` (linked, she shares episodes; assigned her a
    routine of theirs), `ended` (she ended the link; it had consent), `stranger` (no link). Bob has none."""
    from coach.models import Assignment, TrainerLink

    app, (alice_id, bob_id), owned = two
    with app.app_context():
        trainers = {name: User(email=f"{name}@example.com", password_hash="x", display_name=name.title(), role="trainer",
                               timezone="UTC", country="GB") for name in ("plain", "sharing", "ended", "stranger")}
        db.session.add_all(trainers.values())
        db.session.commit()
        ids = {name: user.id for name, user in trainers.items()}
        db.session.add_all([
            TrainerLink(trainer_id=ids["plain"], client_id=alice_id),
            TrainerLink(trainer_id=ids["sharing"], client_id=alice_id, share_episodes=True),
            TrainerLink(trainer_id=ids["ended"], client_id=alice_id, share_episodes=True, ended_at=NOW, ended_by="client"),
        ])
        db.session.commit()
    slug = add_own_routine(app, ids["sharing"], title="Sharing's hip opener")
    with app.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.slug == slug))
        db.session.add(Assignment(trainer_id=ids["sharing"], client_id=alice_id, routine_id=routine.id,
                                  routine_version=1, schedule=DAILY))
        db.session.commit()
        ids.update(alice=alice_id, bob=bob_id, routine=routine.id)
    return app, ids, owned


def _users(ids):
    return {name: db.session.get(User, ident) for name, ident in ids.items() if name != "routine"}


def test_the_relation_comes_from_an_active_link(coached):
    app, ids, _ = coached
    with app.app_context():
        u = _users(ids)
        assert access.relation(u["plain"], ids["alice"]) is access.Relation.LINKED_TRAINER
        assert access.relation(u["sharing"], ids["alice"]) is access.Relation.LINKED_TRAINER_CONSENT
        for name in ("ended", "stranger"):
            assert access.relation(u[name], ids["alice"]) is access.Relation.OTHER
        for name in ("plain", "sharing"):
            assert access.relation(u[name], ids["bob"]) is access.Relation.OTHER
        # A link works one way: the client is not the trainer's trainer.
        assert access.relation(u["alice"], ids["sharing"]) is access.Relation.OTHER


@pytest.mark.parametrize(("relation", "scope", "read", "change"),
                         [row for row in EXPECTED if row[0] in ("linked_trainer", "linked_trainer_consent")])
def test_allows_answers_the_table_for_linked_trainers(coached, relation, scope, read, change):
    app, ids, _ = coached
    with app.app_context():
        u = _users(ids)
        actor = u["plain" if relation == "linked_trainer" else "sharing"]
        assert access.allows(actor, ids["alice"], Scope(scope), Action.READ) is read
        assert access.allows(actor, ids["alice"], Scope(scope), Action.CHANGE) is change
        for other in ("ended", "stranger"):  # the same question, no active link: nothing
            assert not access.allows(u[other], ids["alice"], Scope(scope), Action.READ)


def test_rows_reach_the_clients_rows_the_link_grants_and_nothing_else(coached):
    app, ids, owned = coached
    alice, bob = owned[ids["alice"]], owned[ids["bob"]]
    with app.app_context():
        u = _users(ids)
        grants = {"plain": {RoutineSession}, "sharing": {RoutineSession, Episode, FollowUp}}
        for name in ("plain", "sharing", "ended", "stranger"):
            for model, scope in SCOPES:
                want = set(alice[model]) if model in grants.get(name, set()) else set()
                if model is Routine:
                    want = set(db.session.scalars(select(Routine.id).where(Routine.owner_id == ids[name])))
                assert _ids(model, access.rows(u[name], model, scope)) == want, (name, model)
                got = _ids(model, access.rows(u[name], model, scope, subject_id=ids["alice"]))
                assert got == (set(alice[model]) if model in grants.get(name, set()) else set()), (name, model)
                assert _ids(model, access.rows(u[name], model, scope, subject_id=ids["bob"])) == set()
                assert not set(bob[model]) & _ids(model, access.rows(u[name], model, scope))
            for action_scope in (Scope.SESSIONS, Scope.EPISODES):  # never a change
                assert _ids(RoutineSession, access.rows(u[name], RoutineSession, action_scope, Action.CHANGE)) == set()


def test_subject_is_the_client_only_through_an_active_link_and_the_granted_scope(coached):
    app, ids, _ = coached
    with app.app_context():
        u = _users(ids)
        assert access.subject(u["plain"], ids["alice"], Scope.SESSIONS).id == ids["alice"]
        assert access.subject(u["sharing"], ids["alice"], Scope.EPISODES).id == ids["alice"]
        for name, scope in (("plain", Scope.EPISODES), ("sharing", Scope.PROFILE), ("sharing", Scope.REMINDERS),
                            ("sharing", Scope.CREDENTIALS), ("sharing", Scope.COACHING), ("ended", Scope.SESSIONS),
                            ("stranger", Scope.SESSIONS), ("plain", Scope.SESSIONS)):
            whose = ids["bob"] if (name, scope) == ("plain", Scope.SESSIONS) else ids["alice"]
            with pytest.raises(NotFound):
                access.subject(u[name], whose, scope)
        with pytest.raises(NotFound):
            access.subject(u["sharing"], ids["alice"], Scope.EPISODES, Action.CHANGE)


def test_assigned_follows_the_active_link_and_routines_stay_the_authors(coached):
    from coach.models import Assignment, TrainerLink

    app, ids, _ = coached
    with app.app_context():
        u = _users(ids)
        stock = set(db.session.scalars(select(Routine.id).where(Routine.is_stock.is_(True))))
        # Assigned to her, the trainer's routine reaches her only through the assignment (the version it plays),
        # never as the working copy in her library.
        assert ids["routine"] not in _ids(Routine, access.routines(u["alice"]))
        assert ids["routine"] not in _ids(Routine, access.routines(u["alice"], Action.CHANGE))
        assert {a.routine_id for a in db.session.scalars(select(Assignment).where(access.assigned(u["alice"])))} == {
            ids["routine"]}
        assert ids["routine"] not in _ids(Routine, access.routines(u["bob"]))
        assert _ids(Routine, access.routines(u["plain"])) == stock
        assert len(_ids(Assignment, access.assigned(u["alice"]))) == 1
        assert _ids(Assignment, access.assigned(u["bob"])) == set() == _ids(Assignment, access.assigned(None))
        assert _ids(TrainerLink, access.client_links(u["alice"])) and _ids(TrainerLink, access.client_links(u["bob"])) == set()
        # The client ends the sharing trainer's link: the routine and the assignment are out of her reach.
        link = db.session.scalar(select(TrainerLink).where(TrainerLink.trainer_id == ids["sharing"]))
        link.ended_at = NOW
        db.session.commit()
        assert ids["routine"] not in _ids(Routine, access.routines(u["alice"]))
        assert _ids(Assignment, access.assigned(u["alice"])) == set()
        assert access.relation(u["sharing"], ids["alice"]) is access.Relation.OTHER


def test_watchers_are_the_trainers_who_may_read_the_scope_now(coached):
    app, ids, _ = coached
    with app.app_context():
        def watchers(scope):
            return set(db.session.scalars(access.watchers(ids["alice"], scope)))

        assert watchers(Scope.EPISODES) == {ids["sharing"]}
        assert watchers(Scope.SESSIONS) == {ids["plain"], ids["sharing"]}
        for scope in (Scope.PROFILE, Scope.REMINDERS, Scope.CREDENTIALS, Scope.COACHING, Scope.ROUTINES):
            assert watchers(scope) == set()
        assert set(db.session.scalars(access.watchers(ids["alice"], Scope.EPISODES, Action.CHANGE))) == set()
        assert set(db.session.scalars(access.watchers(ids["bob"], Scope.SESSIONS))) == set()
