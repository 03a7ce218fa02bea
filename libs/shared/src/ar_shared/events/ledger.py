"""Events the ledger emits on `ledger.events` (key: customer id)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ar_shared.events.envelope import EventPayload
from ar_shared.events.registry import register
from ar_shared.money import MoneyAmount, MoneyTotal


class LedgerEvent(EventPayload):
    producer = "ledger"


@register
class CustomerUpserted(LedgerEvent):
    """A customer was created or changed in the ledger (the ERP's master data)."""

    event_name = "CustomerUpserted"

    customer_id: uuid.UUID
    external_id: str = Field(description="The ERP's id of the customer")
    name: str
    currency: str = Field(description="ISO 4217 code of every document of this customer")
    payment_terms_days: int = Field(ge=0, description="Net days: due date = issue date + this")
    business_entity: str = Field(description="The company of the group that bills the customer")
    sales_rep: str | None = Field(default=None, description="E-mail of the sales rep told about credit holds")
    contact_email: str | None = Field(default=None, description="Where dunning e-mails go")
    time_zone: str = Field(default="UTC", description="IANA zone of the customer, for contact hours")


@register
class InvoiceIssued(LedgerEvent):
    """An invoice was posted; it is open for its full amount."""

    event_name = "InvoiceIssued"

    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    invoice_number: str = Field(description="Unique within the business entity")
    issue_date: date
    due_date: date
    amount: MoneyAmount
    order_reference: str | None = Field(default=None, description="Sales order the invoice bills, if any")
    po_number: str | None = Field(default=None, description="The customer's purchase order number")
    document_kind: Literal["invoice", "dunning_fee", "late_interest"] = Field(
        default="invoice",
        description="An invoice, or a fee document the ledger issued for a DunningChargeRequested",
    )


@register
class InvoiceVoided(LedgerEvent):
    """An invoice with nothing applied to it was cancelled."""

    event_name = "InvoiceVoided"

    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_number: str
    amount: MoneyAmount
    voided_on: date
    reason: str | None = None


@register
class CreditMemoIssued(LedgerEvent):
    """A credit memo was posted, standalone or against one invoice."""

    event_name = "CreditMemoIssued"

    credit_memo_id: uuid.UUID
    customer_id: uuid.UUID
    memo_number: str
    issue_date: date
    amount: MoneyAmount
    invoice_id: uuid.UUID | None = Field(default=None, description="The invoice it was issued against")
    reason_code: str | None = None
    request_id: uuid.UUID | None = Field(
        default=None, description="The CreditMemoRequested it answers (collections matches the memo by it)"
    )
    dispute_id: uuid.UUID | None = Field(default=None, description="The dispute case it settles, if any")


@register
class PaymentReceived(LedgerEvent):
    """Cash arrived from a customer (before or without allocation)."""

    event_name = "PaymentReceived"

    payment_id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyAmount
    received_on: date
    method: str | None = Field(default=None, description="e.g. wire, cheque, card, direct_debit")
    remittance_reference: str | None = None
    unapplied: MoneyAmount = Field(description="What remained unallocated after auto-apply")


@register
class PaymentApplied(LedgerEvent):
    """One allocation of cash, a credit memo or unapplied cash to one invoice."""

    event_name = "PaymentApplied"

    application_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    source_kind: Literal["payment", "credit_memo", "unapplied_cash"]
    source_id: uuid.UUID = Field(
        description="The payment (source_kind payment or unapplied_cash) or credit memo the amount came from"
    )
    amount: MoneyAmount
    effective_date: date
    invoice_open_balance: MoneyAmount = Field(description="The invoice's open balance after this application")
    deduction_reason: str | None = Field(
        default=None,
        description="Why the customer paid short (a residual with a reason opens a deduction case)",
        examples=["pricing", "damaged_goods"],
    )


class ReopenedInvoice(BaseModel):
    """What a reversed payment took back from one invoice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_id: uuid.UUID
    amount: MoneyAmount = Field(description="What the reversal took back from this invoice")
    invoice_open_balance: MoneyAmount = Field(description="The invoice's open balance afterwards")


@register
class PaymentReversed(LedgerEvent):
    """A payment failed after posting (bounced cheque, charge-back): what it paid is open again."""

    event_name = "PaymentReversed"

    payment_id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyAmount = Field(description="The payment's full amount")
    reversed_on: date
    reason: str | None = None
    reopened_invoice_ids: list[uuid.UUID] = Field(
        default_factory=list, description="The invoices of `reopened`, ids only"
    )
    reopened: list[ReopenedInvoice] = Field(default_factory=list, description="Per invoice, what re-opened")
    unapplied_removed: MoneyAmount = Field(description="Unapplied cash of the payment that left with it")


@register
class PaymentUnapplied(LedgerEvent):
    """An application was taken back: the invoice is open again, the money unapplied again."""

    event_name = "PaymentUnapplied"

    application_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    source_kind: Literal["payment", "credit_memo"]
    source_id: uuid.UUID = Field(description="The payment or credit memo the amount goes back to")
    amount: MoneyAmount
    effective_date: date
    invoice_open_balance: MoneyAmount = Field(description="The invoice's open balance after the unapply")


@register
class InvoiceWrittenOff(LedgerEvent):
    """An amount of an invoice was declared uncollectable."""

    event_name = "InvoiceWrittenOff"

    write_off_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyAmount
    reason_code: str = Field(examples=["uncollectable", "small_balance"])
    effective_date: date
    invoice_open_balance: MoneyAmount = Field(description="The invoice's open balance after the write-off")


@register
class RefundIssued(LedgerEvent):
    """Unapplied cash of a payment, or an unapplied credit memo, was paid back to the customer.

    Posted (journal entry, balances) when issued: at once up to the approval threshold, above it
    once a second person approved it. Unapplied cash or credits of the customer fall by `amount`.
    """

    event_name = "RefundIssued"

    refund_id: uuid.UUID
    customer_id: uuid.UUID
    source_kind: Literal["payment", "credit_memo"] = Field(
        description="Refunded from a payment's unapplied cash or from a credit memo's unapplied credit"
    )
    source_id: uuid.UUID = Field(description="The payment or credit memo the money came from")
    amount: MoneyAmount
    refund_date: date = Field(description="Effective date: the money is gone from this date on")
    reason_code: str = Field(examples=["overpayment", "credit_balance"])
    method: str | None = Field(default=None, description="e.g. wire, cheque")
    reference: str | None = Field(default=None, description="The bank's or ERP's reference of the refund")
    source_unapplied: MoneyAmount = Field(description="What of the source stays unapplied afterwards")
    requested_by: str
    approved_by: str | None = Field(
        default=None, description="The second person who approved it (refunds above the threshold)"
    )


@register
class InvoiceSettled(LedgerEvent):
    """An invoice's open balance reached zero."""

    event_name = "InvoiceSettled"

    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_number: str
    settled_on: date = Field(description="Effective date of the application that closed it")
    amount: MoneyAmount = Field(description="The invoice's original amount")


@register
class AccountPastDue(LedgerEvent):
    """A customer got its first overdue invoice, or its oldest days past due crossed a bucket edge."""

    event_name = "AccountPastDue"

    customer_id: uuid.UUID
    as_of: date
    overdue: list[MoneyTotal] = Field(description="Overdue amount per currency")
    oldest_days_past_due: int = Field(ge=1)
    bucket: str = Field(description="Aging bucket of the oldest overdue item, e.g. '31-60'")
    overdue_invoice_ids: list[uuid.UUID] = Field(description="Every invoice of the customer overdue on as_of")


@register
class BusinessDateChanged(LedgerEvent):
    """A business entity's business date moved forward one day, after that day's close of
    business ran (its past-due sweep first): one event per business day, in both modes, so a
    consumer hears of every day. A change of mode or time zone that crosses no day is announced
    with `previous_date` equal to `business_date`. Keyed by the entity, not by a customer."""

    event_name = "BusinessDateChanged"
    subject_field = "business_entity"

    business_entity: str = Field(description="The company of the group whose date moved")
    previous_date: date | None = Field(description="The business date before; null the first time")
    business_date: date = Field(
        description="The new business date: what every rule of the entity calls today"
    )
    mode: Literal["calendar", "manual"] = Field(
        description="`calendar`: the date follows the wall clock in `time_zone`; `manual`: an admin set "
        "it (simulation, catching up) and it stays until set again"
    )
    time_zone: str = Field(description="IANA time zone of the entity's calendar", examples=["Europe/Berlin"])
