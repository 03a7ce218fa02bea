"""Aging as CSV or XLSX, for the analysts' spreadsheets."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from ar_ledger.reports.schemas import AgingLine, AgingReport

COLUMNS_BEFORE = ["external_id", "name", "currency"]
COLUMNS_AFTER = ["total", "unapplied_cash", "unapplied_credits", "net", "items"]


def _table(report: AgingReport) -> list[list[str]]:
    header = COLUMNS_BEFORE + report.bucket_labels + COLUMNS_AFTER

    def line(row: AgingLine, label: str | None = None) -> list[str]:
        return [
            row.external_id or "",
            label or row.name or "",
            row.currency,
            *(row.buckets[b] for b in report.bucket_labels),
            row.total,
            row.unapplied_cash,
            row.unapplied_credits,
            row.net,
            str(row.items),
        ]

    return [header, *(line(r) for r in report.rows), *(line(t, "TOTAL") for t in report.totals)]


def aging_csv(report: AgingReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"aging as of {report.as_of.isoformat()} by {report.basis}"])
    writer.writerows(_table(report))
    return out.getvalue()


def aging_xlsx(report: AgingReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Aging {report.as_of.isoformat()}"
    sheet.append([f"Aging as of {report.as_of.isoformat()} by {report.basis}"])
    table = _table(report)
    sheet.append(table[0])
    numeric = set(range(len(COLUMNS_BEFORE), len(table[0])))
    for row in table[1:]:
        # amounts go in as numbers (Decimal) so the spreadsheet can sum them
        sheet.append([Decimal(v) if i in numeric and v else v for i, v in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
