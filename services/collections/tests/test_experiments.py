"""Champion / challenger over the real database: a segment's accounts split between two
strategies by the strategy run, each following its arm's strategy; the outcome report on a
constructed book whose answer is known (the challenger's accounts pay within the window, the
champion's do not); ending the experiment promotes the winner; bad set-ups refused.

Each test has its own business entity and segment; dates are about dates themselves (the run
date is given), never compared with the wall clock.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import select

from ar_collections.models import DunningState, ExperimentAccount, PromiseToPay
from ar_collections.testing import Book, money
from ar_shared.events.ledger import InvoiceSettled, PaymentApplied, PaymentReceived
from ar_shared.testing.http import assert_problem

pytestmark = pytest.mark.integration

D = date(2026, 3, 2)  # every invoice's due date
ACCOUNTS = 90


async def strategy(client: httpx.AsyncClient, manager: dict[str, str], name: str, template: str) -> None:
    steps = [{"days": 3, "action": "email_reminder", "template_key": template}]
    created = await client.post(
        "/v1/dunning-strategies", json={"name": name, "steps": steps}, headers=manager
    )
    assert created.status_code == 201, created.text


async def segment_with_two_strategies(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> tuple[str, str, str, str]:
    """(entity, segment id, champion strategy, challenger strategy)"""
    entity = f"X{uuid.uuid4().hex[:7].upper()}"
    champion, challenger = f"std-{entity.lower()}", f"early-{entity.lower()}"
    await strategy(client, manager, champion, "first_reminder")
    await strategy(client, manager, challenger, "demand_letter")
    segment = await client.post(
        "/v1/strategy-segments",
        json={"name": entity, "strategy": champion, "priority": uuid.uuid4().int % 900_000 + 1000,
              "business_entity": entity},
        headers=manager,
    )  # fmt: skip
    assert segment.status_code == 201, segment.text
    await book.business_date(entity, D)
    return entity, segment.json()["id"], champion, challenger


def experiment_body(segment_id: str, champion: str, challenger: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Demand letter first",
        "segment_id": segment_id,
        "currency": "EUR",
        "window_days": 30,
        "champion": "champion",
        "arms": [
            {"name": "champion", "strategy": champion, "share_percent": "50"},
            {"name": "challenger", "strategy": challenger, "share_percent": "50"},
        ],
        **changes,
    }


async def pay(book: Book, customer: uuid.UUID, invoice: uuid.UUID, on: date) -> None:
    payment = uuid.uuid4()
    await book.deliver(
        PaymentReceived(
            payment_id=payment, customer_id=customer, amount=money("100.00"), received_on=on,
            unapplied=money("0.00"),
        )
    )  # fmt: skip
    await book.deliver(
        PaymentApplied(
            application_id=uuid.uuid4(), customer_id=customer, invoice_id=invoice, source_kind="payment",
            source_id=payment, amount=money("100.00"), effective_date=on, invoice_open_balance=money("0.00"),
        )
    )  # fmt: skip
    await book.deliver(
        InvoiceSettled(
            invoice_id=invoice, customer_id=customer, invoice_number=f"INV-{invoice.hex[:8]}", settled_on=on,
            amount=money("100.00"),
        )
    )  # fmt: skip


async def test_the_run_splits_the_segment_and_the_report_finds_the_arm_that_collects_more(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    entity, segment_id, champion, challenger = await segment_with_two_strategies(client, manager, book)
    started = await client.post(
        "/v1/experiments", json=experiment_body(segment_id, champion, challenger), headers=manager
    )
    assert started.status_code == 201, started.text
    experiment = started.json()
    assert experiment["status"] == "running"
    assert [(a["name"], a["share_percent"], a["champion"]) for a in experiment["arms"]] == [
        ("champion", "50.00", True), ("challenger", "50.00", False),
    ]  # fmt: skip
    invoices = {}
    for _ in range(ACCOUNTS):
        customer = await book.account(entity=entity)
        invoices[customer] = await book.invoice(customer, due=D, amount="100.00", entity=entity)

    entered_on = D + timedelta(days=5)
    ran = await client.post(
        "/v1/strategy-runs",
        json={"business_entity": entity, "as_of": entered_on.isoformat()},
        headers=manager,
    )
    assert ran.status_code == 201, ran.text
    assert ran.json()["fired"] == {"email_reminder": ACCOUNTS}

    async with book.session() as session:
        arms = {
            e.customer_id: e.arm
            for e in await session.scalars(
                select(ExperimentAccount).where(
                    ExperimentAccount.experiment_id == uuid.UUID(experiment["id"])
                )
            )
        }
        followed = {
            s.customer_id: s.strategy_name
            for s in await session.scalars(select(DunningState).where(DunningState.customer_id.in_(invoices)))
        }
    assert arms.keys() == invoices.keys()
    by_arm = {"champion": champion, "challenger": challenger}
    assert all(followed[c] == by_arm[arm] for c, arm in arms.items())  # each account follows its arm
    sizes = {arm: list(arms.values()).count(arm) for arm in by_arm}
    assert min(sizes.values()) >= 30, sizes  # 90 accounts 50/50: far from 30 unless the split is broken

    # the challenger's accounts pay five days after entering; the champion's never do
    for customer, arm in arms.items():
        if arm == "challenger":
            await pay(book, customer, invoices[customer], entered_on + timedelta(days=5))
    # a rerun does not move or re-enter anyone
    await client.post(
        "/v1/strategy-runs",
        json={"business_entity": entity, "as_of": (entered_on + timedelta(days=1)).isoformat()},
        headers=manager,
    )

    early = await client.get(
        f"/v1/experiments/{experiment['id']}/outcomes",
        params={"as_of": (entered_on + timedelta(days=29)).isoformat()},
        headers=manager,
    )
    assert early.status_code == 200, early.text
    assert [a["accounts_measured"] for a in early.json()["arms"]] == [0, 0]  # no window has ended
    assert early.json()["arms"][1]["verdict"].startswith("not enough data")

    report = await client.get(
        f"/v1/experiments/{experiment['id']}/outcomes",
        params={"as_of": (entered_on + timedelta(days=30)).isoformat()},
        headers=manager,
    )
    assert report.status_code == 200, report.text
    kept, tried = report.json()["arms"]
    assert (kept["arm"], kept["accounts_entered"], kept["accounts_measured"]) == (
        "champion", sizes["champion"], sizes["champion"],
    )  # fmt: skip
    assert tried["accounts_measured"] == sizes["challenger"]
    assert kept["cash_collected"]["total"] == "0.00"
    assert tried["cash_collected"]["total"] == f"{100 * sizes['challenger']}.00"
    assert tried["cash_collected"]["mean"] == "100.00"
    assert (kept["cure_rate"]["rate"], tried["cure_rate"]["rate"]) == (0.0, 1.0)
    # 5 days past due on entering (1-30), 35 at the window's end (31-60) unless paid
    assert (kept["roll_rate"]["rate"], tried["roll_rate"]["rate"]) == (1.0, 0.0)
    against = tried["against_champion"]
    assert against["cash_collected"]["test"] == "mann_whitney_u"
    assert against["cash_collected"]["significant"] is True
    assert against["cure_rate"]["p_value"] < 1e-6
    assert tried["verdict"].startswith("challenger collects more than champion (p = ")
    assert kept["verdict"] is None
    assert kept["against_champion"] == {}
    # CEI over each window: 100 owed on entering, no sales, 0 current at the end. The champion's
    # accounts (100 + 0 - 100) / (100 + 0 - 0) = 0 %, the challenger's (100 - 0) / (100 - 0) = 100 %
    assert kept["cei"] == {
        "accounts": sizes["champion"], "cei_percent": "0.00", "mean": 0.0,
        "interval": {"low": 0.0, "high": 0.0},
    }  # fmt: skip
    assert tried["cei"] == {
        "accounts": sizes["challenger"], "cei_percent": "100.00", "mean": 100.0,
        "interval": {"low": 100.0, "high": 100.0},
    }  # fmt: skip
    assert against["cei"] == {
        "test": "welch_t", "difference": 100.0, "p_value": 0.0, "significant": True, "enough_data": True,
    }  # fmt: skip
    # no promise was taken: no rate, nothing to test
    assert tried["promise_kept_rate"] == {"successes": 0, "accounts": 0, "rate": None, "interval": None}
    assert against["promise_kept_rate"]["p_value"] is None

    await exported_as_reported(
        client, manager, experiment["id"], entered_on + timedelta(days=30), report.json()
    )

    ended = await client.post(
        f"/v1/experiments/{experiment['id']}/end", json={"promote": "challenger"}, headers=manager
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["promoted_arm"]) == ("ended", "challenger")
    segments = (await client.get("/v1/strategy-segments", headers=manager)).json()
    assert next(s for s in segments if s["id"] == segment_id)["strategy"] == challenger
    again = await client.post(
        f"/v1/experiments/{experiment['id']}/end", json={"promote": "champion"}, headers=manager
    )
    assert (again.status_code, again.json()["code"]) == (409, "experiment_ended")
    still = await client.get(f"/v1/experiments/{experiment['id']}/outcomes", headers=manager)
    assert still.status_code == 200


async def exported_as_reported(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    experiment_id: str,
    as_of: date,
    report: dict[str, Any],
) -> None:
    url = f"/v1/experiments/{experiment_id}/outcomes/export"
    xlsx = await client.get(url, params={"as_of": as_of.isoformat(), "format": "xlsx"}, headers=manager)
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "arm", "strategy", "champion", "accounts entered", "accounts measured", "currency", "cash collected",
    )  # fmt: skip
    assert sheet.freeze_panes == "A2"
    challenger = report["arms"][1]
    row = rows[2]
    assert row[0] == "challenger"
    assert row[4] == challenger["accounts_measured"]
    assert row[6] == float(challenger["cash_collected"]["total"])  # a number, not text
    assert sheet.cell(row=3, column=7).number_format == "#,##0.00##"
    assert row[11] == 1  # cure rate
    named = dict(zip(rows[0], row, strict=True))
    assert (named["CEI %"], named["CEI accounts"], named["CEI mean per account"]) == (
        100, challenger["cei"]["accounts"], 100,
    )  # fmt: skip
    assert sheet.cell(row=3, column=rows[0].index("CEI %") + 1).number_format == "#,##0.00##"
    assert (named["CEI p (Welch)"], named["promises judged"], named["promise kept rate"]) == (0, 0, None)
    assert row[-1] == challenger["verdict"]
    csv_text = (await client.get(url, params={"as_of": as_of.isoformat()}, headers=manager)).text
    assert csv_text.splitlines()[2].startswith(f"challenger,{challenger['strategy']},no,")


async def test_bad_set_ups_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, manager: dict[str, str], collector: dict[str, str], book: Book
) -> None:
    _, segment_id, champion, challenger = await segment_with_two_strategies(client, manager, book)
    body = experiment_body(segment_id, champion, challenger)
    listed_before = (await client.get("/v1/experiments", params={"limit": 200}, headers=manager)).json()

    def arms(*shares: str) -> list[dict[str, str]]:
        return [{"name": f"arm{n}", "strategy": champion, "share_percent": s} for n, s in enumerate(shares)]

    short = assert_problem(
        await client.post("/v1/experiments", json={**body, "arms": arms("60", "30"), "champion": "arm0"},
                          headers=manager),
        422, "invalid_experiment",
    )  # fmt: skip
    assert [(e["field"], e["code"]) for e in short["errors"]] == [("arms", "shares_not_100")]
    unknown = assert_problem(
        await client.post(
            "/v1/experiments",
            json={**body, "champion": "nobody", "arms": [*body["arms"][:1],
                  {"name": "champion", "strategy": "no-such-strategy", "share_percent": "50"}]},
            headers=manager,
        ),
        422, "invalid_experiment",
    )  # fmt: skip
    assert {(e["field"], e["code"]) for e in unknown["errors"]} == {
        ("arms[1].name", "duplicate_arm"),
        ("arms[1].strategy", "unknown_strategy"),
        ("champion", "unknown_arm"),
    }
    assert_problem(
        await client.post("/v1/experiments", json={**body, "segment_id": str(uuid.uuid4())}, headers=manager),
        422, "segment_not_found",
    )  # fmt: skip
    for bad_share in (0.5, "0", "-10", "100.001"):
        response = await client.post(
            "/v1/experiments", json={**body, "arms": [{**body["arms"][0], "share_percent": bad_share}]},
            headers=manager,
        )  # fmt: skip
        assert response.status_code == 422, (bad_share, response.text)
    forbidden = await client.post("/v1/experiments", json=body, headers=collector)
    assert forbidden.status_code == 403
    listed_after = (await client.get("/v1/experiments", params={"limit": 200}, headers=manager)).json()
    assert listed_after["items"] == listed_before["items"]  # nothing written

    started = await client.post("/v1/experiments", json=body, headers=manager)
    assert started.status_code == 201, started.text
    assert_problem(
        await client.post("/v1/experiments", json=body, headers=manager), 409, "segment_in_experiment"
    )
    assert_problem(
        await client.delete(f"/v1/strategy-segments/{segment_id}", headers=manager),
        409,
        "segment_in_experiment",
    )
    assert_problem(
        await client.get(f"/v1/experiments/{uuid.uuid4()}", headers=manager), 404, "experiment_not_found"
    )
    experiment_id = started.json()["id"]
    no_arm = await client.post(f"/v1/experiments/{experiment_id}/end", json={"promote": "x"}, headers=manager)
    assert_problem(no_arm, 422, "unknown_arm")
    fetched = await client.get(f"/v1/experiments/{started.json()['id']}", headers=manager)
    assert fetched.json() == started.json()


async def test_experiments_page_newest_first_with_a_cursor(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    ids = []
    for _ in range(3):
        _, segment_id, champion, challenger = await segment_with_two_strategies(client, manager, book)
        started = await client.post(
            "/v1/experiments", json=experiment_body(segment_id, champion, challenger), headers=manager
        )
        ids.append(started.json()["id"])
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get("/v1/experiments", params=params, headers=manager)).json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    keys = [(e["created_at"], e["id"]) for e in seen]
    assert keys == sorted(keys, reverse=True)  # newest first, no repeats, nothing skipped
    assert len(set(keys)) == len(keys)
    assert set(ids) <= {e["id"] for e in seen}
    forged = await client.get("/v1/experiments", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=manager)
    assert forged.status_code == 400


async def arms_with_promises(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book, kept: tuple[int, int]
) -> dict[str, Any]:
    """An experiment whose 40 champion and 40 challenger accounts entered on D + 5 and each took one
    promise within the window, of which `kept` (champion, challenger) were kept and the rest
    broken; plus promises that must not count. Returns the outcome report at the window's end."""
    _, segment_id, champion, challenger = await segment_with_two_strategies(client, manager, book)
    started = await client.post(
        "/v1/experiments", json=experiment_body(segment_id, champion, challenger), headers=manager
    )
    assert started.status_code == 201, started.text
    experiment_id = uuid.UUID(started.json()["id"])
    entered_on = D + timedelta(days=5)
    customers = {arm: [await book.account() for _ in range(40)] for arm in ("champion", "challenger")}

    def promise(customer: uuid.UUID, status: str, promised: date, judged: date | None) -> PromiseToPay:
        return PromiseToPay(
            customer_id=customer, business_entity="DE01", currency="EUR", exponent=2, amount_minor=10_000,
            promised_date=promised, tolerance_days=2, channel="call",
            recorded_on=entered_on + timedelta(days=2), status=status,
            received_minor=10_000 if status == "kept" else 0, judged_on=judged, recorded_by="collector",
        )  # fmt: skip

    promised = entered_on + timedelta(days=10)
    async with book.session() as session:
        for (arm, accounts), kept_count in zip(customers.items(), kept, strict=True):
            for n, customer in enumerate(accounts):
                session.add(ExperimentAccount(experiment_id=experiment_id, customer_id=customer, arm=arm,
                                              entered_on=entered_on))  # fmt: skip
                status = "kept" if n < kept_count else "broken"
                session.add(promise(customer, status, promised, promised + timedelta(days=3)))
        # neither counts: a deadline after the window's end (kept early), and a promise still open
        late = entered_on + timedelta(days=29)
        session.add(promise(customers["champion"][-1], "kept", late, entered_on + timedelta(days=3)))
        session.add(promise(customers["champion"][-2], "open", promised, None))
    report = await client.get(
        f"/v1/experiments/{experiment_id}/outcomes",
        params={"as_of": (entered_on + timedelta(days=30)).isoformat()},
        headers=manager,
    )
    assert report.status_code == 200, report.text
    return dict(report.json())


async def test_the_report_finds_the_arm_that_keeps_more_promises_and_none_where_both_keep_as_many(
    client: httpx.AsyncClient, manager: dict[str, str], book: Book
) -> None:
    # 10 of 40 kept against 34 of 40: pooled 44 / 80 = 0.55, z = 0.6 / sqrt(0.55 x 0.45 x 2 / 40) = 5.39
    clear = await arms_with_promises(client, manager, book, kept=(10, 34))
    champion, challenger = clear["arms"]
    assert (champion["promise_kept_rate"]["successes"], champion["promise_kept_rate"]["accounts"]) == (10, 40)
    assert (challenger["promise_kept_rate"]["successes"], challenger["promise_kept_rate"]["accounts"]) == (
        34,
        40,
    )
    assert (champion["promise_kept_rate"]["rate"], challenger["promise_kept_rate"]["rate"]) == (0.25, 0.85)
    interval = challenger["promise_kept_rate"]["interval"]
    assert interval["low"] < 0.85 < interval["high"]
    test = challenger["against_champion"]["promise_kept_rate"]
    assert test["test"] == "two_proportion_z"
    assert test["difference"] == pytest.approx(0.6)
    assert test["p_value"] == pytest.approx(7.0e-8, rel=0.1)
    assert (test["significant"], test["enough_data"]) == (True, True)
    assert challenger["cei"] == {"accounts": 0, "cei_percent": None, "mean": None, "interval": None}  # no AR

    # 20 of 40 kept in both arms: no difference at all
    null = await arms_with_promises(client, manager, book, kept=(20, 20))
    test = null["arms"][1]["against_champion"]["promise_kept_rate"]
    assert (null["arms"][0]["promise_kept_rate"]["rate"], null["arms"][1]["promise_kept_rate"]["rate"]) == (
        0.5,
        0.5,
    )
    assert (test["difference"], test["p_value"], test["significant"]) == (0.0, 1.0, False)
