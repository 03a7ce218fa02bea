"""Test fixtures: the real app on the migrated test database, one rolled-back transaction each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers
from ar_credit.main import create_app
from ar_credit.models import plumbing
from ar_shared.clock import Clock
from ar_shared.consumer import HandlerContext
from ar_shared.events import CloudEvent, EventPayload
from ar_shared.outbox import OutboxWriter
from ar_shared.testing.db import migrate
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def credit_settings(stack: Stack) -> CreditSettings:
    return CreditSettings(
        environment="test",
        database_url=SecretStr(stack.url("credit", "app")),
        migration_database_url=SecretStr(stack.url("credit", "owner")),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )


@pytest.fixture(scope="session")
async def credit_schema(credit_settings: CreditSettings) -> None:
    await migrate(SERVICE_DIR, credit_settings.migration_database_url.get_secret_value())


@pytest.fixture
async def credit_app(
    credit_settings: CreditSettings, credit_schema: None, clock: Clock
) -> AsyncIterator[FastAPI]:
    async with running(create_app(credit_settings, clock)) as app:
        yield app


@pytest.fixture
async def client(credit_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(credit_app) as c:
        yield c


@pytest.fixture
def manager(credit_settings: CreditSettings, clock: Clock) -> dict[str, str]:
    return bearer(
        credit_settings.auth, "credit:manage", "credit:check", subject="credit-manager", clock=clock
    )


@pytest.fixture
def order_system(credit_settings: CreditSettings, clock: Clock) -> dict[str, str]:
    return bearer(credit_settings.auth, "credit:check", subject="sales-ops", clock=clock)


Deliver = Callable[..., Awaitable[None]]


@pytest.fixture
def deliver(credit_app: FastAPI) -> Deliver:
    """Runs the credit service's own handlers on events, as its consumer would, one transaction each."""

    async def run(*events: EventPayload) -> None:
        for payload in events:
            registration = handlers.get(payload.event_type())
            assert registration is not None, payload.event_type()
            async with credit_app.state.sessionmaker() as session:
                context = HandlerContext(
                    session, CloudEvent.wrap(payload), OutboxWriter(plumbing), credit_app.state.clock
                )
                await registration.handler(context, payload)
                await session.commit()

    return run
