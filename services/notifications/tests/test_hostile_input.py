"""Notifications: NUL and control characters in templates, contexts, deliveries, bounces and
suppressions, and forged cursors, are 4xx problems naming what is wrong; nothing is written."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from ar_notifications.models import Delivery, Suppression, Template, plumbing

pytestmark = pytest.mark.integration


def forged(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).rstrip(b"=").decode()


async def counts(app: FastAPI) -> list[int]:
    async with app.state.sessionmaker() as session:
        return [
            await session.scalar(select(func.count()).select_from(t)) or 0
            for t in (Template, Delivery, Suppression, plumbing.outbox)
        ]


TEMPLATE = {
    "key": "hostile_letter",
    "locale": "en",
    "subject": "Hi",
    "body_text": "Hi",
    "body_html": "<p>Hi</p>",
}
DELIVERY = {
    "channel": "email",
    "recipient": "ap@acme.example",
    "template_key": "first_reminder",
    "locale": "en",
}
BOUNCE = {"message_id": "<m@example.com>", "kind": "hard"}
SUPPRESSION = {"address": "ap@acme.example", "reason": "do_not_contact"}
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("/v1/templates", TEMPLATE | {"subject": "Hi\u0000"}, "subject"),
    ("/v1/templates", TEMPLATE | {"body_text": "Dear\u0000"}, "body_text"),
    ("/v1/templates", TEMPLATE | {"body_html": "<p>\u0000</p>"}, "body_html"),
    ("/v1/templates/preview", {"key": "first_reminder", "context": {"name\u0000": "x"}}, "context"),
    ("/v1/templates/preview", {"key": "first_reminder", "context": {"items": [{"n": "\u0000"}]}}, "context"),
    ("/v1/templates/preview", {"key": "first_reminder", "locale": "en\u0000"}, "locale"),
    ("/v1/deliveries", DELIVERY | {"locale": "en\u0000"}, "locale"),
    ("/v1/deliveries", DELIVERY | {"template_key": "first_reminder\u0000"}, "template_key"),
    ("/v1/deliveries", DELIVERY | {"recipient": "ap\u0000@acme.example"}, "recipient"),
    ("/v1/deliveries", DELIVERY | {"context": {"customer_name": "Acme\u0000"}}, "context"),
    ("/v1/bounces", BOUNCE | {"message_id": "<m\u0000@example.com>"}, "message_id"),
    ("/v1/bounces", BOUNCE | {"diagnostic": "550\u0000"}, "diagnostic"),
    ("/v1/suppressions", SUPPRESSION | {"note": "asked\u0000"}, "note"),
    ("/v1/suppressions", SUPPRESSION | {"address": "ap\u0001@acme.example"}, "address"),
]


async def test_nul_and_control_characters_are_a_422_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, notifications_app: FastAPI, manager: dict[str, str]
) -> None:
    before = await counts(notifications_app)
    for url, body, field in CASES:
        response = await client.post(
            url, content=json.dumps(body), headers=manager | {"content-type": "application/json"}
        )
        assert response.status_code == 422, (url, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text
    assert await counts(notifications_app) == before


async def test_nul_in_a_query_parameter_is_a_422_naming_it(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    response = await client.get("/v1/deliveries?template_key=first%00reminder", headers=manager)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["template_key"]


@pytest.mark.parametrize("url", ["/v1/deliveries", "/v1/suppressions"])
@pytest.mark.parametrize("cursor", [forged("x"), forged(1), forged(None), forged("\ud800")])
async def test_a_forged_cursor_is_a_400_not_a_500(
    client: httpx.AsyncClient, manager: dict[str, str], url: str, cursor: str
) -> None:
    response = await client.get(url, params={"cursor": cursor}, headers=manager)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_cursor"
