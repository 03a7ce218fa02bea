"""Write-off rules: no more than the invoice's open balance, in its currency, with a reason."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.invoices.repository import InvoiceRepository
from ar_ledger.models import WriteOff, plumbing
from ar_ledger.postings.service import apply_to_invoice, invoices_by_id, locked_customer, money, outbox
from ar_ledger.reason_codes.service import require_known
from ar_ledger.write_offs.schemas import WriteOffCreate, WriteOffOut
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.ledger import InvoiceWrittenOff
from ar_shared.problems import NotFound, Unprocessable

audit = AuditLog(plumbing)


async def write_off(
    session: AsyncSession,
    actor: Actor,
    data: WriteOffCreate,
    reason_codes: Collection[str],
    *,
    request_id: uuid.UUID | None = None,
) -> WriteOff:
    """Writes off an amount of an invoice; `request_id` is the approved recommendation it carries
    out (unique: a recommendation is written off once)."""
    require_known(data.reason_code, reason_codes, "write-off")
    found = await InvoiceRepository(session).get(data.invoice_id)
    if found is None:
        raise NotFound(f"invoice {data.invoice_id} does not exist", code="invoice_not_found")
    customer = await locked_customer(session, found.customer_id)
    invoice = (await invoices_by_id(session, [data.invoice_id]))[data.invoice_id]
    if data.amount.currency != invoice.currency:
        raise Unprocessable(f"the invoice is in {invoice.currency}", code="currency_mismatch")
    amount = data.amount.to_money().minor
    row = WriteOff(
        id=uuid.uuid4(),
        customer_id=customer.id,
        invoice_id=invoice.id,
        currency=invoice.currency,
        amount_minor=amount,
        reason_code=data.reason_code,
        effective_date=data.effective_date,
        note=data.note,
        request_id=request_id,
    )
    session.add(row)
    await session.flush()
    # the write-off is announced before the application, whose InvoiceSettled may follow
    await outbox.add(
        session,
        InvoiceWrittenOff(
            write_off_id=row.id,
            customer_id=customer.id,
            invoice_id=invoice.id,
            amount=data.amount,
            reason_code=data.reason_code,
            effective_date=data.effective_date,
            invoice_open_balance=money(invoice.open_minor - amount, invoice.currency),
        ),
    )
    await apply_to_invoice(
        session,
        actor,
        customer,
        invoice,
        source_kind="write_off",
        source_id=row.id,
        amount_minor=amount,
        effective_date=data.effective_date,
    )
    await session.refresh(row)
    await audit.record(
        session, actor=actor, action="invoice.written_off", entity_type="invoice", entity_id=str(invoice.id),
        after=WriteOffOut.of(row).model_dump(mode="json"),
    )  # fmt: skip
    return row
