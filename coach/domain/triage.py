"""Triage engine: a pure function from episodes, follow-ups, profile and `now` to an assessment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from coach.domain import triage_rules
from coach.domain.flags import LEVEL_RANK, LEVELS, NO_MEDICATION_COPY, Flag, Info, highest  # noqa: F401  (pages read the tiers and the medicine sentence here)
from coach.domain.timeline import Timeline, iso_day

RULES_VERSION = "2026.2"
# A date in the reasons' words: (day, today, with_year) -> "today", "on 6 December", ...
SayDay = Callable[[date, date, bool], str]


@dataclass(frozen=True)
class LocalServices:
    """Who to call and where to go in one country (CONTENT.md section 0: wording follows the user's country)."""

    country: str | None
    number: str
    is_fallback: bool
    number_label: str | None  # "international emergency number" for the 112 fallback, else None
    fallback_note: str | None  # the line shown under the 112 fallback, else None
    urgent: str
    emergency: str
    doctor: str  # "a GP" for GB, "a doctor" elsewhere


FALLBACK_NUMBER = "112"
FALLBACK_LABEL = "international emergency number"
FALLBACK_NOTE = "If 112 doesn't connect, call your local emergency number."
GENERIC_URGENT = "a doctor today, or an urgent care service"
GENERIC_EMERGENCY = "the emergency department"
GENERIC_DOCTOR = "a doctor"

# The wording for a person whose country is not known: generic services and the 112 fallback.
GENERIC_SERVICES = LocalServices(
    country=None, number=FALLBACK_NUMBER, is_fallback=True, number_label=FALLBACK_LABEL,
    fallback_note=FALLBACK_NOTE, urgent=GENERIC_URGENT, emergency=GENERIC_EMERGENCY, doctor=GENERIC_DOCTOR,
)


def advice(level: str, services: LocalServices) -> str:
    """What to do at `level` (CONTENT.md section 0, Tiers), in the wording of the person's country."""
    if level == "emergency":
        if services.number in services.emergency.split():
            # The country's own phrase already names the number ("999 or A&E").
            text = f"Get emergency help now: {services.emergency}."
        else:
            label = f" ({services.number_label})" if services.number_label else ""
            text = f"Call emergency services on {services.number}{label} or go to {services.emergency} now."
        return f"{text} {services.fallback_note}" if services.fallback_note else text
    if level == "urgent":
        # Shown under the tier's heading (LEVEL_HEADINGS), which already says "today or within 48 hours".
        return f"Book or call now: {services.urgent}."
    if level == "routine":
        return f"Book an appointment with {services.doctor} or a physiotherapist."
    if level == "none":
        return "Look after yourself at home: try one of the relief routines."
    raise ValueError(f"unknown level {level!r}")


# The `none` level is not a clean bill of health (CONTENT.md section 0).
NONE_HEADING = "None of the app's warning rules apply to what you logged"
# One heading per tier, the same on every page that shows a level (CONTENT.md section 0, Tiers).
LEVEL_HEADINGS = {
    "emergency": "Get help now",
    "urgent": "See a doctor today or within 48 hours",
    "routine": "Book a check-up",
    "none": NONE_HEADING,
}
SAFETY_NET = (
    "See {doctor} if your back pain does not improve after treating it at home for a few weeks, stops you doing "
    "your day-to-day activities, is severe or getting worse over time, or you're worried about it or struggling "
    "to cope. Go to the emergency screen if any warning sign appears."
)
SAFETY_NET_SOURCES = (3,)


def safety_net(services: LocalServices) -> str:
    """The NHS safety-net sentence shown with `none` [3]; "a doctor" for "a GP" outside GB."""
    return SAFETY_NET.format(doctor=services.doctor)


# "Why am I seeing this?" for the pattern rules (CONTENT.md section 0, Why it matters) [12, 13].
WHY_IT_MATTERS = (
    "Frequent or unusual cramps can have causes other than training that a doctor can check, such as low levels "
    "of salts and minerals in the blood (potassium, magnesium, calcium), kidney, hormone or nerve problems, or a "
    "side effect of a medicine."
)
WHY_IT_MATTERS_SOURCES = (12, 13)
WHY_IT_MATTERS_RULES = frozenset({"P1", "P4", "P5", "P6", "P7", "F4"})

# One short plain title per rule id: the one name of a flag everywhere (diary card, report, badge).
RULE_TITLES = {
    "E1": "Warning sign",
    "E2": "Accident, fall or blow",
    "E3": "Muscle locked for over an hour",
    "E4": "Locked muscle not eased by stretching",
    "E5": "Cramps in the arm, hand or belly",
    "E6": "Jaw spasm",
    "E7": "Chest spasm",
    "F1": "Back pain after cancer",
    "F2": "Risk of infection",
    "F3": "Possible fragile-bone fracture",
    "F4": "Leg cramps with a prescribed medicine",
    "P1": "Frequent spasms",
    "P2": "Spasms coming closer together",
    "P3": "Spasms getting stronger",
    "P4": "Spasms at rest",
    "P5": "Back and leg together",
    "P6": "Tingling in hands or feet",
    "P7": "Kidney disease or heavy sweating",
    "P8": "Not improving",
    "P9": "Pain between the shoulder blades",
    "A1": "First spasm at your age",
    "A2": "Repeated spasms at 60 or over",
    "C1": "Several signs together",
    "U16": "Under 16",
    "history_red_flag": "Earlier warning sign",
}

DISCLAIMER = "This content is a coaching aid, not a diagnosis."


@dataclass(frozen=True)
class Episode:
    """One logged spasm. None means "not recorded" and never counts as False, 0 or "unknown" in a rule."""

    id: int
    started_at: datetime
    trigger: str | None
    during_exercise: bool | None
    locations: tuple[str, ...]
    side: str | None
    severity: int | None
    locked_minutes: int | None
    eased_by_stretch: bool | None
    symptoms: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    id: int
    episode_id: int
    at: datetime
    severity: int | None
    status: str
    symptoms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    birth_year: int | None = None
    cancer_history: bool = False
    osteoporosis: bool = False
    long_term_steroids: bool = False
    immunosuppressed: bool = False
    iv_drug_use: bool = False
    kidney_disease: bool = False
    diuretics: bool = False
    new_medicine_4_weeks: bool = False
    heavy_sweater: bool = False


@dataclass(frozen=True)
class Assessment:
    level: str
    rules_version: str
    evaluated_at: datetime
    flags: tuple[Flag, ...] = ()
    info: tuple[Info, ...] = ()

    @property
    def advice(self) -> str:
        """What to do, in the generic wording; pages that know the country use advice(level, services)."""
        return advice(self.level, GENERIC_SERVICES)


def assess(episodes, follow_ups, profile: Profile | None, now: datetime, tz: str | tzinfo,
           say_day: SayDay = iso_day) -> Assessment:
    """Evaluate every rule of CONTENT.md section 2 at the reference time `now` in zone `tz`. `say_day(day, today,
    with_year)` puts a date into the reasons' words (the app passes coach/formats.py on_day)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    timeline = Timeline(episodes, follow_ups, profile or Profile(), now, zone, say_day)
    flags = triage_rules.evaluate(timeline)
    # Highest tier first, then rule id; the sort is stable, so E1 flags keep the symptom table's order.
    flags.sort(key=lambda flag: (-LEVEL_RANK[flag.level], flag.rule))
    ordered = tuple(flags)
    return Assessment(
        level=highest(flag.level for flag in ordered),
        rules_version=RULES_VERSION,
        evaluated_at=now,
        flags=ordered,
        info=tuple(triage_rules.history_info(timeline)),
    )
