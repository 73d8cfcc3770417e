"""Placeholder: filled in by the trainer issue."""
