"""Invite codes: drawn from an alphabet without look-alikes, read back forgivingly, dated 7 days ahead."""
from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from coach.domain import limits
from coach.domain.invites import CODE_ALPHABET, LOOK_ALIKES, expires, new_code, normalise, spaced


def test_the_alphabet_has_no_look_alikes_and_is_upper_case_letters_and_digits():
    for pair in ("0O", "1IL", "5S", "2Z", "8B"):
        assert not set(pair) & set(CODE_ALPHABET), pair
    assert not set(LOOK_ALIKES) & set(CODE_ALPHABET)
    assert all(ch.isdigit() or ch.isupper() for ch in CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) >= 20


def test_a_new_code_has_the_length_and_only_alphabet_characters():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == limits.INVITE_CODE == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)


def test_the_random_source_is_the_callers():
    seeded = random.Random(7)
    again = random.Random(7)
    assert new_code(seeded.choice) == new_code(again.choice)
    assert new_code(lambda alphabet: alphabet[0]) == CODE_ALPHABET[0] * 8
    assert new_code.__defaults__ == (secrets.choice,)


@pytest.mark.parametrize(("typed", "code"), [
    ("ACEFHJKM", "ACEFHJKM"),
    ("acefhjkm", "ACEFHJKM"),
    ("  acef hjkm ", "ACEFHJKM"),
    ("ACEF-HJKM", "ACEFHJKM"),
    ("ac-ef hj_km", "ACEFHJKM"),
    ("ACEF\u2013HJKM", "ACEFHJKM"),  # an en dash a phone keyboard made of a hyphen
    ("https://coach.example/join/ACEFHJKM", "ACEFHJKM"),
    ("https://coach.example/join/acef-hjkm/", "ACEFHJKM"),
])
def test_normalise_reads_what_people_type(typed, code):
    assert normalise(typed) == code


@pytest.mark.parametrize("typed", [
    "", "   ", "ACEFHJK", "ACEFHJKMN", "ACEFHJK0", "ACEFHJKO", "ACEFHJK1", "ACEFHJKS", "ACEFHJKB", "ACÉFHJKM",
    None, 12345678, "https://coach.example/join/", "ACEF/HJKM",
])
def test_normalise_refuses_what_cannot_be_a_code(typed):
    assert normalise(typed) is None


def test_spaced_for_reading_aloud():
    assert spaced("ACEFHJKM") == "ACEF HJKM"


def test_a_code_expires_seven_days_after_it_is_made():
    made = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # across the spring DST change in Europe: UTC days
    assert expires(made) == made + timedelta(days=7) == datetime(2026, 4, 4, 23, 30, tzinfo=UTC)
