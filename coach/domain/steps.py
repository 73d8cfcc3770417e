"""How long a routine takes, for every shape of routine (the content file's, the cached stock one, the row)."""


class TimedSteps:
    """Mixin: `total_seconds` (the steps everyone does) and `total_seconds_with_optional`, from `self.steps`,
    whose items have `seconds` and `optional`."""

    __slots__ = ()

    @property
    def total_seconds(self) -> int:
        return sum(step.seconds for step in self.steps if not step.optional)

    @property
    def total_seconds_with_optional(self) -> int:
        return sum(step.seconds for step in self.steps)
