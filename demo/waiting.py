"""Waiting for the workers by polling the APIs (never fixed sleeps): credit and collections have
the entity's business date, and collections' aging of the entity equals the ledger's. The probes
are the cheapest reads that answer it (a credit check, collections' business date of the entity),
asked side by side, again after a short pause that grows while the workers are busy."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from demo.book import Entity
from demo.client import Api, ApiError

FIRST_POLL_SECONDS = 0.05
POLL_SECONDS = 0.4  # the longest pause between two probes


class NotCaughtUp(RuntimeError):
    """A worker did not catch up within the timeout: the platform is stuck or far behind."""


def totals(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    return {line["currency"]: Decimal(line["total"]) for line in lines if Decimal(line["total"])}


async def ledger_aging(api: Api, entity: str, day: date) -> dict[str, Decimal]:
    report = await api.get(
        "ledger",
        "/v1/reports/aging",
        params={"as_of": day.isoformat(), "business_entity": entity, "group_by": "total"},
    )
    return totals(report["totals"])


async def collections_aging(api: Api, entity: str, day: date) -> dict[str, Decimal]:
    report = await api.get(
        "collections",
        "/v1/aging",
        params={"as_of": day.isoformat(), "business_entity": entity, "group_by": "business_entity"},
    )
    return totals(report["lines"])


async def _lagging(api: Api, entity: Entity, sentinel: str, day: date, aging: bool) -> dict[str, str]:
    """What has not caught up yet, per service (empty once everything has)."""
    try:
        check, known = await asyncio.gather(
            api.get(
                "credit",
                "/v1/credit-check",
                params={"customer_id": sentinel, "amount": "1.00", "currency": entity.currency},
            ),
            api.get("collections", f"/v1/business-dates/{entity.code}"),
        )
    except ApiError as unknown:
        if unknown.status != 404:
            raise
        return {"credit": f"{sentinel} is not known to credit yet"}
    lagging = {}
    if check["business_date"] != day.isoformat():
        lagging["credit"] = f"credit judges {entity.code} on {check['business_date']}"
    if known["business_date"] != day.isoformat():
        lagging["collections"] = f"collections ages {entity.code} on {known['business_date']}"
    if lagging or not aging:
        return lagging
    ledger, collections = await asyncio.gather(
        ledger_aging(api, entity.code, day), collections_aging(api, entity.code, day)
    )
    if ledger != collections:
        lagging["collections"] = (
            f"collections' aging of {entity.code} is {collections}, the ledger's {ledger}"
        )
    return lagging


async def caught_up(
    api: Api,
    sentinels: dict[Entity, str],
    day: date,
    timeout: float = 120,
    aging: bool = True,
    behind: Counter[str] | None = None,
) -> float:
    """Returns once every entity is caught up on `day` (with `aging`, collections' aging equals the
    ledger's too: every posting reached it); the seconds it took. `behind` adds up, per service,
    how long it was seen lagging (until the probe after which it no longer was)."""
    started = time.monotonic()

    async def entity_caught_up(entity: Entity, sentinel: str) -> None:
        pause, lagged = FIRST_POLL_SECONDS, dict.fromkeys(("credit", "collections"), 0.0)
        while lagging := await _lagging(api, entity, sentinel, day, aging):
            elapsed = time.monotonic() - started
            lagged.update(dict.fromkeys(lagging, elapsed))
            if elapsed > timeout:
                raise NotCaughtUp(f"after {timeout:.0f} s on {day}: {'; '.join(lagging.values())}")
            await asyncio.sleep(pause)
            pause = min(pause * 2, POLL_SECONDS)
        if behind is not None:
            behind.update(lagged)

    await asyncio.gather(*(entity_caught_up(e, s) for e, s in sentinels.items()))
    return time.monotonic() - started
