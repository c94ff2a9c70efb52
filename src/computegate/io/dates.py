"""Parsing dates from user input with field-named errors."""

from __future__ import annotations

import datetime as dt

from computegate.io.errors import InputError


def parse_date(value: str | dt.date, field: str = "date") -> dt.date:
    """Accept an ISO date (YYYY-MM-DD) or a date object; reject anything else by name."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(field, f"{value!r} is not a valid date (expected YYYY-MM-DD)") from None
