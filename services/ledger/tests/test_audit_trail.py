"""Audit trail of the ledger: one record per change in the same transaction, append-only, tamper-evident."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ar_ledger.config import LedgerSettings
from ar_ledger.customers.schemas import CustomerUpsert
from ar_ledger.customers.service import upsert_customer
from ar_ledger.models import plumbing
from ar_shared.audit.log import SystemActor
from ar_shared.audit.verify import verify_chains
from ar_shared.db import build_engine, build_sessionmaker

pytestmark = pytest.mark.integration

ANALYST = SystemActor("analyst", frozenset({"ledger:write"}))


def customer(name: str) -> CustomerUpsert:
    return CustomerUpsert(name=name, currency="EUR", payment_terms_days=30, business_entity="DE01")


@pytest.fixture
async def engine(ledger_settings: LedgerSettings, ledger_schema: None) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(ledger_settings)
    yield engine
    await engine.dispose()


async def audit_count(engine: AsyncEngine, entity_id: str) -> int:
    async with engine.connect() as conn:
        t = plumbing.audit_log
        return int(
            await conn.scalar(select(func.count()).select_from(t).where(t.c.entity_id == entity_id)) or 0
        )


async def test_a_change_writes_exactly_one_audit_record_and_a_rollback_writes_none(
    engine: AsyncEngine, unique: str
) -> None:
    maker = build_sessionmaker(engine)
    async with maker() as session:
        kept = await upsert_customer(session, ANALYST, f"A-{unique}", customer("Kept"))
        await session.commit()
    async with maker() as session:
        dropped = await upsert_customer(session, ANALYST, f"B-{unique}", customer("Dropped"))
        await session.rollback()

    assert await audit_count(engine, str(kept.customer.id)) == 1
    assert await audit_count(engine, str(dropped.customer.id)) == 0


async def test_the_service_role_cannot_rewrite_or_delete_audit_records(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await conn.execute(text("UPDATE ledger.audit_log SET actor = 'someone else'"))
    async with engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await conn.execute(text("DELETE FROM ledger.audit_log"))


async def test_tampering_with_a_record_breaks_the_chain(
    engine: AsyncEngine, ledger_settings: LedgerSettings, unique: str
) -> None:
    maker = build_sessionmaker(engine)
    async with maker() as session:
        result = await upsert_customer(session, ANALYST, f"T-{unique}", customer("Before"))
        await session.commit()
    async with maker() as session:
        await upsert_customer(session, ANALYST, f"T-{unique}", customer("After"))
        await session.commit()
    entity_id = str(result.customer.id)

    owner = create_async_engine(ledger_settings.migration_database_url.get_secret_value())
    try:
        async with owner.begin() as conn:
            report = await verify_chains(conn, "ledger")
            assert report.ok, report.broken
            # the schema owner (not the service) edits history behind the service's back
            await conn.execute(
                text("UPDATE ledger.audit_log SET actor = 'mallory' WHERE entity_id = :id AND chain_seq = 1"),
                {"id": entity_id},
            )
            tampered = await verify_chains(conn, "ledger")
            await conn.rollback()
    finally:
        await owner.dispose()
    assert not tampered.ok
    assert any(entity_id in problem and "modified" in problem for problem in tampered.broken)


def test_settings_refuse_development_secrets_in_production() -> None:
    with pytest.raises(ValueError, match="development JWT secret"):
        LedgerSettings(environment="production", database_url=SecretStr("postgresql+asyncpg://x:y@db/ar"))
