"""Reminder texts quoted from the tips, with the tip's source (CONTENT.md section 4, last paragraph).

A posture or hydration reminder says nothing medical of its own: it quotes tip 13 ("change position regularly")
or tip 14, word for word from tips.yaml, and names the source the tip carries.
"""
from __future__ import annotations

from functools import cache

from ..content import load_content

TIP_FOR_KIND = {"posture": 13, "hydration": 14}


@cache
def tip_body(kind: str) -> str | None:
    """The notification text for `kind`: the tip as written, then its source; None for kinds that quote no tip."""
    tip_id = TIP_FOR_KIND.get(kind)
    if tip_id is None:
        return None
    content = load_content()
    tip = next(t for t in content.tips if t.id == tip_id)
    sources = "; ".join(content.sources[i].title for i in tip.sources)
    return f"{tip.text} Source: {sources}."
