"""KPIs per collector, team, portfolio, entity and overall on a worked example, every expected
number written out (docs/kpis.md; the same customers' ledger figures are compared in
tests/test_collections_projection_matches_ledger.py). Dates are about dates themselves."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from ar_collections.models import Collector, Team
from ar_collections.testing import Book, money
from ar_shared.events.ledger import InvoiceIssued, PaymentApplied, PaymentReceived

pytestmark = pytest.mark.integration

MARCH = {"period_start": "2026-03-01", "period_end": "2026-03-31"}


async def paid(book: Book, customer: uuid.UUID, invoice: uuid.UUID, amount: str, left: str, on: date) -> None:
    payment = uuid.uuid4()
    await book.deliver(
        PaymentReceived(
            payment_id=payment,
            customer_id=customer,
            amount=money(amount),
            received_on=on,
            unapplied=money("0.00"),
        )
    )
    await book.deliver(
        PaymentApplied(
            application_id=uuid.uuid4(), customer_id=customer, invoice_id=invoice, source_kind="payment",
            source_id=payment, amount=money(amount), effective_date=on, invoice_open_balance=money(left),
        )
    )  # fmt: skip


def figures(line: dict[str, Any]) -> tuple[Any, ...]:
    keys = (
        "credit_sales", "beginning_ar", "ending_ar", "ending_current_ar", "dso", "dso_count_back",
        "best_possible_dso", "average_days_delinquent", "cei_percent", "percent_current", "percent_over_90",
    )  # fmt: skip
    return tuple(line[k] for k in keys)


async def test_kpis_per_collector_team_and_overall_on_a_worked_example(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    tag = uuid.uuid4().hex[:6]
    entity = f"K{tag.upper()}"
    anna, ben = (
        await book.collector(f"anna-{tag}", name="Anna"),
        await book.collector(f"ben-{tag}", name="Ben"),
    )
    team_id = uuid.uuid4()
    async with book.session() as session:
        session.add(Team(id=team_id, name=f"team {tag}"))
        await session.flush()
        await session.execute(
            update(Collector).where(Collector.subject.in_([anna, ben])).values(team_id=team_id)
        )
    annas, bens = await book.portfolio(anna), await book.portfolio(ben)
    a = await book.account(portfolio_id=annas, entity=entity)
    b = await book.account(portfolio_id=bens, entity=entity)
    c = await book.account(portfolio_id=annas, entity=entity, currency="USD")
    # anna: 1,000 sold on 1 March, due 31 March, 400 paid on 20 March
    first = await book.invoice(
        a, issued=date(2026, 3, 1), due=date(2026, 3, 31), amount="1000.00", entity=entity
    )
    await paid(book, a, first, "400.00", "600.00", date(2026, 3, 20))
    # ben: 2,000 sold in February (due 3 March), 500 sold on 10 March (due 9 April), nothing paid
    await book.invoice(b, issued=date(2026, 2, 1), due=date(2026, 3, 3), amount="2000.00", entity=entity)
    await book.invoice(b, issued=date(2026, 3, 10), due=date(2026, 4, 9), amount="500.00", entity=entity)
    # anna, in USD: 100 sold in November, due 1 December: 120 days past due at the end of March
    await book.invoice(
        c, issued=date(2025, 11, 1), due=date(2025, 12, 1), amount="100.00", currency="USD", entity=entity
    )
    # paid after the period: the March figures do not move
    await paid(book, b, await book.invoice(b, issued=date(2026, 4, 2), due=date(2026, 5, 2), amount="10.00",
                                          entity=entity), "10.00", "0.00", date(2026, 4, 5))  # fmt: skip

    async def report(group_by: str) -> dict[tuple[str, str], dict[str, Any]]:
        response = await client.get(
            "/v1/kpis", params={**MARCH, "group_by": group_by, "business_entity": entity}, headers=manager
        )
        assert response.status_code == 200, response.text
        assert response.json()["group_by"] == group_by
        return {(line["group"], line["currency"]): line for line in response.json()["lines"]}

    by_collector = await report("collector")
    assert set(by_collector) == {(anna, "EUR"), (anna, "USD"), (ben, "EUR")}
    assert by_collector[(anna, "EUR")]["name"] == "Anna"
    # 600 / 1,000 x 31 = 18.60; everything current; CEI (0 + 1,000 - 600) / (0 + 1,000 - 600)
    assert figures(by_collector[(anna, "EUR")]) == (
        "1000.00", "0.00", "600.00", "600.00", "18.60", "18.60", "18.60", "0.00", "100.00", "100.00", "0.00",
    )  # fmt: skip
    # 2,500 / 500 x 31 = 155; best 500 / 500 x 31; count-back: March's 500 (31 days), February's
    # 2,000 exactly (28): 59; CEI (2,000 + 500 - 2,500) / (2,000 + 500 - 500) = 0
    assert figures(by_collector[(ben, "EUR")]) == (
        "500.00", "2000.00", "2500.00", "500.00",
        "155.00", "59.00", "31.00", "124.00", "0.00", "20.00", "0.00",
    )  # fmt: skip
    # no sales in March: no DSO; count-back walks March, February, January, December (121 days)
    # and November's 100 exactly (30): 151; CEI (100 + 0 - 100) / (100 + 0 - 0) = 0
    assert figures(by_collector[(anna, "USD")]) == (
        "0.00", "100.00", "100.00", "0.00", None, "151.00", None, None, "0.00", "0.00", "100.00",
    )  # fmt: skip

    by_team = await report("team")
    # 3,100 / 1,500 x 31 = 64.0666…; best 1,100 / 1,500 x 31 = 22.7333…; ADD 41.3333…;
    # count-back 31 + 1,600 / 2,000 x 28 = 53.40; CEI 400 / 2,400 = 16.67 %; current 1,100 / 3,100
    assert figures(by_team[(str(team_id), "EUR")]) == (
        "1500.00", "2000.00", "3100.00", "1100.00",
        "64.07", "53.40", "22.73", "41.33", "16.67", "35.48", "0.00",
    )  # fmt: skip
    assert by_team[(str(team_id), "EUR")]["name"] == f"team {tag}"
    overall = await report("overall")
    assert figures(overall[("all", "EUR")]) == figures(by_team[(str(team_id), "EUR")])
    by_portfolio = await report("portfolio")
    assert figures(by_portfolio[(str(annas), "EUR")]) == figures(by_collector[(anna, "EUR")])
    by_entity = await report("business_entity")
    assert set(by_entity) == {(entity, "EUR"), (entity, "USD")}

    await aging_of_the_worked_example(client, manager, entity, anna, ben)

    one = await client.get("/v1/kpis", params={**MARCH, "customer_id": str(a)}, headers=manager)
    assert figures(one.json()["lines"][0]) == figures(by_collector[(anna, "EUR")])

    backwards = await client.get(
        "/v1/kpis", params={"period_start": "2026-03-31", "period_end": "2026-03-01"}, headers=manager
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")
    assert backwards.json()["errors"][0]["field"] == "period_end"
    unknown = await client.get("/v1/kpis", params={**MARCH, "group_by": "region"}, headers=manager)
    assert unknown.status_code == 422
    assert (await client.get("/v1/kpis", params=MARCH, headers=collector)).status_code == 403


async def aging_of_the_worked_example(
    client: httpx.AsyncClient, manager: dict[str, str], entity: str, anna: str, ben: str
) -> None:
    params: dict[str, Any] = {"as_of": "2026-03-31", "group_by": "collector", "business_entity": entity}
    response = await client.get("/v1/aging", params=params, headers=manager)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["bucket_labels"] == ["current", "1-30", "31-60", "61-90", "91-120", "121+"]
    lines = {(line["group"], line["currency"]): line for line in report["lines"]}

    def buckets(line: dict[str, Any]) -> list[tuple[str, str]]:
        return [(b["amount"], b["percent"]) for b in line["buckets"]]

    zero = ("0.00", "0.0")
    # ben: 500 not yet due, 2,000 due 3 March (28 days late)
    assert buckets(lines[(ben, "EUR")]) == [("500.00", "20.0"), ("2000.00", "80.0"), zero, zero, zero, zero]
    assert lines[(ben, "EUR")]["total"] == "2500.00"
    # anna: 600 due today (current); 100 USD due 1 December (120 days late)
    assert buckets(lines[(anna, "EUR")]) == [("600.00", "100.0"), zero, zero, zero, zero, zero]
    assert buckets(lines[(anna, "USD")]) == [zero, zero, zero, zero, ("100.00", "100.0"), zero]

    compared = await client.get(
        "/v1/aging/comparative",
        params={"as_of": ["2026-03-31", "2026-02-28"], "group_by": "collector", "business_entity": entity},
        headers=manager,
    )
    assert compared.status_code == 200, compared.text
    assert [r["as_of"] for r in compared.json()["reports"]] == ["2026-02-28", "2026-03-31"]
    deltas = {(d["group"], d["currency"]): d for d in compared.json()["deltas"]}
    ben_moved = deltas[(ben, "EUR")]
    assert (ben_moved["earlier"], ben_moved["later"]) == ("2026-02-28", "2026-03-31")
    assert ben_moved["buckets"]["current"] == {"amount": "-1500.00", "percent": "-75.0"}
    assert ben_moved["buckets"]["1-30"] == {"amount": "2000.00", "percent": None}
    assert ben_moved["total"] == {"amount": "500.00", "percent": "25.0"}
    # 89 days late on 28 February, 120 on 31 March
    assert deltas[(anna, "USD")]["buckets"]["61-90"] == {"amount": "-100.00", "percent": "-100.0"}
    assert deltas[(anna, "USD")]["buckets"]["91-120"] == {"amount": "100.00", "percent": None}
    assert deltas[(anna, "EUR")]["total"] == {"amount": "600.00", "percent": None}  # nothing open in February

    one_date = await client.get("/v1/aging/comparative", params={"as_of": "2026-03-31"}, headers=manager)
    assert (one_date.status_code, one_date.json()["code"]) == (422, "invalid_dates")
    exported = await client.get("/v1/aging/export", params=params, headers=manager)
    assert (
        exported.text.splitlines()[0]
        == "group,name,currency,current,1-30,31-60,61-90,91-120,121+,total,as of"
    )
    assert (
        f"{ben},Ben,EUR,500.00,2000.00,0.00,0.00,0.00,0.00,2500.00,2026-03-31" in exported.text.splitlines()
    )


async def test_a_dunning_fee_is_receivable_but_not_a_sale(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = f"F{uuid.uuid4().hex[:6].upper()}"
    customer = await book.account(entity=entity)
    await book.invoice(
        customer, issued=date(2026, 3, 1), due=date(2026, 3, 31), amount="1000.00", entity=entity
    )
    await book.deliver(
        InvoiceIssued(
            invoice_id=uuid.uuid4(), customer_id=customer, business_entity=entity, invoice_number="DF-1",
            issue_date=date(2026, 3, 15), due_date=date(2026, 3, 15), amount=money("10.00"),
            document_kind="dunning_fee",
        )
    )  # fmt: skip
    response = await client.get("/v1/kpis", params={**MARCH, "business_entity": entity}, headers=manager)
    [line] = response.json()["lines"]
    # AR 1,010 (the fee is owed, and past due), sales 1,000: 1,010 / 1,000 x 31 = 31.31; best 31.00
    assert (line["credit_sales"], line["ending_ar"], line["ending_current_ar"]) == (
        "1000.00",
        "1010.00",
        "1000.00",
    )
    assert (line["dso"], line["best_possible_dso"], line["average_days_delinquent"]) == (
        "31.31",
        "31.00",
        "0.31",
    )
