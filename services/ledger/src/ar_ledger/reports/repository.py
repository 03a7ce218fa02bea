"""SQL for as-of reports. Every query takes `as_of` and ignores movements dated after it.

Sums over many documents stay NUMERIC (PostgreSQL's sum of BIGINT) and become Python ints: a
customer's or everyone's total may pass BIGINT even though each amount is far below it. Only a
sum within one document (what was applied to one invoice) is cast back to BIGINT.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain.aging import bucket_case_sql, current_sql, days_past_due_sql, overdue_sql
from ar_ledger.filters import ResolvedScope
from ar_ledger.reports.queries import (
    BALANCE_AS_OF,
    OPEN_ITEMS_CURRENT,
    STATEMENT_LINES,
    UNAPPLIED_AS_OF,
    UNAPPLIED_CURRENT,
    UNAPPLIED_SOURCES_AS_OF,
)
from ar_ledger.reports.queries import OPEN_ITEMS_AS_OF as OPEN_ITEMS_AS_OF  # read by the past-due sweep


@dataclass(frozen=True)
class StatementRow:
    effective_date: date
    kind: str
    document_id: uuid.UUID
    effect_minor: int
    currency: str


@dataclass(frozen=True)
class OpenItemRow:
    id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int


@dataclass(frozen=True)
class UnappliedSourceRow:
    """A payment or credit memo with money unapplied as of a date."""

    kind: Literal["payment", "credit_memo"]
    id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    document_date: date
    document_number: str
    unapplied_minor: int


@dataclass(frozen=True)
class AgingCell:
    currency: str
    bucket: int
    open_minor: int
    items: int


@dataclass(frozen=True)
class CustomerAgingRow:
    """One customer's open amounts in one currency, per bucket, with its unapplied money."""

    customer_id: uuid.UUID
    external_id: str
    name: str
    currency: str
    by_bucket: tuple[int, ...]
    total_minor: int
    items: int
    cash_minor: int
    credits_minor: int


CustomerOrder = Literal["name", "total_desc"]


def _customer_row(r: Sequence[Any], width: int) -> CustomerAgingRow:
    """id, external id, name, currency, `width` bucket sums, total, items, cash, credits."""
    buckets = tuple(int(v) for v in r[4 : 4 + width])
    total, items, cash, credits = (int(v) for v in r[4 + width : 8 + width])
    return CustomerAgingRow(r[0], r[1], r[2], r[3], buckets, total, items, cash, credits)


@dataclass(frozen=True)
class UnappliedRow:
    customer_id: uuid.UUID
    currency: str
    cash_minor: int
    credits_minor: int


def _filters(scope: ResolvedScope, alias: str = "i") -> str:
    """`AND ...` narrowing documents (with `customer_id` and `business_entity`) to the scope."""
    clauses = []
    if scope.customer_id is not None:
        clauses.append(f"{alias}.customer_id = :customer_id")
    if scope.business_entity is not None:
        clauses.append(f"{alias}.business_entity = :business_entity")
    if scope.sales_rep is not None:
        # only fixed fragments here and below: every value is a bind parameter
        represented = "SELECT id FROM ledger.customers WHERE sales_rep = :sales_rep"
        clauses.append(f"{alias}.customer_id IN ({represented})")
    return "".join(f" AND {c}" for c in clauses)


def _unapplied_filter(scope: ResolvedScope) -> str:
    """The same for unapplied money (payments carry no entity: the customer's is used)."""
    clauses = []
    if scope.customer_id is not None:
        clauses.append("customer_id = :customer_id")
    customer = [
        *(["business_entity = :business_entity"] if scope.business_entity is not None else []),
        *(["sales_rep = :sales_rep"] if scope.sales_rep is not None else []),
    ]
    if customer:
        where = " AND ".join(customer)
        clauses.append(f"customer_id IN (SELECT id FROM ledger.customers WHERE {where})")  # noqa: S608
    return "".join(f" AND {c}" for c in clauses)


def _scope_params(scope: ResolvedScope, **more: object) -> dict[str, object]:
    return {
        "customer_id": scope.customer_id,
        "business_entity": scope.business_entity,
        "sales_rep": scope.sales_rep,
        **more,
    }


def _bucket_of_open_item(edges: Sequence[int], basis: str) -> str:
    """The bucket of an open item `o` as of `:as_of`, by the domain's rules (domain/aging.py):
    days past its due date, or since its issue date on the issue-date basis."""
    reference = "o.due_date" if basis == "due_date" else "o.issue_date"
    return bucket_case_sql(days_past_due_sql(":as_of", reference), edges)


class ReportRepository:
    def __init__(self, session: AsyncSession, *, fast_path: bool = True) -> None:
        self.session = session
        self._fast_path = fast_path
        self._current_on: dict[date, bool] = {}

    async def is_current(self, as_of: date) -> bool:
        """True when no movement is dated after `as_of`: as-of equals the incremental balances.

        Every movement (issue, void, payment, application, reversal, memo, write-off) is a journal
        entry, so one index probe answers it.
        """
        if not self._fast_path:
            return False
        if as_of not in self._current_on:
            latest = await self.session.scalar(text("SELECT max(effective_date) FROM ledger.journal_entries"))
            self._current_on[as_of] = latest is None or latest <= as_of
        return self._current_on[as_of]

    async def _open_items_sql(self, as_of: date) -> str:
        return OPEN_ITEMS_CURRENT if await self.is_current(as_of) else OPEN_ITEMS_AS_OF

    async def open_items(
        self,
        as_of: date,
        scope: ResolvedScope = ResolvedScope(),
        *,
        overdue_only: bool = False,
    ) -> list[OpenItemRow]:
        sql = await self._open_items_sql(as_of) + _filters(scope)
        if overdue_only:
            sql += f" AND {overdue_sql(':as_of', 'i.due_date')}"
        sql += " ORDER BY i.due_date, i.issue_date, i.invoice_number"
        rows = (await self.session.execute(text(sql), _scope_params(scope, as_of=as_of))).all()
        return [OpenItemRow(*row) for row in rows]

    async def aging(
        self,
        as_of: date,
        edges: Sequence[int],
        scope: ResolvedScope = ResolvedScope(),
        *,
        basis: str,
    ) -> list[AgingCell]:
        """One aggregate in the database: open amount and items per currency and bucket."""
        bucket = _bucket_of_open_item(edges, basis)
        sql = f"""
            SELECT o.currency, {bucket} AS bucket, sum(o.open_minor) AS open_minor, count(*) AS items
            FROM ({await self._open_items_sql(as_of)}{_filters(scope)}) o
            GROUP BY o.currency, bucket
        """  # noqa: S608 - only validated integers and fixed names are interpolated
        rows = (await self.session.execute(text(sql), _scope_params(scope, as_of=as_of))).all()
        return [AgingCell(r.currency, int(r.bucket), int(r.open_minor), int(r.items)) for r in rows]

    async def aging_by_customer(
        self,
        as_of: date,
        edges: Sequence[int],
        scope: ResolvedScope,
        *,
        basis: str,
        order: CustomerOrder,
        after: tuple[str | int, str, uuid.UUID] | None,
        limit: int | None,
    ) -> list[CustomerAgingRow]:
        """One row per customer and currency, pivoted in the database and paged by keyset.

        Customers with only unapplied money have a row too. `after` is the sort key of the last
        row of the previous page: (name or total, currency, customer id).
        """
        bucket = _bucket_of_open_item(edges, basis)
        columns = ", ".join(
            f"coalesce(sum(o.open_minor) FILTER (WHERE {bucket} = {n}), 0) AS b{n}"
            for n in range(len(edges) + 2)
        )
        unapplied = (UNAPPLIED_CURRENT if await self.is_current(as_of) else UNAPPLIED_AS_OF).format(
            customer_filter=_unapplied_filter(scope)
        )
        key = "c.name" if order == "name" else "coalesce(l.total_minor, 0)"
        direction = "" if order == "name" else " DESC"
        keyset = ""
        if after is not None:
            comparison = ">" if order == "name" else "<"
            keyset = (
                f" AND ({key} {comparison} :after_key OR ({key} = :after_key AND"
                " (coalesce(l.currency, u.currency), c.id) > (:after_currency, :after_id)))"
            )
        sql = f"""
            WITH l AS (
                SELECT o.customer_id, o.currency, {columns},
                       sum(o.open_minor) AS total_minor, count(*) AS items
                FROM ({await self._open_items_sql(as_of)}{_filters(scope)}) o
                GROUP BY o.customer_id, o.currency
            ), u AS ({unapplied})
            SELECT c.id, c.external_id, c.name, coalesce(l.currency, u.currency) AS currency,
                   {", ".join(f"coalesce(l.b{n}, 0)" for n in range(len(edges) + 2))},
                   coalesce(l.total_minor, 0), coalesce(l.items, 0),
                   coalesce(u.cash_minor, 0), coalesce(u.credits_minor, 0)
            FROM l FULL JOIN u ON u.customer_id = l.customer_id AND u.currency = l.currency
            JOIN ledger.customers c ON c.id = coalesce(l.customer_id, u.customer_id)
            WHERE true{" AND c.business_entity = :business_entity" if scope.business_entity else ""}{keyset}
            ORDER BY {key}{direction}, coalesce(l.currency, u.currency), c.id
            {"LIMIT :limit" if limit is not None else ""}
        """  # noqa: S608 - only validated integers and fixed fragments are interpolated
        params = _scope_params(scope, as_of=as_of, limit=limit)
        if after is not None:
            params.update(after_key=after[0], after_currency=after[1], after_id=after[2])
        width = len(edges) + 2
        return [_customer_row(r, width) for r in await self.session.execute(text(sql), params)]

    async def unapplied(self, as_of: date, scope: ResolvedScope = ResolvedScope()) -> list[UnappliedRow]:
        template = UNAPPLIED_CURRENT if await self.is_current(as_of) else UNAPPLIED_AS_OF
        sql = template.format(customer_filter=_unapplied_filter(scope))
        rows = (await self.session.execute(text(sql), _scope_params(scope, as_of=as_of))).all()
        return [
            UnappliedRow(r.customer_id, r.currency, int(r.cash_minor or 0), int(r.credits_minor or 0))
            for r in rows
        ]

    async def unapplied_sources(self, as_of: date, scope: ResolvedScope) -> list[UnappliedSourceRow]:
        """Each payment and credit memo with money unapplied as of a date (always recomputed)."""
        sql = f"SELECT * FROM ({UNAPPLIED_SOURCES_AS_OF}) s WHERE left_minor > 0 {_unapplied_filter(scope)}"  # noqa: S608
        rows = await self.session.execute(text(sql), _scope_params(scope, as_of=as_of))
        return [
            UnappliedSourceRow(
                r.kind, r.id, r.customer_id, r.currency, r.document_date, r.document_number, int(r.left_minor)
            )
            for r in rows
        ]

    async def ar_totals(self, as_of: date, scope: ResolvedScope) -> dict[str, tuple[int, int]]:
        """Open AR and its current (not past due) part per currency, as of a date."""
        sql = f"""
            SELECT o.currency, sum(o.open_minor) AS total,
                   sum(o.open_minor) FILTER (WHERE {current_sql(":as_of", "o.due_date")}) AS current_part
            FROM ({await self._open_items_sql(as_of)}{_filters(scope)}) o
            GROUP BY o.currency
        """  # noqa: S608 - fixed fragments only
        rows = await self.session.execute(text(sql), _scope_params(scope, as_of=as_of))
        return {r.currency: (int(r.total or 0), int(r.current_part or 0)) for r in rows}

    async def oldest_open_issue_date(self, as_of: date, scope: ResolvedScope) -> date | None:
        """Issue date of the oldest invoice open as of a date: how far back count-back may walk."""
        sql = f"SELECT min(o.issue_date) FROM ({await self._open_items_sql(as_of)}{_filters(scope)}) o"  # noqa: S608
        found: date | None = await self.session.scalar(text(sql), _scope_params(scope, as_of=as_of))
        return found

    async def sales_by_month(
        self, first: date, start: date, end: date, scope: ResolvedScope
    ) -> dict[str, dict[tuple[date, bool], int]]:
        """Credit sales (invoices issued, not void by `end`) issued in [first, end], per currency,
        calendar month and whether in the period [start, end] (the month of `start` in two parts).
        Dunning fees and late interest are receivables, not sales: they are left out."""
        sql = f"""
            SELECT i.currency, date_trunc('month', i.issue_date)::date AS month,
                   i.issue_date >= :start AS in_period, sum(i.amount_minor) AS sales
            FROM ledger.invoices i
            WHERE i.issue_date BETWEEN :first AND :end AND (i.voided_on IS NULL OR i.voided_on > :end)
              AND i.document_kind = 'invoice'
            {_filters(scope)}
            GROUP BY i.currency, month, in_period
        """  # noqa: S608 - fixed fragments only
        params = _scope_params(scope, first=first, start=start, end=end)
        result: dict[str, dict[tuple[date, bool], int]] = {}
        for r in await self.session.execute(text(sql), params):
            result.setdefault(r.currency, {})[(r.month, r.in_period)] = int(r.sales)
        return result

    async def statement_lines(self, customer_id: uuid.UUID, start: date, end: date) -> list[StatementRow]:
        """Journal entries of the customer that change what it owes, in [start, end]."""
        rows = await self.session.execute(
            text(STATEMENT_LINES), {"customer_id": customer_id, "start": start, "end": end}
        )
        return [StatementRow(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    async def balance_as_of(self, customer_id: uuid.UUID, as_of: date) -> int:
        row = await self.session.execute(text(BALANCE_AS_OF), {"customer_id": customer_id, "as_of": as_of})
        return int(row.scalar_one() or 0)
