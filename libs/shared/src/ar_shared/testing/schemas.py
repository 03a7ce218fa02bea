"""Throwaway schemas with the plumbing tables, standing in for services in plumbing tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, Table, Text, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ar_shared.plumbing import PlumbingTables, add_plumbing_tables, plumbing_ddl


@dataclass
class ServiceSchema:
    """A schema standing in for one service: plumbing tables plus an `effects` table."""

    name: str
    tables: PlumbingTables
    effects: Table
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    async def effect_count(self, key: str | None = None) -> int:
        query = f"SELECT count(*) FROM {self.name}.effects"  # noqa: S608 - schema is ours
        params = {}
        if key is not None:
            query += " WHERE key = :key"
            params["key"] = key
        async with self.engine.connect() as conn:
            return int((await conn.execute(text(query), params)).scalar_one())


async def make_schema(engine: AsyncEngine, label: str) -> ServiceSchema:
    name = f"t_{label}_{uuid.uuid4().hex[:8]}"
    metadata = MetaData(schema=name)
    tables = add_plumbing_tables(metadata)
    effects = Table("effects", metadata, Column("id", Integer, primary_key=True), Column("key", Text))
    async with engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {name}"))
        await conn.run_sync(metadata.create_all)
        await conn.execute(text(f"CREATE ROLE {name}_app"))
        for statement in plumbing_ddl(name, f"{name}_app"):
            await conn.execute(text(statement))
    return ServiceSchema(name, tables, effects, engine, async_sessionmaker(engine, expire_on_commit=False))


async def drop_schema(engine: AsyncEngine, schema: ServiceSchema) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {schema.name} CASCADE"))
        await conn.execute(text(f"DROP ROLE {schema.name}_app"))
