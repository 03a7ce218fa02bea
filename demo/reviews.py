"""Credit reviews of every customer once the opening book is in, then the assignment rules run
again: collections keeps each profile's risk class (`CreditRiskClassChanged`; a review's class
only stands in until the profile's arrives), so the late-stage collectors get the risky accounts."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

from demo.book import Book, CustomerPlan
from demo.client import Api, ApiError
from demo.erp import money
from demo.organisation import Organisation

# balance sheets per payment profile, in thousands of the customer's currency
FINANCIALS = {
    "prompt": (2000, 800, 1500, 3000, 10000, 800, 25),
    "slow": (1200, 900, 2000, 1200, 6000, 200, 10),
    "late": (600, 700, 2500, 400, 4000, 20, 5),
    "delinquent": (300, 800, 3000, -200, 2000, -300, 2),
}
FIELDS = ("current_assets", "current_liabilities", "total_liabilities", "equity", "revenue", "net_income")


async def review_everyone(api: Api, book: Book, organisation: Organisation, timeout: float = 120) -> None:
    async def review(customer: CustomerPlan) -> None:
        *amounts, years = FINANCIALS[customer.profile.name]
        currency = customer.entity.currency
        financials: dict[str, object] = {
            f: money(Decimal(a * 1000), currency) for f, a in zip(FIELDS, amounts, strict=True)
        }
        financials["years_in_business"] = years
        await api.post(
            "credit",
            "/v1/credit-reviews",
            {"customer_id": customer.customer_id, "financials": financials},
            subject="credit-analyst",
            scopes=("credit:manage",),
        )

    await asyncio.gather(*(review(c) for c in book.customers))
    started = time.monotonic()

    async def classed(customer: CustomerPlan) -> bool:
        try:
            view = await api.get("collections", f"/v1/accounts/{customer.customer_id}")
        except ApiError as unknown:
            if unknown.status != 404:
                raise
            return False
        return view["credit"]["risk_class"] is not None

    # the last review posted is about the last to arrive: once it has, one round asks about all
    # (an account view each), and only the few not classed yet are asked again
    last, pause = book.customers[-1], 0.05
    while not await classed(last) and time.monotonic() - started < timeout:
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.5)
    waiting = list(book.customers)
    while waiting and time.monotonic() - started < timeout:
        known = await asyncio.gather(*(classed(c) for c in waiting))
        waiting = [c for c, k in zip(waiting, known, strict=True) if not k]
        if waiting:
            await asyncio.sleep(0.5)
    manager = organisation.desks[0].manager
    await api.post(
        "collections",
        "/v1/assignment-runs",
        {"dry_run": False},
        subject=manager,
        scopes=("collections:manage",),
    )
