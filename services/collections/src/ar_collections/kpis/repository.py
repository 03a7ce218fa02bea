"""SQL for KPIs per collector, team, portfolio, business entity or overall: AR as of a date from
the items' movements, credit sales per month, promises judged, contacts, disputes, cash collected
and targets, each per group and currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.grouping import FILTERS, GROUP_KEYS, Scope
from ar_collections.models.activity import CONTACT_KINDS


@dataclass(frozen=True, slots=True)
class ArFigures:
    total: int
    current: int  # not past due on the date
    over_90: int  # more than 90 days past due


@dataclass(frozen=True, slots=True)
class JudgedPromise:
    status: str  # kept, partially_kept or broken
    amount_minor: int
    received_minor: int  # cash applied to its items by the deadline


@dataclass(frozen=True, slots=True)
class DisputeFigures:
    opened: int  # opened in the period
    resolved: int  # resolved (valid, invalid or withdrawn) in the period
    resolved_days: int  # the resolved ones' days from opening to resolution, summed
    open_at_end: int  # opened by the period's end and not resolved by then
    open_days: int  # their days open at the period's end, summed


class KpiRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ar(self, as_of: date, scope: Scope) -> dict[tuple[str, str], ArFigures]:
        """Open AR per (group, currency) as of a date: every movement effective by then."""
        sql = f"""
            WITH balances AS (
                SELECT m.invoice_id, sum(m.delta_minor) AS open_minor
                FROM collections.item_movements m
                WHERE m.effective_date <= :as_of
                GROUP BY m.invoice_id
                HAVING sum(m.delta_minor) <> 0
            )
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency,
                   sum(b.open_minor) AS total,
                   coalesce(sum(b.open_minor) FILTER (WHERE i.due_date >= :as_of), 0) AS current_part,
                   coalesce(sum(b.open_minor) FILTER (WHERE :as_of - i.due_date > 90), 0) AS over_90
            FROM balances b
            JOIN collections.open_items i ON i.invoice_id = b.invoice_id
            {scope.joins()}
            WHERE true {FILTERS}
            GROUP BY 1, 2
        """  # noqa: S608 - fixed fragments only
        rows = await self.session.execute(text(sql), {"as_of": as_of, **scope.params()})
        return {
            (r.group_key, r.currency): ArFigures(int(r.total), int(r.current_part), int(r.over_90))
            for r in rows
        }

    async def oldest_open_issue_date(self, as_of: date, scope: Scope) -> date | None:
        """How far back count-back may walk (the oldest item open on the date, any group)."""
        sql = f"""
            SELECT min(i.issue_date)
            FROM (SELECT m.invoice_id FROM collections.item_movements m WHERE m.effective_date <= :as_of
                  GROUP BY m.invoice_id HAVING sum(m.delta_minor) <> 0) b
            JOIN collections.open_items i ON i.invoice_id = b.invoice_id
            {scope.joins()}
            WHERE true {FILTERS}
        """  # noqa: S608 - fixed fragments only
        found: date | None = await self.session.scalar(text(sql), {"as_of": as_of, **scope.params()})
        return found

    async def sales_by_month(
        self, first: date, start: date, end: date, scope: Scope
    ) -> dict[tuple[str, str], dict[tuple[date, bool], int]]:
        """Credit sales (invoices issued in [first, end], not void by `end`, not fees) per (group, currency),
        calendar month and whether in the period."""
        sql = f"""
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency,
                   date_trunc('month', i.issue_date)::date AS month, i.issue_date >= :start AS in_period,
                   sum(i.amount_minor) AS sales
            FROM collections.open_items i
            {scope.joins()}
            WHERE i.issue_date BETWEEN :first AND :end
              AND i.document_kind = 'invoice'  -- fees and interest are not sales (as in the ledger)
              AND NOT EXISTS (
                  SELECT 1 FROM collections.item_movements v
                  WHERE v.invoice_id = i.invoice_id AND v.kind = 'voided' AND v.effective_date <= :end
              )
              {FILTERS}
            GROUP BY 1, 2, 3, 4
        """  # noqa: S608 - fixed fragments only
        params = {"first": first, "start": start, "end": end, **scope.params()}
        result: dict[tuple[str, str], dict[tuple[date, bool], int]] = {}
        for r in await self.session.execute(text(sql), params):
            result.setdefault((r.group_key, r.currency), {})[(r.month, r.in_period)] = int(r.sales)
        return result

    async def judged_promises(
        self, start: date, end: date, scope: Scope
    ) -> dict[tuple[str, str], list[JudgedPromise]]:
        """Promises judged (kept, partially kept, broken) on a business date in the period, in
        the promise's currency."""
        sql = f"""
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency, i.status, i.amount_minor,
                   i.received_minor
            FROM collections.promises_to_pay i
            {scope.joins()}
            WHERE i.status IN ('kept', 'partially_kept', 'broken') AND i.judged_on BETWEEN :start AND :end
              {FILTERS}
        """  # noqa: S608 - fixed fragments only
        result: dict[tuple[str, str], list[JudgedPromise]] = {}
        for r in await self.session.execute(text(sql), {"start": start, "end": end, **scope.params()}):
            result.setdefault((r.group_key, r.currency), []).append(
                JudgedPromise(r.status, int(r.amount_minor), int(r.received_minor))
            )
        return result

    async def contacts(self, start: date, end: date, scope: Scope) -> dict[tuple[str, str], int]:
        """Contacts with the customer (calls, e-mails, letters, visits, either direction; not notes)
        on a business date in the period, under the account's currency."""
        sql = f"""
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, a.currency, count(*) AS contacts
            FROM collections.activities i
            {scope.joins()}
            WHERE i.kind = ANY(:kinds) AND i.occurred_on BETWEEN :start AND :end
              {FILTERS}
            GROUP BY 1, 2
        """  # noqa: S608 - fixed fragments only
        params = {"start": start, "end": end, "kinds": list(CONTACT_KINDS), **scope.params()}
        return {
            (r.group_key, r.currency): int(r.contacts) for r in await self.session.execute(text(sql), params)
        }

    async def disputes(self, start: date, end: date, scope: Scope) -> dict[tuple[str, str], DisputeFigures]:
        """Dispute and deduction cases opened or resolved in the period, or open at its end."""
        sql = f"""
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency,
                   count(*) FILTER (WHERE i.opened_on >= :start) AS opened,
                   count(*) FILTER (WHERE i.resolved_on <= :end) AS resolved,
                   coalesce(sum(i.resolved_on - i.opened_on) FILTER (WHERE i.resolved_on <= :end), 0)
                       AS resolved_days,
                   count(*) FILTER (WHERE i.resolved_on IS NULL OR i.resolved_on > :end) AS open_at_end,
                   coalesce(sum(CAST(:end AS date) - i.opened_on)
                       FILTER (WHERE i.resolved_on IS NULL OR i.resolved_on > :end), 0) AS open_days
            FROM collections.dispute_cases i
            {scope.joins()}
            WHERE i.opened_on <= :end AND (i.resolved_on IS NULL OR i.resolved_on >= :start)
              {FILTERS}
            GROUP BY 1, 2
        """  # noqa: S608 - fixed fragments only
        rows = await self.session.execute(text(sql), {"start": start, "end": end, **scope.params()})
        return {
            (r.group_key, r.currency): DisputeFigures(
                int(r.opened), int(r.resolved), int(r.resolved_days), int(r.open_at_end), int(r.open_days)
            )
            for r in rows
        }

    async def collected(self, start: date, end: date, scope: Scope) -> dict[tuple[str, str], int]:
        """Cash received in the period and not reversed by its end, in the payment's currency."""
        sql = f"""
            SELECT {GROUP_KEYS[scope.group_by]} AS group_key, i.currency, sum(i.amount_minor) AS collected
            FROM collections.payments i
            {scope.joins()}
            WHERE i.received_on BETWEEN :start AND :end AND (i.reversed_on IS NULL OR i.reversed_on > :end)
              {FILTERS}
            GROUP BY 1, 2
        """  # noqa: S608 - fixed fragments only
        rows = await self.session.execute(text(sql), {"start": start, "end": end, **scope.params()})
        return {(r.group_key, r.currency): int(r.collected) for r in rows}

    async def targets(self, start: date, end: date, scope: Scope) -> dict[tuple[str, str], int]:
        """The collection targets set for exactly this period (a month, quarter or year) for the
        groups of a collector, team or portfolio report."""
        if scope.group_by not in ("collector", "team", "portfolio"):
            return {}
        rows = await self.session.execute(
            text(
                """
                SELECT scope_key, currency, amount_minor FROM collections.collection_targets
                WHERE scope = :scope AND starts_on = :start AND ends_on = :end
                """
            ),
            {"scope": scope.group_by, "start": start, "end": end},
        )
        return {(r.scope_key, r.currency): int(r.amount_minor) for r in rows}
