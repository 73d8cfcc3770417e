"""Placeholder: filled in by the trainer issue."""
from . import bp  # noqa: F401
