"""The red-flag job of a close of business runs after the business date is taken in: asked for in
the date's transaction (one job per entity and date, with the kinds whose figures can have
changed), run by the worker in a transaction of its own, in date order per entity. A failing job
rolls back alone, stays pending with its error and is retried; the date is never rolled back; each
flag is still raised once, on the date it would have been. Managers see the jobs, a page at a
time. Business dates are set by hand: the figures are about the example's dates only."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from ar_collections.models import Escalation, RedFlag, RedFlagJob
from ar_collections.red_flags.jobs import RedFlagJobRunner
from ar_collections.testing import Book, money
from ar_shared.clock import ManualClock
from ar_shared.events.credit import CreditLimitChanged
from ar_shared.events.ledger import BusinessDateChanged

pytestmark = pytest.mark.integration

D = date(2026, 5, 20)
DAILY = ["bounced_payment", "broken_promises", "credit_use"]
EVERY = ["add_rising", *DAILY]


def announce(entity: str, on: date) -> BusinessDateChanged:
    return BusinessDateChanged(
        business_entity=entity, previous_date=None, business_date=on, mode="manual", time_zone="UTC"
    )


async def bounced_and_over_the_limit(book: Book, entity: str) -> uuid.UUID:
    """A customer whose 500 payment of 10 May bounced on 18 May, 1,000 open against a limit of 500."""
    customer = await book.account(entity=entity)
    invoice = await book.invoice(
        customer, issued=date(2026, 4, 1), due=date(2026, 5, 1), amount="1000.00", entity=entity
    )
    payment = await book.pay(customer, invoice, "500.00", "500.00", date(2026, 5, 10), received=True)
    await book.reverse(customer, payment, invoice, "500.00", "1000.00", date(2026, 5, 18))
    await book.deliver(
        CreditLimitChanged(
            customer_id=customer, previous_limit=None, new_limit=money("500.00"), changed_by="credit",
            reason="x",
        )
    )  # fmt: skip
    return customer


async def jobs_of(book: Book, entity: str) -> list[RedFlagJob]:
    async with book.session() as session:
        query = select(RedFlagJob).where(RedFlagJob.business_entity == entity).order_by(RedFlagJob.as_of)
        return list((await session.scalars(query)).all())


async def flags_of(book: Book, customer: uuid.UUID) -> list[tuple[str, date]]:
    async with book.session() as session:
        rows = await session.scalars(select(RedFlag).where(RedFlag.customer_id == customer))
        return sorted((r.kind, r.raised_on) for r in rows)


async def escalations_of(book: Book, customer: uuid.UUID) -> int:
    async with book.session() as session:
        query = select(func.count()).select_from(Escalation).where(Escalation.customer_id == customer)
        return int(await session.scalar(query) or 0)


async def test_a_failing_job_rolls_back_alone_and_is_retried_without_moving_the_date_back(
    client: httpx.AsyncClient, collector: dict[str, str], book: Book
) -> None:
    entity = f"J{uuid.uuid4().hex[:7].upper()}"
    customer = await bounced_and_over_the_limit(book, entity)
    state = book.app.state
    # a worker whose settings break the job once a flag is raised (no due days for escalations),
    # then the same a few minutes later, and one that works after the second failure's wait
    now = state.clock.now()
    broken_settings = state.settings.model_copy(update={"dispute_due_days": None})
    broken = RedFlagJobRunner(state.sessionmaker, ManualClock(now), broken_settings)
    broken_later = RedFlagJobRunner(
        state.sessionmaker, ManualClock(now + timedelta(minutes=2)), broken_settings
    )
    working = RedFlagJobRunner(state.sessionmaker, ManualClock(now + timedelta(minutes=5)), state.settings)

    await book.deliver(announce(entity, D))  # the consumer's transaction only asks for the job
    taken = await client.get(f"/v1/business-dates/{entity}", headers=collector)
    assert taken.json()["business_date"] == D.isoformat()
    [job] = await jobs_of(book, entity)
    assert (job.as_of, job.status, job.kinds, job.attempts) == (D, "pending", EVERY, 0)
    assert await flags_of(book, customer) == []

    assert await broken.run_pending() == 0
    [job] = await jobs_of(book, entity)
    assert (job.status, job.attempts, job.raised) == ("pending", 1, None)
    assert (job.last_error or "").startswith("TypeError")
    assert job.retry_at == now + timedelta(seconds=state.settings.red_flag_job_retry_seconds)
    assert (REGISTRY.get_sample_value("ar_collections_red_flag_jobs_failing") or 0) >= 1  # what alerts read
    assert await flags_of(book, customer) == []  # its flags and escalations rolled back with it
    assert await escalations_of(book, customer) == 0
    assert await book.emitted(customer, "EscalationRaised") == []

    # the next date is taken in meanwhile; its job (same month: no ADD) waits for the failed one,
    # which is not attempted again before its time
    await book.deliver(announce(entity, date(2026, 5, 21)))
    assert await broken.run_pending() == 0
    first, second = await jobs_of(book, entity)
    assert (first.attempts, second.attempts, second.status, second.kinds) == (1, 0, "pending", DAILY)
    taken = await client.get(f"/v1/business-dates/{entity}", headers=collector)
    assert taken.json()["business_date"] == "2026-05-21"
    # its time come, it fails again and waits twice as long
    assert await broken_later.run_pending() == 0
    first, second = await jobs_of(book, entity)
    assert (first.attempts, second.attempts) == (2, 0)
    assert first.retry_at == now + timedelta(minutes=2, seconds=2 * state.settings.red_flag_job_retry_seconds)

    assert await working.run_pending() == 2
    first, second = await jobs_of(book, entity)
    assert (first.status, first.raised, second.status, second.raised) == ("completed", 2, "completed", 0)
    assert first.finished_at is not None
    assert first.retry_at is None
    # raised on the date whose close of business found them, once each
    assert await flags_of(book, customer) == [("bounced_payment", D), ("credit_use", D)]
    assert await escalations_of(book, customer) == 2
    assert len(await book.emitted(customer, "EscalationRaised")) == 2
    assert await working.run_pending() == 0

    # the same announcement again, or an older one replayed, asks for nothing
    await book.deliver(announce(entity, date(2026, 5, 21)))
    await book.deliver(announce(entity, date(2026, 5, 2)))
    assert [j.as_of for j in await jobs_of(book, entity)] == [D, date(2026, 5, 21)]


async def test_the_first_date_after_a_month_end_judges_add_again(book: Book) -> None:
    entity = f"J{uuid.uuid4().hex[:7].upper()}"
    for on in (date(2026, 5, 30), date(2026, 5, 31), date(2026, 6, 1), date(2026, 8, 3), date(2026, 8, 4)):
        await book.business_date(entity, on)
    assert [(j.as_of, j.kinds, j.status) for j in await jobs_of(book, entity)] == [
        (date(2026, 5, 30), EVERY, "completed"),  # the entity's first job
        (date(2026, 5, 31), EVERY, "completed"),  # May is complete on its last day
        (date(2026, 6, 1), DAILY, "completed"),
        (date(2026, 8, 3), EVERY, "completed"),  # a jump over the ends of June and July
        (date(2026, 8, 4), DAILY, "completed"),
    ]


async def test_managers_list_the_jobs_latest_first_a_page_at_a_time(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    entity = f"J{uuid.uuid4().hex[:7].upper()}"
    for on in (date(2026, 5, 30), date(2026, 5, 31), date(2026, 6, 1)):
        await book.business_date(entity, on)
    await book.deliver(announce(entity, date(2026, 6, 2)))  # not run yet

    first = await client.get(
        "/v1/red-flags/jobs", params={"business_entity": entity, "limit": 2}, headers=manager
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert [(j["as_of"], j["status"], j["kinds"]) for j in page["items"]] == [
        ("2026-06-02", "pending", DAILY),
        ("2026-06-01", "completed", DAILY),
    ]
    assert page["items"][0]["raised"] is None
    assert page["items"][1]["raised"] == 0
    assert page["items"][1]["attempts"] == 0
    rest = await client.get(
        "/v1/red-flags/jobs",
        params={"business_entity": entity, "limit": 2, "cursor": page["next_cursor"]},
        headers=manager,
    )
    assert [j["as_of"] for j in rest.json()["items"]] == ["2026-05-31", "2026-05-30"]
    assert rest.json()["next_cursor"] is None
    pending = await client.get(
        "/v1/red-flags/jobs", params={"business_entity": entity, "status": "pending"}, headers=manager
    )
    assert [j["as_of"] for j in pending.json()["items"]] == ["2026-06-02"]

    refused = await client.get("/v1/red-flags/jobs", headers=collector)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    forged = await client.get("/v1/red-flags/jobs", params={"cursor": "not-ours"}, headers=manager)
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor")
    unknown = await client.get("/v1/red-flags/jobs", params={"status": "failed"}, headers=manager)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"].endswith("status")
