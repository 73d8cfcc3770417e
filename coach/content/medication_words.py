"""Medicine words the app must never show, compiled as one regex, and the one allowed copy."""

from __future__ import annotations

import re

# CONTENT.md section 0: the app never recommends, names, doses or discourages a medicine.
# This is the only sentence in which a generic word such as "medicine" may appear.
MEDICINES_COPY = (
    "Medicines are a decision for your doctor. Don't start, stop or change them yourself."
)

# Specific medicines and classes (generic names). Each entry is a regex fragment, matched as whole
# words, case-insensitively; spaces and hyphens inside a phrase match either.
NAMED_MEDICINES: tuple[str, ...] = (
    "ibuprofen",
    "naproxen",
    "diclofenac",
    "aspirin",
    "paracetamol",
    "acetaminophen",
    "nsaids?",
    "diazepam",
    "cyclobenzaprine",
    "baclofen",
    "tizanidine",
    "methocarbamol",
    "carisoprodol",
    "orphenadrine",
    "codeine",
    "tramadol",
    r"muscle[\s-]*relaxants?",
    r"pain[\s-]*killers?",
    # Nerve-pain medicines, opioids and other classes a person with back spasms may be offered or may type.
    "gabapentin",
    "pregabalin",
    "amitriptyline",
    "duloxetine",
    "opioids?",
    "opiates?",
    "morphine",
    "oxycodone",
    "hydrocodone",
    "dihydrocodeine",
    "fentanyl",
    r"co[\s-]*codamol",
    r"co[\s-]*dydramol",
    "celecoxib",
    "meloxicam",
    "etoricoxib",
    "metaxalone",
    "dantrolene",
    "quinine",
    "prednisolone",
    "prednisone",
    "analgesics?",
    r"anti[\s-]*inflammator(?:y|ies)",
)

# Common brand names of the medicines above: a person is more likely to type these than the generic
# name, and the rule is "never names a medicine", not "never names a generic one".
BRAND_NAMES: tuple[str, ...] = (
    "advil",
    "nurofen",
    "motrin",
    "aleve",
    "voltaren",
    "voltarol",
    "tylenol",
    "panadol",
    "valium",
    "flexeril",
    "lioresal",
    "zanaflex",
    "robaxin",
    "lyrica",
    "neurontin",
    "soma",
    "celebrex",
    "mobic",
    "skelaxin",
    "dantrium",
    "oxycontin",
    "percocet",
    "vicodin",
    "zapain",
    "solpadeine",
    "cymbalta",
)

# Generic words: allowed only inside MEDICINES_COPY.
GENERIC_WORDS: tuple[str, ...] = (
    "medications?",
    "medicines?",
    "medicinal",
    "meds",
)

MEDICATION_WORDS: tuple[str, ...] = NAMED_MEDICINES + BRAND_NAMES + GENERIC_WORDS

MEDICATION_RE: re.Pattern[str] = re.compile(
    r"\b(?:" + "|".join(MEDICATION_WORDS) + r")\b", re.IGNORECASE
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def medication_words_in(text: str) -> list[str]:
    """Return the medicine words found in `text`, in order; the fixed copy itself is allowed."""
    plain = text.translate(_APOSTROPHES).replace(MEDICINES_COPY, " ")
    return [match.group(0) for match in MEDICATION_RE.finditer(plain)]


def names_medication(text: str) -> bool:
    """True if `text` names a medicine or uses a generic medicine word outside the fixed copy."""
    return bool(medication_words_in(text))
