"""The input types: text without NUL, printable identifiers, ISO dates and timestamps in one range."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from ar_shared.inputs import (
    FIRST_BUSINESS_DATE,
    LAST_BUSINESS_DATE,
    BusinessDate,
    Identifier,
    JsonObject,
    Text,
    Timestamp,
)


def error_of(adapter: TypeAdapter[Any], value: object) -> str:
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python(value)
    return str(raised.value.errors()[0]["type"])


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "bell\x07", "esc\x1b[2J", "\x0b", "\x1f", "lone \ud800"])
def test_text_refuses_nul_other_c0_controls_and_lone_surrogates(value: str) -> None:
    assert error_of(TypeAdapter(Text), value) == "control_character"


@pytest.mark.parametrize(
    "value", ["", "Will pay on Friday.\nAsked for a copy.\r\n\tThanks", "Müller & Söhne — 5 €", "\x7f"]
)
def test_text_keeps_lines_tabs_and_any_printable_character(value: str) -> None:
    assert TypeAdapter(Text).validate_python(value) == value


@pytest.mark.parametrize(
    "value", ["INV\x00", "INV\n1", "INV\t1", "INV\u2028", "INV\u200e", "INV\u00a01", "\udfff"]
)
def test_identifiers_are_printable_characters_only(value: str) -> None:
    assert error_of(TypeAdapter(Identifier), value) == "control_character"


@pytest.mark.parametrize("value", ["INV-2026-0001", "Kunde 17/ä", "請求書-7", "maria.keller@example.com"])
def test_identifiers_may_hold_spaces_and_any_script(value: str) -> None:
    assert TypeAdapter(Identifier).validate_python(value) == value


@given(st.text())
def test_a_text_accepted_as_identifier_is_accepted_as_text(value: str) -> None:
    try:
        TypeAdapter(Identifier).validate_python(value)
    except ValidationError:
        return
    assert TypeAdapter(Text).validate_python(value) == value


def test_json_objects_are_checked_in_every_key_and_string() -> None:
    adapter = TypeAdapter(JsonObject)
    good = {"name": "Acme", "items": [{"n": 1, "text": "a\nb"}], "ok": True, "none": None}
    assert adapter.validate_python(good) == good
    for bad in [{"a\x00": 1}, {"items": [{"n": "\x00"}]}, {"deep": {"deeper": ["\ud800"]}}]:
        assert error_of(adapter, bad) == "control_character"


@pytest.mark.parametrize(
    "value",
    [0, 1767225600, 1.5, "1767225600", "20261124", "2026-1-1", "24.11.2026", "2026-11-24T00:00:00", True],
)
def test_a_business_date_is_an_iso_string_never_a_unix_number(value: object) -> None:
    assert error_of(TypeAdapter(BusinessDate), value) == "date_format"


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_business_dates_outside_the_accepted_range_are_refused(value: str) -> None:
    assert error_of(TypeAdapter(BusinessDate), value) == "date_out_of_range"


def test_the_first_and_last_business_dates_are_accepted_from_json_and_python() -> None:
    adapter = TypeAdapter(BusinessDate)
    assert adapter.validate_python(FIRST_BUSINESS_DATE.isoformat()) == date(1900, 1, 1)
    assert adapter.validate_json('"2999-12-31"') == LAST_BUSINESS_DATE
    assert adapter.validate_python(date(2026, 11, 24)) == date(2026, 11, 24)
    assert error_of(adapter, datetime(2026, 11, 24, tzinfo=UTC)) == "date_format"


@pytest.mark.parametrize(
    "value", [0, 1767225600, "1767225600", "2026-11-24", "2026-11-24T14:05:00", "24.11.2026 14:05 +01:00"]
)
def test_a_timestamp_is_an_iso_string_with_its_offset(value: object) -> None:
    assert error_of(TypeAdapter(Timestamp), value) == "datetime_format"


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00+14:00", "1899-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00", "3000-01-01T00:00Z"],
)
def test_timestamps_outside_the_accepted_range_are_refused(value: str) -> None:
    assert error_of(TypeAdapter(Timestamp), value) == "date_out_of_range"


def test_timestamps_in_range_keep_their_offset() -> None:
    adapter = TypeAdapter(Timestamp)
    assert adapter.validate_python("2026-11-24T14:05:00+01:00") == datetime(
        2026, 11, 24, 14, 5, tzinfo=timezone(timedelta(hours=1))
    )
    assert adapter.validate_python("1900-01-01T00:00:00+14:00").utcoffset() == timedelta(hours=14)
    assert adapter.validate_python("2999-12-31 23:59:59.123456z").microsecond == 123456


def test_the_json_schema_documents_iso_strings_and_the_range() -> None:
    class Dates(BaseModel):
        day: BusinessDate
        moment: Timestamp

    properties = Dates.model_json_schema()["properties"]
    assert properties["day"]["format"] == "date"
    assert properties["moment"]["format"] == "date-time"
    assert "between 1900-01-01 and 2999-12-31" in properties["day"]["description"]
    assert properties["day"]["pattern"].startswith("^(19[0-9]{2}|2[0-9]{3})-")
