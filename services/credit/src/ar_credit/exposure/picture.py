"""The exposure picture of one customer, built in one place for the credit check and the policy engine.

One statement reads everything both need on the customer's business date: the customer, its
running exposure balances, profile (limit, risk class), what is overdue and how old, and its
active holds. The credit check sends it on a read-pool connection (one statement, one snapshot);
the policy engine and a recorded decision on their session's connection, inside their transaction
(flushed first, so it sees what they changed). The date is the entity's business date, resolved
in SQL by `calendars.sql` (the twin of `ar_shared.business_date`); overdue and oldest due date are
`domain.credit.overdue_position` in SQL; both are tested against the Python rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.calendars.sql import business_date_sql
from ar_credit.domain.credit import ExposureParts, days_past_due, overdue_sql
from ar_shared.clock import session_clock
from ar_shared.db import driver_connection


@dataclass(frozen=True)
class CreditRules:
    """The settings every reader of the picture applies the same way."""

    include_disputed: bool  # disputed amounts count in exposure
    default_time_zone: str  # the calendar of an entity the ledger never announced


def _picture_sql(customers: str, not_before: str, where: str, customer_column: str = "") -> str:
    calendar_date = business_date_sql("bc", "$2::timestamptz", "$3::text")
    overdue = overdue_sql("i.due_date", "d.business_date")
    # what is overdue, through the open-invoice index's range (due before the business date), and
    # the oldest due date, the index's first entry: a customer's other open invoices are not read
    # (summed with a FILTER over all of them, a consumer batch judging 100 customers of 250 open
    # invoices each read 25,000 rows for it)
    return f"""
    SELECT c.currency, c.business_entity, d.business_date, p.limit_minor, p.risk_class,
           coalesce(e.open_ar_minor, 0) AS open_ar, coalesce(e.unapplied_cash_minor, 0) AS unapplied_cash,
           coalesce(e.unapplied_credits_minor, 0) AS unapplied_credits,
           coalesce(e.open_orders_minor, 0) AS open_orders, coalesce(e.disputed_minor, 0) AS disputed,
           o.overdue, od.oldest_due, h.ids AS hold_ids, h.reason_codes AS hold_reason_codes,
           h.sources AS hold_sources, h.placed_at AS hold_placed_at, e.last_event_at{customer_column}
    FROM {customers}
    LEFT JOIN credit.business_calendars bc ON bc.business_entity = c.business_entity
    CROSS JOIN LATERAL (
        SELECT greatest({calendar_date}, {not_before}) AS business_date
    ) d
    LEFT JOIN credit.exposures e ON e.customer_id = c.id
    LEFT JOIN credit.credit_profiles p ON p.customer_id = c.id
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(i.open_minor), 0)::bigint AS overdue
        FROM credit.invoices i WHERE i.customer_id = c.id AND i.open_minor > 0 AND {overdue}
    ) o
    CROSS JOIN LATERAL (
        SELECT min(i.due_date) AS oldest_due
        FROM credit.invoices i WHERE i.customer_id = c.id AND i.open_minor > 0
    ) od
    CROSS JOIN LATERAL (
        SELECT array_agg(h.id ORDER BY h.placed_at, h.id) AS ids,
               array_agg(h.reason_code ORDER BY h.placed_at, h.id) AS reason_codes,
               array_agg(h.source ORDER BY h.placed_at, h.id) AS sources,
               array_agg(h.placed_at ORDER BY h.placed_at, h.id) AS placed_at
        FROM credit.credit_holds h WHERE h.customer_id = c.id AND h.status = 'active'
    ) h
{where}"""  # noqa: S608 - the only interpolation is SQL text from code


# $1 customer, $2 now (timestamptz), $3 default time zone, $4 a date the business date is at least
# (an AccountPastDue's as-of date; NULL otherwise). Holds come back as parallel arrays, oldest
# first: asyncpg decodes arrays of uuid, text and timestamptz natively, which is cheaper than
# building and parsing JSON on the hot path.
PICTURE_SQL = _picture_sql("credit.customers c", "$4::date", "    WHERE c.id = $1\n")
# The same for many customers in one statement ($1 their ids, $4 a date per customer, may be NULL),
# and whether each has blocked (refused) orders to judge again: a consumer batch judges each
# customer it touched with it.
PICTURES_SQL = _picture_sql(
    "unnest($1::uuid[], $4::date[]) AS v(id, not_before) JOIN credit.customers c ON c.id = v.id",
    "v.not_before",
    "",
    customer_column=(
        ", c.id AS customer_id, EXISTS (SELECT FROM credit.orders r"
        " WHERE r.customer_id = c.id AND r.status = 'refused') AS refused_orders"
    ),
)


@dataclass(frozen=True)
class HoldRow:
    id: uuid.UUID
    reason_code: str
    source: Literal["policy", "manual", "collections"]  # the table's CHECK constraint
    placed_at: datetime


@dataclass(frozen=True)
class CreditPicture:
    """A customer's exposure on its entity's business date, in minor units of its currency."""

    customer_id: uuid.UUID
    currency: str
    business_entity: str
    business_date: date
    limit_minor: int | None  # None: no credit profile
    risk_class: str | None
    parts: ExposureParts
    holds: list[HoldRow]
    # the time of the last event applied for the customer (None: none yet): the exposure is the
    # ledger as of then
    last_event_at: datetime | None = None

    def exposure(self, rules: CreditRules) -> int:
        return self.parts.total(include_disputed=rules.include_disputed)


async def read_picture(
    connection: asyncpg.Connection,
    customer_id: uuid.UUID,
    now: datetime,
    rules: CreditRules,
    *,
    not_before: date | None = None,
) -> CreditPicture | None:
    """The customer's picture now (None: the customer is unknown to credit); its business date is
    at least `not_before`. One prepared statement, sent straight to asyncpg (it keeps the plan per
    connection)."""
    row = await connection.fetchrow(PICTURE_SQL, customer_id, now, rules.default_time_zone, not_before)
    return None if row is None else _picture(customer_id, row)


async def read_pictures(
    connection: asyncpg.Connection,
    not_before: Mapping[uuid.UUID, date | None],
    now: datetime,
    rules: CreditRules,
) -> tuple[dict[uuid.UUID, CreditPicture], set[uuid.UUID]]:
    """`read_picture` for many customers in one statement, each at least its own date (the
    customers unknown to credit are left out); and those of them with blocked orders."""
    rows = await connection.fetch(
        PICTURES_SQL, list(not_before), now, rules.default_time_zone, list(not_before.values())
    )
    pictures = {row["customer_id"]: _picture(row["customer_id"], row) for row in rows}
    return pictures, {row["customer_id"] for row in rows if row["refused_orders"]}


def _picture(customer_id: uuid.UUID, row: asyncpg.Record) -> CreditPicture:
    today: date = row["business_date"]
    holds = (
        [
            HoldRow(*hold)
            for hold in zip(
                row["hold_ids"], row["hold_reason_codes"], row["hold_sources"], row["hold_placed_at"],
                strict=True,
            )
        ]
        if row["hold_ids"]
        else []
    )  # fmt: skip
    parts = ExposureParts(
        open_ar=row["open_ar"], unapplied_cash=row["unapplied_cash"],
        unapplied_credits=row["unapplied_credits"], open_orders=row["open_orders"], disputed=row["disputed"],
        overdue=row["overdue"], oldest_days_past_due=days_past_due(row["oldest_due"], today),
    )  # fmt: skip
    return CreditPicture(
        customer_id, row["currency"], row["business_entity"], today, row["limit_minor"], row["risk_class"],
        parts, holds, row["last_event_at"],
    )  # fmt: skip


async def session_picture(
    session: AsyncSession, customer_id: uuid.UUID, rules: CreditRules, *, not_before: date | None = None
) -> CreditPicture | None:
    """The picture inside the session's transaction (which must have begun), after the changes it
    holds, at the clock of the app or worker that opened it."""
    connection = await driver_connection(session)
    return await read_picture(
        connection, customer_id, session_clock(session).now(), rules, not_before=not_before
    )


async def session_pictures(
    session: AsyncSession, not_before: Mapping[uuid.UUID, date | None], rules: CreditRules
) -> tuple[dict[uuid.UUID, CreditPicture], set[uuid.UUID]]:
    """`session_picture` for many customers in one statement; and those of them with blocked orders."""
    if not not_before:
        return {}, set()
    connection = await driver_connection(session)
    return await read_pictures(connection, not_before, session_clock(session).now(), rules)
