"""What a charging step does when it fires: a dunning fee of its level and/or late-payment
interest on the unpaused overdue items, each a `DunningChargeRequested` through the outbox (the
ledger issues the fee document, whose invoice id is the request id) and a `dunning_charges` row.

Fee documents the ledger issued for earlier charges are open items too: they are never charged
interest (no interest on fees or on interest). Interest already charged through a date is not
charged again for those days."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.charges.repository import ChargeRepository
from ar_collections.charges.service import fee_schedule, interest_terms
from ar_collections.domain import charges
from ar_collections.dunning.repository import DunnedAccount, DunnedItem
from ar_collections.models import DunningCharge
from ar_collections.recording import outbox
from ar_shared.events.collections import ChargedItem, DunningChargeRequested
from ar_shared.money import Money, MoneyTotal, PositiveMoneyAmount

# request ids are derived from the account, cycle, step and kind: a retried chunk asks again with
# the same id, and the ledger issues one document per id
NAMESPACE = uuid.UUID("0c6b7d0e-2f4a-4e8b-9d51-7a3c1e5f9b20")


def charge_request_id(customer_id: uuid.UUID, cycle: int, step_days: int, kind: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{customer_id}:{cycle}:{step_days}:{kind}")


def _overdue(items: Sequence[DunnedItem], as_of: date, charge_ids: set[uuid.UUID]) -> list[DunnedItem]:
    return [i for i in items if i.due_date < as_of and i.open_minor > 0 and i.invoice_id not in charge_ids]


async def _request(session: AsyncSession, event: DunningChargeRequested, detail: dict[str, Any]) -> bool:
    charge = DunningCharge(
        request_id=event.request_id, customer_id=event.customer_id, kind=event.kind,
        currency=event.amount.currency, amount_minor=event.amount.to_money().minor, as_of=event.as_of,
        detail=detail,
    )  # fmt: skip
    if not await ChargeRepository(session).record(charge):
        return False  # asked for already (a retried chunk): nothing twice
    await outbox.add(session, event)
    return True


async def charge(
    session: AsyncSession,
    *,
    account: DunnedAccount,
    items: Sequence[DunnedItem],
    as_of: date,
    cycle: int,
    step_days: int,
    fee_level: int | None,
    with_interest: bool,
    strategy: str,
) -> dict[str, Any]:
    """Requests the step's charges; returns what was asked for (kept with the fired step)."""
    charge_ids = await ChargeRepository(session).request_ids(account.customer_id)
    overdue = _overdue(items, as_of, charge_ids)
    dpd = max(((as_of - i.due_date).days for i in overdue), default=0)
    common = {"customer_id": account.customer_id, "as_of": as_of, "days_past_due": dpd,
              "strategy": strategy, "step_days": step_days}  # fmt: skip
    detail: dict[str, Any] = {}
    if fee_level is not None:
        fee_minor = charges.fee_for_level(await fee_schedule(session), fee_level, account.currency)
        if fee_minor is None:
            detail["fee"] = {"skipped": "no_fee_for_level_and_currency", "level": fee_level}
        elif not overdue:
            detail["fee"] = {"skipped": "nothing_overdue"}
        else:
            request_id = charge_request_id(account.customer_id, cycle, step_days, "fee")
            event = DunningChargeRequested(
                request_id=request_id, kind="fee", level=fee_level,
                amount=PositiveMoneyAmount.from_money(Money(fee_minor, account.currency)),
                invoice_ids=[i.invoice_id for i in overdue], **common,
            )  # fmt: skip
            ids = [str(i) for i in event.invoice_ids]
            await _request(session, event, {"level": fee_level, "invoice_ids": ids})
            detail["fee"] = {"request_id": str(request_id), "amount": str(Money(fee_minor, account.currency))}
    if with_interest:
        detail["interest"] = await _interest(session, account, overdue, as_of, cycle, step_days, common)
    return detail


async def _interest(
    session: AsyncSession,
    account: DunnedAccount,
    overdue: Sequence[DunnedItem],
    as_of: date,
    cycle: int,
    step_days: int,
    common: dict[str, Any],
) -> dict[str, Any]:
    terms = await interest_terms(session, account.currency)
    if terms is None:
        return {"skipped": "no_interest_terms_for_currency"}
    through = await ChargeRepository(session).interest_charged_through(account.customer_id)
    late = [
        charges.LateItem(i.invoice_id, i.currency, i.open_minor, i.due_date, through.get(i.invoice_id))
        for i in overdue
    ]
    computed = charges.late_interest(late, terms, as_of)
    total = sum(c.interest_minor for c in computed)
    if total <= 0:
        return {"skipped": "no_interest_due"}
    currency = account.currency
    request_id = charge_request_id(account.customer_id, cycle, step_days, "interest")
    event = DunningChargeRequested(
        request_id=request_id, kind="interest", day_count=terms.day_count,
        amount=PositiveMoneyAmount.from_money(Money(total, currency)),
        invoice_ids=[c.invoice_id for c in computed],
        items=[
            ChargedItem(
                invoice_id=c.invoice_id, open_balance=MoneyTotal.from_money(Money(c.open_minor, currency)),
                interest_from=c.interest_from, days_late=c.days_late,
                interest=MoneyTotal.from_money(Money(c.interest_minor, currency)),
            )
            for c in computed
        ],
        **common,
    )  # fmt: skip
    await _request(session, event, {"invoice_ids": [str(c.invoice_id) for c in computed]})
    return {"request_id": str(request_id), "amount": str(Money(total, currency)), "items": len(computed)}
