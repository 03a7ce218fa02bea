"""SQL for reviews, reviews due and the credit reference's invoice counts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, text

from ar_credit.domain.credit import overdue_sql
from ar_credit.models import CreditCustomer, CreditInvoice, CreditProfile, CreditReview
from ar_shared.repository import Repository


class ReviewRepository(Repository[CreditReview]):
    model = CreditReview

    async def latest(self, customer_id: uuid.UUID) -> CreditReview | None:
        query = (
            select(CreditReview)
            .where(CreditReview.customer_id == customer_id)
            .order_by(CreditReview.reviewed_on.desc(), CreditReview.created_at.desc())
            .limit(1)
        )
        return (await self.session.scalars(query)).first()

    async def due(self, as_of: date) -> Sequence[tuple[CreditProfile, str]]:
        query = (
            select(CreditProfile, CreditCustomer.name)
            .join(CreditCustomer, CreditCustomer.id == CreditProfile.customer_id)
            .where(CreditProfile.review_date.is_not(None), CreditProfile.review_date <= as_of)
            .order_by(CreditProfile.review_date)
            .limit(1000)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]

    async def invoice_counts(self, customer_id: uuid.UUID, today: date) -> tuple[int, int, int]:
        past_due = text(overdue_sql("credit.invoices.due_date", ":today")).bindparams(today=today)
        query = select(
            func.count(),
            func.count().filter(CreditInvoice.open_minor > 0),
            func.count().filter(CreditInvoice.open_minor > 0, past_due),
        ).where(CreditInvoice.customer_id == customer_id)
        total, open_, overdue = (await self.session.execute(query)).one()
        return int(total), int(open_), int(overdue)
