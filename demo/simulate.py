"""The whole demo: the organisation, the opening book, the simulated days, the summary, the files."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from demo import erp
from demo.book import Book, CustomerPlan, InvoicePlan, business_days, plan_book
from demo.client import Api
from demo.day import Simulation
from demo.exports import write_exports
from demo.organisation import Desk, Organisation, set_up
from demo.render import render
from demo.reviews import review_everyone
from demo.summary import summarise
from demo.tally import Tally
from demo.waiting import caught_up

CUSTOMERS_PER_ENTITY = 100


@dataclass(frozen=True)
class DemoSettings:
    run: str
    seed: int = 7
    scale: float = 1.0
    days: int = 90
    calls_per_collector: int = 3
    output: Path | None = None

    @property
    def customers_per_entity(self) -> int:
        return max(2, round(CUSTOMERS_PER_ENTITY * self.scale))

    @property
    def folder(self) -> Path:
        return self.output or Path(".local") / "demo" / self.run


@dataclass
class Result:
    summary: dict[str, Any]
    text: str
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)


async def first_day(api: Api, entity: str) -> date:
    """The day after the entity's calendar date (a new entity's date is the calendar's): every
    entity may be set to it, whatever its time zone, since dates only move forward."""
    current = await api.get("ledger", f"/v1/business-dates/{entity}")
    return date.fromisoformat(current["business_date"]) + timedelta(days=1)


async def opening_book(api: Api, book: Book, tally: Tally) -> None:
    """The customers, their invoices of the last 75 days and the payments already received."""
    with tally.timed("credit profiles and customers"):
        await erp.open_accounts(api, book)
    opening = [i for i in book.invoices() if i.issue_date < book.start]
    with tally.timed("invoices"):
        await erp.issue(api, book, opening)
    paid: dict[tuple[str, date], list[InvoicePlan]] = defaultdict(list)
    for invoice in opening:
        if invoice.pay_on is not None and invoice.pay_on < book.start and not invoice.disputed:
            paid[invoice.customer, invoice.pay_on].append(invoice)
    customers = {c.external_id: c for c in book.customers}

    async def history(customer: CustomerPlan) -> None:
        # a customer's payments in the order they arrived; customers side by side
        for (external_id, day), invoices in sorted(paid.items(), key=lambda kv: kv[0][1]):
            if external_id == customer.external_id:
                await erp.pay(api, customer, invoices, day, f"{book.run}-{external_id}-{day}")

    with tally.timed("payments"):
        await asyncio.gather(*(history(c) for c in customers.values()))


async def run_demo(api: Api, settings: DemoSettings, say: Callable[[str], None] = print) -> Result:
    timings: dict[str, float] = {}
    clock = time.monotonic()
    start = await first_day(api, f"DE-{settings.run}")
    book = plan_book(settings.seed, settings.run, start, settings.customers_per_entity, settings.days)
    days = business_days(start, settings.days)
    say(
        f"run {settings.run}: {len(book.customers)} customers, {len(book.invoices())} invoices planned, "
        f"{settings.days} business days from {start}"
    )
    for entity in book.entities:
        await erp.set_business_date(api, entity.code, start, entity.time_zone)
    organisation: Organisation = await set_up(api, book)
    opening = Tally()
    await opening_book(api, book, opening)
    sentinels = {e: str(next(c.customer_id for c in book.customers if c.entity == e)) for e in book.entities}
    with opening.timed("waiting for the workers"):
        await caught_up(api, sentinels, start, timeout=300)
    with opening.timed("credit reviews"):
        await review_everyone(api, book, organisation)
    timings["opening book"] = time.monotonic() - clock
    timings.update({f"  {k}": v for k, v in opening.seconds.items()})
    say(f"opening book posted in {timings['opening book']:.0f} s; simulating")
    simulation = Simulation(api, book, organisation, settings.seed, settings.calls_per_collector)
    # the worker ran the first day before the book arrived: run it again with the book in
    await asyncio.gather(*(simulation.strategy_run(start, desk) for desk in organisation.desks))

    behind: Counter[str] = Counter()  # seconds each worker was seen behind the business date

    async def entity_days(desk: Desk) -> None:
        entity, sentinel = desk.entity, sentinels[desk.entity]
        for n, today in enumerate(days):
            await simulation.day(today, desk)
            following = days[n + 1] if n + 1 < len(days) else today
            with simulation.tally.timed("business date (the ledger's close of business)"):
                await erp.set_business_date(api, entity.code, following)
            with simulation.tally.timed("waiting for the workers to take the date"):
                simulation.tally.waited_seconds += await caught_up(
                    api, {entity: sentinel}, following, aging=False, behind=behind
                )
            if desk is organisation.desks[0] and n % 5 == 4:
                elapsed = time.monotonic() - clock
                waited = simulation.tally.waited_seconds
                say(
                    f"  day {n + 1}/{len(days)} ({today}): {api.requests} requests, {elapsed:.0f} s "
                    f"({waited:.0f} s of both entities' waiting for the workers)"
                )

    await asyncio.gather(*(entity_days(desk) for desk in organisation.desks))
    simulation.tally.days = len(days)
    await asyncio.gather(*(simulation.strategy_run(days[-1], desk) for desk in organisation.desks))
    # the last day's payments and memos reached collections: its aging equals the ledger's
    simulation.tally.waited_seconds += await caught_up(api, sentinels, days[-1])
    timings["simulation"] = time.monotonic() - clock - timings["opening book"]
    summary = await summarise(api, book, organisation, simulation.tally, start, days[-1])
    timings.update({f"  {k}": v for k, v in simulation.tally.seconds.items()})
    timings.update({f"    {service} behind": v for service, v in behind.items()})
    timings["summary"] = time.monotonic() - clock - timings["opening book"] - timings["simulation"]
    summary["timings_seconds"] = {k: round(v, 1) for k, v in timings.items()}
    text = render(summary)
    files = await write_exports(api, book, organisation, start, days[-1], summary, text, settings.folder)
    timings["total"] = time.monotonic() - clock
    return Result(summary, text, files, timings)
