"""Routine slugs: stock ones never hold a digit, ones people make always end in a suffix that does."""
from __future__ import annotations

import re
import secrets
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
WORDS_MAX = 40  # characters of the title kept in a made routine's slug (the column holds 60)
SUFFIX_LENGTH = 5
DIGITS = "23456789"  # no 0 or 1: a suffix read aloud or typed is not mistaken for o or l
LETTERS = "abcdefghijkmnpqrstuvwxyz"
FALLBACK = "routine"  # for a title with no letter or digit to keep (emoji only, say)
# Letters that NFKD does not take apart into a base letter and an accent.
SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
                         "ı": "i"})


def is_stock_slug(slug: str) -> bool:
    """The shape a stock routine's slug must have: lowercase words joined by '-', and no digit. A made routine's
    slug always holds a digit, so a stock slug and a made one can never be the same."""
    return bool(SLUG_RE.match(slug)) and not any(c.isdigit() for c in slug)


def title_words(title: str, limit: int = WORDS_MAX) -> str:
    """The title as ASCII lowercase words joined by '-', at most `limit` characters, cut at a word when it can be;
    FALLBACK when nothing is left."""
    text = title.lower().translate(SPELLED)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text)
    slug = ""
    for word in words:
        joined = f"{slug}-{word}" if slug else word
        if len(joined) > limit:
            slug = slug or word[:limit]
            break
        slug = joined
    return slug or FALLBACK


def slug_suffix(choice=secrets.choice) -> str:
    """SUFFIX_LENGTH characters of digits and letters, at least one of them a digit."""
    chars = [choice(DIGITS + LETTERS) for _ in range(SUFFIX_LENGTH - 1)]
    digit_at = choice(range(SUFFIX_LENGTH))
    chars.insert(digit_at, choice(DIGITS))
    return "".join(chars)


def new_routine_slug(title: str, choice=secrets.choice) -> str:
    """A slug for a routine someone made: its title's words and a random suffix with a digit ("back-stretch-k7p2q").

    It can never be a stock slug (those have no digit); two routines of one title rarely draw the same suffix
    (some 25 million), and when they do the unique index refuses the second, so its creator draws again."""
    return f"{title_words(title)}-{slug_suffix(choice)}"
