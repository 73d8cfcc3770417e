"""Checking what a person logs: an episode's answers (CONTENT.md section 1), a check-in, and the upsert's narrow
undo; each raises one ValidationError naming every problem at once. Pure checks: no database, no Flask."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain import codes, limits
from ..errors import ValidationError
from ..formats import number
from ..models import Episode, User

CLOCK_SKEW = timedelta(minutes=10)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
MAX_YEARS_AGO = 100
EPISODE_FIELDS = (
    "started_at", "trigger", "during_exercise", "exercise", "load_kg", "locations", "side", "severity",
    "locked_minutes", "eased_by_stretch", "symptoms", "relief_used", "notes",
)
REQUIRED_FIELDS = ("started_at", "severity")


def _int_in(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value, limit: int, name: str, errors: dict) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = "must be text"
        return None
    # A browser sends a textarea's line breaks as CR LF; its counter (and the person) counts one character.
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > limit:
        # Never cut: the person's text is refused with how much to shorten, and the form shows it again.
        errors[name] = limits.too_long(len(value), limit, number)
    return value or None


def _codes(value, allowed: tuple[str, ...], name: str, errors: dict) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[name] = "must be a list of codes"
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors[name] = f"unknown code {unknown[0]!r}"
    return list(dict.fromkeys(value))  # keep order, drop repeats


def clean_moment(value, now: datetime, name: str, errors: dict) -> datetime | None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[name] = "must be a date and time with a UTC offset"
        return None
    if value > now + CLOCK_SKEW:
        errors[name] = "cannot be in the future"
    elif value < EARLIEST:
        errors[name] = "cannot be before 1900"
    return value


def earliest_start(user: User | None, now: datetime) -> tuple[datetime, str]:
    """The earliest plausible start of a spasm and what to say below it: 1 January of the person's birth
    year (in their zone) or 100 years before now, whichever is later."""
    try:
        century = now.replace(year=now.year - MAX_YEARS_AGO)
    except ValueError:  # 29 February
        century = now.replace(year=now.year - MAX_YEARS_AGO, day=28)
    if user is not None and user.birth_year:
        born = datetime(user.birth_year, 1, 1, tzinfo=ZoneInfo(user.timezone or "UTC"))
        if born > century:
            return born, f"can't be before your birth year ({user.birth_year})"
    return century, f"can't be more than {MAX_YEARS_AGO} years ago"


def clean_started_at(value, now: datetime, user: User | None, errors: dict, name: str = "started_at") -> datetime | None:
    """When a spasm started: not more than 10 minutes ahead of the server's clock (a phone's clock may be a
    little fast), not before the person's birth year, not more than 100 years ago."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[name] = "must be a date and time with a UTC offset"
        return None
    floor, message = earliest_start(user, now)
    if value > now + CLOCK_SKEW:
        errors[name] = f"can't be more than {CLOCK_SKEW.seconds // 60} minutes in the future"
    elif value < floor:
        errors[name] = message
    return value


def _answer(values: dict, name: str, clean: dict, check, message: str, errors: dict) -> None:
    """An optional answer: absent stays absent, null (or a blank) is "not recorded", anything else is checked."""
    if name not in values:
        return
    value = values[name]
    if value is None or value == "":
        clean[name] = None
        return
    if not check(value):
        errors[name] = message
    clean[name] = value


def clean_episode(
    values: dict, now: datetime, *, partial: bool = False, user: User | None = None, require_severity: bool = True
) -> dict:
    """Check every rule of CONTENT.md section 1; raise ValidationError with every problem at once.

    A skipped answer (absent, null or blank) is stored as null, "not recorded": never "unknown", false or 0.
    `require_severity=False` lets a spasm be saved before its pain score (the safety check's "Yes", the upsert).
    """
    errors: dict[str, str] = {}
    unknown = set(values) - set(EPISODE_FIELDS)
    for name in sorted(unknown):
        errors[name] = "unknown field"
    if not partial:
        for name in REQUIRED_FIELDS if require_severity else ("started_at",):
            if values.get(name) is None:
                errors[name] = "required"
    clean: dict = {}
    if values.get("started_at") is not None:
        clean["started_at"] = clean_started_at(values["started_at"], now, user, errors)
    _answer(values, "severity", clean, lambda v: _int_in(v, *codes.SEVERITY_RANGE), "must be an integer from 0 to 10", errors)
    if "trigger" in values and values["trigger"] not in (None, "") and values["trigger"] not in codes.TRIGGERS:
        errors["trigger"] = f"unknown code {values['trigger']!r}"
    _answer(values, "trigger", clean, lambda v: True, "", errors)
    if "side" in values and values["side"] not in (None, "") and values["side"] not in codes.SIDES:
        errors["side"] = f"unknown code {values['side']!r}"
    _answer(values, "side", clean, lambda v: True, "", errors)
    for name in ("during_exercise", "eased_by_stretch"):
        _answer(values, name, clean, lambda v: isinstance(v, bool), "must be true, false or null", errors)
    _answer(
        values, "locked_minutes", clean, lambda v: _int_in(v, *codes.LOCKED_MINUTES_RANGE),
        "must be a whole number of minutes from 0 to 1440", errors,
    )
    _answer(
        values, "load_kg", clean,
        lambda v: not isinstance(v, bool) and isinstance(v, int | float) and 0 <= v <= limits.LOAD_KG,
        f"must be a number from 0 to {limits.LOAD_KG}", errors,
    )
    if "locations" in values:
        clean["locations"] = _codes(values["locations"], codes.LOCATIONS, "locations", errors)
    if "symptoms" in values:
        clean["symptoms"] = _codes(values["symptoms"], codes.SYMPTOM_CODES, "symptoms", errors)
    for name, limit in (("exercise", limits.EXERCISE), ("relief_used", limits.RELIEF_USED), ("notes", limits.NOTES)):
        if name in values:
            clean[name] = _text(values[name], limit, name, errors)
    if errors:
        raise ValidationError(errors)
    return clean


FOLLOW_UP_FIELDS = ("at", "severity", "status", "symptoms", "notes")


def clean_follow_up(episode: Episode, values: dict, now: datetime) -> dict:
    """Check a check-in on `episode`; raise ValidationError with every problem at once."""
    errors: dict[str, str] = {name: "unknown field" for name in sorted(set(values) - set(FOLLOW_UP_FIELDS))}
    at = values.get("at") or now
    if not isinstance(at, datetime) or at.tzinfo is None:
        errors["at"] = "must be a date and time with a UTC offset"
    elif at > now + CLOCK_SKEW:
        errors["at"] = f"can't be more than {CLOCK_SKEW.seconds // 60} minutes in the future"
    elif at < episode.started_at:
        errors["at"] = "can't be before the spasm started"
    severity = values.get("severity")
    if severity is not None and not _int_in(severity, *codes.SEVERITY_RANGE):
        errors["severity"] = "must be an integer from 0 to 10"
    status = values.get("status")
    if status not in codes.FOLLOW_UP_STATUSES:
        errors["status"] = "required: one of " + ", ".join(codes.FOLLOW_UP_STATUSES) if status is None else f"unknown code {status!r}"
    symptoms = _codes(values.get("symptoms"), codes.SYMPTOM_CODES, "symptoms", errors)
    notes = _text(values.get("notes"), limits.NOTES, "notes", errors)
    if errors:
        raise ValidationError(errors)
    return {"at": at, "severity": severity, "status": status, "symptoms": symptoms, "notes": notes}


# The safety check's urgent line (CONTENT.md section 0, coach/relief/sos.py URGENT_ITEMS): the only symptoms an
# upsert may take back, when the person undoes a mis-tapped tick. An emergency answer is never removed this way.
REMOVABLE_SYMPTOMS = ("fever", "weight_loss", "cannot_stand")
# field -> the value the urgent line's tick saves; clear_if sets the field back to null only while it holds it.
CLEARABLE_FIELDS = {"locked_minutes": 61}


def undo_request(values: dict) -> tuple[list[str], dict]:
    """The upsert's explicit undo: remove_symptoms (urgent-line codes only) and clear_if ({field: value}),
    checked; a ValidationError names what is refused and why."""
    errors: dict[str, str] = {}
    remove = values.pop("remove_symptoms", None) or []
    clear_if = values.pop("clear_if", None) or {}
    if not isinstance(remove, list | tuple) or not all(isinstance(code, str) for code in remove):
        errors["remove_symptoms"] = "must be a list of codes"
        remove = []
    emergency = [code for code in remove if codes.SYMPTOMS.get(code, ("", ""))[1] == "emergency"]
    others = [code for code in remove if code not in REMOVABLE_SYMPTOMS and code not in emergency]
    if emergency:
        errors["remove_symptoms"] = (
            f"{', '.join(emergency)}: an emergency answer is never removed here; change it in the diary")
    elif others:
        errors["remove_symptoms"] = (
            f"{', '.join(others)}: only {', '.join(REMOVABLE_SYMPTOMS)} (the safety check's ticks) can be removed here")
    both = sorted(set(remove) & set(values.get("symptoms") or []))
    if both and "remove_symptoms" not in errors:
        errors["remove_symptoms"] = f"{', '.join(both)}: cannot be added and removed at once"
    if not isinstance(clear_if, dict):
        errors["clear_if"] = "must be an object such as {\"locked_minutes\": 61}"
        clear_if = {}
    clear_if = {name: value for name, value in clear_if.items() if value is not None}  # null: nothing asked
    for name, value in clear_if.items():
        if name not in CLEARABLE_FIELDS:
            errors[f"clear_if.{name}"] = "only locked_minutes can be cleared here"
        elif value != CLEARABLE_FIELDS[name] or isinstance(value, bool):
            errors[f"clear_if.{name}"] = f"must be {CLEARABLE_FIELDS[name]} (the value the safety check's tick saves)"
        elif values.get(name) is not None:
            errors[f"clear_if.{name}"] = "cannot be set and cleared at once"
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(remove)), dict(clear_if)
