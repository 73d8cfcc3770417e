"""The content files' shapes as pydantic models, and their errors as ContentError (`origin: field.path: reason`).

Each YAML document is validated by one model with strict types (YAML's `no` is not a title, `"900"` not a
number) and no unknown fields. What a type cannot say is a validator on the model: medicine words anywhere,
source ids that exist (the validation context's `sources`), routines named in `next` (`known_slugs`), the
stock slug rule (`stock`), duplicates, and the caps from coach/domain/limits. `validate` turns the first error
pydantic finds into our wording and field path, in one place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from coach.content.medication_words import medication_words_in
from coach.content.model import CATEGORIES, KINDS, ContentError
from coach.domain import limits
from coach.domain.slugs import SLUG_RE, is_stock_slug

CODE_RE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
MAX_DEPTH = 10  # trainer routines arrive as JSON: no RecursionError on a deep one
Key = str | int


def fail(reason: str, *at: Key) -> PydanticCustomError:
    """An error in our words, `at` a field below the one being validated (an item of a list, a key)."""
    return PydanticCustomError("content", "{reason}", {"reason": reason, "at": at})


# --- pydantic's error types in our words (the same messages the hand-written checks gave) ---

_REASONS = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "invalid_key": "unknown field",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "int_type": "must be a positive integer",
    "greater_than_equal": "must be a positive integer",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
}


def _reason(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "content":
        return ctx["reason"]
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters (has {len(error['input'].strip())})"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "too_short":
        return f"must have at least {ctx['min_length']} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx['max_length']} items"
    return _REASONS.get(kind, error["msg"])


def field_path(keys: Sequence[Key]) -> str:
    """("steps", 2, "seconds") -> "steps[2].seconds"."""
    path = ""
    for key in keys:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
    return path


def _loc(error: dict[str, Any]) -> tuple[Key, ...]:
    loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":  # a mapping's key refused by its validator: named as written (False for NO)
        loc = (*loc[:-2], str(error["input"]))
    elif error["type"] == "invalid_key":  # a key that is not text (`1: x`) is a key, not a list index
        loc = (*loc[:-1], str(loc[-1]))
    return loc + tuple((error.get("ctx") or {}).get("at", ()))


def content_error(origin: str, error: ValidationError) -> ContentError:
    first = error.errors(include_url=False)[0]
    return ContentError(origin, field_path(_loc(first)), _reason(first))


M = TypeVar("M", bound=BaseModel)


def nested(model: type[M], data: Any, **context: Any) -> M:
    """`data` checked against `model` inside another model's validator: its first error, in our words, at its
    field below the one being validated."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise fail(_reason(first), *_loc(first)) from None


def validate(model: type[M], data: Any, origin: str, **context: Any) -> M:
    """`data` checked against `model`; ContentError naming `origin` and the field of the first problem."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise content_error(origin, error) from None


# --- field types ---


def _no_control_characters(text: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise fail("must not contain control characters")
    return text


def words(cap: int) -> Any:
    """Words a person reads: trimmed, not empty, at most `cap` characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=cap),
                     AfterValidator(_no_control_characters)]


def positive(maximum: int | None = None) -> Any:
    return Annotated[int, Field(ge=1, le=maximum)]


def one_of(choices: tuple[str, ...]) -> Any:
    def check(value: str) -> str:
        if value not in choices:
            raise fail(f"must be one of {', '.join(choices)}")
        return value

    return Annotated[str, AfterValidator(check)]


def _known_source(value: int, info: ValidationInfo) -> int:
    known = (info.context or {}).get("sources")
    if known is not None and value not in known:
        raise fail(f"unknown source id {value}")
    return value


def _unique_ids(ids: list[int]) -> list[int]:
    for i, item in enumerate(ids):
        if item in ids[:i]:
            raise fail(f"duplicate source id {item}", i)
    return ids


SourceIds = Annotated[list[Annotated[int, Field(ge=1), AfterValidator(_known_source)]],
                      AfterValidator(_unique_ids)]


def _medicine_free(value: Any, path: tuple[Key, ...] = ()) -> None:
    """Every string anywhere in the document, known field or not (CONTENT.md section 0)."""
    if len(path) > MAX_DEPTH:
        raise fail("is nested too deeply", *path)
    if isinstance(value, str):
        found = medication_words_in(value)
        if found:
            raise fail(f"names a medicine ({found[0]!r}); the app never does", *path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _medicine_free(item, (*path, key if isinstance(key, str) else str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _medicine_free(item, (*path, i))


class ContentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Document(ContentModel):
    """A whole file (or a trainer's routine): checked for medicine words before anything else, unknown fields too."""

    @model_validator(mode="before")
    @classmethod
    def _no_medicine(cls, data: Any) -> Any:
        _medicine_free(data)
        return data


# --- sources.yaml ---


class SourceDoc(ContentModel):
    id: positive()
    title: words(limits.SOURCE_TITLE)
    url: words(limits.SOURCE_URL) | None = None

    @field_validator("url")
    @classmethod
    def _https(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith("https://"):
            raise fail("must start with https://")
        return url


def _no_repeated_id(items: list, what: str) -> list:
    """The items, once no id repeats; else the error names the repeat's place in the list."""
    for i, item in enumerate(items):
        if any(other.id == item.id for other in items[:i]):
            raise fail(f"duplicate {what} id {item.id}", i, "id")
    return items


class SourcesFile(_Document):
    sources: Annotated[list[SourceDoc], Field(min_length=1)]

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[SourceDoc]) -> list[SourceDoc]:
        return _no_repeated_id(sources, "source")


# --- stop_rules.yaml ---


def _code(code: str) -> str:
    if not CODE_RE.match(code):
        raise fail("must be lowercase words joined by '_'")
    return code


class StopRuleDoc(ContentModel):
    code: Annotated[str, AfterValidator(_code)]
    text: words(limits.RULE_TEXT)
    sources: SourceIds = []


class StopRulesFile(_Document):
    general: words(limits.RULE_TEXT)
    sources: Annotated[SourceIds, Field(min_length=1)]
    emergency: Annotated[list[StopRuleDoc], Field(min_length=1)]
    stop_and_log: Annotated[list[StopRuleDoc], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> StopRulesFile:
        seen: set[str] = set()
        for key in ("emergency", "stop_and_log"):
            for i, rule in enumerate(getattr(self, key)):
                if rule.code in seen:
                    raise fail(f"duplicate code {rule.code!r}", key, i, "code")
                seen.add(rule.code)
        return self


# --- tips.yaml ---


class TipDoc(ContentModel):
    id: positive()
    category: one_of(CATEGORIES)
    title: words(limits.TIP_TITLE)
    text: words(limits.TIP_TEXT)
    sources: SourceIds
    note: words(limits.CONTENT_NOTE) | None = None

    @model_validator(mode="after")
    def _sourced(self) -> TipDoc:
        # An unsourced tip is allowed only when its note says where it comes from
        # (e.g. "Coaching practice."), as CONTENT.md section 4 asks for bracing and warm-up advice.
        if not self.sources and self.note is None:
            raise fail("must have at least 1 item(s)", "sources")
        return self


class TipsFile(_Document):
    tips: Annotated[list[TipDoc], Field(min_length=1)]

    @field_validator("tips")
    @classmethod
    def _unique(cls, tips: list[TipDoc]) -> list[TipDoc]:
        return _no_repeated_id(tips, "tip")


# --- routines/*.yaml, and a trainer's routine ---


def _slug(slug: str, info: ValidationInfo) -> str:
    if not SLUG_RE.match(slug) or len(slug) > limits.ROUTINE_SLUG:
        raise fail("must be lowercase words joined by '-', e.g. 'walk-it-off'")
    if (info.context or {}).get("stock") and not is_stock_slug(slug):
        raise fail("a stock routine's slug has no digit (a slug with one is kept for routines people make)")
    return slug


class StepDoc(ContentModel):
    title: words(limits.STEP_TITLE)
    instruction: words(limits.STEP_INSTRUCTION)
    seconds: positive(limits.STEP_SECONDS)
    optional: bool = False
    note: words(limits.CONTENT_NOTE) | None = None


def _one_step_runs(steps: list[StepDoc]) -> list[StepDoc]:
    if all(step.optional for step in steps):
        raise fail("must have at least one step that is not optional")
    return steps


class EvidenceDoc(ContentModel):
    text: words(limits.EVIDENCE_TEXT)
    sources: Annotated[SourceIds, Field(min_length=1)]


class RoutineDoc(_Document):
    slug: Annotated[str, AfterValidator(_slug)]
    title: words(limits.ROUTINE_TITLE)
    kind: one_of(KINDS)
    summary: words(limits.ROUTINE_SUMMARY)
    sources: Annotated[SourceIds, Field(min_length=1)]
    steps: Annotated[list[StepDoc], Field(min_length=1, max_length=limits.ROUTINE_STEPS),
                     AfterValidator(_one_step_runs)]
    evidence: list[EvidenceDoc] = []
    next: list[str] = []
    frequency: words(limits.ROUTINE_FREQUENCY) | None = None
    order: positive() | None = None

    @model_validator(mode="after")
    def _next_routines_exist(self, info: ValidationInfo) -> RoutineDoc:
        known = (info.context or {}).get("known_slugs") or ()
        for i, slug in enumerate(self.next):
            if slug == self.slug or slug not in known:
                raise fail(f"unknown routine {slug!r}", "next", i)
        return self
