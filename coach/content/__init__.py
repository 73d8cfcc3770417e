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
    validate_routine,
)
from coach.content.medication_words import (
    MEDICATION_RE,
    MEDICATION_WORDS,
    MEDICINES_COPY,
    medication_words_in,
    names_medication,
)

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
    "load_content",
    "medication_words_in",
    "names_medication",
    "validate_routine",
]
