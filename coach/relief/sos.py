"""What the SOS screens ask: the safety check, the body map and the quick-log triggers, as data."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import codes


@dataclass(frozen=True)
class SafetyQuestion:
    key: str
    question: str
    reason: str  # the emergency screen's one line when the answer is yes
    stop_rules: tuple[str, ...]  # the emergency stop rules (stop_rules.yaml) this question covers
    sources: tuple[int, ...]


# The four questions of issue 4, covering every emergency stop rule of CONTENT.md section 3 plus a serious
# accident (rule E2). A test checks that each emergency stop rule is asked about here.
SAFETY_QUESTIONS = (
    SafetyQuestion(
        "saddle_or_bladder",
        "Numbness or tingling around your genitals, buttocks, inner thighs or anus, "
        "or a new change in bladder or bowel control?",
        "Numbness in the saddle area, or a change in bladder or bowel control.",
        ("saddle_numbness", "bladder_bowel_change"), (3, 4, 2, 6),
    ),
    SafetyQuestion(
        "legs",
        "Pain, tingling, numbness or weakness in both legs, or new weakness in a leg?",
        "Symptoms in both legs, or new leg weakness.",
        ("both_legs", "leg_weakness"), (3, 5, 2, 6),
    ),
    SafetyQuestion(
        "chest_or_breathing",
        "Chest pain, a stiff jaw, or trouble swallowing or breathing?",
        "Chest pain, or jaw, swallowing or breathing trouble.",
        ("chest_pain", "jaw_or_swallowing"), (3, 16, 11),
    ),
    SafetyQuestion(
        "accident",
        "Did a serious accident or fall cause it (a fall from height or a direct blow)?",
        "A serious accident or fall.",
        (), (3,),
    ),
)

# Body map: rows of three cells as the phone shows them, (location, side) or None for an empty cell.
# Seen from behind, the person's left is on the left; seen from the front, it is on the right.
BACK_VIEW = (
    (None, ("neck", "central"), None),
    (("upper_back", "left"), ("between_shoulder_blades", "central"), ("upper_back", "right")),
    (("mid_back", "left"), ("mid_back", "central"), ("mid_back", "right")),
    (("lower_back", "left"), ("lower_back", "central"), ("lower_back", "right")),
    (("buttock", "left"), None, ("buttock", "right")),
    (("thigh", "left"), None, ("thigh", "right")),
    (("calf", "left"), None, ("calf", "right")),
)
FRONT_VIEW = (
    (None, ("jaw", "central"), None),
    (("chest", "right"), ("chest", "central"), ("chest", "left")),
    (("arm", "right"), ("abdomen", "central"), ("arm", "left")),
    (("hand", "right"), None, ("hand", "left")),
    (("thigh", "right"), None, ("thigh", "left")),
    (("foot", "right"), None, ("foot", "left")),
)
# Short names that fit a third of a 360 px screen; the diary uses the full labels of domain.codes.
MAP_LABELS = {
    "neck": "Neck", "upper_back": "Upper back", "between_shoulder_blades": "Between shoulder blades",
    "mid_back": "Mid back", "lower_back": "Lower back", "buttock": "Buttock", "thigh": "Thigh", "calf": "Calf",
    "jaw": "Jaw", "chest": "Chest", "arm": "Arm", "abdomen": "Belly", "hand": "Hand", "foot": "Foot",
}
SIDE_WORDS = {"left": "left", "right": "right", "central": "middle"}

# "What were you doing?": every trigger but an accident, which the safety check has already asked about
# (a yes there goes to the emergency screen).
QUICK_TRIGGERS = tuple((code, label) for code, label in codes.TRIGGER_LABELS.items() if code != "accident")


def body_map(view: tuple) -> list[list[dict | None]]:
    """Rows of cells for the template: location and side codes, the visible label and the side word."""
    return [
        [
            None if cell is None else {
                "location": cell[0], "side": cell[1], "label": MAP_LABELS[cell[0]], "side_word": SIDE_WORDS[cell[1]],
            }
            for cell in row
        ]
        for row in view
    ]
