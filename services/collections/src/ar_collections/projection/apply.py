"""How each ledger and credit event changes the projection (nothing else: see consumers.py).

The ledger states each invoice's open balance after every movement, so balances are set, not
added up; only unapplied cash and credits move by the amounts the events carry. The busiest
event, `InvoiceIssued`, only adds an object to the session; `invoices_issued` is its set-wise form,
one statement for a consumer batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, case, text, update
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, DATE, SMALLINT, TEXT, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars import service as calendars
from ar_collections.models import (
    Account,
    CreditHold,
    CreditMemo,
    CreditProfile,
    ItemMovement,
    OpenItem,
    Payment,
    PaymentApplication,
)
from ar_shared.events.credit import (
    CreditHoldPlaced,
    CreditHoldReleased,
    CreditLimitChanged,
    CreditReviewCompleted,
    CreditRiskClassChanged,
)
from ar_shared.events.envelope import EventPayload
from ar_shared.events.ledger import (
    BusinessDateChanged,
    CreditMemoIssued,
    CustomerUpserted,
    InvoiceIssued,
    InvoiceSettled,
    InvoiceVoided,
    InvoiceWrittenOff,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
)
from ar_shared.money import MoneyTotal

Projection = Callable[[AsyncSession, Any], Awaitable[None]]

ACCOUNT_COLUMNS = (
    "external_id", "name", "currency", "business_entity", "sales_rep", "contact_email", "time_zone",
    "payment_terms_days",
)  # fmt: skip


def minor(amount: MoneyTotal) -> int:
    return amount.to_money().minor


async def customer_upserted(session: AsyncSession, event: CustomerUpserted) -> None:
    await customers_upserted(session, [event])


_ACCOUNTS_PER_STATEMENT = 2_000  # of 9 parameters each: well under the protocol's 32,767


async def customers_upserted(session: AsyncSession, events: Sequence[CustomerUpserted]) -> None:
    """Any number of customers, a statement per 2,000; one that comes twice takes its last values
    (a statement may change a row once)."""
    latest = {e.customer_id: e for e in events}
    rows = [
        {"customer_id": e.customer_id, **{c: getattr(e, c) for c in ACCOUNT_COLUMNS}} for e in latest.values()
    ]
    for start in range(0, len(rows), _ACCOUNTS_PER_STATEMENT):
        statement = insert(Account).values(rows[start : start + _ACCOUNTS_PER_STATEMENT])
        # only the ledger's columns: the portfolio, attributes and contacts are collections' own
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Account.customer_id], set_={c: statement.excluded[c] for c in ACCOUNT_COLUMNS}
            )
        )


def open_item(event: InvoiceIssued) -> dict[str, Any]:
    """The open item an issued invoice becomes (the row's columns)."""
    money = event.amount.to_money()
    return {
        "invoice_id": event.invoice_id,
        "customer_id": event.customer_id,
        "business_entity": event.business_entity,
        "invoice_number": event.invoice_number,
        "issue_date": event.issue_date,
        "due_date": event.due_date,
        "currency": money.currency,
        "exponent": money.exponent,
        "amount_minor": money.minor,
        "open_minor": money.minor,
        "voided": False,
        "po_number": event.po_number,
        "document_kind": event.document_kind,
    }


def issued_movement(event: InvoiceIssued) -> dict[str, Any]:
    return {
        "invoice_id": event.invoice_id, "kind": "issued", "source_id": event.invoice_id,
        "customer_id": event.customer_id, "effective_date": event.issue_date,
        "delta_minor": minor(event.amount),
    }  # fmt: skip


async def _moved(
    session: AsyncSession, invoice_id: Any, customer_id: Any, kind: str, source_id: Any, on: Any, delta: int
) -> None:
    session.add(
        ItemMovement(
            invoice_id=invoice_id, kind=kind, source_id=source_id, customer_id=customer_id,
            effective_date=on, delta_minor=delta,
        )
    )  # fmt: skip


async def invoice_issued(session: AsyncSession, event: InvoiceIssued) -> None:
    # added, not executed: the ORM writes the items of a batch of events in one statement
    session.add(OpenItem(**open_item(event)))
    session.add(ItemMovement(**issued_movement(event)))


# the open items of a batch of issued invoices and their "issued" movements, one statement from
# arrays: a list of rows would go out as one execution per row (PostgreSQL planned and ran 2 x 100
# inserts for a batch of 100 invoices, ~0.2 ms each: docs/benchmarks.md)
ISSUE_ITEMS = text(
    """
    WITH issued AS MATERIALIZED (
        SELECT * FROM unnest(:ids, :customers, :entities, :numbers, :issue_dates, :due_dates, :currencies,
                             :exponents, :amounts, :po_numbers, :kinds)
            AS i(invoice_id, customer_id, business_entity, invoice_number, issue_date, due_date, currency,
                 exponent, amount_minor, po_number, document_kind)
    ), items AS (
        INSERT INTO collections.open_items
            (invoice_id, customer_id, business_entity, invoice_number, issue_date, due_date, currency,
             exponent, amount_minor, open_minor, voided, po_number, document_kind)
        SELECT invoice_id, customer_id, business_entity, invoice_number, issue_date, due_date, currency,
               exponent, amount_minor, amount_minor, false, po_number, document_kind
        FROM issued
    )
    INSERT INTO collections.item_movements
        (invoice_id, kind, source_id, customer_id, effective_date, delta_minor)
    SELECT invoice_id, 'issued', invoice_id, customer_id, issue_date, amount_minor FROM issued
    """
).bindparams(
    bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("customers", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("entities", type_=ARRAY(TEXT)),
    bindparam("numbers", type_=ARRAY(TEXT)),
    bindparam("issue_dates", type_=ARRAY(DATE)),
    bindparam("due_dates", type_=ARRAY(DATE)),
    bindparam("currencies", type_=ARRAY(TEXT)),
    bindparam("exponents", type_=ARRAY(SMALLINT)),
    bindparam("amounts", type_=ARRAY(BIGINT)),
    bindparam("po_numbers", type_=ARRAY(TEXT)),
    bindparam("kinds", type_=ARRAY(TEXT)),
)


async def invoices_issued(session: AsyncSession, events: Sequence[InvoiceIssued]) -> None:
    """Any number of issued invoices in one statement (for a consumer that hands over batches):
    what `invoice_issued` writes for each."""
    if not events:
        return
    items = [open_item(e) for e in events]
    await session.execute(
        ISSUE_ITEMS,
        {
            "ids": [i["invoice_id"] for i in items],
            "customers": [i["customer_id"] for i in items],
            "entities": [i["business_entity"] for i in items],
            "numbers": [i["invoice_number"] for i in items],
            "issue_dates": [i["issue_date"] for i in items],
            "due_dates": [i["due_date"] for i in items],
            "currencies": [i["currency"] for i in items],
            "exponents": [i["exponent"] for i in items],
            "amounts": [i["amount_minor"] for i in items],
            "po_numbers": [i["po_number"] for i in items],
            "kinds": [i["document_kind"] for i in items],
        },
    )


async def _set_open(session: AsyncSession, invoice_id: Any, open_balance: MoneyTotal) -> None:
    open_minor = minor(open_balance)
    await session.execute(
        update(OpenItem)
        .where(OpenItem.invoice_id == invoice_id)
        # an item open again is no longer settled
        .values(open_minor=open_minor, settled_on=None if open_minor > 0 else OpenItem.settled_on)
    )


async def invoice_voided(session: AsyncSession, event: InvoiceVoided) -> None:
    # only an invoice with nothing applied can be voided: all of it leaves
    await _moved(
        session, event.invoice_id, event.customer_id, "voided", event.invoice_id, event.voided_on,
        -minor(event.amount),
    )  # fmt: skip
    await session.execute(
        update(OpenItem).where(OpenItem.invoice_id == event.invoice_id).values(open_minor=0, voided=True)
    )


async def invoice_settled(session: AsyncSession, event: InvoiceSettled) -> None:
    await session.execute(
        update(OpenItem).where(OpenItem.invoice_id == event.invoice_id).values(settled_on=event.settled_on)
    )


async def invoice_written_off(session: AsyncSession, event: InvoiceWrittenOff) -> None:
    await _moved(
        session, event.invoice_id, event.customer_id, "written_off", event.write_off_id, event.effective_date,
        -minor(event.amount),
    )  # fmt: skip
    await _set_open(session, event.invoice_id, event.invoice_open_balance)


async def payment_received(session: AsyncSession, event: PaymentReceived) -> None:
    # `unapplied` is what auto-apply left; the allocations it made follow as PaymentApplied
    session.add(
        Payment(
            payment_id=event.payment_id,
            customer_id=event.customer_id,
            currency=event.amount.currency,
            amount_minor=minor(event.amount),
            received_on=event.received_on,
            method=event.method,
            unapplied_minor=minor(event.unapplied),
        )
    )


async def _move_unapplied(session: AsyncSession, holder: str | None, source_id: Any, change: int) -> None:
    """Unapplied cash of a payment, or the unapplied part of a credit memo, moves by `change`."""
    if holder == "payment":
        await session.execute(
            update(Payment)
            .where(Payment.payment_id == source_id)
            .values(unapplied_minor=Payment.unapplied_minor + change)
        )
    elif holder == "credit_memo":
        await session.execute(
            update(CreditMemo)
            .where(CreditMemo.memo_id == source_id)
            .values(unapplied_minor=CreditMemo.unapplied_minor + change)
        )


async def payment_applied(session: AsyncSession, event: PaymentApplied) -> None:
    await _moved(
        session, event.invoice_id, event.customer_id, "applied", event.application_id, event.effective_date,
        -minor(event.amount),
    )  # fmt: skip
    await _set_open(session, event.invoice_id, event.invoice_open_balance)
    # cash allocated when it arrived was never unapplied (PaymentReceived.unapplied excludes it)
    holder = {"unapplied_cash": "payment", "credit_memo": "credit_memo"}.get(event.source_kind)
    await _move_unapplied(session, holder, event.source_id, -minor(event.amount))
    # kept one by one: promises and plans are judged from the cash applied to their items by a date
    await session.execute(
        insert(PaymentApplication)
        .values(
            application_id=event.application_id,
            customer_id=event.customer_id,
            invoice_id=event.invoice_id,
            source_kind=event.source_kind,
            source_id=event.source_id,
            amount_minor=minor(event.amount),
            effective_date=event.effective_date,
        )
        .on_conflict_do_nothing()
    )


async def payment_unapplied(session: AsyncSession, event: PaymentUnapplied) -> None:
    await _moved(
        session, event.invoice_id, event.customer_id, "unapplied", event.application_id, event.effective_date,
        minor(event.amount),
    )  # fmt: skip
    await _set_open(session, event.invoice_id, event.invoice_open_balance)
    await _move_unapplied(session, event.source_kind, event.source_id, minor(event.amount))
    await session.execute(
        update(PaymentApplication)
        .where(
            PaymentApplication.application_id == event.application_id, PaymentApplication.undone_on.is_(None)
        )
        .values(undone_on=event.effective_date)
    )


async def payment_reversed(session: AsyncSession, event: PaymentReversed) -> None:
    for reopened in event.reopened:
        await _set_open(session, reopened.invoice_id, reopened.invoice_open_balance)
        await _moved(
            session, reopened.invoice_id, event.customer_id, "reopened", event.payment_id, event.reversed_on,
            minor(reopened.amount),
        )  # fmt: skip
    await session.execute(
        update(Payment)
        .where(Payment.payment_id == event.payment_id)
        .values(
            unapplied_minor=Payment.unapplied_minor - minor(event.unapplied_removed),
            reversed_on=event.reversed_on,
        )
    )
    # every application of the payment's cash goes with it
    await session.execute(
        update(PaymentApplication)
        .where(
            PaymentApplication.source_id == event.payment_id,
            PaymentApplication.source_kind.in_(("payment", "unapplied_cash")),
            PaymentApplication.undone_on.is_(None),
        )
        .values(undone_on=event.reversed_on)
    )


async def refund_issued(session: AsyncSession, event: RefundIssued) -> None:
    # the money went back to the customer: it no longer waits to be applied
    await _move_unapplied(session, event.source_kind, event.source_id, -minor(event.amount))


async def credit_memo_issued(session: AsyncSession, event: CreditMemoIssued) -> None:
    # an application to an invoice follows as PaymentApplied(source_kind="credit_memo")
    amount = minor(event.amount)
    session.add(
        CreditMemo(
            memo_id=event.credit_memo_id,
            customer_id=event.customer_id,
            memo_number=event.memo_number,
            currency=event.amount.currency,
            amount_minor=amount,
            unapplied_minor=amount,
            issue_date=event.issue_date,
            invoice_id=event.invoice_id,
            reason_code=event.reason_code,
        )
    )


async def business_date_changed(session: AsyncSession, event: BusinessDateChanged) -> None:
    await calendars.record(session, event)


async def credit_hold_placed(session: AsyncSession, event: CreditHoldPlaced) -> None:
    await session.execute(
        insert(CreditHold)
        .values(
            hold_id=event.hold_id,
            customer_id=event.customer_id,
            reason_code=event.reason_code,
            source=event.source,
            placed_by=event.placed_by,
            placed_at=event.placed_at,
            note=event.note,
        )
        .on_conflict_do_nothing()
    )


async def credit_hold_released(session: AsyncSession, event: CreditHoldReleased) -> None:
    await session.execute(
        update(CreditHold)
        .where(CreditHold.hold_id == event.hold_id)
        .values(
            released_at=event.released_at,
            released_by=event.released_by,
            release_reason=event.release_reason,
        )
    )


async def _profile(session: AsyncSession, customer_id: Any, **values: Any) -> None:
    statement = insert(CreditProfile).values(customer_id=customer_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CreditProfile.customer_id], set_={k: statement.excluded[k] for k in values}
        )
    )


async def credit_limit_changed(session: AsyncSession, event: CreditLimitChanged) -> None:
    await _profile(
        session,
        event.customer_id,
        credit_limit_minor=minor(event.new_limit),
        credit_limit_currency=event.new_limit.currency,
    )


async def credit_review_completed(session: AsyncSession, event: CreditReviewCompleted) -> None:
    # a review only recommends: its class stands in until credit announces the profile's own
    statement = insert(CreditProfile).values(
        customer_id=event.customer_id,
        risk_class=event.risk_class,
        score=event.score,
        next_review_on=event.next_review_on,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CreditProfile.customer_id],
            set_={
                "risk_class": case(
                    (CreditProfile.risk_class_version.is_(None), statement.excluded.risk_class),
                    else_=CreditProfile.risk_class,
                ),
                "score": statement.excluded.score,
                "next_review_on": statement.excluded.next_review_on,
            },
        )
    )


async def credit_risk_class_changed(session: AsyncSession, event: CreditRiskClassChanged) -> None:
    """The profile's class, unless a later version of the profile is known already (the events of
    a customer are ordered on its partition, but a replay or a redelivered old copy is not)."""
    statement = insert(CreditProfile).values(
        customer_id=event.customer_id, risk_class=event.risk_class, risk_class_version=event.profile_version
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CreditProfile.customer_id],
            set_={"risk_class": statement.excluded.risk_class, "risk_class_version": event.profile_version},
            where=CreditProfile.risk_class_version.is_(None)
            | (CreditProfile.risk_class_version < statement.excluded.risk_class_version),
        )
    )


PROJECTIONS: dict[type[EventPayload], Projection] = {
    CustomerUpserted: customer_upserted,
    InvoiceIssued: invoice_issued,
    InvoiceVoided: invoice_voided,
    InvoiceSettled: invoice_settled,
    InvoiceWrittenOff: invoice_written_off,
    PaymentReceived: payment_received,
    PaymentApplied: payment_applied,
    PaymentUnapplied: payment_unapplied,
    PaymentReversed: payment_reversed,
    CreditMemoIssued: credit_memo_issued,
    RefundIssued: refund_issued,
    BusinessDateChanged: business_date_changed,
    CreditHoldPlaced: credit_hold_placed,
    CreditHoldReleased: credit_hold_released,
    CreditLimitChanged: credit_limit_changed,
    CreditReviewCompleted: credit_review_completed,
    CreditRiskClassChanged: credit_risk_class_changed,
}
"""Every event the projection follows, and what it does with it."""


async def apply(session: AsyncSession, payload: EventPayload) -> None:
    await PROJECTIONS[type(payload)](session, payload)
