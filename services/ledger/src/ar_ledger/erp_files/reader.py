"""Reads an ERP open-items file (CSV or XLSX) into items, all or nothing: every bad cell is named."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import cast

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic_core import PydanticCustomError

from ar_ledger.domain.reconciliation import ErpItem
from ar_ledger.erp_files.mappings import FIELDS, ColumnMapping, Field, normalised
from ar_shared.inputs import FIRST_BUSINESS_DATE, LAST_BUSINESS_DATE, check_identifier
from ar_shared.money import InvalidAmount, Money, UnknownCurrency, currency_exponent
from ar_shared.problems import FieldError, ProblemError, Unprocessable

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (CSV, XLSX)
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
_HEADER_SEARCH_ROWS = 30  # exports often put a title and filter lines above the column titles
_MAX_ERRORS = 100


class CellError(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def read_items(content: bytes, media_type: str, mapping: ColumnMapping) -> list[ErpItem]:
    """The file's items; 415 for another media type, 422 naming each row and field that is wrong."""
    kind = media_type.split(";")[0].strip().lower()
    if kind not in MEDIA_TYPES:
        raise ProblemError(
            f"send the file as {CSV} or {XLSX}, not {kind or 'no Content-Type'}",
            status=415,
            code="unsupported_media_type",
            title="Unsupported media type",
        )
    if len(content) > MAX_BYTES:
        raise ProblemError(
            f"a file is at most {MAX_BYTES // (1024 * 1024)} MiB", status=413, code="payload_too_large"
        )
    rows = _xlsx_rows(content) if kind == XLSX else _csv_rows(content, mapping)
    return _items(rows, mapping)


def _invalid_file(detail: str) -> Unprocessable:
    return Unprocessable(
        detail, code="invalid_file", errors=[FieldError(field="file", message=detail, code="invalid_file")]
    )


def _xlsx_rows(content: bytes) -> list[Sequence[object]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _invalid_file("not an XLSX workbook") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _invalid_file("the workbook has no sheet")
        return _bounded(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _csv_rows(content: bytes, mapping: ColumnMapping) -> list[Sequence[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Western Windows
    if "\x00" in text:
        raise _invalid_file("not a text file")
    # SAP and Excel write ",", ";" or tabs: the delimiter is the one under which the titles appear
    for delimiter in (",", ";", "\t", "|"):
        rows = _bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        if _header_row(rows, mapping) is not None:
            return rows
    return _bounded(csv.reader(io.StringIO(text, newline="")))


def _bounded(rows: Iterator[Sequence[object]]) -> list[Sequence[object]]:
    result = []
    try:
        for row in rows:
            result.append(row)
            if len(result) > MAX_ROWS + _HEADER_SEARCH_ROWS:
                raise _invalid_file(f"a file holds at most {MAX_ROWS:,} items")
    except csv.Error as exc:
        raise _invalid_file(f"not a readable CSV file: {exc}") from None
    return result


def _header_row(
    rows: Sequence[Sequence[object]], mapping: ColumnMapping
) -> tuple[int, dict[Field, int]] | None:
    """The first row titling every field's column, and where each is."""
    for number, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        titles = {normalised(cell): i for i, cell in reversed(list(enumerate(row)))}
        found: dict[Field, int] = {}
        for field in FIELDS:
            index = next(
                (titles[normalised(h)] for h in mapping.headers[field] if normalised(h) in titles), None
            )
            if index is None:
                break
            found[field] = index
        else:
            return number, found
    return None


def _items(rows: Sequence[Sequence[object]], mapping: ColumnMapping) -> list[ErpItem]:
    header = _header_row(rows, mapping)
    if header is None:
        wanted = "; ".join(f"{field}: {' or '.join(mapping.headers[field])}" for field in FIELDS)
        raise _invalid_file(
            f"no row of the first {_HEADER_SEARCH_ROWS} titles every column the {mapping.name!r} "
            f"mapping needs ({wanted}); choose another mapping or name the titles in `columns`"
        )
    start, columns = header
    items, errors = [], []
    for offset, row in enumerate(rows[start + 1 :]):
        number = start + offset + 2  # the spreadsheet's own row number
        cells = {field: row[i] if i < len(row) else None for field, i in columns.items()}
        if _blank(cells["document_number"]) and (
            _blank(cells["customer"]) or str(cells["customer"]).startswith("*")
        ):
            continue  # an empty line, or a subtotal line of the export
        item, problems = _item(number, cells, mapping)
        errors += problems
        if item is not None:
            items.append(item)
        if len(errors) >= _MAX_ERRORS:
            break
    if errors:
        raise Unprocessable(
            f"{len(errors)}{'+' if len(errors) >= _MAX_ERRORS else ''} cells of the file are invalid; "
            "nothing was done",
            code="invalid_file_rows",
            errors=errors,
        )
    if not items:
        raise _invalid_file("the file lists no open items")
    return items


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


def _item(
    number: int, cells: dict[Field, object], mapping: ColumnMapping
) -> tuple[ErpItem | None, list[FieldError]]:
    errors: list[FieldError] = []

    def parse(field: Field, parser: object) -> object:
        try:
            return parser(cells[field])  # type: ignore[operator]
        except CellError as exc:
            errors.append(FieldError(field=f"rows.{number}.{field}", message=str(exc), code=exc.code))
            return None

    customer = parse("customer", _identifier)
    document = parse("document_number", _identifier)
    document_date = parse("document_date", lambda v: _date(v, mapping))
    due_date = parse("due_date", lambda v: _date(v, mapping))
    currency = parse("currency", _currency)
    amount = parse("amount", lambda v: _amount(v, mapping, currency)) if isinstance(currency, str) else None
    if errors:
        return None, errors
    return ErpItem(
        number,
        cast(str, customer),
        cast(str, document),
        cast(date, document_date),
        cast(date, due_date),
        cast(int, amount),
        cast(str, currency),
    ), []


def _identifier(value: object) -> str:
    text = ("" if value is None else str(value)).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # a number typed into a cell: 4711, not 4711.0
    if not text:
        raise CellError("empty", "missing")
    if len(text) > 100:
        raise CellError("at most 100 characters", "too_long")
    try:
        check_identifier(text)
    except PydanticCustomError as exc:
        raise CellError(str(exc), "control_character") from None
    return text


def _date(value: object, mapping: ColumnMapping) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = ("" if value is None else str(value)).strip()
        if not text:
            raise CellError("empty", "missing")
        for layout in mapping.date_formats:
            try:
                day = datetime.strptime(text, layout).date()  # noqa: DTZ007 - a calendar date, no time
                break
            except ValueError:
                continue
        else:
            raise CellError(f"{text!r} is not a date ({' or '.join(mapping.date_formats)})", "date_format")
    if not FIRST_BUSINESS_DATE <= day <= LAST_BUSINESS_DATE:
        raise CellError(
            f"{day} is not between {FIRST_BUSINESS_DATE} and {LAST_BUSINESS_DATE}", "date_out_of_range"
        )
    return day


def _currency(value: object) -> str:
    code = ("" if value is None else str(value)).strip().upper()
    try:
        currency_exponent(code)
    except UnknownCurrency:
        raise CellError(f"{code!r} is not an ISO 4217 currency", "unknown_currency") from None
    return code


def _amount(value: object, mapping: ColumnMapping, currency: object) -> int:
    assert isinstance(currency, str)
    if isinstance(value, bool):
        raise CellError("not an amount", "amount_format")
    if isinstance(value, int | float | Decimal):
        # a spreadsheet number: its shortest decimal form is what the cell shows
        text = format(Decimal(str(value)), "f")
    else:
        text = _plain(("" if value is None else str(value)), mapping)
    try:
        return Money.parse_exact(text, currency).minor
    except (InvalidAmount, InvalidOperation, ValueError) as exc:
        raise CellError(str(exc), "amount_format") from None


def _plain(text: str, mapping: ColumnMapping) -> str:
    """1,234.56- / 1.234,56- / (1,234.56) / -1234.56 as a plain decimal string."""
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text)
    negative = (
        cleaned.endswith("-")
        or cleaned.startswith("-")
        or (cleaned.startswith("(") and cleaned.endswith(")"))
    )
    cleaned = cleaned.strip("-()")
    decimal = mapping.decimal_separator
    thousands = "," if decimal == "." else "."
    # thousands separators only between groups of three digits, the decimal one at most once after
    # them: "1.190,00" under a decimal point is refused, not read as 1.19
    layout = rf"([0-9]{{1,3}}(\{thousands}[0-9]{{3}})+|[0-9]+)(\{decimal}[0-9]+)?"
    if not re.fullmatch(layout, cleaned):
        raise CellError(f"{text!r} is not an amount (decimal separator {decimal!r})", "amount_format")
    cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    return f"-{cleaned}" if negative else cleaned
