"""Clinical content as data: sources, relief routines, stop rules and tips, validated on load."""

from coach.content.loader import (
    CATEGORIES,
    CONTENT_DIR,
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
    load_content,
    shipped_content,
    stop_rules,
    validate_routine,
)
from coach.content.medication_words import (
    MEDICATION_RE,
    MEDICATION_WORDS,
    MEDICINES_COPY,
    medication_words_in,
    names_medication,
)
from coach.content.model import RETIRED_STOP_TEXTS

__all__ = [
    "CATEGORIES",
    "CONTENT_DIR",
    "KINDS",
    "MEDICATION_RE",
    "MEDICATION_WORDS",
    "MEDICINES_COPY",
    "Content",
    "ContentError",
    "Evidence",
    "Routine",
    "Source",
    "Step",
    "StopRule",
    "StopRules",
    "Tip",
    "RETIRED_STOP_TEXTS",
    "load_content",
    "shipped_content",
    "stop_rules",
    "medication_words_in",
    "names_medication",
    "validate_routine",
]
