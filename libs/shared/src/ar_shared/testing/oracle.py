"""One oracle for whole-platform fault tests: what must hold in the database whatever went wrong.

It reads every service's schema of the platform's database (as the superuser: no row-level
security in the way) and counts, for each invariant, what it checked and what it found broken:

- every journal entry balances (debits = credits) and has lines;
- the balances the ledger caches (a customer's open AR, unapplied cash and credits; an invoice's
  open amount) equal the sum of their journal lines;
- every request the load generator got a 2xx for exists exactly once, as the document(s) its
  answer named (invoice numbers, a payment's external reference);
- every event of a type a consumer handles is in that consumer's inbox (the inbox's key makes
  "at most once" structural; this is "at least once"), and its effect is there once: the credit
  exposure and invoices, and the collections projection (open items, payments, accounts) equal
  the ledger's;
- nothing is left unpublished in any outbox.

Events travel asynchronously, so `settle` checks until everything holds or a deadline passes,
and returns the last report: a test prints its `line()` and asserts it `clean`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

SCHEMAS = ("ledger", "credit", "collections", "notifications")


@dataclass(frozen=True)
class SentRequest:
    """One request of a load generator as the client saw it in the end (after its retries)."""

    kind: Literal["invoice", "payment", "bulk"]
    key: str  # its Idempotency-Key, the same on every retry
    references: tuple[str, ...]  # the invoice numbers it issues, or the payment's external reference
    outcome: Literal["ok", "error"]
    status: int | None  # the last HTTP status (None: no answer, e.g. a timeout)
    document_ids: tuple[uuid.UUID, ...] = ()  # what the 2xx answer named
    attempts: int = 1


@dataclass
class OracleReport:
    counts: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.violations

    def line(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self.counts.items())

    def __str__(self) -> str:
        shown = "\n  ".join(self.violations[:20])
        more = f"\n  ... {len(self.violations) - 20} more" if len(self.violations) > 20 else ""
        return self.line() + (f"\nviolations:\n  {shown}{more}" if self.violations else "")

    def _count(self, name: str, value: int) -> None:
        self.counts[name] = value

    def _broken(self, name: str, rows: Sequence[object], describe: str) -> None:
        self.counts[name] = len(rows)
        self.violations.extend(f"{describe}: {row}" for row in rows[:50])


_UNBALANCED = """
SELECT e.id, coalesce(sum(l.debit_minor), 0) AS debits, coalesce(sum(l.credit_minor), 0) AS credits
FROM ledger.journal_entries e LEFT JOIN ledger.journal_lines l ON l.entry_id = e.id
GROUP BY e.id
HAVING count(l.id) = 0 OR sum(l.debit_minor) <> sum(l.credit_minor)
"""

# each cached balance against its accounts in the journal (see ar_ledger.domain.journal)
_CUSTOMER_BALANCES = """
WITH posted AS (
  SELECT customer_id,
         sum(debit_minor - credit_minor) FILTER (WHERE account = 'accounts_receivable') AS open_ar,
         sum(credit_minor - debit_minor) FILTER (WHERE account = 'unapplied_cash') AS cash,
         sum(credit_minor - debit_minor) FILTER (WHERE account = 'customer_credits') AS credits
  FROM ledger.journal_lines GROUP BY customer_id
)
SELECT c.id, c.open_ar_minor, p.open_ar, c.unapplied_cash_minor, p.cash,
       c.unapplied_credits_minor, p.credits
FROM ledger.customers c LEFT JOIN posted p ON p.customer_id = c.id
WHERE c.open_ar_minor <> coalesce(p.open_ar, 0)
   OR c.unapplied_cash_minor <> coalesce(p.cash, 0)
   OR c.unapplied_credits_minor <> coalesce(p.credits, 0)
"""

_INVOICE_BALANCES = """
WITH posted AS (
  SELECT invoice_id, sum(debit_minor - credit_minor) AS open_minor
  FROM ledger.journal_lines
  WHERE account = 'accounts_receivable' AND invoice_id IS NOT NULL
  GROUP BY invoice_id
)
SELECT i.id, i.invoice_number, i.open_minor, p.open_minor
FROM ledger.invoices i LEFT JOIN posted p ON p.invoice_id = i.id
WHERE i.open_minor <> coalesce(p.open_minor, 0)
"""

_CREDIT_EXPOSURES = """
SELECT c.id, c.open_ar_minor, e.open_ar_minor, c.unapplied_cash_minor, e.unapplied_cash_minor,
       c.unapplied_credits_minor, e.unapplied_credits_minor
FROM ledger.customers c LEFT JOIN credit.exposures e ON e.customer_id = c.id
WHERE e.customer_id IS NULL
   OR (c.open_ar_minor, c.unapplied_cash_minor, c.unapplied_credits_minor)
      IS DISTINCT FROM (e.open_ar_minor, e.unapplied_cash_minor, e.unapplied_credits_minor)
"""

_CREDIT_INVOICES = """
SELECT i.id, i.invoice_number, i.open_minor, ci.open_minor
FROM ledger.invoices i LEFT JOIN credit.invoices ci ON ci.id = i.id
WHERE ci.id IS NULL OR ci.open_minor <> i.open_minor OR ci.amount_minor <> i.amount_minor
"""

_COLLECTIONS_ACCOUNTS = """
SELECT c.id FROM ledger.customers c
LEFT JOIN collections.accounts a ON a.customer_id = c.id WHERE a.customer_id IS NULL
"""

_COLLECTIONS_OPEN_ITEMS = """
SELECT i.id, i.invoice_number, i.open_minor, o.open_minor
FROM ledger.invoices i LEFT JOIN collections.open_items o ON o.invoice_id = i.id
WHERE o.invoice_id IS NULL OR o.open_minor <> i.open_minor OR o.amount_minor <> i.amount_minor
"""

_COLLECTIONS_PAYMENTS = """
SELECT p.id, p.unapplied_minor, cp.unapplied_minor
FROM ledger.payments p LEFT JOIN collections.payments cp ON cp.payment_id = p.id
WHERE cp.payment_id IS NULL OR cp.unapplied_minor <> p.unapplied_minor
   OR cp.amount_minor <> p.amount_minor
"""

# the projection holds nothing the ledger does not
_COLLECTIONS_EXTRA = """
SELECT o.invoice_id FROM collections.open_items o
LEFT JOIN ledger.invoices i ON i.id = o.invoice_id WHERE i.id IS NULL
"""


async def check(
    admin_url: str,
    requests: Sequence[SentRequest] = (),
    consumes: Mapping[str, Collection[str]] | None = None,
) -> OracleReport:
    """One look at the database of the platform at `admin_url` (a superuser's SQLAlchemy URL).

    `consumes`: per consumer schema, the event types its worker handles (any producer's).
    """
    engine = create_async_engine(admin_url, poolclass=NullPool)
    report = OracleReport()
    try:
        async with engine.connect() as db:
            await _journal(db, report)
            await _requests(db, report, requests)
            await _events(db, report, consumes or {})
            await _projections(db, report)
    finally:
        await engine.dispose()
    return report


async def settle(
    admin_url: str,
    requests: Sequence[SentRequest] = (),
    consumes: Mapping[str, Collection[str]] | None = None,
    deadline: float = 90.0,
) -> OracleReport:
    """`check` again until it finds nothing broken or `deadline` seconds passed: relays and
    consumers catch up meanwhile. The last report, with `settle_seconds`."""
    started = time.monotonic()
    while True:
        report = await check(admin_url, requests, consumes)
        if report.clean or time.monotonic() - started > deadline:
            report.counts["settle_seconds"] = round(time.monotonic() - started)
            return report
        await asyncio.sleep(1.0)


async def _rows(db: AsyncConnection, sql: str, **params: object) -> list[tuple[object, ...]]:
    return [tuple(row) for row in (await db.execute(text(sql), params)).all()]


async def _scalar(db: AsyncConnection, sql: str) -> int:
    return int((await db.execute(text(sql))).scalar_one())


async def _journal(db: AsyncConnection, report: OracleReport) -> None:
    report._count("journals", await _scalar(db, "SELECT count(*) FROM ledger.journal_entries"))
    report._broken("unbalanced", await _rows(db, _UNBALANCED), "unbalanced entry (id, debits, credits)")
    report._count("customers", await _scalar(db, "SELECT count(*) FROM ledger.customers"))
    report._broken(
        "customer_balance_mismatch",
        await _rows(db, _CUSTOMER_BALANCES),
        "customer balances differ from the journal (id, open AR kept/posted, cash, credits)",
    )
    report._count("invoices", await _scalar(db, "SELECT count(*) FROM ledger.invoices"))
    report._count("payments", await _scalar(db, "SELECT count(*) FROM ledger.payments"))
    report._broken(
        "invoice_balance_mismatch",
        await _rows(db, _INVOICE_BALANCES),
        "invoice open amount differs from the journal (id, number, kept, posted)",
    )


async def _requests(db: AsyncConnection, report: OracleReport, requests: Sequence[SentRequest]) -> None:
    ok = [r for r in requests if r.outcome == "ok"]
    report._count("requests_ok", len(ok))
    report._count("requests_failed", len(requests) - len(ok))
    report._count("retried", sum(1 for r in requests if r.attempts > 1))
    numbers = [n for r in ok if r.kind != "payment" for n in r.references]
    references = [n for r in ok if r.kind == "payment" for n in r.references]
    stored: dict[tuple[str, str], list[str]] = {}
    for number, id_ in await _rows(
        db, "SELECT invoice_number, id FROM ledger.invoices WHERE invoice_number = ANY(:n)", n=numbers
    ):
        stored.setdefault(("invoice", str(number)), []).append(str(id_))
    for reference, id_ in await _rows(
        db,
        "SELECT external_reference, id FROM ledger.payments WHERE external_reference = ANY(:r)",
        r=references,
    ):
        stored.setdefault(("payment", str(reference)), []).append(str(id_))
    missing: list[object] = []
    duplicated: list[object] = []
    answered_other: list[object] = []
    for request in ok:
        kind = "payment" if request.kind == "payment" else "invoice"
        found = {reference: stored.get((kind, reference), []) for reference in request.references}
        missing += [(request.key, ref) for ref, ids in found.items() if not ids]
        duplicated += [(request.key, ref, len(ids)) for ref, ids in found.items() if len(ids) > 1]
        held = sorted(i for ids in found.values() for i in ids)
        if request.document_ids and sorted(map(str, request.document_ids)) != held:
            answered_other.append((request.key, request.kind))
    report._broken("missing", missing, "a 2xx request's document is not in the ledger (key, reference)")
    report._broken("duplicated", duplicated, "a request's document is in the ledger more than once")
    report._broken(
        "answer_mismatch", answered_other, "the ids the client was answered are not what the ledger holds"
    )


# every service's outbox, as one relation (the schemas are our own constants)
_OUTBOXES = " UNION ALL ".join(
    f"SELECT event_id, event_type, published_at FROM {schema}.outbox"  # noqa: S608
    for schema in SCHEMAS
)


async def _events(db: AsyncConnection, report: OracleReport, consumes: Mapping[str, Collection[str]]) -> None:
    report._count("events", await _scalar(db, f"SELECT count(*) FROM ({_OUTBOXES}) o"))  # noqa: S608
    pending = await _rows(
        db,
        f"SELECT event_type, count(*) FROM ({_OUTBOXES}) o WHERE published_at IS NULL GROUP BY 1",  # noqa: S608
    )
    report._broken("outbox_pending", pending, "events left unpublished (type, count)")
    report._count("outbox_pending", sum(_int(count) for _, count in pending))
    not_applied: list[tuple[object, ...]] = []
    handled = 0
    for schema, types in consumes.items():
        if schema not in SCHEMAS:
            raise ValueError(f"no such service schema: {schema}")
        handled += await _scalar(db, f"SELECT count(*) FROM {schema}.inbox")  # noqa: S608
        never_applied = (
            f"SELECT o.event_type, count(*) FROM ({_OUTBOXES}) o "  # noqa: S608
            "WHERE o.event_type = ANY(:types) AND o.published_at IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {schema}.inbox i WHERE i.event_id = o.event_id) GROUP BY 1"
        )
        not_applied += [(schema, *row) for row in await _rows(db, never_applied, types=sorted(types))]
    report._count("inbox_rows", handled)
    report._broken(
        "inbox_missing", not_applied, "published events a consumer never applied (schema, type, count)"
    )
    report._count("inbox_missing", sum(_int(row[-1]) for row in not_applied))


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


async def _projections(db: AsyncConnection, report: OracleReport) -> None:
    credit = await _rows(db, _CREDIT_EXPOSURES)
    credit_invoices = await _rows(db, _CREDIT_INVOICES)
    report._broken(
        "credit_mismatch",
        credit + credit_invoices,
        "credit's exposure or invoice differs from the ledger (id, ledger, credit ...)",
    )
    collections = [
        *await _rows(db, _COLLECTIONS_ACCOUNTS),
        *await _rows(db, _COLLECTIONS_OPEN_ITEMS),
        *await _rows(db, _COLLECTIONS_PAYMENTS),
        *await _rows(db, _COLLECTIONS_EXTRA),
    ]
    report._broken(
        "collections_mismatch",
        collections,
        "the collections projection differs from the ledger (id, ledger, collections ...)",
    )
