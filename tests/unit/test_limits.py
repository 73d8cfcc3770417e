"""Each field limit is one number (coach/domain/limits.py): read back from every column, API schema, form and service
that checks the field, so a later edit of one copy (a literal 80 where the limit says 80, then 100) fails here."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from wtforms.validators import Length, NumberRange

from coach.account.forms import PasswordForm, ProfileForm
from coach.api.schemas import PageQuery, ProfilePatch, RegisterIn, TokenIn
from coach.api.schemas_episodes import EpisodeFields, EpisodeIn, EpisodeUpsert, FollowUpIn
from coach.api.schemas_relief import SessionIn
from coach.api.schemas_reminders import EndpointIn, ReminderIn, ReminderPatch, SubscriptionIn, SubscriptionKeys
from coach.auth.forms import LoginForm, RegisterForm
from coach.auth.passwords import password_problem
from coach.domain import limits
from coach.domain.slugs import new_routine_slug
from coach.episodes.diary import TEXT_LIMITS
from coach.episodes.validation import clean_episode
from coach.errors import ValidationError
from coach.models import Episode, FollowUp, Notification, PushSubscription, Reminder, Routine, RoutineSession, User
from coach.profile_values import clean_profile
from coach.reminders.forms import ReminderForm
from coach.reminders.service import clean_reminder

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def schema_limit(model, name: str, key: str = "max_length"):
    """The bound pydantic enforces on a field (max_length, or le for a number)."""
    found = [getattr(meta, key) for meta in model.model_fields[name].metadata if hasattr(meta, key)]
    assert len(found) == 1, (model, name, key)
    return found[0]


def form_limit(form, name: str) -> int:
    """The Length(max=) of a form's field (it also renders the input's maxlength)."""
    found = [v.max for v in getattr(form, name).kwargs.get("validators", []) if isinstance(v, Length)]
    assert len(found) == 1, (form, name)
    return found[0]


# (the limit, the columns, the schema fields, the form fields) of every user-facing text with a length.
READ_BACK = [
    (limits.NOTES, [], [(EpisodeFields, "notes"), (FollowUpIn, "notes")], []),
    (limits.EXERCISE, [Episode.exercise], [(EpisodeFields, "exercise")], []),
    (limits.RELIEF_USED, [Episode.relief_used], [(EpisodeFields, "relief_used")], []),
    (limits.CLIENT_ID, [Episode.client_id, FollowUp.client_id, RoutineSession.client_id, Reminder.client_id],
     [(EpisodeIn, "client_id"), (FollowUpIn, "client_id"), (SessionIn, "client_id"), (ReminderIn, "client_id")], []),
    (limits.REMINDER_TITLE, [Reminder.title, Notification.title], [(ReminderIn, "title"), (ReminderPatch, "title")],
     [(ReminderForm, "title")]),
    (limits.REMINDER_BODY, [Reminder.body, Notification.body], [(ReminderIn, "body"), (ReminderPatch, "body")],
     [(ReminderForm, "body")]),
    (limits.DISPLAY_NAME, [User.display_name], [(RegisterIn, "display_name"), (ProfilePatch, "display_name")],
     [(RegisterForm, "display_name"), (ProfileForm, "display_name")]),
    (limits.EMAIL, [User.email], [(RegisterIn, "email"), (TokenIn, "email")],
     [(LoginForm, "email"), (RegisterForm, "email")]),
    (limits.PASSWORD, [], [(RegisterIn, "password"), (TokenIn, "password")],
     [(LoginForm, "password"), (RegisterForm, "password"), (PasswordForm, "new_password")]),
    (limits.TIMEZONE, [User.timezone], [(RegisterIn, "timezone"), (ProfilePatch, "timezone")],
     [(RegisterForm, "timezone"), (ProfileForm, "timezone")]),
    (limits.COUNTRY, [User.country], [(RegisterIn, "country"), (ProfilePatch, "country")], []),
    (limits.ROUTINE_SLUG, [Routine.slug, RoutineSession.routine_slug], [(SessionIn, "routine"), (ReminderIn, "routine")],
     []),
    (limits.ROUTINE_TITLE, [Routine.title, RoutineSession.routine_title], [], []),
    (limits.STOP_REASON, [RoutineSession.stop_reason], [(SessionIn, "stop_reason")], []),
    (limits.ROUTINE_STEPS, [], [(SessionIn, "completed_steps")], []),
    (limits.PUSH_ENDPOINT, [PushSubscription.endpoint], [(SubscriptionIn, "endpoint"), (EndpointIn, "endpoint")], []),
    (limits.PUSH_P256DH, [PushSubscription.p256dh], [(SubscriptionKeys, "p256dh")], []),
    (limits.PUSH_AUTH, [PushSubscription.auth], [(SubscriptionKeys, "auth")], []),
    (limits.LOCATIONS, [], [(EpisodeFields, "locations")], []),
    (limits.SYMPTOMS, [], [(EpisodeFields, "symptoms"), (FollowUpIn, "symptoms"), (EpisodeUpsert, "remove_symptoms")],
     []),
    (limits.CURSOR, [], [(PageQuery, "cursor")], []),
]


@pytest.mark.parametrize(("limit", "columns", "schemas", "forms"), READ_BACK,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(READ_BACK)])
def test_columns_schemas_and_forms_read_the_same_number(limit, columns, schemas, forms):
    assert [column.type.length for column in columns] == [limit] * len(columns)
    assert [schema_limit(model, name) for model, name in schemas] == [limit] * len(schemas)
    assert [form_limit(form, name) for form, name in forms] == [limit] * len(forms)


def test_a_made_routines_slug_fits_the_slug_column():
    assert len(new_routine_slug("word " * limits.ROUTINE_SLUG)) <= Routine.slug.type.length == limits.ROUTINE_SLUG


def test_numbers_and_page_sizes_read_the_same_number():
    assert schema_limit(EpisodeFields, "load_kg", "le") == limits.LOAD_KG
    assert schema_limit(PageQuery, "limit", "le") == limits.PAGE_SIZE_MAX
    assert PageQuery.model_fields["limit"].default == limits.PAGE_SIZE


def test_the_diary_counters_show_the_services_limits():
    assert TEXT_LIMITS == {"exercise": limits.EXERCISE, "relief_used": limits.RELIEF_USED, "notes": limits.NOTES}


def _episode_errors(**values) -> dict:
    try:
        clean_episode(values, NOW, partial=True)
    except ValidationError as error:
        return error.fields
    return {}


@pytest.mark.parametrize(("name", "limit"), [("notes", limits.NOTES), ("exercise", limits.EXERCISE),
                                             ("relief_used", limits.RELIEF_USED)])
def test_the_episode_service_refuses_one_character_over_the_limit(name, limit):
    assert _episode_errors(**{name: "x" * limit}) == {}
    assert _episode_errors(**{name: "x" * (limit + 1)})[name] == (
        f"{limit + 1:,} characters; the limit is {limit:,}: shorten it by 1")
    assert _episode_errors(load_kg=limits.LOAD_KG) == {}
    assert _episode_errors(load_kg=limits.LOAD_KG + 0.5) == {"load_kg": f"must be a number from 0 to {limits.LOAD_KG}"}


def _reminder_errors(**values) -> dict:
    base = {"title": "Stand up", "kind": "custom", "body": "Walk a little.",
            "schedule": {"type": "daily", "times": ["07:30"]}}
    try:
        clean_reminder(None, {**base, **values}, NOW)
    except ValidationError as error:
        return error.fields
    return {}


@pytest.mark.parametrize(("name", "limit"), [("title", limits.REMINDER_TITLE), ("body", limits.REMINDER_BODY)])
def test_the_reminder_service_refuses_one_character_over_the_limit(name, limit):
    assert _reminder_errors(**{name: "x" * limit}) == {}
    assert _reminder_errors(**{name: "x" * (limit + 1)}) == {name: f"{limit + 1} characters; the limit is {limit}: shorten it by 1"}


def test_the_profile_and_password_services_use_the_same_limits():
    errors: dict = {}
    assert clean_profile({"display_name": "x" * limits.DISPLAY_NAME}, errors, NOW) and errors == {}
    clean_profile({"display_name": "x" * (limits.DISPLAY_NAME + 1)}, errors, NOW)
    assert errors == {"display_name": f"enter a name of 1 to {limits.DISPLAY_NAME} characters"}
    phrase = "correct horse battery staple "
    assert password_problem((phrase * 20)[:limits.PASSWORD]) is None
    assert password_problem((phrase * 20)[:limits.PASSWORD + 1]) == f"use at most {limits.PASSWORD} characters"
    assert password_problem(phrase[:limits.PASSWORD_MIN - 1]) == f"use at least {limits.PASSWORD_MIN} characters"


def test_the_birth_year_starts_at_one_number_for_the_service_and_the_profile_form():
    errors: dict = {}
    assert clean_profile({"birth_year": limits.BIRTH_YEAR_MIN}, errors, NOW) == {"birth_year": limits.BIRTH_YEAR_MIN}
    clean_profile({"birth_year": limits.BIRTH_YEAR_MIN - 1}, errors, NOW)
    assert errors == {"birth_year": f"enter a year from {limits.BIRTH_YEAR_MIN} to {NOW.year}"}
    bounds = [v.min for v in ProfileForm.birth_year.kwargs["validators"] if isinstance(v, NumberRange)]
    assert bounds == [limits.BIRTH_YEAR_MIN]
