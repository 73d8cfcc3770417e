"""Shared output types: the base of every resource's *Out model and the one way a datetime is written in JSON.

A resource has one shape, its *Out model (coach/<feature>/schemas.py), read straight from the row
(`EpisodeOut.model_validate(episode)`); the API answers with it and the data export is made of the same models.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from .domain.isodates import iso_utc

T = TypeVar("T")


class Out(BaseModel):
    """A resource as clients see it, read from a model's attributes. Every key is always present (null when
    there is no value), so the OpenAPI document marks them all required."""

    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)


# ISO 8601 in UTC with a Z (API.md: "responses in UTC, Z"), for every datetime in every answer and the export.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _none_as_empty(value):
    # A JSON column set to None reads back as None; clients have always been given [] for it.
    return [] if value is None else value


Listed = Annotated[list[T], BeforeValidator(_none_as_empty)]


class Page(BaseModel, Generic[T]):
    """API.md's list envelope, declared once: one page of a list and the cursor of the next (coach/pagination.py)."""

    items: list[T]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")

    @classmethod
    def model_parametrized_name(cls, params: tuple[type, ...]) -> str:
        # Page[EpisodeOut] is 'EpisodeList' in the OpenAPI document: the names it always had, and no brackets
        # (a component name may not hold them).
        return params[0].__name__.removesuffix("Out") + "List"
