"""`ar-collections-rebuild`: replays `ledger.events` and `credit.events` from the beginning into a
fresh projection, in one transaction (readers see the old projection until it commits).

Run it with the collections worker stopped after it has caught up (the command checks both, and
refuses otherwise unless `--force`): the events between the worker's committed offsets and the
end would otherwise skip what else they set off. It empties the projected tables (open items,
payments and their applications, credit memos, holds, credit profiles, entity calendars),
upserts every account's ledger data (collections' own columns, assignments, activities, tasks
and reason codes stay), applies every event up to the end offsets it found at the start,
records each in the worker's inbox, runs the assignment rules once over every account, and
finally moves the worker's consumer group to those end offsets, so the worker resumes exactly
after the replay.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_collections.access import SYSTEM_SUBJECT, act_as_system
from ar_collections.calendars import service as calendars
from ar_collections.config import CollectionsSettings, get_settings
from ar_collections.models import (
    CreditHold,
    CreditMemo,
    CreditProfile,
    EntityCalendar,
    ItemMovement,
    OpenItem,
    Payment,
    PaymentApplication,
    plumbing,
)
from ar_collections.portfolios import assignment
from ar_collections.projection.apply import PROJECTIONS
from ar_shared.audit.log import SystemActor
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.db import build_engine, build_sessionmaker
from ar_shared.events.envelope import CloudEvent
from ar_shared.events.registry import parse_payload

log = logging.getLogger(__name__)

# emptied and refilled; `accounts` is upserted instead (it also holds collections' own columns)
PROJECTED_TABLES = (
    OpenItem, ItemMovement, Payment, PaymentApplication, CreditMemo, CreditHold, CreditProfile,
    EntityCalendar,
)  # fmt: skip
_PROJECTED_TYPES = {model.event_type(): model for model in PROJECTIONS}


class RebuildRefused(RuntimeError):
    """The worker is running, or has not caught up: the replay would race it or skip reactions."""


@dataclass
class RebuildReport:
    end_offsets: dict[str, int] = field(default_factory=dict)
    events_read: int = 0
    events_applied: int = 0
    accounts_moved: int = 0


def consumer_group(settings: CollectionsSettings) -> str:
    # the worker's group (ar_shared.worker.run_worker names it the same way)
    return f"{settings.kafka_topic_prefix}ar-{settings.service_name}"


def topics(settings: CollectionsSettings) -> list[str]:
    return sorted({settings.kafka_topic_prefix + model.topic() for model in PROJECTIONS})


async def _partitions(settings: CollectionsSettings) -> list[TopicPartition]:
    """Every partition of the topics the projection follows (a topic not created yet has none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(topics(settings))
    finally:
        await admin.close()
    return sorted(
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if not t["error_code"]
        for p in t["partitions"]
    )


async def _check_worker(
    settings: CollectionsSettings, group: str, ends: dict[TopicPartition, int], force: bool
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_consumer_groups([group])
        members = sum(len(g[5]) for response in described for g in response.groups if g[1] == group)
        committed = await admin.list_consumer_group_offsets(group, partitions=list(ends))
    finally:
        await admin.close()
    behind = {
        f"{tp.topic}[{tp.partition}]": (committed[tp].offset if tp in committed else -1, end)
        for tp, end in ends.items()
        if end > 0 and (tp not in committed or committed[tp].offset < end)
    }
    if force:
        return
    if members:
        raise RebuildRefused(
            f"the consumer group {group} has {members} member(s): stop the collections worker first"
        )
    if behind:
        raise RebuildRefused(
            f"the worker has not caught up ({behind}, committed vs end): let it finish, or pass --force"
        )


async def _apply_batch(session: AsyncSession, group: str, records: list[Any], report: RebuildReport) -> None:
    inbox: list[dict[str, Any]] = []
    for record in records:
        report.events_read += 1
        try:
            event = CloudEvent.from_json_bytes(record.value or b"")
        except (ValidationError, ValueError):
            continue  # the worker dead-lettered it: so does the replay
        model = _PROJECTED_TYPES.get(event.type)
        if model is None:
            continue
        try:
            payload = parse_payload(event)
        except (ValidationError, ValueError, LookupError):
            continue
        await PROJECTIONS[model](session, payload)
        report.events_applied += 1
        inbox.append(
            {
                "consumer_group": group,
                "event_id": event.id,
                "event_type": event.type,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            }
        )
    if inbox:
        await session.execute(insert(plumbing.inbox).on_conflict_do_nothing(), inbox)
    await session.flush()
    session.expunge_all()  # a replay of millions of events keeps no objects around


async def rebuild(
    settings: CollectionsSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock = SYSTEM_CLOCK,
    *,
    force: bool = False,
    batch_size: int = 5000,
) -> RebuildReport:
    group = consumer_group(settings)
    report = RebuildReport()
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        client_id=f"{settings.kafka_client_id}-rebuild",
    )
    await reader.start()
    try:
        partitions = await _partitions(settings)
        ends: dict[TopicPartition, int] = await reader.end_offsets(partitions) if partitions else {}
        report.end_offsets = {f"{tp.topic}[{tp.partition}]": end for tp, end in ends.items()}
        await _check_worker(settings, group, ends, force)
        pending = {tp for tp, end in ends.items() if end > 0}
        if pending:
            reader.assign(list(pending))
            await reader.seek_to_beginning(*pending)
        async with sessionmaker() as session, session.begin():
            await act_as_system(session)
            for table in PROJECTED_TABLES:
                await session.execute(delete(table))
            while pending:
                fetched = await reader.getmany(*pending, timeout_ms=1000, max_records=batch_size)
                records = [r for tp, rs in fetched.items() for r in rs if r.offset < ends[tp]]
                await _apply_batch(session, group, records, report)
                for tp in list(pending):
                    if await reader.position(tp) >= ends[tp]:
                        pending.discard(tp)
                        reader.pause(tp)
            known = await calendars.load(session, clock, settings.business_time_zone)
            _, moves = await assignment.reassess(
                session, None, actor=SystemActor(SYSTEM_SUBJECT), today=known.today
            )
            report.accounts_moved = len(moves)
    finally:
        await reader.stop()
    await _move_group(settings, group, ends)
    return report


async def _move_group(settings: CollectionsSettings, group: str, ends: dict[TopicPartition, int]) -> None:
    """After the projection committed: the worker resumes at the offsets the replay ended at."""
    if not ends:
        return
    committer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await committer.start()
    try:
        committer.assign(list(ends))
        await committer.commit(dict(ends))
    finally:
        await committer.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ar-collections-rebuild", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild even if the worker runs or has not caught up (not advised)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()

    async def run() -> RebuildReport:
        engine = build_engine(settings)
        try:
            return await rebuild(settings, build_sessionmaker(engine), force=args.force)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except RebuildRefused as refused:
        sys.stderr.write(f"refused: {refused}\n")
        raise SystemExit(2) from None
    sys.stdout.write(
        f"replayed {report.events_read} events ({report.events_applied} applied) up to {report.end_offsets}; "
        f"{report.accounts_moved} account(s) moved by the rules\n"
    )
