"""Reading a user's own data out (the profile as a dict, the full export)."""
from __future__ import annotations

from datetime import datetime

from ..models import RISK_FIELDS, User

EXPORT_FORMAT = "relief-coach-export/1"


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def profile_dict(user: User) -> dict:
    data = {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "timezone": user.timezone,
        "country": user.country,
        "birth_year": user.birth_year,
        "quiet_start": user.quiet_start.strftime("%H:%M") if user.quiet_start else None,
        "quiet_end": user.quiet_end.strftime("%H:%M") if user.quiet_end else None,
        "created_at": iso(user.created_at),
    }
    data.update({name: bool(getattr(user, name)) for name in RISK_FIELDS})
    return data


# Features register their own part of the export here, so the export stays complete as they grow.
EXPORTERS: list = []


def exporter(func):
    EXPORTERS.append(func)
    return func


@exporter
def _tokens(user: User) -> dict:
    return {
        "api_tokens": [
            {
                "name": t.name,
                "created_at": iso(t.created_at),
                "expires_at": iso(t.expires_at),
                "last_used_at": iso(t.last_used_at),
                "revoked_at": iso(t.revoked_at),
            }
            for t in sorted(user.tokens, key=lambda t: t.created_at)
        ]
    }


def export_user(user: User, now: datetime) -> dict:
    data = {"format": EXPORT_FORMAT, "exported_at": iso(now), "profile": profile_dict(user)}
    for func in EXPORTERS:
        data.update(func(user))
    return data
