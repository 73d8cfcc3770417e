"""Pydantic models: they validate API requests and are the OpenAPI document's schemas. A resource's answer shape
is its *Out model in coach/<feature>/schemas.py (the export uses it too); here are the requests and envelopes."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)
from spectree import Response

from ..account.schemas import UserOut
from ..domain import limits
from ..domain.isodates import DateTextError, parse_day, parse_moment
from ..output import UtcDateTime

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
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped: a typo must not lose what a user meant."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    """API.md's list convention: ?limit= (default 50, max 500) and ?cursor=, the next_cursor of the page before
    (an opaque string, coach/pagination.py)."""

    limit: int = Field(limits.PAGE_SIZE, ge=1, le=limits.PAGE_SIZE_MAX)
    cursor: str | None = Field(None, max_length=limits.CURSOR)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, str] | None = Field(None, description="Field path -> what is wrong with it")


class ErrorOut(BaseModel):
    error: ErrorDetail


Email = Field(min_length=1, max_length=limits.EMAIL, examples=["sam@example.com"])
Password = Field(min_length=1, max_length=limits.PASSWORD)


class RegisterIn(Strict):
    email: StrictStr = Email
    password: StrictStr = Password
    display_name: StrictStr = Field(min_length=1, max_length=limits.DISPLAY_NAME)
    role: Literal["athlete", "trainer"] = "athlete"
    timezone: StrictStr = Field(max_length=limits.TIMEZONE, examples=["Europe/London"], description="IANA time zone name")
    country: StrictStr = Field(max_length=limits.COUNTRY, examples=["GB"], description="ISO 3166-1 alpha-2 code")
    birth_year: StrictInt | None = Field(
        None, examples=[1990],
        description=f"Optional, {limits.BIRTH_YEAR_MIN} to the current year: some warning rules depend on age",
    )


class TokenIn(Strict):
    email: StrictStr = Email
    password: StrictStr = Password


class TokenOut(BaseModel):
    token: str
    expires_at: UtcDateTime


class RegisterOut(BaseModel):
    user: UserOut
    token: str
    expires_at: UtcDateTime


class ProfilePatch(Strict):
    display_name: StrictStr | None = Field(None, min_length=1, max_length=limits.DISPLAY_NAME)
    timezone: StrictStr | None = Field(None, max_length=limits.TIMEZONE)
    country: StrictStr | None = Field(None, max_length=limits.COUNTRY)
    birth_year: StrictInt | None = None
    quiet_start: StrictStr | None = Field(None, max_length=5, examples=["22:00"], description="HH:MM; null clears")
    quiet_end: StrictStr | None = Field(None, max_length=5, examples=["07:00"], description="HH:MM; null clears")
    cancer_history: StrictBool | None = None
    osteoporosis: StrictBool | None = None
    long_term_steroids: StrictBool | None = None
    immunosuppressed: StrictBool | None = None
    iv_drug_use: StrictBool | None = None
    kidney_disease: StrictBool | None = None
    diuretics: StrictBool | None = None
    new_medicine_4_weeks: StrictBool | None = None
    heavy_sweater: StrictBool | None = None


class PasswordIn(Strict):
    current_password: StrictStr = Password
    new_password: StrictStr = Password


class DeleteMeIn(Strict):
    password: StrictStr = Password


def responses(status: int | None = None, model: type[BaseModel] | None = None, *, replay: bool = False) -> Response:
    """The success answer plus the error shape for every status an endpoint can answer with. `replay`: a create
    that may also answer 200 with the same shape (an idempotent replay, or an upsert that found the row)."""
    errors = {f"HTTP_{code}": ErrorOut for code in (400, 401, 403, 404, 405, 409, 413, 415, 429)}
    if model is None:
        return Response(f"HTTP_{status or 204}", **errors)
    success = {f"HTTP_{status or 200}": model, **({"HTTP_200": model} if replay else {})}
    return Response(**success, **errors)
