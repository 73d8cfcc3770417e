"""Invite codes a trainer reads out, shows as a QR code or sends as a link: drawn, read back and dated.

A code is limits.INVITE_CODE characters from CODE_ALPHABET, which leaves out every character that is easily
taken for another when read aloud, typed from a phone screen or written on a gym whiteboard: 0/O/D/Q, 1/I/L,
2/Z, 5/S, 8/B, 6/G and U/V. What a person types is read forgivingly (`normalise`): lower case, spaces,
dashes and a pasted /join/ link all work. Standard library only.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from . import limits

# 20 characters: 20**8 is about 2.6e10 codes, so even a guess a second for a code's 7 days would find a given
# code about once in 40,000 tries of that week (and the routes' rate limits allow far fewer guesses).
CODE_ALPHABET = "34679ACEFHJKMNPRTWXY"
LOOK_ALIKES = "0ODQ1IL2Z5S8BGUV"  # never in a code
SEPARATORS = " -_.\t\u00a0\u2010\u2011\u2012\u2013\u2014"
GROUP = 4  # shown as "ABCD EFGH" for reading aloud


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code; `choice` picks one character from a string (secrets.choice; a test passes its own)."""
    return "".join(choice(CODE_ALPHABET) for _ in range(limits.INVITE_CODE))


def normalise(typed) -> str | None:
    """The code a person typed or pasted, as stored (upper case, no separators), or None when it cannot be a
    code: wrong length or a character no code has. A pasted invite link gives its last path part."""
    if not isinstance(typed, str):
        return None
    text = typed.strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    text = "".join(ch for ch in text if ch not in SEPARATORS).upper()
    if len(text) != limits.INVITE_CODE or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return text


def spaced(code: str) -> str:
    """The code in groups of four for reading aloud: 'ACEF HJKM'."""
    return " ".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def expires(now: datetime) -> datetime:
    """When a code made at `now` stops working."""
    return now + timedelta(days=limits.INVITE_DAYS)
