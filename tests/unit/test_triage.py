"""Unit tests for the triage engine: every rule of CONTENT.md section 2, both sides of each threshold."""

import json
from dataclasses import fields, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.domain import triage
from coach.domain.codes import LOCATIONS, SIDES, SYMPTOM_CODES, SYMPTOMS, TRIGGERS
from coach.domain.triage import LEVEL_RANK, Episode, FollowUp, Profile, assess
from coach.episodes.schemas import AssessmentOut
from coach.formats import on_day

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=TZ)  # a Monday in British Summer Time (UTC+1)


def local(days_ago, hh=10, mm=0, now=NOW, tz=TZ):
    """A wall-clock time `days_ago` local calendar days before `now`'s local date."""
    day = now.astimezone(tz).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(hh, mm), tzinfo=tz)


def ep(ident, days_ago, hh=10, mm=0, now=NOW, tz=TZ, **fields):
    base = dict(trigger="lifting", during_exercise=True, locations=("lower_back",), side="left", severity=3,
                locked_minutes=0, eased_by_stretch=True, symptoms=())
    base.update(fields)
    return Episode(id=ident, started_at=local(days_ago, hh, mm, now, tz), **base)


def eps(*days_ago, **fields):
    """One episode per entry, ids from 1, all with the same fields."""
    return [ep(i, d, **fields) for i, d in enumerate(days_ago, start=1)]


def fu(ident, episode_id, days_ago, status="same", severity=None, symptoms=(), hh=11):
    return FollowUp(id=ident, episode_id=episode_id, at=local(days_ago, hh), severity=severity, status=status,
                    symptoms=symptoms)


def aged(age, **fields):
    return Profile(birth_year=NOW.year - age, **fields)


def level_of(assessment, rule):
    """The highest level among the assessment's flags for `rule`, or None when it did not fire."""
    levels = [f.level for f in assessment.flags if f.rule == rule]
    return max(levels, key=LEVEL_RANK.__getitem__) if levels else None


def flag(assessment, rule):
    (found,) = [f for f in assessment.flags if f.rule == rule]
    return found


P, FRAGILE = Profile(), dict(osteoporosis=True)


def R(ident, episodes, follow_ups, profile, rule, expected):
    """A table row: the expected level of `rule`, or None when it must not fire."""
    return pytest.param(episodes, follow_ups, profile, rule, expected, id=ident)


RULE_TABLE = [
    # E1: symptom codes, 7-day window today-6..today, raises from the tier column
    R("E1-saddle-today", eps(0, symptoms=("saddle_numbness",)), [], P, "E1", "emergency"),
    R("E1-red-flag-day-6", eps(6, symptoms=("chest_pain",)), [], P, "E1", "emergency"),
    R("E1-red-flag-day-7", eps(7, symptoms=("chest_pain",)), [], P, "E1", None),
    R("E1-fever-alone", eps(2, symptoms=("fever",)), [], P, "E1", "urgent"),
    R("E1-fever-with-one-leg-weakness", eps(2, symptoms=("fever", "one_leg_weakness")), [], P, "E1", "emergency"),
    R("E1-tingling-alone", eps(2, symptoms=("hands_feet_tingling",)), [], P, "E1", "routine"),
    R("E1-tingling-with-one-leg-weakness", eps(2, symptoms=("hands_feet_tingling", "one_leg_weakness")), [], P, "E1",
      "urgent"),
    R("E1-cannot-stand-alone-is-urgent", eps(2, symptoms=("cannot_stand",)), [], P, "E1", "urgent"),
    R("E1-follow-up-day-6", eps(10), [fu(1, 1, 6, symptoms=("chest_pain",))], P, "E1", "emergency"),
    R("E1-follow-up-day-7", eps(10), [fu(1, 1, 7, symptoms=("chest_pain",))], P, "E1", None),
    R("E1-fever-raised-by-follow-up", eps(3, symptoms=("fever",)), [fu(1, 1, 1, symptoms=("one_leg_weakness",))], P,
      "E1", "emergency"),
    # E2: accident
    R("E2-accident-day-6", eps(6, trigger="accident"), [], P, "E2", "emergency"),
    R("E2-accident-day-7", eps(7, trigger="accident"), [], P, "E2", None),
    # E3: locked_minutes > 60 (urgent since 2026.2)
    R("E3-locked-61", eps(1, locked_minutes=61), [], P, "E3", "urgent"),
    R("E3-locked-60", eps(1, locked_minutes=60), [], P, "E3", None),
    R("E3-locked-day-7", eps(7, locked_minutes=90), [], P, "E3", None),
    # E4: locked_minutes > 10 and eased_by_stretch not true
    R("E4-locked-11", eps(1, locked_minutes=11, eased_by_stretch=False), [], P, "E4", "urgent"),
    R("E4-locked-10", eps(1, locked_minutes=10, eased_by_stretch=False), [], P, "E4", None),
    R("E4-eased-unknown", eps(1, locked_minutes=11, eased_by_stretch=None), [], P, "E4", "urgent"),
    R("E4-eased", eps(1, locked_minutes=11, eased_by_stretch=True), [], P, "E4", None),
    # E5: arm, hand or abdomen (2026.2: hand added, chest moved to E7)
    R("E5-chest-is-E7-now", eps(1, locations=("chest",)), [], P, "E5", None),
    R("E5-arm", eps(1, locations=("arm",)), [], P, "E5", "urgent"),
    R("E5-abdomen", eps(1, locations=("lower_back", "abdomen")), [], P, "E5", "urgent"),
    R("E5-hand", eps(1, locations=("hand",)), [], P, "E5", "urgent"),
    R("E5-day-7", eps(7, locations=("arm",)), [], P, "E5", None),
    # F1: cancer history and an episode in the 7-day window
    R("F1-day-6", eps(6), [], Profile(cancer_history=True), "F1", "urgent"),
    R("F1-day-7", eps(7), [], Profile(cancer_history=True), "F1", None),
    R("F1-no-history", eps(6), [], P, "F1", None),
    # F2: an episode in the 7-day window and infection risk
    R("F2-immunosuppressed", eps(3), [], Profile(immunosuppressed=True), "F2", "urgent"),
    R("F2-iv-drug-use", eps(3), [], Profile(iv_drug_use=True), "F2", "urgent"),
    R("F2-recent-infection", eps(3, symptoms=("recent_infection",)), [], P, "F2", "urgent"),
    R("F2-day-7", eps(7), [], Profile(immunosuppressed=True), "F2", None),
    R("F2-no-risk", eps(3), [], P, "F2", None),
    # F3: possible fragility fracture
    R("F3-age-50-severity-7", eps(1, severity=7), [], aged(50, **FRAGILE), "F3", "urgent"),
    R("F3-age-49", eps(1, severity=7), [], aged(49, **FRAGILE), "F3", None),
    R("F3-severity-6", eps(1, severity=6), [], aged(50, **FRAGILE), "F3", None),
    R("F3-steroids-bending", eps(1, severity=7, trigger="bending"), [], aged(70, long_term_steroids=True), "F3",
      "urgent"),
    R("F3-twisting-is-not-listed", eps(1, severity=7, trigger="twisting"), [], aged(70, **FRAGILE), "F3", None),
    R("F3-no-bone-risk", eps(1, severity=7), [], aged(70), "F3", None),
    R("F3-cannot-stand", eps(1, severity=7, symptoms=("cannot_stand",)), [], aged(50, **FRAGILE), "F3", "emergency"),
    R("F3-follow-up-severity-and-cannot-stand", eps(2, severity=6),
      [fu(1, 1, 1, severity=7, symptoms=("cannot_stand",))], aged(50, **FRAGILE), "F3", "emergency"),
    R("F3-age-unknown", eps(1, severity=7), [], Profile(osteoporosis=True), "F3", "urgent"),
    R("F3-day-7", eps(7, severity=9), [], aged(70, **FRAGILE), "F3", None),
    # F4: new medicine or diuretics with leg or foot cramps in the 30-day window
    R("F4-day-29", eps(29, locations=("calf",)), [], Profile(diuretics=True), "F4", "urgent"),
    R("F4-day-30", eps(30, locations=("calf",)), [], Profile(diuretics=True), "F4", None),
    R("F4-new-medicine-foot", eps(5, locations=("foot",)), [], Profile(new_medicine_4_weeks=True), "F4", "urgent"),
    R("F4-back-only", eps(5), [], Profile(diuretics=True), "F4", None),
    R("F4-no-medicine", eps(5, locations=("thigh",)), [], P, "F4", None),
    # P1: >= 3 distinct in 30 days or >= 6 in 90 days
    R("P1-2-in-30", eps(0, 10), [], P, "P1", None),
    R("P1-3-in-30-edge-day-29", eps(0, 10, 29), [], P, "P1", "routine"),
    R("P1-3rd-on-day-30", eps(0, 10, 30), [], P, "P1", None),
    R("P1-5-in-90", eps(0, 31, 40, 50, 60), [], P, "P1", None),
    R("P1-6-in-90-edge-day-89", eps(0, 31, 40, 50, 60, 89), [], P, "P1", "routine"),
    R("P1-6th-on-day-90", eps(0, 31, 40, 50, 60, 90), [], P, "P1", None),
    # P2: >= 4 in 180 days and the last three gaps strictly decreasing
    R("P2-gaps-10-5-2", eps(17, 7, 2, 0), [], P, "P2", "routine"),
    R("P2-gaps-5-5-2", eps(12, 7, 2, 0), [], P, "P2", None),
    R("P2-only-3", eps(7, 2, 0), [], P, "P2", None),
    R("P2-day-179", eps(179, 100, 50, 20), [], P, "P2", "routine"),
    R("P2-day-180", eps(180, 100, 50, 20), [], P, "P2", None),
    # P3: last 3 strictly increasing severity, latest >= 7
    R("P3-4-5-7", [ep(1, 9, severity=4), ep(2, 5, severity=5), ep(3, 1, severity=7)], [], P, "P3", "routine"),
    R("P3-latest-6", [ep(1, 9, severity=4), ep(2, 5, severity=5), ep(3, 1, severity=6)], [], P, "P3", None),
    R("P3-not-strict", [ep(1, 9, severity=4), ep(2, 5, severity=7), ep(3, 1, severity=7)], [], P, "P3", None),
    # P4: >= 2 at rest, asleep or unknown, not during exercise, in 30 days
    R("P4-2-day-29", eps(3, 29, trigger="at_rest", during_exercise=False), [], P, "P4", "routine"),
    R("P4-2nd-day-30", eps(3, 30, trigger="at_rest", during_exercise=False), [], P, "P4", None),
    R("P4-sleeping-and-unknown", [ep(1, 3, trigger="sleeping", during_exercise=False),
                                  ep(2, 9, trigger="unknown", during_exercise=False)], [], P, "P4", "routine"),
    R("P4-during-exercise", eps(3, 9, trigger="at_rest", during_exercise=True), [], P, "P4", None),
    # P5: >= 2 with a back location and calf, thigh or foot, in 30 days
    R("P5-2-day-29", eps(3, 29, locations=("lower_back", "calf")), [], P, "P5", "routine"),
    R("P5-2nd-day-30", eps(3, 30, locations=("mid_back", "thigh")), [], P, "P5", None),
    R("P5-leg-only", eps(3, 9, locations=("calf",)), [], P, "P5", None),
    # P6: hands_feet_tingling in 30 days
    R("P6-day-29", eps(29, symptoms=("hands_feet_tingling",)), [], P, "P6", "routine"),
    R("P6-day-30", eps(30, symptoms=("hands_feet_tingling",)), [], P, "P6", None),
    # P7: an episode in 30 days with kidney disease or heavy sweating
    R("P7-kidney-day-29", eps(29), [], Profile(kidney_disease=True), "P7", "routine"),
    R("P7-kidney-day-30", eps(30), [], Profile(kidney_disease=True), "P7", None),
    R("P7-heavy-sweater", eps(5), [], Profile(heavy_sweater=True), "P7", "routine"),
    # P8: latest follow-up 14+ days after the episode, in the 30-day window, same or worse
    R("P8-14-days", eps(20), [fu(1, 1, 6, "same")], P, "P8", "routine"),
    R("P8-13-days", eps(20), [fu(1, 1, 7, "worse")], P, "P8", None),
    R("P8-improving", eps(20), [fu(1, 1, 6, "improving")], P, "P8", None),
    R("P8-latest-follow-up-counts", eps(40), [fu(1, 1, 10, "worse"), fu(2, 1, 5, "improving")], P, "P8", None),
    R("P8-follow-up-day-29", eps(50), [fu(1, 1, 29, "worse")], P, "P8", "routine"),
    R("P8-follow-up-day-30", eps(50), [fu(1, 1, 30, "worse")], P, "P8", None),
    # P9: between the shoulder blades in 7 days (urgent since 2026.2)
    R("P9-day-6", eps(6, locations=("between_shoulder_blades",)), [], P, "P9", "urgent"),
    R("P9-day-7", eps(7, locations=("between_shoulder_blades",)), [], P, "P9", None),
    # A1: age >= 50 or < 20 and the first-ever episode in the 30-day window
    R("A1-age-50", eps(3), [], aged(50), "A1", "routine"),
    R("A1-age-49", eps(3), [], aged(49), "A1", None),
    R("A1-age-19", eps(3), [], aged(19), "A1", "routine"),
    R("A1-age-20", eps(3), [], aged(20), "A1", None),
    R("A1-first-day-29", eps(29), [], aged(55), "A1", "routine"),
    R("A1-first-day-30", eps(30), [], aged(55), "A1", None),
    R("A1-not-first", eps(400, 3), [], aged(55), "A1", None),
    R("A1-age-unknown", eps(3), [], P, "A1", None),
    # A2: age >= 60, an episode in 30 days plus one more in 90 days
    R("A2-age-60-day-89", eps(3, 89), [], aged(60), "A2", "routine"),
    R("A2-age-59", eps(3, 89), [], aged(59), "A2", None),
    R("A2-2nd-day-90", eps(3, 90), [], aged(60), "A2", None),
    R("A2-none-in-30", eps(30, 60), [], aged(60), "A2", None),
    R("A2-only-one", eps(3), [], aged(60), "A2", None),
    # C1: any two of A1, A2, not improving at 28+ days, 3+ locations in one episode
    R("C1-A1-and-3-locations", eps(3, locations=("neck", "upper_back", "lower_back")), [], aged(50), "C1", "urgent"),
    R("C1-A1-alone", eps(3, locations=("neck", "lower_back")), [], aged(50), "C1", None),
    R("C1-A2-and-28-days", eps(3, 40), [fu(1, 2, 12, "same")], aged(60), "C1", "urgent"),
    R("C1-A2-and-27-days", eps(3, 40), [fu(1, 2, 13, "same")], aged(60), "C1", None),
    R("C1-28-days-and-3-locations", [ep(1, 40), ep(2, 3, locations=("neck", "arm", "calf"))], [fu(1, 1, 12, "worse")],
      P, "C1", "urgent"),
    # Under 16: routine always, with or without episodes
    R("U16-age-15", [], [], aged(15), "U16", "routine"),
    R("U16-age-16", [], [], aged(16), "U16", None),
]


@pytest.mark.parametrize("episodes, follow_ups, profile, rule, expected", RULE_TABLE)
def test_rule_table(episodes, follow_ups, profile, rule, expected):
    assert level_of(assess(episodes, follow_ups, profile, NOW, TZ), rule) == expected


@pytest.mark.parametrize("code", SYMPTOM_CODES)
def test_each_symptom_alone_has_its_base_tier(code):
    wording, tier, sources = SYMPTOMS[code]
    result = assess(eps(0, symptoms=(code,)), [], P, NOW, TZ)
    e1 = flag(result, "E1")
    assert (e1.level, e1.sources, result.level) == (tier, sources, tier)
    assert wording in e1.reason


@pytest.mark.parametrize("episodes", [pytest.param([], id="no-episodes"), pytest.param(eps(0), id="one-plain")])
def test_nothing_holds_is_none(episodes):
    result = assess(episodes, [], P, NOW, TZ)
    assert (result.level, result.flags, result.info) == ("none", (), ())


BACK_CALF = ("lower_back", "calf")


@pytest.mark.parametrize("episodes, expected", [
    # Two logs on one local date plus one more: 3 logs in 30 days, P1 only if the two are distinct spasms.
    pytest.param([ep(1, 5, 8), ep(2, 5, 18, locations=BACK_CALF), ep(3, 12)], None, id="shared-location-once"),
    pytest.param([ep(1, 5, 8), ep(2, 5, 18, locations=("neck",)), ep(3, 12)], 3, id="different-locations-twice"),
    pytest.param([ep(1, 5, 8, locations=()), ep(2, 5, 18, locations=()), ep(3, 12)], 3, id="no-locations-twice"),
    pytest.param([ep(1, 6, 23, 30), ep(2, 5, 0, 30), ep(3, 12)], 3, id="across-local-midnight-twice"),
    # back, back+calf, calf on one date: the first and last share nothing, so two spasms (pairwise reading).
    pytest.param([ep(1, 5, 8), ep(2, 5, 9, locations=BACK_CALF), ep(3, 5, 10, locations=("calf",)), ep(4, 12)], 3,
                 id="pairwise-not-transitive"),
])
def test_same_local_date_dedupe(episodes, expected):
    p1 = [f.reason for f in assess(episodes, [], P, NOW, TZ).flags if f.rule == "P1"]
    assert p1 == ([f"{expected} spasms in the last 30 days."] if expected else [])


def test_dedupe_keeps_both_ids_in_the_flag():
    # Four logs, two of them one spasm logged twice: 3 distinct, so P1 fires and lists all four ids.
    episodes = [ep(1, 5, 8), ep(2, 5, 18, locations=("lower_back", "calf")), ep(3, 12), ep(4, 20)]
    p1 = flag(assess(episodes, [], P, NOW, TZ), "P1")
    assert (p1.reason, p1.episode_ids) == ("3 spasms in the last 30 days.", (4, 3, 1, 2))


LA = ZoneInfo("America/Los_Angeles")
LA_NOW = datetime(2026, 3, 31, 12, 0, tzinfo=LA)  # UTC-7; the window starts 2 March


@pytest.mark.parametrize(
    "zone, expected",
    [pytest.param(LA, None, id="local-date-1-march-outside"), pytest.param(UTC, "routine", id="utc")],
)
def test_los_angeles_late_evening_lands_on_its_local_date(zone, expected):
    # 23:30 on 1 March in Los Angeles is 07:30 on 2 March in UTC: day 30 locally, day 29 in UTC.
    episodes = [ep(1, 30, 23, 30, now=LA_NOW, tz=LA), ep(2, 10, now=LA_NOW, tz=LA), ep(3, 0, now=LA_NOW, tz=LA)]
    assert episodes[0].started_at.astimezone(UTC).date() == date(2026, 3, 2)
    assert level_of(assess(episodes, [], P, LA_NOW, zone), "P1") == expected


def test_los_angeles_late_evening_red_flag_window():
    # 23:30 on 24 March (day 7 locally) is 25 March in UTC: only a prompt for the person in Los Angeles.
    episodes = [ep(1, 7, 23, 30, now=LA_NOW, tz=LA, symptoms=("chest_pain",))]
    local_result = assess(episodes, [], P, LA_NOW, "America/Los_Angeles", on_day)
    assert (local_result.level, [i.rule for i in local_result.info]) == ("none", ["history_red_flag"])
    assert "24 March 2026" in local_result.info[0].message
    assert assess(episodes, [], P, LA_NOW, "UTC").level == "emergency"


def test_auckland_just_after_midnight_is_inside_the_window():
    # 00:30 on day 29 in Auckland is the previous UTC day, which would be day 30 in UTC.
    akl = ZoneInfo("Pacific/Auckland")
    now = datetime(2026, 4, 10, 12, 0, tzinfo=akl)
    episodes = [ep(1, 29, 0, 30, now=now, tz=akl), ep(2, 10, now=now, tz=akl), ep(3, 0, now=now, tz=akl)]
    assert level_of(assess(episodes, [], P, now, akl), "P1") == "routine"
    assert level_of(assess(episodes, [], P, now, "UTC"), "P1") is None


def test_window_across_the_spring_dst_change():
    # London moved to summer time on 29 March 2026; dates, not 24-hour steps, define the window.
    now = datetime(2026, 4, 27, 0, 30, tzinfo=TZ)
    episodes = [ep(1, 29, 0, 15, now=now), ep(2, 28, 23, 45, now=now), ep(3, 0, 0, 10, now=now)]
    assert episodes[0].started_at.date() == date(2026, 3, 29)
    assert level_of(assess(episodes, [], P, now, TZ), "P1") == "routine"


def test_highest_tier_wins_and_flags_are_ordered():
    episodes = eps(0, 10, 12, symptoms=("chest_pain",)) + [ep(4, 1, locked_minutes=15, eased_by_stretch=False)]
    result = assess(episodes, [], Profile(kidney_disease=True), NOW, TZ)
    assert result.level == "emergency"
    assert [(f.rule, f.level) for f in result.flags] == [
        ("E1", "emergency"), ("E4", "urgent"), ("P1", "routine"), ("P7", "routine"),
    ]
    assert result.advice == triage.advice("emergency", triage.GENERIC_SERVICES)


def test_history_red_flag_for_an_8_day_old_emergency_symptom():
    result = assess(eps(8, symptoms=("chest_pain", "one_leg_symptoms")), [], P, NOW, TZ, on_day)
    assert (result.level, result.flags) == ("none", ())
    # one_leg_symptoms is routine: no prompt for it.
    message = ("You reported chest pain on 7 June 2026. Were you assessed by a doctor? If you still have it, go to "
               "the emergency screen now.")
    assert [(i.rule, i.message, i.episode_ids) for i in result.info] == [("history_red_flag", message, (1,))]
    # The API shape carries rule and message only; the episode ids stay server-side for the pages' links.
    assert api_shape(result)["info"] == [{"rule": "history_red_flag", "message": message}]


def test_history_red_flag_is_one_prompt_per_symptom_naming_the_latest_date():
    result = assess(eps(40, 20, 9, symptoms=("night_pain",)), [], P, NOW, TZ, on_day)
    assert [i.message for i in result.info] == [
        "You reported pain worse at night or not eased by rest or changing position on 6 June 2026. "
        "Were you assessed by a doctor? If you still have it, go to the emergency screen now.",
    ]
    assert result.info[0].episode_ids == (3, 2, 1)


def test_history_cannot_stand_prompts_since_it_is_urgent_on_its_own():
    # 2026.2: cannot_stand alone is urgent, so an old report prompts whatever the age or bone risk.
    episodes = eps(9, severity=8, symptoms=("cannot_stand",))
    for profile in (aged(30), aged(70, osteoporosis=True)):
        result = assess(episodes, [], profile, NOW, TZ, on_day)
        assert [i.message for i in result.info] == [
            "You reported cannot stand up or put weight on the legs because of the pain on 6 June 2026. Were you "
            "assessed by a doctor? If you still have it, go to the emergency screen now."]
        assert result.level == ("routine" if profile.birth_year == NOW.year - 70 else "none")  # A1 at 70


def test_episodes_after_now_are_ignored_and_at_sets_the_reference_time():
    later = ep(9, 0, 13, trigger="accident", locked_minutes=120, symptoms=("chest_pain",))  # 13:00, now is 12:00
    assert assess([later], [], P, NOW, TZ).level == "none"
    assert assess([later], [], P, NOW + timedelta(hours=2), TZ).level == "emergency"


def test_follow_ups_after_now_are_ignored():
    future = fu(1, 1, 0, "worse", severity=9, symptoms=("chest_pain",), hh=13)
    assert assess(eps(1), [future], P, NOW, TZ).level == "none"


def api_shape(assessment) -> dict:
    return AssessmentOut.model_validate(assessment).model_dump(mode="json")


def test_api_shape():
    data = api_shape(assess(eps(0, 3, 9), [], P, NOW, TZ))
    assert list(data) == ["level", "rules_version", "evaluated_at", "flags", "info", "disclaimer"]
    assert data == {"level": "routine", "rules_version": "2026.2", "evaluated_at": "2026-06-15T11:00:00Z",
                    "flags": [{"rule": "P1", "level": "routine", "reason": "3 spasms in the last 30 days.",
                               "episode_ids": [3, 2, 1], "sources": [11, 13]}],
                    "info": [], "disclaimer": triage.DISCLAIMER}
    assert json.loads(json.dumps(data)) == data and triage.RULES_VERSION == "2026.2"


def test_f4_reason_uses_the_fixed_medicine_copy_and_names_no_medicine():
    reason = flag(assess(eps(2, locations=("calf",)), [], Profile(diuretics=True), NOW, TZ), "F4").reason
    assert reason.endswith(triage.NO_MEDICATION_COPY)
    assert "diuretic" not in reason.lower() and "water tablet" not in reason.lower()


def test_reasons_name_what_was_seen():
    result = assess(eps(17, 7, 2, 0), [], P, NOW, TZ)
    assert flag(result, "P1").reason == "4 spasms in the last 30 days."
    assert flag(result, "P2").reason == "Your spasms are coming closer together: 10, 5, then 2 days apart."


def test_a_last_gap_of_one_day_reads_in_the_singular():
    result = assess(eps(20, 8, 2, 1), [], P, NOW, TZ)
    assert flag(result, "P2").reason == "Your spasms are coming closer together: 12, 6, then 1 day apart."


def test_under_16_still_gets_emergency_when_a_red_flag_holds():
    result = assess(eps(0, symptoms=("bladder_bowel_change",)), [], aged(12), NOW, TZ)
    assert result.level == "emergency"
    assert level_of(result, "U16") == "routine"


@pytest.mark.parametrize("episodes, follow_ups, now", [
    pytest.param(eps(0, symptoms=("sore",)), [], NOW, id="unknown-symptom"),
    pytest.param([], [], NOW.replace(tzinfo=None), id="naive-now"),
    pytest.param([replace(ep(1, 0), started_at=datetime(2026, 6, 15, 9))], [], NOW, id="naive-episode"),
    pytest.param(eps(1), [replace(fu(1, 1, 0), at=datetime(2026, 6, 15, 9))], NOW, id="naive-follow-up"),
])
def test_bad_input_is_refused(episodes, follow_ups, now):
    with pytest.raises(ValueError):
        assess(episodes, follow_ups, P, now, TZ)


episode_strategy = st.builds(
    lambda ident, minutes_ago, trigger, exercise, locations, side, severity, locked, eased, symptoms: Episode(
        id=ident, started_at=NOW - timedelta(minutes=minutes_ago), trigger=trigger, during_exercise=exercise,
        locations=tuple(locations), side=side, severity=severity, locked_minutes=locked,
        eased_by_stretch=eased, symptoms=tuple(symptoms)),
    st.integers(1, 10_000), st.integers(-3 * 1440, 200 * 1440), st.sampled_from(TRIGGERS + (None,)),
    st.sampled_from((True, False, None)),
    st.lists(st.sampled_from(LOCATIONS), max_size=4, unique=True), st.sampled_from(SIDES + (None,)),
    st.one_of(st.none(), st.integers(0, 10)), st.sampled_from((None, 0, 10, 11, 60, 61, 300)),
    st.sampled_from((True, False, None)),
    st.lists(st.sampled_from(SYMPTOM_CODES), max_size=3, unique=True),
)
profile_strategy = st.builds(Profile, birth_year=st.one_of(st.none(), st.integers(1920, 2024)),
                             **{f.name: st.booleans() for f in fields(Profile) if f.name != "birth_year"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(episode_strategy, max_size=25, unique_by=lambda e: e.id), profile_strategy,
       st.sampled_from(("Europe/London", "Pacific/Auckland", "America/Los_Angeles")))
def test_property_level_is_the_highest_flag_level(episodes, profile, zone):
    follow_ups = [FollowUp(id=e.id, episode_id=e.id, at=e.started_at + timedelta(days=(e.severity or 0) * 3),
                           severity=e.severity, status=("same", "worse", "improving")[e.id % 3],
                           symptoms=e.symptoms[:1]) for e in episodes]
    result = assess(episodes, follow_ups, profile, NOW, zone)
    expected = max((f.level for f in result.flags), key=LEVEL_RANK.__getitem__, default="none")
    assert result.level == expected and result.level in triage.LEVELS
    ranks = [(-LEVEL_RANK[f.level], f.rule) for f in result.flags]
    assert ranks == sorted(ranks)
    # Nothing after `now` matters: dropping those episodes changes nothing.
    past = [e for e in episodes if e.started_at <= NOW]
    assert assess(past, follow_ups, profile, NOW, zone) == result
    json.dumps(api_shape(result))
