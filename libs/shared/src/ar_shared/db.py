"""Async SQLAlchemy engine and the one DB-session pattern: the request edge commits or rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import FromClause, Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ar_shared.settings import ServiceSettings


def build_engine(settings: ServiceSettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": f"ar-{settings.service_name}"}},
    )


def build_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: response models are built from objects after the edge commits
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The same URL for plain asyncpg (LISTEN connections, COPY, benchmarks)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": the commit happens when the endpoint returns, before the response is sent,
# so a client never sees 2xx for a transaction that then failed to commit.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]


async def copy_records(
    session: AsyncSession, table: FromClause, columns: Sequence[str], records: Sequence[Sequence[Any]]
) -> None:
    """COPY rows into `table` inside the session's own transaction (bulk write paths).

    Pending ORM changes are flushed first so the COPY sees them (foreign keys, order).
    """
    assert isinstance(table, Table), "COPY needs a table"
    await session.flush()
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table.name, schema_name=table.schema, columns=list(columns), records=[tuple(r) for r in records]
    )
