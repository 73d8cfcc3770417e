"""Routine slugs: a made routine's slug is its title's ASCII words plus a suffix with a digit, a stock one never
has a digit, so the two can never be the same; the content loader refuses a stock slug with a digit."""
from __future__ import annotations

import random
import re
import shutil

import pytest
import yaml

from coach.content import CONTENT_DIR, ContentError, load_content
from coach.domain.slugs import FALLBACK, SUFFIX_LENGTH, WORDS_MAX, is_stock_slug, new_routine_slug, title_words

MADE = re.compile(rf"^[a-z0-9]+(-[a-z0-9]+)*-(?=[a-z0-9]*[0-9])[a-z0-9]{{{SUFFIX_LENGTH}}}$")


@pytest.mark.parametrize(("title", "words"), [
    ("Floor mobility", "floor-mobility"),
    ("Rücken-Übung", "rucken-ubung"),
    ("Straße & Ærger", "strasse-aerger"),
    ("  Hips,  hips -- HIPS!  ", "hips-hips-hips"),
    ("Routine 2", "routine-2"),
    ("Ça va? Ñandú", "ca-va-nandu"),
    ("", FALLBACK),
    ("🙂🔥", FALLBACK),
    ("---", FALLBACK),
    ("腰痛のストレッチ", FALLBACK),  # no ASCII to keep: the fallback word, never an empty start
])
def test_title_words_are_ascii_lowercase_words(title, words):
    assert title_words(title) == words


def test_long_titles_are_cut_at_a_word_and_a_long_word_is_cut_at_the_cap():
    title = "Morning stretch for the lower back and the hips, slowly and gently"
    assert title_words(title) == "morning-stretch-for-the-lower-back-and"
    assert len(title_words(title)) <= WORDS_MAX
    assert title_words("x" * 100) == "x" * WORDS_MAX
    slug = new_routine_slug("Morning stretch for the lower back and the hips, slowly and gently")
    assert len(slug) <= WORDS_MAX + 1 + SUFFIX_LENGTH <= 60  # the column holds 60


@pytest.mark.parametrize("title", ["Rücken-Übung", "", "🙂", "Floor mobility", "walk-it-off", "A" * 300, "Heat"])
def test_a_made_slug_has_the_title_words_and_a_suffix_with_a_digit(title):
    for _ in range(200):
        slug = new_routine_slug(title)
        assert MADE.match(slug), slug
        assert slug.startswith(title_words(title) + "-")
        assert not is_stock_slug(slug)


def test_two_calls_give_different_slugs():
    # Some 25 million suffixes: 1,000 random draws meet about 2% of the time (the unique index makes the creator
    # draw again), so the spread is checked with a seeded source, and the real one only for two calls.
    rng = random.Random(10)
    slugs = {new_routine_slug("Floor mobility", choice=rng.choice) for _ in range(1000)}
    assert len(slugs) == 1000
    assert new_routine_slug("Floor mobility") != new_routine_slug("Floor mobility")


def test_even_the_unluckiest_draw_has_a_digit():
    """A random source that picks a letter wherever it can still leaves one digit in the suffix."""
    slug = new_routine_slug("Heat", choice=lambda seq: seq[-1])  # "z" from digits and letters, 9 from digits
    assert slug == "heat-zzzz9"


def test_a_made_slug_never_equals_a_stock_slug():
    content = load_content()
    stock = {routine.slug for routine in content.routines}
    assert stock and all(is_stock_slug(slug) for slug in stock)  # the shipped slugs have no digit
    for routine in content.routines:
        for title in (routine.title, routine.slug):
            assert {new_routine_slug(title) for _ in range(200)}.isdisjoint(stock)


@pytest.mark.parametrize(("slug", "stock"), [
    ("walk-it-off", True), ("heat", True), ("floor-mobility-2", False), ("k7p2q", False), ("Heat", False),
    ("walk--it", False), ("", False),
])
def test_is_stock_slug(slug, stock):
    assert is_stock_slug(slug) is stock


def test_the_loader_refuses_a_stock_slug_with_a_digit(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / "routines" / "heat.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["slug"] = "heat-2"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=r"routines/heat\.yaml: slug: a stock routine's slug has no digit"):
        load_content(target)
