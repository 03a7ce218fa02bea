"""Payment rules: receive (allocated or auto-applied), apply later, unapply, reverse once."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.service import resolve_filter
from ar_ledger.domain import journal
from ar_ledger.filters import CustomerFilter
from ar_ledger.models import Payment, plumbing
from ar_ledger.payments.repository import PaymentRepository
from ar_ledger.payments.schemas import ApplyRequest, PaymentCreate, PaymentOut, ReversalRequest
from ar_ledger.postings.allocate import allocate, execute, plan, requested_allocations
from ar_ledger.postings.repository import PostingRepository
from ar_ledger.postings.service import (
    invoices_by_id,
    locked_customer,
    money,
    outbox,
    post_entry,
    require_currency,
    unapply,
)
from ar_ledger.refunds.repository import RefundRepository
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.ledger import PaymentReceived, PaymentReversed, ReopenedInvoice
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, NotFound, Unprocessable

audit = AuditLog(plumbing)


async def snapshot(session: AsyncSession, payment: Payment) -> PaymentOut:
    await session.flush()
    applications = list(await PaymentRepository(session).applications_of(payment.id))
    return PaymentOut.of(payment, applications, await RefundRepository(session).refunded_minor(payment.id))


async def receive_payment(session: AsyncSession, actor: Actor, data: PaymentCreate) -> Payment:
    customer = await locked_customer(session, data.customer_id, data.customer_external_id)
    require_currency(customer, data.amount.currency)
    amount = data.amount.to_money().minor
    payment = await PaymentRepository(session).add(
        Payment(
            id=uuid.uuid4(),
            customer_id=customer.id,
            currency=customer.currency,
            amount_minor=amount,
            unapplied_minor=amount,
            received_on=data.received_on,
            method=data.method,
            remittance_reference=data.remittance_reference,
            external_reference=data.external_reference,
            status="posted",
        )
    )
    await post_entry(
        session, customer, "payment_received", payment.id, data.received_on, journal.payment_received(amount)
    )
    allocations = await plan(
        session,
        customer,
        payment,
        requested=requested_allocations(data.allocations, customer.currency),
        effective_date=data.received_on,
        remittance_reference=data.remittance_reference,
    )
    # the receipt event goes first (consumers see the cash arrive, then each application) and
    # already says what will stay unapplied
    await outbox.add(
        session,
        PaymentReceived(
            payment_id=payment.id,
            customer_id=customer.id,
            amount=data.amount,
            received_on=data.received_on,
            method=data.method,
            remittance_reference=data.remittance_reference,
            unapplied=money(amount - sum(a.amount_minor for a in allocations), customer.currency),
        ),
    )
    await execute(session, actor, customer, payment, allocations, effective_date=data.received_on)
    await audit.record(
        session, actor=actor, action="payment.received", entity_type="payment", entity_id=str(payment.id),
        after=(await snapshot(session, payment)).model_dump(mode="json"),
    )  # fmt: skip
    return payment


async def apply_unapplied(
    session: AsyncSession, actor: Actor, payment_id: uuid.UUID, data: ApplyRequest
) -> Payment:
    payment = await _payment(session, payment_id)
    customer = await locked_customer(session, payment.customer_id)
    payment = await _payment(session, payment_id, for_update=True)
    if payment.status == "reversed":
        raise Conflict("a reversed payment cannot be applied", code="payment_reversed")
    if data.effective_date < payment.received_on:
        raise Unprocessable("cash cannot be applied before it was received", code="applied_before_receipt")
    before = (await snapshot(session, payment)).model_dump(mode="json")
    await allocate(
        session,
        actor,
        customer,
        payment,
        requested=requested_allocations(data.allocations, customer.currency),
        effective_date=data.effective_date,
        remittance_reference=payment.remittance_reference,
        event_source_kind="unapplied_cash",
    )
    await audit.record(
        session, actor=actor, action="payment.applied", entity_type="payment", entity_id=str(payment.id),
        before=before, after=(await snapshot(session, payment)).model_dump(mode="json"),
    )  # fmt: skip
    return payment


async def unapply_application(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, effective_date: date
) -> Payment:
    repo = PaymentRepository(session)
    application = await repo.application_for_update(application_id)
    if application is None:
        raise NotFound(f"application {application_id} does not exist", code="application_not_found")
    if application.source_kind != "payment":
        raise Unprocessable("only payment applications are unapplied here", code="not_a_payment_application")
    customer = await locked_customer(session, application.customer_id)
    payment = await _payment(session, application.source_id, for_update=True)
    invoice = (await invoices_by_id(session, [application.invoice_id]))[application.invoice_id]
    before = (await snapshot(session, payment)).model_dump(mode="json")
    await unapply(session, customer, application, invoice, effective_date, announce=True)
    payment.unapplied_minor += application.amount_minor
    await audit.record(
        session, actor=actor, action="payment.unapplied", entity_type="payment", entity_id=str(payment.id),
        before=before, after=(await snapshot(session, payment)).model_dump(mode="json"),
    )  # fmt: skip
    return payment


async def reverse_payment(
    session: AsyncSession, actor: Actor, payment_id: uuid.UUID, data: ReversalRequest
) -> Payment:
    """A bounced cheque: what the payment paid is open again from the reversal date."""
    payment = await _payment(session, payment_id)
    customer = await locked_customer(session, payment.customer_id)
    payment = await _payment(session, payment_id, for_update=True)
    if payment.status == "reversed":
        raise Conflict(
            f"payment {payment.id} was already reversed on {payment.reversed_on}",
            code="payment_already_reversed",
        )
    if data.reversed_on < payment.received_on:
        raise Unprocessable(
            "a payment cannot be reversed before it was received", code="reversal_before_receipt"
        )
    if await RefundRepository(session).refunded_minor(payment.id):
        # the refunded money already went back to the customer: a reversal would take it twice
        raise Conflict(
            f"payment {payment.id} was partly refunded; it cannot be reversed", code="payment_refunded"
        )
    before = (await snapshot(session, payment)).model_dump(mode="json")
    unapplied_before = payment.unapplied_minor
    postings = PostingRepository(session)
    applications = await postings.active_applications_of_source(payment.id)
    invoices = (
        await invoices_by_id(session, sorted({a.invoice_id for a in applications})) if applications else {}
    )
    for application in applications:
        if data.reversed_on < application.effective_date:
            raise Unprocessable(
                f"the payment was applied on {application.effective_date}, after {data.reversed_on}",
                code="reversal_before_application",
            )
        await unapply(session, customer, application, invoices[application.invoice_id], data.reversed_on)
        payment.unapplied_minor += application.amount_minor
    await post_entry(
        session,
        customer,
        "payment_reversed",
        payment.id,
        data.reversed_on,
        journal.payment_reversed(payment.amount_minor),
    )
    payment.unapplied_minor = 0
    payment.status = "reversed"
    payment.reversed_on = data.reversed_on
    payment.reversal_reason = data.reason
    await audit.record(
        session, actor=actor, action="payment.reversed", entity_type="payment", entity_id=str(payment.id),
        before=before, after=(await snapshot(session, payment)).model_dump(mode="json"),
    )  # fmt: skip
    await outbox.add(
        session,
        PaymentReversed(
            payment_id=payment.id,
            customer_id=customer.id,
            amount=money(payment.amount_minor, payment.currency),
            reversed_on=data.reversed_on,
            reason=data.reason,
            reopened_invoice_ids=sorted({a.invoice_id for a in applications}),
            reopened=[
                ReopenedInvoice(
                    invoice_id=a.invoice_id,
                    amount=money(a.amount_minor, payment.currency),
                    invoice_open_balance=money(invoices[a.invoice_id].open_minor, payment.currency),
                )
                for a in applications
            ],
            unapplied_removed=money(unapplied_before, payment.currency),
        ),
    )
    return payment


async def _payment(session: AsyncSession, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment:
    payment = await PaymentRepository(session).get(payment_id, for_update=for_update)
    if payment is None:
        raise NotFound(f"payment {payment_id} does not exist", code="payment_not_found")
    return payment


async def get_payment(session: AsyncSession, payment_id: uuid.UUID) -> PaymentOut:
    return await snapshot(session, await _payment(session, payment_id))


async def list_payments(
    session: AsyncSession, page: PageParams, customer: CustomerFilter
) -> Page[PaymentOut]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    repo, refunds = PaymentRepository(session), RefundRepository(session)
    customer_id = await resolve_filter(session, customer)
    rows = await repo.list(limit=page.limit + 1, after_id=after, customer_id=customer_id)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[PaymentOut](
        items=[
            PaymentOut.of(p, list(await repo.applications_of(p.id)), await refunds.refunded_minor(p.id))
            for p in items
        ],
        next_cursor=next_cursor,
    )
