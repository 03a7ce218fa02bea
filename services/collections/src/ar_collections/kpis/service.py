"""DSO (standard and count-back), best possible DSO, ADD, CEI, % current and % over 90, per
group and currency, through the same pure implementation as the ledger's report (ar_shared.kpis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.grouping import Scope, group_names
from ar_collections.kpis.repository import KpiRepository
from ar_collections.kpis.schemas import KpiLine, KpiReport
from ar_shared.kpis import PeriodFigures, count_back_slices, for_period, rounded
from ar_shared.money import Money
from ar_shared.problems import FieldError, Unprocessable


def share(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else rounded(Decimal(part) * 100 / Decimal(whole))


async def kpi_report(session: AsyncSession, start: date, end: date, scope: Scope) -> KpiReport:
    if end < start:
        message = f"the period ends ({end}) before it starts ({start})"
        raise Unprocessable(
            message,
            code="invalid_period",
            errors=[FieldError(field="period_end", message=message, code="before_start")],
        )
    repo = KpiRepository(session)
    beginning = await repo.ar(start - timedelta(days=1), scope)
    ending = await repo.ar(end, scope)
    stretches = count_back_slices(await repo.oldest_open_issue_date(end, scope) or start, start, end)
    sales = await repo.sales_by_month(stretches[0][0], start, end, scope)
    names = await group_names(session, scope.group_by)
    lines = []
    for group, currency in sorted(set(beginning) | set(ending) | set(sales)):
        closing = ending.get((group, currency))
        inputs, kpis = for_period(
            PeriodFigures(
                start=start,
                end=end,
                beginning_ar=beginning[(group, currency)].total if (group, currency) in beginning else 0,
                ending_ar=closing.total if closing else 0,
                ending_current_ar=closing.current if closing else 0,
                sales=sales.get((group, currency), {}),
                stretches=stretches,
            )
        )

        def amount(minor: int, currency: str = currency) -> str:
            return str(Money(minor, currency))

        lines.append(
            KpiLine(
                group=group, name=names.get(group), currency=currency, period_days=inputs.period_days,
                credit_sales=amount(inputs.credit_sales_minor),
                beginning_ar=amount(inputs.beginning_ar_minor), ending_ar=amount(inputs.ending_ar_minor),
                ending_current_ar=amount(inputs.ending_current_ar_minor),
                dso=kpis.dso, dso_count_back=kpis.dso_count_back, best_possible_dso=kpis.best_possible_dso,
                average_days_delinquent=kpis.average_days_delinquent, cei_percent=kpis.cei_percent,
                percent_current=share(closing.current, closing.total) if closing else None,
                percent_over_90=share(closing.over_90, closing.total) if closing else None,
            )
        )  # fmt: skip
    return KpiReport(period_start=start, period_end=end, group_by=scope.group_by, lines=lines)
