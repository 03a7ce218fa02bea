"""Test fixtures: the real app on the migrated test database, one rolled-back transaction each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app
from ar_collections.testing import Book
from ar_shared.clock import Clock
from ar_shared.testing.db import migrate
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def collections_settings(stack: Stack) -> CollectionsSettings:
    return CollectionsSettings(
        environment="test",
        database_url=SecretStr(stack.url("collections", "app")),
        migration_database_url=SecretStr(stack.url("collections", "owner")),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )


@pytest.fixture(scope="session")
async def collections_schema(collections_settings: CollectionsSettings) -> None:
    await migrate(SERVICE_DIR, collections_settings.migration_database_url.get_secret_value())


@pytest.fixture
async def collections_app(
    collections_settings: CollectionsSettings, collections_schema: None, clock: Clock
) -> AsyncIterator[FastAPI]:
    async with running(create_app(collections_settings, clock)) as app:
        yield app


@pytest.fixture
async def client(collections_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(collections_app) as c:
        yield c


@pytest.fixture
def collector(collections_settings: CollectionsSettings, clock: Clock) -> dict[str, str]:
    return bearer(collections_settings.auth, "collections:work", subject="collector-anna", clock=clock)


@pytest.fixture
def manager(collections_settings: CollectionsSettings, clock: Clock) -> dict[str, str]:
    return bearer(
        collections_settings.auth,
        "collections:manage",
        "collections:work",
        subject="collections-manager",
        clock=clock,
    )


@pytest.fixture
def book(collections_app: FastAPI) -> Book:
    """Seeds people, portfolios, accounts and ledger events (rolled back with the test)."""
    return Book(collections_app)
