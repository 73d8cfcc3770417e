"""One shape per resource: no hand-written `*_dict` builder beside the *Out models (coach/<feature>/schemas.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

COACH = Path(__file__).resolve().parents[2] / "coach"
BUILDER = re.compile(r"^\s*def (\w+_dict)\(")
# schedule_to_dict is the canonical stored form of a schedule (the value of the reminders.schedule column, made
# by the domain's parser), not an answer's shape: ReminderOut carries that value as it is.
ALLOWED = {("domain/schedule.py", "schedule_to_dict")}


def builders(root: Path) -> list[str]:
    """Every `def <name>_dict(` under `root` but the allowed ones, as file:line: name."""
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = BUILDER.match(line)
            if match and (name, match.group(1)) not in ALLOWED:
                found.append(f"coach/{name}:{number}: {match.group(1)}")
    return found


def test_no_dict_builder_beside_the_schemas():
    found = builders(COACH)
    assert not found, "build the answer from the resource's *Out model (Model.model_validate(row)) instead of:\n" + (
        "\n".join(found))


# Builders the code had before the shapes were the pydantic models: the check must catch each of them.
@pytest.mark.parametrize("line", [
    "def episode_dict(episode: Episode) -> dict:",
    "def reminder_dict(reminder: Reminder) -> dict:",
    "def profile_dict(user: User) -> dict:",
    "    def to_dict(self) -> dict:",
    "    def to_dict(self, stop_rules: StopRules | None = None) -> dict[str, Any]:",
])
def test_the_check_catches_the_old_builders(line, tmp_path):
    (tmp_path / "service.py").write_text(f'"""A service."""\n\n\n{line}\n    return {{}}\n')
    name = re.search(r"def (\w+)\(", line).group(1)
    assert builders(tmp_path) == [f"coach/service.py:4: {name}"]


def test_the_allowed_builders_exist():
    """An allowed builder that moved or went would leave an exemption for nothing: each must still be there."""
    for name, function in ALLOWED:
        assert f"def {function}(" in (COACH / name).read_text(encoding="utf-8"), (name, function)
