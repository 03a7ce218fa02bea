"""The standings as a table (CSV / XLSX)."""

from __future__ import annotations

from decimal import Decimal

from ar_collections.exports import Cell, Table
from ar_collections.targets.schemas import Standings

HEADER = (
    "scope", "id", "name", "period", "currency", "target", "collected", "remaining",
    "% collected", "% of period", "on track", "rank", "as of",
)  # fmt: skip


def standings_table(report: Standings) -> Table:
    rows: list[list[Cell]] = [
        [
            s.target.scope,
            s.target.scope_id,
            s.target.name,
            s.target.period,
            s.target.amount.currency,
            Decimal(s.target.amount.amount),
            Decimal(s.collected.amount),
            Decimal(s.remaining.amount),
            s.percent_collected,
            s.percent_of_period,
            "yes" if s.on_track else "no",
            s.rank,
            report.as_of,
        ]
        for s in report.standings
    ]
    return Table(title=f"targets {report.period}", header=HEADER, rows=list(rows))
