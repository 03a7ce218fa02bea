"""Fee documents: a dunning fee or late-payment interest collections asked for
(`DunningChargeRequested`), issued once per request id.

The model chosen is the least invasive one: a fee document is an invoice whose `document_kind`
is `dunning_fee` or `late_interest` and whose `charge_request_id` is the request's id (unique:
a second request with the same id, delivered twice or sent twice, issues nothing; the inbox
alone would only catch the same event twice). Being an invoice, it is an open item like any
other: aging, open items, the statement, payments and auto-apply, write-offs and the past-due
sweep need no change, and its `InvoiceIssued` (with its `document_kind`) puts it in collections'
projection, so the next letter lists it. Its id is the request id too, so collections knows
which of its open items are its own charges (and charges no interest on them). It is issued on
the business date charged for and due at once; its journal entry debits receivables and credits
dunning fee income or late interest income, not sales.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.domain import journal
from ar_ledger.domain.journal import Account
from ar_ledger.dunning_charges.repository import ChargeDocumentRepository
from ar_ledger.models import Invoice, plumbing
from ar_ledger.postings.engine import Movement, post, write_rows
from ar_ledger.postings.rows import NewChargeDocument
from ar_ledger.postings.service import locked_customer, outbox, require_currency
from ar_shared.audit import AuditLog
from ar_shared.audit.log import SystemActor
from ar_shared.clock import session_clock
from ar_shared.events.collections import DunningChargeRequested
from ar_shared.events.ledger import InvoiceIssued

audit = AuditLog(plumbing)
COLLECTIONS = SystemActor("collections")
DocumentKind = Literal["dunning_fee", "late_interest"]
# per charge kind: the document kind, the income account credited, the number's prefix
KINDS: dict[str, tuple[DocumentKind, Account, str]] = {
    "fee": ("dunning_fee", Account.DUNNING_FEE_INCOME, "DF"),
    "interest": ("late_interest", Account.LATE_INTEREST_INCOME, "LI"),
}


def document_number(request: DunningChargeRequested) -> str:
    """Unique within the entity without a counter: derived from the request id."""
    return f"{KINDS[request.kind][2]}-{request.request_id.hex[:16].upper()}"


async def issue_charge_document(session: AsyncSession, request: DunningChargeRequested) -> bool:
    """Issues the fee document of the request, unless one was issued for its id; tells whether it
    issued one. The customer's lock (every posting takes it) orders two deliveries of one id."""
    customer = await locked_customer(session, request.customer_id)
    if await ChargeDocumentRepository(session).for_request(request.request_id) is not None:
        return False
    require_currency(customer, request.amount.currency)
    document_kind, income, _ = KINDS[request.kind]
    amount = request.amount.to_money()
    row = NewChargeDocument(
        id=request.request_id, customer_id=customer.id, business_entity=customer.business_entity,
        invoice_number=document_number(request), issue_date=request.as_of, due_date=request.as_of,
        currency=amount.currency, amount_minor=amount.minor, open_minor=amount.minor, status="open",
        order_reference=None, po_number=None, version=1, created_at=session_clock(session).now(),
        document_kind=document_kind, charge_request_id=request.request_id,
    )  # fmt: skip
    await write_rows(session, Invoice.__table__, [row])
    await post(
        session,
        [
            Movement(
                customer.id, f"{document_kind}_issued", row.id, row.issue_date, row.currency,
                journal.charge_issued(income, amount.minor), invoice_id=row.id,
            )
        ],
    )  # fmt: skip
    issued = InvoiceIssued(
        invoice_id=row.id, customer_id=customer.id, business_entity=customer.business_entity,
        invoice_number=row.invoice_number, issue_date=row.issue_date, due_date=row.due_date,
        amount=request.amount, document_kind=document_kind,
    )  # fmt: skip
    await outbox.add(session, issued)
    await audit.record(
        session, actor=COLLECTIONS, action=f"{document_kind}.issued", entity_type="invoice",
        entity_id=str(row.id),
        after=issued.model_dump(mode="json") | {"request": request.model_dump(mode="json")},
    )  # fmt: skip
    return True
