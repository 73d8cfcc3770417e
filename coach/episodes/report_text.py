"""The doctor report as sections of short labelled lines, shared by the HTML page and the PDF."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain import codes
from ..domain.report import Trend
from ..routines.service import stop_rules
from .reports import ReportContext

STATUS_WORDS = {**codes.FOLLOW_UP_STATUS_LABELS, "no_check_in": "No check-in"}
# The profile's risk answers in a doctor's words.
RISK_SHORT = {
    "cancer_history": "history of cancer",
    "osteoporosis": "osteoporosis",
    "long_term_steroids": "long-term steroid tablets",
    "immunosuppressed": "immunosuppressed",
    "iv_drug_use": "injecting drug use",
    "kidney_disease": "kidney disease",
    "diuretics": "prescribed water tablets",
    "new_medicine_4_weeks": "new prescription in the last 4 weeks",
    "heavy_sweater": "heavy sweating in training",
}
LEVEL_WORDS = {"emergency": "EMERGENCY", "urgent": "urgent", "routine": "routine"}


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[tuple[str, str]]  # (label, text); an empty label continues the text block


def day(d: date) -> str:
    return f"{d.day} {d:%b} {d.year}"


def short_day(d: date) -> str:
    return f"{d.day} {d:%b}"


DATES_SHOWN = 6


def date_list(dates: list[date]) -> str:
    """Dates oldest first; past DATES_SHOWN: how many, the first, and the latest few."""
    if len(dates) <= DATES_SHOWN:
        return ", ".join(short_day(d) for d in dates)
    latest = ", ".join(short_day(d) for d in dates[-DATES_SHOWN:])
    return f"{len(dates)} dates: first {day(dates[0])}; latest {latest}"


def num(value) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def tally(pairs, labels: dict[str, str] | None = None, empty: str = "none") -> str:
    labels = labels or {}
    items = [f"{labels.get(key, key)} {count}" for key, count in pairs if count]
    return ", ".join(items) if items else empty


def trend_text(trend: Trend, what: str) -> str:
    if trend.word == "not enough data":
        return "not enough episodes to tell"
    return f"{trend.word} ({what} {num(trend.first)} in the first half, {num(trend.second)} in the second)"


def _onset(ctx: ReportContext) -> Section:
    r, first = ctx.report, ctx.report.first_episode
    if first is None:
        return Section("Onset", [("", "No episodes logged.")])
    local = first.started_at.astimezone(_zone(ctx))
    how = codes.TRIGGER_LABELS.get(first.trigger, first.trigger).lower()
    how += ", during exercise" if first.during_exercise else ", not during exercise"
    if first.exercise:
        how += f" ({first.exercise}{'' if first.load_kg is None else f', {first.load_kg:g} kg'})"
    where = ", ".join(codes.LOCATION_LABELS.get(c, c).lower() for c in first.locations) or "place not recorded"
    text = f"{day(local.date())} {local:%H:%M}: {how}; {where}; severity {first.severity}/10."
    lines = [("First episode", text)]
    if r.onset_before_period:
        lines.append(("", "The first episode is before this report's period."))
    return Section("Onset", lines)


def _zone(ctx: ReportContext):
    from zoneinfo import ZoneInfo

    return ZoneInfo(ctx.user.timezone)


def sections(ctx: ReportContext) -> list[Section]:
    r = ctx.report
    out = [_onset(ctx)]
    out.append(Section("Distribution", [
        ("Where", tally(r.by_location, codes.LOCATION_LABELS)),
        ("Side", tally(r.by_side, {**codes.SIDE_LABELS, "not_recorded": "not recorded"})),
    ]))
    out.append(Section("Frequency", [
        ("In period", f"{r.total} episodes: {r.per_week:.1f} a week, {r.per_month:.1f} a month"),
        ("Recent", f"last 30 days {r.last_30}, last 90 days {r.last_90} (to {day(r.end)})"),
        ("Trend", trend_text(r.frequency_trend, "episodes")),
        ("By month", ", ".join(f"{key} {count}" for key, count in r.monthly)),
    ]))
    exercises = ", ".join(
        f"{line.name} x{line.count}" + (
            "" if line.min_load is None else
            f" ({line.min_load:g} kg)" if line.min_load == line.max_load else f" ({line.min_load:g}-{line.max_load:g} kg)"
        )
        for line in r.exercises
    ) or "none recorded"
    out.append(Section("Occurrence", [
        ("Triggers", tally(r.triggers, {k: v.split(",")[0] for k, v in codes.TRIGGER_LABELS.items()})),
        ("Time of day", tally(r.time_of_day, empty="-")),
        ("Activity", f"during exercise {r.during_exercise}, not exercising {r.at_rest}"),
        ("Exercises", exercises),
    ]))
    out.append(Section("Severity (0-10)", [
        ("Range", "-" if r.severity_min is None else f"min {r.severity_min}, median {num(r.severity_median)}, max {r.severity_max}"),
        ("Trend", trend_text(r.severity_trend, "median")),
        ("Locked hard", "-" if r.locked_max is None else
         f"median {num(r.locked_median)} min, longest {r.locked_max} min; over 10 min {r.locked_over_10}, over 60 min {r.locked_over_60}"),
    ]))
    symptom_lines = [
        (codes.SYMPTOMS[code][0][:1].upper() + codes.SYMPTOMS[code][0][1:] if code in codes.SYMPTOMS else code,
         date_list(dates))
        for code, dates in r.symptoms
    ]
    out.append(Section("Associated symptoms", symptom_lines or [("", "None reported in this period.")]))
    relief = [
        ("Noted", tally(r.relief_used, empty="nothing noted")),
        ("Stretching eased it", tally(list(r.eased_by_stretch.items()), empty="-")),
        ("Course", tally(r.course, STATUS_WORDS, empty="-")),
    ]
    if r.routines:
        for line in r.routines:
            pain = (f"pain {num(line.median_before)} to {num(line.median_after)} (median change {num(line.median_change)})"
                    if line.median_change is not None else "no pain scores")
            relief.append((f"Routine {line.routine}", f"{line.count} sessions, {line.completed} completed; {pain}"))
    else:
        relief.append(("Routines", "No routine sessions recorded."))
    # A routine stopped by a stop rule (not "done for now") is history a doctor asks about.
    rules = stop_rules()
    stop_texts = {rule.code: rule.text for rule in rules.emergency + rules.stop_and_log}
    for code, dates in r.stop_reasons:
        if code in stop_texts:
            relief.append(("Stopped a routine", f"{stop_texts[code]}: {date_list(dates)}"))
    out.append(Section("Relief tried", relief))
    a = ctx.assessment
    flags = [
        (f"{flag.rule} {LEVEL_WORDS.get(flag.level, flag.level)}",
         f"{flag.reason} Sources: {', '.join(f'[{i}] {ctx.sources.get(i, i)}' for i in flag.sources) or 'product rule'}.")
        for flag in a.flags
    ]
    if len(a.info) == 1:
        flags.append((a.info[0].rule, a.info[0].message))
    elif a.info:
        # One prompt per symptom would crowd the page; the symptoms and their dates are listed above.
        flags.append((a.info[0].rule, f"the app asks whether a doctor has seen {len(a.info)} warning signs reported "
                                      "before the last 7 days (dates under Associated symptoms)."))
    out.append(Section(
        f"Current flags (rules {a.rules_version}, {day(ctx.generated_at.astimezone(_zone(ctx)).date())})",
        flags or [("", "None: no rule holds.")],
    ))
    age = f"born {ctx.user.birth_year} (age {ctx.age})" if ctx.user.birth_year else "birth year not given"
    yes = [RISK_SHORT.get(name, name) for name, answer in ctx.risks if answer]
    no = [RISK_SHORT.get(name, name) for name, answer in ctx.risks if not answer]
    out.append(Section("Profile", [
        ("Age", age),
        # The profile has tick boxes: an unticked one may be a "no" or a question never looked at.
        ("Ticked in the profile", "; ".join(yes) if yes else "none"),
        ("Not ticked", "; ".join(no) if no else "none"),
    ]))
    return out
