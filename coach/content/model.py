"""Content types: frozen dataclasses for sources, routines, stop rules and tips; ContentError."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.domain.steps import TimedSteps

KINDS = ("relief", "mobility", "prevention")
CATEGORIES = ("posture", "lifting", "recovery", "hydration")


class ContentError(ValueError):
    """Invalid content; the message reads `origin: field.path: reason`."""

    def __init__(self, origin: str, path: str, reason: str) -> None:
        self.origin, self.path, self.reason = origin, path, reason
        super().__init__(": ".join(part for part in (origin, path, reason) if part))


@dataclass(frozen=True)
class Source:
    id: int
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Evidence:
    text: str
    sources: tuple[int, ...]


@dataclass(frozen=True)
class StopRule:
    code: str
    text: str
    sources: tuple[int, ...] = ()


@dataclass(frozen=True)
class StopRules:
    emergency: tuple[StopRule, ...]
    stop_and_log: tuple[StopRule, ...]
    general: str
    sources: tuple[int, ...]

    def texts(self) -> dict[str, str]:
        """Every stop code a session may carry -> its words: today's rules and the retired ones of 2026.1."""
        return {**RETIRED_STOP_TEXTS, **{rule.code: rule.text for rule in self.emergency + self.stop_and_log}}


# Stop codes of rules 2026.1, still accepted from phones with older pages (a session recorded offline before the
# 2026.2 stop rules is not refused), and their words then, which the report still shows: "New leg weakness"
# became `difficulty_walking` (emergency) and `one_leg_weakness` (stop and log); "Dizziness or palpitations"
# became `palpitations_or_fainting` and `dizziness`.
RETIRED_STOP_TEXTS = {"leg_weakness": "New leg weakness", "dizziness_or_palpitations": "Dizziness or palpitations"}


@dataclass(frozen=True)
class Step:
    position: int
    title: str
    instruction: str
    seconds: int
    optional: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Routine(TimedSteps):
    slug: str
    title: str
    kind: str
    summary: str
    sources: tuple[int, ...]
    steps: tuple[Step, ...]
    evidence: tuple[Evidence, ...] = ()
    next: tuple[str, ...] = ()
    frequency: str | None = None
    order: int | None = None
    origin: str = ""
    stop_rules: StopRules | None = None


@dataclass(frozen=True)
class Tip:
    id: int
    category: str
    title: str
    text: str
    sources: tuple[int, ...]
    note: str | None = None


@dataclass(frozen=True)
class Content:
    sources: dict[int, Source]
    routines: tuple[Routine, ...]
    tips: tuple[Tip, ...]
    stop_rules: StopRules
    _by_slug: dict[str, Routine] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_slug", {r.slug: r for r in self.routines})

    def routine(self, slug: str) -> Routine:
        """The routine with this slug; KeyError if there is none."""
        return self._by_slug[slug]

    def tips_in(self, category: str) -> tuple[Tip, ...]:
        return tuple(tip for tip in self.tips if tip.category == category)
