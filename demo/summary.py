"""The closing picture, read back from the APIs: aging and its movement, two collectors'
worklists, holds and blocked orders, messages sent, KPIs per collector, the experiment's verdict."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date
from typing import Any

from demo.book import Book
from demo.client import Api
from demo.organisation import TEMPLATE_KEYS, Organisation
from demo.tally import Tally
from demo.waiting import collections_aging, ledger_aging

MANAGE = ("collections:manage",)
LETTERS_SHOWN = 20


async def deliveries(api: Api, customers: set[str]) -> list[dict[str, Any]]:
    """The notifications delivery log of the demo's customers (dunning templates only)."""
    every = await api.pages(
        "notifications", "/v1/deliveries", subject="ops", scopes=("notifications:manage",)
    )
    return [d for d in every if d["customer_id"] in customers and d["template_key"] in TEMPLATE_KEYS]


async def letters_requested(api: Api, customers: set[str]) -> tuple[int, int]:
    """Messages collections' dunning asked notifications to send, from the account views (each
    lists its latest 20): the count, and how many accounts hit that cap (then it is a floor)."""
    views = await asyncio.gather(*(api.get("collections", f"/v1/accounts/{c}") for c in sorted(customers)))
    letters = [len(v["letters"]) for v in views]
    return sum(letters), sum(1 for n in letters if n >= LETTERS_SHOWN)


async def messages_delivered(
    api: Api, customers: set[str], timeout: float = 120
) -> tuple[int, int, list[dict[str, Any]]]:
    """What dunning asked for and the delivery log, once the log holds a delivery for each and
    none is still queued (a strategy run may still be firing: both are read again until they
    agree), or the timeout passed (the summary then shows the difference)."""
    started = time.monotonic()
    while True:
        requested, capped = await letters_requested(api, customers)
        log = await deliveries(api, customers)
        delivered = len(log) >= requested if capped else len(log) == requested
        if delivered and not any(d["status"] == "queued" for d in log):
            return requested, capped, log
        if time.monotonic() - started > timeout:
            return requested, capped, log
        await asyncio.sleep(1)


async def summarise(
    api: Api, book: Book, organisation: Organisation, tally: Tally, first: date, last: date
) -> dict[str, Any]:
    customers = {str(c.customer_id) for c in book.customers}
    manager = organisation.desks[0].manager
    aging: dict[str, Any] = {}
    for entity in book.entities:
        comparative = await api.get(
            "ledger",
            "/v1/reports/aging/comparative",
            params=(
                ("as_of", first.isoformat()),
                ("as_of", last.isoformat()),
                ("business_entity", entity.code),
            ),
        )
        ledger_total, collections_total = await asyncio.gather(
            ledger_aging(api, entity.code, last), collections_aging(api, entity.code, last)
        )
        aging[entity.code] = {
            "labels": comparative["bucket_labels"],
            "first": comparative["reports"][0]["totals"],
            "last": comparative["reports"][-1]["totals"],
            "deltas": comparative["deltas"],
            "ledger_total": {k: str(v) for k, v in ledger_total.items()},
            "collections_total": {k: str(v) for k, v in collections_total.items()},
        }
    by_collector: list[dict[str, Any]] = []
    kpis: list[dict[str, Any]] = []
    for entity in book.entities:
        day, period = (
            {"as_of": last.isoformat()},
            {"period_start": first.isoformat(), "period_end": last.isoformat()},
        )
        for found, path, params in ((by_collector, "/v1/aging", day), (kpis, "/v1/kpis", period)):
            params = {**params, "group_by": "collector", "business_entity": entity.code}
            found += (await api.get("collections", path, params=params, subject=manager, scopes=MANAGE))[
                "lines"
            ]
    shown = [organisation.desks[0].early, organisation.desks[-1].late]
    worklists = {}
    for collector in shown:
        page = await api.get(
            "collections",
            "/v1/worklist",
            params={"collector": collector, "limit": 5},
            subject=manager,
            scopes=MANAGE,
        )
        worklists[collector] = page["items"]
    holds = [
        h
        for h in await api.pages("credit", "/v1/holds", {"status": "active"})
        if h["customer_id"] in customers
    ]
    blocked = []
    for entity in book.entities:
        blocked += await api.pages(
            "credit", "/v1/credit-decisions", {"status": "refused", "business_entity": entity.code}
        )
    promises: Counter[str] = Counter()
    for status in ("open", "kept", "partially_kept", "broken"):
        found = await api.pages(
            "collections", "/v1/promises", {"status": status}, subject=manager, scopes=MANAGE
        )
        promises[status] = sum(1 for p in found if p["customer_id"] in customers)
    requested, capped, log = await messages_delivered(api, customers)
    outcomes = await api.get(
        "collections",
        f"/v1/experiments/{organisation.experiment_id}/outcomes",
        params={"as_of": last.isoformat()},
        subject=manager,
        scopes=MANAGE,
    )
    return {
        "run": book.run,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "business_days": tally.days,
        "customers": len(book.customers),
        "entities": [e.code for e in book.entities],
        "aging": aging,
        "aging_by_collector": by_collector,
        "worklists": worklists,
        "holds": {
            "active": len(holds),
            "by_source": dict(Counter(h["source"] for h in holds)),
            "by_reason": dict(Counter(h["reason_code"] for h in holds)),
        },
        "blocked_orders": {"count": len(blocked), "top": sorted(blocked, key=lambda d: d["created_at"])[:5]},
        "orders": dict(tally.orders),
        "messages": {
            "requested": requested,
            "accounts_at_cap": capped,
            "delivery_log": len(log),
            "by_template": dict(Counter(d["template_key"] for d in log)),
            "by_status": dict(Counter(d["status"] for d in log)),
        },
        "promises": {
            "made": tally.promises,
            "customers_meant_to_keep": tally.promises_meant_kept,
            "by_status": dict(promises),
        },
        "disputes": {
            "opened": tally.disputes,
            "valid": tally.disputes_valid,
            "invalid": tally.disputes_invalid,
            "credit_memos": tally.credit_memos,
        },
        "activity": {
            "invoices_issued_in_simulation": tally.invoices,
            "payments": tally.payments,
            "short_payments": tally.short_payments,
            "calls": tally.calls,
            "cash": {k: str(v) for k, v in tally.cash.items()},
        },
        "kpis": kpis,
        "experiment": outcomes,
        "waited_for_workers_seconds": round(tally.waited_seconds, 1),
        "requests": api.requests,
    }
