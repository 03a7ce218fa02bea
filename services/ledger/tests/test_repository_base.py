"""The one repository base (ar_shared.repository) the ledger's repositories stand on: add reads back
what the database filled in, a keyset page neither skips nor repeats a row. On real PostgreSQL,
each test rolled back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ar_ledger.config import LedgerSettings
from ar_ledger.customers.repository import CustomerRepository
from ar_ledger.models import Customer
from ar_shared.db import build_engine
from ar_shared.testing.db import rolled_back_sessionmaker


@pytest.fixture(scope="module")
async def engine(ledger_settings: LedgerSettings, ledger_schema: None) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(ledger_settings)
    yield engine
    await engine.dispose()


def customer(entity: str, n: int) -> Customer:
    return Customer(
        external_id=f"REPO-{entity}-{n}", name=f"Repo {n}", currency="EUR", payment_terms_days=30,
        business_entity=entity,
    )  # fmt: skip


async def test_add_reads_back_what_the_database_filled_in(engine: AsyncEngine) -> None:
    async with rolled_back_sessionmaker(engine) as maker, maker() as session:
        added = await CustomerRepository(session).add(customer(uuid.uuid4().hex[:8], 1))
        assert added.created_at is not None
        assert added.open_ar_minor == 0


async def test_pages_of_a_listing_neither_skip_nor_repeat_a_row(engine: AsyncEngine) -> None:
    entity = uuid.uuid4().hex[:8]
    async with rolled_back_sessionmaker(engine) as maker, maker() as session:
        repo = CustomerRepository(session)
        added = {(await repo.add(customer(entity, n))).id for n in range(7)}
        seen: list[uuid.UUID] = []
        after: uuid.UUID | None = None
        while True:
            rows = await repo.list(
                limit=3, after_id=after, business_entity=entity, currency=None, sales_rep=None
            )
            seen += [r.id for r in rows]
            if len(rows) < 3:
                break
            after = rows[-1].id
        assert seen == sorted(added)
