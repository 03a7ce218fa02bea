"""Profile rules: limits in the customer's currency, never negative; every change audited."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.exposure.picture import CreditRules
from ar_credit.models import CreditLimitRequest, CreditProfile, PendingCreditProfile, plumbing
from ar_credit.policies.repository import PolicyRepository
from ar_credit.policies.service import evaluate
from ar_credit.profiles.pending import file_pending
from ar_credit.profiles.repository import LimitRequestRepository
from ar_credit.profiles.schemas import CreditLimitRequest as CreditLimitRequestOut
from ar_credit.profiles.schemas import CreditProfile as CreditProfileOut
from ar_credit.profiles.schemas import CreditProfileSet
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.events.credit import CreditLimitChanged, CreditRiskClassChanged
from ar_shared.money import Money, MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import Conflict, Forbidden, NotFound, Unprocessable

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


def request_out(request: CreditLimitRequest) -> CreditLimitRequestOut:
    def m(minor: int | None) -> MoneyAmount | None:
        return None if minor is None else MoneyAmount.from_money(Money(minor, request.currency))

    requested = m(request.requested_limit_minor)
    assert requested is not None
    return CreditLimitRequestOut(
        id=request.id,
        customer_id=request.customer_id,
        current_limit=m(request.current_limit_minor),
        requested_limit=requested,
        risk_class=request.risk_class,
        review_date=request.review_date,
        reason=request.reason,
        requested_by=request.requested_by,
        status=request.status,
        decided_by=request.decided_by,
        decision_note=request.decision_note,
        created_at=request.created_at,
    )


async def set_profile(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: CreditProfileSet,
    rules: CreditRules,
    *,
    approval_threshold: Decimal,
) -> CreditProfile | CreditLimitRequest | PendingCreditProfile:
    """Applies the profile, or files a limit request when the increase needs a second manager, or
    keeps it until the customer arrives from the ledger."""
    customer = await CreditCustomerRepository(session).get(customer_id)
    if customer is None:
        return await file_pending(session, actor, data, customer_id=customer_id)
    limit = data.credit_limit.to_money()
    if limit.currency != customer.currency:
        raise Unprocessable(f"the customer is billed in {customer.currency}", code="currency_mismatch")
    if limit.is_negative:
        raise Unprocessable("a credit limit cannot be negative", code="amount_not_positive")
    profile = await PolicyRepository(session).profile(customer_id)
    current = profile.limit_minor if profile else 0
    if limit.minor - current > Money.of(approval_threshold, limit.currency).minor:
        request = await LimitRequestRepository(session).add(
            CreditLimitRequest(
                id=uuid.uuid4(),
                customer_id=customer_id,
                currency=limit.currency,
                current_limit_minor=profile.limit_minor if profile else None,
                requested_limit_minor=limit.minor,
                risk_class=data.risk_class,
                review_date=data.review_date,
                reason=data.reason,
                requested_by=actor.subject,
                status="pending",
            )
        )
        await audit.record(
            session,
            actor=actor,
            action="credit_limit.requested",
            entity_type="credit_limit_request",
            entity_id=str(request.id),
            after=request_out(request).model_dump(mode="json"),
        )
        return request
    return await apply_profile(session, actor, customer_id, data, rules, approved_by=None)


async def apply_profile(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: CreditProfileSet,
    rules: CreditRules,
    *,
    approved_by: str | None,
    requested_by: str | None = None,
) -> CreditProfile:
    limit = data.credit_limit.to_money()
    profile = await PolicyRepository(session).profile(customer_id)
    before = out(profile).model_dump(mode="json") if profile else None
    previous_limit = (
        None if profile is None else MoneyAmount.from_money(Money(profile.limit_minor, profile.currency))
    )
    previous_risk_class = None if profile is None else profile.risk_class
    if profile is None:
        profile = CreditProfile(customer_id=customer_id, currency=limit.currency, version=0)
        session.add(profile)
    profile.limit_minor = limit.minor
    profile.risk_class = data.risk_class
    profile.review_date = data.review_date
    profile.updated_by = requested_by or actor.subject
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
        after=out(profile).model_dump(mode="json") | {"reason": data.reason, "approved_by": approved_by},
    )
    if previous_limit is None or previous_limit.to_money() != limit:
        await outbox.add(
            session,
            CreditLimitChanged(
                customer_id=customer_id,
                previous_limit=previous_limit,
                new_limit=data.credit_limit,
                changed_by=requested_by or actor.subject,
                approved_by=approved_by,
                reason=data.reason,
            ),
        )
    if previous_risk_class != data.risk_class:
        # collections keys assignment, worklist scores and strategy segments on the class
        await outbox.add(
            session,
            CreditRiskClassChanged(
                customer_id=customer_id,
                previous_risk_class=previous_risk_class,
                risk_class=data.risk_class,
                profile_version=profile.version,
                changed_by=requested_by or actor.subject,
                approved_by=approved_by,
                reason=data.reason,
                changed_at=session_clock(session).now(),
            ),
        )
    # a new limit or risk class can put the customer inside or outside its policy
    await evaluate(session, customer_id, rules)
    return profile


async def decide_request(
    session: AsyncSession,
    actor: Actor,
    request_id: uuid.UUID,
    approve: bool,
    note: str | None,
    rules: CreditRules,
) -> CreditLimitRequest:
    """A second credit manager approves (the profile changes) or rejects a pending request."""
    request = await LimitRequestRepository(session).get_for_update(request_id)
    if request is None:
        raise NotFound(f"limit request {request_id} does not exist", code="limit_request_not_found")
    if request.status != "pending":
        raise Conflict(f"limit request {request_id} is already {request.status}", code="request_not_pending")
    if request.requested_by == actor.subject:
        raise Forbidden(
            "a limit request is approved or rejected by another credit manager", code="own_request"
        )
    before = request_out(request).model_dump(mode="json")
    request.status = "approved" if approve else "rejected"
    request.decided_by = actor.subject
    request.decision_note = note
    request.decided_at = session_clock(session).now()
    if approve:
        await apply_profile(
            session,
            actor,
            request.customer_id,
            CreditProfileSet(
                credit_limit=MoneyAmount.from_money(Money(request.requested_limit_minor, request.currency)),
                risk_class=request.risk_class,
                review_date=request.review_date,
                reason=request.reason,
            ),
            rules,
            approved_by=actor.subject,
            requested_by=request.requested_by,
        )
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=f"credit_limit.{request.status}",
        entity_type="credit_limit_request",
        entity_id=str(request.id),
        before=before,
        after=request_out(request).model_dump(mode="json"),
    )
    return request


async def get_profile(session: AsyncSession, customer_id: uuid.UUID) -> CreditProfile:
    profile = await PolicyRepository(session).profile(customer_id)
    if profile is None:
        raise NotFound(f"customer {customer_id} has no credit profile", code="credit_profile_not_found")
    return profile


async def set_profile_by_external_id(
    session: AsyncSession,
    actor: Actor,
    external_id: str,
    data: CreditProfileSet,
    rules: CreditRules,
    *,
    approval_threshold: Decimal,
) -> CreditProfile | CreditLimitRequest | PendingCreditProfile:
    """The same, for the customer the ERP knows by `external_id`."""
    customer = await CreditCustomerRepository(session).get_by_external_id(external_id)
    if customer is None:
        return await file_pending(session, actor, data, external_id=external_id)
    return await set_profile(session, actor, customer.id, data, rules, approval_threshold=approval_threshold)
