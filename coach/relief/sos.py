"""What the SOS screens ask: the safety check, the urgent line and the quick-log triggers, as data."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import codes

SAFETY_HEADING = "Since this spasm started, have you had any of these?"


@dataclass(frozen=True)
class SafetyQuestion:
    code: str  # the symptom code a "Yes" saves on the spasm's log, or "accident" (saved as its trigger)
    question: str  # CONTENT.md section 0, "Safety check before relief", in its order
    sources: tuple[int, ...]  # CONTENT.md section 1 (symptom table) or rule E2 for the accident

    @property
    def saved(self) -> dict:
        """What a "Yes" adds to the spasm's log (the episode upsert's body, besides started_at)."""
        return {"trigger": "accident"} if self.code == "accident" else {"symptoms": [self.code]}


# The ten emergency items of the 2026.2 safety check, in CONTENT.md's order and words. Any "Yes" goes to
# /emergency?reason=<code> (contract 8) and is saved on the spasm's log. Every emergency stop rule of
# stop_rules.yaml (2026.2) has the code of one of these items, so a stop during the routine and a "Yes" here save
# the same symptom (a test checks it).
SAFETY_QUESTIONS = (
    SafetyQuestion("saddle_numbness",
                   "Numbness or tingling in the genitals, buttocks, inner thighs or around the anus", (3, 4, 2)),
    SafetyQuestion("bladder_bowel_change", "New trouble starting or controlling urine or bowels", (3, 4, 6)),
    SafetyQuestion("sexual_dysfunction_new", "New loss of sexual function", (4,)),
    SafetyQuestion("both_legs", "Pain, tingling, numbness or weakness in both legs", (3, 5, 2)),
    SafetyQuestion("difficulty_walking",
                   "Legs weak, numb or heavy or giving way, severe or getting worse (not just because moving hurts)",
                   (3, 5, 2)),
    SafetyQuestion("chest_pain", "Chest pain or a spasm in the chest", (3,)),
    SafetyQuestion("jaw_or_swallowing", "Stiff jaw, trouble swallowing or breathing", (16, 11)),
    SafetyQuestion("whole_body_spasms", "Spasms spreading over the whole body", (16, 12)),
    SafetyQuestion("palpitations_or_fainting", "Palpitations, fainting, confusion or a seizure", (12, 15)),
    SafetyQuestion("accident", "A serious accident, fall from height or direct blow", (3,)),
)


@dataclass(frozen=True)
class UrgentItem:
    key: str
    label: str  # the part of CONTENT.md's urgent line that names it, said by the person
    saved: dict  # the episode upsert's body (besides started_at), or the profile change for "profile"
    target: str  # "episode" (PUT /api/v1/episodes/by-client/<id>) or "profile" (PATCH /api/v1/me)
    undo: dict  # what a second tap sends to take back what `saved` did (same endpoint; docs/API.md)


# The non-blocking line below the list (CONTENT.md section 0). Ticking an item saves it at once and shows the
# urgent advice above the routine; relief is never held back by it.
URGENT_LINE = (
    "Also tell a doctor soon (today or within 48 hours) if you have a fever or feel very unwell, have ever had "
    "cancer, are losing weight without trying, cannot stand because of the pain, or the muscle has stayed locked "
    "hard for more than an hour."
)
# A mis-tapped tick is undone by tapping it again (a person in pain mis-taps): the symptom comes off this
# spasm's log (remove_symptoms), locked_minutes goes back to not recorded while it is still the tick's 61
# (clear_if), and the profile's cancer answer goes back to false (sent only when this tick set it; an answer the
# profile already had shows as "From your profile" and is changed in Me > About you).
URGENT_ITEMS = (
    UrgentItem("fever", "I have a fever or feel very unwell", {"symptoms": ["fever"]}, "episode",
               {"remove_symptoms": ["fever"]}),
    UrgentItem("cancer_history", "I have ever had cancer", {"cancer_history": True}, "profile",
               {"cancer_history": False}),
    UrgentItem("weight_loss", "I'm losing weight without trying", {"symptoms": ["weight_loss"]}, "episode",
               {"remove_symptoms": ["weight_loss"]}),
    UrgentItem("cannot_stand", "I cannot stand because of the pain", {"symptoms": ["cannot_stand"]}, "episode",
               {"remove_symptoms": ["cannot_stand"]}),
    # E3: locked_minutes > 60; 61 is the least that says "more than an hour".
    UrgentItem("locked_minutes", "The muscle has stayed locked hard for more than an hour",
               {"locked_minutes": 61}, "episode", {"clear_if": {"locked_minutes": 61}}),
)

# "What were you doing?": every trigger but an accident, which the safety check has already asked about
# (a yes there goes to the emergency screen).
QUICK_TRIGGERS = tuple((code, label) for code, label in codes.TRIGGER_LABELS.items() if code != "accident")

