"""The rules of CONTENT.md section 2, evaluated over one timeline grouped by local calendar date."""

from itertools import pairwise

from coach.domain.codes import (
    BACK_LOCATIONS,
    LOCATION_LABELS,
    SYMPTOM_CODES,
    SYMPTOM_UPGRADES,
    SYMPTOMS,
    TRIGGER_LABELS,
)
from coach.domain.flags import LEVEL_RANK, NO_MEDICATION_COPY, Flag, Info, symptom_tier
from coach.domain.timeline import episode_ids

BACK = frozenset(BACK_LOCATIONS)
LEG = frozenset({"calf", "thigh", "foot"})
# E5's places: cramps beyond the back and legs ("hand" extends the source's "arms").
BEYOND_BACK_AND_LEGS = ("hand", "arm", "abdomen")
# The tier a location gives on its own (E5, E6, E7), for pages that must decide offline from one log.
# E6 can rise to emergency with a dirty wound or injected drug use; the location alone gives urgent.
LOCATION_LEVELS = {"hand": "urgent", "arm": "urgent", "chest": "emergency", "abdomen": "urgent", "jaw": "urgent"}
REST_TRIGGERS = frozenset({"sleeping", "at_rest", "unknown"})
FRACTURE_TRIGGERS = frozenset({"lifting", "bending", "fall", "accident"})
NOT_IMPROVING = frozenset({"same", "worse"})


def bone_risk(tl):
    """Age >= 50 with osteoporosis or long-term steroids, as F3 asks.

    Unknown age (no birth year) counts as 50 or over here: the bone risk in the profile is the specific part.
    """
    p = tl.profile
    return (tl.age is None or tl.age >= 50) and (p.osteoporosis or p.long_term_steroids)


def fracture_risk(tl, ep):
    """F3's urgent condition: bone risk, a fracture trigger and a known severity of 7 or more."""
    severity = tl.worst_severity(ep)
    return bone_risk(tl) and ep.trigger in FRACTURE_TRIGGERS and severity is not None and severity >= 7


def fracture_emergency(tl, ep):
    """F3's emergency condition: cannot stand after a fracture trigger, aged 65+ or 50+ with bone risk."""
    old = tl.age is not None and tl.age >= 65
    return ep.trigger in FRACTURE_TRIGGERS and cannot_stand(tl, ep) and (old or bone_risk(tl))


def cannot_stand(tl, ep):
    return "cannot_stand" in ep.symptoms or "cannot_stand" in tl.follow_up_symptoms.get(ep.id, ())


def symptom_flags(tl):
    """E1: one flag per symptom code reported in the 7-day window, on an episode or a follow-up."""
    seen = {}
    for day, owner, codes in tl.records_in(7):
        for code in codes:
            entry = seen.setdefault(code, [day, {}])
            entry[0] = max(entry[0], day)
            entry[1][owner] = None
    flags = []
    for code in SYMPTOM_CODES:
        if code not in seen:
            continue
        level = symptom_tier(code, seen)
        wording, base, sources = SYMPTOMS[code]
        day, owners = seen[code]
        when = tl.when(day)
        reason = f"{when[0].upper()}{when[1:]} you reported: {wording}"
        if level != base:
            raisers = [SYMPTOMS[c][0] for c in SYMPTOM_CODES if c in SYMPTOM_UPGRADES[code][1] and c in seen]
            reason += ", together with: " + "; ".join(raisers)
        flags.append(Flag("E1", level, reason + ".", tuple(owners), sources))
    return flags


def episode_flags(tl):
    """E2-E7 and F1-F3: red flags count only on episodes in the 7-day window."""
    p, recent, flags = tl.profile, tl.episodes_in(7), []
    if not recent:
        return flags

    def add(rule, level, reason, hits, sources):
        flags.append(Flag(rule, level, reason, episode_ids(hits), sources))

    accidents = [e for e in recent if e.trigger == "accident"]
    if accidents:
        when = tl.when(tl.day_of[accidents[-1].id])
        add("E2", "emergency", f"You logged a spasm after an accident, a fall or a blow {when}.",
            accidents, (3,))
    # locked_minutes None is "not recorded": it never counts as 0 or as long.
    locked = [e for e in recent if e.locked_minutes is not None and e.locked_minutes > 60]
    if locked:
        most = max(e.locked_minutes for e in locked)
        add("E3", "urgent", f"A spasm kept your muscle locked hard for {most} minutes.", locked, (11, 14))
    # "eased_by_stretch is not true": False and not recorded both fire (the safer reading, docs/TRIAGE.md).
    unrelieved = [e for e in recent
                  if e.locked_minutes is not None and e.locked_minutes > 10 and e.eased_by_stretch is not True]
    if unrelieved:
        worst = max(unrelieved, key=lambda e: e.locked_minutes)
        how = ("stretching did not ease it" if worst.eased_by_stretch is False
               else "whether stretching eased it is not recorded")
        add("E4", "urgent", f"A spasm kept your muscle locked for {worst.locked_minutes} minutes and {how}.",
            unrelieved, (11,))
    beyond = [e for e in recent if not set(BEYOND_BACK_AND_LEGS).isdisjoint(e.locations)]
    if beyond:
        places = _and(LOCATION_LABELS[loc].lower() for loc in BEYOND_BACK_AND_LEGS
                      if any(loc in e.locations for e in beyond))
        add("E5", "urgent", f"You logged cramps in your {places} in the last 7 days.", beyond, (12,))
    jaw = [e for e in recent if "jaw" in e.locations]
    if jaw:
        when = tl.when(tl.day_of[jaw[-1].id])
        wound = any("dirty_wound" in codes for _, _, codes in tl.records_in(7))
        raisers = [text for held, text in ((wound, "a recent dirty or deep wound"),
                                           (p.iv_drug_use, "injected drug use")) if held]
        if raisers:
            add("E6", "emergency", f"You logged a spasm in your jaw {when}, and you told us about "
                f"{' and '.join(raisers)}. A stiff jaw after a wound can be tetanus.", jaw, (16, 12))
        else:
            add("E6", "urgent", f"You logged a spasm in your jaw {when}.", jaw, (16, 12))
    chest = [e for e in recent if "chest" in e.locations]
    if chest:
        when = tl.when(tl.day_of[chest[-1].id])
        add("E7", "emergency", f"You logged a spasm in your chest {when}. A spasm in the chest is chest pain "
            "until a doctor says otherwise.", chest, (3, 12))
    if p.cancer_history:
        add("F1", "urgent", "Your profile mentions cancer in the past, and you logged a spasm in the last "
            "7 days.", recent, (2, 7))
    infection = any("recent_infection" in codes for _, _, codes in tl.records_in(7))
    noted = [text for held, text in ((p.immunosuppressed, "a weakened immune system"),
                                     (p.iv_drug_use, "injected drug use"),
                                     (infection, "a recent infection")) if held]
    if noted:
        add("F2", "urgent", "You logged a spasm in the last 7 days, and you told us about "
            f"{' and '.join(noted)}.", recent, (2, 7))
    fallen = [e for e in recent if fracture_emergency(tl, e)]
    if fallen:
        worst = fallen[-1]
        why = (f"you are {tl.age}" if tl.age is not None and tl.age >= 65
               else "your profile notes a risk of fragile bones")
        add("F3", "emergency", f"You could not stand or put weight on your legs after "
            f"{_trigger_words(worst.trigger)} {tl.when(tl.day_of[worst.id])}, and {why}.", fallen, (5, 7, 2))
    else:
        fragile = [e for e in recent if fracture_risk(tl, e)]
        if fragile:
            worst = max(fragile, key=tl.worst_severity)
            add("F3", "urgent", f"A severe spasm ({tl.worst_severity(worst)}/10) after "
                f"{_trigger_words(worst.trigger)}, with a risk of fragile bones noted in your profile.",
                fragile, (5, 7, 2))
    return flags


def _trigger_words(trigger):
    return {"fall": "a slip, trip or fall", "accident": "an accident, a fall from height or a blow"}.get(
        trigger, TRIGGER_LABELS[trigger].lower())


def _and(words):
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def not_improving(tl, min_days):
    """Episodes whose latest follow-up, in the 30-day window, came min_days or more later: same or worse."""
    hits, start = [], tl.start(30)
    for episode_id, (fu_day, fu) in tl.latest_follow_up.items():
        ep_day = tl.day_of.get(episode_id)
        if (ep_day is not None and fu_day - ep_day >= min_days and fu_day >= start
                and fu.status in NOT_IMPROVING):
            hits.append((ep_day, tl.by_id[episode_id], fu_day - ep_day, fu.status))
    hits.sort(key=lambda h: (h[0], h[1].id))
    return hits


def pattern_flags(tl):
    """F4 and P1-P9: one flag per rule listing every episode that satisfied it."""
    p, flags, recent30, clusters30 = tl.profile, [], tl.episodes_in(30), tl.clusters_in(30)

    def add(rule, level, reason, hits, sources=()):
        flags.append(Flag(rule, level, reason, episode_ids(hits), sources))

    legs = [e for e in recent30 if not LEG.isdisjoint(e.locations)]
    if legs and (p.new_medicine_4_weeks or p.diuretics):
        add("F4", "urgent", "You logged cramps in your leg or foot in the last 30 days, and your profile "
            f"notes a prescribed medicine. {NO_MEDICATION_COPY}", legs, (12,))
    count30, count90 = tl.count_in(30), tl.count_in(90)
    if count30 >= 3 or count90 >= 6:
        seen = [f"{count30} spasms in the last 30 days"] if count30 >= 3 else []
        seen += [f"{count90} spasms in the last 90 days"] if count90 >= 6 else []
        add("P1", "routine", "; ".join(seen) + ".", tl.clusters_in(90 if count90 >= 6 else 30), (11, 13))
    if tl.count_in(180) >= 4:
        last = tl.clusters[-4:]
        g = [b.day - a.day for a, b in pairwise(last)]
        if g[0] > g[1] > g[2]:
            unit = "day" if g[2] == 1 else "days"  # the gaps shrink, so only the last can be a single day
            add("P2", "routine", f"Your spasms are coming closer together: {g[0]}, {g[1]}, then {g[2]} {unit} "
                "apart.", last)
    if len(tl.clusters) >= 3:
        last = tl.clusters[-3:]
        # A spasm logged twice: its worst known severity; a spasm with none recorded stops the rule.
        s = [max((e.severity for e in c.episodes if e.severity is not None), default=None) for c in last]
        if None not in s and s[0] < s[1] < s[2] and s[2] >= 7:
            add("P3", "routine", f"Your last 3 spasms got stronger each time: {s[0]}, {s[1]}, then {s[2]} "
                "out of 10.", last)
    resting = [c for c in clusters30
               if any(e.trigger in REST_TRIGGERS and e.during_exercise is False for e in c.episodes)]
    if len(resting) >= 2:
        add("P4", "routine", f"{len(resting)} spasms in the last 30 days came on at rest, in your sleep or "
            "without a clear cause.", resting, (11,))
    spread = [c for c in clusters30 if not BACK.isdisjoint(c.locations) and not LEG.isdisjoint(c.locations)]
    if len(spread) >= 2:
        add("P5", "routine", f"{len(spread)} spasms in the last 30 days affected your back and your leg or "
            "foot together.", spread, (12, 13))
    tingling = [owner for _, owner, codes in tl.records_in(30) if "hands_feet_tingling" in codes]
    if tingling:
        add("P6", "routine", "You reported tingling or numbness in your hands or feet in the last 30 days.",
            tingling, (11,))
    if recent30 and (p.kidney_disease or p.heavy_sweater):
        noted = " and ".join(t for held, t in ((p.kidney_disease, "kidney disease"),
                                               (p.heavy_sweater, "heavy sweating")) if held)
        add("P7", "routine", f"You logged a spasm in the last 30 days, and your profile notes {noted}.",
            recent30, (12, 14, 15))
    stuck = not_improving(tl, 14)
    if stuck:
        ep_day, _, days, status = stuck[-1]
        reason = (f"Your spasm {tl.when(ep_day)} was {'still the same' if status == 'same' else 'worse'} "
                  f"{days} days later." if len(stuck) == 1 else
                  f"{len(stuck)} spasms were the same or worse at a check-in 14 or more days later.")
        add("P8", "routine", reason, [h[1] for h in stuck], (20, 3))
    shoulder = [e for e in tl.episodes_in(7) if "between_shoulder_blades" in e.locations]
    if shoulder:
        when = tl.when(tl.day_of[shoulder[-1].id])
        add("P9", "urgent", f"You logged pain between the shoulder blades {when}.", shoulder, (3,))
    return flags


def age_flags(tl):
    """A1, A2, C1 and the under-16 rule (id U16)."""
    age, flags, a1, a2 = tl.age, [], None, None
    # No birth year, no age: A1, A2 and the under-16 rule need one (F3 does not, see fracture_risk).
    if age is not None:
        first = tl.first
        if (age >= 50 or age < 20) and first is not None and first.day >= tl.start(30):
            a1 = Flag("A1", "routine", f"Your first logged spasm was {tl.when(first.day)}, and you are "
                      f"{age}.", episode_ids([first]), (2, 7))
        count90 = tl.count_in(90)
        if age >= 60 and tl.count_in(30) >= 1 and count90 >= 2:
            a2 = Flag("A2", "routine", f"You are {age} and logged {count90} spasms in the last 90 days, at "
                      "least one of them in the last 30 days.", episode_ids(tl.clusters_in(90)), (9,))
        if age < 16:
            flags.append(Flag("U16", "routine", "You are under 16, and this advice is written for adults: "
                              "involve a parent and see a doctor about your spasms.", (), (1,)))
    stuck = [h[1] for h in not_improving(tl, 28)]
    widespread = [c for c in tl.clusters_in(30) if len(c.locations) >= 3]
    held = [(text, ids) for text, ids in (
        ("a first spasm at your age", a1 and a1.episode_ids),
        ("repeated spasms at 60 or over", a2 and a2.episode_ids),
        ("a spasm no better 28 or more days later", episode_ids(stuck)),
        ("a spasm in 3 or more places", episode_ids(widespread)),
    ) if ids]
    if len(held) >= 2:
        ids = tuple(dict.fromkeys(i for _, group in held for i in group))
        flags.append(Flag("C1", "urgent", "Several signs together: " + "; ".join(t for t, _ in held) + ".",
                          ids, (2, 33, 34)))
    return flags + [f for f in (a1, a2) if f is not None]


def evaluate(tl):
    """Every flag that holds, unsorted; E1 flags come out in the symptom table's order."""
    return symptom_flags(tl) + episode_flags(tl) + pattern_flags(tl) + age_flags(tl)


def history_info(tl):
    """history_red_flag: one prompt per urgent or emergency symptom older than the 7-day window.

    One per symptom, naming its latest date, so ten years of logs make at most one prompt per code.
    """
    by_day = {}
    for day, owner, codes in tl.records_before(7):
        entry = by_day.setdefault(day, {})
        for code in codes:
            entry.setdefault(code, {})[owner] = None
    found = {}
    for day in reversed(by_day):  # records are sorted by day, so this runs newest first
        entry = by_day[day]
        for code, owners in entry.items():
            tier = symptom_tier(code, entry)
            if LEVEL_RANK[tier] >= LEVEL_RANK["urgent"]:
                found.setdefault(code, (day, {}))[1].update(owners)
    order = {code: i for i, code in enumerate(SYMPTOM_CODES)}
    return [Info("history_red_flag", f"You reported {SYMPTOMS[code][0]} {tl.when(day, with_year=True)}. "
                 "Were you assessed by a doctor? If you still have it, go to the emergency screen now.", tuple(owners))
            for code, (day, owners) in sorted(found.items(), key=lambda kv: (-kv[1][0], order[kv[0]]))]
