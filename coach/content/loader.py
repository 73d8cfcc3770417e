"""Load and validate the clinical content (sources, routines, stop rules, tips) from YAML files."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coach.content.medication_words import medication_words_in
from coach.content.model import (
    CATEGORIES,
    KINDS,
    Content,
    ContentError,
    Evidence,
    Routine,
    Source,
    Step,
    StopRule,
    StopRules,
    Tip,
)
from coach.domain import limits
from coach.domain.slugs import SLUG_RE, is_stock_slug

CONTENT_DIR = Path(__file__).resolve().parent
CODE_RE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")

MAX_DEPTH = 10


# --- field checks: each takes the origin and the field path, and raises ContentError ---


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _mapping(origin: str, value: Any, path: str, required: Collection[str],
             optional: Collection[str] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContentError(origin, path, "must be a mapping")
    for key in value:
        if key not in required and key not in optional:
            raise ContentError(origin, _at(path, str(key)), "unknown field")
    for key in required:
        if key not in value:
            raise ContentError(origin, _at(path, key), "is required")
    return value


def _list(origin: str, value: Any, path: str, *, min_len: int = 0, max_len: int = 1000) -> list:
    if not isinstance(value, list):
        raise ContentError(origin, path, "must be a list")
    if len(value) < min_len:
        raise ContentError(origin, path, f"must have at least {min_len} item(s)")
    if len(value) > max_len:
        raise ContentError(origin, path, f"must have at most {max_len} items")
    return value


def _text(origin: str, value: Any, path: str, cap: int) -> str:
    if not isinstance(value, str):
        raise ContentError(origin, path, "must be a string")
    text = value.strip()
    if not text:
        raise ContentError(origin, path, "must not be empty")
    if len(text) > cap:
        raise ContentError(origin, path, f"must be at most {cap} characters (has {len(text)})")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise ContentError(origin, path, "must not contain control characters")
    return text


def _optional_text(origin: str, data: dict, key: str, path: str, cap: int) -> str | None:
    if data.get(key) is None:
        return None
    return _text(origin, data[key], _at(path, key), cap)


def _positive_int(origin: str, value: Any, path: str, maximum: int | None = None) -> int:
    # bool is a subclass of int in Python; `seconds: yes` must not become 1.
    if type(value) is not int or value < 1:
        raise ContentError(origin, path, "must be a positive integer")
    if maximum is not None and value > maximum:
        raise ContentError(origin, path, f"must be at most {maximum}")
    return value


def _source_ids(origin: str, value: Any, path: str, sources: Collection[int],
                *, min_len: int = 1) -> tuple[int, ...]:
    ids = _list(origin, value, path, min_len=min_len)
    for i, item in enumerate(ids):
        _positive_int(origin, item, _at(path, i))
        if item not in sources:
            raise ContentError(origin, _at(path, i), f"unknown source id {item}")
        if item in ids[:i]:
            raise ContentError(origin, _at(path, i), f"duplicate source id {item}")
    return tuple(ids)


def _check_no_medication(origin: str, value: Any, path: str = "", depth: int = 0) -> None:
    """Every string anywhere in the document, known field or not (CONTENT.md section 0)."""
    if depth > MAX_DEPTH:  # trainer routines arrive as JSON: no RecursionError on a deep one
        raise ContentError(origin, path, "is nested too deeply")
    if isinstance(value, str):
        found = medication_words_in(value)
        if found:
            raise ContentError(origin, path, f"names a medicine ({found[0]!r}); the app never does")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_no_medication(origin, item, _at(path, str(key)), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_no_medication(origin, item, _at(path, i), depth + 1)


# --- documents ---


def validate_routine(data: dict, *, sources: Collection[int], origin: str,
                     known_slugs: Collection[str] | None = None,
                     stop_rules: StopRules | None = None) -> Routine:
    """Check one routine document (shipped or trainer-made) and build the Routine.

    `sources` holds the known source ids (a dict keyed by id will do); `next` slugs must be in
    `known_slugs` (none are known when it is None). Field paths count list items from 0.
    """
    _check_no_medication(origin, data)
    data = _mapping(origin, data, "", ("slug", "title", "kind", "summary", "sources", "steps"),
                    ("evidence", "next", "frequency", "order"))
    slug = data["slug"]
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > limits.ROUTINE_SLUG:
        raise ContentError(origin, "slug",
                           "must be lowercase words joined by '-', e.g. 'walk-it-off'")
    kind = data["kind"]
    if kind not in KINDS:
        raise ContentError(origin, "kind", f"must be one of {', '.join(KINDS)}")
    raw_steps = _list(origin, data["steps"], "steps", min_len=1, max_len=limits.ROUTINE_STEPS)
    steps = []
    for i, raw in enumerate(raw_steps):
        path = _at("steps", i)
        raw = _mapping(origin, raw, path, ("title", "instruction", "seconds"), ("optional", "note"))
        optional = raw.get("optional", False)
        if not isinstance(optional, bool):
            raise ContentError(origin, _at(path, "optional"), "must be true or false")
        steps.append(Step(
            position=i + 1,
            title=_text(origin, raw["title"], _at(path, "title"), limits.STEP_TITLE),
            instruction=_text(origin, raw["instruction"], _at(path, "instruction"),
                              limits.STEP_INSTRUCTION),
            seconds=_positive_int(origin, raw["seconds"], _at(path, "seconds"), limits.STEP_SECONDS),
            optional=optional,
            note=_optional_text(origin, raw, "note", path, limits.CONTENT_NOTE),
        ))
    if all(step.optional for step in steps):
        raise ContentError(origin, "steps", "must have at least one step that is not optional")
    evidence = []
    for i, raw in enumerate(_list(origin, data.get("evidence", []), "evidence")):
        path = _at("evidence", i)
        raw = _mapping(origin, raw, path, ("text", "sources"))
        evidence.append(Evidence(
            text=_text(origin, raw["text"], _at(path, "text"), limits.EVIDENCE_TEXT),
            sources=_source_ids(origin, raw["sources"], _at(path, "sources"), sources),
        ))
    next_slugs = _list(origin, data.get("next", []), "next")
    for i, item in enumerate(next_slugs):
        if not isinstance(item, str) or item == slug or item not in (known_slugs or ()):
            raise ContentError(origin, _at("next", i), f"unknown routine {item!r}")
    order = data.get("order")
    if order is not None:
        _positive_int(origin, order, "order")
    return Routine(
        slug=slug,
        title=_text(origin, data["title"], "title", limits.ROUTINE_TITLE),
        kind=kind,
        summary=_text(origin, data["summary"], "summary", limits.ROUTINE_SUMMARY),
        sources=_source_ids(origin, data["sources"], "sources", sources),
        steps=tuple(steps),
        evidence=tuple(evidence),
        next=tuple(next_slugs),
        frequency=_optional_text(origin, data, "frequency", "", limits.ROUTINE_FREQUENCY),
        order=order,
        origin=origin,
        stop_rules=stop_rules,
    )


def _parse_sources(origin: str, doc: Any) -> dict[int, Source]:
    doc = _mapping(origin, doc, "", ("sources",))
    result: dict[int, Source] = {}
    for i, raw in enumerate(_list(origin, doc["sources"], "sources", min_len=1)):
        path = _at("sources", i)
        raw = _mapping(origin, raw, path, ("id", "title"), ("url",))
        source_id = _positive_int(origin, raw["id"], _at(path, "id"))
        if source_id in result:
            raise ContentError(origin, _at(path, "id"), f"duplicate source id {source_id}")
        url = _optional_text(origin, raw, "url", path, limits.SOURCE_URL)
        if url is not None and not url.startswith("https://"):
            raise ContentError(origin, _at(path, "url"), "must start with https://")
        title = _text(origin, raw["title"], _at(path, "title"), limits.SOURCE_TITLE)
        result[source_id] = Source(id=source_id, title=title, url=url)
    return result


def _parse_stop_rules(origin: str, doc: Any, sources: Collection[int]) -> StopRules:
    doc = _mapping(origin, doc, "", ("general", "sources", "emergency", "stop_and_log"))
    seen: set[str] = set()

    def rules(key: str) -> tuple[StopRule, ...]:
        items = []
        for i, raw in enumerate(_list(origin, doc[key], key, min_len=1)):
            path = _at(key, i)
            raw = _mapping(origin, raw, path, ("code", "text"), ("sources",))
            code = raw["code"]
            if not isinstance(code, str) or not CODE_RE.match(code):
                raise ContentError(origin, _at(path, "code"),
                                   "must be lowercase words joined by '_'")
            if code in seen:
                raise ContentError(origin, _at(path, "code"), f"duplicate code {code!r}")
            seen.add(code)
            items.append(StopRule(
                code=code,
                text=_text(origin, raw["text"], _at(path, "text"), limits.RULE_TEXT),
                sources=_source_ids(origin, raw.get("sources", []), _at(path, "sources"),
                                    sources, min_len=0),
            ))
        return tuple(items)

    return StopRules(
        emergency=rules("emergency"),
        stop_and_log=rules("stop_and_log"),
        general=_text(origin, doc["general"], "general", limits.RULE_TEXT),
        sources=_source_ids(origin, doc["sources"], "sources", sources),
    )


def _parse_tips(origin: str, doc: Any, sources: Collection[int]) -> tuple[Tip, ...]:
    doc = _mapping(origin, doc, "", ("tips",))
    tips: list[Tip] = []
    for i, raw in enumerate(_list(origin, doc["tips"], "tips", min_len=1)):
        path = _at("tips", i)
        raw = _mapping(origin, raw, path, ("id", "category", "title", "text", "sources"), ("note",))
        tip_id = _positive_int(origin, raw["id"], _at(path, "id"))
        if any(tip.id == tip_id for tip in tips):
            raise ContentError(origin, _at(path, "id"), f"duplicate tip id {tip_id}")
        if raw["category"] not in CATEGORIES:
            raise ContentError(origin, _at(path, "category"),
                               f"must be one of {', '.join(CATEGORIES)}")
        note = _optional_text(origin, raw, "note", path, limits.CONTENT_NOTE)
        # An unsourced tip is allowed only when its note says where it comes from
        # (e.g. "Coaching practice."), as CONTENT.md section 4 asks for bracing and warm-up advice.
        tips.append(Tip(
            id=tip_id,
            category=raw["category"],
            title=_text(origin, raw["title"], _at(path, "title"), limits.TIP_TITLE),
            text=_text(origin, raw["text"], _at(path, "text"), limits.TIP_TEXT),
            sources=_source_ids(origin, raw["sources"], _at(path, "sources"), sources,
                                min_len=0 if note else 1),
            note=note,
        ))
    return tuple(tips)


# --- files ---


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, (str, int, float, bool)):
            continue  # construct_mapping reports unhashable keys itself
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(directory: Path, relative: str) -> Any:
    path = directory / relative
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(relative, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(relative, "", f"cannot be read ({exc})") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(relative, where, f"malformed YAML: {problem}") from None


@lru_cache(maxsize=1)
def shipped_content() -> Content:
    """The validated content files of this package, read once per process (stop rules are global, not stored
    per routine; features read them from here)."""
    return load_content()


def stop_rules() -> StopRules:
    return shipped_content().stop_rules


def load_content(directory: Path | None = None) -> Content:
    """Read and validate every content file under `directory` (default: this package)."""
    directory = Path(directory) if directory is not None else CONTENT_DIR
    docs = {name: _read_yaml(directory, name)
            for name in ("sources.yaml", "stop_rules.yaml", "tips.yaml")}
    for name, doc in docs.items():
        _check_no_medication(name, doc)
    sources = _parse_sources("sources.yaml", docs["sources.yaml"])
    stop_rules = _parse_stop_rules("stop_rules.yaml", docs["stop_rules.yaml"], sources)
    tips = _parse_tips("tips.yaml", docs["tips.yaml"], sources)

    folder = directory / "routines"
    if not folder.is_dir():
        raise ContentError("routines/", "", "folder not found")
    names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    if not names:
        raise ContentError("routines/", "", "no routine files found")
    raw = {f"routines/{name}": _read_yaml(directory, f"routines/{name}") for name in names}
    known_slugs = {doc["slug"] for doc in raw.values()
                   if isinstance(doc, dict) and isinstance(doc.get("slug"), str)}
    routines: dict[str, Routine] = {}
    for origin, doc in raw.items():
        routine = validate_routine(doc, sources=sources, origin=origin,
                                   known_slugs=known_slugs, stop_rules=stop_rules)
        if not is_stock_slug(routine.slug):
            raise ContentError(origin, "slug", "a stock routine's slug has no digit "
                                               "(a slug with one is kept for routines people make)")
        if routine.slug in routines:
            raise ContentError(origin, "slug", f"duplicate slug {routine.slug!r}, "
                                               f"already used by {routines[routine.slug].origin}")
        routines[routine.slug] = routine
    ordered = sorted(routines.values(), key=lambda r: (r.order is None, r.order or 0, r.slug))
    return Content(sources=sources, routines=tuple(ordered), tips=tuple(tips),
                   stop_rules=stop_rules)


__all__ = [
    "CATEGORIES", "CONTENT_DIR", "KINDS", "Content", "ContentError", "Evidence", "Routine",
    "Source", "Step", "StopRule", "StopRules", "Tip", "load_content", "validate_routine",
]
