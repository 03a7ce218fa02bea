"""A customer's monthly scorecard: DSO and ADD through the KPI report (ar_shared.kpis, one home),
cash timeliness, promises, disputes and credit use, each month against the previous one."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars.service import BusinessCalendars
from ar_collections.domain.scorecards import (
    MAX_MONTHS,
    Month,
    credit_use,
    month_of,
    months_back,
    parse_month,
    trend,
    weighted_days_late,
)
from ar_collections.grouping import Scope
from ar_collections.kpis.schemas import KpiLine
from ar_collections.kpis.service import kpi_report
from ar_collections.portfolios.service import require_account
from ar_collections.scorecards.repository import CaseDates, ScorecardRepository
from ar_collections.scorecards.schemas import Scorecard, ScorecardMonth, ScorecardTrend
from ar_shared.money import Money
from ar_shared.problems import FieldError, Unprocessable


def _refuse(field: str, message: str, code: str) -> Unprocessable:
    return Unprocessable(message, code=code, errors=[FieldError(field=field, message=message, code=code)])


def month_asked(as_of_month: str | None, today: date) -> Month:
    if as_of_month is None:
        return month_of(today)
    try:
        return parse_month(as_of_month)
    except ValueError as error:
        raise _refuse("as_of_month", str(error), "invalid_month") from None


async def month_kpis(session: AsyncSession, customer_id: uuid.UUID, first: date, last: date) -> list[KpiLine]:
    return (await kpi_report(session, first, last, Scope("customer", customer_id))).lines


async def scorecard(
    session: AsyncSession,
    customer_id: uuid.UUID,
    months: int,
    as_of_month: str | None,
    calendars: BusinessCalendars,
) -> Scorecard:
    """`months` months up to `as_of_month` (the business date's by default); the current month runs
    to the business date. Another collector's customer is 404 (row-level security)."""
    if not 1 <= months <= MAX_MONTHS:
        raise _refuse("months", f"between 1 and {MAX_MONTHS} months", "months_out_of_range")
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    last = month_asked(as_of_month, today)
    if last.first > today:
        raise _refuse(
            "as_of_month", f"{last.label} is after the business date {today}", "month_in_the_future"
        )
    currency = account.currency
    shown = months_back(last, months + 1)  # one more: the first month's trend
    repo = ScorecardRepository(session)
    cash = await repo.cash_applied(customer_id, currency, shown[0].first, shown[-1].last)
    promises = await repo.promises(customer_id, shown[0].first, shown[-1].last)
    cases = await repo.cases(customer_id, shown[-1].last)
    limit = await repo.credit_limit(customer_id, currency)

    def amount(minor: int) -> str:
        return str(Money(minor, currency))

    def minor(text: str) -> int:
        return Money.parse_exact(text, currency, largest=None).minor

    rows: list[ScorecardMonth] = []
    previous: ScorecardMonth | None = None
    for month in shown:
        end = min(month.last, max(today, month.first))
        line = next(
            (x for x in await month_kpis(session, customer_id, month.first, end) if x.currency == currency),
            None,
        )
        applied = [
            (c.amount_minor, c.days_late)
            for c in cash
            if month.first <= c.effective_date <= month.last and (c.undone_on is None or c.undone_on > end)
        ]
        judged = Counter(
            p.status for p in promises if p.judged_on is not None and month.first <= p.judged_on <= end
        )
        ending_ar = minor(line.ending_ar) if line else 0
        use = credit_use(ending_ar, limit)
        row = ScorecardMonth(
            month=month.label, period_start=month.first, period_end=end,
            ending_ar=amount(ending_ar), credit_sales=line.credit_sales if line else amount(0),
            dso=line.dso if line else None,
            average_days_delinquent=line.average_days_delinquent if line else None,
            cash_applied=amount(sum(a for a, _ in applied)), average_days_late=weighted_days_late(applied),
            promises_made=sum(1 for p in promises if month.first <= p.recorded_on <= end),
            promises_kept=judged["kept"], promises_partially_kept=judged["partially_kept"],
            promises_broken=judged["broken"],
            disputes_opened=sum(1 for c in cases if month.first <= c.opened_on <= end),
            disputes_open=sum(1 for c in cases if c.opened_on <= end and not _resolved_by(c, end)),
            credit_limit=None if limit is None else amount(limit), credit_use_percent=use,
            trend=_trend(previous, None),
        )  # fmt: skip
        row.trend = _trend(previous, row)
        rows.append(row)
        previous = row
    return Scorecard(
        customer_id=customer_id, name=account.name, currency=currency, as_of_month=last.label, months=rows[1:]
    )


def _resolved_by(case: CaseDates, end: date) -> bool:
    return case.resolved_on is not None and case.resolved_on <= end


def _trend(previous: ScorecardMonth | None, current: ScorecardMonth | None) -> ScorecardTrend:
    def of(field: str) -> Decimal | int | None:
        return None if previous is None or current is None else getattr(previous, field)

    def now(field: str) -> Decimal | int | None:
        return None if current is None else getattr(current, field)

    fields = ScorecardTrend.model_fields
    return ScorecardTrend(**{f: trend(of(f), now(f)) for f in fields})
