"""Property: whatever sequence of postings happens, the incremental balances equal the journal.

Random sequences of issue / pay (auto or explicit) / apply / unapply / reverse / credit memo /
write-off / void run through the real services on PostgreSQL; each operation is atomic (a
refused one leaves nothing behind). After each sequence every balance kept incrementally must
equal what the journal and the applications say.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ar_ledger.config import LedgerSettings
from ar_ledger.credit_memos.schemas import CreditMemoCreate
from ar_ledger.credit_memos.service import issue_credit_memo
from ar_ledger.customers.schemas import CustomerUpsert
from ar_ledger.customers.service import upsert_customer
from ar_ledger.domain.reasons import CREDIT_MEMO_REASONS, REFUND_REASONS, WRITE_OFF_REASONS
from ar_ledger.domain.unapplied import Drawn, unapplied_on
from ar_ledger.filters import ResolvedScope
from ar_ledger.invoices.issue import issue_invoice
from ar_ledger.invoices.schemas import InvoiceCreate, InvoiceVoid
from ar_ledger.invoices.service import void_invoice
from ar_ledger.models import Application, CreditMemo, Customer, Invoice, JournalLine, Payment, Refund
from ar_ledger.payments.schemas import ApplyRequest, PaymentCreate, ReversalRequest
from ar_ledger.payments.service import apply_unapplied, receive_payment, reverse_payment, unapply_application
from ar_ledger.postings.schemas import AllocationIn
from ar_ledger.refunds.schemas import RefundCreate
from ar_ledger.refunds.service import RefundRules, request_refund
from ar_ledger.reports.repository import ReportRepository
from ar_ledger.write_offs.schemas import WriteOffCreate
from ar_ledger.write_offs.service import write_off
from ar_shared.audit.log import SystemActor
from ar_shared.db import build_engine
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import ProblemError
from ar_shared.testing.db import rolled_back_sessionmaker

pytestmark = pytest.mark.integration

ACTOR = SystemActor("property-test", frozenset({"ledger:write"}))
START = date(2026, 1, 1)

amounts = st.integers(min_value=1, max_value=50_000)
days = st.integers(min_value=0, max_value=60)
pick = st.integers(min_value=0, max_value=1_000)
operation = st.one_of(
    st.tuples(st.just("invoice"), amounts, days, st.integers(min_value=0, max_value=45)),
    st.tuples(st.just("pay_auto"), amounts, days),
    st.tuples(st.just("pay_explicit"), amounts, days, pick),
    st.tuples(st.just("apply"), pick, days),
    st.tuples(st.just("unapply"), pick, days),
    st.tuples(st.just("reverse"), pick, days),
    st.tuples(st.just("memo"), amounts, days, st.booleans(), pick),
    st.tuples(st.just("write_off"), pick, amounts, days),
    st.tuples(st.just("void"), pick, days),
    st.tuples(st.just("refund"), pick, st.none() | amounts, days, st.booleans()),
)


def eur(minor: int) -> MoneyAmount:
    return MoneyAmount.from_money(Money(minor, "EUR"))


@pytest.fixture(scope="module")
async def engine(ledger_settings: LedgerSettings, ledger_schema: None) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(ledger_settings)
    yield engine
    await engine.dispose()


async def rows(session: AsyncSession, model: Any, customer_id: uuid.UUID) -> list[Any]:
    return list((await session.scalars(select(model).where(model.customer_id == customer_id))).all())


async def run_operation(session: AsyncSession, customer_id: uuid.UUID, op: tuple[Any, ...], n: int) -> None:
    kind = op[0]
    invoices = sorted(await rows(session, Invoice, customer_id), key=lambda i: i.invoice_number)
    payments = sorted(await rows(session, Payment, customer_id), key=lambda p: p.created_at)
    applications = [a for a in await rows(session, Application, customer_id) if a.source_kind == "payment"]
    if kind == "invoice":
        _, amount, day, terms = op
        issued = START + timedelta(days=day)
        await issue_invoice(
            session,
            ACTOR,
            InvoiceCreate(
                customer_id=customer_id, invoice_number=f"P-{n}", issue_date=issued,
                due_date=issued + timedelta(days=terms), amount=eur(amount),
            ),
        )  # fmt: skip
    elif kind in {"pay_auto", "pay_explicit"}:
        allocations = None
        if kind == "pay_explicit" and invoices:
            target = invoices[op[3] % len(invoices)]
            allocations = [
                AllocationIn(invoice_id=target.id, amount=eur(max(1, min(op[1], target.open_minor or 1))))
            ]
        await receive_payment(
            session,
            ACTOR,
            PaymentCreate(
                customer_id=customer_id,
                amount=eur(op[1]),
                received_on=START + timedelta(days=op[2]),
                allocations=allocations,
            ),
        )
    elif kind == "apply" and payments:
        payment = payments[op[1] % len(payments)]
        await apply_unapplied(
            session,
            ACTOR,
            payment.id,
            ApplyRequest(effective_date=payment.received_on + timedelta(days=op[2])),
        )
    elif kind == "unapply" and applications:
        application = applications[op[1] % len(applications)]
        await unapply_application(
            session, ACTOR, application.id, application.effective_date + timedelta(days=op[2])
        )
    elif kind == "reverse" and payments:
        payment = payments[op[1] % len(payments)]
        await reverse_payment(
            session,
            ACTOR,
            payment.id,
            ReversalRequest(reversed_on=payment.received_on + timedelta(days=op[2] + 60)),
        )
    elif kind == "memo":
        _, amount, day, against, which = op
        target = invoices[which % len(invoices)] if against and invoices else None
        await issue_credit_memo(
            session,
            ACTOR,
            CreditMemoCreate(
                customer_id=customer_id, memo_number=f"M-{n}", issue_date=START + timedelta(days=day + 60),
                amount=eur(amount), invoice_id=target.id if target else None,
            ),
            CREDIT_MEMO_REASONS,
        )  # fmt: skip
    elif kind == "write_off" and invoices:
        target = invoices[op[1] % len(invoices)]
        await write_off(
            session,
            ACTOR,
            WriteOffCreate(
                invoice_id=target.id,
                amount=eur(op[2]),
                reason_code="other",
                effective_date=START + timedelta(days=op[3] + 60),
            ),
            WRITE_OFF_REASONS,
        )
    elif kind == "refund":
        _, which, amount, day, from_memo = op
        memos = sorted(await rows(session, CreditMemo, customer_id), key=lambda m: m.memo_number)
        sources: list[Any] = memos if from_memo else payments
        if sources:
            source = sources[which % len(sources)]
            received = source.issue_date if isinstance(source, CreditMemo) else source.received_on
            await request_refund(
                session,
                ACTOR,
                RefundCreate(
                    payment_id=source.id if isinstance(source, Payment) else None,
                    credit_memo_id=source.id if isinstance(source, CreditMemo) else None,
                    amount=None if amount is None else eur(amount),
                    refund_date=received + timedelta(days=day),
                    reason_code="other",
                ),
                RefundRules(REFUND_REASONS, approval_threshold=Decimal(10**9)),
            )
    elif kind == "void" and invoices:
        target = invoices[op[1] % len(invoices)]
        await void_invoice(
            session, ACTOR, target.id, InvoiceVoid(voided_on=target.issue_date + timedelta(days=op[2]))
        )


async def assert_balances_match_the_journal(session: AsyncSession, customer_id: uuid.UUID) -> None:
    customer = await session.get(Customer, customer_id, populate_existing=True)
    assert customer is not None
    lines = await rows(session, JournalLine, customer_id)

    def balance(account: str, invoice_id: uuid.UUID | None = None) -> int:
        return sum(
            line.debit_minor - line.credit_minor
            for line in lines
            if line.account == account and (invoice_id is None or line.invoice_id == invoice_id)
        )

    assert sum(line.debit_minor for line in lines) == sum(line.credit_minor for line in lines)
    invoices = await rows(session, Invoice, customer_id)
    applications = await rows(session, Application, customer_id)
    for invoice in invoices:
        active = sum(
            a.amount_minor for a in applications if a.invoice_id == invoice.id and a.reversed_on is None
        )
        expected = 0 if invoice.status == "void" else invoice.amount_minor - active
        assert invoice.open_minor == expected
        assert balance("accounts_receivable", invoice.id) == invoice.open_minor
        assert 0 <= invoice.open_minor <= invoice.amount_minor
    payments = await rows(session, Payment, customer_id)
    memos = await rows(session, CreditMemo, customer_id)
    assert customer.open_ar_minor == sum(i.open_minor for i in invoices) == balance("accounts_receivable")
    assert (
        customer.unapplied_cash_minor
        == sum(p.unapplied_minor for p in payments)
        == -balance("unapplied_cash")
    )
    assert (
        customer.unapplied_credits_minor
        == sum(m.unapplied_minor for m in memos)
        == -balance("customer_credits")
    )
    # no payment or memo is ever overdrawn, on any date: refunds keep what later applications take
    refunds = await rows(session, Refund, customer_id)
    for source in [*payments, *memos]:
        drawn = [
            Drawn(a.amount_minor, a.effective_date, a.reversed_on)
            for a in applications
            if a.source_id == source.id
        ]
        drawn += [Drawn(r.amount_minor, r.refund_date) for r in refunds if r.source_id == source.id]
        for day in {d.effective_date for d in drawn} | {d.until for d in drawn if d.until}:
            assert unapplied_on(source.amount_minor, drawn, day) >= 0
    # the as-of report, computed from effective-dated movements, agrees with the incremental balances
    as_of_report = ReportRepository(session, fast_path=False)
    scope = ResolvedScope(customer_id=customer_id)
    open_items = await as_of_report.open_items(date(2100, 1, 1), scope)
    assert sum(i.open_minor for i in open_items) == customer.open_ar_minor
    unapplied = await as_of_report.unapplied(date(2100, 1, 1), scope)
    assert sum(u.cash_minor for u in unapplied) == customer.unapplied_cash_minor
    assert sum(u.credits_minor for u in unapplied) == customer.unapplied_credits_minor


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=5, max_size=30))
async def test_incremental_balances_always_equal_the_journal(
    engine: AsyncEngine, operations: list[tuple[Any, ...]]
) -> None:
    async with rolled_back_sessionmaker(engine) as maker, maker() as session:
        result = await upsert_customer(
            session,
            ACTOR,
            f"PROP-{uuid.uuid4().hex[:8]}",
            CustomerUpsert(
                name="Property",
                currency="EUR",
                payment_terms_days=30,
                business_entity=f"P{uuid.uuid4().hex[:6]}",
            ),
        )
        customer_id = result.customer.id
        await session.commit()
        for n, op in enumerate(operations):
            try:
                async with session.begin_nested():
                    await run_operation(session, customer_id, op, n)
            except ProblemError:
                pass  # refused as a whole, like a request: nothing of it may remain
            await assert_balances_match_the_journal(session, customer_id)
