"""Async SQLAlchemy engine and the one DB-session pattern: the request edge commits or rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import FromClause, Table, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.settings import ServiceSettings


def server_settings(application_name: str) -> dict[str, str]:
    """What every service connection sets on the server. `jit = off`: the services' statements are
    short, and PostgreSQL's JIT compiles any whose estimated cost passes `jit_above_cost` on each
    execution (a credit batch's picture of ~300 customers would; on a table not analysed yet even
    one customer's did, 6.5-7 s of compiling for a statement that runs in milliseconds)."""
    return {"application_name": application_name, "jit": "off"}


def build_engine(settings: ServiceSettings) -> AsyncEngine:
    engine = create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        connect_args={"server_settings": server_settings(f"ar-{settings.service_name}")},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replaces `pool_pre_ping`, which costs three round trips (BEGIN, ping, ROLLBACK) per request.

    asyncpg notices at once when the server closes a socket (restart, idle timeout, terminated
    backend): such a connection is thrown away and the pool hands out a fresh one, for free.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database closed this pooled connection")


def build_sessionmaker(
    bind: AsyncEngine | AsyncConnection, clock: Clock = SYSTEM_CLOCK
) -> async_sessionmaker[AsyncSession]:
    """The one session pattern (apps, workers, and the tests' rolled-back sessions).

    Autoflush: every statement run through a session first writes the changes the session holds
    (objects changed, added or deleted), so whatever a unit of work reads after it changed
    something, by ORM query, Core statement or `driver_connection`, already includes that
    change. Services change rows and then read an aggregate over them in the same transaction
    (a credit handler sets invoice balances, then its policy sums what is overdue); without
    autoflush that read would see the database as it was before, and decide on stale numbers.
    Only statements sent on `session.connection()` itself skip it; the ledger's single-invoice
    POST sends its SQL there from a session that holds no ORM change.
    Sessions carry `clock` in `info`: the audit log and the outbox stamp its time.
    """
    # expire_on_commit=False: response models are built from objects after the edge commits
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=True, info={"clock": clock})


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The same URL for plain asyncpg (LISTEN connections, COPY, benchmarks)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def build_read_pool(settings: ServiceSettings) -> asyncpg.Pool:
    """Plain asyncpg connections for the hottest read-only endpoints (the order credit check).

    Each use is one statement outside any transaction: a single statement reads one consistent
    snapshot, which is all such a read needs. It skips what a request session costs even when
    it only reads (session, BEGIN, COMMIT, close: several hundred microseconds of CPU and two
    round trips). Nothing a connection of this pool runs leaves state behind, so returning one
    to the pool needs no reset query either.
    """
    return await asyncpg.create_pool(
        asyncpg_dsn(settings.database_url.get_secret_value()),
        min_size=0,  # connects on first use: the service starts (and reports unready) without its DB
        max_size=settings.db_pool_size,
        reset=_nothing_to_reset,
        server_settings=server_settings(f"ar-{settings.service_name}-reads"),
    )


async def _nothing_to_reset(_: asyncpg.Connection) -> None:
    return None


async def _read_pool(request: Request) -> asyncpg.Pool:  # async: no worker thread
    pool: asyncpg.Pool | None = getattr(request.app.state, "read_pool", None)
    if pool is None:
        raise RuntimeError("this app was built without read_pool=True")
    return pool


# `async with pool.acquire() as connection:` then one read-only statement; writes use DbSession
ReadPool = Annotated[asyncpg.Pool, Depends(_read_pool)]


@asynccontextmanager
async def request_session(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A request's unit of work: committed when the block ends, rolled back on any exception."""
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def open_request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The dependency behind `DbSession` (`ar_shared.direct_writes` recognises it by identity)."""
    async with request_session(request.app.state.sessionmaker) as session:
        yield session


# scope="function": the commit happens when the endpoint returns, before the response is sent,
# so a client never sees 2xx for a transaction that then failed to commit.
DbSession = Annotated[AsyncSession, Depends(open_request_session, scope="function")]


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session, for COPY and one-round-trip write paths.

    The session's transaction must have begun (a statement ran through it): statements sent
    here are part of it, committed or rolled back at the request edge like everything else.
    SQL sent here bypasses the session, so its pending changes are flushed first (what
    autoflush does for statements run through the session): it reads and writes after them.
    """
    await session.flush()
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    if not driver.is_in_transaction():
        raise RuntimeError("run a statement through the session before using its driver connection")
    return driver


def insert_sql(
    table: FromClause,
    columns: Sequence[str],
    first_parameter: int = 1,
    rows: int = 1,
    *,
    for_each_row_of: str | None = None,
) -> str:
    """`INSERT INTO schema.table (columns) VALUES ($n, ...), ...` for statements sent to asyncpg.

    With `for_each_row_of`, the rows are selected from that relation (a CTE), so nothing is
    inserted when it is empty: `INSERT ... SELECT $n::type, ... FROM guard`. The parameters are
    cast to the columns' types, which a SELECT list does not infer from the target table.
    """
    assert isinstance(table, Table), "INSERT needs a table"
    width = len(columns)
    target = f"{table.schema}.{table.name} ({', '.join(columns)})"

    def parameters(row: int) -> list[str]:
        numbers = [first_parameter + row * width + i for i in range(width)]
        if for_each_row_of is None:
            return [f"${n}" for n in numbers]
        types = [table.c[c].type.compile(dialect=_POSTGRESQL) for c in columns]
        return [f"${n}::{t}" for n, t in zip(numbers, types, strict=True)]

    # names come from table metadata and code, values are always bind parameters
    if for_each_row_of is None:
        values = ", ".join(f"({', '.join(parameters(row))})" for row in range(rows))
        return f"INSERT INTO {target} VALUES {values}"  # noqa: S608
    select = "SELECT {} FROM " + for_each_row_of  # noqa: S608 - a CTE name from code
    selects = " UNION ALL ".join(select.format(", ".join(parameters(row))) for row in range(rows))
    return f"INSERT INTO {target} {selects}"


_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]


async def copy_records(
    session: AsyncSession, table: FromClause, columns: Sequence[str], records: Iterable[Sequence[Any]]
) -> None:
    """COPY rows into `table` inside the session's own transaction (bulk write paths).

    Pending ORM changes are flushed first (by `driver_connection`), so the COPY sees them
    (foreign keys, order). `records` may be a generator: the driver sends the rows in chunks of
    512 KiB as it takes them, so PostgreSQL stores one chunk while Python makes the next (on two
    cores, the two overlap instead of following each other).
    """
    assert isinstance(table, Table), "COPY needs a table"
    driver = await driver_connection(session)
    await driver.copy_records_to_table(
        table.name, schema_name=table.schema, columns=list(columns), records=records
    )
