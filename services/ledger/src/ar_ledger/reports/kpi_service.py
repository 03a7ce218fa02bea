"""DSO, ADD and CEI for a period, for one customer, one business entity or everyone."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.repository import CustomerRepository
from ar_ledger.domain.kpis import KpiInputs, MonthSales, compute, months_in
from ar_ledger.reports.repository import ReportRepository
from ar_ledger.reports.schemas import KpiLine, KpiReport, Statement, StatementLine
from ar_shared.money import Money
from ar_shared.problems import NotFound, ProblemError


async def kpi_report(
    session: AsyncSession,
    start: date,
    end: date,
    *,
    customer_id: uuid.UUID | None,
    business_entity: str | None,
) -> KpiReport:
    if end < start:
        raise ProblemError("the period ends before it starts", code="invalid_period")
    repo = ReportRepository(session)
    beginning = await repo.ar_totals(
        start - timedelta(days=1), customer_id=customer_id, business_entity=business_entity
    )
    ending = await repo.ar_totals(end, customer_id=customer_id, business_entity=business_entity)
    sales = await repo.monthly_sales(start, end, customer_id=customer_id, business_entity=business_entity)
    months = months_in(start, end)
    lines = []
    for currency in sorted(set(beginning) | set(ending) | set(sales)):
        monthly = [MonthSales(y, m, d, sales.get(currency, {}).get((y, m), 0)) for y, m, d in months]
        inputs = KpiInputs(
            period_days=(end - start).days + 1,
            credit_sales_minor=sum(m.sales_minor for m in monthly),
            beginning_ar_minor=beginning.get(currency, (0, 0))[0],
            ending_ar_minor=ending.get(currency, (0, 0))[0],
            ending_current_ar_minor=ending.get(currency, (0, 0))[1],
            monthly_sales=monthly,
        )
        kpis = compute(inputs)

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
    label = (
        f"customer:{customer_id}"
        if customer_id
        else f"business_entity:{business_entity}"
        if business_entity
        else "all"
    )
    return KpiReport(period_start=start, period_end=end, scope=label, lines=lines)


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
