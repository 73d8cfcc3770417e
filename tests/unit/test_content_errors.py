"""The content loader refuses bad files naming the file and the field; validate_routine for trainer-made routines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from coach.content import CONTENT_DIR, MEDICINES_COPY, ContentError, load_content, validate_routine


@pytest.fixture(scope="module")
def content():
    return load_content()


# --- failures: a copy of the shipped content with one thing broken ---


@pytest.fixture
def content_dir(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _heat_text() -> str:
    return (Path(CONTENT_DIR) / "routines" / "heat.yaml").read_text(encoding="utf-8")


def _heat_data() -> dict:
    return yaml.safe_load(_heat_text())


DELETE = object()


def _set(relative, *keys_and_value):
    """A case action: in `relative`, set data[k1][k2]... to the value (or DELETE it)."""
    *keys, last, value = keys_and_value

    def action(directory: Path) -> None:
        path = directory / relative
        data = node = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in keys:
            node = node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    return action


def _write(relative, text):
    def action(directory: Path) -> None:
        (directory / relative).write_text(text, encoding="utf-8")

    return action


def _copy_heat_as(name):
    def action(directory: Path) -> None:
        shutil.copy(directory / "routines" / "heat.yaml", directory / "routines" / name)

    return action


HEAT, TIPS, SOURCES, STOP = "routines/heat.yaml", "tips.yaml", "sources.yaml", "stop_rules.yaml"
ONLY_OPTIONAL = [{"title": "a", "instruction": "b", "seconds": 5, "optional": True}]
POSITIVE = "must be a positive integer"

# (case, file, where in the file, new value or DELETE, the message after "file: ")
EDITS = [
    ("zero seconds", HEAT, ("steps", 1, "seconds"), 0, f"steps[1].seconds: {POSITIVE}"),
    ("negative seconds", HEAT, ("steps", 1, "seconds"), -30, f"steps[1].seconds: {POSITIVE}"),
    ("string seconds", HEAT, ("steps", 1, "seconds"), "900", f"steps[1].seconds: {POSITIVE}"),
    ("True as seconds", HEAT, ("steps", 0, "seconds"), True, f"steps[0].seconds: {POSITIVE}"),
    ("float seconds", HEAT, ("steps", 0, "seconds"), 30.5, f"steps[0].seconds: {POSITIVE}"),
    ("seconds too long", HEAT, ("steps", 1, "seconds"), 3601, "steps[1].seconds: must be at most 3600"),
    ("empty instruction", HEAT, ("steps", 2, "instruction"), "", "steps[2].instruction: must not be empty"),
    ("blank instruction", HEAT, ("steps", 2, "instruction"), "  ", "steps[2].instruction: must not be empty"),
    ("missing instruction", HEAT, ("steps", 0, "instruction"), DELETE, "steps[0].instruction: is required"),
    ("no steps", HEAT, ("steps",), [], "steps: must have at least 1"),
    ("only optional steps", HEAT, ("steps",), ONLY_OPTIONAL, "steps: must have at least one step that is not"),
    ("optional not a bool", HEAT, ("steps", 0, "optional"), "yes", "steps[0].optional: must be true or false"),
    ("unknown source id", HEAT, ("sources",), [24, 99], "sources[1]: unknown source id 99"),
    ("unknown evidence source", HEAT, ("evidence", 0, "sources"), [8, 40], "evidence[0].sources[1]: unknown source"),
    ("no routine sources", HEAT, ("sources",), [], "sources: must have at least 1"),
    ("unknown key", HEAT, ("colour",), "red", "colour: unknown field"),
    ("unknown step key", HEAT, ("steps", 0, "duration"), 30, "steps[0].duration: unknown field"),
    ("missing title", HEAT, ("title",), DELETE, "title: is required"),
    ("title too long", HEAT, ("title",), "x" * 61, "title: must be at most 60 characters"),
    ("bad slug", HEAT, ("slug",), "Heat Pack", "slug: must be lowercase"),
    ("slug with trailing dash", HEAT, ("slug",), "heat-", "slug: must be lowercase"),
    ("bad kind", HEAT, ("kind",), "stretch", "kind: must be one of relief, mobility, prevention"),
    ("unknown next", HEAT, ("next",), ["floor-mobility", "nap"], "next[1]: unknown routine 'nap'"),
    ("next is itself", HEAT, ("next",), ["heat"], "next[0]: unknown routine 'heat'"),
    ("bad category", TIPS, ("tips", 0, "category"), "diet", "tips[0].category: must be one of posture, lifting"),
    ("duplicate tip id", TIPS, ("tips", 1, "id"), 1, "tips[1].id: duplicate tip id 1"),
    ("unknown tip source", TIPS, ("tips", 0, "sources"), [35], "tips[0].sources[0]: unknown source id 35"),
    ("unsourced tip", TIPS, ("tips", 0, "sources"), [], "tips[0].sources: must have at least 1"),
    ("unknown tip key", TIPS, ("tips", 3, "colour"), "red", "tips[3].colour: unknown field"),
    ("duplicate source id", SOURCES, ("sources", 1, "id"), 1, "sources[1].id: duplicate source id 1"),
    ("non-https url", SOURCES, ("sources", 0, "url"), "http://x.org", "sources[0].url: must start with https://"),
    ("unknown stop rule source", STOP, ("emergency", 0, "sources"), [3, 77], "emergency[0].sources[1]: unknown"),
    ("duplicate stop rule code", STOP, ("stop_and_log", 0, "code"), "chest_pain", "stop_and_log[0].code: duplicate"),
    ("unknown stop rules key", STOP, ("extra",), 1, "extra: unknown field"),
    ("medicine in an instruction", HEAT, ("steps", 0, "instruction"), "Take ibuprofen.",
     "steps[0].instruction: names a medicine ('ibuprofen')"),
    ("medicine in a tip", TIPS, ("tips", 2, "text"), "A muscle relaxant can help.",
     "tips[2].text: names a medicine ('muscle relaxant')"),
    ("generic word in a summary", HEAT, ("summary",), "Heat and medication.", "summary: names a medicine"),
    ("medicine in an unknown field", HEAT, ("extra",), ["fine", "Paracetamol"], "extra[1]: names a medicine"),
    ("medicine in a source title", SOURCES, ("sources", 0, "title"), "Aspirin", "sources[0].title: names a medicine"),
    ("medicine in a stop rule", STOP, ("general",), "Stop and take codeine.", "general: names a medicine"),
    # What a content editor gets wrong, each named by file and field (pydantic's errors in our words).
    ("steps is one text", HEAT, ("steps",), "Apply heat", "steps: must be a list"),
    ("a step is a sentence", HEAT, ("steps", 1), "Apply the heat pack", "steps[1]: must be a mapping"),
    ("missing step seconds", HEAT, ("steps", 2, "seconds"), DELETE, "steps[2].seconds: is required"),
    ("step title a number", HEAT, ("steps", 1, "title"), 5, "steps[1].title: must be a string"),
    ("too many steps", HEAT, ("steps",), [{"title": "a", "instruction": "b", "seconds": 5}] * 51,
     "steps: must have at most 50 items"),
    ("control character", HEAT, ("steps", 0, "title"), "Warm\x07up", "steps[0].title: must not contain control"),
    ("frequency too long", HEAT, ("frequency",), "x" * 121, "frequency: must be at most 120 characters (has 121)"),
    ("order zero", HEAT, ("order",), 0, f"order: {POSITIVE}"),
    ("evidence without sources", HEAT, ("evidence", 0, "sources"), DELETE, "evidence[0].sources: is required"),
    ("evidence as text", HEAT, ("evidence",), "Heat helps.", "evidence: must be a list"),
    ("next not a list", HEAT, ("next",), "walk-it-off", "next: must be a list"),
    ("tip missing category", TIPS, ("tips", 4, "category"), DELETE, "tips[4].category: is required"),
    ("tip id as text", TIPS, ("tips", 4, "id"), "5", f"tips[4].id: {POSITIVE}"),
    ("unknown source key", SOURCES, ("sources", 2, "link"), "https://x.org", "sources[2].link: unknown field"),
    ("source title empty", SOURCES, ("sources", 2, "title"), " ", "sources[2].title: must not be empty"),
    ("duplicate source in a list", HEAT, ("sources",), [24, 17, 24], "sources[2]: duplicate source id 24"),
    ("stop code in capitals", STOP, ("emergency", 1, "code"), "Chest_Pain", "emergency[1].code: must be lowercase"),
    ("no stop-and-log rules", STOP, ("stop_and_log",), [], "stop_and_log: must have at least 1"),
    ("stop rules missing general", STOP, ("general",), DELETE, "general: is required"),
]
OTHER_FAILURES = [
    ("YAML 'no' as a title", _write(HEAT, _heat_text().replace("title: Heat", "title: no")),
     f"{HEAT}: title: must be a string"),
    ("duplicate slug", _copy_heat_as("zz-copy.yaml"),
     "routines/zz-copy.yaml: slug: duplicate slug 'heat', already used by routines/heat.yaml"),
    ("missing file", lambda d: (d / TIPS).unlink(), f"{TIPS}: file not found"),
    ("missing routines folder", lambda d: shutil.rmtree(d / "routines"), "routines/: folder not found"),
    ("malformed YAML", _write(HEAT, "slug: [heat\ntitle: Heat\n"), f"{HEAT}: line 2, column 6: malformed YAML"),
    ("malformed tips YAML", _write(TIPS, "tips:\n  - id: 1\n   bad: indent\n"),
     f"{TIPS}: line 3, column 4: malformed YAML"),
    ("duplicate YAML key", _write(HEAT, _heat_text() + "slug: heat-again\n"),
     f"{HEAT}: line {len(_heat_text().splitlines()) + 1}, column 1: malformed YAML: duplicate key 'slug'"),
    ("a list, not a mapping", _write(HEAT, "- slug: heat\n"), f"{HEAT}: must be a mapping"),
    ("empty file", _write(SOURCES, ""), f"{SOURCES}: must be a mapping"),
    ("a number as a key", _write(HEAT, _heat_text() + "1: one\n"), f"{HEAT}: 1: unknown field"),
    ("a stock slug with a digit", _write(HEAT, _heat_text().replace("slug: heat", "slug: heat-2")),
     f"{HEAT}: slug: a stock routine's slug has no digit"),
]
FAILURES = [
    (case, _set(file, *keys, value), f"{file}: {message}")
    for case, file, keys, value, message in EDITS
] + OTHER_FAILURES


@pytest.mark.parametrize(("action", "expected"), [case[1:] for case in FAILURES],
                         ids=[case[0] for case in FAILURES])
def test_bad_content_is_refused_naming_file_and_field(content_dir, action, expected):
    action(content_dir)
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_a_copy_of_the_shipped_content_loads(content_dir, content):
    assert load_content(content_dir) == content


def test_the_fixed_medicines_copy_is_allowed(content_dir):
    _set(TIPS, "tips", 0, "text", MEDICINES_COPY)(content_dir)
    assert load_content(content_dir).tips[0].text == MEDICINES_COPY


def test_an_unsourced_tip_needs_a_note(content_dir):
    _set(TIPS, "tips", 0, "sources", [])(content_dir)
    _set(TIPS, "tips", 0, "note", "Coaching practice.")(content_dir)
    tip = load_content(content_dir).tips[0]
    assert tip.sources == () and tip.note == "Coaching practice."


# --- validate_routine for trainer-made routines ---


def test_validate_routine_for_a_trainer(content):
    data = {
        "slug": "my-warm-down", "title": "My warm-down", "kind": "prevention",
        "summary": "Easy walk then knee rolls.", "sources": [20],
        "steps": [{"title": "Walk", "instruction": "Walk easy.", "seconds": 120},
                  {"title": "Knee rolls", "instruction": "8 per side.", "seconds": 96}],
        "next": ["floor-mobility"],
    }
    routine = validate_routine(data, sources=content.sources, origin="trainer routine",
                               known_slugs={r.slug for r in content.routines},
                               stop_rules=content.stop_rules)
    assert routine.total_seconds == 216
    assert [step.position for step in routine.steps] == [1, 2]


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"next": ["floor-mobility"]}, "trainer routine: next[0]: unknown routine"),
        ({"steps": [{"title": "x", "instruction": "Take diazepam", "seconds": 5}]},
         "trainer routine: steps[0].instruction: names a medicine ('diazepam')"),
        ({"sources": [999]}, "trainer routine: sources[0]: unknown source id 999"),
        ({"steps": [{"title": "x", "instruction": "Walk", "seconds": "5"}]},
         "trainer routine: steps[0].seconds: must be a positive integer"),
        ({"extra": _nested(50)}, "trainer routine: extra"),
    ],
)
def test_validate_routine_errors_name_the_origin(content, change, expected):
    data = {**_heat_data(), "next": [], **change}
    with pytest.raises(ContentError) as caught:
        validate_routine(data, sources=content.sources, origin="trainer routine")
    assert str(caught.value).startswith(expected)
    assert caught.value.origin == "trainer routine"
