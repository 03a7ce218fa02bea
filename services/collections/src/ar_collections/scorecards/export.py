"""The scorecard as a table (CSV / XLSX) for the account review with the customer: one row a month."""

from __future__ import annotations

from decimal import Decimal

from ar_collections.exports import Cell, Table
from ar_collections.scorecards.schemas import Scorecard

HEADER = (
    "month", "period start", "period end", "currency", "ending AR", "credit sales", "DSO", "ADD",
    "cash applied", "average days late", "promises made", "promises kept", "promises partially kept",
    "promises broken", "disputes opened", "disputes open", "credit limit", "credit use %",
    "DSO trend", "ADD trend", "days late trend", "credit use trend",
)  # fmt: skip


def scorecard_table(card: Scorecard) -> Table:
    rows: list[list[Cell]] = [
        [
            m.month, m.period_start, m.period_end, card.currency,
            Decimal(m.ending_ar), Decimal(m.credit_sales),
            m.dso, m.average_days_delinquent, Decimal(m.cash_applied), m.average_days_late,
            m.promises_made, m.promises_kept, m.promises_partially_kept, m.promises_broken,
            m.disputes_opened, m.disputes_open, None if m.credit_limit is None else Decimal(m.credit_limit),
            m.credit_use_percent, m.trend.dso, m.trend.average_days_delinquent, m.trend.average_days_late,
            m.trend.credit_use_percent,
        ]
        for m in card.months
    ]  # fmt: skip
    return Table(title=f"scorecard {card.as_of_month}", header=HEADER, rows=list(rows))
