"""The types every API input is built from: text, identifiers, business dates and timestamps.

Validated at the edge, so nothing a database or a spreadsheet cannot hold gets further: no NUL
(PostgreSQL refuses it in text), no control characters where a person reads an identifier, no
lone surrogates (not UTF-8), dates only as ISO 8601 strings (never Unix numbers) within one range
that every date computation and PostgreSQL can represent. `ar_shared.testing.inputs` finds any
route input that is not built from these types.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, EmailStr, WithJsonSchema
from pydantic_core import PydanticCustomError

FIRST_BUSINESS_DATE = date(1900, 1, 1)
LAST_BUSINESS_DATE = date(2999, 12, 31)
"""The range of every date and timestamp the APIs accept. Wide enough for any document (and for
terms of up to ten years past the last day), narrow enough that date arithmetic never leaves what
Python and PostgreSQL hold: the year 1 or 9999 with an offset, or 9999-12-31, which asyncpg sends
as PostgreSQL's `infinity`, made reports fail."""

DATE_RANGE_TEXT = f"between {FIRST_BUSINESS_DATE} and {LAST_BUSINESS_DATE}"

# C0 controls other than TAB, LF and CR, and lone surrogates: PostgreSQL refuses NUL, XML (so
# XLSX exports) refuses the rest of C0, and a lone surrogate cannot be encoded as UTF-8
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# what the OpenAPI documents say, so generated clients and fuzzers stay inside the range
_YEARS = "(19[0-9]{2}|2[0-9]{3})"
_DATE_PATTERN = f"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}$"
_DATETIME_PATTERN = (
    f"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}[Tt ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]{{1,9}})?)?"
    "([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _codepoint(character: str) -> str:
    return f"U+{ord(character):04X}"


def check_text(value: str) -> str:
    """Free text (notes, summaries, names, templates): lines and tabs are fine, NUL is not."""
    found = _NOT_IN_TEXT.search(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "text may not contain {character} (NUL, other control characters except tab and line "
            "breaks, and lone surrogates are refused); found at position {position}",
            {"character": _codepoint(found.group()), "position": found.start()},
        )
    return value


def check_identifier(value: str) -> str:
    """Identifiers a person reads (invoice numbers, external ids, codes, keys): printable only."""
    if not value.isprintable():
        position, character = next((i, c) for i, c in enumerate(value) if not c.isprintable())
        raise PydanticCustomError(
            "control_character",
            "identifiers are printable characters only (no control, format or line-separator "
            "characters); found {character} at position {position}",
            {"character": _codepoint(character), "position": position},
        )
    return value


def _check_json(value: Any, depth: int = 0) -> None:
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(str(key))
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def check_json_object(value: dict[str, Any]) -> dict[str, Any]:
    """Free-form JSON (template contexts): every key and string in it is text."""
    _check_json(value)
    return value


def iso_date_only(value: object) -> object:
    """Dates come as 'YYYY-MM-DD' strings: a number (a Unix time) is refused, not read as 1970."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):  # Python callers
        return value
    raise PydanticCustomError("date_format", "a date is an ISO 8601 string such as '2026-11-24'")


def check_business_date(value: date) -> date:
    if not FIRST_BUSINESS_DATE <= value <= LAST_BUSINESS_DATE:
        raise PydanticCustomError(
            "date_out_of_range",
            "dates are {range}, got {value}",
            {"range": DATE_RANGE_TEXT, "value": str(value)},
        )
    return value


def iso_timestamp_only(value: object) -> object:
    """Timestamps come as RFC 3339 strings with an offset: a number (a Unix time) is refused."""
    if isinstance(value, str) and _ISO_DATETIME.fullmatch(value):
        return value
    if isinstance(value, datetime):  # Python callers
        return value
    raise PydanticCustomError(
        "datetime_format",
        "a timestamp is an ISO 8601 string with its UTC offset, such as '2026-11-24T14:05:00Z'",
    )


def check_timestamp(value: datetime) -> datetime:
    # the calendar date as written: what the caller sees, and converting it to UTC cannot overflow
    if not FIRST_BUSINESS_DATE <= value.date() <= LAST_BUSINESS_DATE:
        raise PydanticCustomError(
            "date_out_of_range",
            "timestamps are {range}, got {value}",
            {"range": DATE_RANGE_TEXT, "value": value.isoformat()},
        )
    return value


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def check_time_zone(value: str) -> str:
    """An IANA time zone name the platform's zone database knows ('Europe/Berlin')."""
    if value not in _time_zones():
        raise PydanticCustomError(
            "unknown_time_zone", "{value!r} is not an IANA time zone name", {"value": value}
        )
    return value


Text = Annotated[str, AfterValidator(check_text)]
"""Free text: no NUL, no C0 control characters but tab, LF and CR."""

Identifier = Annotated[str, AfterValidator(check_identifier)]
"""A single-line identifier or code: printable characters only."""

EmailAddress = Annotated[EmailStr, AfterValidator(check_identifier)]

TimeZone = Annotated[str, AfterValidator(check_identifier), AfterValidator(check_time_zone)]
"""An IANA time zone name (business entities' calendars, customers' contact hours)."""

JsonObject = Annotated[dict[str, Any], AfterValidator(check_json_object)]
"""A free-form JSON object whose keys and strings are all `Text`."""

BusinessDate = Annotated[
    date,
    BeforeValidator(iso_date_only),
    AfterValidator(check_business_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": _DATE_PATTERN,
            "description": f"ISO 8601 date, {DATE_RANGE_TEXT}",
        }
    ),
]
"""A business date (issue, due, effective, as-of dates): an ISO string within the accepted range."""

Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(iso_timestamp_only),
    AfterValidator(check_timestamp),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": _DATETIME_PATTERN,
            "description": f"RFC 3339 timestamp with its UTC offset, {DATE_RANGE_TEXT}",
        }
    ),
]
"""A moment (when an activity happened): an RFC 3339 string with an offset, within the range."""

GUARDS = frozenset(
    {
        check_text,
        check_identifier,
        check_json_object,
        iso_date_only,
        check_business_date,
        iso_timestamp_only,
        check_timestamp,
        check_time_zone,
    }
)
"""The validators that make an input safe; `ar_shared.testing.inputs` looks for them."""
