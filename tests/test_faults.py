"""The platform under faults: each test runs a steady load of postings through the ledger's API,
does one thing operators dread, and ends with the oracle's report (`ar_shared.testing.oracle`).

One platform (all four services, API and worker each, as `make up` runs them) serves every test of
this file: the oracle is cumulative, so what one fault broke the next report still shows. Each
test prints the oracle's counts and asserts nothing is lost, doubled or left behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError

from ar_collections.consumers import handlers as collections_handlers
from ar_credit.consumers import handlers as credit_handlers
from ar_ledger.consumers import handlers as ledger_handlers
from ar_notifications.consumers import handlers as notifications_handlers
from ar_shared.consumer import EventHandlers
from ar_shared.events.registry import EVENT_TYPES
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.kafka import read_topic
from ar_shared.testing.load import PostingLoad
from ar_shared.testing.oracle import OracleReport, settle
from ar_shared.testing.platform import ALL_SERVICES, Platform, running_platform
from ar_shared.testing.stack import REPO_ROOT, Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HANDLERS: dict[str, EventHandlers] = {
    "ledger": ledger_handlers,
    "credit": credit_handlers,
    "collections": collections_handlers,
    "notifications": notifications_handlers,
}
# how long each test keeps the load running around its fault
LOAD_SECONDS = float(os.environ.get("AR_FAULT_LOAD_SECONDS", "6"))


@dataclass
class Rig:
    platform: Platform
    load: PostingLoad

    @property
    def consumes(self) -> dict[str, set[str]]:
        return {s: {t for t in EVENT_TYPES if h.get(t) is not None} for s, h in HANDLERS.items()}

    def topic(self, name: str) -> str:
        return self.platform.topic_prefix + name

    async def oracle(self, fault: str) -> OracleReport:
        report = await settle(self.platform.stack.admin_url, self.load.sent, self.consumes, deadline=90)
        print(f"\noracle after {fault}: {report}")  # noqa: T201 - the report is the test's output
        return report

    async def under_load(self, fault: Callable[[], Awaitable[object]], seconds: float = LOAD_SECONDS) -> None:
        """The fault in the middle of `seconds` of steady load."""
        async with self.load.running() as ended:
            await asyncio.sleep(seconds / 2)
            before = ended()
            await fault()
            await asyncio.sleep(seconds / 2)
            assert ended() > before, "no request ended after the fault"


@pytest.fixture(scope="module")
async def rig(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    local_dir = tmp_path_factory.mktemp("faults")
    async with (
        running_platform(stack, local_dir, uuid.uuid4().hex[:10]) as platform,
        platform.client("ledger", "ledger:write", "ledger:read", subject="erp-faults") as client,
    ):
        load = PostingLoad(client, [f"FT-C{n}" for n in range(12)], TEST_CLOCK.now().date())
        await load.setup()
        yield Rig(platform, load)


def deploy(script: str, action: str) -> None:
    """`deploy/<script> <action>` on the stack the AR_* variables name (the tests' own)."""
    subprocess.run([str(REPO_ROOT / "deploy" / script), action], check=True, capture_output=True, timeout=180)


async def start_broker(bootstrap: str, timeout: float = 240) -> None:
    """`deploy/kafka.sh start`, then until the broker answers: after a SIGKILL it recovers its
    logs first, which on a busy machine can outlast the script's own 60 s wait (the broker it
    started keeps starting)."""
    try:
        await asyncio.to_thread(deploy, "kafka.sh", "start")
    except subprocess.CalledProcessError as failed:
        print(f"\nkafka.sh start: {failed.stderr.decode(errors='replace')[-300:]}")  # noqa: T201
    async with asyncio.timeout(timeout):
        while True:
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
            try:
                await producer.start()
                return
            except KafkaError:
                await asyncio.sleep(1)
            finally:
                await producer.stop()


def local_only(stack: Stack) -> None:
    if stack.kind != "local":
        pytest.skip("restarts the local PostgreSQL / Kafka of deploy/*.sh; AR_TEST_STACK is not 'local'")


async def test_kafka_broker_killed_and_restarted_loses_and_doubles_nothing(rig: Rig, stack: Stack) -> None:
    local_only(stack)
    local_dir = Path(os.environ.get("AR_LOCAL_DIR", REPO_ROOT / ".local"))

    async def kill_broker() -> None:
        os.kill(int((local_dir / "kafka" / "broker.pid").read_text()), signal.SIGKILL)
        await asyncio.sleep(2)  # the relays and consumers find it gone; postings go on
        await start_broker(rig.platform.stack.kafka_bootstrap)

    await rig.under_load(kill_broker)
    report = await rig.oracle("the Kafka broker was killed (SIGKILL) and restarted")
    assert report.clean, str(report)


async def test_postgresql_restarted_loses_and_doubles_nothing(rig: Rig, stack: Stack) -> None:
    local_only(stack)

    async def restart_postgres() -> None:
        await asyncio.to_thread(deploy, "postgres.sh", "stop")
        await asyncio.sleep(1)
        await asyncio.to_thread(deploy, "postgres.sh", "start")
        await rig.platform.ready()

    await rig.under_load(restart_postgres)
    report = await rig.oracle("PostgreSQL was restarted")
    assert report.clean, str(report)


async def test_ledger_api_killed_mid_bulk_import_the_retried_import_lands_once(rig: Rig) -> None:
    async def kill_mid_import() -> None:
        importing = asyncio.create_task(rig.load.bulk(size=3000))
        await asyncio.sleep(0.5)
        pid = await rig.platform.kill("ledger", "api")
        await rig.platform.replaced("ledger", "api", pid)
        sent = await importing
        print(f"\nbulk import of 3000: {sent.outcome} {sent.status} after {sent.attempts} attempts")  # noqa: T201
        assert sent.outcome == "ok"
        assert len(sent.document_ids) == 3000

    await rig.under_load(kill_mid_import)
    report = await rig.oracle("the ledger API was killed mid bulk import")
    assert report.clean, str(report)


async def test_workers_killed_mid_consumption_apply_every_event_once(rig: Rig) -> None:
    async def kill_workers() -> None:
        await rig.load.bulk(size=2000)  # thousands of events for the consumers to chew on
        await asyncio.sleep(0.3)
        pids = {s: await rig.platform.kill(s, "worker") for s in ("credit", "collections")}
        for service, pid in pids.items():
            await rig.platform.replaced(service, "worker", pid)

    await rig.under_load(kill_workers)
    report = await rig.oracle("the credit and collections workers were killed mid consumption")
    assert report.clean, str(report)


async def duplicates_seen(rig: Rig, service: str) -> float:
    """What the service's worker counted as redelivered (`ar_events_consumed_total`, duplicate)."""
    port = rig.platform.worker_metrics_ports[service]
    async with httpx.AsyncClient(timeout=10) as client:
        metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("ar_events_consumed_total{") and 'outcome="duplicate"' in line
    )


async def test_events_delivered_twice_take_effect_once(rig: Rig) -> None:
    readers = ("credit", "collections")
    before = {s: await duplicates_seen(rig, s) for s in readers}
    again: list[ConsumerRecord[bytes, bytes]] = []

    async def deliver_again() -> None:
        topic = rig.topic("ledger.events")
        bootstrap = rig.platform.stack.kafka_bootstrap
        again.extend((await read_topic(bootstrap, topic, expected=200, timeout=60))[:500])
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            for record in again:
                await producer.send(topic, value=record.value, key=record.key, headers=list(record.headers))
            await producer.flush()
        finally:
            await producer.stop()

    await rig.under_load(deliver_again)
    report = await rig.oracle(f"{len(again)} ledger events were delivered twice")
    assert again
    assert report.clean, str(report)
    for service in readers:
        handled = sum(1 for r in again if HANDLERS[service].get(dict(r.headers)["ce_type"].decode()))
        seen = await duplicates_seen(rig, service) - before[service]
        print(f"{service}: {handled} of them handled, {seen:.0f} recognised as duplicates")  # noqa: T201
        assert seen >= handled > 0


async def test_poison_events_are_dead_lettered_and_the_rest_flows(rig: Rig) -> None:
    # keyed as a customer under load: its partition must keep flowing past the poison
    answer = await rig.load.client.get(f"/v1/customers/external/{rig.load.customers[0]}")
    customer = answer.raise_for_status().json()["id"]
    poison = [
        b"{this is not json",
        json.dumps(
            {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "ar.ledger.InvoiceIssued.v1",
             "source": "/fault-test", "subject": str(customer), "data": {"invoice_number": 42}}
        ).encode(),
    ]  # fmt: skip
    # each group that reads the topic dead-letters what it cannot parse and what it handles but
    # cannot read; a type it does not handle it skips
    expected = {
        s: [b"{this is not json", *([poison[1]] if h.get("ar.ledger.InvoiceIssued.v1") else [])]
        for s, h in HANDLERS.items()
        if "ledger.events" in h.topics()
    }

    async def send_poison() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=rig.platform.stack.kafka_bootstrap)
        await producer.start()
        try:
            for value in poison:
                await producer.send_and_wait(
                    rig.topic("ledger.events"), value=value, key=str(customer).encode()
                )
        finally:
            await producer.stop()

    await rig.under_load(send_poison)
    for service, dead_letters in expected.items():
        dead = await read_topic(
            rig.platform.stack.kafka_bootstrap,
            f"deadletter.{rig.platform.topic_prefix}ar-{service}",
            expected=len(dead_letters),
            timeout=60,
        )
        assert sorted(r.value for r in dead) == sorted(dead_letters), service
        assert all(dict(r.headers).get("dlt.error.type") for r in dead)
    report = await rig.oracle(
        f"{len(poison)} poison events on the ledger topic ({', '.join(expected)} read it)"
    )
    assert report.clean, str(report)


async def test_concurrent_requests_with_one_idempotency_key_have_one_effect_and_one_answer(rig: Rig) -> None:
    load = rig.load
    number = f"FT-SAME-{uuid.uuid4().hex[:8]}"
    body = {**load.invoice_body(f"{load.run}-0", load.customers[0], 4_242), "invoice_number": number}
    key = str(uuid.uuid4())

    async def same_request_eight_times() -> None:
        answers = await asyncio.gather(
            *(load.send("invoice", "/v1/invoices", body, (number,), key=key) for _ in range(8))
        )
        attempts = [a.attempts for a in answers]
        print(f"\nsame key x8: statuses {[a.status for a in answers]}, attempts {attempts}")  # noqa: T201
        assert {a.outcome for a in answers} == {"ok"}
        assert len({a.document_ids for a in answers}) == 1

    await rig.under_load(same_request_eight_times)
    report = await rig.oracle("8 concurrent requests with one Idempotency-Key")
    assert report.clean, str(report)


async def test_rolling_restart_of_every_service_loses_and_doubles_nothing(rig: Rig) -> None:
    async def rolling_restart() -> None:
        for service in ALL_SERVICES:
            await rig.platform.restart(service)

    await rig.under_load(rolling_restart)
    report = await rig.oracle("a rolling restart of every service")
    assert report.clean, str(report)
