"""Profiles for customers credit has not seen yet: kept, keyed by the ledger's id or the ERP's id,
until the customer arrives (`profiles.arrival`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.models import PendingCreditProfile, plumbing
from ar_credit.profiles.repository import PendingProfileRepository
from ar_credit.profiles.schemas import CreditProfileSet
from ar_credit.profiles.schemas import PendingCreditProfile as PendingOut
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import Unprocessable

audit = AuditLog(plumbing)


def pending_out(row: PendingCreditProfile) -> PendingOut:
    return PendingOut(
        id=row.id,
        customer_id=row.customer_id,
        external_id=row.external_id,
        credit_limit=MoneyAmount.from_money(Money(row.limit_minor, row.currency)),
        risk_class=row.risk_class,
        review_date=row.review_date,
        reason=row.reason,
        requested_by=row.requested_by,
        status=row.status,
        outcome=row.outcome,
        attached_to=row.attached_to,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
    )


async def file_pending(
    session: AsyncSession,
    actor: Actor,
    data: CreditProfileSet,
    *,
    customer_id: uuid.UUID | None = None,
    external_id: str | None = None,
) -> PendingCreditProfile:
    """Keeps the profile until the customer arrives; a later one for the same customer replaces it."""
    limit = data.credit_limit.to_money()
    if limit.is_negative:
        raise Unprocessable("a credit limit cannot be negative", code="amount_not_positive")
    repo = PendingProfileRepository(session)
    now = session_clock(session).now()
    for earlier in await repo.waiting(customer_id=customer_id, external_id=external_id):
        earlier.status, earlier.outcome, earlier.resolved_at = "refused", "replaced by a later profile", now
    await session.flush()
    row = await repo.add(
        PendingCreditProfile(
            id=uuid.uuid4(), customer_id=customer_id, external_id=external_id, currency=limit.currency,
            limit_minor=limit.minor, risk_class=data.risk_class, review_date=data.review_date,
            reason=data.reason, requested_by=actor.subject, status="pending", created_at=now,
        )
    )  # fmt: skip
    await audit.record(
        session, actor=actor, action="pending_credit_profile.filed", entity_type="pending_credit_profile",
        entity_id=str(row.id), after=pending_out(row).model_dump(mode="json"),
    )  # fmt: skip
    return row
