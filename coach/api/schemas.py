"""Pydantic models: they validate API requests and are the OpenAPI document's schemas. A resource's answer shape
is its *Out model in coach/<feature>/schemas.py (the export uses it too); here are the requests and envelopes."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from spectree import Response

from ..account.schemas import UserOut
from ..domain import limits
from ..domain.isodates import DateTextError, parse_day, parse_moment
from ..idempotency import UUID_PATTERN
from ..models import MAX_ID
from ..output import UtcDateTime
from ..pagination import BAD_CURSOR
from ..reference import country_codes

# Endpoints that need a signed-in caller: a bearer token, or the browser session plus X-CSRFToken.
AUTH = [{"bearer": []}, {"session": []}]


def _iso_datetime(value):
    # pydantic would also take a number (or "0.5") as Unix time; the API takes ISO 8601 text only.
    try:
        parse_moment(value)
    except DateTextError as error:
        raise ValueError(str(error)) from None
    return value


def _iso_date(value):
    try:
        return parse_day(value)
    except DateTextError as error:
        raise ValueError(str(error)) from None


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]
# Days from 1900-01-01 to 2999-12-31 (coach/domain/isodates.py): the years are said by a pattern.
IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"})]

# Text as people type it. No NUL: PostgreSQL cannot store it, so coach/security.py refuses it at the door, and
# the document says so on every string a request carries.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[StrictStr, Field(pattern=NO_NUL)]


def _whole_number(value):
    # JSON has one kind of number: 2.0 is the integer 2 (JSON Schema agrees), so a client that writes it so is
    # understood. A fraction, a string or true is still refused by StrictInt.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integer(**bounds):
    """A JSON integer within `bounds` (ge, le). The bounds go inside, before the validator, so that the document
    shows them as minimum and maximum."""
    return Annotated[StrictInt, Field(**bounds), BeforeValidator(_whole_number)]


Integer = integer()
RowId = integer(ge=1, le=MAX_ID)

# A client-made UUID: the document gives the spellings coach/idempotency.py accepts; the service checks it
# (one message for every write, body or Idempotency-Key header).
ClientId = Annotated[StrictStr, Field(json_schema_extra={"pattern": UUID_PATTERN},
                                      description="Client-made UUID (or send Idempotency-Key)")]


def _cursor_form(value: str) -> str:
    if not re.fullmatch(CURSOR_PATTERN, value):
        raise ValueError(BAD_CURSOR)
    return value


# Cursors are ids, positions or base64url text (coach/pagination.py); one of that form may still name nothing
# this API issued, and is refused with the same message.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
Cursor = Annotated[str, AfterValidator(_cursor_form), Field(json_schema_extra={"pattern": CURSOR_PATTERN})]


def optional(document: dict | None = None, **constraints):
    """A field a PATCH may leave out but not send as null (what is stored has no "not set" value): the document
    shows it neither nullable nor with a default (plus `document`'s keywords), and pydantic refuses null."""

    def extra(schema: dict) -> None:
        schema.pop("default", None)
        schema.update(document or {})

    return Field(None, json_schema_extra=extra, **constraints)


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped: a typo must not lose what a user meant."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    """API.md's list convention: ?limit= (default 50, max 500) and ?cursor=, the next_cursor of the page before
    (an opaque string, coach/pagination.py)."""

    limit: int = Field(limits.PAGE_SIZE, ge=1, le=limits.PAGE_SIZE_MAX)
    cursor: Cursor | None = Field(None, max_length=limits.CURSOR)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, str] | None = Field(None, description="Field path -> what is wrong with it")


class ErrorOut(BaseModel):
    error: ErrorDetail


Email = Field(min_length=1, max_length=limits.EMAIL, examples=["sam@example.com"], json_schema_extra={"format": "email"})
Password = Field(min_length=1, max_length=limits.PASSWORD)
# A password being set: the length rule is said here; "too common" (coach/auth/passwords.py) cannot be.
NewPassword = Field(min_length=limits.PASSWORD_MIN, max_length=limits.PASSWORD)


# What coach/profile_values.py takes: a name with something besides spaces in it (spaces are tidied), a zone
# ZoneInfo knows, a country of the table in any case. The service checks them, with its own words; the document
# lists them (json_schema_extra: a keyword for the document only).
SPACES = r"\x09-\x0d\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000"  # what str.split() splits on
NAME = rf"^[^\x00]*[^\x00{SPACES}][^\x00]*$"
ZONES = {"enum": sorted(available_timezones())}
COUNTRY = {"pattern": "^(" + "|".join(f"[{c[0]}{c[0].lower()}][{c[1]}{c[1].lower()}]" for c in sorted(country_codes())) + ")$"}


class RegisterIn(Strict):
    email: Text = Email
    password: Text = NewPassword
    display_name: Text = Field(min_length=1, max_length=limits.DISPLAY_NAME, json_schema_extra={"pattern": NAME})
    role: Literal["athlete", "trainer"] = "athlete"
    timezone: Text = Field(max_length=limits.TIMEZONE, examples=["Europe/London"], description="IANA time zone name",
                           json_schema_extra=ZONES)
    country: Text = Field(max_length=limits.COUNTRY, examples=["GB"], description="ISO 3166-1 alpha-2 code",
                          json_schema_extra=COUNTRY)
    birth_year: integer(ge=limits.BIRTH_YEAR_MIN) | None = Field(
        None, examples=[1990],
        description=f"Optional, {limits.BIRTH_YEAR_MIN} to the current year: some warning rules depend on age",
    )


class TokenIn(Strict):
    email: Text = Email
    password: Text = Password


class TokenOut(BaseModel):
    token: str
    expires_at: UtcDateTime


class RegisterOut(BaseModel):
    user: UserOut
    token: str
    expires_at: UtcDateTime


WALL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"  # HH:MM, 24-hour (coach/domain/schedule.py reads it so)


class ProfilePatch(Strict):
    """Fields left out stay; only birth_year and the quiet hours can be cleared with null."""

    display_name: Text = optional({"pattern": NAME}, min_length=1, max_length=limits.DISPLAY_NAME)
    timezone: Text = optional(ZONES, max_length=limits.TIMEZONE)
    country: Text = optional(COUNTRY, max_length=limits.COUNTRY)
    birth_year: integer(ge=limits.BIRTH_YEAR_MIN) | None = Field(None, description="null clears")
    quiet_start: Text | None = Field(None, json_schema_extra={"pattern": WALL_TIME}, examples=["22:00"],
                                     description="HH:MM; null clears")
    quiet_end: Text | None = Field(None, json_schema_extra={"pattern": WALL_TIME}, examples=["07:00"],
                                   description="HH:MM; null clears")
    cancer_history: StrictBool = optional()
    osteoporosis: StrictBool = optional()
    long_term_steroids: StrictBool = optional()
    immunosuppressed: StrictBool = optional()
    iv_drug_use: StrictBool = optional()
    kidney_disease: StrictBool = optional()
    diuretics: StrictBool = optional()
    new_medicine_4_weeks: StrictBool = optional()
    heavy_sweater: StrictBool = optional()


class PasswordIn(Strict):
    current_password: Text = Password
    new_password: Text = NewPassword


class DeleteMeIn(Strict):
    password: Text = Password


def responses(status: int | None = None, model: type[BaseModel] | None = None, *, replay: bool = False) -> Response:
    """The success answer plus the error shape for every status an endpoint can answer with. `replay`: a create
    that may also answer 200 with the same shape (an idempotent replay, or an upsert that found the row)."""
    # 503: the database is out of reach for a moment (coach/errors.py answers it with Retry-After).
    errors = {f"HTTP_{code}": ErrorOut for code in (400, 401, 403, 404, 405, 409, 413, 415, 429, 503)}
    if model is None:
        return Response(f"HTTP_{status or 204}", **errors)
    success = {f"HTTP_{status or 200}": model, **({"HTTP_200": model} if replay else {})}
    return Response(**success, **errors)
