"""Business dates: each entity's today, by its calendar or set by an admin, forward only; every day
crossed is closed in order (past-due sweep, then BusinessDateChanged), by the API and the worker."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ar_ledger.business_dates.closing import close_due_entities
from ar_ledger.config import LedgerSettings
from ar_ledger.models import plumbing
from ar_shared.clock import Clock, ManualClock
from ar_shared.testing.clock import pinned_clock
from ar_shared.testing.http import bearer

pytestmark = pytest.mark.integration

# 23:30 UTC on a weekday: already tomorrow in Tokyo, still today in New York
CLOCK = pinned_clock(time(23, 30))


@pytest.fixture(autouse=True)
def clock() -> Clock:
    CLOCK.set(pinned_clock(time(23, 30)).now())
    return CLOCK


def today() -> date:
    return CLOCK.now().date()


@pytest.fixture
def admin(ledger_settings: LedgerSettings) -> dict[str, str]:
    return bearer(ledger_settings.auth, "admin", subject="platform-admin", clock=CLOCK)


def entity() -> str:
    return f"BD{uuid.uuid4().hex[:8].upper()}"


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def put_date(
    client: httpx.AsyncClient, headers: dict[str, str], business_entity: str, **body: Any
) -> httpx.Response:
    return await client.put(f"/v1/business-dates/{business_entity}", json=body, headers=headers)


async def customer(
    client: httpx.AsyncClient, writer: dict[str, str], business_entity: str, external_id: str | None = None
) -> tuple[str, str]:
    external_id = external_id or f"BD-{uuid.uuid4().hex[:10]}"
    body = {
        "name": "Late Payer",
        "currency": "EUR",
        "payment_terms_days": 30,
        "business_entity": business_entity,
    }
    response = await client.put(f"/v1/customers/external/{external_id}", json=body, headers=writer)
    assert response.status_code == 201, response.text
    return external_id, str(response.json()["id"])


async def invoice(
    client: httpx.AsyncClient, writer: dict[str, str], external_id: str, amount: str, due: date
) -> dict[str, Any]:
    response = await client.post(
        "/v1/invoices",
        json={"customer_external_id": external_id, "invoice_number": f"I-{uuid.uuid4().hex[:10]}",
              "issue_date": (due - timedelta(days=30)).isoformat(), "due_date": due.isoformat(),
              "amount": eur(amount)},
        headers=writer,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return dict(response.json())


async def events(app: FastAPI, *keys: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, data) of the outbox rows keyed by `keys`, in the order they were written."""
    o = plumbing.outbox
    async with app.state.sessionmaker() as session:
        rows = await session.execute(
            select(o.c.event_type, o.c.envelope).where(o.c.message_key.in_(keys)).order_by(o.c.id)
        )
        return [(r.event_type.split(".")[2], dict(r.envelope["data"])) for r in rows]


async def test_each_entity_follows_the_calendar_of_its_own_time_zone(
    client: httpx.AsyncClient, admin: dict[str, str], reader: dict[str, str]
) -> None:
    tokyo, new_york = entity(), entity()
    assert (await put_date(client, admin, tokyo, time_zone="Asia/Tokyo")).status_code == 200
    assert (await put_date(client, admin, new_york, time_zone="America/New_York")).status_code == 200

    expected = {tokyo: ("Asia/Tokyo", today() + timedelta(days=1)), new_york: ("America/New_York", today())}

    async def dates() -> dict[str, tuple[str, date]]:
        found = {}
        for name in expected:
            response = await client.get(f"/v1/business-dates/{name}", headers=reader)
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["mode"] == "calendar"
            assert response.headers["etag"] == f'W/"{body["version"]}"'
            found[name] = (body["time_zone"], date.fromisoformat(body["business_date"]))
        return found

    assert await dates() == expected
    CLOCK.advance(timedelta(hours=1))  # past midnight UTC: evening still in New York, morning in Tokyo
    assert await dates() == expected


async def test_an_entity_never_set_follows_the_default_time_zone(
    client: httpx.AsyncClient, writer: dict[str, str], reader: dict[str, str]
) -> None:
    name = entity()
    await customer(client, writer, name)
    body = (await client.get(f"/v1/business-dates/{name}", headers=reader)).json()
    assert body == body | {
        "business_entity": name, "business_date": today().isoformat(), "mode": "calendar",
        "time_zone": "UTC", "last_closed": None, "version": 0,
    }  # fmt: skip


async def test_setting_a_date_by_hand_closes_each_day_crossed_in_order(
    client: httpx.AsyncClient, ledger_app: FastAPI, admin: dict[str, str], writer: dict[str, str]
) -> None:
    name = entity()
    external_id, customer_id = await customer(client, writer, name)
    overdue = await invoice(client, writer, external_id, "500.00", due=today() - timedelta(days=29))

    target = today() + timedelta(days=3)
    response = await put_date(client, admin, name, business_date=target.isoformat())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["business_date"], body["mode"], body["last_closed"]) == (
        target.isoformat(),
        "manual",
        target.isoformat(),
    )
    assert response.headers["etag"] == 'W/"1"'

    # today (never closed before), then each day up to the target: the sweep first, then the date
    written = await events(ledger_app, name, customer_id)
    changes = [(e, d.get("previous_date"), d.get("business_date"), d.get("bucket")) for e, d in written
               if e in {"BusinessDateChanged", "AccountPastDue"}]  # fmt: skip
    day = [(today() + timedelta(days=n)).isoformat() for n in range(4)]
    assert changes == [
        ("AccountPastDue", None, None, "1-30"),
        ("BusinessDateChanged", None, day[0], None),
        ("BusinessDateChanged", day[0], day[1], None),
        ("AccountPastDue", None, None, "31-60"),  # 31 days past due on day 2
        ("BusinessDateChanged", day[1], day[2], None),
        ("BusinessDateChanged", day[2], day[3], None),
    ]
    past_due = [d for e, d in written if e == "AccountPastDue"]
    assert [(d["as_of"], d["oldest_days_past_due"], d["overdue_invoice_ids"]) for d in past_due] == [
        (day[0], 29, [overdue["id"]]),
        (day[2], 31, [overdue["id"]]),
    ]
    assert {d["mode"] for e, d in written if e == "BusinessDateChanged"} == {"manual"}

    again = await put_date(client, admin, name, business_date=target.isoformat())
    assert again.status_code == 200
    assert again.json()["version"] == 1
    assert len(await events(ledger_app, name, customer_id)) == len(written)  # the same date: nothing new


async def test_a_business_date_never_moves_back(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    name = entity()
    ahead = today() + timedelta(days=5)
    assert (await put_date(client, admin, name, business_date=ahead.isoformat())).status_code == 200

    for body in [
        {"business_date": (ahead - timedelta(days=1)).isoformat()},
        {},
    ]:  # back, or back to the calendar
        refused = await put_date(client, admin, name, **body)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "business_date_backward"
        assert ahead.isoformat() in refused.json()["detail"]

    # a calendar entity cannot move to a time zone where it is still yesterday
    zoned = entity()
    assert (await put_date(client, admin, zoned, time_zone="Asia/Tokyo")).status_code == 200
    refused = await put_date(client, admin, zoned, time_zone="America/New_York")
    assert refused.status_code == 409
    assert refused.json()["code"] == "business_date_backward"


async def test_a_date_too_far_ahead_is_set_in_steps(
    client: httpx.AsyncClient, admin: dict[str, str], ledger_settings: LedgerSettings
) -> None:
    far = today() + timedelta(days=ledger_settings.max_business_days_per_change + 1)
    refused = await put_date(client, admin, entity(), business_date=far.isoformat())
    assert refused.status_code == 422
    assert refused.json()["code"] == "business_date_too_far"


async def test_a_stale_if_match_is_refused_and_only_an_admin_sets_the_date(
    client: httpx.AsyncClient, admin: dict[str, str], writer: dict[str, str]
) -> None:
    name = entity()
    first = await put_date(client, admin, name, business_date=(today() + timedelta(days=1)).isoformat())
    etag = first.headers["etag"]
    assert (await put_date(client, admin, name, time_zone="Europe/Berlin")).status_code == 200

    stale = await client.put(
        f"/v1/business-dates/{name}",
        json={"business_date": (today() + timedelta(days=2)).isoformat()},
        headers=admin | {"If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "etag_mismatch"

    forbidden = await put_date(client, writer, name, business_date=(today() + timedelta(days=2)).isoformat())
    assert forbidden.status_code == 403


async def test_an_unknown_time_zone_is_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    refused = await put_date(client, admin, entity(), time_zone="Mars/Olympus_Mons")
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("time_zone", "unknown_time_zone")]


async def test_setting_the_date_is_audited(
    client: httpx.AsyncClient, ledger_app: FastAPI, admin: dict[str, str]
) -> None:
    name = entity()
    await put_date(client, admin, name, business_date=(today() + timedelta(days=1)).isoformat())
    audit = plumbing.audit_log
    async with ledger_app.state.sessionmaker() as session:
        rows = (await session.execute(select(audit).where(audit.c.entity_id == name))).all()
    assert [(r.action, r.actor, r.before["mode"], r.after["mode"]) for r in rows] == [
        ("business_date.set", "platform-admin", "calendar", "manual")
    ]


async def test_the_list_names_every_entity_with_customers_or_a_date(
    client: httpx.AsyncClient, admin: dict[str, str], writer: dict[str, str], reader: dict[str, str]
) -> None:
    with_customers, with_a_date = entity(), entity()
    await customer(client, writer, with_customers)
    await put_date(client, admin, with_a_date, time_zone="Asia/Tokyo")
    seen: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/business-dates", params=params, headers=reader)).json()
        seen |= {item["business_entity"]: item for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen[with_customers]["time_zone"] == "UTC"
    assert seen[with_a_date]["business_date"] == (today() + timedelta(days=1)).isoformat()


async def test_the_worker_closes_each_calendar_day_once_in_each_entitys_time_zone(
    client: httpx.AsyncClient, ledger_app: FastAPI, admin: dict[str, str], ledger_settings: LedgerSettings
) -> None:
    tokyo, manual = entity(), entity()
    await put_date(client, admin, tokyo, time_zone="Asia/Tokyo")  # closes its today (tomorrow in UTC)
    await put_date(client, admin, manual, business_date=(today() + timedelta(days=10)).isoformat())
    worker_clock = ManualClock(CLOCK.now())

    async def close() -> dict[str, list[date]]:
        closed = await close_due_entities(
            ledger_app.state.sessionmaker, worker_clock, default_time_zone="UTC",
            edges=ledger_settings.aging_edges, max_days_per_transaction=2,
        )  # fmt: skip
        return {e: d for e, d in closed.items() if e in {tokyo, manual}}

    assert await close() == {}  # nothing turned since
    worker_clock.advance(timedelta(days=3))  # a worker stopped for three days catches up, in steps of 2
    tokyo_today = (worker_clock.now() + timedelta(hours=9)).date()
    assert await close() == {tokyo: [tokyo_today - timedelta(days=n) for n in (2, 1, 0)]}
    assert await close() == {}
    changes = [d for e, d in await events(ledger_app, tokyo) if e == "BusinessDateChanged"]
    assert [(d["previous_date"], d["business_date"], d["mode"]) for d in changes][-3:] == [
        (
            (tokyo_today - timedelta(days=n + 1)).isoformat(),
            (tokyo_today - timedelta(days=n)).isoformat(),
            "calendar",
        )
        for n in (2, 1, 0)
    ]


async def test_closing_thirty_days_at_once_says_what_thirty_daily_sweeps_say(
    client: httpx.AsyncClient, ledger_app: FastAPI, admin: dict[str, str], writer: dict[str, str]
) -> None:
    """The close of a range sweeps every day in one pass; the same books swept one day at a time
    (by the sweep route, for another entity) announce the same crossings on the same days, with
    payments, an unapply and a void dated inside the range."""
    at_once, daily = entity(), entity()
    customers: dict[str, str] = {}

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=writer)
        assert response.status_code in {200, 201}, response.text
        return dict(response.json())

    def on(n: int) -> str:
        return (today() + timedelta(days=n)).isoformat()

    def payment(external_id: str, amount: str, received_on: str, invoice_id: str) -> dict[str, Any]:
        return {"customer_external_id": external_id, "amount": eur(amount), "received_on": received_on,
                "allocations": [{"invoice_id": invoice_id, "amount": eur(amount)}]}  # fmt: skip

    for name in (at_once, daily):
        external_id, customers[name] = await customer(client, writer, name)
        old = await invoice(client, writer, external_id, "300.00", due=today() - timedelta(days=25))
        younger = await invoice(client, writer, external_id, "200.00", due=today() - timedelta(days=5))
        billed_twice = await invoice(client, writer, external_id, "100.00", due=today() - timedelta(days=40))

        # the oldest paid on day 12: the account is younger from then on, and crosses 30 days again on
        # day 26 with the other one; that one was paid on day 3 and the payment taken back on day 15
        await post("/v1/payments", payment(external_id, "300.00", on(12), old["id"]))
        paid = await post("/v1/payments", payment(external_id, "200.00", on(3), younger["id"]))
        await post(f"/v1/applications/{paid['applications'][0]['id']}/unapply", {"effective_date": on(15)})
        # the oldest of all was billed twice: void from day 2, the account is 25 days past due again
        await post(f"/v1/invoices/{billed_twice['id']}/void", {"voided_on": on(2), "reason": "billed twice"})
    await put_date(client, admin, at_once, business_date=on(30))
    for n in range(31):
        response = await client.post(
            "/v1/past-due-sweeps", json={"as_of": on(n), "business_entity": daily}, headers=writer
        )
        assert response.status_code == 200, response.text
        assert response.json()["business_entity"] == daily

    said = {}
    for name in (at_once, daily):
        written = await events(ledger_app, customers[name])
        said[name] = [(d["as_of"], d["oldest_days_past_due"], d["bucket"], d["overdue"])
                      for e, d in written if e == "AccountPastDue"]  # fmt: skip
    assert said[at_once] == said[daily]
    assert said[at_once] == [
        (on(0), 40, "31-60", [eur("600.00")]),  # day 2: void, 27 days past due (remembered silently)
        (on(6), 31, "31-60", [eur("300.00")]),  # day 12: paid, nothing overdue (forgotten)
        (on(15), 20, "1-30", [eur("200.00")]),  # the payment taken back: overdue again
        (on(26), 31, "31-60", [eur("200.00")]),
    ]
