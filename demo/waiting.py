"""Waiting for the workers by polling the APIs (never fixed sleeps): credit and collections have
the entity's business date, and collections' aging of the entity equals the ledger's. The probes
are the cheapest reads that answer it (a credit check, collections' business date of the entity),
asked side by side, again after a short pause that grows while the workers are busy."""

from __future__ import annotations

import asyncio
import time
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


async def _lagging(api: Api, entity: Entity, sentinel: str, day: date, aging: bool) -> str | None:
    """What has not caught up yet, or None."""
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
        return f"{sentinel} is not known to credit yet"
    if check["business_date"] != day.isoformat():
        return f"credit judges {entity.code} on {check['business_date']}"
    if known["business_date"] != day.isoformat():
        return f"collections ages {entity.code} on {known['business_date']}"
    if not aging:
        return None
    ledger, collections = await asyncio.gather(
        ledger_aging(api, entity.code, day), collections_aging(api, entity.code, day)
    )
    if ledger != collections:
        return f"collections' aging of {entity.code} is {collections}, the ledger's {ledger}"
    return None


async def caught_up(
    api: Api, sentinels: dict[Entity, str], day: date, timeout: float = 120, aging: bool = True
) -> float:
    """Returns once every entity is caught up on `day` (with `aging`, collections' aging equals the
    ledger's too: every posting reached it); the seconds it took."""
    started = time.monotonic()

    async def entity_caught_up(entity: Entity, sentinel: str) -> None:
        pause = FIRST_POLL_SECONDS
        while (lag := await _lagging(api, entity, sentinel, day, aging)) is not None:
            if time.monotonic() - started > timeout:
                raise NotCaughtUp(f"after {timeout:.0f} s on {day}: {lag}")
            await asyncio.sleep(pause)
            pause = min(pause * 2, POLL_SECONDS)

    await asyncio.gather(*(entity_caught_up(e, s) for e, s in sentinels.items()))
    return time.monotonic() - started
