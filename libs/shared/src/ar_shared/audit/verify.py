"""Verifies every audit hash chain of a schema: `ar-audit-verify --schema ledger`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field

from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from ar_shared.audit.log import GENESIS, hashed_fields, record_hash
from ar_shared.plumbing import add_plumbing_tables


@dataclass
class ChainReport:
    records: int = 0
    chains: int = 0
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


async def verify_chains(conn: AsyncConnection, schema: str) -> ChainReport:
    """Recomputes each record's hash and checks every link and sequence number."""
    t = add_plumbing_tables(MetaData(schema=schema)).audit_log
    report = ChainReport()
    subject: tuple[str, str] | None = None
    prev_hash, expected_seq = GENESIS, 1
    result = await conn.stream(select(t).order_by(t.c.entity_type, t.c.entity_id, t.c.chain_seq))
    async for row in result:
        if (row.entity_type, row.entity_id) != subject:
            subject = (row.entity_type, row.entity_id)
            prev_hash, expected_seq = GENESIS, 1
            report.chains += 1
        report.records += 1
        where = f"{row.entity_type}:{row.entity_id} #{row.chain_seq} (seq {row.seq})"
        if row.chain_seq != expected_seq:
            report.broken.append(f"{where}: expected chain position {expected_seq} (record missing)")
        if bytes(row.prev_hash) != prev_hash:
            report.broken.append(f"{where}: does not link to the previous record")
        if record_hash(bytes(row.prev_hash), hashed_fields(row)) != bytes(row.hash):
            report.broken.append(f"{where}: content does not match its hash (modified)")
        prev_hash, expected_seq = bytes(row.hash), row.chain_seq + 1
    return report


async def _main(url: str, schema: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            report = await verify_chains(conn, schema)
    finally:
        await engine.dispose()
    print(f"{schema}: {report.records} audit records in {report.chains} chains")  # noqa: T201
    for problem in report.broken:
        print(f"BROKEN {problem}")  # noqa: T201
    return 0 if report.ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", required=True, help="service schema, e.g. ledger")
    parser.add_argument(
        "--database-url", required=True, help="SQLAlchemy URL of a role that can read the schema"
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(_main(args.database_url, args.schema)))
