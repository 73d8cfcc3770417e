"""What a triage rule raises: the tiers in order, a flag or an info line, and a symptom's own tier."""

from __future__ import annotations

from dataclasses import dataclass

from coach.domain.codes import SYMPTOM_UPGRADES, SYMPTOMS

# Ordered lowest to highest; "highest tier wins" compares positions in this tuple.
LEVELS = ("none", "routine", "urgent", "emergency")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

# Closes the reason of every flag that names a medicine (F4).
NO_MEDICATION_COPY = "Medicines are a decision for your doctor. Don't start, stop or change them yourself."


@dataclass(frozen=True)
class Flag:
    rule: str
    level: str
    reason: str
    episode_ids: tuple[int, ...]
    sources: tuple[int, ...]


@dataclass(frozen=True)
class Info:
    rule: str
    message: str
    episode_ids: tuple[int, ...] = ()


def highest(levels) -> str:
    return max(levels, key=LEVEL_RANK.__getitem__, default="none")


def symptom_tier(code: str, present) -> str:
    """A symptom's tier given the codes reported with it (the bracketed raises in CONTENT.md section 1)."""
    tier = SYMPTOMS[code][1]
    raised, raisers = SYMPTOM_UPGRADES.get(code, (tier, frozenset()))
    if not raisers.isdisjoint(present) and LEVEL_RANK[raised] > LEVEL_RANK[tier]:
        return raised
    return tier
