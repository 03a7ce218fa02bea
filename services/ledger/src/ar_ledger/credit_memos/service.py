"""Credit memo rules: unique number per entity; against an invoice, no more than its open balance."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.credit_memos.repository import CreditMemoRepository
from ar_ledger.credit_memos.schemas import CreditMemoApply, CreditMemoCreate, CreditMemoOut
from ar_ledger.domain import journal
from ar_ledger.models import CreditMemo, plumbing
from ar_ledger.payments.repository import PaymentRepository
from ar_ledger.postings.allocate import RequestedAllocation, allocate, requested_allocations
from ar_ledger.postings.service import invoices_by_id, locked_customer, outbox, post_entry, require_currency
from ar_ledger.reason_codes.service import require_known
from ar_ledger.refunds.repository import RefundRepository
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.ledger import CreditMemoIssued
from ar_shared.problems import Conflict, NotFound, Unprocessable

audit = AuditLog(plumbing)


async def snapshot(session: AsyncSession, memo: CreditMemo) -> CreditMemoOut:
    await session.flush()
    applications = list(await PaymentRepository(session).applications_of(memo.id))
    return CreditMemoOut.of(memo, applications, await RefundRepository(session).refunded_minor(memo.id))


async def issue_credit_memo(
    session: AsyncSession, actor: Actor, data: CreditMemoCreate, reason_codes: Collection[str]
) -> CreditMemo:
    if data.reason_code is not None:
        require_known(data.reason_code, reason_codes, "credit memo")
    customer = await locked_customer(session, data.customer_id, data.customer_external_id)
    require_currency(customer, data.amount.currency)
    memos = CreditMemoRepository(session)
    if await memos.number_taken(customer.business_entity, data.memo_number):
        raise Conflict(f"credit memo {data.memo_number} already exists", code="duplicate_memo_number")
    if data.request_id is not None and await memos.answering(data.request_id) is not None:
        raise Conflict(
            f"a credit memo answering request {data.request_id} exists already", code="duplicate_memo_request"
        )
    amount = data.amount.to_money().minor
    if data.invoice_id is not None:
        invoice = (await invoices_by_id(session, [data.invoice_id]))[data.invoice_id]
        if invoice.customer_id != customer.id:
            raise Unprocessable("the invoice belongs to another customer", code="invoice_of_another_customer")
        if amount > invoice.open_minor:
            raise Unprocessable(
                "a credit memo against an invoice cannot exceed its open balance", code="exceeds_open_balance"
            )
    memo = CreditMemo(
        id=uuid.uuid4(),
        customer_id=customer.id,
        business_entity=customer.business_entity,
        memo_number=data.memo_number,
        currency=customer.currency,
        amount_minor=amount,
        unapplied_minor=amount,
        issue_date=data.issue_date,
        invoice_id=data.invoice_id,
        reason_code=data.reason_code,
        request_id=data.request_id,
        dispute_id=data.dispute_id,
    )
    await memos.add(memo)
    await post_entry(
        session, customer, "credit_memo_issued", memo.id, data.issue_date, journal.credit_memo_issued(amount)
    )
    await outbox.add(
        session,
        CreditMemoIssued(
            credit_memo_id=memo.id,
            customer_id=customer.id,
            memo_number=memo.memo_number,
            issue_date=memo.issue_date,
            amount=data.amount,
            invoice_id=data.invoice_id,
            reason_code=data.reason_code,
            request_id=data.request_id,
            dispute_id=data.dispute_id,
        ),
    )
    if data.invoice_id is not None:
        await allocate(
            session,
            actor,
            customer,
            memo,
            requested=[RequestedAllocation(data.invoice_id, amount)],
            effective_date=data.issue_date,
        )
    await audit.record(
        session, actor=actor, action="credit_memo.issued", entity_type="credit_memo", entity_id=str(memo.id),
        after=(await snapshot(session, memo)).model_dump(mode="json"),
    )  # fmt: skip
    return memo


async def apply_credit_memo(
    session: AsyncSession, actor: Actor, memo_id: uuid.UUID, data: CreditMemoApply
) -> CreditMemo:
    memo = await _memo(session, memo_id)
    customer = await locked_customer(session, memo.customer_id)
    memo = await _memo(session, memo_id, for_update=True)
    if data.effective_date < memo.issue_date:
        raise Unprocessable(
            "a credit memo cannot be applied before its issue date", code="applied_before_issue"
        )
    before = (await snapshot(session, memo)).model_dump(mode="json")
    await allocate(
        session,
        actor,
        customer,
        memo,
        requested=requested_allocations(data.allocations, customer.currency),
        effective_date=data.effective_date,
        event_source_kind="credit_memo",
    )
    await audit.record(
        session, actor=actor, action="credit_memo.applied", entity_type="credit_memo", entity_id=str(memo.id),
        before=before, after=(await snapshot(session, memo)).model_dump(mode="json"),
    )  # fmt: skip
    return memo


async def _memo(session: AsyncSession, memo_id: uuid.UUID, *, for_update: bool = False) -> CreditMemo:
    memo = await CreditMemoRepository(session).get(memo_id, for_update=for_update)
    if memo is None:
        raise NotFound(f"credit memo {memo_id} does not exist", code="credit_memo_not_found")
    return memo


async def get_credit_memo(session: AsyncSession, memo_id: uuid.UUID) -> CreditMemoOut:
    return await snapshot(session, await _memo(session, memo_id))
