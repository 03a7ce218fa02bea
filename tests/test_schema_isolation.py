"""Each service's database role can use only its own schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ar_shared.provisioning import SERVICES
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture
async def ledger_app_engine(stack: Stack) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(stack.url("ledger", "app"))
    yield engine
    await engine.dispose()


@pytest.mark.parametrize("other", [s for s in SERVICES if s != "ledger"])
async def test_ledger_role_cannot_read_another_services_schema(
    ledger_app_engine: AsyncEngine, other: str
) -> None:
    async with ledger_app_engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied for schema"):
            await conn.execute(text(f"SELECT 1 FROM {other}.inbox LIMIT 1"))


async def test_ledger_role_can_read_its_own_schema(ledger_app_engine: AsyncEngine) -> None:
    async with ledger_app_engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) >= 0 FROM ledger.inbox"))).scalar_one() is True


async def test_service_role_cannot_change_the_schema(ledger_app_engine: AsyncEngine) -> None:
    async with ledger_app_engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied for schema"):
            await conn.execute(text("CREATE TABLE ledger.sneaky (id int)"))


async def test_owner_role_of_one_service_cannot_read_another(stack: Stack) -> None:
    engine = create_async_engine(stack.url("credit", "owner"))
    try:
        async with engine.connect() as conn:
            with pytest.raises(ProgrammingError, match="permission denied for schema"):
                await conn.execute(text("SELECT 1 FROM ledger.customers LIMIT 1"))
    finally:
        await engine.dispose()
