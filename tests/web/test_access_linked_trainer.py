"""The issue's "done means", now with the real thing: a trainer linked to a client (a TrainerLink row, with the
client sharing episodes) reaches the client's data through the services, unchanged: exactly the client's sessions,
episodes, diary, report and assessment (in the client's zone, with the client's risk answers), one person at a
time; another athlete stays NotFound; the client's reminders, inbox, profile and credentials stay NotFound; and,
given change rights by a RULES row alone (patched here: the app grants a trainer none), what the trainer writes
belongs to the client."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from coach import access
from coach.access import Scope
from coach.account.profile import ProfileChanges, get_profile, update_profile
from coach.account.service import export_user
from coach.auth.service import issue_token, tokens_to_export
from coach.episodes.diary import DiaryFilter, chart_data, due_prompts, history, status_for
from coach.episodes.reports import build_context, episodes_csv
from coach.episodes.service import (
    add_follow_up,
    assess_user,
    episodes_to_export,
    get_episode,
    latest_episode,
    list_episodes,
    log_episode,
)
from coach.errors import NotFound
from coach.extensions import db
from coach.models import Episode, FollowUp, Notification, PushSubscription, Reminder, RoutineSession, TrainerLink, User
from coach.relief.service import get_session, list_sessions, record_session, sessions_to_export
from coach.reminders.calendar import create_feed, feed_of, upcoming
from coach.reminders.devices import list_subscriptions, remove_subscription
from coach.reminders.inbox import get_notification, list_notifications, unread_count
from coach.reminders.service import (
    compute_next,
    create_reminder,
    episode_starts,
    get_reminder,
    list_reminders,
    reminders_for_page,
    schedule_follow_ups,
)
from tests.factories import make_episode

NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)  # 00:30 on 11 March in Auckland, 04:30 on 10 March in Los Angeles
LINKED = access.Relation.LINKED_TRAINER_CONSENT  # a linked trainer while the client shares episodes


@pytest.fixture
def people(seeded):
    """A trainer (Los Angeles), their client (Auckland, a cancer history in her profile) and another athlete;
    the client and the athlete each have spasms, a check-in, sessions, a reminder, an inbox entry, a push device,
    a calendar feed and an API token."""
    app = seeded
    with app.app_context():
        trainer = User(email="coach@example.com", password_hash="x", display_name="Coach", role="trainer",
                       timezone="America/Los_Angeles", country="US")
        client = User(email="client@example.com", password_hash="x", display_name="Client", role="athlete",
                      timezone="Pacific/Auckland", country="NZ", birth_year=1960, cancer_history=True)
        other = User(email="other@example.com", password_hash="x", display_name="Other", role="athlete",
                     timezone="Europe/London", country="GB")
        db.session.add_all([trainer, client, other])
        db.session.commit()
        ids = {"trainer": trainer.id, "client": client.id, "other": other.id}
    for name in ("client", "other"):
        uid = ids[name]
        # Just after midnight in Auckland: its day there is not its day in Los Angeles.
        first = make_episode(app, uid, NOW, started_at=NOW - timedelta(minutes=20), severity=7, notes=f"{name} 1")
        make_episode(app, uid, NOW, started_at=NOW - timedelta(days=3), severity=4, notes=f"{name} 2")
        with app.app_context():
            user = db.session.get(User, uid)
            add_follow_up(user, first, {"status": "same", "severity": 6}, NOW)
            for minutes in (90, 60):
                record_session(user, {"routine": "gym-floor-settle", "started_at": NOW - timedelta(minutes=minutes),
                                      "ended_at": NOW - timedelta(minutes=minutes - 5), "completed": True,
                                      "completed_steps": [1], "pain_before": 6, "pain_after": 4}, NOW)
            create_reminder(user, {"title": f"{name}'s stretch", "kind": "custom",
                                   "schedule": {"type": "daily", "times": ["07:30"]}}, NOW)
            db.session.add_all([
                Notification(user_id=uid, kind="custom", title=f"{name}'s note", url="/", tag=f"t-{name}", fire_at=NOW),
                PushSubscription(user_id=uid, endpoint=f"https://push.example/{name}", p256dh="k", auth="a"),
            ])
            db.session.commit()
            create_feed(user, NOW)
            issue_token(user, NOW, ttl_days=30)
    return app, ids


@pytest.fixture
def link(people, monkeypatch):
    """link(trainer, client, {scope: actions}): a real active link on which the client shares episodes; a rules
    row other than the app's own is set on RULES[LINKED_TRAINER_CONSENT] (the only patch, and only for change
    rights the app never gives)."""
    app, _ = people

    def grant(trainer_id: int, client_id: int, rules: dict) -> None:
        with app.app_context():
            db.session.add(TrainerLink(trainer_id=trainer_id, client_id=client_id, share_episodes=True))
            db.session.commit()
        if rules != access.RULES[LINKED]:
            monkeypatch.setitem(access.RULES, LINKED, rules)

    return grant


SEE_SESSIONS_AND_EPISODES = {Scope.SESSIONS: access.READ_ONLY, Scope.EPISODES: access.READ_ONLY}


def _load(ids):
    return (db.session.get(User, ids["trainer"]), db.session.get(User, ids["client"]), db.session.get(User, ids["other"]))


def _own(model, uid: int) -> set[int]:
    return set(db.session.scalars(select(model.id).where(model.user_id == uid)))


def test_without_the_link_the_trainer_sees_nothing_of_the_client(people):
    app, ids = people
    with app.app_context():
        trainer, client, _ = _load(ids)
        for call in (lambda: list_sessions(trainer, subject=client), lambda: list_episodes(trainer, subject=client),
                     lambda: assess_user(trainer, NOW, subject=client)):
            with pytest.raises(NotFound):
                call()
        assert list_sessions(trainer)[0] == [] and list_episodes(trainer)[0] == []


def test_a_linked_trainer_reads_exactly_the_clients_sessions_and_episodes(people, link):
    app, ids = people
    link(ids["trainer"], ids["client"], SEE_SESSIONS_AND_EPISODES)
    with app.app_context():
        trainer, client, other = _load(ids)
        theirs = _own(RoutineSession, client.id)
        assert len(theirs) == 2
        assert {s.id for s in list_sessions(trainer, subject=client)[0]} == theirs
        assert list_sessions(trainer)[0] == []  # the trainer's own list holds no client's rows
        page, cursor = list_sessions(trainer, subject=client, limit=1)
        assert len(page) == 1 and cursor and {page[0].id} | {s.id for s in list_sessions(
            trainer, subject=client, limit=1, cursor=cursor)[0]} == theirs
        assert all(get_session(trainer, ident).user_id == client.id for ident in theirs)
        assert [s.id for s in sessions_to_export(trainer, subject=client)[0]] == sorted(theirs)

        episodes = _own(Episode, client.id)
        assert {e.id for e in list_episodes(trainer, subject=client)[0]} == episodes
        assert get_episode(trainer, min(episodes)).user_id == client.id
        # Local days are the client's: the spasm 20 minutes before NOW is on 11 March in Auckland.
        today_there = list_episodes(trainer, subject=client, start=date(2026, 3, 11), end=date(2026, 3, 11))[0]
        assert [e.notes for e in today_there] == ["client 1"]
        assert latest_episode(trainer, NOW - timedelta(hours=1), subject=client).notes == "client 1"
        assert {e.id for e in episodes_to_export(trainer, subject=client)[0]} == episodes

        # The assessment is the client's own: her data, her risk answers (F1: cancer history), her zone.
        theirs_assessed = assess_user(trainer, NOW, subject=client)
        assert theirs_assessed == assess_user(client, NOW)
        assert "F1" in {flag.rule for flag in theirs_assessed.flags}
        # The diary and the report read the same way.
        assert history(trainer, DiaryFilter(), subject=client) == history(client, DiaryFilter())
        assert (chart_data(trainer, date(2026, 3, 1), date(2026, 3, 11), subject=client)
                == chart_data(client, date(2026, 3, 1), date(2026, 3, 11)))
        assert [p.episode.id for p in due_prompts(trainer, NOW, subject=client)] == [
            p.episode.id for p in due_prompts(client, NOW)]
        assert status_for(trainer, NOW, subject=client) == status_for(client, NOW)
        assert episodes_csv(trainer, subject=client) == episodes_csv(client)
        seen, own = (build_context(trainer, date(2026, 3, 1), date(2026, 3, 11), NOW, subject=client),
                     build_context(client, date(2026, 3, 1), date(2026, 3, 11), NOW))
        assert (seen.user, seen.report, seen.assessment, seen.risks) == (own.user, own.report, own.assessment, own.risks)


def test_another_athlete_stays_not_found_to_the_linked_trainer(people, link):
    app, ids = people
    link(ids["trainer"], ids["client"], SEE_SESSIONS_AND_EPISODES)
    with app.app_context():
        trainer, _, other = _load(ids)
        for call in (lambda: list_sessions(trainer, subject=other), lambda: list_episodes(trainer, subject=other),
                     lambda: assess_user(trainer, NOW, subject=other), lambda: history(trainer, DiaryFilter(), subject=other),
                     lambda: list_sessions(trainer, subject=other.id),
                     lambda: get_session(trainer, min(_own(RoutineSession, other.id))),
                     lambda: get_episode(trainer, min(_own(Episode, other.id)))):
            with pytest.raises(NotFound):
                call()


def test_the_clients_reminders_profile_and_credentials_stay_not_found(people, link):
    app, ids = people
    link(ids["trainer"], ids["client"], SEE_SESSIONS_AND_EPISODES)
    with app.app_context():
        trainer, client, _ = _load(ids)
        a_reminder, a_note = min(_own(Reminder, client.id)), min(_own(Notification, client.id))
        for call in (
            lambda: list_reminders(trainer, subject=client), lambda: reminders_for_page(trainer, subject=client),
            lambda: get_reminder(trainer, a_reminder), lambda: upcoming(trainer, NOW, subject=client),
            lambda: list_notifications(trainer, subject=client), lambda: unread_count(trainer, subject=client),
            lambda: get_notification(trainer, a_note),
            lambda: get_profile(trainer, subject=client),
            lambda: update_profile(trainer, ProfileChanges({"display_name": "Renamed"}), NOW, subject=client),
            lambda: export_user(trainer, NOW, subject=client),
            lambda: remove_subscription(trainer, "https://push.example/client"),
            lambda: add_follow_up(trainer, min(_own(Episode, client.id)), {"status": "improving"}, NOW),  # read only
        ):
            with pytest.raises(NotFound):
                call()
        assert list_subscriptions(trainer) == [] and tokens_to_export(trainer) == [] and feed_of(trainer) is None
        assert db.session.get(User, client.id).display_name == "Client"


def test_credentials_stay_the_persons_own_even_if_the_rules_granted_them(people, link):
    """CREDENTIALS is SELF_ONLY: a row that (wrongly) gave a trainer every scope still reaches no device, token
    or calendar feed of the client."""
    app, ids = people
    link(ids["trainer"], ids["client"], {scope: access.ALL for scope in Scope})
    with app.app_context():
        trainer, client, _ = _load(ids)
        assert {r.id for r in list_reminders(trainer, subject=client)[0]} == _own(Reminder, client.id)  # granted
        assert list_subscriptions(trainer) == [] and tokens_to_export(trainer) == [] and feed_of(trainer) is None
        for call in (lambda: remove_subscription(trainer, "https://push.example/client"),
                     lambda: export_user(trainer, NOW, subject=client),
                     lambda: access.subject(trainer, client, Scope.CREDENTIALS)):
            with pytest.raises(NotFound):
                call()
        assert db.session.scalar(select(PushSubscription).where(PushSubscription.user_id == client.id)) is not None


def test_what_a_trainer_may_change_is_written_as_the_clients(people, link):
    """With change rights, a check-in, the check-in reminders and a reminder the trainer makes are the client's
    rows, timed on the client's clock."""
    app, ids = people
    link(ids["trainer"], ids["client"], {Scope.EPISODES: access.ALL, Scope.REMINDERS: access.ALL})
    with app.app_context():
        trainer, client, _ = _load(ids)
        episode_id = max(_own(Episode, client.id))
        follow_up, created = add_follow_up(trainer, episode_id, {"status": "improving", "severity": 3}, NOW)
        assert created and follow_up.user_id == client.id
        assert db.session.get(FollowUp, follow_up.id).user_id == client.id
        assert assess_user(trainer, NOW, subject=client) == assess_user(client, NOW)

        reminder, _ = create_reminder(trainer, {"title": "Stretch before bed", "kind": "custom",
                                                "schedule": {"type": "daily", "times": ["21:00"]}}, NOW, subject=client)
        assert reminder.user_id == client.id
        # 21:00 in Auckland, not in Los Angeles.
        assert reminder.next_fire_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
        assert reminder.id in {r.id for r in list_reminders(trainer, subject=client)[0]}
        assert reminder.id not in {r.id for r in list_reminders(trainer)[0]}

        episode = get_episode(trainer, episode_id)
        made = schedule_follow_ups(trainer, episode, NOW)
        assert made and all(r.user_id == client.id for r in made)
        assert all(r.next_fire_at == compute_next(r.schedule, client, NOW) for r in made)
        db.session.rollback()
        assert episode_starts(trainer, [episode_id], subject=client) == {episode_id: episode.started_at}

        logged, created = log_episode(trainer, {"started_at": NOW - timedelta(hours=2), "severity": 5}, NOW,
                                      subject=client, client_id="5f1e4c1e-8d63-4d5e-9a61-0c4c8e2a7b10")
        assert created and logged.user_id == client.id
        check_ins = db.session.scalars(select(Reminder).where(Reminder.episode_id == logged.id)).all()
        assert len(check_ins) == 4 and {r.user_id for r in check_ins} == {client.id}
        assert log_episode(trainer, {"started_at": NOW, "severity": 1}, NOW, subject=client,
                           client_id="5f1e4c1e-8d63-4d5e-9a61-0c4c8e2a7b10") == (logged, False)  # a replay
        with pytest.raises(NotFound):  # change rights on the client are not change rights on anyone else
            log_episode(trainer, {"started_at": NOW, "severity": 1}, NOW, subject=ids["other"])
