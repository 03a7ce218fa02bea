"""The red flags raised at the close of business for any sequence of business dates (one day at a
time, a jump over two month ends, a few scattered dates) are those the job raises when it looks at
every kind on every date: two entities with the same books, one closed day by day, the other
judged in full by the job for the same dates. Business dates are set by hand: the figures are
about the example's dates only."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ar_collections.consumers import SYSTEM
from ar_collections.models import PromiseToPay, RedFlag
from ar_collections.red_flags import service as red_flags
from ar_collections.testing import Book, money
from ar_shared.events.credit import CreditLimitChanged

pytestmark = pytest.mark.integration

FIRST = date(2026, 2, 26)
LAST = date(2026, 4, 2)
DAY_BY_DAY = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
JUMP = [FIRST, date(2026, 4, 1), LAST]  # one announcement over the ends of February and March
SCATTERED = [FIRST, date(2026, 3, 14), date(2026, 3, 31), LAST]

Seen = tuple[int, str, str, date, str]


def broken(customer: uuid.UUID, entity: str, judged: date) -> PromiseToPay:
    return PromiseToPay(
        customer_id=customer, business_entity=entity, currency="EUR", exponent=2, amount_minor=10000,
        promised_date=judged, tolerance_days=0, channel="call", recorded_on=judged, status="broken",
        received_minor=0, judged_on=judged, recorded_by="collector-anna",
    )  # fmt: skip


async def troubled_book(book: Book, entity: str) -> tuple[list[uuid.UUID], dict[str, str]]:
    """Four customers, one for each kind of flag: never pays a monthly 1,000 (ADD 31, 62, 84, 124
        from December: rising three months running at the end of March); a payment bounced on 15
        March; promises broken on 2 and 20 February and 5 March; 1,800 open against a limit of 1,000
        from 1 February (credit use above 90 % in February, March and April). Returns the customers and
    a name for each id a flag may quote (the payment, the promises)."""
    customers = [await book.account(entity=entity) for _ in range(4)]
    declining_id, bouncing_id, promising_id, borrowing_id = customers
    for year, month in ((2025, 12), (2026, 1), (2026, 2), (2026, 3), (2026, 4)):
        await book.invoice(
            declining_id,
            issued=date(year, month, 1),
            due=date(year, month, 10),
            amount="1000.00",
            entity=entity,
        )
    owed = await book.invoice(
        bouncing_id, issued=date(2026, 1, 5), due=date(2026, 2, 5), amount="500.00", entity=entity
    )
    payment = await book.pay(bouncing_id, owed, "500.00", "0.00", date(2026, 3, 10), received=True)
    await book.reverse(bouncing_id, payment, owed, "500.00", "500.00", date(2026, 3, 15))
    promises = [
        broken(promising_id, entity, d) for d in (date(2026, 2, 2), date(2026, 2, 20), date(2026, 3, 5))
    ]
    for promise in promises:
        promise.id = uuid.uuid4()
    async with book.session() as session:
        session.add_all(promises)
    for month in (1, 2):
        await book.invoice(
            borrowing_id,
            issued=date(2026, month, 1),
            due=date(2026, month + 1, 1),
            amount="900.00",
            entity=entity,
        )
    await book.deliver(
        CreditLimitChanged(
            customer_id=borrowing_id, previous_limit=None, new_limit=money("1000.00"),
            changed_by="credit", reason="x",
        )
    )  # fmt: skip
    names = {str(payment): "payment", **{str(p.id): f"promise {n}" for n, p in enumerate(promises)}}
    return customers, names


async def raised(book: Book, customers: list[uuid.UUID], names: dict[str, str]) -> list[Seen]:
    """Every flag raised on the customers, by the customer's place in the book, with the ids it
    quotes named."""
    async with book.session() as session:
        rows = (await session.scalars(select(RedFlag).where(RedFlag.customer_id.in_(customers)))).all()

    def named(text: str) -> str:
        for quoted, name in names.items():
            text = text.replace(quoted, name)
        return text

    return sorted(
        (
            customers.index(r.customer_id),
            r.kind,
            named(r.occurrence),
            r.raised_on,
            named(json.dumps(r.evidence)),
        )
        for r in rows
    )


def without_evidence(seen: list[Seen]) -> list[tuple[int, str, date]]:
    return sorted((c, kind, on) for c, kind, _, on, _ in seen)


@pytest.mark.parametrize("dates", [DAY_BY_DAY, JUMP, SCATTERED], ids=["day-by-day", "jump", "scattered"])
async def test_the_close_of_business_raises_what_judging_every_kind_every_day_raises(
    book: Book, dates: list[date]
) -> None:
    closed, judged = (f"C{uuid.uuid4().hex[:7].upper()}" for _ in range(2))
    closed_customers, closed_names = await troubled_book(book, closed)
    judged_customers, judged_names = await troubled_book(book, judged)
    settings = book.app.state.settings
    for day in dates:
        await book.business_date(closed, day)
        async with book.session() as session:
            await red_flags.run(session, SYSTEM, day, judged, settings)

    seen = await raised(book, closed_customers, closed_names)
    assert seen == await raised(book, judged_customers, judged_names)
    credit_use = [(3, "credit_use", on) for on in month_firsts(dates)]
    assert without_evidence(seen) == sorted([*credit_use, *EXPECTED[label(dates)]])
    assert [o for c, k, o, _, _ in seen if k == "credit_use"] == [f"{d:%Y-%m}" for d in month_firsts(dates)]
    assert [o for c, k, o, _, _ in seen if k == "add_rising"] == ["from 2025-12"]


# (customer, kind, raised on) besides credit use: the bounced payment and the third broken promise
# are raised on the first date that sees them; ADD on the first date whose last complete month is March
EXPECTED = {
    "day-by-day": [
        (0, "add_rising", date(2026, 3, 31)),
        (1, "bounced_payment", date(2026, 3, 15)),
        (2, "broken_promises", date(2026, 3, 5)),
    ],
    "jump": [
        (0, "add_rising", date(2026, 4, 1)),
        (1, "bounced_payment", date(2026, 4, 1)),
        (2, "broken_promises", date(2026, 4, 1)),
    ],
    "scattered": [
        (0, "add_rising", date(2026, 3, 31)),
        (1, "bounced_payment", date(2026, 3, 31)),
        (2, "broken_promises", date(2026, 3, 14)),
    ],
}


def label(dates: list[date]) -> str:
    return "day-by-day" if dates is DAY_BY_DAY else "jump" if dates is JUMP else "scattered"


def month_firsts(dates: list[date]) -> list[date]:
    """The first date of each month in `dates` (credit use is raised once a month)."""
    firsts: dict[tuple[int, int], date] = {}
    for day in dates:
        firsts.setdefault((day.year, day.month), day)
    return list(firsts.values())
