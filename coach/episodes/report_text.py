"""The doctor report as sections of short labelled lines and two bar charts, shared by the HTML page and the PDF.

It is written for a clinician: in the third person, each flag under its plain title with the rule id in small
print, and "not recorded" wherever the person skipped a question (never counted as a "no" or a 0).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..content import stop_rules
from ..domain import codes, triage
from ..domain.report import NOT_RECORDED, Trend
from ..formats import day, decimal, moment, month, short_day
from .reports import ReportContext

NOT_RECORDED_TEXT = "not recorded"
STATUS_WORDS = {**codes.FOLLOW_UP_STATUS_LABELS, "no_check_in": "No check-in"}
TRIGGER_WORDS = {
    **{k: v.split(",")[0] for k, v in codes.TRIGGER_LABELS.items()},
    "unknown": "not sure", NOT_RECORDED: NOT_RECORDED_TEXT,
}
YES_NO_WORDS = {"yes": "yes", "no": "no", NOT_RECORDED: NOT_RECORDED_TEXT}
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
LEVEL_WORDS = {"emergency": "emergency", "urgent": "urgent", "routine": "routine"}
PROFILE_NOT_ANSWERED = "Profile questions not answered."
NONE_LINE = "None of the app's warning rules apply to what was logged."
INTRO = ("Written from the person's own diary. Severity is self-rated 0-10. A question the person skipped is shown "
         "as \"not recorded\" and left out of medians and counts of yes/no (\"n of N recorded\").")


@dataclass(frozen=True)
class Line:
    label: str  # empty: the text continues the block
    text: str
    small: str = ""  # small print after the text (a flag's rule id)


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float  # of the tallest bar, 0-1
    muted: bool = False  # the "not recorded" bar


@dataclass(frozen=True)
class Chart:
    """One measure on its own axes: counts (y) over weeks or over severity values (x)."""

    title: str
    x_label: str
    y_label: str
    bars: list[Bar]
    tallest: int
    summary: str  # the chart in words, for screen readers and the PDF's text
    label_every: int = 1  # x labels on every n-th bar, so week dates never overlap

    def labelled(self, index: int) -> bool:
        return index % self.label_every == 0


# ---------- third person ----------

# The app's rule texts speak to the person ("You logged ..."); a clinician reads about them. Singular "they"
# takes the same verb forms as "you", so swapping the pronouns keeps every sentence grammatical.
_OBJECT_BEFORE = (r"to|for|with|at|on|of|from|about|tell|tells|told|ask|asks|asked|help|helps|give|gives|let|lets|"
                  r"make|makes|stop|stops|keep|keeps|wake|wakes|bother|bothers|see|sees")
_PRONOUNS = (
    (re.compile(r"\bYou're\b"), "They're"), (re.compile(r"\byou're\b"), "they're"),
    (re.compile(r"\bYou've\b"), "They've"), (re.compile(r"\byou've\b"), "they've"),
    (re.compile(r"\b[Yy]ourself\b"), "themselves"),
    (re.compile(r"\bYours\b"), "Theirs"), (re.compile(r"\byours\b"), "theirs"),
    (re.compile(r"\bYour\b"), "Their"), (re.compile(r"\byour\b"), "their"),
    (re.compile(r"\b(tell|told|tells) us\b"), r"\1 the app"),
    (re.compile(rf"\b({_OBJECT_BEFORE}) you\b"), r"\1 them"),
    (re.compile(r"\byou(?=[.,;:!?)]|$)"), "them"),
    (re.compile(r"\bYou\b"), "They"), (re.compile(r"\byou\b"), "they"),
)


def third_person(text: str) -> str:
    """The app's words to the person, rewritten about them: "You logged ... your profile" -> "They logged ... their
    profile"."""
    for pattern, replacement in _PRONOUNS:
        text = pattern.sub(replacement, text)
    return text


def rule_title(rule: str) -> str:
    """A flag's plain title (contract 2: triage.RULE_TITLES), about the person rather than to them."""
    titles = getattr(triage, "RULE_TITLES", {})
    return third_person(titles.get(rule, rule))


# ---------- formatting ----------


DATES_SHOWN = 6
WEEK_LABELS = 5  # at most this many dates under the weekly chart (a 320 px phone fits five)


def date_list(dates: list[date]) -> str:
    """Dates oldest first; past DATES_SHOWN: how many, the first, and the latest few."""
    if len(dates) <= DATES_SHOWN:
        return ", ".join(short_day(d) for d in dates)
    latest = ", ".join(short_day(d) for d in dates[-DATES_SHOWN:])
    return f"{plural(len(dates), 'date')}: first {day(dates[0])}; latest {latest}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count and its noun in agreement: 1 episode, 2 episodes, 0 episodes (`many` for irregular plurals)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def month_list(months: list[tuple[str, int]], start: date, end: date) -> str:
    """Episodes by calendar month ("3 in Sep 2026"), a month cut by the period saying where it starts or ends."""
    items = []
    for key, count in months:
        first = date(int(key[:4]), int(key[5:7]), 1)
        text = f"{count} in {month(first)}"
        cut = []
        if start > first:
            cut.append(f"from {short_day(start)}")
        if (end.year, end.month) == (first.year, first.month) and (end + timedelta(days=1)).month == end.month:
            cut.append(f"to {short_day(end)}")
        items.append(f"{text} ({', '.join(cut)})" if cut else text)
    return ", ".join(items)



def tally(pairs, labels: dict[str, str] | None = None, empty: str = "none") -> str:
    labels = labels or {}
    items = [f"{labels.get(key, key)} {count}" for key, count in pairs if count]
    return ", ".join(items) if items else empty


def of_recorded(n: int, total: int) -> str:
    return f"{n} of {total} recorded"


def trend_text(trend: Trend, what: str) -> str:
    if trend.word == "not enough data":
        return "not enough episodes to tell"
    return f"{trend.word} ({what} {decimal(trend.first)} in the first half, {decimal(trend.second)} in the second)"


def _yes_no(answer: bool | None) -> str:
    return NOT_RECORDED_TEXT if answer is None else "yes" if answer else "no"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------- charts ----------


def _bars(pairs, muted_key=None) -> tuple[list[Bar], int]:
    tallest = max((count for _, count in pairs), default=0)
    bars = [Bar(str(label), count, count / tallest if tallest else 0.0, label == muted_key) for label, count in pairs]
    return bars, tallest


def charts(ctx: ReportContext) -> list[Chart]:
    """Frequency and severity, each on its own axes (never one chart with two scales)."""
    r = ctx.report
    weekly = [(short_day(monday), count) for monday, count in r.weekly]
    bars, tallest = _bars(weekly)
    frequency = Chart(
        title="Frequency: episodes per week", x_label="week starting", y_label="episodes", bars=bars, tallest=tallest,
        summary=f"{plural(r.total, 'episode')} in {plural(len(weekly), 'week')}; at most {tallest} in one week.",
        label_every=max(1, -(-len(weekly) // WEEK_LABELS)),
    )
    pairs = [(str(value), count) for value, count in r.severity_counts]
    pairs.append((NOT_RECORDED_TEXT, r.severity_not_recorded))
    bars, tallest = _bars(pairs, muted_key=NOT_RECORDED_TEXT)
    scored = ", ".join(f"{value}/10: {count}" for value, count in r.severity_counts if count) or "none scored"
    severity = Chart(
        title="Severity: episodes at each score (0-10)", x_label="self-rated severity", y_label="episodes", bars=bars,
        tallest=tallest,
        summary=f"{scored}; {NOT_RECORDED_TEXT} {r.severity_not_recorded} ({of_recorded(r.severity_recorded, r.total)}).",
    )
    return [frequency, severity]


# ---------- sections ----------



def _onset(ctx: ReportContext) -> Section:
    r, first = ctx.report, ctx.report.first_episode
    if first is None:
        return Section("Onset", [Line("", "No episodes logged.")])
    trigger = TRIGGER_WORDS.get(first.trigger or NOT_RECORDED, first.trigger)
    during = _yes_no(first.during_exercise)
    if first.exercise:
        during += f" ({first.exercise}{'' if first.load_kg is None else f', {decimal(first.load_kg)} kg'})"
    where = ", ".join(codes.LOCATION_LABELS.get(c, c).lower() for c in first.locations) or NOT_RECORDED_TEXT
    severity = NOT_RECORDED_TEXT if first.severity is None else f"{first.severity}/10"
    lines = [
        Line("First episode logged", f"{moment(first.started_at, ctx.user.timezone, weekday_name=False)}."),
        Line("", f"Trigger: {trigger}. During exercise: {during}. Where: {where}. Severity: {severity}."),
    ]
    if r.onset_before_period:
        lines.append(Line("", "The first episode is before this report's period."))
    return Section("Onset", lines)


def _flag_reason(reason: str) -> str:
    """A flag's reason about the person. The fixed medicines copy is left out here: it is the person's to read,
    word for word, and the report's footer carries it."""
    return " ".join(third_person(reason.replace(triage.NO_MEDICATION_COPY, " ")).split())


def _flags(ctx: ReportContext) -> Section:
    a = ctx.assessment
    lines = [
        Line(f"{rule_title(flag.rule)} ({LEVEL_WORDS.get(flag.level, flag.level)})",
             f"{_flag_reason(flag.reason)} Sources: "
             f"{', '.join(f'[{i}] {ctx.sources.get(i, i)}' for i in flag.sources) or 'product rule'}.",
             small=f"rule {flag.rule}")
        for flag in a.flags
    ]
    if len(a.info) == 1:
        # Only the report of what and when; the question after it is put to the person, not the clinician.
        said = third_person(a.info[0].message.split(". ")[0].rstrip(".")) + "."
        lines.append(Line(rule_title(a.info[0].rule), f"{said} The app asks whether a doctor has assessed it.",
                          small=a.info[0].rule))
    elif a.info:
        # One prompt per symptom would crowd the page; the symptoms and their dates are listed above.
        lines.append(Line(rule_title(a.info[0].rule),
                          f"{plural(len(a.info), 'warning sign')} were reported before the last 7 days (dates under Associated "
                          "symptoms); the app asks whether a doctor has assessed them.", small=a.info[0].rule))
    generated = day(ctx.generated_at, ctx.user.timezone)
    return Section(f"Current flags (rules {a.rules_version}, {generated})", lines or [Line("", NONE_LINE)])


def sections(ctx: ReportContext) -> list[Section]:
    r = ctx.report
    out = [_onset(ctx)]
    where = tally(r.by_location, codes.LOCATION_LABELS)
    if r.location_not_recorded:
        where += f", {NOT_RECORDED_TEXT} {r.location_not_recorded}"
    out.append(Section("Distribution", [
        Line("Where", f"{where} (an episode may name several places)" if r.total else "none"),
        Line("Side", tally(r.by_side, {**codes.SIDE_LABELS, NOT_RECORDED: NOT_RECORDED_TEXT})),
    ]))
    out.append(Section("Frequency", [
        Line("Episodes logged", f"{r.total} in {plural(r.days, 'day')}: {decimal(r.per_week, 1)} a week, {decimal(r.per_month, 1)} a month"),
        Line("Recent", f"last 30 days {r.last_30}, last 90 days {r.last_90} (to {day(r.end)})"),
        Line("Trend", trend_text(r.frequency_trend, "episodes")),
        Line("By month", month_list(r.monthly, r.start, r.end)),
    ]))
    exercises = ", ".join(
        f"{line.name} x{line.count}" + (
            "" if line.min_load is None else
            f" ({decimal(line.min_load)} kg)" if line.min_load == line.max_load
            else f" ({decimal(line.min_load)}-{decimal(line.max_load)} kg)"
        )
        for line in r.exercises
    ) or "none named"
    out.append(Section("Occurrence", [
        Line("Triggers", tally(r.triggers, TRIGGER_WORDS)),
        Line("Time of day", tally(r.time_of_day, empty="-")),
        Line("During exercise", tally([("yes", r.during_exercise), ("no", r.at_rest),
                                       (NOT_RECORDED, r.exercise_not_recorded)], YES_NO_WORDS)),
        Line("Exercises", exercises),
    ]))
    severity = [Line("Scored", f"{of_recorded(r.severity_recorded, r.total)}; {NOT_RECORDED_TEXT} "
                               f"{r.severity_not_recorded}")]
    if r.severity_recorded:
        severity.append(Line("Range", f"min {r.severity_min}, median {decimal(r.severity_median)}, max {r.severity_max}"))
        severity.append(Line("Scores", ", ".join(f"{v}/10: {c}" for v, c in r.severity_counts if c)))
    severity.append(Line("Trend", trend_text(r.severity_trend, "median")))
    if r.locked_recorded:
        locked = (f"median {decimal(r.locked_median)} min, longest {r.locked_max} min; over 10 min {r.locked_over_10}, "
                  f"over 60 min {r.locked_over_60} ({of_recorded(r.locked_recorded, r.total)})")
    else:
        locked = NOT_RECORDED_TEXT if r.total else "-"
    severity.append(Line("Locked hard", locked))
    out.append(Section("Severity (0-10, self-rated)", severity))
    symptom_lines = [
        Line(_capital(third_person(codes.SYMPTOMS[code][0])) if code in codes.SYMPTOMS else code, date_list(dates))
        for code, dates in r.symptoms
    ]
    out.append(Section("Associated symptoms", symptom_lines or [Line("", "None reported in this period.")]))
    relief = [
        Line("Noted by the person", tally(r.relief_used, empty="nothing noted")),
        Line("Stretching eased it", tally(list(r.eased_by_stretch.items()), YES_NO_WORDS, empty="-")),
        Line("Course (latest check-in)", tally(r.course, STATUS_WORDS, empty="-")),
    ]
    if r.routines:
        for line in r.routines:
            pain = (f"median pain {decimal(line.median_before)} before, {decimal(line.median_after)} after "
                    f"(median change {decimal(line.median_change)})"
                    if line.median_change is not None else "no pain scores")
            relief.append(Line(f"Routine {line.routine}", f"{plural(line.count, 'session')}, {line.completed} completed; {pain}"))
    else:
        relief.append(Line("Routines", "No routine sessions recorded."))
    # A routine stopped by a stop rule (not "done for now") is history a doctor asks about.
    stop_texts = stop_rules().texts()
    for code, dates in r.stop_reasons:
        if code in stop_texts:
            relief.append(Line("Stopped a routine", f"{third_person(stop_texts[code])}: {date_list(dates)}"))
    out.append(Section("Relief tried", relief))
    out.append(_flags(ctx))
    age = f"born {ctx.user.birth_year} (age {ctx.age})" if ctx.user.birth_year else "birth year not given"
    yes = [RISK_SHORT.get(name, name) for name, answer in ctx.risks if answer]
    no = [RISK_SHORT.get(name, name) for name, answer in ctx.risks if not answer]
    if ctx.profile_answered:
        risks = [Line("Ticked in the profile", "; ".join(yes) if yes else "none"),
                 Line("Not ticked", "; ".join(no) if no else "none")]
    else:
        # Never answered: listing the unticked boxes would read as nine "no"s (not recorded is not no).
        risks = [Line("", PROFILE_NOT_ANSWERED)]
    out.append(Section("Profile", [Line("Age", age), *risks]))
    return out
