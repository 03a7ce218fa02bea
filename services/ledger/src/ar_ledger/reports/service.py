"""Assembles reports from the database's aggregates (pure functions) and runs the queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.service import resolve_scope
from ar_ledger.domain.aging import bucket_for, buckets, days_past_due
from ar_ledger.filters import ReportScope, ResolvedScope
from ar_ledger.reports.repository import (
    AgingCell,
    CustomerAgingRow,
    CustomerOrder,
    OpenItemRow,
    ReportRepository,
    UnappliedRow,
)
from ar_ledger.reports.schemas import AgingBasis, AgingLine, AgingReport, OpenItem, OpenItems
from ar_shared.money import currency_exponent, format_minor
from ar_shared.pagination import page_from_rows
from ar_shared.percent import percent_of


def _amount(minor: int, currency: str) -> str:
    return format_minor(minor, currency_exponent(currency))


def aging_line(
    currency: str,
    by_bucket: dict[int, int],
    labels: list[str],
    items: int,
    unapplied_cash: int = 0,
    unapplied_credits: int = 0,
    customer: tuple[uuid.UUID, str, str] | None = None,
) -> AgingLine:
    total = sum(by_bucket.values())
    return AgingLine(
        customer_id=customer[0] if customer else None,
        external_id=customer[1] if customer else None,
        name=customer[2] if customer else None,
        currency=currency,
        buckets={label: _amount(by_bucket.get(i, 0), currency) for i, label in enumerate(labels)},
        percent={label: percent_of(by_bucket.get(i, 0), total) for i, label in enumerate(labels)},
        total=_amount(total, currency),
        unapplied_cash=_amount(unapplied_cash, currency),
        unapplied_credits=_amount(unapplied_credits, currency),
        net=_amount(total - unapplied_cash - unapplied_credits, currency),
        items=items,
    )


def assemble_aging(
    as_of: date,
    basis: AgingBasis,
    edges: Sequence[int],
    cells: Sequence[AgingCell],
    unapplied: Sequence[UnappliedRow],
    customer_rows: Sequence[CustomerAgingRow] = (),
    next_cursor: str | None = None,
) -> AgingReport:
    """Pure: per-bucket aggregates become the report, buckets and unapplied money side by side.

    `cells` and `unapplied` make the totals (everyone in scope); `customer_rows` are the page of
    per-customer lines, already pivoted by the database.
    """
    labels = [b.label for b in buckets(edges)]
    per_currency: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_currency_items: dict[str, int] = defaultdict(int)
    for cell in cells:
        per_currency[cell.currency][cell.bucket] += cell.open_minor
        per_currency_items[cell.currency] += cell.items
    rows = [
        aging_line(
            r.currency,
            dict(enumerate(r.by_bucket)),
            labels,
            r.items,
            r.cash_minor,
            r.credits_minor,
            (r.customer_id, r.external_id, r.name),
        )
        for r in customer_rows
    ]
    totals = []
    for currency in sorted(set(per_currency) | {u.currency for u in unapplied}):
        totals.append(
            aging_line(
                currency,
                dict(per_currency.get(currency, {})),
                labels,
                per_currency_items.get(currency, 0),
                sum(u.cash_minor for u in unapplied if u.currency == currency),
                sum(u.credits_minor for u in unapplied if u.currency == currency),
            )
        )
    return AgingReport(
        as_of=as_of, basis=basis, bucket_labels=labels, rows=rows, totals=totals, next_cursor=next_cursor
    )


def customer_sort_key(row: CustomerAgingRow, order: CustomerOrder) -> list[str | int | uuid.UUID]:
    """The keyset of a per-customer aging row, as a cursor carries it."""
    first: str | int = row.name if order == "name" else row.total_minor
    return [first, row.currency, row.customer_id]


async def aging_report(
    session: AsyncSession,
    as_of: date,
    edges: Sequence[int],
    basis: AgingBasis,
    wanted: ReportScope = ReportScope(),
    *,
    by_customer: bool,
    order: CustomerOrder = "name",
    after: tuple[str | int, str, uuid.UUID] | None = None,
    limit: int | None = None,
) -> AgingReport:
    """Totals over everyone in scope; with `by_customer`, one page of customer lines (`limit`
    rows after the keyset `after`, or every row when `limit` is None)."""
    scope = await resolve_scope(session, wanted)
    return await scoped_aging(
        session, as_of, edges, basis, scope, by_customer=by_customer, order=order, after=after, limit=limit
    )


async def scoped_aging(
    session: AsyncSession,
    as_of: date,
    edges: Sequence[int],
    basis: AgingBasis,
    scope: ResolvedScope,
    *,
    by_customer: bool,
    order: CustomerOrder = "name",
    after: tuple[str | int, str, uuid.UUID] | None = None,
    limit: int | None = None,
) -> AgingReport:
    repo = ReportRepository(session)
    cells = await repo.aging(as_of, edges, scope, basis=basis)
    unapplied = await repo.unapplied(as_of, scope)
    if not by_customer:
        return assemble_aging(as_of, basis, edges, cells, unapplied)
    rows = await repo.aging_by_customer(
        as_of,
        edges,
        scope,
        basis=basis,
        order=order,
        after=after,
        limit=None if limit is None else limit + 1,
    )
    next_cursor = None
    if limit is not None:
        rows, next_cursor = page_from_rows(rows, limit, lambda r: customer_sort_key(r, order))
    return assemble_aging(as_of, basis, edges, cells, unapplied, rows, next_cursor)


def open_item(row: OpenItemRow, as_of: date, edges: Sequence[int]) -> OpenItem:
    days = days_past_due(as_of, row.due_date)
    return OpenItem(
        invoice_id=row.id,
        customer_id=row.customer_id,
        business_entity=row.business_entity,
        invoice_number=row.invoice_number,
        issue_date=row.issue_date,
        due_date=row.due_date,
        currency=row.currency,
        amount=_amount(row.amount_minor, row.currency),
        open_balance=_amount(row.open_minor, row.currency),
        days_past_due=max(days, 0),
        bucket=bucket_for(days, edges).label,
    )


async def open_items(
    session: AsyncSession,
    as_of: date,
    edges: Sequence[int],
    wanted: ReportScope,
    *,
    overdue_only: bool,
) -> OpenItems:
    scope = await resolve_scope(session, wanted)
    rows = await ReportRepository(session).open_items(as_of, scope, overdue_only=overdue_only)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.currency] += row.open_minor
    return OpenItems(
        as_of=as_of,
        items=[open_item(r, as_of, edges) for r in rows],
        totals={c: _amount(v, c) for c, v in sorted(totals.items())},
    )
