"""Property over real Kafka: after any sequence of ledger documents, the collections projection
(open items, days past due and bucket as of the entity's business date, unapplied cash and
credits) equals the ledger's open-items report, and its KPIs (DSO, count-back, best possible,
ADD, CEI, AR as of each date) equal the ledger's for the same customer and periods; and the
projection rebuilt by replaying the topics from the beginning equals the one the worker kept live.

Each example posts a random sequence (invoices, auto and explicit payments, applications of
unapplied cash, unapplies, reversals, credit memos, write-offs, voids) through the ledger's own
services, the ledger's relay publishes the events, the collections consumer applies them, and
`ar_collections.projection.rebuild` replays everything into a fresh projection. The business
date of the entity is set by hand through the ledger's own service (a day after the tests'
clock: the ledger closes the days crossed and publishes `BusinessDateChanged`), and every document
is dated back from it, so nothing is compared with the wall clock.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import select

from ar_collections.access import act_as_system
from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers as collections_handlers
from ar_collections.main import create_app as collections_app
from ar_collections.models import Account
from ar_collections.models import plumbing as collections_plumbing
from ar_collections.projection.apply import ACCOUNT_COLUMNS
from ar_collections.projection.rebuild import PROJECTED_TABLES, RebuildRefused, consumer_group, rebuild
from ar_ledger.business_dates.schemas import BusinessDateSet
from ar_ledger.business_dates.service import ClosingRules, set_business_date
from ar_ledger.config import LedgerSettings
from ar_ledger.credit_memos.schemas import CreditMemoCreate
from ar_ledger.credit_memos.service import issue_credit_memo
from ar_ledger.customers.schemas import CustomerUpsert
from ar_ledger.customers.service import upsert_customer
from ar_ledger.domain.reasons import CREDIT_MEMO_REASONS, REFUND_REASONS, WRITE_OFF_REASONS
from ar_ledger.filters import ResolvedScope
from ar_ledger.invoices.issue import issue_invoice
from ar_ledger.invoices.schemas import InvoiceCreate, InvoiceVoid
from ar_ledger.invoices.service import void_invoice
from ar_ledger.main import create_app as ledger_app
from ar_ledger.models import Application, CreditMemo, Invoice, Payment
from ar_ledger.models import plumbing as ledger_plumbing
from ar_ledger.payments.schemas import ApplyRequest, PaymentCreate, ReversalRequest
from ar_ledger.payments.service import apply_unapplied, receive_payment, reverse_payment, unapply_application
from ar_ledger.postings.schemas import AllocationIn
from ar_ledger.refunds.schemas import RefundCreate
from ar_ledger.refunds.service import RefundRules, request_refund
from ar_ledger.reports.repository import ReportRepository
from ar_ledger.write_offs.schemas import WriteOffCreate
from ar_ledger.write_offs.service import write_off
from ar_shared.audit.log import SystemActor
from ar_shared.consumer import ConsumerRunner, ConsumerSettings
from ar_shared.db import asyncpg_dsn
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import ProblemError
from ar_shared.relay import OutboxRelay, RelaySettings, build_producer
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.db import migrate
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import REPO_ROOT, Stack, scratch_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ACTOR = SystemActor("projection-property", frozenset({"ledger:write", "admin"}))
ENTITY = "PJ01"
# set by hand a day ahead (so the ledger never finds it behind its calendar), after every
# effective date below: "as of" is "now"
BUSINESS_DATE = TEST_CLOCK.now().astimezone(UTC).date() + timedelta(days=1)
START = BUSINESS_DATE - timedelta(days=242)

amounts = st.integers(min_value=1, max_value=50_000)
days = st.integers(min_value=0, max_value=40)
pick = st.integers(min_value=0, max_value=1_000)
operation = st.one_of(
    st.tuples(st.just("invoice"), amounts, days, st.integers(min_value=0, max_value=60)),
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


@dataclass
class Rig:
    ledger: Any
    collections: Any
    collections_settings: CollectionsSettings
    relay: OutboxRelay
    runner: ConsumerRunner
    published: int = 0
    consumed: int = 0

    async def deliver(self) -> None:
        """Publishes what the ledger wrote and waits until collections applied all of it."""
        self.published += await self.relay.drain()
        async with asyncio.timeout(90):
            while self.consumed < self.published:
                self.consumed += await self.runner.poll_once(timeout_ms=200)


@pytest.fixture(scope="module")
async def rig(stack: Stack) -> AsyncIterator[Rig]:
    async with scratch_database(stack, "projection") as scratch:
        for service in ("ledger", "collections"):
            await migrate(REPO_ROOT / "services" / service, scratch.url(service, "owner"))
        prefix = f"pj{uuid.uuid4().hex[:10]}."
        common: dict[str, Any] = {
            "environment": "test",
            "kafka_bootstrap_servers": scratch.kafka_bootstrap,
            "kafka_topic_prefix": prefix,
        }
        ledger_settings = LedgerSettings(database_url=SecretStr(scratch.url("ledger", "app")), **common)
        settings_ = CollectionsSettings(database_url=SecretStr(scratch.url("collections", "app")), **common)
        async with (
            running(ledger_app(ledger_settings, TEST_CLOCK), rollback=False) as ledger,
            running(collections_app(settings_, TEST_CLOCK), rollback=False) as collections,
        ):
            producer = build_producer(scratch.kafka_bootstrap, "ar-projection-test")
            await producer.start()
            relay = OutboxRelay(
                ledger.state.engine,
                ledger_plumbing,
                producer,
                asyncpg_dsn(scratch.url("ledger", "app")),
                RelaySettings(topic_prefix=prefix),
            )
            runner = ConsumerRunner(
                ConsumerSettings(
                    group_id=consumer_group(settings_),
                    bootstrap_servers=scratch.kafka_bootstrap,
                    topic_prefix=prefix,
                ),
                collections_handlers,
                collections.state.sessionmaker,
                collections_plumbing,
                producer,
                TEST_CLOCK,
            )
            rig = Rig(ledger, collections, settings_, relay, runner)
            # an admin sets the entity's business date: the ledger closes the days crossed and
            # announces each one (BusinessDateChanged), as it does for `PUT /v1/business-dates/…`
            async with ledger.state.sessionmaker() as session:
                await set_business_date(
                    session,
                    ACTOR,
                    ENTITY,
                    BusinessDateSet(business_date=BUSINESS_DATE, time_zone="UTC"),
                    TEST_CLOCK,
                    ClosingRules(
                        ledger_settings.business_time_zone,
                        ledger_settings.aging_edges,
                        ledger_settings.max_business_days_per_change,
                    ),
                )
                await session.commit()
            await runner.start()
            try:
                await rig.deliver()
                yield rig
            finally:
                await runner.stop()
                await producer.stop()


async def run_operation(session: Any, customer_id: uuid.UUID, op: tuple[Any, ...], n: int) -> None:
    """One document through the ledger's own service (as its balances property test does)."""

    async def rows(model: Any) -> list[Any]:
        return list((await session.scalars(select(model).where(model.customer_id == customer_id))).all())

    kind = op[0]
    invoices = sorted(await rows(Invoice), key=lambda i: i.invoice_number)
    payments = sorted(await rows(Payment), key=lambda p: p.created_at)
    applications = [a for a in await rows(Application) if a.source_kind == "payment"]
    if kind == "invoice":
        issued = START + timedelta(days=op[2])
        data = InvoiceCreate(
            customer_id=customer_id, invoice_number=f"PJ-{customer_id.hex[:6]}-{n}", issue_date=issued,
            due_date=issued + timedelta(days=op[3]), amount=eur(op[1]),
        )  # fmt: skip
        await issue_invoice(session, ACTOR, data)
    elif kind in {"pay_auto", "pay_explicit"}:
        allocations = None
        if kind == "pay_explicit" and invoices:
            target = invoices[op[3] % len(invoices)]
            allocations = [
                AllocationIn(invoice_id=target.id, amount=eur(max(1, min(op[1], target.open_minor or 1))))
            ]
        data_p = PaymentCreate(
            customer_id=customer_id, amount=eur(op[1]), received_on=START + timedelta(days=op[2] + 30),
            allocations=allocations,
        )  # fmt: skip
        await receive_payment(session, ACTOR, data_p)
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
            ReversalRequest(reversed_on=payment.received_on + timedelta(days=op[2] + 40)),
        )
    elif kind == "memo":
        target = invoices[op[4] % len(invoices)] if op[3] and invoices else None
        data_m = CreditMemoCreate(
            customer_id=customer_id, memo_number=f"PJM-{customer_id.hex[:6]}-{n}",
            issue_date=START + timedelta(days=op[2] + 60), amount=eur(op[1]),
            invoice_id=target.id if target else None,
        )  # fmt: skip
        await issue_credit_memo(session, ACTOR, data_m, CREDIT_MEMO_REASONS)
    elif kind == "write_off" and invoices:
        target = invoices[op[1] % len(invoices)]
        data_w = WriteOffCreate(
            invoice_id=target.id, amount=eur(op[2]), reason_code="other",
            effective_date=START + timedelta(days=op[3] + 60),
        )  # fmt: skip
        await write_off(session, ACTOR, data_w, WRITE_OFF_REASONS)
    elif kind == "refund":
        _, which, amount, day, from_memo = op
        memos = sorted(await rows(CreditMemo), key=lambda m: m.memo_number)
        sources: list[Any] = memos if from_memo else payments
        if sources:
            source = sources[which % len(sources)]
            received = source.issue_date if isinstance(source, CreditMemo) else source.received_on
            refund = RefundCreate(
                payment_id=source.id if isinstance(source, Payment) else None,
                credit_memo_id=source.id if isinstance(source, CreditMemo) else None,
                amount=None if amount is None else eur(amount), refund_date=received + timedelta(days=day),
                reason_code="other",
            )  # fmt: skip
            await request_refund(session, ACTOR, refund, RefundRules(REFUND_REASONS, Decimal(10**9)))
    elif kind == "void" and invoices:
        target = invoices[op[1] % len(invoices)]
        await void_invoice(
            session, ACTOR, target.id, InvoiceVoid(voided_on=target.issue_date + timedelta(days=op[2]))
        )


async def post_documents(rig: Rig, operations: list[tuple[Any, ...]]) -> uuid.UUID:
    maker = rig.ledger.state.sessionmaker
    async with maker() as session:
        result = await upsert_customer(
            session,
            ACTOR,
            f"PJ-{uuid.uuid4().hex[:10]}",
            CustomerUpsert(name="Projection", currency="EUR", payment_terms_days=30, business_entity=ENTITY),
        )
        await session.commit()
        customer_id: uuid.UUID = result.customer.id
    for n, op in enumerate(operations):
        async with maker() as session:
            try:
                await run_operation(session, customer_id, op, n)
                await session.commit()
            except ProblemError:
                await session.rollback()  # refused whole, like a request
    return customer_id


async def ledger_report(rig: Rig, customer_id: uuid.UUID) -> dict[str, Any]:
    headers = bearer(rig.ledger.state.settings.auth, "ledger:read", clock=TEST_CLOCK)
    async with client_for(rig.ledger) as client:
        response = await client.get(
            "/v1/reports/open-items",
            params={"as_of": str(BUSINESS_DATE), "customer_id": str(customer_id)},
            headers=headers,
        )
    assert response.status_code == 200, response.text
    async with rig.ledger.state.sessionmaker() as session:
        unapplied = await ReportRepository(session).unapplied(
            BUSINESS_DATE, ResolvedScope(customer_id=customer_id)
        )
    body = response.json()
    return {
        "items": sorted(
            (i["invoice_id"], i["open_balance"], i["days_past_due"], i["bucket"]) for i in body["items"]
        ),
        "total": body["totals"].get("EUR", "0.00"),
        "unapplied_cash": str(Money(sum(u.cash_minor for u in unapplied), "EUR")),
        "unapplied_credits": str(Money(sum(u.credits_minor for u in unapplied), "EUR")),
    }


async def collections_view(rig: Rig, customer_id: uuid.UUID) -> dict[str, Any]:
    headers = bearer(rig.collections.state.settings.auth, "collections:manage", clock=TEST_CLOCK)
    async with client_for(rig.collections) as client:
        response: httpx.Response = await client.get(f"/v1/accounts/{customer_id}", headers=headers)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["business_date"] == str(BUSINESS_DATE)
    balance = next((b for b in view["balances"] if b["currency"] == "EUR"), None)

    def amount(field: str) -> str:
        return balance[field]["amount"] if balance else "0.00"

    return {
        "items": sorted(
            (i["invoice_id"], i["open_balance"]["amount"], i["days_past_due"], i["bucket"])
            for i in view["open_items"]
        ),
        "total": amount("open_balance"),
        "unapplied_cash": amount("unapplied_cash"),
        "unapplied_credits": amount("unapplied_credits"),
    }


KPI_FIELDS = (
    "credit_sales", "beginning_ar", "ending_ar", "ending_current_ar", "dso", "dso_count_back",
    "best_possible_dso", "average_days_delinquent", "cei_percent",
)  # fmt: skip
# the whole history, and a stretch inside it (so beginning AR and the walk before the period count)
KPI_PERIODS = ((START, BUSINESS_DATE), (START + timedelta(days=20), BUSINESS_DATE - timedelta(days=200)))


def has_balances(line: dict[str, Any]) -> bool:
    """A collections line the ledger also has: one with AR or sales. Collections adds lines for a
    currency with only cash collected, contacts, promises or disputes in the period (docs/kpis.md),
    which the ledger's report has no figure for."""
    return any(line[f] != "0.00" for f in ("credit_sales", "beginning_ar", "ending_ar"))


async def kpis_both_ways(rig: Rig, customer_id: uuid.UUID) -> list[tuple[Any, Any]]:
    """(ledger, collections) KPI figures of the customer for each period: one implementation, two books."""
    ledger_headers = bearer(rig.ledger.state.settings.auth, "ledger:read", clock=TEST_CLOCK)
    collections_headers = bearer(rig.collections.state.settings.auth, "collections:manage", clock=TEST_CLOCK)
    pairs = []
    for start, end in KPI_PERIODS:
        params = {"period_start": str(start), "period_end": str(end), "customer_id": str(customer_id)}
        async with client_for(rig.ledger) as client:
            ledger = await client.get("/v1/reports/kpis", params=params, headers=ledger_headers)
        async with client_for(rig.collections) as client:
            collections = await client.get("/v1/kpis", params=params, headers=collections_headers)
        assert ledger.status_code == 200, ledger.text
        assert collections.status_code == 200, collections.text
        pairs.append(
            (
                [tuple(line[f] for f in KPI_FIELDS) for line in ledger.json()["lines"]],
                [
                    tuple(line[f] for f in KPI_FIELDS)
                    for line in collections.json()["lines"]
                    if has_balances(line)
                ],
            )
        )
    return pairs


async def projection_snapshot(rig: Rig) -> dict[str, list[tuple[Any, ...]]]:
    """Every projected row (without the moments rows were written), and the accounts' ledger data."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    async with rig.collections.state.sessionmaker() as session:
        await act_as_system(session)
        for model in PROJECTED_TABLES:
            columns = [c for c in model.__table__.columns if c.name not in {"changed_at", "updated_at"}]
            rows = (await session.execute(select(*columns))).all()
            snapshot[model.__tablename__] = sorted(tuple(r) for r in rows)
        account_columns = [Account.customer_id, *(getattr(Account, c) for c in ACCOUNT_COLUMNS)]
        snapshot["accounts"] = sorted(
            tuple(r) for r in (await session.execute(select(*account_columns))).all()
        )
    return snapshot


# derandomize: CI runs the same 8 sequences every time, and the examples below. Random runs with
# more examples (80 with --hypothesis-seed=1515, after the fix below) found no other difference.
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, min_size=3, max_size=18))
@example(  # found by a random run (issue 15): the second payment was auto-applied, effective on its
    # receipt, to the invoice the first one paid then and an unapply dated 38 days later reopened:
    # over-applied on the days between, the ledger's as-of AR lost the money, the projection netted
    # it. An application now takes at most what the invoice has open on its date and every later one
    operations=[
        ("invoice", 1, 0, 0), ("invoice", 1, 0, 0), ("pay_auto", 1, 0), ("unapply", 0, 38),
        ("pay_auto", 1, 0),
    ]
)  # fmt: skip
@example(  # refunds of a payment's unapplied cash (in part) and of a memo's credit (all of it)
    operations=[
        ("invoice", 10_000, 0, 30), ("pay_auto", 15_000, 0), ("refund", 0, 2_000, 1, False),
        ("memo", 3_000, 0, False, 0), ("refund", 0, None, 1, True),
    ]
)  # fmt: skip
async def test_the_projection_equals_the_ledger_and_its_rebuild_equals_the_live_one(
    rig: Rig, operations: list[tuple[Any, ...]]
) -> None:
    customer_id = await post_documents(rig, operations)
    await rig.deliver()
    expected = await ledger_report(rig, customer_id)
    assert await collections_view(rig, customer_id) == expected
    for ledger_kpis, collections_kpis in await kpis_both_ways(rig, customer_id):
        assert collections_kpis == ledger_kpis

    live = await projection_snapshot(rig)
    await rig.runner.stop()  # the worker is stopped, and caught up, before a rebuild
    try:
        report = await rebuild(rig.collections_settings, rig.collections.state.sessionmaker, TEST_CLOCK)
    finally:
        await rig.runner.start()
    assert report.events_read == rig.published
    rebuilt = await projection_snapshot(rig)
    assert rebuilt == live
    assert await collections_view(rig, customer_id) == expected
    # the worker resumes after the replay: nothing is applied twice
    await rig.deliver()
    assert await projection_snapshot(rig) == live


async def test_a_rebuild_is_refused_while_the_worker_consumes_and_changes_nothing(rig: Rig) -> None:
    await rig.deliver()  # the runner has joined the group and caught up
    before = await projection_snapshot(rig)
    with pytest.raises(RebuildRefused, match="member"):
        await rebuild(rig.collections_settings, rig.collections.state.sessionmaker, TEST_CLOCK)
    assert await projection_snapshot(rig) == before
