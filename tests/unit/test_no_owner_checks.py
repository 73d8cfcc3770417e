"""No service compares owner ids by hand: "is this mine?" is asked of coach/access.py, the one place that answers it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

COACH = Path(__file__).resolve().parents[2] / "coach"
# access.py answers the question; the dispatcher and the bulk SQL act as the system (joins such as
# Reminder.user_id == User.id), and the seed loads stock content for no one.
ALLOWED = {"access.py", "reminders/dispatch.py", "reminders/bulk.py", "seed.py"}
OWNER_CHECKS = [
    re.compile(r"\b(user_id|owner_id)\s*(==|!=)\s*\w+\.id\b"),  # Episode.user_id == user.id, x.user_id != user.id
    re.compile(r"\b\w+\.id\s*(==|!=)\s*\w+\.(user_id|owner_id)\b"),  # user.id == Episode.user_id
    re.compile(r"\bfilter_by\([^)]*\b(user_id|owner_id)\s*="),  # query.filter_by(user_id=user.id)
]


def owner_checks(root: Path) -> list[str]:
    """Every line under `root` (but the allowed files) that compares an owner id by hand, as file:line: text."""
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(pattern.search(line) for pattern in OWNER_CHECKS):
                found.append(f"coach/{name}:{number}: {line.strip()}")
    return found


def test_no_service_compares_owner_ids_by_hand():
    found = owner_checks(COACH)
    assert not found, "ask coach/access.py (access.get / access.rows / access.routines) instead of:\n" + "\n".join(found)


# Lines the services held before coach/access.py existed: the check must catch each of them.
@pytest.mark.parametrize("line", [
    "    if episode is None or episode.user_id != user.id:",
    "        select(Episode).where(Episode.user_id == user.id, Episode.started_at >= since)",
    "    visible = or_(Routine.is_stock.is_(True), Routine.owner_id == user.id)",
    "    if sub is None or sub.user_id != current_user.id:",
    "    query = update(ApiToken).where(ApiToken.user_id==user.id, ApiToken.revoked_at.is_(None))",
    "    return user.id == reminder.user_id",
    "    rows = Reminder.query.filter_by(user_id=user.id).all()",
])
def test_the_check_catches_the_old_hand_written_comparisons(line, tmp_path):
    (tmp_path / "service.py").write_text(f'"""A service."""\n\n\ndef f(user):\n{line}\n')
    assert owner_checks(tmp_path) == [f"coach/service.py:5: {line.strip()}"]


@pytest.mark.parametrize("line", [
    "    episode = Episode(user_id=user.id, client_id=client_id)",  # creating a row names its owner
    "    sub.user_id, sub.p256dh = user.id, p256dh",
    "    return access.get(user, Episode, episode_id, Scope.EPISODES)",
])
def test_assignments_and_access_calls_pass(line, tmp_path):
    (tmp_path / "service.py").write_text(f"{line}\n")
    assert owner_checks(tmp_path) == []


def test_the_allowed_files_exist():
    """An allowed file that moved would silently widen the exemption to nothing: each must still be there."""
    assert all((COACH / name).is_file() for name in ALLOWED), [n for n in ALLOWED if not (COACH / n).is_file()]
