"""SQL for invoices: lookups, the duplicate check of a batch, the customers a batch bills."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from ar_ledger.domain.aging import overdue_sql
from ar_ledger.models import Application, Customer, Invoice
from ar_shared.repository import Repository


@dataclass(frozen=True, slots=True)
class BillingTerms:
    """What issuing an invoice needs to know of its customer (read under the customer's lock)."""

    id: uuid.UUID
    external_id: str
    currency: str
    payment_terms_days: int
    business_entity: str
    version: int  # every change of the customer raises it

    @classmethod
    def of(cls, customer: Customer) -> BillingTerms:
        return cls(
            customer.id,
            customer.external_id,
            customer.currency,
            customer.payment_terms_days,
            customer.business_entity,
            customer.version,
        )


@dataclass(frozen=True, slots=True)
class InvoiceFilters:
    """What a list of invoices may be narrowed by, besides the customer."""

    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue_on: date | None = None


class InvoiceRepository(Repository[Invoice]):
    model = Invoice

    async def applications_to(self, invoice_id: uuid.UUID) -> Sequence[Application]:
        """Every application to the invoice, taken back or not, in the order they were made."""
        query = select(Application).where(Application.invoice_id == invoice_id).order_by(Application.seq)
        return (await self.session.scalars(query)).all()

    async def numbers_taken(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Invoice]:
        """The invoices that already have one of these (business entity, invoice number) pairs."""
        keys = list(keys)
        if not keys:
            return {}
        # two arrays, not 2 x 10,000 bind parameters: one statement whatever the batch size
        taken = text(
            "SELECT i.* FROM ledger.invoices i"
            " JOIN unnest(CAST(:entities AS text[]), CAST(:numbers AS text[])) AS k(entity, number)"
            " ON i.business_entity = k.entity AND i.invoice_number = k.number"
        ).bindparams(entities=[k[0] for k in keys], numbers=[k[1] for k in keys])
        found = (await self.session.scalars(select(Invoice).from_statement(taken))).all()
        return {(i.business_entity, i.invoice_number): i for i in found}

    async def customers_for_update(
        self, ids: Iterable[uuid.UUID], external_ids: Iterable[str]
    ) -> tuple[dict[uuid.UUID, Customer], dict[str, Customer]]:
        ids, external_ids = set(ids), set(external_ids)
        query = (
            select(Customer)
            .where(Customer.id.in_(ids) | Customer.external_id.in_(external_ids))
            .order_by(Customer.id)  # one lock order for every writer: no deadlocks
            .with_for_update()
        )
        rows = (await self.session.scalars(query)).all()
        return {c.id: c for c in rows}, {c.external_id: c for c in rows}

    async def lock_billing_terms(
        self, customer_id: uuid.UUID | None, external_id: str | None
    ) -> BillingTerms | None:
        """Locks the customer (every posting of a customer takes this lock first) and reads its terms."""
        query = LOCK_TERMS_BY_ID if customer_id is not None else LOCK_TERMS_BY_EXTERNAL_ID
        # through the Core connection: the ORM's execution layer has nothing to add to a plain row
        connection = await self.session.connection()
        row = (await connection.execute(query, {"key": customer_id or external_id})).first()
        return BillingTerms(*row) if row else None

    async def list(
        self,
        *,
        limit: int,
        after: tuple[date, uuid.UUID] | None,
        customer_id: uuid.UUID | None,
        filters: InvoiceFilters,
    ) -> Sequence[Invoice]:
        query = self.select()
        if customer_id is not None:
            query = query.where(Invoice.customer_id == customer_id)
        if filters.status is not None:
            query = query.where(Invoice.status == filters.status)
        if filters.due_from is not None:
            query = query.where(Invoice.due_date >= filters.due_from)
        if filters.due_to is not None:
            query = query.where(Invoice.due_date <= filters.due_to)
        if filters.overdue_on is not None:
            query = query.where(
                Invoice.open_minor > 0,
                text(overdue_sql(":overdue_on", "ledger.invoices.due_date")).bindparams(
                    overdue_on=filters.overdue_on
                ),
                Invoice.status == "open",
            )
        return await self.keyset_page(query, [Invoice.due_date, Invoice.id], after, limit)


_TERMS = (
    "SELECT id, external_id, currency, payment_terms_days, business_entity, version FROM ledger.customers"
)
LOCK_TERMS_BY_ID = text(f"{_TERMS} WHERE id = :key FOR UPDATE")
LOCK_TERMS_BY_EXTERNAL_ID = text(f"{_TERMS} WHERE external_id = :key FOR UPDATE")
