"""SQL for customers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import exists, select

from ar_ledger.models import CreditMemo, Customer, Invoice, Payment
from ar_shared.repository import Repository


class CustomerRepository(Repository[Customer]):
    model = Customer

    async def get_by_external_id(self, external_id: str) -> Customer | None:
        query = select(Customer).where(Customer.external_id == external_id)
        return (await self.session.scalars(query)).one_or_none()

    async def get_by_external_id_for_update(self, external_id: str) -> Customer | None:
        # the row lock serialises concurrent upserts of one customer and orders their events
        query = select(Customer).where(Customer.external_id == external_id).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def by_ids(self, ids: Iterable[uuid.UUID]) -> Sequence[Customer]:
        return (await self.session.scalars(select(Customer).where(Customer.id.in_(set(ids))))).all()

    async def by_external_ids(self, external_ids: Iterable[str]) -> Sequence[Customer]:
        query = select(Customer).where(Customer.external_id.in_(set(external_ids)))
        return (await self.session.scalars(query)).all()

    async def has_documents(self, customer_id: uuid.UUID) -> bool:
        """Whether any invoice, payment or credit memo was ever posted for the customer."""
        query = select(
            exists().where(Invoice.customer_id == customer_id)
            | exists().where(Payment.customer_id == customer_id)
            | exists().where(CreditMemo.customer_id == customer_id)
        )
        return bool(await self.session.scalar(query))

    async def list(
        self,
        *,
        limit: int,
        after_id: uuid.UUID | None,
        business_entity: str | None,
        currency: str | None,
        sales_rep: str | None,
    ) -> Sequence[Customer]:
        query = self.select()
        if business_entity is not None:
            query = query.where(Customer.business_entity == business_entity)
        if currency is not None:
            query = query.where(Customer.currency == currency)
        if sales_rep is not None:
            query = query.where(Customer.sales_rep == sales_rep)
        return await self.keyset_page(query, [Customer.id], None if after_id is None else [after_id], limit)
