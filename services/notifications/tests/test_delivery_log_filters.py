"""The delivery log as a support analyst reads it: newest first, a page at a time, narrowed by
business entity (carried by `NotificationRequested`, else the customer's), customer, template,
channel, status, when it was rendered and recipient; bad filters and forged cursors are problems."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ar_notifications.consumers import handlers
from ar_notifications.models import plumbing
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.events.collections import NotificationRequested
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.pagination import encode_cursor

pytestmark = pytest.mark.integration

CONTEXT = {"customer_name": "Globex Ltd", "open_items": [], "totals": {}}


async def deliver(app: FastAPI, payload: EventPayload) -> None:
    registration = handlers.get(payload.event_type())
    assert registration is not None
    async with app.state.sessionmaker() as session:
        context = HandlerContext(session, CloudEvent.wrap(payload), OutboxWriter(plumbing), app.state.clock)
        await registration.handler(context, payload)
        await session.commit()


async def customer_in(app: FastAPI, entity: str, email: str) -> uuid.UUID:
    customer_id = uuid.uuid4()
    await deliver(
        app,
        CustomerUpserted(
            customer_id=customer_id, external_id=f"N-{customer_id.hex[:6]}", name="Globex Ltd",
            currency="EUR", payment_terms_days=30, business_entity=entity, contact_email=email,
        ),
    )  # fmt: skip
    return customer_id


def requested(
    customer_id: uuid.UUID, recipient: str, template_key: str = "first_reminder", entity: str | None = None
) -> NotificationRequested:
    return NotificationRequested(
        request_id=uuid.uuid4(), customer_id=customer_id, template_key=template_key, channel="email",
        recipient=recipient, context=CONTEXT, business_entity=entity,
    )  # fmt: skip


async def log(client: httpx.AsyncClient, manager: dict[str, str], **params: Any) -> Any:
    response = await client.get("/v1/deliveries", params=params, headers=manager)
    assert response.status_code == 200, response.text
    return response.json()


def keys(page: Any) -> list[tuple[str, str, str]]:
    return [(d["business_entity"], d["template_key"], d["recipient"]) for d in page["items"]]


async def test_the_entity_comes_from_the_request_else_from_the_customer(
    client: httpx.AsyncClient, notifications_app: FastAPI, manager: dict[str, str]
) -> None:
    home, other = f"N{uuid.uuid4().hex[:7]}", f"N{uuid.uuid4().hex[:7]}"
    customer = await customer_in(notifications_app, home, "ap@globex.example")
    await deliver(notifications_app, requested(customer, "ap@globex.example", entity=other))
    await deliver(notifications_app, requested(customer, "ap@globex.example", "second_reminder"))
    adhoc = await client.post(
        "/v1/deliveries",
        json={"customer_id": str(customer), "channel": "email", "recipient": "cfo@globex.example",
              "template_key": "first_reminder", "context": CONTEXT},
        headers=manager,
    )  # fmt: skip
    assert adhoc.status_code == 201, adhoc.text
    assert adhoc.json()["business_entity"] == home
    assert keys(await log(client, manager, business_entity=other)) == [
        (other, "first_reminder", "ap@globex.example")
    ]
    assert keys(await log(client, manager, business_entity=home)) == [
        (home, "first_reminder", "cfo@globex.example"),
        (home, "second_reminder", "ap@globex.example"),
    ]
    nobody = await client.post(
        "/v1/deliveries",
        json={"channel": "email", "recipient": "someone@partner.example", "template_key": "first_reminder",
              "context": CONTEXT},
        headers=manager,
    )  # fmt: skip
    assert nobody.json()["business_entity"] is None


async def test_the_log_is_newest_first_and_narrowed_by_each_filter(
    client: httpx.AsyncClient, notifications_app: FastAPI, manager: dict[str, str]
) -> None:
    entity = f"N{uuid.uuid4().hex[:7]}"
    first = await customer_in(notifications_app, entity, "ap@globex.example")
    second = await customer_in(notifications_app, entity, "ap@initech.example")
    await deliver(notifications_app, requested(first, "ap@globex.example"))
    await deliver(notifications_app, requested(second, "AP@Initech.example"))
    suppressed = await client.post(
        "/v1/suppressions",
        json={"address": "dead@initech.example", "reason": "do_not_contact"},
        headers=manager,
    )
    assert suppressed.status_code == 201, suppressed.text
    await deliver(notifications_app, requested(second, "dead@initech.example", "demand_letter"))

    everything = await log(client, manager, business_entity=entity)
    assert keys(everything) == [
        (entity, "demand_letter", "dead@initech.example"),
        (entity, "first_reminder", "ap@initech.example"),
        (entity, "first_reminder", "ap@globex.example"),
    ]
    paged: list[Any] = []
    cursor: str | None = None
    while True:
        page = await log(
            client, manager, business_entity=entity, limit=1, **({"cursor": cursor} if cursor else {})
        )
        paged += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert paged == everything["items"]

    assert keys(await log(client, manager, business_entity=entity, customer_id=str(first))) == [
        (entity, "first_reminder", "ap@globex.example")
    ]
    assert (
        len((await log(client, manager, business_entity=entity, template_key="first_reminder"))["items"]) == 2
    )
    assert len((await log(client, manager, business_entity=entity, channel="email"))["items"]) == 3
    assert (await log(client, manager, business_entity=entity, channel="webhook"))["items"] == []
    assert keys(await log(client, manager, business_entity=entity, status="suppressed")) == [
        (entity, "demand_letter", "dead@initech.example")
    ]
    assert keys(await log(client, manager, business_entity=entity, recipient="Ap@Initech.Example")) == [
        (entity, "first_reminder", "ap@initech.example")
    ]
    middle = everything["items"][1]["created_at"]
    newest = everything["items"][0]["created_at"]
    assert [
        d["recipient"]
        for d in (await log(client, manager, business_entity=entity, created_from=middle))["items"]
    ] == ["dead@initech.example", "ap@initech.example"]
    assert [
        d["recipient"]
        for d in (await log(client, manager, business_entity=entity, created_from=middle, created_to=middle))[
            "items"
        ]
    ] == ["ap@initech.example"]
    assert newest > middle


async def test_bad_filters_and_forged_cursors_are_problems(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    backwards = await client.get(
        "/v1/deliveries",
        params={"created_from": "2026-12-02T10:00:00Z", "created_to": "2026-12-01T10:00:00Z"},
        headers=manager,
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_date_range")
    assert [e["field"] for e in backwards.json()["errors"]] == ["created_to"]
    assert backwards.headers["content-type"] == "application/problem+json"
    for params, field in (
        ({"channel": "fax"}, "channel"),
        ({"status": "lost"}, "status"),
        ({"created_from": "2026-12-01T10:00:00"}, "created_from"),  # no offset: which moment?
        ({"created_to": "yesterday"}, "created_to"),
        ({"created_from": "0001-01-01T00:00:00+14:00"}, "created_from"),  # before the year 1 in UTC
        ({"customer_id": "42"}, "customer_id"),
        ({"business_entity": ""}, "business_entity"),
    ):
        bad = await client.get("/v1/deliveries", params=params, headers=manager)
        assert (bad.status_code, bad.json()["code"]) == (422, "validation_error"), params
        assert [e["field"].split(".")[-1] for e in bad.json()["errors"]] == [field], params
    for cursor in (encode_cursor([uuid.uuid4()]), encode_cursor(["2026-12-01", "x"]), "%%%"):
        forged = await client.get("/v1/deliveries", params={"cursor": cursor}, headers=manager)
        assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor"), cursor
