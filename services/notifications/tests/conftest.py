"""Test fixtures: the real app on the migrated test database, one rolled-back transaction each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from ar_notifications.config import NotificationsSettings
from ar_notifications.main import create_app
from ar_shared.clock import Clock
from ar_shared.testing.db import migrate
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def notifications_settings(stack: Stack) -> NotificationsSettings:
    return NotificationsSettings(
        environment="test",
        database_url=SecretStr(stack.url("notifications", "app")),
        migration_database_url=SecretStr(stack.url("notifications", "owner")),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )


@pytest.fixture(scope="session")
async def notifications_schema(notifications_settings: NotificationsSettings) -> None:
    await migrate(SERVICE_DIR, notifications_settings.migration_database_url.get_secret_value())


@pytest.fixture
async def notifications_app(
    notifications_settings: NotificationsSettings, notifications_schema: None, clock: Clock
) -> AsyncIterator[FastAPI]:
    async with running(create_app(notifications_settings, clock)) as app:
        yield app


@pytest.fixture
async def client(notifications_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(notifications_app) as c:
        yield c


@pytest.fixture
def manager(notifications_settings: NotificationsSettings, clock: Clock) -> dict[str, str]:
    return bearer(notifications_settings.auth, "notifications:manage", subject="ops", clock=clock)
