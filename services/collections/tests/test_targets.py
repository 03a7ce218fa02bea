"""Collection targets: periods, pace and standings on a worked example with every number written
out; cash follows the portfolio that held the account on the day it arrived; bad input refused.

The example's period is next year (from the test clock), so it is open whatever today is; the
closed period is two years back."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update

from ar_collections.domain import targets as rules
from ar_collections.models import Collector, Team
from ar_collections.testing import Book, money
from ar_shared.clock import Clock
from ar_shared.events.ledger import PaymentReceived, PaymentReversed
from ar_shared.testing.http import assert_problem

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("text", "kind", "starts_on", "ends_on"),
    [
        ("2026-02", "month", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", "month", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(text: str, kind: str, starts_on: date, ends_on: date) -> None:
    period = rules.parse_period(text)
    assert (period.kind, period.starts_on, period.ends_on) == (kind, starts_on, ends_on)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-01", "1899", "3000-01", "2026-1"]
)
def test_what_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match=r"period|outside|no month"):
        rules.parse_period(text)


def test_progress_against_the_pace() -> None:
    november = rules.parse_period("2026-11")
    # 10 of 30 days gone (33.33 %), 40 % collected: on track
    ahead = rules.progress(november, date(2026, 11, 10), 100_000, 40_000)
    assert (ahead.percent_collected, ahead.percent_of_period, ahead.on_track, ahead.remaining_minor) == (
        Decimal("40.00"), Decimal("33.33"), True, 60_000,
    )  # fmt: skip
    behind = rules.progress(november, date(2026, 11, 20), 100_000, 40_000)
    assert (behind.percent_of_period, behind.on_track) == (Decimal("66.67"), False)
    before = rules.progress(november, date(2026, 10, 31), 100_000, 0)
    assert before.percent_of_period == Decimal("0.00")
    over = rules.progress(november, date(2026, 12, 15), 100_000, 125_000)
    assert (over.percent_collected, over.percent_of_period, over.remaining_minor) == (
        Decimal("125.00"), Decimal("100.00"), 0,
    )  # fmt: skip
    assert rules.closed(november, date(2026, 12, 1))
    assert not rules.closed(november, date(2026, 11, 30))


async def target(
    client: httpx.AsyncClient, manager: dict[str, str], scope: str, scope_id: str, period: str, amount: str
) -> httpx.Response:
    body = {
        "scope": scope,
        "scope_id": scope_id,
        "period": period,
        "amount": {"amount": amount, "currency": "EUR"},
    }
    return await client.put("/v1/collection-targets", json=body, headers=manager)


async def received(book: Book, customer: uuid.UUID, on: date, amount: str) -> uuid.UUID:
    payment = uuid.uuid4()
    await book.deliver(
        PaymentReceived(
            payment_id=payment,
            customer_id=customer,
            amount=money(amount),
            received_on=on,
            unapplied=money(amount),
        )
    )
    return payment


async def test_standings_on_a_worked_example(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book, clock: Clock
) -> None:
    year = clock.now().year + 1
    period = f"{year}-03"
    tag = uuid.uuid4().hex[:6]
    entity = f"T{tag.upper()}"
    anna, ben = await book.collector(f"anna-{tag}"), await book.collector(f"ben-{tag}")
    team_id = uuid.uuid4()
    async with book.session() as session:
        session.add(Team(id=team_id, name=f"team {tag}"))
        await session.flush()
        await session.execute(
            update(Collector).where(Collector.subject.in_([anna, ben])).values(team_id=team_id)
        )
    annas, bens = await book.portfolio(anna), await book.portfolio(ben)
    first = await book.account(portfolio_id=annas, entity=entity)
    second = await book.account(portfolio_id=bens, entity=entity)

    # first: 300 in anna's time, then moved to ben on 10 March, then 200 more; a bounced 1,000
    await received(book, first, date(year, 3, 2), "300.00")
    await book.business_date(entity, date(year, 3, 10))
    moved = await client.post(
        f"/v1/accounts/{first}/assignment", json={"collector": ben, "reason": "rebalanced"}, headers=manager
    )
    assert moved.status_code == 200, moved.text
    await received(book, first, date(year, 3, 12), "200.00")
    bounced = await received(book, second, date(year, 3, 5), "1000.00")
    await book.deliver(
        PaymentReversed(
            payment_id=bounced, customer_id=second, amount=money("1000.00"), reversed_on=date(year, 3, 8),
            reason="cheque bounced", unapplied_removed=money("1000.00"),
        )
    )  # fmt: skip
    await received(book, second, date(year, 3, 14), "150.00")
    await received(book, second, date(year, 4, 1), "999.00")  # next period

    for scope, key, amount in [
        ("collector", anna, "1000.00"), ("collector", ben, "1000.00"), ("team", str(team_id), "3000.00"),
        ("portfolio", str(annas), "500.00"),
    ]:  # fmt: skip
        response = await target(client, manager, scope, key, period, amount)
        assert response.status_code == 201, response.text
    replaced = await target(client, manager, "collector", ben, period, "700.00")
    assert replaced.status_code == 200
    assert replaced.json()["amount"] == {"amount": "700.00", "currency": "EUR"}

    # 15 of 31 days of March gone: 48.39 %
    standing = await client.get(
        "/v1/collection-targets/standings",
        params={"period": period, "as_of": f"{year}-03-15"},
        headers=manager,
    )
    assert standing.status_code == 200, standing.text
    rows = {
        (s["target"]["scope"], s["target"]["scope_id"]): s
        for s in standing.json()["standings"]
        if s["target"]["scope_id"] in {anna, ben, str(team_id), str(annas)}
    }
    expected: dict[tuple[str, str], tuple[str, str, str | None, bool]] = {
        ("collector", anna): ("300.00", "700.00", "30.00", False),
        ("collector", ben): ("350.00", "350.00", "50.00", True),
        ("team", str(team_id)): ("650.00", "2350.00", "21.67", False),
        ("portfolio", str(annas)): ("300.00", "200.00", "60.00", True),
    }
    assert {
        k: (r["collected"]["amount"], r["remaining"]["amount"], r["percent_collected"], r["on_track"])
        for k, r in rows.items()
    } == expected
    assert {r["percent_of_period"] for r in rows.values()} == {"48.39"}
    assert rows[("collector", anna)]["target"]["name"] == anna
    ranks = {
        s["target"]["scope_id"]: s["rank"]
        for s in standing.json()["standings"]
        if s["target"]["scope"] == "collector"
    }
    assert ranks[ben] < ranks[anna]  # 50 % ahead of 30 %

    exported = await client.get(
        "/v1/collection-targets/standings/export",
        params={"period": period, "as_of": f"{year}-03-15", "scope": "team"},
        headers=manager,
    )
    lines = exported.text.splitlines()
    assert lines[0].startswith("scope,id,name,period,currency,target,collected")
    assert any(
        line.startswith(f"team,{team_id},team {tag},{period},EUR,3000.00,650.00,2350.00,21.67,48.39,no,")
        for line in lines
    )


async def test_bad_targets_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book, clock: Clock
) -> None:
    who = await book.collector(f"carla-{uuid.uuid4().hex[:6]}")
    today = clock.now().date()
    closed = f"{today.year - 2}-Q1"
    assert_problem(
        await target(client, manager, "collector", who, closed, "10.00"), 409, "target_period_closed"
    )
    last_month = (today.replace(day=1) - timedelta(days=40)).strftime("%Y-%m")
    assert_problem(
        await target(client, manager, "collector", who, last_month, "10.00"), 409, "target_period_closed"
    )
    open_period = f"{today.year + 1}"
    bad = assert_problem(
        await target(client, manager, "collector", who, f"{today.year}-13", "10.00"), 422, "invalid_period"
    )
    assert bad["errors"][0]["field"] == "period"
    unknown = assert_problem(
        await target(client, manager, "portfolio", str(uuid.uuid4()), open_period, "10.00"),
        422,
        "unknown_scope",
    )
    assert unknown["errors"][0]["field"] == "scope_id"
    assert_problem(
        await target(client, manager, "team", "not-a-uuid", open_period, "10.00"), 422, "unknown_scope"
    )
    for amount in ("0.00", "-5.00", "1.001"):
        response = await target(client, manager, "collector", who, open_period, amount)
        assert response.status_code == 422, (amount, response.text)
    forbidden = await target(client, collector, "collector", who, open_period, "10.00")
    assert forbidden.status_code == 403
    listed = await client.get(
        "/v1/collection-targets", params={"period": open_period, "scope": "collector"}, headers=manager
    )
    assert who not in {t["scope_id"] for t in listed.json()}
    assert_problem(
        await client.get("/v1/collection-targets/standings", params={"period": "Q4"}, headers=manager),
        422, "invalid_period",
    )  # fmt: skip
