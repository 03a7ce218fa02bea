"""KPIs per collector, team, portfolio, entity and overall on a worked example, every expected
number written out (docs/kpis.md; the same customers' ledger figures are compared in
tests/test_collections_projection_matches_ledger.py). Dates are about dates themselves."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import update

from ar_collections.models import (
    Activity,
    AssignmentHistory,
    CollectionTarget,
    Collector,
    DisputeCase,
    PromiseToPay,
    Team,
)
from ar_collections.testing import Book, money, utc
from ar_shared.events.ledger import InvoiceIssued, PaymentApplied, PaymentReceived, PaymentReversed

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


def collector_figures(line: dict[str, Any]) -> tuple[Any, ...]:
    keys = (
        "promises_judged", "promises_kept", "promises_partially_kept", "promises_broken",
        "promised_amount", "kept_amount", "partially_kept_amount", "broken_amount", "received_on_promises",
        "promise_kept_rate", "promise_kept_rate_by_amount",
        "contacts", "working_days", "contacts_per_working_day",
        "disputes_opened", "disputes_resolved", "average_days_to_resolve",
        "disputes_open_at_end", "average_age_open_disputes",
        "collected", "target", "target_attainment_percent",
    )  # fmt: skip
    return tuple(line[k] for k in keys)


def promise(
    customer: uuid.UUID, entity: str, amount: int, status: str, received: int, judged: date | None
) -> PromiseToPay:
    return PromiseToPay(
        customer_id=customer, business_entity=entity, currency="EUR", exponent=2, amount_minor=amount * 100,
        promised_date=date(2026, 2, 25), tolerance_days=0, channel="call", recorded_on=date(2026, 2, 20),
        status=status, received_minor=received * 100, judged_on=judged, recorded_by="collector",
    )  # fmt: skip


def contact(customer: uuid.UUID, kind: str, on: date, direction: str | None = "outbound") -> Activity:
    return Activity(
        customer_id=customer, kind=kind, direction=direction, summary=kind,
        occurred_at=utc(on.year, on.month, on.day), occurred_on=on, logged_by="collector",
    )  # fmt: skip


def case(customer: uuid.UUID, opened: date, resolved: date | None) -> DisputeCase:
    return DisputeCase(
        customer_id=customer, kind="dispute", status="open" if resolved is None else "resolved_valid",
        currency="EUR", reason_code="pricing", due_on=opened, opened_on=opened, resolved_on=resolved,
        created_by="collector",
    )  # fmt: skip


def target(scope: str, key: str, period: str, starts: date, ends: date, amount: int) -> CollectionTarget:
    return CollectionTarget(
        scope=scope, scope_key=key, period=period, period_kind="month" if len(period) == 7 else "quarter",
        starts_on=starts, ends_on=ends, currency="EUR", amount_minor=amount * 100, set_by="manager",
    )  # fmt: skip


async def unapplied_cash(book: Book, customer: uuid.UUID, amount: str, on: date, reversed_on: date) -> None:
    """Cash received and left unapplied (AR does not move), reversed later."""
    payment = uuid.uuid4()
    await book.deliver(
        PaymentReceived(
            payment_id=payment, customer_id=customer, amount=money(amount), received_on=on,
            unapplied=money(amount),
        )
    )  # fmt: skip
    await book.deliver(
        PaymentReversed(
            payment_id=payment, customer_id=customer, amount=money(amount), reversed_on=reversed_on,
            reopened_invoice_ids=[], reopened=[], unapplied_removed=money(amount),
        )
    )  # fmt: skip


async def collectors_work(
    book: Book,
    entity: str,
    a: uuid.UUID,
    b: uuid.UUID,
    c: uuid.UUID,
    anna: str,
    ben: str,
    annas: uuid.UUID,
    team_id: uuid.UUID,
) -> None:
    """Promises, contacts, disputes, cash and targets of the worked example (figures in the test)."""
    march, april = (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 30))
    async with book.session() as session:
        session.add_all(
            [
                # anna: judged in March: kept 300 (300 received), kept 200 (250 received: counts 200),
                # partially kept 500 (100 received), broken 400; judged in February, or still open:
                # not counted
                promise(a, entity, 300, "kept", 300, date(2026, 3, 2)),
                promise(a, entity, 200, "kept", 250, date(2026, 3, 31)),
                promise(a, entity, 500, "partially_kept", 100, date(2026, 3, 1)),
                promise(a, entity, 400, "broken", 0, date(2026, 3, 15)),
                promise(a, entity, 900, "kept", 900, date(2026, 2, 28)),
                promise(a, entity, 700, "open", 0, None),
                # ben: one broken promise of 1,000 in March
                promise(b, entity, 1000, "broken", 0, date(2026, 3, 20)),
                # anna's EUR account: a call, an e-mail, a letter, a visit, an inbound call in March;
                # a note (no contact), a call in February and one in April (outside)
                contact(a, "call", date(2026, 3, 3)),
                contact(a, "email", date(2026, 3, 10)),
                contact(a, "letter", date(2026, 3, 16)),
                contact(a, "visit", date(2026, 3, 20)),
                contact(a, "call", date(2026, 3, 25), "inbound"),
                contact(a, "note", date(2026, 3, 26), None),
                contact(a, "call", date(2026, 2, 28)),
                contact(a, "call", date(2026, 4, 1)),
                contact(b, "call", date(2026, 3, 31)),  # ben: one call, on the period's last day
                contact(c, "email", date(2026, 3, 5)),  # anna's USD account: one e-mail
                # anna's disputes: opened 5 Feb, resolved 10 March (33 days); opened 2 March, resolved
                # 12 March (10); opened 20 March, open (11 days at 31 March); opened 1 January, open
                # (89 days); resolved before the period, opened after it: not counted
                case(a, date(2026, 2, 5), date(2026, 3, 10)),
                case(a, date(2026, 3, 2), date(2026, 3, 12)),
                case(a, date(2026, 3, 20), None),
                case(a, date(2026, 1, 1), None),
                case(a, date(2026, 2, 1), date(2026, 2, 20)),
                case(a, date(2026, 4, 2), None),
                # targets for March: anna 800, ben 200, anna's portfolio 400, the team 1,000; anna's
                # quarter and ben's April are other periods
                target("collector", anna, "2026-03", *march, 800),
                target("collector", ben, "2026-03", *march, 200),
                target("portfolio", str(annas), "2026-03", *march, 400),
                target("team", str(team_id), "2026-03", *march, 1000),
                target("collector", anna, "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 5000),
                target("collector", ben, "2026-04", *april, 999),
            ]
        )
    # ben: 50 received 18 March, reversed 5 April (collected in March); 30 received 12 March and
    # reversed 20 March (never collected)
    await unapplied_cash(book, b, "50.00", date(2026, 3, 18), date(2026, 4, 5))
    await unapplied_cash(book, b, "30.00", date(2026, 3, 12), date(2026, 3, 20))


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
    await collectors_work(book, entity, a, b, c, anna, ben, annas, team_id)

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
    # March 2026: Sunday 1st to Tuesday 31st: four whole weeks (20 working days) + Monday 30, Tuesday 31
    # anna: kept 2 of 4 judged (50 %); by amount (300 + 200 + 100 + 0) / (300 + 200 + 500 + 400) =
    # 600 / 1,400 = 42.857…; 5 contacts / 22 = 0.2272…; resolved (33 + 10) / 2 = 21.50 days, open at
    # the end (11 + 89) / 2 = 50.00 days; 400 collected (20 March) of a target of 800: 50 %
    assert collector_figures(by_collector[(anna, "EUR")]) == (
        4, 2, 1, 1, "1400.00", "500.00", "500.00", "400.00", "600.00", "50.00", "42.86",
        5, 22, "0.23", 2, 2, "21.50", 2, "50.00", "400.00", "800.00", "50.00",
    )  # fmt: skip
    # ben: one broken promise of 1,000 (0 %); 1 contact / 22 = 0.0454…; no disputes; 50 collected
    # (its reversal came after the period; the 30 reversed in March was never collected) of 200: 25 %
    assert collector_figures(by_collector[(ben, "EUR")]) == (
        1, 0, 0, 1, "1000.00", "0.00", "0.00", "1000.00", "0.00", "0.00", "0.00",
        1, 22, "0.05", 0, 0, None, 0, None, "50.00", "200.00", "25.00",
    )  # fmt: skip
    # anna in USD: the USD account's e-mail; no promises, disputes, cash or target in USD
    assert collector_figures(by_collector[(anna, "USD")]) == (
        0, 0, 0, 0, "0.00", "0.00", "0.00", "0.00", "0.00", None, None,
        1, 22, "0.05", 0, 0, None, 0, None, "0.00", None, None,
    )  # fmt: skip

    by_team = await report("team")
    # 3,100 / 1,500 x 31 = 64.0666…; best 1,100 / 1,500 x 31 = 22.7333…; ADD 41.3333…;
    # count-back 31 + 1,600 / 2,000 x 28 = 53.40; CEI 400 / 2,400 = 16.67 %; current 1,100 / 3,100
    assert figures(by_team[(str(team_id), "EUR")]) == (
        "1500.00", "2000.00", "3100.00", "1100.00",
        "64.07", "53.40", "22.73", "41.33", "16.67", "35.48", "0.00",
    )  # fmt: skip
    assert by_team[(str(team_id), "EUR")]["name"] == f"team {tag}"
    # the team: kept 2 of 5 (40 %); 600 / 2,400 = 25 % by amount; 6 contacts / 22 = 0.2727…;
    # 450 collected of the team's 1,000: 45 %
    assert collector_figures(by_team[(str(team_id), "EUR")]) == (
        5, 2, 1, 2, "2400.00", "500.00", "500.00", "1400.00", "600.00", "40.00", "25.00",
        6, 22, "0.27", 2, 2, "21.50", 2, "50.00", "450.00", "1000.00", "45.00",
    )  # fmt: skip
    overall = await report("overall")
    assert figures(overall[("all", "EUR")]) == figures(by_team[(str(team_id), "EUR")])
    # overall: the team's figures; targets are set for collectors, teams and portfolios only
    assert (
        collector_figures(overall[("all", "EUR")])[:-2]
        == collector_figures(by_team[(str(team_id), "EUR")])[:-2]
    )
    assert collector_figures(overall[("all", "EUR")])[-2:] == (None, None)
    by_portfolio = await report("portfolio")
    assert figures(by_portfolio[(str(annas), "EUR")]) == figures(by_collector[(anna, "EUR")])
    # anna's portfolio: anna's figures against the portfolio's own target of 400: 100 %
    assert collector_figures(by_portfolio[(str(annas), "EUR")]) == (
        *collector_figures(by_collector[(anna, "EUR")])[:-2], "400.00", "100.00",
    )  # fmt: skip
    assert collector_figures(by_portfolio[(str(bens), "EUR")]) == (
        *collector_figures(by_collector[(ben, "EUR")])[:-2], None, None,
    )  # fmt: skip
    await exported_as_reported(client, manager, entity, (anna, ben), by_collector[(anna, "EUR")])
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


async def exported_as_reported(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    entity: str,
    who: tuple[str, str],
    line: dict[str, Any],
) -> None:
    anna, ben = who
    params = {**MARCH, "group_by": "collector", "business_entity": entity}
    xlsx = await client.get("/v1/kpis/export", params={**params, "format": "xlsx"}, headers=manager)
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["period start", "period end", "group", "name", "currency"]
    # rows sorted by group and currency: anna EUR, anna USD, ben EUR
    assert [sheet.cell(row=r, column=3).value for r in (2, 3, 4)] == [anna, anna, ben]
    row = {name: sheet.cell(row=2, column=n + 1) for n, name in enumerate(header)}
    assert row["period start"].value == datetime(2026, 3, 1)
    assert row["period start"].number_format == "yyyy-mm-dd"
    expected: dict[str, Any] = {
        "promises judged": 2 + 1 + 1, "promises kept": 2, "promises partially kept": 1, "promises broken": 1,
        "amount promised": 1400, "kept amount": 500, "partially kept amount": 500, "broken amount": 400,
        "received on promises": 600, "promise kept rate %": 50, "promise kept rate by amount %": 42.86,
        "contacts": 5, "working days": 22, "contacts per working day": 0.23,
        "disputes opened": 2, "disputes resolved": 2, "average days to resolve": 21.5,
        "disputes open at end": 2, "average age of open disputes": 50, "collected": 400, "target": 800,
        "target attainment %": 50, "DSO": 18.6,
    }  # fmt: skip
    for name, value in expected.items():
        assert row[name].value == value, name
        assert not isinstance(row[name].value, str), name  # typed: a number, not text
    for name in ("amount promised", "collected", "target", "promise kept rate %", "contacts per working day"):
        assert row[name].number_format == "#,##0.00##", name
    usd = {name: sheet.cell(row=3, column=n + 1).value for n, name in enumerate(header)}
    assert (usd["currency"], usd["target"], usd["promise kept rate %"], usd["contacts"]) == (
        "USD",
        None,
        None,
        1,
    )
    assert sheet.column_dimensions["A"].width >= len("period start")
    csv_text = (await client.get("/v1/kpis/export", params=params, headers=manager)).text
    csv_header, first = csv_text.splitlines()[0].split(","), csv_text.splitlines()[1].split(",")
    assert csv_header == header
    as_csv = dict(zip(csv_header, first, strict=True))
    assert (as_csv["promise kept rate %"], as_csv["target"], as_csv["collected"]) == (
        "50.00",
        "800.00",
        "400.00",
    )
    assert Decimal(as_csv["contacts per working day"]) == Decimal(line["contacts_per_working_day"])
    backwards = await client.get(
        "/v1/kpis/export", params={"period_start": "2026-03-31", "period_end": "2026-03-01"}, headers=manager
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")
    for bad in ({"format": "pdf"}, {"group_by": "region"}, {"period_end": "2026-02-30"}):
        refused = await client.get("/v1/kpis/export", params={**params, **bad}, headers=manager)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json"), bad
        assert [e["field"] for e in refused.json()["errors"]] == list(bad), bad


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


@dataclass(frozen=True)
class MovedBook:
    entity: str
    anna: str
    ben: str
    annas: uuid.UUID
    bens: uuid.UUID


async def accounts_that_moved(book: Book) -> MovedBook:
    """x: in Ben's portfolio now, moved there from Anna's on 10 April; y: moved from Ben's to Anna's
    on 15 March; z: never moved, in Ben's. Invoiced 1000, 200 and 50 on 1 March, due 31 May."""
    tag = uuid.uuid4().hex[:6]
    entity = f"H{tag.upper()}"
    anna, ben = await book.collector(f"anna-{tag}"), await book.collector(f"ben-{tag}")
    annas, bens = await book.portfolio(anna), await book.portfolio(ben)
    x, y, z = (
        await book.account(portfolio_id=bens, entity=entity),
        await book.account(portfolio_id=annas, entity=entity),
        await book.account(portfolio_id=bens, entity=entity),
    )

    def move(customer: uuid.UUID, came_from: uuid.UUID, to: uuid.UUID, on: date) -> AssignmentHistory:
        return AssignmentHistory(
            customer_id=customer, from_portfolio_id=came_from, to_portfolio_id=to, source="manual",
            changed_by="manager", changed_at=utc(on.year, on.month, on.day), effective_on=on,
        )  # fmt: skip

    async with book.session() as session:
        session.add_all([move(x, annas, bens, date(2026, 4, 10)), move(y, bens, annas, date(2026, 3, 15))])
    for customer, amount in ((x, "1000.00"), (y, "200.00"), (z, "50.00")):
        await book.invoice(
            customer, issued=date(2026, 3, 1), due=date(2026, 5, 31), amount=amount, entity=entity
        )
    return MovedBook(entity, anna, ben, annas, bens)


async def test_kpis_follow_the_portfolio_that_held_the_account_at_the_period_end(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    moved = await accounts_that_moved(book)
    anna, ben = moved.anna, moved.ben

    async def ending_ar(period: dict[str, str], group_by: str) -> dict[str, str]:
        response = await client.get(
            "/v1/kpis",
            params={**period, "group_by": group_by, "business_entity": moved.entity},
            headers=manager,
        )
        assert response.status_code == 200, response.text
        return {line["group"]: line["ending_ar"] for line in response.json()["lines"]}

    # end of March: x (moved only in April) and y (moved in by 15 March) are Anna's, z Ben's
    assert await ending_ar(MARCH, "collector") == {anna: "1200.00", ben: "50.00"}
    assert await ending_ar(MARCH, "portfolio") == {str(moved.annas): "1200.00", str(moved.bens): "50.00"}
    # end of April: x has moved to Ben
    april = {"period_start": "2026-04-01", "period_end": "2026-04-30"}
    assert await ending_ar(april, "collector") == {anna: "200.00", ben: "1050.00"}


async def test_comparative_aging_follows_an_account_that_moved_between_the_dates(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    moved = await accounts_that_moved(book)
    anna, ben, annas, bens = moved.anna, moved.ben, str(moved.annas), str(moved.bens)

    async def comparative(group_by: str) -> dict[str, Any]:
        response = await client.get(
            "/v1/aging/comparative",
            params={
                "as_of": ["2026-03-31", "2026-04-30"],
                "group_by": group_by,
                "business_entity": moved.entity,
            },
            headers=manager,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    # 31 March: x (moved only on 10 April) and y (in since 15 March) are Anna's, z Ben's; on 30
    # April x is Ben's: 1000 leaves Anna's line and joins Ben's, all of it still current
    for group_by, first, second in (("collector", anna, ben), ("portfolio", annas, bens)):
        body = await comparative(group_by)
        totals = [{line["group"]: line["total"] for line in r["lines"]} for r in body["reports"]]
        assert totals == [{first: "1200.00", second: "50.00"}, {first: "200.00", second: "1050.00"}]
        deltas = {d["group"]: d for d in body["deltas"]}
        assert deltas[first]["total"] == {"amount": "-1000.00", "percent": "-83.3"}
        assert deltas[second]["total"] == {"amount": "1000.00", "percent": "2000.0"}
        assert deltas[second]["buckets"]["current"] == {"amount": "1000.00", "percent": "2000.0"}
    # before any move (10 March), y was still Ben's: the single-date aging reads the same history
    early = await client.get(
        "/v1/aging",
        params={"as_of": "2026-03-10", "group_by": "collector", "business_entity": moved.entity},
        headers=manager,
    )
    assert early.status_code == 200, early.text
    assert {line["group"]: line["total"] for line in early.json()["lines"]} == {
        anna: "1000.00",
        ben: "250.00",
    }


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
