"""A customer arrives from the ledger: the profiles waiting for it (by ledger id or ERP id) are
applied as if their author had set them now (limit requests above the approval threshold too)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.exposure.picture import CreditRules
from ar_credit.models import CreditLimitRequest, PendingCreditProfile, plumbing
from ar_credit.profiles.pending import pending_out
from ar_credit.profiles.repository import PendingProfileRepository
from ar_credit.profiles.schemas import CreditProfileSet
from ar_credit.profiles.service import set_profile
from ar_shared.audit import AuditLog
from ar_shared.audit.log import SystemActor
from ar_shared.clock import session_clock
from ar_shared.money import Money, MoneyAmount

audit = AuditLog(plumbing)
ATTACHING = SystemActor("credit-profile-attach")


async def attach_pending_profiles(
    session: AsyncSession, customer_id: uuid.UUID, rules: CreditRules, *, approval_threshold: Decimal
) -> list[PendingCreditProfile]:
    """Applies what waited for the customer, oldest first (the latest filed wins); a profile in
    another currency than the customer's is refused, with the reason kept on it."""
    customer = await CreditCustomerRepository(session).get(customer_id)
    if customer is None:
        return []
    waiting = await PendingProfileRepository(session).waiting(
        customer_id=customer.id, external_id=customer.external_id
    )
    for pending in waiting:
        before = pending_out(pending).model_dump(mode="json")
        pending.resolved_at, pending.attached_to = session_clock(session).now(), customer.id
        if pending.currency != customer.currency:
            pending.status = "refused"
            pending.outcome = f"the customer is billed in {customer.currency}, not {pending.currency}"
        else:
            data = CreditProfileSet(
                credit_limit=MoneyAmount.from_money(Money(pending.limit_minor, pending.currency)),
                risk_class=pending.risk_class,
                review_date=pending.review_date,
                reason=pending.reason,
            )
            author = SystemActor(pending.requested_by)
            result = await set_profile(
                session, author, customer.id, data, rules, approval_threshold=approval_threshold
            )
            pending.status = "attached"
            pending.outcome = (
                f"limit request {result.id} waits for a second credit manager"
                if isinstance(result, CreditLimitRequest)
                else "applied"
            )
        await session.flush()
        await audit.record(
            session, actor=ATTACHING, action=f"pending_credit_profile.{pending.status}",
            entity_type="pending_credit_profile", entity_id=str(pending.id), before=before,
            after=pending_out(pending).model_dump(mode="json"),
        )  # fmt: skip
    return list(waiting)
