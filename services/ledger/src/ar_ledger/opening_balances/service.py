"""Loading the ERP's open items as opening balances: all or nothing, and idempotent by content."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.credit_memos.repository import CreditMemoRepository
from ar_ledger.domain import journal
from ar_ledger.domain.reconciliation import ErpItem
from ar_ledger.erp_files.mappings import ColumnMapping
from ar_ledger.erp_files.reader import read_items
from ar_ledger.invoices.issue import PreparedInvoice, post_invoices, prepare_opening
from ar_ledger.invoices.repository import InvoiceRepository
from ar_ledger.models import CreditMemo, Customer, plumbing
from ar_ledger.opening_balances.schemas import OpenedTotal, OpeningBalanceLoad
from ar_ledger.postings.engine import Movement, post, write_rows
from ar_ledger.postings.rows import NewCreditMemo
from ar_ledger.postings.service import money, outbox
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.events.ledger import CreditMemoIssued
from ar_shared.money import Money, currency_exponent, format_minor
from ar_shared.problems import FieldError, Unprocessable

audit = AuditLog(plumbing)
OPENING_REASON = "opening_balance"


async def load(
    session: AsyncSession, actor: Actor, content: bytes, media_type: str, mapping: ColumnMapping
) -> OpeningBalanceLoad:
    """Each positive item becomes an open invoice, each negative one an unapplied credit memo,
    with the ERP's numbers and dates. Items already posted with the same values are left alone
    (loading a file twice posts nothing twice); anything else wrong refuses the whole file."""
    items = read_items(content, media_type, mapping)
    _, customers = await InvoiceRepository(session).customers_for_update([], {i.customer for i in items})
    errors = _check(items, customers)
    checked = {int(e.field.split(".")[1]) for e in errors}  # told once what is wrong with a row
    debits = [i for i in items if i.amount_minor > 0 and i.customer in customers and i.row not in checked]
    credits = [i for i in items if i.amount_minor < 0 and i.customer in customers and i.row not in checked]
    invoices = await InvoiceRepository(session).numbers_taken(
        (customers[i.customer].business_entity, i.document_number) for i in debits
    )
    memos = await CreditMemoRepository(session).numbers_taken(
        (customers[i.customer].business_entity, i.document_number) for i in credits
    )
    new_debits: list[ErpItem] = []
    new_credits: list[ErpItem] = []
    already = 0
    for item in [*debits, *credits]:
        customer = customers[item.customer]
        key = (customer.business_entity, item.document_number)
        existing = invoices.get(key) if item.amount_minor > 0 else memos.get(key)
        if existing is None:
            (new_debits if item.amount_minor > 0 else new_credits).append(item)
        elif _same(existing, item, customer):
            already += 1
        else:
            errors.append(
                FieldError(
                    field=f"rows.{item.row}.document_number",
                    message=f"{item.document_number} exists in {customer.business_entity} with other values",
                    code="duplicate_invoice_number" if item.amount_minor > 0 else "duplicate_memo_number",
                )
            )
    if errors:
        errors.sort(key=lambda e: int(e.field.split(".")[1]))
        raise Unprocessable(
            f"{len(errors)} items of the file cannot be loaded; nothing was posted",
            code="invalid_file_rows",
            errors=errors,
        )
    now = session_clock(session).now()
    opened = [_prepared_invoice(i, customers[i.customer], now) for i in new_debits]
    if opened:
        await post_invoices(session, actor, opened, action="invoice.opened")
    memo_ids = await _post_credits(session, actor, new_credits, customers, now)
    return OpeningBalanceLoad(
        invoices_posted=len(opened),
        credits_posted=len(memo_ids),
        already_loaded=already,
        totals=_totals(new_debits, new_credits),
        invoice_ids=[p.row.id for p in opened],
        credit_memo_ids=memo_ids,
    )


def _check(items: Sequence[ErpItem], customers: dict[str, Customer]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: dict[tuple[str, str, bool], int] = {}
    for item in items:
        key = (item.customer, item.document_number, item.amount_minor > 0)
        customer = customers.get(item.customer)
        if key in seen:
            errors.append(_error(item, "document_number", f"repeats row {seen[key]}", "duplicate_document"))
        seen[key] = item.row
        if customer is None:
            errors.append(
                _error(item, "customer", f"no customer has the ERP id {item.customer}", "customer_not_found")
            )
        elif customer.currency != item.currency:
            message = f"customer {item.customer} is billed in {customer.currency}"
            errors.append(_error(item, "currency", message, "currency_mismatch"))
        if item.amount_minor == 0:
            errors.append(_error(item, "amount", "nothing is open", "amount_not_positive"))
        elif item.amount_minor > 0 and item.due_date < item.document_date:
            errors.append(_error(item, "due_date", "before the document date", "due_before_issue"))
    return errors


def _error(item: ErpItem, field: str, message: str, code: str) -> FieldError:
    return FieldError(field=f"rows.{item.row}.{field}", message=message, code=code)


def _same(existing: object, item: ErpItem, customer: Customer) -> bool:
    if isinstance(existing, CreditMemo):
        return (existing.customer_id, existing.amount_minor, existing.issue_date) == (
            customer.id, -item.amount_minor, item.document_date,
        )  # fmt: skip
    return (
        getattr(existing, "customer_id", None) == customer.id
        and getattr(existing, "amount_minor", None) == item.amount_minor
        and getattr(existing, "issue_date", None) == item.document_date
        and getattr(existing, "due_date", None) == item.due_date
    )


def _prepared_invoice(item: ErpItem, customer: Customer, now: datetime) -> PreparedInvoice:
    amount = Money(item.amount_minor, item.currency)
    return prepare_opening(customer, item.document_number, item.document_date, item.due_date, amount, now)


async def _post_credits(
    session: AsyncSession,
    actor: Actor,
    items: Sequence[ErpItem],
    customers: dict[str, Customer],
    now: datetime,
) -> list[uuid.UUID]:
    """Unapplied credit memos, through the same engine: rows, movements, events, audit."""
    if not items:
        return []
    rows = [
        NewCreditMemo(
            id=uuid.uuid4(),
            customer_id=customers[i.customer].id,
            business_entity=customers[i.customer].business_entity,
            memo_number=i.document_number,
            currency=i.currency,
            amount_minor=-i.amount_minor,
            unapplied_minor=-i.amount_minor,
            issue_date=i.document_date,
            invoice_id=None,
            reason_code=OPENING_REASON,
            created_at=now,
        )
        for i in items
    ]
    await write_rows(session, CreditMemo.__table__, rows)
    await post(
        session,
        [
            Movement(
                r.customer_id,
                "credit_opened",
                r.id,
                r.issue_date,
                r.currency,
                journal.credit_opened(r.amount_minor),
            )
            for r in rows
        ],
    )
    events = await outbox.copy_many(
        session,
        [
            CreditMemoIssued(
                credit_memo_id=r.id,
                customer_id=r.customer_id,
                memo_number=r.memo_number,
                issue_date=r.issue_date,
                amount=money(r.amount_minor, r.currency),
                reason_code=OPENING_REASON,
            )
            for r in rows
        ],
    )
    await audit.record_created(
        session,
        actor=actor,
        action="credit_memo.opened",
        entity_type="credit_memo",
        entities=[(str(r.id), e.data) for r, e in zip(rows, events, strict=True)],
    )
    return [r.id for r in rows]


def _totals(debits: Sequence[ErpItem], credits: Sequence[ErpItem]) -> list[OpenedTotal]:
    invoices: dict[str, int] = defaultdict(int)
    opened: dict[str, int] = defaultdict(int)
    for item in debits:
        invoices[item.currency] += item.amount_minor
    for item in credits:
        opened[item.currency] -= item.amount_minor

    def text(minor: int, currency: str) -> str:
        return format_minor(minor, currency_exponent(currency))

    return [
        OpenedTotal(currency=c, invoices=text(invoices[c], c), credits=text(opened[c], c))
        for c in sorted(set(invoices) | set(opened))
    ]
