"""Load the clinical content (sources, routines, stop rules, tips) from YAML files into frozen dataclasses."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coach.content.documents import RoutineDoc, SourcesFile, StopRulesFile, TipsFile, validate
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

CONTENT_DIR = Path(__file__).resolve().parent


# --- documents: checked by their pydantic models (coach/content/documents.py), then made into our types ---


def validate_routine(data: Any, *, sources: Collection[int], origin: str,
                     known_slugs: Collection[str] | None = None,
                     stop_rules: StopRules | None = None, stock: bool = False) -> Routine:
    """Check one routine document (shipped or trainer-made) and build the Routine.

    `sources` holds the known source ids (a dict keyed by id will do); `next` slugs must be in
    `known_slugs` (none are known when it is None); a `stock` routine's slug has no digit. Field paths
    count list items from 0.
    """
    doc = validate(RoutineDoc, data, origin, sources=sources, known_slugs=known_slugs or (), stock=stock)
    return Routine(
        slug=doc.slug, title=doc.title, kind=doc.kind, summary=doc.summary, sources=tuple(doc.sources),
        steps=tuple(Step(position=i + 1, title=step.title, instruction=step.instruction, seconds=step.seconds,
                         optional=step.optional, note=step.note) for i, step in enumerate(doc.steps)),
        evidence=tuple(Evidence(text=item.text, sources=tuple(item.sources)) for item in doc.evidence),
        next=tuple(doc.next), frequency=doc.frequency, order=doc.order, origin=origin, stop_rules=stop_rules,
    )


def _sources(doc: Any) -> dict[int, Source]:
    return {item.id: Source(id=item.id, title=item.title, url=item.url)
            for item in validate(SourcesFile, doc, "sources.yaml").sources}


def _stop_rules(doc: Any, sources: Collection[int]) -> StopRules:
    checked = validate(StopRulesFile, doc, "stop_rules.yaml", sources=sources)

    def rules(items) -> tuple[StopRule, ...]:
        return tuple(StopRule(code=rule.code, text=rule.text, sources=tuple(rule.sources)) for rule in items)

    return StopRules(emergency=rules(checked.emergency), stop_and_log=rules(checked.stop_and_log),
                     general=checked.general, sources=tuple(checked.sources))


def _tips(doc: Any, sources: Collection[int]) -> tuple[Tip, ...]:
    return tuple(Tip(id=tip.id, category=tip.category, title=tip.title, text=tip.text, sources=tuple(tip.sources),
                     note=tip.note)
                 for tip in validate(TipsFile, doc, "tips.yaml", sources=sources).tips)


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
    sources = _sources(_read_yaml(directory, "sources.yaml"))
    stop_rules = _stop_rules(_read_yaml(directory, "stop_rules.yaml"), sources)
    tips = _tips(_read_yaml(directory, "tips.yaml"), sources)

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
                                   known_slugs=known_slugs, stop_rules=stop_rules, stock=True)
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
