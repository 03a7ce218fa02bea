"""The strategy run log (`GET /v1/strategy-runs`): latest business date first, counts without the
accounts, filtered by entity, business dates, status and trigger, a page at a time; bad filters and
cursors this API never issued are problems; managers only, as for one run."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ar_collections.models import StrategyRun
from ar_collections.testing import Book
from ar_shared.pagination import encode_cursor
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration

TODAY = TEST_CLOCK.now().date()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


async def recorded_runs(book: Book, entity: str) -> None:
    """Runs of the entity for days 1-4 as the close of business would leave them (day 4 pending)."""
    async with book.session() as session:
        for n, status, trigger in (
            (1, "completed", "business_date_changed"),
            (2, "completed", "api"),
            (3, "completed", "business_date_changed"),
            (4, "pending", "business_date_changed"),
        ):
            session.add(
                StrategyRun(
                    id=uuid.uuid4(), business_entity=entity, as_of=TODAY + timedelta(days=n), status=status,
                    trigger=trigger, requested_by="collections-system", accounts_seen=10 * n,
                    fired={"email_reminder": n}, skipped={"nothing_due": 10 * n - n},
                    created_at=TEST_CLOCK.now() + timedelta(days=n),
                    finished_at=None if status == "pending" else TEST_CLOCK.now() + timedelta(days=n),
                )
            )  # fmt: skip


async def listed(client: httpx.AsyncClient, manager: dict[str, str], **params: Any) -> Any:
    response = await client.get("/v1/strategy-runs", params=params, headers=manager)
    assert response.status_code == 200, response.text
    return response.json()


async def test_runs_are_listed_latest_business_date_first_with_their_counts_only(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = f"R{uuid.uuid4().hex[:7].upper()}"
    await book.business_date(entity, TODAY)  # asks for the run of day 0
    await recorded_runs(book, entity)
    on_demand = await client.post(
        "/v1/strategy-runs", json={"business_entity": entity, "as_of": day(5)}, headers=manager
    )
    assert on_demand.status_code == 201, on_demand.text

    first = await listed(client, manager, business_entity=entity, limit=2)
    assert [r["as_of"] for r in first["items"]] == [day(5), day(4)]
    newest = first["items"][0]
    assert newest == {k: v for k, v in on_demand.json().items() if k not in ("planned", "dry_run")}
    second = await listed(client, manager, business_entity=entity, limit=2, cursor=first["next_cursor"])
    third = await listed(client, manager, business_entity=entity, limit=2, cursor=second["next_cursor"])
    assert [r["as_of"] for r in second["items"] + third["items"]] == [day(3), day(2), day(1), day(0)]
    assert third["next_cursor"] is None
    assert second["items"][0]["fired"] == {"email_reminder": 3}
    assert second["items"][0]["skipped"] == {"nothing_due": 27}


async def test_runs_are_filtered_by_business_date_status_and_trigger(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity = f"R{uuid.uuid4().hex[:7].upper()}"
    other = f"R{uuid.uuid4().hex[:7].upper()}"
    await recorded_runs(book, entity)
    await recorded_runs(book, other)

    def days(page: Any) -> list[tuple[str, str]]:
        return [(r["business_entity"], r["as_of"]) for r in page["items"]]

    window = await listed(client, manager, business_entity=entity, as_of_from=day(2), as_of_to=day(3))
    assert days(window) == [(entity, day(3)), (entity, day(2))]
    pending = await listed(client, manager, business_entity=entity, status="pending")
    assert days(pending) == [(entity, day(4))]
    on_demand = await listed(client, manager, business_entity=other, trigger="api")
    assert days(on_demand) == [(other, day(2))]
    closing = await listed(
        client, manager, business_entity=entity, trigger="business_date_changed", status="completed"
    )
    assert days(closing) == [(entity, day(3)), (entity, day(1))]
    one_day = await listed(client, manager, as_of_from=day(1), as_of_to=day(1))
    assert {(entity, day(1)), (other, day(1))} <= set(days(one_day))
    assert {r["as_of"] for r in one_day["items"]} == {day(1)}


async def test_bad_filters_and_forged_cursors_are_problems(
    client: httpx.AsyncClient, manager: dict[str, str]
) -> None:
    backwards = await client.get(
        "/v1/strategy-runs", params={"as_of_from": day(3), "as_of_to": day(1)}, headers=manager
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_date_range")
    assert [e["field"] for e in backwards.json()["errors"]] == ["as_of_to"]
    assert backwards.headers["content-type"].startswith("application/problem+json")
    for params, field in (
        ({"status": "finished"}, "status"),
        ({"trigger": "cron"}, "trigger"),
        ({"as_of_from": "2026-02-30"}, "as_of_from"),
        ({"limit": "0"}, "limit"),
    ):
        bad = await client.get("/v1/strategy-runs", params=params, headers=manager)
        assert (bad.status_code, bad.json()["code"]) == (422, "validation_error"), params
        assert [e["field"].split(".")[-1] for e in bad.json()["errors"]] == [field]
    for cursor in ("not-a-cursor!", encode_cursor([str(uuid.uuid4())]), encode_cursor(["x", "y", "z"])):
        forged = await client.get("/v1/strategy-runs", params={"cursor": cursor}, headers=manager)
        assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor"), cursor


async def test_only_managers_list_strategy_runs(client: httpx.AsyncClient, collector: dict[str, str]) -> None:
    refused = await client.get("/v1/strategy-runs", headers=collector)
    assert refused.status_code == 403
    assert (await client.get("/v1/strategy-runs")).status_code == 401
