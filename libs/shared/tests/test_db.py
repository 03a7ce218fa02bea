"""The DB helpers on a real PostgreSQL: pooled connections, the session pattern, the driver connection,
INSERT builder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import registry

from ar_shared.app import create_service_app
from ar_shared.db import (
    ReadPool,
    build_engine,
    build_read_pool,
    build_sessionmaker,
    driver_connection,
    insert_sql,
)
from ar_shared.routing import ServiceRoute
from ar_shared.settings import ServiceSettings
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.db import rolled_back_sessionmaker
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.schemas import ServiceSchema, drop_schema, make_schema
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(stack: Stack) -> AsyncIterator[AsyncEngine]:
    settings = ServiceSettings(
        service_name="dbtest",
        environment="test",
        database_url=SecretStr(stack.admin_url),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        db_pool_size=1,
        db_max_overflow=0,
    )
    engine = build_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def schema(admin_engine: AsyncEngine) -> AsyncIterator[ServiceSchema]:
    made = await make_schema(admin_engine, "dbhelpers")
    yield made
    await drop_schema(admin_engine, made)


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_service_connections_never_jit_compile(engine: AsyncEngine, stack: Stack) -> None:
    # PostgreSQL's JIT compiles a costly-looking statement on every execution (seconds for a
    # statement that runs in milliseconds): off on the sessions' and the read pool's connections
    async with engine.connect() as conn:
        assert (await conn.execute(text("SHOW jit"))).scalar_one() == "off"
    settings = ServiceSettings(
        service_name="reads",
        environment="test",
        database_url=SecretStr(stack.admin_url),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )
    pool = await build_read_pool(settings)
    try:
        assert await pool.fetchval("SHOW jit") == "off"
    finally:
        await pool.close()


async def test_a_connection_the_server_closed_is_replaced_on_checkout(
    engine: AsyncEngine, admin_engine: AsyncEngine
) -> None:
    # the only pooled connection is killed by the server (as a restart or idle timeout would)
    first = await backend_pid(engine)
    async with admin_engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    await asyncio.sleep(0.3)  # the event loop reads the server's goodbye and the socket's end
    # the next request does not fail on the dead connection: the pool hands out a new one
    assert await backend_pid(engine) != first


async def test_the_driver_connection_shares_the_session_transaction(
    engine: AsyncEngine, schema: ServiceSchema
) -> None:
    maker = build_sessionmaker(engine)
    async with maker() as session:
        with pytest.raises(RuntimeError, match="run a statement through the session"):
            await driver_connection(session)  # no transaction yet: writes would autocommit
        await session.execute(text("SELECT 1"))
        driver = await driver_connection(session)
        await driver.execute(f"INSERT INTO {schema.name}.effects (key) VALUES ($1)", "rolled-back")
        await session.rollback()
    assert await schema.effect_count("rolled-back") == 0
    async with maker() as session:
        await session.execute(text("SELECT 1"))
        driver = await driver_connection(session)
        await driver.execute(f"INSERT INTO {schema.name}.effects (key) VALUES ($1)", "committed")
        await session.commit()
    assert await schema.effect_count("committed") == 1


async def test_what_a_unit_of_work_reads_includes_the_changes_it_has_not_flushed(
    engine: AsyncEngine, schema: ServiceSchema
) -> None:
    """An aggregate read after an ORM change sees the change, through the driver connection and
    through the session, in the apps' sessions and in the tests' rolled-back ones alike."""

    class Effect:  # mapped here onto this test's throwaway table
        id: int
        key: str | None

    registry().map_imperatively(Effect, schema.effects)
    async with schema.sessionmaker() as session, session.begin():
        await session.execute(
            schema.effects.insert().values([{"id": 1, "key": "old"}, {"id": 2, "key": "old"}])
        )
    changed = select(func.count()).select_from(schema.effects).where(schema.effects.c.key == "new")

    async def reads_after_changes(maker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
        async with maker() as session:
            first, second = await session.get_one(Effect, 1), await session.get_one(Effect, 2)
            first.key = "new"  # pending in the session: nobody flushes by hand
            driver = await driver_connection(session)
            through_driver = int(
                await driver.fetchval(f"SELECT count(*) FROM {schema.name}.effects WHERE key = 'new'")
            )
            second.key = "new"
            through_session = int(await session.scalar(changed) or 0)
            await session.rollback()
        return through_driver, through_session

    assert await reads_after_changes(build_sessionmaker(engine)) == (1, 2)
    async with rolled_back_sessionmaker(engine, TEST_CLOCK) as maker:
        assert await reads_after_changes(maker) == (1, 2)


def test_insert_sql_numbers_the_parameters_of_every_row(schema: ServiceSchema) -> None:
    sql = insert_sql(schema.tables.outbox, ["event_id", "topic"], first_parameter=4, rows=2)
    assert sql == (f"INSERT INTO {schema.name}.outbox (event_id, topic) VALUES ($4, $5), ($6, $7)")


async def test_read_pool_serves_one_statement_reads_and_is_opt_in(
    stack: Stack, schema: ServiceSchema
) -> None:
    settings = ServiceSettings(
        service_name="reads",
        environment="test",
        database_url=SecretStr(stack.admin_url),
        kafka_bootstrap_servers=stack.kafka_bootstrap,
    )
    router = APIRouter(route_class=ServiceRoute)

    @router.get("/v1/effects/count")
    async def count(reads: ReadPool) -> dict[str, int]:
        async with reads.acquire() as connection:
            return {"count": int(await connection.fetchval(f"SELECT count(*) FROM {schema.name}.effects"))}

    async with schema.sessionmaker() as session, session.begin():
        await session.execute(schema.effects.insert().values(key="committed"))
    for read_pool in (True, False):
        app = create_service_app(
            settings,
            title="t",
            description="t",
            plumbing=schema.tables,
            routers=[router],
            read_pool=read_pool,
            clock=TEST_CLOCK,
        )
        async with running(app, rollback=False), client_for(app) as client:
            response = await client.get("/v1/effects/count", headers=bearer(settings.auth, "admin"))
        if read_pool:
            assert response.json() == {"count": 1}
        else:
            assert response.status_code == 500  # a programming error, never a silent fallback


def test_insert_sql_from_a_guard_casts_every_parameter(schema: ServiceSchema) -> None:
    sql = insert_sql(schema.tables.outbox, ["event_id", "envelope"], rows=2, for_each_row_of="guard")
    assert sql == (
        f"INSERT INTO {schema.name}.outbox (event_id, envelope)"
        " SELECT $1::UUID, $2::JSONB FROM guard UNION ALL SELECT $3::UUID, $4::JSONB FROM guard"
    )
