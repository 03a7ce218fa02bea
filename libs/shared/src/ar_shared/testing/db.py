"""Database helpers for tests: migrations and one rolled-back transaction per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.db import build_sessionmaker

_migrated: set[tuple[str, str]] = set()


def alembic_config(service_dir: Path, url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def migrate(service_dir: Path, owner_url: str) -> None:
    """`alembic upgrade head` as the schema owner, once per test session and service."""
    key = (str(service_dir), owner_url)
    if key in _migrated:
        return
    # env.py runs its own event loop: keep it off ours
    await asyncio.to_thread(command.upgrade, alembic_config(service_dir, owner_url), "head")
    _migrated.add(key)


@asynccontextmanager
async def rolled_back_sessionmaker(
    engine: AsyncEngine, clock: Clock = SYSTEM_CLOCK
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker whose commits are savepoints inside one transaction rolled back at the end.

    Everything a test writes through it disappears afterwards, without truncating tables.
    """
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            # the apps' own session pattern, joined to the test's transaction through savepoints
            maker = build_sessionmaker(conn, clock)
            maker.configure(join_transaction_mode="create_savepoint")
            yield maker
        finally:
            await transaction.rollback()
