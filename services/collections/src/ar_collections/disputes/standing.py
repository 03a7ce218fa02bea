"""The account's open dispute and deduction cases, with their disputed amounts and age, as the
account view shows them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.disputes.repository import DisputeRepository
from ar_collections.disputes.schemas import OpenDispute
from ar_collections.domain import disputes as rules
from ar_shared.money import Money, MoneyAmount


async def open_cases(session: AsyncSession, customer_id: uuid.UUID, today: date) -> list[OpenDispute]:
    return [
        OpenDispute(
            id=case.id,
            kind=case.kind,
            status=case.status,
            amount=MoneyAmount.from_money(Money(total, case.currency)),
            invoice_ids=invoice_ids,
            reason_code=case.reason_code,
            owner_kind=case.owner_kind,
            owner=case.owner,
            opened_on=case.opened_on,
            due_on=case.due_on,
            age_days=rules.age_in_days(case.opened_on, today),
            overdue=case.due_on < today,
        )
        for case, total, invoice_ids in await DisputeRepository(session).open_of_account(customer_id)
    ]
