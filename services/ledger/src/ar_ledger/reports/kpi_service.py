"""DSO, ADD and CEI for a period, for one customer, one business entity or everyone."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.repository import CustomerRepository
from ar_ledger.customers.service import resolve_scope
from ar_ledger.filters import ReportScope
from ar_ledger.reports.repository import ReportRepository
from ar_ledger.reports.schemas import KpiLine, KpiReport, Statement, StatementLine
from ar_shared.kpis import PeriodFigures, count_back_slices, for_period
from ar_shared.money import Money
from ar_shared.problems import NotFound, ProblemError


async def kpi_report(session: AsyncSession, start: date, end: date, wanted: ReportScope) -> KpiReport:
    if end < start:
        raise ProblemError("the period ends before it starts", code="invalid_period")
    scope = await resolve_scope(session, wanted)
    repo = ReportRepository(session)
    beginning = await repo.ar_totals(start - timedelta(days=1), scope)
    ending = await repo.ar_totals(end, scope)
    # count-back walks back through earlier months while AR is left: as far as the oldest open item
    stretches = count_back_slices(await repo.oldest_open_issue_date(end, scope) or start, start, end)
    sales = await repo.sales_by_month(stretches[0][0], start, end, scope)
    lines = []
    for currency in sorted(set(beginning) | set(ending) | set(sales)):
        inputs, kpis = for_period(
            PeriodFigures(
                start=start,
                end=end,
                beginning_ar=beginning.get(currency, (0, 0))[0],
                ending_ar=ending.get(currency, (0, 0))[0],
                ending_current_ar=ending.get(currency, (0, 0))[1],
                sales=sales.get(currency, {}),
                stretches=stretches,
            )
        )

        def text(minor: int, currency: str = currency) -> str:
            return str(Money(minor, currency))

        lines.append(
            KpiLine(
                currency=currency,
                period_days=inputs.period_days,
                credit_sales=text(inputs.credit_sales_minor),
                beginning_ar=text(inputs.beginning_ar_minor),
                ending_ar=text(inputs.ending_ar_minor),
                ending_current_ar=text(inputs.ending_current_ar_minor),
                dso=_str(kpis.dso),
                dso_count_back=_str(kpis.dso_count_back),
                best_possible_dso=_str(kpis.best_possible_dso),
                average_days_delinquent=_str(kpis.average_days_delinquent),
                cei_percent=_str(kpis.cei_percent),
            )
        )
    return KpiReport(period_start=start, period_end=end, scope=scope.label, lines=lines)


def _str(value: object | None) -> str | None:
    return None if value is None else str(value)


async def statement(session: AsyncSession, customer_id: uuid.UUID, start: date, end: date) -> Statement:
    if end < start:
        raise ProblemError("the period ends before it starts", code="invalid_period")
    customer = await CustomerRepository(session).get(customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", code="customer_not_found")
    repo = ReportRepository(session)
    balance = await repo.balance_as_of(customer_id, start - timedelta(days=1))
    opening = balance
    lines = []
    for row in await repo.statement_lines(customer_id, start, end):
        balance += row.effect_minor
        lines.append(
            StatementLine(
                date=row.effective_date,
                kind=row.kind,
                document_id=row.document_id,
                amount=str(Money(row.effect_minor, customer.currency)),
                balance=str(Money(balance, customer.currency)),
            )
        )
    return Statement(
        customer_id=customer_id,
        currency=customer.currency,
        period_start=start,
        period_end=end,
        opening_balance=str(Money(opening, customer.currency)),
        lines=lines,
        closing_balance=str(Money(balance, customer.currency)),
    )
