"""Assembles reports from the database's aggregates (pure functions) and runs the queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.aging import bucket_for, buckets, days_past_due
from ar_ledger.reports.repository import AgingCell, OpenItemRow, ReportRepository, UnappliedRow
from ar_ledger.reports.schemas import AgingBasis, AgingLine, AgingReport, OpenItem, OpenItems
from ar_shared.money import currency_exponent, format_minor


def _amount(minor: int, currency: str) -> str:
    return format_minor(minor, currency_exponent(currency))


def percent_of(part: int, whole: int) -> str:
    """`part` as a percentage of `whole`, one decimal, halves rounded up."""
    if whole == 0:
        return "0.0"
    if part >= 0 and whole > 0:  # the usual case, in integers: a report has a million of them
        tenths = (part * 2000 + whole) // (2 * whole)
        return f"{tenths // 10}.{tenths % 10}"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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
    names: dict[uuid.UUID, tuple[str, str]],
    *,
    by_customer: bool,
) -> AgingReport:
    """Pure: turns per-bucket aggregates into the report, buckets and unapplied money side by side."""
    labels = [b.label for b in buckets(edges)]
    per_customer: dict[tuple[uuid.UUID, str], dict[int, int]] = defaultdict(dict)
    per_customer_items: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    per_currency: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_currency_items: dict[str, int] = defaultdict(int)
    for cell in cells:
        per_currency[cell.currency][cell.bucket] += cell.open_minor
        per_currency_items[cell.currency] += cell.items
        if by_customer and cell.customer_id is not None:
            per_customer[(cell.customer_id, cell.currency)][cell.bucket] = cell.open_minor
            per_customer_items[(cell.customer_id, cell.currency)] += cell.items
    cash = {(u.customer_id, u.currency): u.cash_minor for u in unapplied}
    credits = {(u.customer_id, u.currency): u.credits_minor for u in unapplied}
    rows = []
    if by_customer:
        for key in sorted(set(per_customer) | set(cash), key=lambda k: (names.get(k[0], ("", ""))[0], k[1])):
            external_id, name = names.get(key[0], ("", ""))
            rows.append(
                aging_line(
                    key[1], per_customer.get(key, {}), labels, per_customer_items.get(key, 0),
                    cash.get(key, 0), credits.get(key, 0), (key[0], external_id, name),
                )
            )  # fmt: skip
    totals = []
    for currency in sorted(set(per_currency) | {u.currency for u in unapplied}):
        totals.append(
            aging_line(
                currency,
                dict(per_currency.get(currency, {})),
                labels,
                per_currency_items.get(currency, 0),
                sum(v for (_, c), v in cash.items() if c == currency),
                sum(v for (_, c), v in credits.items() if c == currency),
            )
        )
    return AgingReport(as_of=as_of, basis=basis, bucket_labels=labels, rows=rows, totals=totals)


async def aging_report(
    session: AsyncSession,
    as_of: date,
    edges: Sequence[int],
    basis: AgingBasis,
    *,
    by_customer: bool,
    customer_id: uuid.UUID | None = None,
    business_entity: str | None = None,
) -> AgingReport:
    repo = ReportRepository(session)
    cells = await repo.aging(
        as_of,
        edges,
        basis=basis,
        by_customer=by_customer,
        customer_id=customer_id,
        business_entity=business_entity,
    )
    unapplied = await repo.unapplied(as_of, customer_id)
    names: dict[uuid.UUID, tuple[str, str]] = {}
    if by_customer:
        ids = {c.customer_id for c in cells if c.customer_id} | {u.customer_id for u in unapplied}
        names = await repo.customer_names(sorted(ids))
    return assemble_aging(as_of, basis, edges, cells, unapplied, names, by_customer=by_customer)


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
    *,
    customer_id: uuid.UUID | None,
    business_entity: str | None,
    overdue_only: bool,
) -> OpenItems:
    rows = await ReportRepository(session).open_items(
        as_of, customer_id=customer_id, business_entity=business_entity, overdue_only=overdue_only
    )
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.currency] += row.open_minor
    return OpenItems(
        as_of=as_of,
        items=[open_item(r, as_of, edges) for r in rows],
        totals={c: _amount(v, c) for c, v in sorted(totals.items())},
    )
