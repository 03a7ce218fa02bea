"""Ledger benchmarks: bulk and single invoice ingestion, and aging over a large book.

Ratios against baselines measured in the same run:
- bulk ingestion (API, 10,000 invoices per request) vs raw asyncpg COPY of the same invoice rows
  (and, for information, vs COPY of every row the ledger writes for them);
- single-invoice POST vs a plain endpoint, served the same way, that inserts the invoice and an
  outbox row with asyncpg (and, for information, the same two inserts without HTTP);
- aging through the API vs the raw SQL aggregate over the same invoices.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
from fastapi import Body, FastAPI
from harness import admin_dsn, bench_database, ledger_in_process, rate, timed, write_results

from ar_shared.db import asyncpg_dsn
from ar_shared.testing.stack import local_stack

# a database of its own (ar_<name>), dropped at the end; AR_BENCH_DATABASE keeps parallel runs apart
DATABASE = os.environ.get("AR_BENCH_DATABASE", "bench")
TODAY = date(2026, 11, 24)


async def add_customers(conn: asyncpg.Connection, count: int, entity: str) -> list[tuple[uuid.UUID, str]]:
    rows = [
        (uuid.uuid4(), f"{entity}-C{n}", f"Customer {n}", "EUR", 30, entity, "UTC", 1) for n in range(count)
    ]
    await conn.copy_records_to_table(
        "customers",
        schema_name="ledger",
        columns=[
            "id",
            "external_id",
            "name",
            "currency",
            "payment_terms_days",
            "business_entity",
            "time_zone",
            "version",
        ],
        records=rows,
    )
    return [(r[0], r[1]) for r in rows]


async def bench_bulk(
    client: httpx.AsyncClient, headers: dict[str, str], conn: asyncpg.Connection, total: int
) -> dict[str, Any]:
    customers = await add_customers(conn, 200, "BULK")
    batch = 10_000
    requests = max(1, total // batch)

    def body(prefix: str) -> dict[str, Any]:
        return {
            "items": [
                {
                    "customer_external_id": customers[n % len(customers)][1],
                    "invoice_number": f"{prefix}-{n}",
                    "issue_date": "2026-10-01",
                    "amount": {"amount": f"{100 + n % 900}.{n % 100:02d}", "currency": "EUR"},
                }
                for n in range(batch)
            ]
        }

    bodies = [json.dumps(body(f"API{r}")).encode() for r in range(requests)]

    async def api(payload: bytes) -> None:
        response = await client.post(
            "/v1/invoices/bulk", content=payload, headers=headers | {"content-type": "application/json"}
        )
        assert response.status_code == 201, response.text[:500]

    records = [
        (uuid.uuid4(), customers[n % len(customers)][0], "BULK", f"COPY{r}-{n}", date(2026, 10, 1), date(2026, 10, 31),
         "EUR", (100 + n % 900) * 100 + n % 100, (100 + n % 900) * 100 + n % 100, "open", None, None, 1)
        for r in range(requests) for n in range(batch)
    ]  # fmt: skip

    async def copy(r: int) -> None:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "invoices",
                schema_name="ledger",
                columns=["id", "customer_id", "business_entity", "invoice_number", "issue_date", "due_date", "currency",
                         "amount_minor", "open_minor", "status", "order_reference", "po_number", "version"],
                records=records[r * batch : (r + 1) * batch],
            )  # fmt: skip

    every_row = every_row_records(customers, requests, batch)

    async def copy_every_row(r: int) -> None:
        async with conn.transaction():
            for table, columns, rows in every_row:
                await conn.copy_records_to_table(
                    table, schema_name="ledger", columns=columns, records=rows[r]
                )

    await api(json.dumps(body("WARM")).encode())  # prepared statements, caches
    # interleaved, one request's worth each, the best of each: the machine's noise hits all alike
    seconds: dict[str, list[float]] = {"api": [], "copy": [], "every_row": []}
    for r in range(requests):
        seconds["api"].append(await timed(partial(api, bodies[r])))
        seconds["copy"].append(await timed(partial(copy, r)))
        seconds["every_row"].append(await timed(partial(copy_every_row, r)))
    api_rate, copy_rate, every_row_rate = (rate(batch, min(seconds[k])) for k in ("api", "copy", "every_row"))
    return {
        "invoices": requests * batch,
        "api_per_second": round(api_rate),
        "copy_per_second": round(copy_rate),
        "ratio_to_copy_of_invoices_alone": round(api_rate / copy_rate, 3),
        "copy_every_row_per_second": round(every_row_rate),
        "ratio": round(api_rate / every_row_rate, 3),
        "goal": ">= 0.6 of the COPY of every row written",
    }


def every_row_records(
    customers: list[tuple[uuid.UUID, str]], requests: int, batch: int
) -> list[tuple[str, list[str], list[list[tuple[Any, ...]]]]]:
    """Per request, what the ledger writes for each invoice, ready for COPY: the invoice, its
    journal entry and two lines, its outbox event and its audit record (realistic JSON sizes)."""
    invoices, entries, lines, events, audits = [], [], [], [], []
    now = datetime.now(UTC)  # a benchmark, not a rule: stamps only
    for r in range(requests):
        inv, ent, lin, evt, aud = [], [], [], [], []
        for n in range(batch):
            invoice_id, entry_id, customer_id = uuid.uuid4(), uuid.uuid4(), customers[n % len(customers)][0]
            minor = (100 + n % 900) * 100 + n % 100
            inv.append((invoice_id, customer_id, "BULK", f"ROWS{r}-{n}", date(2026, 10, 1), date(2026, 10, 31),
                        "EUR", minor, minor, "open", None, None, 1, now))  # fmt: skip
            ent.append((entry_id, customer_id, "invoice_issued", invoice_id, date(2026, 10, 1)))
            lin.append((entry_id, customer_id, invoice_id, "accounts_receivable", "EUR", minor, 0))
            lin.append((entry_id, customer_id, invoice_id, "sales", "EUR", 0, minor))
            data = {
                "invoice_id": str(invoice_id), "customer_id": str(customer_id), "business_entity": "BULK",
                "invoice_number": f"ROWS{r}-{n}", "issue_date": "2026-10-01", "due_date": "2026-10-31",
                "amount": {"amount": f"{minor / 100:.2f}", "currency": "EUR"}, "order_reference": None,
                "po_number": None,
            }  # fmt: skip
            envelope = {
                "specversion": "1.0", "id": str(uuid.uuid4()), "type": "ar.ledger.InvoiceIssued.v1",
                "source": "/ar/ledger", "subject": str(customer_id), "time": now.isoformat(),
                "datacontenttype": "application/json", "data": data, "correlationid": uuid.uuid4().hex,
                "traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
            }  # fmt: skip
            evt.append(
                (uuid.uuid4(), envelope["type"], "ledger.events", str(customer_id), json.dumps(envelope))
            )
            aud.append((now, "bench", ["ledger:read", "ledger:write"], "invoice.issued", "invoice",
                        str(invoice_id), None, json.dumps(data), envelope["correlationid"],
                        envelope["correlationid"], 1, bytes(32), uuid.uuid4().bytes * 2))  # fmt: skip
        invoices.append(inv)
        entries.append(ent)
        lines.append(lin)
        events.append(evt)
        audits.append(aud)
    return [
        ("invoices", ["id", "customer_id", "business_entity", "invoice_number", "issue_date", "due_date",
                      "currency", "amount_minor", "open_minor", "status", "order_reference", "po_number",
                      "version", "created_at"], invoices),
        ("journal_entries", ["id", "customer_id", "kind", "document_id", "effective_date"], entries),
        ("journal_lines", ["entry_id", "customer_id", "invoice_id", "account", "currency", "debit_minor",
                           "credit_minor"], lines),
        ("outbox", ["event_id", "event_type", "topic", "message_key", "envelope"], events),
        ("audit_log", ["occurred_at", "actor", "scopes", "action", "entity_type", "entity_id", "before",
                       "after", "correlation_id", "request_id", "chain_seq", "prev_hash", "hash"], audits),
    ]  # fmt: skip


INSERT_INVOICE = (
    "INSERT INTO ledger.invoices (id, customer_id, business_entity, invoice_number, issue_date, due_date,"
    " currency, amount_minor, open_minor, status, version)"
    " VALUES ($1, $2, 'ONE', $3, $4, $5, 'EUR', 12500, 12500, 'open', 1)"
)
INSERT_OUTBOX = "INSERT INTO ledger.outbox (event_id, event_type, topic, message_key, envelope) VALUES ($1, $2, $3, $4, $5)"


async def plain_insert_plus_outbox(
    conn: asyncpg.Connection, customer_id: uuid.UUID, number: str
) -> uuid.UUID:
    """The baseline write: the invoice row and its outbox row in one transaction, nothing else."""
    invoice_id = uuid.uuid4()
    async with conn.transaction():
        await conn.execute(
            INSERT_INVOICE, invoice_id, customer_id, number, date(2026, 10, 1), date(2026, 10, 31)
        )
        await conn.execute(
            INSERT_OUTBOX, uuid.uuid4(), "ar.ledger.InvoiceIssued.v1", "ledger.events", str(customer_id),
            json.dumps({"id": str(invoice_id), "data": {"invoice_id": str(invoice_id)}}),
        )  # fmt: skip
    return invoice_id


def baseline_app(dsn: str) -> FastAPI:
    """The plain endpoint the single POST is compared with: JSON in, two asyncpg INSERTs, JSON out.

    Served exactly like the ledger (same in-process transport, same client), so the ratio says
    what the ledger's write path costs on top of the minimum, not what the HTTP stack both share costs.
    """
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pools.append(await asyncpg.create_pool(dsn, min_size=1, max_size=2))
        yield
        await pools[0].close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/baseline/invoices", status_code=201)
    async def post(body: Annotated[dict[str, Any], Body()]) -> dict[str, str]:
        async with pools[0].acquire() as conn:
            invoice_id = await plain_insert_plus_outbox(
                conn, uuid.UUID(body["customer_id"]), body["invoice_number"]
            )
        return {"id": str(invoice_id)}

    return app


async def bench_single(
    client: httpx.AsyncClient, headers: dict[str, str], conn: asyncpg.Connection, count: int, dsn: str
) -> dict[str, Any]:
    customers = await add_customers(conn, 50, "ONE")

    def customer(n: int) -> tuple[uuid.UUID, str]:
        return customers[n % len(customers)]

    async def api(numbers: range) -> None:
        for n in numbers:
            response = await client.post(
                "/v1/invoices",
                json={
                    "customer_external_id": customer(n)[1],
                    "invoice_number": f"ONE-{n}",
                    "issue_date": "2026-10-01",
                    "amount": {"amount": "125.00", "currency": "EUR"},
                },
                headers=headers,
            )
            assert response.status_code == 201, response.text

    async def served(plain: httpx.AsyncClient, numbers: range) -> None:
        for n in numbers:
            response = await plain.post(
                "/baseline/invoices",
                json={"customer_id": str(customer(n)[0]), "invoice_number": f"PLAIN-{n}"},
                headers=headers,
            )
            assert response.status_code == 201, response.text

    async def raw(numbers: range) -> None:
        for n in numbers:
            await plain_insert_plus_outbox(conn, customer(n)[0], f"RAW-{n}")

    base = baseline_app(dsn)
    transport = httpx.ASGITransport(app=base)
    seconds: dict[str, list[float]] = {"api": [], "served": [], "raw": []}
    rounds = 5
    per_round = max(1, count // rounds)
    async with (
        base.router.lifespan_context(base),
        httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as plain,
    ):
        await api(range(-20, 0))  # warm both paths (prepared statements, pools)
        await served(plain, range(-20, 0))
        # interleaved rounds, the best of each: the machine's noise hits both sides alike
        for r in range(rounds):
            numbers = range(r * per_round, (r + 1) * per_round)
            seconds["api"].append(await timed(partial(api, numbers)))
            seconds["served"].append(await timed(partial(served, plain, numbers)))
            seconds["raw"].append(await timed(partial(raw, numbers)))
    api_rate = rate(per_round, min(seconds["api"]))
    served_rate = rate(per_round, min(seconds["served"]))
    raw_rate = rate(per_round, min(seconds["raw"]))
    return {
        "requests": per_round * rounds,
        "api_per_second": round(api_rate),
        "served_baseline_per_second": round(served_rate),
        "ratio": round(api_rate / served_rate, 3),
        "goal": ">= 0.6",
        "raw_asyncpg_per_second": round(raw_rate),
        "ratio_to_raw_asyncpg": round(api_rate / raw_rate, 3),
    }


RAW_AGING = """
SELECT currency,
       CASE WHEN $1::date - due_date <= 0 THEN 0 WHEN $1::date - due_date <= 30 THEN 1
            WHEN $1::date - due_date <= 60 THEN 2 WHEN $1::date - due_date <= 90 THEN 3
            WHEN $1::date - due_date <= 120 THEN 4 ELSE 5 END AS bucket,
       sum(open_minor), count(*)
FROM ledger.invoices WHERE open_minor > 0 GROUP BY 1, 2
"""
RAW_AGING_BY_CUSTOMER = RAW_AGING.replace("SELECT currency,", "SELECT customer_id, currency,").replace(
    "GROUP BY 1, 2", "GROUP BY 1, 2, 3"
)


async def bench_aging(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    conn: asyncpg.Connection,
    invoices: int,
    customers: int,
) -> dict[str, Any]:
    await conn.execute(
        """
        INSERT INTO ledger.customers (id, external_id, name, currency, payment_terms_days, business_entity, time_zone, version)
        SELECT gen_random_uuid(), 'AG-' || n, 'Aging customer ' || n, 'EUR', 30, 'AGE', 'UTC', 1
        FROM generate_series(1, $1) n
        """,
        customers,
    )
    await conn.execute(
        """
        INSERT INTO ledger.invoices (id, customer_id, business_entity, invoice_number, issue_date, due_date, currency,
                                     amount_minor, open_minor, status, version)
        SELECT gen_random_uuid(), c.id, 'AGE', 'AG-INV-' || n, $2::date - (n % 200) - 30, $2::date - (n % 200),
               'EUR', 10000 + n % 90000, 10000 + n % 90000, 'open', 1
        FROM generate_series(1, $1) n
        JOIN (SELECT id, row_number() OVER () AS rn FROM ledger.customers WHERE business_entity = 'AGE') c
          ON c.rn = 1 + n % $3
        """,
        invoices,
        TODAY,
        customers,
    )
    await conn.execute("ANALYZE ledger.invoices")

    async def api(group_by: str, **extra: str) -> None:
        params = {"as_of": TODAY.isoformat(), "group_by": group_by, **extra}
        response = await client.get("/v1/reports/aging", params=params, headers=headers)
        assert response.status_code == 200, response.text[:300]

    async def raw() -> None:
        await conn.fetch(RAW_AGING, TODAY)

    async def raw_by_customer() -> None:
        await conn.fetch(RAW_AGING_BY_CUSTOMER, TODAY)

    async def median(run: Callable[[], Awaitable[Any]], repeat: int = 5) -> float:
        await run()  # warm the cache
        return statistics.median([await timed(run) for _ in range(repeat)])

    raw_seconds = await median(raw)
    total_seconds = await median(lambda: api("total"))
    raw_customer_seconds = await median(raw_by_customer, repeat=3)
    # what a collector's screen asks for: the 1,000 largest balances (the whole book is aggregated)
    customer_seconds = await median(lambda: api("customer", sort="total_desc", limit="1000"), repeat=3)
    export_seconds = await median(lambda: api("customer", format="csv"), repeat=1)
    return {
        "invoices": invoices,
        "customers": customers,
        "raw_sql_ms": round(raw_seconds * 1000, 1),
        "api_total_ms": round(total_seconds * 1000, 1),
        "ratio_total": round(total_seconds / raw_seconds, 2),
        "raw_sql_by_customer_ms": round(raw_customer_seconds * 1000, 1),
        "api_by_customer_first_page_ms": round(customer_seconds * 1000, 1),
        "ratio_by_customer_first_page": round(customer_seconds / raw_customer_seconds, 2),
        "api_by_customer_csv_every_row_ms": round(export_seconds * 1000, 1),
        "ratio_by_customer_csv": round(export_seconds / raw_customer_seconds, 2),
        "goal": "<= 1.5",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["bulk", "single", "aging"])
    parser.add_argument("--bulk-invoices", type=int, default=50_000)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--aging-invoices", type=int, default=1_000_000)
    parser.add_argument("--aging-customers", type=int, default=100_000)
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with local_stack() as stack:
        async with bench_database(stack, DATABASE, ["ledger"]) as bench:
            conn = await asyncpg.connect(admin_dsn(bench))
            try:
                async with ledger_in_process(bench) as (client, headers):
                    if args.only in (None, "bulk"):
                        results["bulk_ingestion"] = await bench_bulk(
                            client, headers, conn, args.bulk_invoices
                        )
                        print("bulk", results["bulk_ingestion"], flush=True)
                    if args.only in (None, "single"):
                        results["single_post"] = await bench_single(
                            client, headers, conn, args.single, asyncpg_dsn(bench.url("ledger", "app"))
                        )
                        print("single", results["single_post"], flush=True)
                    if args.only in (None, "aging"):
                        results["aging"] = await bench_aging(
                            client, headers, conn, args.aging_invoices, args.aging_customers
                        )
                        print("aging", results["aging"], flush=True)
            finally:
                await conn.close()
    write_results(args.output, results)


if __name__ == "__main__":
    asyncio.run(main())
