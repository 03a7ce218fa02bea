"""Recording a promise to pay: checked whole (nothing is written when anything is wrong), then its
items paused and marked "promised", the contact logged and the confirmation sent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections import notices
from ar_collections.activities import service as activities
from ar_collections.activities.schemas import ActivityCreate
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.config import get_settings
from ar_collections.domain.promises import deadline
from ar_collections.models import OpenItem, PromiseItem, PromiseToPay
from ar_collections.models.activity import CONTACT_KINDS
from ar_collections.portfolios.service import require_account
from ar_collections.promises import coverage
from ar_collections.promises import repository as sql
from ar_collections.promises.repository import PromiseRepository
from ar_collections.promises.schemas import Promise, PromiseCreate, PromiseStanding
from ar_collections.recording import audit, outbox
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.events.collections import PromiseToPayRecorded
from ar_shared.money import Money, MoneyAmount, MoneyTotal, format_minor
from ar_shared.problems import FieldError, NotFound, Unprocessable


def promise_out(promise: PromiseToPay, items: Sequence[PromiseItem]) -> Promise:
    return Promise(
        id=promise.id,
        customer_id=promise.customer_id,
        amount=MoneyAmount.from_money(Money(promise.amount_minor, promise.currency)),
        promised_date=promise.promised_date,
        tolerance_days=promise.tolerance_days,
        deadline=deadline(promise.promised_date, promise.tolerance_days),
        invoice_ids=[i.invoice_id for i in items],
        channel=promise.channel,
        contact=promise.contact,
        note=promise.note,
        status=promise.status,
        received=MoneyTotal.from_money(Money(promise.received_minor, promise.currency)),
        recorded_on=promise.recorded_on,
        judged_on=promise.judged_on,
        activity_id=promise.activity_id,
        recorded_by=promise.recorded_by,
        created_at=promise.created_at,
    )


def _oldest_first(items: Sequence[OpenItem], currency: str, amount_minor: int) -> list[OpenItem]:
    chosen: list[OpenItem] = []
    reached = 0
    for item in items:
        if item.currency != currency or reached >= amount_minor:
            continue
        chosen.append(item)
        reached += item.open_minor
    return chosen


async def _covered_items(
    session: AsyncSession, customer_id: uuid.UUID, data: PromiseCreate, errors: list[FieldError]
) -> list[OpenItem]:
    amount = data.amount.to_money()
    if data.invoice_ids is None:
        candidates = await sql.open_items(session, customer_id)
        taken = await sql.covered_elsewhere(session, [i.invoice_id for i in candidates])
        free = [i for i in candidates if i.invoice_id not in taken]
        chosen = _oldest_first(free, amount.currency, amount.minor)
        if not chosen and free:
            currencies = ", ".join(sorted({i.currency for i in free}))
            errors.append(
                FieldError(
                    field="amount.currency",
                    message=f"the account's open items are in {currencies}, the promise in {amount.currency}",
                    code="currency_mismatch",
                )
            )
        elif not chosen:
            errors.append(
                FieldError(
                    field="invoice_ids",
                    message="no open item of the account is free of a live promise or plan",
                    code="nothing_to_promise",
                )
            )
        return chosen
    found = await sql.items_by_id(session, data.invoice_ids)
    taken = await sql.covered_elsewhere(session, data.invoice_ids)
    chosen = []
    if len(set(data.invoice_ids)) != len(data.invoice_ids):
        errors.append(
            FieldError(field="invoice_ids", message="an item is named twice", code="duplicate_item")
        )
    for n, invoice_id in enumerate(data.invoice_ids):
        item = found.get(invoice_id)
        where = f"invoice_ids.{n}"
        if item is None or item.customer_id != customer_id:
            errors.append(
                FieldError(
                    field=where, message=f"{invoice_id} is no item of the account", code="unknown_open_item"
                )
            )
        elif item.open_minor <= 0 or item.voided:
            errors.append(
                FieldError(field=where, message=f"{item.invoice_number} is not open", code="item_not_open")
            )
        elif item.currency != amount.currency:
            errors.append(
                FieldError(
                    field="amount.currency",
                    message=f"{item.invoice_number} is in {item.currency}, the promise in {amount.currency}",
                    code="currency_mismatch",
                )
            )
        elif invoice_id in taken:
            errors.append(
                FieldError(
                    field=where,
                    message=f"a live {taken[invoice_id]} covers {item.invoice_number} already",
                    code="item_already_promised",
                )
            )
        else:
            chosen.append(item)
    return chosen


async def record_promise(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: PromiseCreate,
    calendars: BusinessCalendars,
) -> Promise:
    account = await require_account(session, customer_id)
    await sql.lock_coverage(session, customer_id)
    today = calendars.today(account.business_entity)
    amount = data.amount.to_money()
    errors: list[FieldError] = []
    if data.promised_date < today:
        errors.append(
            FieldError(
                field="promised_date", message=f"the business date is {today}", code="promise_in_the_past"
            )
        )
    if not amount.is_positive:
        errors.append(
            FieldError(
                field="amount.amount", message="a promise is to pay something", code="amount_not_positive"
            )
        )
    items = await _covered_items(session, customer_id, data, errors)
    covered = sum(i.open_minor for i in items)
    if items and amount.minor > covered and not any(e.field.startswith("invoice_ids.") for e in errors):
        errors.append(
            FieldError(
                field="amount.amount",
                message=f"the items are open for {format_minor(covered, amount.exponent)} {amount.currency}",
                code="above_open_balance",
            )
        )
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid_promise", errors=errors)

    tolerance = get_settings().promise_tolerance_days if data.tolerance_days is None else data.tolerance_days
    activity_id = None
    if data.channel in CONTACT_KINDS:
        logged = await activities.log_activity(
            session,
            actor,
            customer_id,
            ActivityCreate(
                kind=data.channel,
                direction="inbound" if data.channel == "letter" else None,
                outcome="promised_to_pay",
                contact=data.contact,
                summary=f"Promise to pay {amount} {amount.currency} by {data.promised_date}"
                + (f": {data.note}" if data.note else ""),
            ),
            calendars,
        )
        activity_id = logged.id
    promise = await PromiseRepository(session).add(
        PromiseToPay(
            id=uuid.uuid4(),
            customer_id=customer_id,
            business_entity=account.business_entity,
            currency=amount.currency,
            exponent=amount.exponent,
            amount_minor=amount.minor,
            promised_date=data.promised_date,
            tolerance_days=tolerance,
            channel=data.channel,
            contact=data.contact,
            note=data.note,
            recorded_on=today,
            status="open",
            received_minor=0,
            activity_id=activity_id,
            recorded_by=actor.subject,
            # the injected clock, not the transaction's start: which of two promises over the
            # same items came first decides whose cash is whose (judging.py)
            created_at=session_clock(session).now(),
        )
    )
    ids = [i.invoice_id for i in items]
    pauses = await coverage.pause(
        session,
        customer_id,
        ids,
        reason="promise",
        ends_on=deadline(data.promised_date, tolerance),
        note=f"promise {promise.id}",
        by=actor.subject,
    )
    rows = [
        PromiseItem(
            promise_id=promise.id,
            customer_id=customer_id,
            invoice_id=i.invoice_id,
            open_minor=i.open_minor,
            pause_id=pauses[i.invoice_id],
        )
        for i in items
    ]
    session.add_all(rows)
    await coverage.mark(session, customer_id, ids, "promised", by=actor.subject)
    recorded = await outbox.add(
        session,
        PromiseToPayRecorded(
            promise_id=promise.id,
            customer_id=customer_id,
            amount=data.amount,
            promised_date=data.promised_date,
            tolerance_days=tolerance,
            invoice_ids=ids,
            recorded_by=actor.subject,
            channel=data.channel,
        ),
    )
    if data.send_confirmation:
        await notices.notify(
            session,
            account,
            "promise_confirmation",
            f"promise:{promise.id}",
            {
                "amount": str(amount),
                "currency": amount.currency,
                "promised_date": data.promised_date.isoformat(),
                "invoice_numbers": [i.invoice_number for i in items],
            },
            recorded.id,
        )
    result = promise_out(promise, rows)
    await audit.record(
        session,
        actor=actor,
        action="promise.recorded",
        entity_type="account",
        entity_id=str(customer_id),
        after=result.model_dump(mode="json"),
    )
    return result


async def get_promise(session: AsyncSession, customer_id: uuid.UUID, promise_id: uuid.UUID) -> Promise:
    await require_account(session, customer_id)
    repo = PromiseRepository(session)
    promise = await repo.get(promise_id)
    if promise is None or promise.customer_id != customer_id:
        raise NotFound(f"no promise {promise_id} on the account", code="promise_not_found")
    return promise_out(promise, (await repo.items([promise.id]))[promise.id])


async def promises_out(session: AsyncSession, rows: Sequence[PromiseToPay]) -> list[Promise]:
    items = await PromiseRepository(session).items([p.id for p in rows])
    return [promise_out(p, items[p.id]) for p in rows]


async def standing(session: AsyncSession, customer_id: uuid.UUID) -> PromiseStanding:
    repo = PromiseRepository(session)
    counts, last_broken_on = await repo.judged_counts(customer_id)
    live = await repo.page(customer_id=customer_id, status="open", due_by=None, after=None, limit=100)
    return PromiseStanding(
        open=await promises_out(session, live),
        kept=counts.get("kept", 0),
        partially_kept=counts.get("partially_kept", 0),
        broken=counts.get("broken", 0),
        last_broken_on=last_broken_on,
    )
