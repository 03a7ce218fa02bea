"""Rendering limits: a template is rendered off the event loop, within a deadline, an output cap and
a memory ceiling; one that exceeds them is refused (problem+json) at save, at preview and when a
delivery is rendered, and the service keeps answering meanwhile."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers
from ar_notifications.main import create_app
from ar_notifications.models import Delivery, plumbing
from ar_shared.clock import Clock
from ar_shared.consumer import HandlerContext, PoisonMessage
from ar_shared.events import CloudEvent
from ar_shared.events.collections import NotificationRequested
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.http import client_for, running

pytestmark = pytest.mark.integration

DEADLINE = 1.0  # short, for the tests that run into it
ROOMY = 15.0  # for the tests about the other limits: a busy machine never reaches it
BUSY_LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
CUBED = "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}{% endfor %}{% endfor %}"


@pytest.fixture(params=[ROOMY])
async def app(
    request: pytest.FixtureRequest,
    notifications_settings: NotificationsSettings,
    notifications_schema: None,
    clock: Clock,
) -> AsyncIterator[FastAPI]:
    settings = notifications_settings.model_copy(
        update={"template_render_timeout_seconds": request.param, "template_max_output_chars": 100_000}
    )
    async with running(create_app(settings, clock)) as running_app:
        yield running_app


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


short_deadline = pytest.mark.parametrize("app", [DEADLINE], indirect=True)


def template(key: str, body_text: str) -> dict[str, str]:
    return {"key": key, "locale": "en", "subject": "Hello", "body_text": body_text, "body_html": "<p>Hi</p>"}


async def test_twenty_million_characters_are_refused_at_save(
    api: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    refused = await api.post(
        "/v1/templates", json=template("huge_one", '{{ "x" * 20000000 }}'), headers=manager
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "template_render_limit"
    assert problem["detail"] == "the rendered message would exceed 100000 characters"
    assert [e["field"] for e in problem["errors"]] == ["body_text"]


async def test_a_template_that_needs_gigabytes_is_refused_and_the_next_one_renders(
    api: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    refused = await api.post(
        "/v1/templates", json=template("greedy_one", '{{ "x" * 2000000000 }}'), headers=manager
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "template_render_limit")
    assert "MiB of memory" in refused.json()["detail"]
    fine = await api.post(
        "/v1/templates", json=template("fine_one", "Dear {{ customer_name }}"), headers=manager
    )
    assert fine.status_code == 201


@short_deadline
async def test_nested_loops_are_refused_at_save_while_the_service_keeps_answering(
    api: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    await api.post("/v1/templates/preview", json={"key": "credit_hold"}, headers=manager)  # a process is up
    longest_pause, answered, done = 0.0, 0, asyncio.Event()

    async def heartbeat() -> None:
        nonlocal longest_pause, answered
        while not done.is_set():
            before = time.perf_counter()
            assert (await api.get("/health/live")).status_code == 200
            await asyncio.sleep(0.01)
            longest_pause = max(longest_pause, time.perf_counter() - before)
            answered += 1

    beating = asyncio.create_task(heartbeat())
    started = time.perf_counter()
    refused = await api.post("/v1/templates", json=template("busy_one", BUSY_LOOPS), headers=manager)
    took = time.perf_counter() - started
    done.set()
    await beating
    assert (refused.status_code, refused.json()["code"]) == (422, "template_render_limit")
    assert refused.json()["detail"] == f"rendering took longer than {DEADLINE:g} s"
    assert DEADLINE <= took < DEADLINE + 5  # stopped at the deadline, not when the loops end
    assert longest_pause < DEADLINE / 2  # the event loop never waited for the render
    assert answered >= 10
    again = await api.post("/v1/templates/preview", json={"key": "credit_hold"}, headers=manager)
    assert again.status_code == 200  # the stopped process was replaced


@short_deadline
async def test_a_preview_with_data_that_makes_it_too_slow_is_refused(
    api: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    # with the sample data (no `items`) it renders at once: it is saved
    saved = await api.post("/v1/templates", json=template("cubed", CUBED), headers=manager)
    assert saved.status_code == 201, saved.text
    # 600 cubed empty iterations: seconds of CPU in the sandbox, refused at the deadline
    slow = await api.post(
        "/v1/templates/preview",
        json={"key": "cubed", "context": {"items": list(range(600))}},
        headers=manager,
    )
    assert (slow.status_code, slow.json()["code"]) == (422, "template_render_limit")
    assert slow.json()["detail"] == f"rendering took longer than {DEADLINE:g} s"


async def test_a_preview_with_data_that_makes_it_too_long_is_refused(
    api: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    saved = await api.post("/v1/templates", json=template("repeated", '{{ "y" * n }}'), headers=manager)
    assert saved.status_code == 201, saved.text
    long = await api.post(
        "/v1/templates/preview", json={"key": "repeated", "context": {"n": 10**7}}, headers=manager
    )
    assert (long.status_code, long.json()["code"]) == (422, "template_render_limit")
    assert long.json()["errors"][0]["field"] == "body_text"
    short = await api.post(
        "/v1/templates/preview", json={"key": "repeated", "context": {"n": 3}}, headers=manager
    )
    assert short.json()["body_text"] == "yyy"


async def test_a_delivery_too_costly_to_render_is_refused_and_nothing_is_queued(
    api: httpx.AsyncClient, app: FastAPI, manager: dict[str, str]
) -> None:
    await api.post("/v1/templates", json=template("repeated", '{{ "y" * n }}'), headers=manager)
    refused = await api.post(
        "/v1/deliveries",
        json={
            "channel": "email",
            "recipient": "ap@acme.example",
            "template_key": "repeated",
            "context": {"n": 10**7},
        },
        headers=manager,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "template_render_limit")
    request = NotificationRequested(
        request_id=uuid.uuid4(), customer_id=uuid.uuid4(), template_key="repeated", locale="en",
        channel="email", recipient="ap@acme.example", context={"n": 10**7},
    )  # fmt: skip
    registration = handlers.get(request.event_type())
    assert registration is not None
    async with app.state.sessionmaker() as session:
        context = HandlerContext(session, CloudEvent.wrap(request), OutboxWriter(plumbing), app.state.clock)
        with pytest.raises(PoisonMessage, match="would exceed"):  # dead-lettered at once, not retried
            await registration.handler(context, request)
        queued = (await session.scalars(select(Delivery).where(Delivery.template_key == "repeated"))).all()
    assert queued == []
