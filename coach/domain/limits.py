"""Every user-facing field limit, declared once.

Each number here is used by the model column (`String(limits.X)`), the web form (`Length(max=limits.X)`, which
also renders `maxlength`), the API schema (`Field(max_length=limits.X)`) and the service's own check, so the four
cannot drift apart (tests/unit/test_limits.py reads them back). Lengths are in characters; a change to a length
that a column uses needs a migration. Standard library only: the domain layer imports neither Flask nor SQLAlchemy.
"""
from __future__ import annotations

from collections.abc import Callable

# ---------------------------------------------------------------- accounts
EMAIL = 254  # the longest address SMTP can carry (RFC 5321)
PASSWORD_MIN = 8
PASSWORD = 256
DISPLAY_NAME = 80
TIMEZONE = 64  # an IANA zone name
COUNTRY = 2  # an ISO 3166-1 alpha-2 code
BIRTH_YEAR_MIN = 1900  # the earliest birth year taken; the latest is the current year
TOKEN = 100  # an API bearer token or a calendar link's token as sent (ours are under 50): longer is refused unread

# ---------------------------------------------------------------- episodes and check-ins (CONTENT.md section 1)
CLIENT_ID = 36  # a client-made UUID as text (episodes, check-ins, sessions, reminders)
EXERCISE = 80
RELIEF_USED = 200
NOTES = 2000  # an episode's notes and a check-in's notes
LOAD_KG = 1000  # the largest load, in kg
LOCATIONS = 14  # codes in one answer
SYMPTOMS = 30

# ---------------------------------------------------------------- routines and sessions (the content library)
# Short enough to read at a glance on a 360 px wide phone; routines people make get the same caps.
ROUTINE_SLUG = 60
ROUTINE_TITLE = 60
ROUTINE_SUMMARY = 120
ROUTINE_FREQUENCY = 120
ROUTINE_STEPS = 50  # steps in a routine, so also the positions a session may list as completed
STEP_TITLE = 40
STEP_INSTRUCTION = 200
STEP_SECONDS = 3600
CONTENT_NOTE = 120  # where a step's or tip's advice comes from when it is not a cited source
EVIDENCE_TEXT = 200
RULE_TEXT = 200  # a stop rule
TIP_TITLE = 60
TIP_TEXT = 300
SOURCE_TITLE = 200
SOURCE_URL = 500
STOP_REASON = 40  # a stop rule's code on a session
SERVICE_WORDING = 200  # a country's urgent, emergency or doctor wording (countries.yaml)

# ---------------------------------------------------------------- reminders, the inbox, push devices
REMINDER_TITLE = 80  # also the inbox entry a reminder leaves
REMINDER_BODY = 200
REMINDERS_PER_PERSON = 50  # follow-up check-ins not counted: each reminder may push many times a day
PUSH_ENDPOINT = 1024
PUSH_P256DH = 128
PUSH_AUTH = 64
USER_AGENT = 200  # kept to name a device; longer ones are cut
DEVICES_PER_PERSON = 20  # the oldest device goes when a new one arrives
# ---------------------------------------------------------------- trainers and clients
INVITE_CODE = 8  # typed by hand at the gym: coach.domain.invites.CODE_ALPHABET has no look-alike letters
INVITE_DAYS = 7  # an invite code expires this long after it is made
INVITE_NOTE = 120  # the trainer's own label for an invite ("Tuesday group")
INVITES_OPEN = 100  # unused, unexpired, unrevoked codes one trainer may hold at once
TRAINER_NOTE = 2000  # a trainer's private note on a client
ASSIGNMENT_NOTE = 500  # a trainer's note on an assignment, shown to the client
ASSIGNMENT_CLIENTS = 500  # clients one assignment request may name
ASSIGNMENTS_PER_CLIENT = 20  # running assignments one trainer gives one client (each a reminder on their phone)
CLIENTS_PER_TRAINER = 1000
ROUTINES_PER_TRAINER = 200

# ---------------------------------------------------------------- lists (API.md: ?limit= and ?cursor=)
PAGE_SIZE = 50
PAGE_SIZE_MAX = 500
CURSOR = 200


def too_long(length: int, limit: int, number: Callable[[int], str] = str) -> str:
    """What a person or a client is told about a text over its limit (never cut: they shorten it themselves).
    `number` writes the counts: the pages and services pass coach.formats.number ('2,001'); the API's request
    check writes plain digits."""
    return f"{number(length)} characters; the limit is {number(limit)}: shorten it by {number(length - limit)}"
