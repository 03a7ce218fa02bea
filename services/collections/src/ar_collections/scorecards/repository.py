"""SQL for a customer's scorecard: cash applied with its due dates, promises made and judged,
dispute cases opened and open, the credit limit. DSO and ADD come from the KPI report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.models import CreditProfile, DisputeCase, OpenItem, PaymentApplication, PromiseToPay

CASH = ("payment", "unapplied_cash")  # credit memos applied are not cash (as for promises)


@dataclass(frozen=True, slots=True)
class CashApplied:
    effective_date: date
    amount_minor: int
    days_late: int  # from the item's due date to the application; negative when early
    undone_on: date | None


@dataclass(frozen=True, slots=True)
class PromiseDates:
    recorded_on: date
    status: str
    judged_on: date | None


@dataclass(frozen=True, slots=True)
class CaseDates:
    opened_on: date
    resolved_on: date | None


class ScorecardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def cash_applied(
        self, customer_id: uuid.UUID, currency: str, first: date, last: date
    ) -> list[CashApplied]:
        """Cash applied to the customer's items in `currency` in [first, last], undone or not."""
        query = (
            select(
                PaymentApplication.effective_date,
                PaymentApplication.amount_minor,
                (PaymentApplication.effective_date - OpenItem.due_date).label("days_late"),
                PaymentApplication.undone_on,
            )
            .join(OpenItem, OpenItem.invoice_id == PaymentApplication.invoice_id)
            .where(
                PaymentApplication.customer_id == customer_id,
                OpenItem.currency == currency,
                PaymentApplication.source_kind.in_(CASH),
                PaymentApplication.effective_date.between(first, last),
            )
        )
        rows = await self.session.execute(query)
        return [
            CashApplied(r.effective_date, int(r.amount_minor), int(r.days_late), r.undone_on) for r in rows
        ]

    async def promises(self, customer_id: uuid.UUID, first: date, last: date) -> list[PromiseDates]:
        """Promises recorded or judged in [first, last]."""
        query = select(PromiseToPay.recorded_on, PromiseToPay.status, PromiseToPay.judged_on).where(
            PromiseToPay.customer_id == customer_id,
            or_(
                PromiseToPay.recorded_on.between(first, last),
                and_(PromiseToPay.judged_on.is_not(None), PromiseToPay.judged_on.between(first, last)),
            ),
        )
        return [PromiseDates(r.recorded_on, r.status, r.judged_on) for r in await self.session.execute(query)]

    async def cases(self, customer_id: uuid.UUID, last: date) -> list[CaseDates]:
        """Dispute and deduction cases opened by `last`."""
        query = select(DisputeCase.opened_on, DisputeCase.resolved_on).where(
            DisputeCase.customer_id == customer_id, DisputeCase.opened_on <= last
        )
        return [CaseDates(r.opened_on, r.resolved_on) for r in await self.session.execute(query)]

    async def credit_limit(self, customer_id: uuid.UUID, currency: str) -> int | None:
        """The credit limit now, if it is in the account's currency (the projection keeps no history)."""
        profile = await self.session.get(CreditProfile, customer_id)
        if profile is None or profile.credit_limit_currency != currency:
            return None
        return profile.credit_limit_minor
