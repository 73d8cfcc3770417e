"""Episode and follow-up code lists from CONTENT.md section 1, as data for validation and forms."""

# Each list keeps the order of CONTENT.md so forms show the codes the way the content owner wrote them.

TRIGGER_LABELS = {
    "lifting": "Lifting",
    "bending": "Bending",
    "twisting": "Twisting",
    "running": "Running",
    "sport": "Sport",
    "sitting": "Sitting",
    "standing": "Standing",
    "sleeping": "Sleeping",
    "at_rest": "At rest",
    "fall": "Slip, trip or fall from standing height",
    "accident": "Accident, fall from height or direct blow",
    "other": "Something else",
    "unknown": "Not sure",
}
TRIGGERS = tuple(TRIGGER_LABELS)

LOCATION_LABELS = {
    "neck": "Neck",
    "upper_back": "Upper back",
    "between_shoulder_blades": "Between the shoulder blades",
    "mid_back": "Middle of the back",
    "lower_back": "Lower back",
    "buttock": "Buttock",
    "thigh": "Thigh",
    "calf": "Calf",
    "foot": "Foot",
    "hand": "Hand",
    "arm": "Arm",
    "chest": "Chest",
    "abdomen": "Belly (abdomen)",
    "jaw": "Jaw",
}
LOCATIONS = tuple(LOCATION_LABELS)

# The back locations named by P5.
BACK_LOCATIONS = ("lower_back", "mid_back", "upper_back", "between_shoulder_blades")

SIDE_LABELS = {
    "left": "Left",
    "right": "Right",
    "both": "Both sides",
    "central": "In the middle",
}
SIDES = tuple(SIDE_LABELS)

FOLLOW_UP_STATUS_LABELS = {
    "resolved": "Gone",
    "improving": "Getting better",
    "same": "About the same",
    "worse": "Worse",
}
FOLLOW_UP_STATUSES = tuple(FOLLOW_UP_STATUS_LABELS)

SEVERITY_RANGE = (0, 10)
LOCKED_MINUTES_RANGE = (0, 1440)

# code -> (user wording exactly as in CONTENT.md, base tier, source ids).
# The base tier is the tier a symptom carries on its own in the 7-day window. cannot_stand is raised to
# emergency by F3 (it needs the profile and the trigger, so it is not a raise listed here).
SYMPTOMS = {
    "saddle_numbness": (
        "numbness or tingling in the genitals, buttocks, inner thighs or around the anus",
        "emergency",
        (3, 4, 2),
    ),
    "bladder_bowel_change": (
        "new trouble starting or controlling urine, not feeling bladder or bowel, incontinence",
        "emergency",
        (3, 4, 6),
    ),
    "sexual_dysfunction_new": ("new loss of sexual function", "emergency", (4,)),
    "both_legs": ("pain, tingling, numbness or weakness in both legs", "emergency", (3, 5, 2)),
    "difficulty_walking": (
        "your legs feel weak, numb or heavy, or keep giving way, and it is severe or getting worse, or your legs "
        "won't do what you want when you walk (not just because moving hurts)",
        "emergency",
        (3, 5, 2),
    ),
    "chest_pain": ("chest pain", "emergency", (3,)),
    "jaw_or_swallowing": ("stiff jaw, trouble swallowing or breathing", "emergency", (16, 11)),
    "whole_body_spasms": ("spasms spreading over the whole body", "emergency", (16, 12)),
    "palpitations_or_fainting": (
        "palpitations, fainting, confusion or a seizure",
        "emergency",
        (12, 15),
    ),
    "fever": ("temperature of 38 °C or more, chills, feeling unwell", "urgent", (3, 2, 6, 7)),
    "weight_loss": ("losing weight without trying", "urgent", (3, 2)),
    "night_pain": ("pain worse at night or not eased by rest or changing position", "urgent", (3, 2)),
    "back_lump": ("a lump, swelling or change in the shape of the back", "urgent", (3,)),
    "cough_sneeze_pain": ("pain worse when coughing, sneezing or straining", "urgent", (3,)),
    "one_leg_weakness": (
        "new, mild weakness in one leg that is not getting worse (foot catching or slapping)",
        "urgent",
        (6,),
    ),
    "fluid_loss": ("vomiting, diarrhoea or very heavy sweating before the spasm", "urgent", (12,)),
    "twitching": ("muscle twitching together with the cramps", "urgent", (12,)),
    "dirty_wound": ("a recent dirty or deep wound", "urgent", (11, 16)),
    "recent_infection": ("a recent bacterial infection (e.g. urine infection)", "urgent", (2, 7)),
    "one_leg_symptoms": ("pain, tingling or numbness down one leg, no weakness", "routine", (11, 3)),
    "hands_feet_tingling": (
        "tingling or numbness in hands or feet (not the saddle area)",
        "routine",
        (11,),
    ),
    "cannot_stand": (
        "cannot stand up or put weight on the legs because of the pain",
        "urgent",
        (5, 3, 2),
    ),
}
SYMPTOM_CODES = tuple(SYMPTOMS)

# code -> (raised tier, codes that raise it), from the tier column's brackets in CONTENT.md.
SYMPTOM_UPGRADES = {
    "fever": (
        "emergency",
        frozenset({"one_leg_weakness", "both_legs", "difficulty_walking", "saddle_numbness"}),
    ),
    "hands_feet_tingling": ("urgent", frozenset({"one_leg_weakness", "difficulty_walking"})),
}
