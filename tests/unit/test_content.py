"""Shipped clinical content loads and matches CONTENT.md (bad files: tests/unit/test_content_errors.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from coach.content import (
    CATEGORIES,
    CONTENT_DIR,
    KINDS,
    MEDICINES_COPY,
    Step,
    load_content,
    medication_words_in,
)

# CONTENT.md section 3: slug -> (step seconds in order, sources, total, total with the optional step)
EXPECTED = {
    "gym-floor-settle": ([10, 30, 100, 30, 20, 60], (13, 23, 11), 190, 250),
    "heat": ([30, 900, 10], (24, 17, 18, 8), 940, 940),
    "floor-mobility": ([96, 56, 100, 64], (20, 21), 316, 316),
    "walk-it-off": ([30, 300, 300], (19, 20, 29), 330, 630),
    "cat-cow-child": ([15, 48, 60, 20], (22, 20), 143, 143),
}


@pytest.fixture(scope="module")
def content():
    return load_content()


# --- the shipped content ---


def test_counts(content):
    assert len(content.sources) == 34
    assert sorted(content.sources) == list(range(1, 35))
    assert len(content.tips) == 15
    assert [tip.id for tip in content.tips] == list(range(1, 16))
    assert len(content.routines) == 5


def test_routines_in_content_md_order(content):
    assert [r.slug for r in content.routines] == list(EXPECTED)


@pytest.mark.parametrize(("slug", "seconds", "sources", "total", "with_optional"),
                         [(slug, *row) for slug, row in EXPECTED.items()])
def test_step_timings_and_totals_match_content_md(content, slug, seconds, sources, total, with_optional):
    routine = content.routine(slug)
    assert [step.seconds for step in routine.steps] == seconds
    assert [step.position for step in routine.steps] == list(range(1, len(seconds) + 1))
    assert routine.sources == sources
    assert all(step.instruction and step.title for step in routine.steps)
    assert routine.total_seconds == total
    assert routine.total_seconds_with_optional == with_optional


def test_only_the_slow_steps_and_the_walk_it_off_extra_five_minutes_are_optional(content):
    optional = [(r.slug, s.position) for r in content.routines for s in r.steps if s.optional]
    assert optional == [("gym-floor-settle", 6), ("walk-it-off", 3)]  # 2026.2: the last gym-floor step too
    assert "Skip this step if you cannot stand" in content.routine("gym-floor-settle").steps[5].instruction


def test_heat_checks_the_skin_every_few_minutes(content):
    apply, check = content.routine("heat").steps[1:3]
    assert "Check the skin every few minutes and stop if it is very red, sore or blistered" in apply.instruction
    assert check.instruction == "Check the skin. Stop if it is very red, sore or blistered."


def test_gym_floor_settle_labels_and_counts(content):
    comfortable, breathing = content.routine("gym-floor-settle").steps[1:3]
    assert comfortable.title == "Comfortable position"
    assert comfortable.note == "Physiotherapy practice, not from a source."
    assert "in 4 s, out 6 s, 10 times" in breathing.instruction
    assert [s.note for r in content.routines for s in r.steps if s.note] == [comfortable.note]


def test_kinds_next_and_frequency(content):
    kinds = {r.slug: r.kind for r in content.routines}
    assert kinds == {
        "gym-floor-settle": "relief",
        "heat": "relief",
        "walk-it-off": "relief",
        "floor-mobility": "mobility",
        "cat-cow-child": "mobility",
    }
    assert set(kinds.values()) <= set(KINDS)
    assert content.routine("heat").next == ("floor-mobility", "walk-it-off")
    assert content.routine("floor-mobility").frequency == (
        "Up to 3 times a day, adding 1-2 reps every few days."
    )
    assert all(r.next == () for r in content.routines if r.slug != "heat")


def test_evidence_sentences_and_sources(content):
    evidence = {r.slug: [(e.text, e.sources) for e in r.evidence] for r in content.routines}
    low = ("Stretching, yoga and breathing have low-quality evidence, mostly in chronic pain.",
           (22, 23))
    assert evidence == {
        "gym-floor-settle": [low],
        "heat": [("Superficial heat has moderate-quality evidence.", (8, 17))],
        "floor-mobility": [low],
        "walk-it-off": [("Staying active beats bed rest.", (19,))],
        "cat-cow-child": [low],
    }


@pytest.mark.parametrize(
    ("source_id", "title"),
    [
        (1, "NICE NG59 Low back pain and sciatica in over 16s"),
        (15, "NHS, Addison's disease"),
        (21, "Guy's and St Thomas' NHS FT, Low back pain: physiotherapy and exercises"),
        (23, "Breathing exercises for chronic low back pain, J Back Musculoskelet Rehabil "
             "(meta-analysis)"),
        (34, "NHS CKS, Sciatica: interpreting red flags"),
    ],
)
def test_source_titles_exact(content, source_id, title):
    assert content.sources[source_id].title == title


def test_no_source_has_an_invented_url(content):
    assert all(source.url is None for source in content.sources.values())


def test_tips(content):
    assert {tip.category for tip in content.tips} == set(CATEGORIES)
    assert content.tips_in("posture")[0].id == 13
    assert [tip.id for tip in content.tips_in("hydration")] == [14, 15]
    tip10 = content.tips[9]
    assert tip10.text == (
        "Technique training alone doesn't prevent back pain; regular exercise with education "
        "does (risk ratio 0.55; exercise alone 0.65)."
    )
    assert tip10.sources == (26, 28)
    assert all(tip.sources for tip in content.tips)


def test_stop_rules(content):
    rules = content.stop_rules
    assert [r.code for r in rules.emergency] == [
        "saddle_numbness", "bladder_bowel_change", "both_legs", "difficulty_walking", "chest_pain",
        "jaw_or_swallowing", "palpitations_or_fainting",
    ]
    assert [r.text for r in rules.stop_and_log] == [
        "Pain spreads below the knee",
        "New, mild weakness in one leg that is not getting worse (foot catching or slapping)",
        "New numbness or pins and needles",
        "Pain up by 2 points or more and not settled within 2 minutes of stopping",
        "Dizziness",
    ]
    assert rules.general == "Stop any movement that worsens symptoms or causes new pain."
    assert rules.sources == (20,)


def test_stop_rules_agree_with_the_tiers(content):
    """2026.2: an emergency stop rule is an emergency symptom (saved as it, with its sources); a stop-and-log
    item never claims the emergency tier (no emergency symptom code hides in it)."""
    from coach.domain import codes

    rules = content.stop_rules
    emergency_symptoms = {code for code, (_, tier, _) in codes.SYMPTOMS.items() if tier == "emergency"}
    assert {r.code for r in rules.emergency} <= emergency_symptoms
    assert all(r.sources == codes.SYMPTOMS[r.code][2] for r in rules.emergency)
    assert not {r.code for r in rules.stop_and_log} & emergency_symptoms
    assert "palpitations" not in " ".join(r.text.lower() for r in rules.stop_and_log)


def test_a_loaded_routine_has_what_the_api_shows(content):
    routine = content.routine("walk-it-off")
    assert routine.total_seconds == 330
    assert routine.sources == (19, 20, 29)
    assert routine.stop_rules is content.stop_rules
    assert routine.steps[2] == Step(position=3, title="5 more minutes", seconds=300, optional=True,
                                    instruction="If it feels fine, walk 5 more minutes.", note=None)
    assert routine.next == () and routine.summary and routine.evidence


def test_content_modules_import_neither_flask_nor_sqlalchemy():
    for module in Path(CONTENT_DIR).glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), module
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names]
        names += [node.module for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module]
        for name in names:
            assert name.split(".")[0] not in {"flask", "flask_sqlalchemy", "sqlalchemy"}, module
            # Only the content package itself and the pure domain layer (standard library only, like this).
            assert not name.startswith("coach.") or name.startswith(("coach.content", "coach.domain")), module


# --- the medicine word list ---


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Take IBUPROFEN", ["IBUPROFEN"]), ("no NSAIDs today", ["NSAIDs"]),
        ("a muscle-relaxant", ["muscle-relaxant"]), ("two pain killers", ["pain killers"]),
        ("Painkiller and codeine", ["Painkiller", "codeine"]), ("Nurofen helps", ["Nurofen"]),
        ("Ask about your medication", ["medication"]), ("the medicine cabinet", ["medicine"]),
        ("medicines are a decision for you", ["medicines"]),  # not the exact fixed copy
        (MEDICINES_COPY, []), (MEDICINES_COPY.replace("'", "\u2019"), []),
        (MEDICINES_COPY + " Tramadol.", ["Tramadol"]),
        ("get medical help", []), ("aspiring athletes, immediately", []),
    ],
)
def test_medication_words(text, found):
    assert medication_words_in(text) == found
