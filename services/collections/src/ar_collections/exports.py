"""CSV and XLSX files of a table: a header row, typed cells (amounts as numbers, dates as dates),
the header frozen, columns wide enough to read."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from fastapi import Response
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Cell = str | int | Decimal | date | datetime | None
ExportFormat = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMATS: dict[type, str] = {Decimal: "#,##0.00##", date: "yyyy-mm-dd", datetime: "yyyy-mm-dd hh:mm:ss"}


@dataclass(frozen=True)
class Table:
    title: str
    header: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows([_text(c) for c in row] for row in table.rows)
    return out.getvalue()


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append(list(table.header))
    widths = [len(h) for h in table.header]
    for row in table.rows:
        # spreadsheets keep no time zone: moments are written in UTC
        values = [c.replace(tzinfo=None) if isinstance(c, datetime) and c.tzinfo else c for c in row]
        sheet.append(values)
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(_text(value)))
    for column, cells in enumerate(sheet.iter_cols(min_row=2), start=1):
        for written in cells:
            number_format = _FORMATS.get(type(written.value))
            if number_format:
                written.number_format = number_format
        sheet.column_dimensions[get_column_letter(column)].width = min(max(widths[column - 1], 8) + 2, 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def response(table: Table, export_format: ExportFormat, filename: str) -> Response:
    if export_format == "xlsx":
        return Response(
            to_xlsx(table),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return Response(
        to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "The table as CSV (header row first) or as an XLSX workbook",
    }
}
