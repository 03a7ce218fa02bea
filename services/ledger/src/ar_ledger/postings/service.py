"""Posting rules shared by every document: apply, unapply, and the events they cause."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain import journal
from ar_ledger.domain.journal import Account
from ar_ledger.domain.open_balance import applicable
from ar_ledger.domain.unapplied import Drawn, drawable
from ar_ledger.models import Application, CreditMemo, Customer, Invoice, Payment, plumbing
from ar_ledger.postings.engine import Movement, post
from ar_ledger.postings.repository import PostingRepository
from ar_shared.audit import Actor
from ar_shared.events.ledger import InvoiceSettled, PaymentApplied, PaymentUnapplied
from ar_shared.money import Money, MoneyAmount
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import NotFound, ProblemError, Unprocessable

outbox = OutboxWriter(plumbing)

SourceKind = Literal["payment", "credit_memo", "write_off"]
SOURCE_ACCOUNT: dict[str, Account] = {
    "payment": Account.UNAPPLIED_CASH,
    "credit_memo": Account.CUSTOMER_CREDITS,
}


def money(minor: int, currency: str) -> MoneyAmount:
    return MoneyAmount.from_money(Money(minor, currency))


async def locked_customer(
    session: AsyncSession, customer_id: uuid.UUID | None, external_id: str | None = None
) -> Customer:
    customer = await PostingRepository(session).lock_customer(customer_id, external_id)
    if customer is None:
        raise Unprocessable(
            f"customer {customer_id or external_id} does not exist", code="customer_not_found"
        )
    return customer


class Billed(Protocol):
    """The customer facts an invoice is checked and built with (an ORM row or `BillingTerms`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def external_id(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def payment_terms_days(self) -> int: ...
    @property
    def business_entity(self) -> str: ...


def require_currency(customer: Billed, currency: str, field: str = "amount.currency") -> None:
    if currency != customer.currency:
        raise Unprocessable(
            f"customer {customer.external_id} is billed in {customer.currency}, not {currency}",
            code="currency_mismatch",
            extra={"field": field},
        )


async def post_entry(
    session: AsyncSession,
    customer: Customer,
    kind: str,
    document_id: uuid.UUID,
    effective_date: date,
    lines: list[journal.Line],
    invoice_id: uuid.UUID | None = None,
) -> None:
    """One movement of one customer through the posting engine: its entry and its balances."""
    await post(
        session,
        [Movement(customer.id, kind, document_id, effective_date, customer.currency, lines, invoice_id)],
    )


async def apply_to_invoice(
    session: AsyncSession,
    actor: Actor,
    customer: Customer,
    invoice: Invoice,
    *,
    source_kind: SourceKind,
    source_id: uuid.UUID,
    amount_minor: int,
    effective_date: date,
    event_source_kind: Literal["payment", "credit_memo", "unapplied_cash"] | None = None,
    deduction_reason: str | None = None,
) -> Application:
    """Applies an amount to one invoice: application, journal entry, balances and events.

    The caller has locked the customer and the invoice and checked the source has the money.
    """
    if invoice.customer_id != customer.id:
        raise Unprocessable(
            f"invoice {invoice.invoice_number} belongs to another customer",
            code="invoice_of_another_customer",
        )
    if invoice.status == "void":
        raise Unprocessable(f"invoice {invoice.invoice_number} is void", code="invoice_void")
    if amount_minor <= 0:
        raise Unprocessable("applied amounts must be positive", code="amount_not_positive")
    if amount_minor > invoice.open_minor:
        raise Unprocessable(
            f"{Money(amount_minor, invoice.currency)} is more than the open balance "
            f"{Money(invoice.open_minor, invoice.currency)} of invoice {invoice.invoice_number}",
            code="exceeds_open_balance",
        )
    repo = PostingRepository(session)
    room = applicable(invoice.amount_minor, (await repo.applied_to([invoice.id]))[invoice.id], effective_date)
    if amount_minor > room:
        raise Unprocessable(
            f"{Money(amount_minor, invoice.currency)} is more than the {Money(room, invoice.currency)} "
            f"invoice {invoice.invoice_number} has open on {effective_date} and every later date",
            code="exceeds_open_balance",
        )
    if effective_date < invoice.issue_date:
        raise Unprocessable(
            f"invoice {invoice.invoice_number} is issued on {invoice.issue_date}, after {effective_date}",
            code="applied_before_issue",
        )
    application = Application(
        id=uuid.uuid4(),
        customer_id=customer.id,
        invoice_id=invoice.id,
        source_kind=source_kind,
        source_id=source_id,
        amount_minor=amount_minor,
        effective_date=effective_date,
        deduction_reason=deduction_reason,
    )
    await repo.add_application(application)
    lines = (
        journal.written_off(amount_minor)
        if source_kind == "write_off"
        else journal.applied(SOURCE_ACCOUNT[source_kind], amount_minor)
    )
    await post_entry(
        session, customer, f"{source_kind}_applied", application.id, effective_date, lines, invoice.id
    )
    invoice.open_minor -= amount_minor
    if source_kind != "write_off":
        await outbox.add(
            session,
            PaymentApplied(
                application_id=application.id,
                customer_id=customer.id,
                invoice_id=invoice.id,
                source_kind=event_source_kind or source_kind,
                source_id=source_id,
                amount=money(amount_minor, invoice.currency),
                effective_date=effective_date,
                invoice_open_balance=money(invoice.open_minor, invoice.currency),
                deduction_reason=deduction_reason,
            ),
        )
    if invoice.open_minor == 0:
        invoice.status = "written_off" if source_kind == "write_off" else "paid"
        await outbox.add(
            session,
            InvoiceSettled(
                invoice_id=invoice.id,
                customer_id=customer.id,
                invoice_number=invoice.invoice_number,
                settled_on=effective_date,
                amount=money(invoice.amount_minor, invoice.currency),
            ),
        )
    invoice.version += 1
    return application


async def unapply(
    session: AsyncSession,
    customer: Customer,
    application: Application,
    invoice: Invoice,
    on: date,
    *,
    announce: bool = False,
) -> None:
    """Takes an application back from date `on`: the invoice re-opens, the money is unapplied again.

    `announce` emits PaymentUnapplied; a reversal does not, its PaymentReversed says it all.
    """
    if application.reversed_on is not None:
        raise ProblemError("this application was already taken back", status=409, code="already_unapplied")
    if on < application.effective_date:
        raise Unprocessable(
            f"cannot take back on {on} what was applied on {application.effective_date}",
            code="unapply_before_apply",
        )
    if application.source_kind == "write_off":
        raise Unprocessable("write-offs are not taken back", code="write_off_final")
    application.reversed_on = on
    source_account = SOURCE_ACCOUNT[application.source_kind]
    await post_entry(
        session,
        customer,
        f"{application.source_kind}_unapplied",
        application.id,
        on,
        journal.unapplied(source_account, application.amount_minor),
        invoice.id,
    )
    invoice.open_minor += application.amount_minor
    if invoice.status in {"paid", "written_off"}:
        invoice.status = "open"
    invoice.version += 1
    if announce:
        await outbox.add(
            session,
            PaymentUnapplied(
                application_id=application.id,
                customer_id=customer.id,
                invoice_id=invoice.id,
                source_kind="payment" if application.source_kind == "payment" else "credit_memo",
                source_id=application.source_id,
                amount=money(application.amount_minor, invoice.currency),
                effective_date=on,
                invoice_open_balance=money(invoice.open_minor, invoice.currency),
            ),
        )


async def drawable_on(session: AsyncSession, source: Payment | CreditMemo, on: date) -> int:
    """What of the source an application or refund dated `on` may take (`domain.unapplied`)."""
    drawn = [Drawn(*d) for d in await PostingRepository(session).drawn_from(source.id)]
    received = source.received_on if isinstance(source, Payment) else source.issue_date
    return drawable(source.amount_minor, received, drawn, on)


async def invoices_by_id(session: AsyncSession, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, Invoice]:
    found = await PostingRepository(session).invoices_for_update(invoice_ids)
    missing = [str(i) for i in invoice_ids if i not in found]
    if missing:
        raise NotFound(f"invoice(s) not found: {', '.join(missing)}", code="invoice_not_found")
    return found
