"""Refund rules: never more than is unapplied on its date and after; a second person above the threshold."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.credit_memos.repository import CreditMemoRepository
from ar_ledger.customers.service import resolve_filter
from ar_ledger.domain import journal
from ar_ledger.domain.journal import Account
from ar_ledger.filters import CustomerFilter
from ar_ledger.models import CreditMemo, Customer, Payment, Refund, plumbing
from ar_ledger.payments.repository import PaymentRepository
from ar_ledger.postings.service import drawable_on, locked_customer, money, outbox, post_entry
from ar_ledger.reason_codes.service import require_known
from ar_ledger.refunds.repository import RefundRepository
from ar_ledger.refunds.schemas import RefundCreate, RefundOut, RefundStatus
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.events.ledger import RefundIssued
from ar_shared.money import Money
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, Forbidden, NotFound, Unprocessable

audit = AuditLog(plumbing)


@dataclass(frozen=True)
class RefundRules:
    """What the installation configures: the reason codes, and the amount above which a second
    person approves (in the refund's currency)."""

    reason_codes: Collection[str]
    approval_threshold: Decimal


async def request_refund(
    session: AsyncSession, actor: Actor, data: RefundCreate, rules: RefundRules
) -> Refund:
    """Issued at once up to the threshold; above it the refund waits for approval, posting nothing."""
    require_known(data.reason_code, rules.reason_codes, "refund")
    found = await _source(session, data.payment_id, data.credit_memo_id)
    customer = await locked_customer(session, found.customer_id)
    source = await _source(session, data.payment_id, data.credit_memo_id, for_update=True)
    if data.amount is not None and data.amount.currency != source.currency:
        raise Unprocessable(
            f"the {_kind(source).replace('_', ' ')} is in {source.currency}, not {data.amount.currency}",
            code="currency_mismatch",
            extra={"field": "amount.currency"},
        )
    available = await _refundable(session, source, data.refund_date)
    amount = data.amount.to_money().minor if data.amount is not None else available
    if amount <= 0:
        raise Unprocessable(
            f"nothing of {_name(source)} is unapplied on {data.refund_date} and after",
            code="nothing_to_refund",
        )
    _check_within(amount, available, source, data.refund_date)
    threshold = Money.of(rules.approval_threshold, source.currency).minor
    refund = await RefundRepository(session).add(
        Refund(
            id=uuid.uuid4(),
            customer_id=customer.id,
            currency=source.currency,
            amount_minor=amount,
            source_kind=_kind(source),
            source_id=source.id,
            refund_date=data.refund_date,
            method=data.method,
            reference=data.reference,
            reason_code=data.reason_code,
            note=data.note,
            status="pending_approval" if amount > threshold else "issued",
            requested_by=actor.subject,
        )
    )
    if refund.status == "issued":
        await _post(session, customer, source, refund)
    await audit.record(
        session, actor=actor, action=f"refund.{'issued' if refund.status == 'issued' else 'requested'}",
        entity_type="refund", entity_id=str(refund.id), after=RefundOut.of(refund).model_dump(mode="json"),
    )  # fmt: skip
    return refund


async def decide_refund(
    session: AsyncSession, actor: Actor, refund_id: uuid.UUID, *, approve: bool, note: str | None
) -> Refund:
    """A second person approves (the refund posts) or rejects a refund waiting for approval."""
    found = await get_refund(session, refund_id)
    customer = await locked_customer(session, found.customer_id)
    refund = await RefundRepository(session).get(refund_id, for_update=True) or found
    if refund.status != "pending_approval":
        raise Conflict(f"refund {refund_id} is already {refund.status}", code="refund_not_pending")
    if refund.requested_by == actor.subject:
        raise Forbidden(
            "a refund is approved or rejected by someone other than its requester", code="own_request"
        )
    before = RefundOut.of(refund).model_dump(mode="json")
    if approve:
        source = await _source(
            session,
            refund.source_id if refund.source_kind == "payment" else None,
            refund.source_id if refund.source_kind == "credit_memo" else None,
            for_update=True,
        )
        _check_within(
            refund.amount_minor,
            await _refundable(session, source, refund.refund_date),
            source,
            refund.refund_date,
        )
        refund.status = "issued"
        refund.decided_by = actor.subject
        await _post(session, customer, source, refund)
    else:
        refund.status = "rejected"
    refund.decided_by = actor.subject
    refund.decided_at = session_clock(session).now()
    refund.decision_note = note
    await session.flush()
    await audit.record(
        session, actor=actor, action=f"refund.{'approved' if approve else 'rejected'}", entity_type="refund",
        entity_id=str(refund.id), before=before, after=RefundOut.of(refund).model_dump(mode="json"),
    )  # fmt: skip
    return refund


async def _post(
    session: AsyncSession, customer: Customer, source: Payment | CreditMemo, refund: Refund
) -> None:
    """Journal entry, the source's and the customer's unapplied balance, and the event."""
    account = Account.UNAPPLIED_CASH if isinstance(source, Payment) else Account.CUSTOMER_CREDITS
    await post_entry(
        session, customer, "refund_issued", refund.id, refund.refund_date,
        journal.refund_issued(account, refund.amount_minor),
    )  # fmt: skip
    source.unapplied_minor -= refund.amount_minor
    await outbox.add(
        session,
        RefundIssued(
            refund_id=refund.id,
            customer_id=customer.id,
            source_kind=_kind(source),
            source_id=source.id,
            amount=money(refund.amount_minor, refund.currency),
            refund_date=refund.refund_date,
            reason_code=refund.reason_code,
            method=refund.method,
            reference=refund.reference,
            source_unapplied=money(source.unapplied_minor, source.currency),
            requested_by=refund.requested_by,
            approved_by=refund.decided_by,
        ),
    )


async def _refundable(session: AsyncSession, source: Payment | CreditMemo, on: date) -> int:
    if isinstance(source, Payment) and source.status == "reversed":
        raise Conflict(
            f"payment {source.id} was reversed: nothing of it can be refunded", code="payment_reversed"
        )
    received = source.received_on if isinstance(source, Payment) else source.issue_date
    if on < received:
        raise Unprocessable(
            f"{_name(source)} arrived on {received}, after {on}",
            code="refund_before_receipt",
            extra={"field": "refund_date"},
        )
    return await drawable_on(session, source, on)


def _check_within(amount: int, available: int, source: Payment | CreditMemo, on: date) -> None:
    if amount > available:
        raise Unprocessable(
            f"{Money(amount, source.currency)} is more than the {Money(available, source.currency)} of "
            f"{_name(source)} unapplied on {on} and after",
            code="exceeds_refundable",
            extra={"field": "amount"},
        )


async def _source(
    session: AsyncSession,
    payment_id: uuid.UUID | None,
    memo_id: uuid.UUID | None,
    *,
    for_update: bool = False,
) -> Payment | CreditMemo:
    if payment_id is not None:
        payment = await PaymentRepository(session).get(payment_id, for_update=for_update)
        if payment is None:
            raise NotFound(f"payment {payment_id} does not exist", code="payment_not_found")
        return payment
    assert memo_id is not None
    memo = await CreditMemoRepository(session).get(memo_id, for_update=for_update)
    if memo is None:
        raise NotFound(f"credit memo {memo_id} does not exist", code="credit_memo_not_found")
    return memo


def _kind(source: Payment | CreditMemo) -> Literal["payment", "credit_memo"]:
    return "payment" if isinstance(source, Payment) else "credit_memo"


def _name(source: Payment | CreditMemo) -> str:
    return f"payment {source.id}" if isinstance(source, Payment) else f"credit memo {source.memo_number}"


async def get_refund(session: AsyncSession, refund_id: uuid.UUID) -> Refund:
    refund = await RefundRepository(session).get(refund_id)
    if refund is None:
        raise NotFound(f"refund {refund_id} does not exist", code="refund_not_found")
    return refund


async def list_refunds(
    session: AsyncSession, page: PageParams, customer: CustomerFilter, status: RefundStatus | None
) -> Page[RefundOut]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await RefundRepository(session).list(
        limit=page.limit + 1,
        after_id=after,
        customer_id=await resolve_filter(session, customer),
        status=status,
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[RefundOut](items=[RefundOut.of(r) for r in items], next_cursor=next_cursor)
