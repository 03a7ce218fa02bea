"""The business date collections has taken in per entity: what a caller (the demo, an operator)
polls to know that collections caught up with the ledger's last `BusinessDateChanged`."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from ar_collections.config import CollectionsSettings
from ar_collections.testing import Book
from ar_shared.clock import Clock, local_date

pytestmark = pytest.mark.integration

D = date(2026, 6, 30)
ENTITY = "BD01"


async def test_an_entity_collections_never_heard_of_follows_the_default_calendar(
    client: httpx.AsyncClient,
    collector: dict[str, str],
    collections_settings: CollectionsSettings,
    clock: Clock,
) -> None:
    response = await client.get(f"/v1/business-dates/{ENTITY}", headers=collector)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "business_entity": ENTITY,
        "business_date": local_date(clock, collections_settings.business_time_zone).isoformat(),
        "mode": "calendar",
        "time_zone": collections_settings.business_time_zone,
        "announced": False,
    }


async def test_the_date_is_the_last_one_the_ledger_announced_and_never_moves_back(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    await book.business_date(ENTITY, D, time_zone="Europe/Berlin")
    await book.business_date(ENTITY, D + timedelta(days=1), time_zone="Europe/Berlin")
    await book.business_date(ENTITY, D - timedelta(days=5), time_zone="Europe/Berlin")  # replayed
    response = await client.get(f"/v1/business-dates/{ENTITY}", headers=collector)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "business_entity": ENTITY,
        "business_date": str(D + timedelta(days=1)),
        "mode": "manual",
        "time_zone": "Europe/Berlin",
        "announced": True,
    }


async def test_reading_it_needs_a_collections_scope_and_a_well_formed_entity(
    client: httpx.AsyncClient, collector: dict[str, str]
) -> None:
    anonymous = await client.get(f"/v1/business-dates/{ENTITY}")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    too_long = await client.get(f"/v1/business-dates/{'X' * 51}", headers=collector)
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("application/problem+json")
