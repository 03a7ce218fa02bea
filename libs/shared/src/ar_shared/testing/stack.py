"""Where the tests' PostgreSQL and Kafka are: the local stack (default) or testcontainers.

`AR_TEST_STACK=local` (default) uses what `make test` started (deploy/postgres.sh and
deploy/kafka.sh); `AR_TEST_STACK=testcontainers` starts throwaway containers instead, for
machines with a Docker engine.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

from ar_shared.provisioning import provisioning_sql

REPO_ROOT = Path(__file__).resolve().parents[5]


@dataclass(frozen=True)
class Stack:
    pg_host: str
    pg_port: int
    database: str
    admin_url: str  # superuser, SQLAlchemy asyncpg URL
    kafka_bootstrap: str
    kind: str

    def url(self, service: str, role: str) -> str:
        name = f"ar_{service}_{role}"
        return f"postgresql+asyncpg://{name}:{name}@{self.pg_host}:{self.pg_port}/{self.database}"


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


@contextmanager
def local_stack() -> Iterator[Stack]:
    local_dir = Path(os.environ.get("AR_LOCAL_DIR", REPO_ROOT / ".local"))
    pg_port = int(os.environ.get("AR_PG_PORT", "55432"))
    kafka = f"127.0.0.1:{os.environ.get('AR_KAFKA_PORT', '59092')}"
    database = os.environ.get("AR_PG_TEST_DATABASE", "ar_test")
    missing = []
    if not _port_open("127.0.0.1", pg_port):
        missing.append(f"PostgreSQL on 127.0.0.1:{pg_port}")
    if not _port_open("127.0.0.1", int(kafka.rsplit(":", 1)[1])):
        missing.append(f"Kafka on {kafka}")
    if missing:
        raise RuntimeError(
            f"the test stack is not running ({', '.join(missing)}): run `make test`, or "
            "`make infra` first, or set AR_TEST_STACK=testcontainers where Docker runs"
        )
    admin = f"postgresql+asyncpg://postgres@/{database}?host={local_dir / 'pgrun'}&port={pg_port}"
    yield Stack("127.0.0.1", pg_port, database, admin, kafka, "local")


@contextmanager
def container_stack() -> Iterator[Stack]:  # pragma: no cover - needs a Docker engine
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer(
            "postgres:16-alpine",
            username="postgres",
            password="postgres",  # noqa: S106 - throwaway container
            dbname="ar_test",
        ) as pg,
        KafkaContainer("confluentinc/cp-kafka:7.6.1").with_kraft() as kafka,
    ):
        host, port = pg.get_container_host_ip(), int(pg.get_exposed_port(5432))
        admin = f"postgresql+asyncpg://postgres:postgres@{host}:{port}/ar_test"

        async def provision() -> None:
            conn = await asyncpg.connect(f"postgresql://postgres:postgres@{host}:{port}/ar_test")
            try:
                for statement in provisioning_sql("ar_test"):
                    await conn.execute(statement)
            finally:
                await conn.close()

        asyncio.run(provision())
        yield Stack(host, port, "ar_test", admin, kafka.get_bootstrap_server(), "testcontainers")


@contextmanager
def test_stack() -> Iterator[Stack]:
    kind = os.environ.get("AR_TEST_STACK", "local")
    if kind == "testcontainers":
        with container_stack() as stack:
            yield stack
    elif kind == "local":
        with local_stack() as stack:
            yield stack
    else:
        raise RuntimeError(f"AR_TEST_STACK must be 'local' or 'testcontainers', not {kind!r}")


@asynccontextmanager
async def scratch_database(stack: Stack, suffix: str, keep: bool = False) -> AsyncIterator[Stack]:
    """A database of its own beside the test database, provisioned like it and dropped afterwards
    (unless `keep`: a benchmark's book to look at).

    For tests whose writes are committed and not theirs to undo (a fuzzer sends thousands of
    requests to real servers): nothing they write can leak into the shared test database, where
    other tests read totals over every customer.
    """
    name = f"{stack.database}_{suffix}"
    admin = make_url(stack.admin_url)

    async def on_server(*statements: str) -> None:
        # a connection per use: the server may have been restarted meanwhile (fault tests do)
        server = await asyncpg.connect(**_asyncpg_args(admin.set(database="postgres")))
        try:
            for statement in statements:
                await server.execute(statement)
        finally:
            await server.close()

    try:
        await on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        scratch = await asyncpg.connect(**_asyncpg_args(admin.set(database=name)))
        try:
            for statement in provisioning_sql(name):
                await scratch.execute(statement)
        finally:
            await scratch.close()
        yield replace(stack, database=name, admin_url=admin.set(database=name).render_as_string(False))
    finally:
        if not keep:
            await on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _asyncpg_args(url: URL) -> dict[str, Any]:
    # the local stack's superuser connects over the socket directory given as `host` in the query
    query = {key: str(value) for key, value in url.query.items()}
    return {
        "user": url.username,
        "password": url.password,
        "database": url.database,
        "host": query.get("host", url.host),
        "port": int(query.get("port", url.port or 5432)),
    }
