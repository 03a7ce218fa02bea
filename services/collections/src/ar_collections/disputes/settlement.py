"""What ledger events do to cases: the credit memo a valid case asked for arrives (matched by its
request id) and, once every item has one, the case closes; a payment applied short with a
deduction reason opens a deduction case, or a write-off recommendation when the residual is under
the currency's tolerance. Both run in the consumer's transaction, with the system's rights."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.accounts.repository import AccountRepository
from ar_collections.disputes.items import lift, mark_disputed
from ar_collections.disputes.repository import DisputeRepository
from ar_collections.disputes.service import NewCase, open_case, snapshot
from ar_collections.domain import disputes as rules
from ar_collections.models import DisputeHistory, OpenItem, Recommendation
from ar_collections.recommendations.service import add_recommendation
from ar_collections.recording import audit
from ar_shared.audit.log import SystemActor
from ar_shared.events.ledger import CreditMemoIssued, PaymentApplied

SYSTEM = SystemActor(SYSTEM_SUBJECT)
# a short payment's case or recommendation is named after the application: a replay finds it
NAMESPACE = uuid.UUID("a4f0c2e7-3b1d-4e59-8c6a-2d7e9f1b0c53")


async def credit_memo_arrived(session: AsyncSession, event: CreditMemoIssued, today: date) -> None:
    if event.request_id is None:
        return
    repo = DisputeRepository(session)
    item = await repo.item_answered_by(event.request_id)
    if item is None or item.credit_memo_id is not None:
        return  # not ours, or answered already
    case = await repo.get_for_update(item.case_id)
    assert case is not None
    item.credit_memo_id = event.credit_memo_id
    await lift(session, item, SYSTEM_SUBJECT)
    await mark_disputed(session, SYSTEM, case.customer_id, [item.invoice_id], None)
    # items a partly valid resolution credited nothing asked for no memo
    if all(
        i.credit_memo_id is not None for i in await repo.items(case.id) if i.credit_request_id is not None
    ):
        case.closed_on = today
        await repo.add_history(
            DisputeHistory(
                case_id=case.id,
                customer_id=case.customer_id,
                from_status=case.status,
                to_status="closed",
                note=f"credit memo {event.memo_number} issued",
                changed_by=SYSTEM_SUBJECT,
                changed_on=today,
            )
        )
        await audit.record(
            session,
            actor=SYSTEM,
            action="dispute.closed",
            entity_type="account",
            entity_id=str(case.customer_id),
            after=(await snapshot(session, case)).model_dump(mode="json"),
        )
    await session.flush()


async def payment_applied_short(
    session: AsyncSession,
    event: PaymentApplied,
    today: date,
    *,
    tolerances: Mapping[str, Decimal],
    due_days: int,
    write_off_reason: str,
) -> None:
    if event.source_kind != "payment" or event.deduction_reason is None:
        return
    item = await session.get(OpenItem, event.invoice_id)
    if item is None:
        return
    residual = event.invoice_open_balance.to_money().minor
    outcome = rules.short_payment_outcome(
        residual, event.deduction_reason, rules.tolerance_minor(tolerances, item.currency, item.exponent)
    )
    if outcome == "none" or await DisputeRepository(session).disputed_invoices([item.invoice_id]):
        return
    account = await AccountRepository(session).get(item.customer_id)
    assert account is not None
    key = uuid.uuid5(NAMESPACE, str(event.application_id))
    if outcome == "write_off":
        await add_recommendation(
            session,
            SYSTEM,
            Recommendation(
                id=key,
                customer_id=item.customer_id,
                kind="write_off",
                source="short_payment",
                status="pending",
                invoice_id=item.invoice_id,
                currency=item.currency,
                amount_minor=residual,
                reason_code=write_off_reason,
                recommended_by=SYSTEM_SUBJECT,
                recommended_on=today,
                note=f"short payment ({event.deduction_reason}) under the tolerance",
            ),
            today,
        )
        return
    new = NewCase(
        "deduction",
        [(item, residual)],
        event.deduction_reason,
        None,
        None,
        None,
        f"short payment of invoice {item.invoice_number}",
        today + timedelta(days=due_days),
    )
    await open_case(session, SYSTEM, account, new, today, case_id=key)
