"""Red flags: ADD rising three months running, a bounced payment, repeated broken promises and
credit use above the threshold, each raised once as an escalation to the credit department with
its evidence, at the entity's close of business or on a manager's demand; a rerun raises nothing.
Business dates are set by hand: the figures are about the example's dates only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from ar_collections.models import Collector, Escalation, PromiseToPay, Team
from ar_collections.testing import Book, money
from ar_shared.events.credit import CreditLimitChanged

pytestmark = pytest.mark.integration

AS_OF = date(2026, 3, 31)


def broken(customer: uuid.UUID, entity: str, judged: date) -> PromiseToPay:
    return PromiseToPay(
        customer_id=customer, business_entity=entity, currency="EUR", exponent=2, amount_minor=10000,
        promised_date=judged, tolerance_days=0, channel="call", recorded_on=judged, status="broken",
        received_minor=0, judged_on=judged, recorded_by="collector-anna",
    )  # fmt: skip


async def declining_customer(book: Book, today: date) -> tuple[uuid.UUID, str, str]:
    """1,000 sold on the 1st of each month from December, due the 10th, never paid: ADD 31, 62,
    84, 124; a 100 payment on 20 March bounced on 25 March; three promises broken in 60 days;
    AR 4,000 against a limit of 4,000."""
    entity = f"F{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, today)  # before anything happened: nothing to flag yet
    boss = await book.collector(f"boss-{entity.lower()}", role="manager")
    collector = await book.collector("collector-anna")
    async with book.session() as session:
        team = Team(id=uuid.uuid4(), name=f"team {entity}", manager_subject=boss)
        session.add(team)
        await session.flush()
        await session.execute(update(Collector).where(Collector.subject == collector).values(team_id=team.id))
    customer = await book.account(portfolio_id=await book.portfolio(collector), entity=entity)
    invoices = [
        await book.invoice(
            customer, issued=date(y, m, 1), due=date(y, m, 10), amount="1000.00", entity=entity
        )
        for y, m in ((2025, 12), (2026, 1), (2026, 2), (2026, 3))
    ]
    payment = await book.pay(customer, invoices[0], "100.00", "900.00", date(2026, 3, 20), received=True)
    await book.reverse(customer, payment, invoices[0], "100.00", "1000.00", date(2026, 3, 25))
    await book.deliver(
        CreditLimitChanged(
            customer_id=customer,
            previous_limit=None,
            new_limit=money("3900.00"),
            changed_by="credit",
            reason="x",
        )
    )
    async with book.session() as session:
        session.add_all(
            [broken(customer, entity, d) for d in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 30))]
        )
    return customer, entity, str(payment)


async def escalations(book: Book, customer: uuid.UUID) -> list[Escalation]:
    async with book.session() as session:
        rows = await session.scalars(select(Escalation).where(Escalation.customer_id == customer))
        return list(rows.all())


async def test_each_red_flag_is_raised_once_at_the_close_of_business_with_its_evidence(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    customer, entity, payment = await declining_customer(book, date(2026, 3, 30))
    # the ADD the flag reads is the KPI report's
    adds = []
    months = [("2025-12-01", "2025-12-31"), ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28")]
    for start, end in [*months, ("2026-03-01", "2026-03-31")]:
        kpis = await client.get(
            "/v1/kpis",
            params={"period_start": start, "period_end": end, "customer_id": str(customer)},
            headers=manager,
        )
        adds.append(kpis.json()["lines"][0]["average_days_delinquent"])
    # December 1,000 late / 1,000 x 31; January 2,000 / 1,000 x 31; February 3,000 / 1,000 x 28
    assert adds == ["31.00", "62.00", "84.00", "124.00"]

    await book.business_date(entity, AS_OF)  # the worker's close of business runs the job

    flags = (await client.get(f"/v1/accounts/{customer}/red-flags", headers=collector)).json()["items"]
    by_kind = {f["kind"]: f for f in flags}
    assert sorted(by_kind) == ["add_rising", "bounced_payment", "broken_promises", "credit_use"]
    assert len(flags) == 4
    assert by_kind["add_rising"]["occurrence"] == "from 2025-12"
    assert by_kind["add_rising"]["evidence"] == {
        "average_days_delinquent": {
            "2025-12": "31.00",
            "2026-01": "62.00",
            "2026-02": "84.00",
            "2026-03": "124.00",
        }
    }
    assert by_kind["bounced_payment"]["occurrence"] == payment
    bounced = by_kind["bounced_payment"]["evidence"]
    assert (bounced["amount"], bounced["reversed_on"]) == ("100.00", "2026-03-25")
    assert len(by_kind["broken_promises"]["evidence"]["broken"]) == 3
    # 4,000 open against 3,900: 102.56 %
    assert by_kind["credit_use"]["occurrence"] == "2026-03"
    use = by_kind["credit_use"]["evidence"]
    assert (use["open_ar"], use["credit_limit"], use["credit_use_percent"]) == (
        "4000.00",
        "3900.00",
        "102.56",
    )

    raised = await escalations(book, customer)
    assert len(raised) == 4
    assert {(e.level, e.department, e.status, e.raised_on) for e in raised} == {
        ("department", "credit", "open", AS_OF)
    }
    assert {e.id for e in raised} == {uuid.UUID(f["escalation_id"]) for f in flags}
    boss = f"boss-{entity.lower()}"
    assert {e.assignee for e in raised} == {boss}
    assert any("ADD rose 3 months running" in e.reason for e in raised)
    assert f"Red flag: payment {payment} of 100.00 EUR bounced (reversed on 2026-03-25)" in {
        e.reason for e in raised
    }
    assert len(await book.emitted(customer, "EscalationRaised")) == 4
    queue = await client.get("/v1/escalations", params={"assignee": boss}, headers=manager)
    assert len(queue.json()["items"]) == 4

    # a rerun (the same announcement again, or a manager's run for the date) raises nothing twice
    await book.business_date(entity, AS_OF)
    rerun = await client.post(
        "/v1/red-flags/runs", json={"as_of": AS_OF.isoformat(), "business_entity": entity}, headers=manager
    )
    assert rerun.status_code == 200, rerun.text
    assert rerun.json()["raised"] == []
    assert len(await escalations(book, customer)) == 4
    assert len(await book.emitted(customer, "EscalationRaised")) == 4


async def test_a_managers_run_raises_what_it_finds_and_only_managers_may_run_it(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    customer, entity, _payment = await declining_customer(book, date(2026, 3, 28))
    body: dict[str, Any] = {"as_of": "2026-03-28", "business_entity": entity}
    assert (await client.post("/v1/red-flags/runs", json=body, headers=collector)).status_code == 403
    response = await client.post("/v1/red-flags/runs", json=body, headers=manager)
    assert response.status_code == 200, response.text
    # on 28 March the last complete month is February: ADD rose twice only (31, 62, 84); two
    # promises broken by then; the payment bounced three days earlier; AR 4,000 over 3,900
    assert sorted(f["kind"] for f in response.json()["raised"]) == ["bounced_payment", "credit_use"]
    again = await client.post("/v1/red-flags/runs", json=body, headers=manager)
    assert again.json()["raised"] == []
    async with book.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.customer_id == customer)
        )
    assert count == 2

    future = await client.post("/v1/red-flags/runs", json={**body, "as_of": "2026-03-29"}, headers=manager)
    assert (future.status_code, future.json()["code"]) == (422, "as_of_in_the_future")
    assert future.json()["errors"][0]["field"] == "as_of"
    # anna sees her customer's flags; another collector's customer is unknown to her
    listed = await client.get(f"/v1/accounts/{customer}/red-flags", headers=collector)
    assert sorted(f["kind"] for f in listed.json()["items"]) == ["bounced_payment", "credit_use"]
    ben = await book.collector(f"ben-{uuid.uuid4().hex[:6]}")
    bens = await book.account(portfolio_id=await book.portfolio(ben), entity=entity)
    hidden = await client.get(f"/v1/accounts/{bens}/red-flags", headers=collector)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "account_not_found")
    refused = await client.post("/v1/red-flags/runs", json={"as_of": "2026-02-30"}, headers=manager)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"].endswith("as_of")
    unknown = await client.post(
        "/v1/red-flags/runs", json={"as_of": "2026-03-28", "colour": "red"}, headers=manager
    )
    assert unknown.status_code == 422
    async with book.session() as session:
        after = await session.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.customer_id == customer)
        )
    assert after == 2
