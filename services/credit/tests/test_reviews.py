"""Credit reviews: an explainable score, a recommended limit and next review date; references."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.domain.scoring import Financials, add_months, score
from ar_shared.testing.clock import TEST_CLOCK

TODAY = TEST_CLOCK.now().date()


def strong() -> Financials:
    return Financials(
        current_assets=Decimal(800_000),
        current_liabilities=Decimal(400_000),
        total_liabilities=Decimal(600_000),
        equity=Decimal(1_500_000),
        revenue=Decimal(5_000_000),
        net_income=Decimal(400_000),
        years_in_business=12,
    )


def test_a_strong_customer_scores_low_risk_and_every_point_is_explained() -> None:
    review = score(strong(), oldest_days_past_due=0, reviewed_on=date(2026, 11, 24))
    assert [(f.name, f.points) for f in review.factors] == [
        ("liquidity", 25),  # ratio 2.00
        ("leverage", 20),  # 0.40
        ("profitability", 15),  # 8.0 %
        ("track record", 15),
        ("payment behaviour", 20),
    ]
    assert review.score == 95
    assert review.risk_class == "low"
    assert review.recommended_limit == Decimal(500_000)  # 10 % of revenue, under half the equity
    assert review.next_review_on == date(2027, 11, 24)


def test_a_weak_customer_scores_very_high_risk_with_a_small_limit() -> None:
    weak = Financials(
        current_assets=Decimal(90_000),
        current_liabilities=Decimal(100_000),
        total_liabilities=Decimal(300_000),
        equity=Decimal(-10_000),
        revenue=Decimal(1_000_000),
        net_income=Decimal(-50_000),
        years_in_business=1,
    )
    review = score(weak, oldest_days_past_due=75, reviewed_on=date(2026, 1, 31))
    assert review.score == 0
    assert review.risk_class == "very_high"
    assert review.recommended_limit == Decimal(0)  # no positive equity: no limit
    assert review.next_review_on == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def known_customer(app: FastAPI) -> uuid.UUID:
    customer_id = uuid.uuid4()
    async with app.state.sessionmaker() as session:
        await CreditCustomerRepository(session).upsert(
            {"id": customer_id, "external_id": f"R-{customer_id.hex[:6]}", "name": "Reviewed GmbH",
             "currency": "EUR", "business_entity": "DE01", "sales_rep": None, "time_zone": "UTC"}
        )  # fmt: skip
        await session.commit()
    return customer_id


@pytest.mark.integration
async def test_review_api_scores_sets_the_next_review_and_shows_in_the_reference(
    client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str]
) -> None:
    customer_id = await known_customer(credit_app)
    await client.put(
        f"/v1/credit-profiles/{customer_id}",
        json={
            "credit_limit": money("5000.00"),
            "risk_class": "medium",
            "review_date": TODAY.isoformat(),
            "reason": "x",
        },
        headers=manager,
    )
    due = (
        await client.get("/v1/credit-reviews/due", params={"as_of": TODAY.isoformat()}, headers=manager)
    ).json()
    assert str(customer_id) in [d["customer_id"] for d in due]

    financials: dict[str, Any] = {
        "current_assets": money("800000.00"), "current_liabilities": money("400000.00"),
        "total_liabilities": money("600000.00"), "equity": money("1500000.00"),
        "revenue": money("5000000.00"), "net_income": money("400000.00"), "years_in_business": 12,
    }  # fmt: skip
    response = await client.post(
        "/v1/credit-reviews",
        json={"customer_id": str(customer_id), "financials": financials},
        headers=manager,
    )
    assert response.status_code == 201, response.text
    review = response.json()
    assert review["score"] == 95
    assert review["recommended_limit"] == money("500000.00")
    assert len(review["factors"]) == 5
    later = (
        await client.get("/v1/credit-reviews/due", params={"as_of": TODAY.isoformat()}, headers=manager)
    ).json()
    assert str(customer_id) not in [d["customer_id"] for d in later]

    reference = (await client.get(f"/v1/customers/{customer_id}/credit-reference", headers=manager)).json()
    assert reference["last_review"]["score"] == 95
    assert reference["credit_limit"] == money("5000.00")
    assert reference["invoices_total"] == 0

    wrong = await client.post(
        "/v1/credit-reviews",
        json={
            "customer_id": str(customer_id),
            "financials": financials | {"revenue": {"amount": "1.00", "currency": "USD"}},
        },
        headers=manager,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "currency_mismatch")
    unknown = await client.get(f"/v1/customers/{uuid.uuid4()}/credit-reference", headers=manager)
    assert unknown.status_code == 404
