"""A typical 90 days of a diary, for the report tests: 12 spasms, check-ins, mixed triggers and places."""
from __future__ import annotations

from datetime import datetime, timedelta

from coach.episodes.service import add_follow_up, log_episode

# (days before now, hour, severity, trigger, during exercise, exercise, load, locations, side, locked, eased, symptoms, relief)
TYPICAL_90_DAYS = [
    (86, 18, 5, "lifting", True, "Deadlift", 100, ["lower_back"], "left", 5, True, [], "heat"),
    (79, 7, 4, "bending", False, None, None, ["lower_back"], "central", 2, True, [], "walking"),
    (70, 19, 6, "lifting", True, "deadlift", 110, ["lower_back", "buttock"], "left", 8, True, [], "heat"),
    (61, 12, 3, "running", True, "5 km run", None, ["calf"], "right", 1, True, [], "stretching"),
    (52, 18, 6, "twisting", True, "kettlebell swing", 24, ["lower_back"], "left", 6, False, [], "heat"),
    (44, 22, 5, "sitting", False, None, None, ["mid_back"], "both", 3, None, [], None),
    (37, 18, 7, "lifting", True, "squat", 90, ["lower_back", "thigh"], "left", 12, False, ["one_leg_symptoms"], "heat"),
    (29, 6, 4, "sleeping", False, None, None, ["lower_back"], "central", 0, None, [], "walking"),
    (21, 17, 6, "lifting", True, "deadlift", 120, ["lower_back"], "left", 9, True, [], "heat and floor mobility"),
    (14, 19, 7, "sport", True, "football", None, ["lower_back", "buttock"], "left", 7, True, ["one_leg_symptoms"], "heat"),
    (9, 8, 5, "bending", False, None, None, ["lower_back"], "left", 4, True, [], "walking"),
    (3, 18, 6, "lifting", True, "Deadlift", 100, ["lower_back"], "left", 6, True, [], "heat"),
]


def seed_typical(user, now: datetime) -> list:
    """Log the typical 90 days for `user` as of `now`; every other spasm gets a check-in a day later."""
    episodes = []
    for i, (ago, hour, sev, trig, during, ex, load, locs, side, locked, eased, symptoms, relief) in enumerate(TYPICAL_90_DAYS):
        started = (now - timedelta(days=ago)).replace(hour=hour, minute=15, second=0, microsecond=0)
        values = {
            "started_at": started, "severity": sev, "trigger": trig, "during_exercise": during, "exercise": ex,
            "load_kg": load, "locations": locs, "side": side, "locked_minutes": locked, "eased_by_stretch": eased,
            "symptoms": symptoms, "relief_used": relief, "notes": None,
        }
        episode, _ = log_episode(user, values, started + timedelta(minutes=30))
        episodes.append(episode)
        if i % 2 == 0 and ago > 1:
            add_follow_up(user, episode.id, {"at": started + timedelta(days=1), "severity": max(sev - 3, 0),
                                             "status": "improving" if i % 4 == 0 else "resolved"}, started + timedelta(days=1))
    return episodes
