"""Profile rules: limits in the customer's currency, never negative; every change audited."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.models import CreditProfile, plumbing
from ar_credit.policies.repository import PolicyRepository
from ar_credit.policies.service import evaluate
from ar_credit.profiles.schemas import CreditProfile as CreditProfileOut
from ar_credit.profiles.schemas import CreditProfileSet
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.credit import CreditLimitChanged
from ar_shared.money import Money, MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import NotFound, Unprocessable

audit = AuditLog(plumbing)
outbox = OutboxWriter(plumbing)


def out(profile: CreditProfile) -> CreditProfileOut:
    return CreditProfileOut(
        customer_id=profile.customer_id,
        credit_limit=MoneyAmount.from_money(Money(profile.limit_minor, profile.currency)),
        risk_class=profile.risk_class,
        review_date=profile.review_date,
        version=profile.version,
        updated_by=profile.updated_by,
        updated_at=profile.updated_at,
    )


async def set_profile(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: CreditProfileSet,
    today: date,
    *,
    include_disputed: bool,
) -> tuple[CreditProfile, bool]:
    customer = await CreditCustomerRepository(session).get(customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} is unknown to credit", code="customer_not_found")
    limit = data.credit_limit.to_money()
    if limit.currency != customer.currency:
        raise Unprocessable(f"the customer is billed in {customer.currency}", code="currency_mismatch")
    if limit.is_negative:
        raise Unprocessable("a credit limit cannot be negative", code="amount_not_positive")
    profile = await PolicyRepository(session).profile(customer_id)
    created = profile is None
    before = out(profile).model_dump(mode="json") if profile else None
    previous_limit = (
        None if profile is None else MoneyAmount.from_money(Money(profile.limit_minor, profile.currency))
    )
    if profile is None:
        profile = CreditProfile(customer_id=customer_id, currency=limit.currency, version=0)
        session.add(profile)
    profile.limit_minor = limit.minor
    profile.risk_class = data.risk_class
    profile.review_date = data.review_date
    profile.updated_by = actor.subject
    profile.version += 1
    await session.flush()
    await session.refresh(profile)
    await audit.record(
        session,
        actor=actor,
        action="credit_profile.set",
        entity_type="credit_profile",
        entity_id=str(customer_id),
        before=before,
        after=out(profile).model_dump(mode="json") | {"reason": data.reason},
    )
    if previous_limit is None or previous_limit.to_money() != limit:
        await outbox.add(
            session,
            CreditLimitChanged(
                customer_id=customer_id,
                previous_limit=previous_limit,
                new_limit=data.credit_limit,
                changed_by=actor.subject,
                reason=data.reason,
            ),
        )
    # a new limit or risk class can put the customer inside or outside its policy
    await evaluate(session, customer_id, today, include_disputed=include_disputed)
    return profile, created


async def get_profile(session: AsyncSession, customer_id: uuid.UUID) -> CreditProfile:
    profile = await PolicyRepository(session).profile(customer_id)
    if profile is None:
        raise NotFound(f"customer {customer_id} has no credit profile", code="credit_profile_not_found")
    return profile
