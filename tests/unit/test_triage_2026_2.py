"""Rules version 2026.2: both sides of every changed rule, "not recorded" never counting, and the wording."""

import re

import pytest

from coach.domain import triage
from coach.domain.codes import SYMPTOMS, TRIGGER_LABELS, TRIGGERS
from coach.domain.triage import Profile, assess
from coach.domain.triage_rules import BEYOND_BACK_AND_LEGS, LOCATION_LEVELS
from coach.formats import on_day
from tests.unit.test_triage import NOW, TZ, aged, ep, eps, flag, fu, level_of

P = Profile()
CANNOT = ("cannot_stand",)


def R(ident, episodes, follow_ups, profile, rule, expected):
    return pytest.param(episodes, follow_ups, profile, rule, expected, id=ident)


CHANGED = [
    # cannot_stand alone is urgent (E1), whatever the age, trigger or severity.
    R("cannot-stand-alone-urgent", eps(1, trigger="twisting", severity=2, symptoms=CANNOT), [], aged(30), "E1",
      "urgent"),
    R("cannot-stand-day-7", eps(7, symptoms=CANNOT), [], P, "E1", None),
    # F3 emergency: cannot_stand + lifting/bending/fall/accident + (65+, or 50+ with bone risk), any severity.
    R("F3-emergency-65-no-bone-risk", eps(1, severity=2, symptoms=CANNOT), [], aged(65), "F3", "emergency"),
    R("F3-64-no-bone-risk", eps(1, severity=9, symptoms=CANNOT), [], aged(64), "F3", None),
    R("F3-emergency-50-osteoporosis-fall", eps(1, trigger="fall", severity=1, symptoms=CANNOT), [],
      aged(50, osteoporosis=True), "F3", "emergency"),
    R("F3-49-osteoporosis", eps(1, severity=9, symptoms=CANNOT), [], aged(49, osteoporosis=True), "F3", None),
    R("F3-emergency-steroids-bending", eps(1, trigger="bending", symptoms=CANNOT), [],
      aged(55, long_term_steroids=True), "F3", "emergency"),
    R("F3-emergency-accident", eps(1, trigger="accident", symptoms=CANNOT), [], aged(70), "F3", "emergency"),
    R("F3-twisting-not-a-fracture-trigger", eps(1, trigger="twisting", symptoms=CANNOT), [], aged(80), "F3", None),
    R("F3-emergency-severity-not-recorded", eps(1, severity=None, symptoms=CANNOT), [], aged(66), "F3",
      "emergency"),
    R("F3-emergency-cannot-stand-at-check-in", eps(2, severity=3), [fu(1, 1, 1, symptoms=CANNOT)], aged(65), "F3",
      "emergency"),
    R("F3-emergency-day-7", eps(7, symptoms=CANNOT), [], aged(80), "F3", None),
    R("F3-emergency-unknown-age-with-bone-risk", eps(1, symptoms=CANNOT), [], Profile(osteoporosis=True), "F3",
      "emergency"),
    R("F3-unknown-age-no-bone-risk", eps(1, severity=9, symptoms=CANNOT), [], P, "F3", None),
    # F3 urgent: fall is a fracture trigger too; severity >= 7 needs a known severity.
    R("F3-urgent-fall-severity-7", eps(1, trigger="fall", severity=7), [], aged(50, osteoporosis=True), "F3",
      "urgent"),
    R("F3-fall-severity-6", eps(1, trigger="fall", severity=6), [], aged(50, osteoporosis=True), "F3", None),
    R("F3-severity-not-recorded", eps(1, severity=None), [], aged(70, osteoporosis=True), "F3", None),
    R("F3-check-in-severity-counts", eps(2, severity=None), [fu(1, 1, 1, severity=7)], aged(70, osteoporosis=True),
      "F3", "urgent"),
    # The new trigger fall is not E2 (a serious accident or a fall from height is `accident`).
    R("E2-fall-is-not-an-accident", eps(1, trigger="fall"), [], P, "E2", None),
    R("E2-accident", eps(1, trigger="accident"), [], P, "E2", "emergency"),
    # E3: urgent, and a known locked_minutes over 60.
    R("E3-61-urgent", eps(1, locked_minutes=61), [], P, "E3", "urgent"),
    R("E3-60", eps(1, locked_minutes=60), [], P, "E3", None),
    R("E3-not-recorded", eps(1, locked_minutes=None, eased_by_stretch=None), [], P, "E3", None),
    # E4: locked > 10 (known) and eased_by_stretch not true (False or not recorded: our reading 18).
    R("E4-11-not-eased", eps(1, locked_minutes=11, eased_by_stretch=False), [], P, "E4", "urgent"),
    R("E4-11-eased-not-recorded", eps(1, locked_minutes=11, eased_by_stretch=None), [], P, "E4", "urgent"),
    R("E4-11-eased", eps(1, locked_minutes=11, eased_by_stretch=True), [], P, "E4", None),
    R("E4-locked-not-recorded", eps(1, locked_minutes=None, eased_by_stretch=False), [], P, "E4", None),
    # E5: arm, hand, abdomen; no longer chest.
    R("E5-hand", eps(1, locations=("hand",)), [], P, "E5", "urgent"),
    R("E5-arm-day-6", eps(6, locations=("arm",)), [], P, "E5", "urgent"),
    R("E5-abdomen-day-7", eps(7, locations=("abdomen",)), [], P, "E5", None),
    R("E5-not-chest", eps(1, locations=("chest",)), [], P, "E5", None),
    # E7: chest is an emergency.
    R("E7-chest-day-6", eps(6, locations=("chest", "upper_back")), [], P, "E7", "emergency"),
    R("E7-chest-day-7", eps(7, locations=("chest",)), [], P, "E7", None),
    R("E7-no-chest", eps(1, locations=("upper_back",)), [], P, "E7", None),
    # E6: jaw urgent; emergency with dirty_wound in the 7-day window or iv_drug_use.
    R("E6-jaw", eps(1, locations=("jaw",)), [], P, "E6", "urgent"),
    R("E6-jaw-day-7", eps(7, locations=("jaw",)), [], P, "E6", None),
    R("E6-jaw-dirty-wound", eps(1, locations=("jaw",), symptoms=("dirty_wound",)), [], P, "E6", "emergency"),
    R("E6-jaw-dirty-wound-at-check-in", eps(2, locations=("jaw",)), [fu(1, 1, 0, symptoms=("dirty_wound",))], P,
      "E6", "emergency"),
    R("E6-jaw-dirty-wound-day-7", [ep(1, 1, locations=("jaw",)), ep(2, 7, symptoms=("dirty_wound",))], [], P, "E6",
      "urgent"),
    R("E6-jaw-iv-drug-use", eps(1, locations=("jaw",)), [], Profile(iv_drug_use=True), "E6", "emergency"),
    R("E6-dirty-wound-without-jaw", eps(1, symptoms=("dirty_wound",)), [], Profile(iv_drug_use=True), "E6", None),
    # P9 is urgent.
    R("P9-urgent", eps(0, locations=("between_shoulder_blades",)), [], P, "P9", "urgent"),
    R("P9-other-place", eps(0, locations=("upper_back",)), [], P, "P9", None),
    # P4: trigger sleeping/at_rest/unknown and during_exercise explicitly False.
    R("P4-explicit-false", eps(2, 20, trigger="sleeping", during_exercise=False), [], P, "P4", "routine"),
    R("P4-exercise-not-recorded", eps(2, 20, trigger="sleeping", during_exercise=None), [], P, "P4", None),
    R("P4-one-not-recorded", [ep(1, 2, trigger="at_rest", during_exercise=False),
                              ep(2, 20, trigger="at_rest", during_exercise=None)], [], P, "P4", None),
    R("P4-during-exercise", eps(2, 20, trigger="unknown", during_exercise=True), [], P, "P4", None),
    R("P4-trigger-not-recorded", eps(2, 20, trigger=None, during_exercise=False), [], P, "P4", None),
    # P3 needs a known severity on each of the last three spasms.
    R("P3-known", [ep(1, 9, severity=4), ep(2, 5, severity=5), ep(3, 1, severity=7)], [], P, "P3", "routine"),
    R("P3-middle-not-recorded", [ep(1, 9, severity=4), ep(2, 5, severity=None), ep(3, 1, severity=7)], [], P, "P3",
      None),
    R("P3-cluster-takes-its-known-severity", [ep(1, 9, severity=4), ep(2, 5, 8, severity=None),
                                              ep(3, 5, 18, severity=5), ep(4, 1, severity=7)], [], P, "P3",
      "routine"),
    # Under 16: at least routine, and the urgent and emergency rules still apply.
    R("U16-urgent-rule-applies", eps(0, locations=("between_shoulder_blades",)), [], aged(12), "P9", "urgent"),
    R("U16-emergency-rule-applies", eps(0, locations=("chest",)), [], aged(12), "E7", "emergency"),
    R("U16-floor", eps(0), [], aged(15), "U16", "routine"),
]


@pytest.mark.parametrize("episodes, follow_ups, profile, rule, expected", CHANGED)
def test_changed_rules(episodes, follow_ups, profile, rule, expected):
    assert level_of(assess(episodes, follow_ups, profile, NOW, TZ), rule) == expected


@pytest.mark.parametrize("profile, level", [
    pytest.param(aged(12), "routine", id="nothing-else"),
    pytest.param(aged(12, cancer_history=True), "urgent", id="urgent-wins-over-the-floor"),
])
def test_under_16_level_is_at_least_routine(profile, level):
    assert assess(eps(0), [], profile, NOW, TZ).level == level


def test_cannot_stand_alone_gives_the_person_urgent_and_f3_raises_it():
    plain = assess(eps(1, trigger="twisting", symptoms=CANNOT), [], aged(40), NOW, TZ)
    assert (plain.level, [f.rule for f in plain.flags]) == ("urgent", ["E1"])
    assert flag(plain, "E1").sources == (5, 3, 2)
    fallen = assess(eps(1, trigger="fall", severity=None, symptoms=CANNOT), [], aged(68), NOW, TZ, on_day)
    assert fallen.level == "emergency"
    assert flag(fallen, "F3").reason == ("You could not stand or put weight on your legs after a slip, trip or fall "
                                         "yesterday, and you are 68.")


# --- "Not recorded" never counts (contract 1) ---

NULLABLE = ("trigger", "during_exercise", "severity", "locked_minutes", "eased_by_stretch")


@pytest.mark.parametrize("field", NULLABLE)
def test_an_episode_with_one_field_not_recorded_gives_no_flag_from_it(field):
    # Everything else plain: the only possible flag would come from reading None as a value.
    result = assess(eps(0, 3, **{field: None}), [], aged(35), NOW, TZ)
    assert (result.level, result.flags) == ("none", ())


def test_all_fields_not_recorded_with_every_risk_in_the_profile_gives_only_profile_rules():
    everything = Profile(birth_year=NOW.year - 70, **{name: True for name in (
        "osteoporosis", "long_term_steroids", "kidney_disease", "heavy_sweater")})
    nothing = {name: None for name in NULLABLE}
    result = assess([ep(1, 0, **nothing), ep(2, 4, **nothing), ep(3, 9, **nothing)], [], everything, NOW, TZ)
    # Locations are recorded (lower back), so only rules about the profile, counts and age can hold: no E2-E4,
    # F3, P3 or P4, which would need a trigger, a severity, a locked time or "not exercising".
    assert {f.rule for f in result.flags} == {"P1", "P7", "A1", "A2", "C1"}


def test_the_e4_reason_says_not_recorded_rather_than_no():
    reason = flag(assess(eps(0, locked_minutes=20, eased_by_stretch=None), [], P, NOW, TZ), "E4").reason
    assert reason == "A spasm kept your muscle locked for 20 minutes and whether stretching eased it is not recorded."


# --- Codes and wording ---


def test_fall_is_a_trigger_after_at_rest():
    assert TRIGGERS.index("fall") == TRIGGERS.index("at_rest") + 1
    assert TRIGGER_LABELS["fall"] == "Slip, trip or fall from standing height"


@pytest.mark.parametrize("code, wording, tier, sources", [
    ("difficulty_walking", "your legs feel weak, numb or heavy, or keep giving way, and it is severe or getting "
     "worse, or your legs won't do what you want when you walk (not just because moving hurts)", "emergency",
     (3, 5, 2)),
    ("one_leg_weakness", "new, mild weakness in one leg that is not getting worse (foot catching or slapping)",
     "urgent", (6,)),
    ("cannot_stand", "cannot stand up or put weight on the legs because of the pain", "urgent", (5, 3, 2)),
    ("both_legs", "pain, tingling, numbness or weakness in both legs", "emergency", (3, 5, 2)),
])
def test_symptom_wording_matches_the_2026_2_table(code, wording, tier, sources):
    assert SYMPTOMS[code] == (wording, tier, sources)


def test_location_levels_and_e5_places():
    assert LOCATION_LEVELS == {"chest": "emergency", "arm": "urgent", "hand": "urgent", "abdomen": "urgent",
                               "jaw": "urgent"}
    assert set(BEYOND_BACK_AND_LEGS) == {"arm", "hand", "abdomen"}
    # Each location's level is what that location alone gives the engine.
    for location, level in LOCATION_LEVELS.items():
        assert assess(eps(0, locations=(location,)), [], P, NOW, TZ).level == level, location


def test_advice_per_level_in_the_generic_wording():
    generic = triage.GENERIC_SERVICES
    assert triage.advice("urgent", generic) == (
        "Book or call now: a doctor today, or an urgent care service.")
    assert triage.advice("none", generic) == "Look after yourself at home: try one of the relief routines."
    assert assess(eps(0, locations=("hand",)), [], P, NOW, TZ).advice == triage.advice("urgent", generic)
    with pytest.raises(ValueError):
        triage.advice("severe", generic)


def test_none_heading_and_safety_net():
    assert triage.NONE_HEADING == "None of the app's warning rules apply to what you logged"
    assert "no warning signs" not in triage.NONE_HEADING.lower()
    assert triage.safety_net(triage.GENERIC_SERVICES) == (
        "See a doctor if your back pain does not improve after treating it at home for a few weeks, stops you "
        "doing your day-to-day activities, is severe or getting worse over time, or you're worried about it or "
        "struggling to cope. Go to the emergency screen if any warning sign appears.")


def test_why_it_matters_is_for_the_pattern_rules_named():
    assert triage.WHY_IT_MATTERS_RULES == {"P1", "P4", "P5", "P6", "P7", "F4"}
    assert triage.WHY_IT_MATTERS.startswith("Frequent or unusual cramps can have causes other than training")
    assert triage.WHY_IT_MATTERS_SOURCES == (12, 13)


RULE_IDS = {"E1", "E2", "E3", "E4", "E5", "E6", "E7", "F1", "F2", "F3", "F4", "P1", "P2", "P3", "P4", "P5", "P6",
            "P7", "P8", "P9", "A1", "A2", "C1", "U16", "history_red_flag"}


def test_every_rule_has_one_short_title():
    assert set(triage.RULE_TITLES) == RULE_IDS
    assert triage.RULE_TITLES["E7"] == "Chest spasm"
    assert all(0 < len(title) <= 40 and title[0].isupper() and not title.endswith(".")
               for title in triage.RULE_TITLES.values())
    assert len(set(triage.RULE_TITLES.values())) == len(RULE_IDS)


def test_rules_the_engine_emits_all_have_titles():
    from tests.unit.test_triage import RULE_TABLE

    seen = set()
    for param in RULE_TABLE + CHANGED:
        episodes, follow_ups, profile, _, _ = param.values
        result = assess(episodes, follow_ups, profile, NOW, TZ)
        seen |= {f.rule for f in result.flags} | {i.rule for i in result.info}
    assert seen <= set(triage.RULE_TITLES) and {"E6", "E7", "history_red_flag"} <= seen


def test_no_medicine_is_named_in_the_new_wording():
    words = " ".join([triage.WHY_IT_MATTERS, triage.NONE_HEADING, *triage.RULE_TITLES.values(),
                      triage.safety_net(triage.GENERIC_SERVICES)]).lower()
    assert not re.search(r"diuretic|steroid|ibuprofen|paracetamol|dose|tablet", words)
