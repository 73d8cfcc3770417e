"""Triage engine: a pure function from episodes, follow-ups, profile and `now` to an assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from coach.domain.codes import SYMPTOM_UPGRADES, SYMPTOMS

RULES_VERSION = "2026.1"

# Ordered lowest to highest; "highest tier wins" compares positions in this tuple.
LEVELS = ("none", "routine", "urgent", "emergency")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

# What to do at each level, from CONTENT.md section 0 (Tiers).
ADVICE = {
    "emergency": "Call emergency services or go to A&E now.",
    "urgent": "See a doctor today or within 48 hours: an urgent GP appointment, 111 or urgent care.",
    "routine": "Book an appointment with a GP or a physiotherapist.",
    "none": "Look after yourself at home: try one of the relief routines.",
}

DISCLAIMER = "This content is a coaching aid, not a diagnosis."
NO_MEDICATION_COPY = "Medicines are a decision for your doctor. Don't start, stop or change them yourself."


@dataclass(frozen=True)
class Episode:
    id: int
    started_at: datetime
    trigger: str
    during_exercise: bool
    locations: tuple[str, ...]
    side: str | None
    severity: int
    locked_minutes: int
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
class Flag:
    rule: str
    level: str
    reason: str
    episode_ids: tuple[int, ...]
    sources: tuple[int, ...]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "level": self.level,
            "reason": self.reason,
            "episode_ids": list(self.episode_ids),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Info:
    rule: str
    message: str
    episode_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        # The API shape carries rule and message only; episode ids stay server-side for linking.
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Assessment:
    level: str
    rules_version: str
    evaluated_at: datetime
    flags: tuple[Flag, ...] = ()
    info: tuple[Info, ...] = ()

    @property
    def advice(self) -> str:
        return ADVICE[self.level]

    def to_dict(self) -> dict:
        return {
            "level": self.level,
            "rules_version": self.rules_version,
            "evaluated_at": iso_utc(self.evaluated_at),
            "flags": [flag.to_dict() for flag in self.flags],
            "info": [item.to_dict() for item in self.info],
            "disclaimer": DISCLAIMER,
        }


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, as the API promises for every response datetime."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def highest(levels) -> str:
    return max(levels, key=LEVEL_RANK.__getitem__, default="none")


def symptom_tier(code: str, present) -> str:
    """A symptom's tier given the codes reported with it (the bracketed raises in CONTENT.md section 1)."""
    tier = SYMPTOMS[code][1]
    raised, raisers = SYMPTOM_UPGRADES.get(code, (tier, frozenset()))
    if not raisers.isdisjoint(present) and LEVEL_RANK[raised] > LEVEL_RANK[tier]:
        return raised
    return tier


def assess(episodes, follow_ups, profile: Profile | None, now: datetime, tz: str | tzinfo) -> Assessment:
    """Evaluate every rule of CONTENT.md section 2 at the reference time `now` in zone `tz`."""
    # Imported here because triage_rules builds Flag and Info from this module.
    from coach.domain import triage_rules

    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    timeline = triage_rules.Timeline(episodes, follow_ups, profile or Profile(), now, zone)
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
