"""Letters: every e-mail rendered for a customer is kept as worded (template key and version,
locale, request id) and can be listed by customer and printed as a page of its own."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from ar_notifications.consumers import handlers
from ar_notifications.letters.endpoints import wants_html
from ar_notifications.models import plumbing
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.collections import NotificationRequested
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration


async def deliver(app: FastAPI, payload: EventPayload) -> None:
    registration = handlers.get(payload.event_type())
    assert registration is not None
    async with app.state.sessionmaker() as session:
        context = HandlerContext(session, CloudEvent.wrap(payload), OutboxWriter(plumbing), app.state.clock)
        await registration.handler(context, payload)
        await session.commit()


async def new_customer(app: FastAPI, name: str) -> uuid.UUID:
    customer_id = uuid.uuid4()
    await deliver(
        app,
        CustomerUpserted(
            customer_id=customer_id, external_id=f"L-{customer_id.hex[:8]}", name=name, currency="EUR",
            payment_terms_days=30, business_entity="UK01", contact_email="ap@globex.example", time_zone="UTC",
        ),
    )  # fmt: skip
    return customer_id


def letter_request(customer_id: uuid.UUID, template_key: str) -> NotificationRequested:
    return NotificationRequested(
        request_id=uuid.uuid4(),
        customer_id=customer_id,
        template_key=template_key,
        channel="email",
        recipient="ap@globex.example",
        context={
            "business_date": "2026-03-22",
            "open_items": [
                {"invoice_number": "INV-7", "due_date": "2026-03-02", "open_balance": "100.00",
                 "currency": "EUR", "days_past_due": 20},
            ],
            "totals": {"EUR": "100.00"},
        },
    )  # fmt: skip


async def test_a_demand_letter_is_kept_as_rendered_and_prints_as_a_page(
    notifications_app: FastAPI, client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    customer_id = await new_customer(notifications_app, "Globex <Ltd>")
    reminder, demand = (
        letter_request(customer_id, "first_reminder"),
        letter_request(customer_id, "demand_letter"),
    )
    await deliver(notifications_app, reminder)
    await deliver(notifications_app, demand)
    await deliver(
        notifications_app, letter_request(await new_customer(notifications_app, "Other"), "final_notice")
    )

    first = await client.get(f"/v1/letters?customer_id={customer_id}&limit=1", headers=manager)
    assert first.status_code == 200, first.text
    second = await client.get(
        f"/v1/letters?customer_id={customer_id}&limit=1&cursor={first.json()['next_cursor']}", headers=manager
    )
    letters = first.json()["items"] + second.json()["items"]
    assert second.json()["next_cursor"] is None
    assert {(x["template_key"], x["request_id"]) for x in letters} == {
        ("first_reminder", str(reminder.request_id)),
        ("demand_letter", str(demand.request_id)),
    }
    assert {(x["template_version"], x["locale"], x["subject"]) for x in letters} >= {
        (0, "en", "Demand for payment")
    }

    by_request = await client.get(f"/v1/letters?request_id={demand.request_id}", headers=manager)
    [letter] = by_request.json()["items"]
    detail = await client.get(f"/v1/letters/{letter['id']}", headers=manager)
    assert detail.headers["content-type"] == "application/json"
    assert "<td>INV-7</td>" in detail.json()["body_html"]
    assert "Dear Globex <Ltd>" in detail.json()["body_text"]

    for page in (
        await client.get(f"/v1/letters/{letter['id']}/printable", headers=manager),
        await client.get(f"/v1/letters/{letter['id']}", headers=manager | {"Accept": "text/html"}),
    ):
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        html = page.text
        assert html.startswith("<!DOCTYPE html>")
        assert "<title>Demand for payment</title>" in html
        assert "Globex &lt;Ltd&gt;" in html  # the addressee escaped
        assert "2026-03-22" in html  # the letter's business date
        assert "<td>INV-7</td>" in html
        assert "<td>100.00 EUR</td>" in html
        assert f"request {demand.request_id}" in html
        assert "demand_letter default" in html


async def test_a_letter_needs_the_scope_and_an_unknown_one_is_a_problem(
    client: httpx.AsyncClient, manager: dict[str, str], notifications_app: FastAPI
) -> None:
    collector = bearer(notifications_app.state.settings.auth, "collections:work", subject="c1")
    assert (await client.get("/v1/letters", headers=collector)).status_code == 403
    missing = await client.get(f"/v1/letters/{uuid.uuid4()}/printable", headers=manager)
    assert (missing.status_code, missing.json()["code"]) == (404, "letter_not_found")
    assert missing.headers["content-type"] == "application/problem+json"
    bad = await client.get("/v1/letters?customer_id=nope", headers=manager)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].endswith("customer_id")


def test_html_is_served_only_when_preferred_to_json() -> None:
    assert wants_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert wants_html("text/html")
    assert not wants_html(None)
    assert not wants_html("*/*")
    assert not wants_html("application/json, text/html;q=0.5")
    assert not wants_html("text/html;q=0")
    assert not wants_html("text/html;q=oops")
