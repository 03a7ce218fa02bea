"""A steady load of postings through the ledger's API, as an ERP client sends them, for fault tests.

Invoices one by one, auto-applied payments and now and then a bulk import, each with an
`Idempotency-Key`. Like a careful client, it retries what got no answer (a timeout, a refused or
dropped connection), a 5xx, a 503 and a 409 `idempotency_key_in_flight` with the same key and
body until it gets an answer or gives up; every request ends up in `sent` with its outcome, for
the oracle (`ar_shared.testing.oracle`).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import httpx

from ar_shared.testing.oracle import SentRequest

ENTITY = "FT01"


def eur(minor: int) -> dict[str, str]:
    return {"amount": f"{minor // 100}.{minor % 100:02d}", "currency": "EUR"}


@dataclass
class PostingLoad:
    """Sends postings to the ledger API at `client` for the customers of `customers` (ERP ids)."""

    client: httpx.AsyncClient
    customers: list[str]
    today: date
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    give_up_after: float = 120.0
    pause: float = 0.05
    bulk_every: int = 20
    bulk_size: int = 100
    sent: list[SentRequest] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    async def setup(self) -> None:
        """The customers, created (or left as they are) by their ERP ids."""
        for external_id in self.customers:
            response = await self.client.put(
                f"/v1/customers/external/{external_id}",
                json={"name": f"Fault {external_id}", "currency": "EUR", "payment_terms_days": 30,
                      "business_entity": ENTITY},
            )  # fmt: skip
            response.raise_for_status()

    def _number(self) -> str:
        return f"{self.run}-{next(self._numbers)}"

    def invoice_body(self, number: str, customer: str, amount_minor: int) -> dict[str, Any]:
        issued = self.today - timedelta(days=int(number.rsplit("-", 1)[1]) % 60)
        return {"customer_external_id": customer, "invoice_number": f"FT-{number}",
                "issue_date": issued.isoformat(), "amount": eur(amount_minor)}  # fmt: skip

    async def invoice(self, customer: str) -> SentRequest:
        number = self._number()
        body = self.invoice_body(number, customer, 1_000 + int(number.rsplit("-", 1)[1]) % 9_000)
        return await self.send("invoice", "/v1/invoices", body, (body["invoice_number"],))

    async def payment(self, customer: str) -> SentRequest:
        reference = f"FTP-{self._number()}"
        body = {"customer_external_id": customer, "amount": eur(2_500), "received_on": self.today.isoformat(),
                "method": "wire", "external_reference": reference}  # fmt: skip
        return await self.send("payment", "/v1/payments", body, (reference,))

    async def bulk(self, size: int | None = None) -> SentRequest:
        items = [
            self.invoice_body(self._number(), self.customers[n % len(self.customers)], 500 + n)
            for n in range(size or self.bulk_size)
        ]
        return await self.send(
            "bulk", "/v1/invoices/bulk", {"items": items}, tuple(i["invoice_number"] for i in items)
        )

    async def send(
        self,
        kind: Literal["invoice", "payment", "bulk"],
        path: str,
        body: dict[str, Any],
        references: tuple[str, ...],
        key: str | None = None,
    ) -> SentRequest:
        """POSTs until answered for good; the request as it ended is appended to `sent`."""
        key = key or str(uuid.uuid4())
        started = time.monotonic()
        attempts = 0
        status: int | None = None
        while True:
            attempts += 1
            try:
                response = await self.client.post(path, json=body, headers={"Idempotency-Key": key})
                status = response.status_code
            except httpx.TransportError:  # no answer: the request may or may not have been applied
                status = None
            else:
                if 200 <= status < 300:
                    sent = SentRequest(kind, key, references, "ok", status, _ids(response.json()), attempts)
                    break
                if status < 500 and status not in (408, 409, 429):  # refused for good
                    sent = SentRequest(kind, key, references, "error", status, (), attempts)
                    break
            if time.monotonic() - started > self.give_up_after:
                sent = SentRequest(kind, key, references, "error", status, (), attempts)
                break
            await asyncio.sleep(min(0.2 * 2 ** min(attempts, 4), 2.0))
        self.sent.append(sent)
        return sent

    async def steady(self, stop: asyncio.Event) -> None:
        """Invoices, payments and a bulk import now and then, until `stop` is set."""
        for n in itertools.count():
            if stop.is_set():
                return
            customer = self.customers[n % len(self.customers)]
            if n % self.bulk_every == self.bulk_every - 1:
                await self.bulk()
            elif n % 3 == 2:
                await self.payment(customer)
            else:
                await self.invoice(customer)
            await asyncio.sleep(self.pause)

    @asynccontextmanager
    async def running(self, clients: int = 2) -> AsyncIterator[Callable[[], int]]:
        """The steady load from `clients` concurrent senders while the block runs; yields a
        function telling how many requests ended so far. Waits for the last ones on the way out."""
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self.steady(stop)) for _ in range(clients)]
        try:
            yield lambda: len(self.sent)
        finally:
            stop.set()
            await asyncio.gather(*tasks)


def _ids(answer: Any) -> tuple[uuid.UUID, ...]:
    if isinstance(answer, dict) and "invoice_ids" in answer:
        return tuple(uuid.UUID(i) for i in answer["invoice_ids"])
    if isinstance(answer, dict) and "id" in answer:
        return (uuid.UUID(answer["id"]),)
    return ()
