"""Schemathesis against every service's real API on the real stack, with seeded data.

The four services run as real uvicorn servers on loopback (with their workers, so the ledger's
seeded customers reach credit, collections and notifications over Kafka). Schemathesis runs its
examples, coverage and fuzzing phases with every check against each OpenAPI document; seeded
ids are offered as dictionary values so requests reach real accounts, not only 404s. A test
fails on any 5xx, any error that is not problem+json and any response breaking its schema.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.consumers import handlers as collections_handlers
from ar_collections.main import create_app as collections_app
from ar_collections.models import plumbing as collections_plumbing
from ar_credit.config import CreditSettings
from ar_credit.consumers import handlers as credit_handlers
from ar_credit.main import create_app as credit_app
from ar_credit.models import plumbing as credit_plumbing
from ar_ledger.config import LedgerSettings
from ar_ledger.consumers import handlers as ledger_handlers
from ar_ledger.main import create_app as ledger_app
from ar_ledger.models import plumbing as ledger_plumbing
from ar_notifications.config import NotificationsSettings
from ar_notifications.consumers import handlers as notifications_handlers
from ar_notifications.main import create_app as notifications_app
from ar_notifications.models import plumbing as notifications_plumbing
from ar_shared.auth import mint_token
from ar_shared.provisioning import SERVICES
from ar_shared.settings import ServiceSettings
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.db import migrate
from ar_shared.testing.stack import REPO_ROOT, Stack, scratch_database
from ar_shared.worker import run_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Per operation and phase: enough to find what the suite found by hand, within ~1 min per service.
MAX_EXAMPLES = int(os.environ.get("AR_FUZZ_MAX_EXAMPLES", "40"))
# which services' APIs to fuzz (comma-separated): `make test` shares them between its two pytest
# processes so that neither waits for the other
FUZZED = os.environ.get("AR_FUZZ_SERVICES", "ledger,credit,collections,notifications").split(",")
SEED = int(os.environ.get("AR_FUZZ_SEED", "20261202"))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    name: str
    url: str
    app: FastAPI


@dataclass
class Seeded:
    """Ids of real records, offered to schemathesis as values for matching parameters."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)


async def serve(app: FastAPI) -> tuple[str, uvicorn.Server, asyncio.Task[None]]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, task


def token(settings: ServiceSettings, *scopes: str) -> str:
    return mint_token(settings.auth, "fuzzer", scopes, ttl_seconds=3600, clock=TEST_CLOCK)


SCOPES = {
    "ledger": ("ledger:read", "ledger:write", "admin"),
    "credit": ("credit:check", "credit:manage"),
    "collections": ("collections:work", "collections:manage"),
    "notifications": ("notifications:manage",),
}


@pytest.fixture(scope="module")
async def fuzz_stack(stack: Stack) -> AsyncIterator[Stack]:
    """A database of the fuzzer's own: what it commits never reaches the shared test database."""
    async with scratch_database(stack, "fuzz") as scratch:
        for service in SERVICES:
            await migrate(REPO_ROOT / "services" / service, scratch.url(service, "owner"))
        yield scratch


@pytest.fixture(scope="module")
async def platform(fuzz_stack: Stack) -> AsyncIterator[tuple[dict[str, Service], Seeded]]:
    stack = fuzz_stack
    prefix = f"fz{os.getpid()}x{free_port()}."
    common: dict[str, Any] = {
        "environment": "test",
        "kafka_bootstrap_servers": stack.kafka_bootstrap,
        "kafka_topic_prefix": prefix,
        "consumer_retry_backoff_seconds": 0.05,
        "log_level": "WARNING",  # schemathesis sends thousands of requests
    }

    def url(service: str) -> SecretStr:
        return SecretStr(stack.url(service, "app"))

    settings: dict[str, ServiceSettings] = {
        "ledger": LedgerSettings(database_url=url("ledger"), **common),
        "credit": CreditSettings(database_url=url("credit"), **common),
        "collections": CollectionsSettings(database_url=url("collections"), **common),
        "notifications": NotificationsSettings(
            database_url=url("notifications"), smtp_port=free_port(), **common
        ),
    }
    factories: dict[str, Callable[..., FastAPI]] = {
        "ledger": ledger_app,
        "credit": credit_app,
        "collections": collections_app,
        "notifications": notifications_app,
    }
    workers = {
        "ledger": (ledger_plumbing, ledger_handlers),
        "credit": (credit_plumbing, credit_handlers),
        "collections": (collections_plumbing, collections_handlers),
        "notifications": (notifications_plumbing, notifications_handlers),
    }
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_worker(settings[name], plumbing, handlers, stop=stop, clock=TEST_CLOCK))
        for name, (plumbing, handlers) in workers.items()
    ]
    services: dict[str, Service] = {}
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    try:
        for name, factory in factories.items():
            app = factory(settings[name], TEST_CLOCK)
            base, server, task = await serve(app)
            services[name] = Service(name, base, app)
            servers.append((server, task))
        seeded = await seed(services, settings)
        yield services, seeded
    finally:
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in servers), return_exceptions=True)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def arrived(probe: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """Repeats `probe` while it answers 404: the record is still on its way over Kafka."""
    async with asyncio.timeout(60):
        while True:
            response = await probe()
            if response.status_code != 404:
                return response
            await asyncio.sleep(0.2)


async def seed(services: dict[str, Service], settings: dict[str, ServiceSettings]) -> Seeded:
    """A small book: customers with current and overdue invoices, payments, a memo, profiles."""
    seeded = Seeded()
    today = TEST_CLOCK.now().date()
    ledger_auth = {"Authorization": f"Bearer {token(settings['ledger'], 'ledger:read', 'ledger:write')}"}
    credit_auth = {"Authorization": f"Bearer {token(settings['credit'], 'credit:manage', 'credit:check')}"}
    async with httpx.AsyncClient(base_url=services["ledger"].url, headers=ledger_auth) as ledger:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await ledger.post(path, json=body)
            assert response.status_code in {200, 201}, response.text
            return dict(response.json())

        for n in range(3):
            external_id = f"FZ-{os.getpid()}-{n}"
            customer = await ledger.put(
                f"/v1/customers/external/{external_id}",
                json={
                    "name": f"Fuzz Customer {n}",
                    "currency": "EUR",
                    "payment_terms_days": 30,
                    "business_entity": "DE01",
                    "contact_email": f"ap{n}@customer.example",
                },
            )
            assert customer.status_code in {200, 201}, customer.text
            customer_id = customer.json()["id"]
            seeded.add("customer_id", customer_id)
            seeded.add("external_id", external_id)
            for k, days_ago in enumerate((90, 10)):
                invoice = await post(
                    "/v1/invoices",
                    {
                        "customer_id": customer_id,
                        "invoice_number": f"{external_id}-INV-{k}",
                        "issue_date": str(today.fromordinal(today.toordinal() - days_ago - 30)),
                        "amount": {"amount": "1000.00", "currency": "EUR"},
                    },
                )
                seeded.add("invoice_id", invoice["id"])
            payment = await post(
                "/v1/payments",
                {
                    "customer_id": customer_id,
                    "amount": {"amount": "400.00", "currency": "EUR"},
                    "received_on": str(today),
                    "remittance_reference": f"{external_id}-INV-0",
                },
            )
            seeded.add("payment_id", payment["id"])
            for application in payment.get("applications", []):
                seeded.add("application_id", application["id"])
            memo = await post(
                "/v1/credit-memos",
                {
                    "customer_id": customer_id,
                    "memo_number": f"{external_id}-CM",
                    "issue_date": str(today),
                    "amount": {"amount": "50.00", "currency": "EUR"},
                },
            )
            seeded.add("memo_id", memo["id"])

    async with httpx.AsyncClient(base_url=services["credit"].url, headers=credit_auth) as credit:
        profile = {
            "credit_limit": {"amount": "5000.00", "currency": "EUR"},
            "risk_class": "medium",
            "reason": "seeded for fuzzing",
        }
        for customer_id in seeded.values["customer_id"]:
            # a customer still on its way over Kafka keeps the profile pending (202) until it arrives
            response = await credit.put(f"/v1/credit-profiles/{customer_id}", json=profile)
            assert response.status_code in {200, 201, 202}, response.text
            attached = await arrived(partial(credit.get, f"/v1/credit-profiles/{customer_id}"))
            assert attached.status_code == 200, attached.text
            hold = await credit.post(
                "/v1/holds", json={"customer_id": customer_id, "reason_code": "fraud_suspected"}
            )
            assert hold.status_code == 201, hold.text
            seeded.add("hold_id", hold.json()["id"])

    collections_auth = {"Authorization": f"Bearer {token(settings['collections'], 'collections:manage')}"}
    async with httpx.AsyncClient(base_url=services["collections"].url, headers=collections_auth) as c:
        for customer_id in seeded.values["customer_id"]:
            await arrived(partial(c.get, f"/v1/accounts/{customer_id}/activities"))
        await seed_collections(c, seeded, today)
    return seeded


async def seed_collections(c: httpx.AsyncClient, seeded: Seeded, today: Any) -> None:
    """The fuzzer works the seeded accounts: its own collector record, team, portfolio, rules, tasks."""

    async def created(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code in {200, 201}, response.text
        return dict(response.json())

    await created(await c.put("/v1/collectors/fuzzer", json={"display_name": "Fuzzer", "role": "manager"}))
    seeded.add("subject", "fuzzer")
    team = await created(
        await c.post("/v1/teams", json={"name": f"Fuzz team {os.getpid()}", "manager": "fuzzer"})
    )
    seeded.add("team_id", team["id"])
    portfolio = await created(await c.post("/v1/portfolios", json={"name": "Fuzz", "collector": "fuzzer"}))
    seeded.add("portfolio_id", portfolio["id"])
    rule = {"name": "DE01", "portfolio_id": portfolio["id"], "priority": 100, "business_entity": "DE01"}
    seeded.add("rule_id", (await created(await c.post("/v1/assignment-rules", json=rule)))["id"])
    sla = {"code": "fuzz_call_7", "name": "Call within 7 days", "within_days": 7, "action_kind": "call"}
    seeded.add("rule_id", (await created(await c.post("/v1/sla-rules", json=sla)))["id"])
    for customer_id in seeded.values["customer_id"]:
        move = {"portfolio_id": portfolio["id"], "reason": "seeded for fuzzing"}
        await created(await c.post(f"/v1/accounts/{customer_id}/assignment", json=move))
        task = {"kind": "call", "title": "Call about the overdue invoice", "due_on": str(today)}
        seeded.add(
            "task_id", (await created(await c.post(f"/v1/accounts/{customer_id}/tasks", json=task)))["id"]
        )
    seeded.add("code", "reached")
    seeded.add("code", "awaiting_po")
    await seed_dunning(c, seeded, today, created)


async def seed_dunning(
    c: httpx.AsyncClient,
    seeded: Seeded,
    today: Any,
    created: Callable[[httpx.Response], Awaitable[dict[str, Any]]],
) -> None:
    """A strategy, its segment, a pause and a strategy run, so their routes' paths resolve."""
    steps = [
        {"days": 3, "action": "email_reminder", "template_key": "first_reminder"},
        {"days": 10, "action": "call_task"},
    ]
    strategy = await created(await c.post("/v1/dunning-strategies", json={"name": "fuzz", "steps": steps}))
    seeded.add("strategy", strategy["name"])
    seeded.add("version", str(strategy["version"]))
    segment = {"name": "DE01", "strategy": "fuzz", "priority": 100, "business_entity": "DE01"}
    seeded.add("segment_id", (await created(await c.post("/v1/strategy-segments", json=segment)))["id"])
    customer_id, invoice_id = seeded.values["customer_id"][0], seeded.values["invoice_id"][0]
    ends_on = today.fromordinal(today.toordinal() + 30)
    pause = {"invoice_ids": [invoice_id], "reason": "promise", "ends_on": str(ends_on)}
    async with asyncio.timeout(60):
        # 422 while the invoice is still on its way over Kafka
        while True:
            response = await c.post(f"/v1/accounts/{customer_id}/dunning-pauses", json=pause)
            if response.status_code != 422:
                break
            await asyncio.sleep(0.2)
    assert response.status_code == 201, response.text
    seeded.add("pause_id", response.json()[0]["id"])
    run = await created(
        await c.post("/v1/strategy-runs", json={"business_entity": "DE01", "as_of": str(today)})
    )
    seeded.add("run_id", run["id"])


# path or query parameter name -> the seeded values it is offered
BINDINGS = {
    "customer_id": "customer_id",
    "external_id": "external_id",
    "invoice_id": "invoice_id",
    "payment_id": "payment_id",
    "application_id": "application_id",
    "memo_id": "memo_id",
    "hold_id": "hold_id",
    "portfolio_id": "portfolio_id",
    "rule_id": "rule_id",
    "task_id": "task_id",
    "team_id": "team_id",
    "subject": "subject",
    "collector": "subject",
    "code": "code",
    "segment_id": "segment_id",
    "pause_id": "pause_id",
    "run_id": "run_id",
    "version": "version",
    "strategy": "strategy",
}


# what broke the platform before: NUL bytes, control characters, the ends of the calendar,
# amounts and numbers beyond BIGINT, forged cursors
HOSTILE_STRINGS: list[str | int | float] = [
    "\u0000", "A\u0000B", "%00", "\u001b[31m", "\r\n", "0001-01-01", "9999-12-31",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0", "-1", "1e309", "NaN",
    "Infinity", "92233720368547758.07", "999999999999999999999999.99", "-0.00",
    "WyJ4Il0", "WzEsMiwzXQ", "W251bGxd", "eyJhIjoxfQ", "WyIyMDI2LTAxLTAxIiwxXQ",
]  # fmt: skip
HOSTILE_NUMBERS: list[str | int | float] = [
    0, -1, 2**31, 2**63 - 1, 2**63, -(2**63), 2**64, 10**20, 1e308, -1e308, 0.1,
]  # fmt: skip


def config_toml(service: Service, seeded: Seeded, bearer: str) -> str:
    lines = [
        f'base-url = "{service.url}"',
        f"seed = {SEED}",
        # the date-range patterns and amounts make hypothesis discard many draws: a cost of
        # generation, not a fault of the API
        'suppress-health-check = ["filter_too_much"]',
        # every run starts from the same seed and nothing else: no failures replayed from a cache
        "[cache]",
        "enabled = false",
        "[headers]",
        f'Authorization = "Bearer {bearer}"',
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "allow-x00 = true",  # NUL bytes in every string: PostgreSQL refuses them in text
        # `--checks all` fails any response slower than 10 s. Here four services and their workers
        # share this process, beside schemathesis and the other pytest process, on 2 cores: once
        # in about seven local runs one answer took just over 10 s (a 422 that reads one row), the
        # machine's time rather than the API's. Speed is the benchmarks' to measure; an answer
        # slower than 30 s is a hang, and still fails.
        "[checks]",
        "max_response_time = 30.0",
        # Schema-valid requests may still break a business rule the schema cannot express (an
        # unknown customer, a period that ends before it starts, a cursor this API never
        # issued, an amount with more decimals than its currency has): those answer 422, or
        # 400 for query parameters, as a problem document; approving a limit request one made
        # oneself is 403. Any other refusal is a failure.
        "[checks.positive_data_acceptance]",
        'expected-statuses = ["2xx", 400, 403, 404, 409, 422]',
        # hostile values offered to every string, integer and number besides generated ones
        "[generation.dictionaries]",
        'string = { dictionary = "hostile_strings", probability = 0.15 }',
        'integer = { dictionary = "hostile_numbers", probability = 0.15 }',
        'number = { dictionary = "hostile_numbers", probability = 0.15 }',
        "[phases.examples]",
        "enabled = true",
        "[phases.coverage]",
        "enabled = true",
        "[phases.fuzzing]",
        "enabled = true",
        "[phases.stateful]",
        "enabled = false",
    ]
    hostile = {"hostile_strings": HOSTILE_STRINGS, "hostile_numbers": HOSTILE_NUMBERS}
    for name, values in (seeded.values | hostile).items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}"]
    lines.append("[parameters]")
    for parameter, dictionary in BINDINGS.items():
        if dictionary in seeded.values:
            for location in ("path", "query", "body"):
                lines.append(
                    f'"{location}.{parameter}" = {{ dictionary = "{dictionary}", probability = 0.7 }}'
                )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FuzzResult:
    exit_code: int
    cases: int
    failures: dict[str, int]
    output: str


async def run_schemathesis(service: Service, seeded: Seeded, bearer: str, work: Path) -> FuzzResult:
    config = work / f"{service.name}.toml"
    config.write_text(config_toml(service, seeded, bearer))
    report = work / f"{service.name}.json"
    process = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{service.url}/openapi.json",
        "--checks",
        "all",
        "--workers",
        "1",
        # the API, not the operational endpoints (readiness answers 503 by design when Kafka is down)
        "--exclude-path-regex",
        "^/(health|metrics)",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        cwd=work,  # whatever schemathesis writes stays out of the checkout
    )
    out, _ = await process.communicate()
    return FuzzResult(process.returncode or 0, *summarise(report), out.decode(errors="replace"))


def summarise(report: Path) -> tuple[int, dict[str, int]]:
    """Cases generated, and failures counted per kind (schemathesis' JSON run report)."""
    if not report.exists():
        return 0, {}
    data = json.loads(report.read_text())
    failures = {f"{f['code']} {f['title']}": int(f["count"]) for f in data.get("failures", [])}
    return int(data["test_cases"]["generated"]), failures


@pytest.mark.parametrize("name", FUZZED)
async def test_schemathesis_finds_no_server_error_or_contract_break(
    platform: tuple[dict[str, Service], Seeded], name: str, tmp_path: Path
) -> None:
    services, seeded = platform
    service = services[name]
    bearer = token(service.app.state.settings, *SCOPES[name])
    result = await run_schemathesis(service, seeded, bearer, tmp_path)
    print(f"\n{name}: {result.cases} cases, failures by check: {result.failures or 'none'}")  # noqa: T201
    assert result.exit_code == 0, result.output[-20000:]
