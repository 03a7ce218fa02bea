"""The aging as a table (CSV / XLSX): one row per group and currency."""

from __future__ import annotations

from decimal import Decimal

from ar_collections.exports import Cell, Table
from ar_collections.portfolio_aging.schemas import Aging


def aging_table(report: Aging) -> Table:
    header = ["group", "name", "currency", *report.bucket_labels, "total", "as of"]
    rows: list[list[Cell]] = [
        [
            line.group,
            line.name,
            line.currency,
            *(Decimal(b.amount) for b in line.buckets),
            Decimal(line.total),
            report.as_of,
        ]
        for line in report.lines
    ]
    return Table(title=f"aging {report.as_of}", header=header, rows=list(rows))
