"""The blocked-order queue: refused orders are listed with their reasons, judged again whenever the
customer's holds or exposure change, and released by themselves (CreditDecisionChanged) when they
pass, oldest first; the others stay blocked with their current reasons."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_credit.models import plumbing
from ar_shared.clock import Clock
from ar_shared.events.ledger import CustomerUpserted, InvoiceIssued, PaymentReceived
from ar_shared.money import MoneyAmount

pytestmark = pytest.mark.integration


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


class Desk:
    def __init__(
        self, deliver: Any, client: httpx.AsyncClient, app: FastAPI, manager: dict[str, str], clock: Clock
    ) -> None:
        self.deliver, self.client, self.app, self.manager = deliver, client, app, manager
        self.today = clock.now().date()

    async def customer(self, *, limit: str, entity: str | None = None) -> uuid.UUID:
        customer_id = uuid.uuid4()
        await self.deliver(
            CustomerUpserted(
                customer_id=customer_id, external_id=f"Q-{customer_id.hex[:8]}", name="Queue", currency="EUR",
                payment_terms_days=30, business_entity=entity or f"Q{uuid.uuid4().hex[:6]}",
            )
        )  # fmt: skip
        response = await self.client.put(
            f"/v1/credit-profiles/{customer_id}",
            json={"credit_limit": eur(limit), "risk_class": "low", "reason": "onboarding"},
            headers=self.manager,
        )
        assert response.status_code == 201, response.text
        return customer_id

    async def invoice(self, customer_id: uuid.UUID, amount: str) -> None:
        await self.deliver(
            InvoiceIssued(
                invoice_id=uuid.uuid4(), customer_id=customer_id, business_entity="Q",
                invoice_number=f"I-{uuid.uuid4().hex[:6]}", issue_date=self.today,
                due_date=self.today + timedelta(days=30), amount=MoneyAmount(amount=amount, currency="EUR"),
            )
        )  # fmt: skip

    async def cash(self, customer_id: uuid.UUID, amount: str) -> None:
        money = MoneyAmount(amount=amount, currency="EUR")
        await self.deliver(
            PaymentReceived(
                payment_id=uuid.uuid4(), customer_id=customer_id, amount=money, received_on=self.today,
                unapplied=money,
            )
        )  # fmt: skip

    async def order(self, customer_id: uuid.UUID, amount: str) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/credit-decisions",
            json={"order_reference": f"SO-{uuid.uuid4().hex[:8]}", "customer_id": str(customer_id),
                  "amount": eur(amount)},
            headers=self.manager,
        )  # fmt: skip
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def decisions(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/credit-decisions", params=params, headers=self.manager)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def status(self, customer_id: uuid.UUID) -> dict[str, tuple[str, list[str]]]:
        return {
            d["order_reference"]: (d["status"], d["reason_codes"])
            for d in await self.decisions(customer_id=str(customer_id))
        }

    async def changes(self, customer_id: uuid.UUID) -> list[dict[str, Any]]:
        o = plumbing.outbox
        async with self.app.state.sessionmaker() as session:
            rows = await session.scalars(
                select(o.c.envelope)
                .where(
                    o.c.message_key == str(customer_id),
                    o.c.event_type == "ar.credit.CreditDecisionChanged.v1",
                )
                .order_by(o.c.id)
            )
            return [dict(r["data"]) for r in rows]


@pytest.fixture
def desk(
    deliver: Any, client: httpx.AsyncClient, credit_app: FastAPI, manager: dict[str, str], clock: Clock
) -> Desk:
    return Desk(deliver, client, credit_app, manager, clock)


async def test_an_order_blocked_by_a_hold_is_released_when_the_hold_is_lifted(desk: Desk) -> None:
    customer_id = await desk.customer(limit="5000.00")
    hold = await desk.client.post(
        "/v1/holds",
        json={"customer_id": str(customer_id), "reason_code": "documents_missing"},
        headers=desk.manager,
    )
    order = await desk.order(customer_id, "1000.00")
    assert (order["status"], order["reason_codes"]) == ("refused", ["credit_hold", "documents_missing"])
    assert order["business_date"] == desk.today.isoformat()
    queue = await desk.decisions(status="refused", customer_id=str(customer_id))
    assert [d["order_reference"] for d in queue] == [order["order_reference"]]

    released = await desk.client.post(
        f"/v1/holds/{hold.json()['id']}/release", json={"reason": "Documents received"}, headers=desk.manager
    )
    assert released.status_code == 200, released.text
    assert await desk.status(customer_id) == {order["order_reference"]: ("approved", [])}
    (change,) = await desk.changes(customer_id)
    assert change == change | {
        "order_reference": order["order_reference"], "previous_status": "refused", "status": "approved",
        "decision": "approved", "reason_codes": [], "changed_by": "credit-policy",
        "business_date": desk.today.isoformat(), "amount": eur("1000.00"),
    }  # fmt: skip
    check = await desk.client.get(
        "/v1/credit-check", params={"customer_id": str(customer_id), "amount": "1.00", "currency": "EUR"},
        headers=desk.manager,
    )  # fmt: skip
    assert check.json()["exposure"]["open_orders"] == eur("1000.00")  # it counts as an open order now


async def test_blocked_orders_pass_oldest_first_as_exposure_falls_and_the_others_keep_their_reasons(
    desk: Desk,
) -> None:
    customer_id = await desk.customer(limit="1000.00")
    await desk.invoice(customer_id, "1000.00")  # available credit 0
    first, second = await desk.order(customer_id, "600.00"), await desk.order(customer_id, "300.00")
    assert first["reason_codes"] == second["reason_codes"] == ["exceeds_available_credit"]

    await desk.cash(customer_id, "800.00")  # available 800: the first fits, then 200 are left
    assert await desk.status(customer_id) == {
        first["order_reference"]: ("approved", []),
        second["order_reference"]: ("refused", ["exceeds_available_credit"]),
    }
    cancelled = await desk.client.post(
        f"/v1/credit-decisions/{first['order_reference']}/cancel", json={}, headers=desk.manager
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await desk.status(customer_id))[second["order_reference"]] == ("approved", [])
    assert [(c["order_reference"], c["status"]) for c in await desk.changes(customer_id)] == [
        (first["order_reference"], "approved"),
        (second["order_reference"], "approved"),
    ]


async def test_a_managers_override_is_announced_too(desk: Desk) -> None:
    customer_id = await desk.customer(limit="100.00")
    order = await desk.order(customer_id, "500.00")
    released = await desk.client.post(
        f"/v1/credit-decisions/{order['order_reference']}/release", json={"reason": "CFO approved"},
        headers=desk.manager,
    )  # fmt: skip
    assert released.status_code == 200, released.text
    (change,) = await desk.changes(customer_id)
    assert (change["status"], change["changed_by"]) == ("released", "credit-manager")


async def test_the_queue_filters_by_status_customer_entity_and_date_and_pages_with_a_cursor(
    desk: Desk,
) -> None:
    entity = f"QF{uuid.uuid4().hex[:6]}"
    blocked_customer = await desk.customer(limit="10.00", entity=entity)
    other_customer = await desk.customer(limit="10000.00", entity=entity)
    blocked = [await desk.order(blocked_customer, "100.00") for _ in range(3)]
    approved = await desk.order(other_customer, "100.00")

    refs = [b["order_reference"] for b in blocked]
    queue = await desk.decisions(status="refused", business_entity=entity)
    assert [d["order_reference"] for d in queue] == refs  # oldest first
    everything = await desk.decisions(business_entity=entity, decided_from=desk.today.isoformat(),
                                      decided_to=desk.today.isoformat())  # fmt: skip
    assert {d["order_reference"] for d in everything} == {*refs, approved["order_reference"]}
    assert (
        await desk.decisions(
            business_entity=entity, decided_from=(desk.today + timedelta(days=1)).isoformat()
        )
        == []
    )

    pages, cursor = [], None
    while True:
        params: dict[str, str | int] = {"status": "refused", "customer_id": str(blocked_customer), "limit": 2}
        params |= {"cursor": cursor} if cursor else {}
        page = (await desk.client.get("/v1/credit-decisions", params=params, headers=desk.manager)).json()
        pages.append([d["order_reference"] for d in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert pages == [refs[:2], refs[2:]]

    forged = await desk.client.get(
        "/v1/credit-decisions", params={"cursor": "bm90LW91cnM"}, headers=desk.manager
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor")
    backwards = await desk.client.get(
        "/v1/credit-decisions",
        params={
            "decided_from": desk.today.isoformat(),
            "decided_to": (desk.today - timedelta(days=1)).isoformat(),
        },
        headers=desk.manager,
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_date_range")
