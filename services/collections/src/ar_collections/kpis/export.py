"""The KPI report as a table (CSV / XLSX): one row per group and currency, every figure of the
JSON line in its own column (amounts and KPIs as numbers, the period's dates as dates)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ar_collections.exports import Cell, Table
from ar_collections.kpis.schemas import KpiLine, KpiReport


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


# (header, the line's figure): the one place the columns are named
COLUMNS: tuple[tuple[str, Callable[[KpiLine], Cell]], ...] = (
    ("group", lambda x: x.group),
    ("name", lambda x: x.name),
    ("currency", lambda x: x.currency),
    ("period days", lambda x: x.period_days),
    ("credit sales", lambda x: _amount(x.credit_sales)),
    ("beginning AR", lambda x: _amount(x.beginning_ar)),
    ("ending AR", lambda x: _amount(x.ending_ar)),
    ("ending current AR", lambda x: _amount(x.ending_current_ar)),
    ("DSO", lambda x: x.dso),
    ("DSO count-back", lambda x: x.dso_count_back),
    ("best possible DSO", lambda x: x.best_possible_dso),
    ("ADD", lambda x: x.average_days_delinquent),
    ("CEI %", lambda x: x.cei_percent),
    ("% current", lambda x: x.percent_current),
    ("% over 90", lambda x: x.percent_over_90),
    ("promises judged", lambda x: x.promises_judged),
    ("promises kept", lambda x: x.promises_kept),
    ("promises partially kept", lambda x: x.promises_partially_kept),
    ("promises broken", lambda x: x.promises_broken),
    ("amount promised", lambda x: _amount(x.promised_amount)),
    ("kept amount", lambda x: _amount(x.kept_amount)),
    ("partially kept amount", lambda x: _amount(x.partially_kept_amount)),
    ("broken amount", lambda x: _amount(x.broken_amount)),
    ("received on promises", lambda x: _amount(x.received_on_promises)),
    ("promise kept rate %", lambda x: x.promise_kept_rate),
    ("promise kept rate by amount %", lambda x: x.promise_kept_rate_by_amount),
    ("contacts", lambda x: x.contacts),
    ("working days", lambda x: x.working_days),
    ("contacts per working day", lambda x: x.contacts_per_working_day),
    ("disputes opened", lambda x: x.disputes_opened),
    ("disputes resolved", lambda x: x.disputes_resolved),
    ("average days to resolve", lambda x: x.average_days_to_resolve),
    ("disputes open at end", lambda x: x.disputes_open_at_end),
    ("average age of open disputes", lambda x: x.average_age_open_disputes),
    ("collected", lambda x: _amount(x.collected)),
    ("target", lambda x: _amount(x.target)),
    ("target attainment %", lambda x: x.target_attainment_percent),
)
HEADER = ("period start", "period end", *(header for header, _ in COLUMNS))


def kpis_table(report: KpiReport) -> Table:
    rows: list[list[Cell]] = [
        [report.period_start, report.period_end, *(figure(line) for _, figure in COLUMNS)]
        for line in report.lines
    ]
    return Table(title=f"kpis by {report.group_by}", header=HEADER, rows=list(rows))
