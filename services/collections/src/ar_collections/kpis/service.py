"""DSO (standard and count-back), best possible DSO, ADD, CEI, % current and % over 90, per
group and currency, through the same pure implementation as the ledger's report (ar_shared.kpis);
and the collectors' own figures (domain/kpis): promises kept, contacts per working day, disputes,
cash collected against target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.domain import kpis as rules
from ar_collections.grouping import Scope, group_names
from ar_collections.kpis.repository import DisputeFigures, JudgedPromise, KpiRepository
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
    # every figure of the period counts for the portfolio that held the account at its end
    scope = replace(scope, assigned_on=end)
    repo = KpiRepository(session)
    beginning = await repo.ar(start - timedelta(days=1), scope)
    ending = await repo.ar(end, scope)
    stretches = count_back_slices(await repo.oldest_open_issue_date(end, scope) or start, start, end)
    sales = await repo.sales_by_month(stretches[0][0], start, end, scope)
    promises = await repo.judged_promises(start, end, scope)
    contacts = await repo.contacts(start, end, scope)
    disputes = await repo.disputes(start, end, scope)
    collected = await repo.collected(start, end, scope)
    targets = await repo.targets(start, end, scope)
    working_days = rules.working_days(start, end)
    names = await group_names(session, scope.group_by)
    lines = []
    keys = set(beginning) | set(ending) | set(sales) | set(promises) | set(contacts) | set(disputes)
    for group, currency in sorted(keys | set(collected) | set(targets)):
        closing = ending.get((group, currency))
        contacted = contacts.get((group, currency), 0)
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
                **_promise_fields(promises.get((group, currency), []), amount),
                contacts=contacted, working_days=working_days,
                contacts_per_working_day=rules.per_working_day(contacted, working_days),
                **_dispute_fields(disputes.get((group, currency), DisputeFigures(0, 0, 0, 0, 0))),
                collected=amount(collected.get((group, currency), 0)),
                target=amount(targets[(group, currency)]) if (group, currency) in targets else None,
                target_attainment_percent=rules.attainment(
                    collected.get((group, currency), 0), targets.get((group, currency))
                ),
            )
        )  # fmt: skip
    return KpiReport(period_start=start, period_end=end, group_by=scope.group_by, lines=lines)


async def average_days_delinquent(
    session: AsyncSession, start: date, end: date, scope: Scope
) -> dict[tuple[str, str], Decimal | None]:
    """ADD per (group, currency) with credit sales in the period, as `kpi_report` computes it (the
    same `for_period`): from ending AR, ending current AR and the period's sales alone, which is
    all ADD reads. No count-back walk before the period and no beginning AR: the red-flag job asks
    this of every customer for twelve months, and the whole report took five times as long."""
    scope = replace(scope, assigned_on=end)
    repo = KpiRepository(session)
    ending = await repo.ar(end, scope)
    sales = await repo.sales_by_month(start, start, end, scope)
    stretches = count_back_slices(start, start, end)
    result = {}
    for key, sold in sales.items():
        closing = ending.get(key)
        figures = PeriodFigures(
            start=start,
            end=end,
            beginning_ar=0,
            ending_ar=closing.total if closing else 0,
            ending_current_ar=closing.current if closing else 0,
            sales=sold,
            stretches=stretches,
        )
        result[key] = for_period(figures)[1].average_days_delinquent
    return result


class PromiseFields(TypedDict):
    """The promise figures of a KpiLine (named here so mypy checks them against the line)."""

    promises_judged: int
    promises_kept: int
    promises_partially_kept: int
    promises_broken: int
    promised_amount: str
    kept_amount: str
    partially_kept_amount: str
    broken_amount: str
    received_on_promises: str
    promise_kept_rate: Decimal | None
    promise_kept_rate_by_amount: Decimal | None


class DisputeFields(TypedDict):
    disputes_opened: int
    disputes_resolved: int
    average_days_to_resolve: Decimal | None
    disputes_open_at_end: int
    average_age_open_disputes: Decimal | None


def _promise_fields(judged: list[JudgedPromise], amount: Callable[[int], str]) -> PromiseFields:
    tally = rules.tally((p.status, p.amount_minor, p.received_minor) for p in judged)
    return {
        "promises_judged": tally.judged, "promises_kept": tally.kept,
        "promises_partially_kept": tally.partially_kept, "promises_broken": tally.broken,
        "promised_amount": amount(tally.promised_minor), "kept_amount": amount(tally.kept_minor),
        "partially_kept_amount": amount(tally.partially_kept_minor),
        "broken_amount": amount(tally.broken_minor),
        "received_on_promises": amount(tally.received_minor),
        "promise_kept_rate": rules.kept_rate_by_count(tally),
        "promise_kept_rate_by_amount": rules.kept_rate_by_amount(tally),
    }  # fmt: skip


def _dispute_fields(figures: DisputeFigures) -> DisputeFields:
    return {
        "disputes_opened": figures.opened, "disputes_resolved": figures.resolved,
        "average_days_to_resolve": rules.average_days(figures.resolved_days, figures.resolved),
        "disputes_open_at_end": figures.open_at_end,
        "average_age_open_disputes": rules.average_days(figures.open_days, figures.open_at_end),
    }  # fmt: skip
