"""Test fixtures: the real app on the migrated test database, one rolled-back transaction each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app
from ar_shared.clock import Clock
from ar_shared.testing.db import migrate
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def ledger_settings(stack: Stack) -> LedgerSettings:
    return LedgerSettings(
        environment="test",
        database_url=SecretStr(stack.url("ledger", "app")),
        migration_database_url=SecretStr(stack.url("ledger", "owner")),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )


@pytest.fixture(scope="session")
async def ledger_schema(ledger_settings: LedgerSettings) -> None:
    await migrate(SERVICE_DIR, ledger_settings.migration_database_url.get_secret_value())


@pytest.fixture
async def ledger_app(
    ledger_settings: LedgerSettings, ledger_schema: None, clock: Clock
) -> AsyncIterator[FastAPI]:
    async with running(create_app(ledger_settings, clock)) as app:
        yield app


@pytest.fixture
async def client(ledger_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(ledger_app) as c:
        yield c


@pytest.fixture
def writer(ledger_settings: LedgerSettings, clock: Clock) -> dict[str, str]:
    return bearer(ledger_settings.auth, "ledger:read", "ledger:write", subject="erp-sync", clock=clock)


@pytest.fixture
def reader(ledger_settings: LedgerSettings, clock: Clock) -> dict[str, str]:
    return bearer(ledger_settings.auth, "ledger:read", subject="analyst", clock=clock)
