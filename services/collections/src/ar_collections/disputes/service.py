"""Dispute rules: a case contests open items of one account (never more than their open balance,
never a paid or voided invoice, never an item already in a case), pauses exactly those items and
tells credit; it moves through its lifecycle with history. Resolved valid, it asks the ledger for
a credit memo per item (its whole disputed amount, or the smaller credit a partly valid
resolution names) and stays paused until they arrive (settlement.py); an item credited nothing,
and every item of a case resolved invalid or withdrawn, goes back into dunning at once. A case
resolved invalid tells the customer why, and which invoices are due again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections import notices
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.disputes.items import lift, mark_disputed
from ar_collections.disputes.repository import DisputeRepository
from ar_collections.disputes.schemas import Dispute, DisputeCreate, DisputeStatusChange
from ar_collections.documents.repository import DocumentRepository
from ar_collections.domain import disputes as rules
from ar_collections.dunning.repository import PauseRepository
from ar_collections.models import Account, DisputeCase, DisputeHistory, DisputeItem, DunningPause, OpenItem
from ar_collections.people.repository import CollectorRepository
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit, outbox
from ar_shared.audit import Actor
from ar_shared.events.collections import CreditMemoRequested, DisputeOpened, DisputeResolved
from ar_shared.inputs import LAST_BUSINESS_DATE
from ar_shared.money import Money, MoneyAmount
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable


@dataclass(frozen=True)
class NewCase:
    """A case to open, already checked."""

    kind: str
    items: list[tuple[OpenItem, int]]
    reason_code: str
    root_cause_code: str | None
    owner_kind: str | None
    owner: str | None
    description: str | None
    due_on: date


async def snapshot(session: AsyncSession, case: DisputeCase) -> Dispute:
    repo = DisputeRepository(session)
    await session.flush()
    return Dispute.of(case, await repo.items(case.id), await repo.history(case.id))


async def require_case(session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False) -> DisputeCase:
    case = await DisputeRepository(session).get(case_id, for_update=for_update)
    if case is None:
        raise NotFound(f"no dispute {case_id}", code="dispute_not_found")
    return case


async def _checked_items(
    session: AsyncSession, customer_id: uuid.UUID, data: DisputeCreate
) -> tuple[list[tuple[OpenItem, int]], list[FieldError]]:
    errors: list[FieldError] = []
    found: list[tuple[OpenItem, int]] = []
    # locked in id order: two cases opened at once over one item are judged one after the other
    locked = await DisputeRepository(session).lock_items([i.invoice_id for i in data.items])
    for n, asked in enumerate(data.items):
        item = locked.get(asked.invoice_id)
        field = f"items.{n}"
        amount = asked.amount.to_money().minor
        if item is None or item.customer_id != customer_id:
            errors.append(
                FieldError(
                    field=f"{field}.invoice_id",
                    message=f"{asked.invoice_id} is no invoice of the account",
                    code="unknown_open_item",
                )
            )
        elif item.voided:
            errors.append(
                FieldError(
                    field=f"{field}.invoice_id",
                    message=f"invoice {item.invoice_number} is voided",
                    code="invoice_voided",
                )
            )
        elif item.open_minor <= 0:
            errors.append(
                FieldError(
                    field=f"{field}.invoice_id",
                    message=f"invoice {item.invoice_number} is paid",
                    code="invoice_paid",
                )
            )
        elif asked.amount.currency != item.currency:
            errors.append(
                FieldError(
                    field=f"{field}.amount",
                    message=f"invoice {item.invoice_number} is in {item.currency}",
                    code="currency_mismatch",
                )
            )
        elif amount > item.open_minor:
            open_balance = Money(item.open_minor, item.currency)
            errors.append(
                FieldError(
                    field=f"{field}.amount",
                    message=f"more than the open balance {open_balance} of invoice {item.invoice_number}",
                    code="above_open_balance",
                )
            )
        else:
            found.append((item, amount))
    ids = [i.invoice_id for i in data.items]
    if len(set(ids)) != len(ids):
        errors.append(FieldError(field="items", message="an invoice is named twice", code="duplicate_item"))
    if len({item.currency for item, _ in found}) > 1:
        errors.append(FieldError(field="items", message="one case, one currency", code="mixed_currencies"))
    for invoice_id in await DisputeRepository(session).disputed_invoices(ids):
        errors.append(
            FieldError(
                field=f"items.{ids.index(invoice_id)}.invoice_id",
                message=f"{invoice_id} is in an open case already",
                code="already_disputed",
            )
        )
    return found, errors


async def open_dispute(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: DisputeCreate,
    calendars: BusinessCalendars,
    *,
    due_days: int,
) -> DisputeCase:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    items, errors = await _checked_items(session, customer_id, data)
    if data.due_on is not None and data.due_on < today:
        errors.append(
            FieldError(field="due_on", message=f"the business date is {today}", code="due_in_the_past")
        )
    owner = data.owner or (actor.subject if data.owner_kind == "collector" else None)
    if (
        data.owner_kind == "collector"
        and data.owner
        and await CollectorRepository(session).get(data.owner) is None
    ):
        errors.append(
            FieldError(field="owner", message=f"no collector {data.owner!r}", code="unknown_collector")
        )
    if data.owner_kind == "department" and not data.owner:
        errors.append(FieldError(field="owner", message="name the department", code="owner_missing"))
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid_dispute", errors=errors)
    new = NewCase(
        "dispute",
        items,
        data.reason_code,
        data.root_cause_code,
        data.owner_kind,
        owner,
        data.description,
        data.due_on or today + timedelta(days=due_days),
    )
    return await open_case(session, actor, account, new, today)


async def open_case(
    session: AsyncSession,
    actor: Actor,
    account: Account,
    new: NewCase,
    today: date,
    case_id: uuid.UUID | None = None,
) -> DisputeCase:
    """Stores a checked case, pauses its items (until the case lifts them) and tells credit."""
    repo = DisputeRepository(session)
    case = await repo.add(
        DisputeCase(
            id=case_id or uuid.uuid4(),
            customer_id=account.customer_id,
            kind=new.kind,
            status="open",
            currency=new.items[0][0].currency,
            reason_code=new.reason_code,
            root_cause_code=new.root_cause_code,
            owner_kind=new.owner_kind,
            owner=new.owner,
            description=new.description,
            due_on=new.due_on,
            opened_on=today,
            created_by=actor.subject,
        )
    )
    await repo.add_history(
        DisputeHistory(
            case_id=case.id,
            customer_id=case.customer_id,
            from_status=None,
            to_status="open",
            note=new.description,
            changed_by=actor.subject,
            changed_on=today,
        )
    )
    pauses = PauseRepository(session)
    for open_item, amount in new.items:
        pause = await pauses.add(
            DunningPause(
                id=uuid.uuid4(),
                customer_id=account.customer_id,
                invoice_id=open_item.invoice_id,
                reason="dispute",
                note=f"{new.kind} {case.id}",
                ends_on=LAST_BUSINESS_DATE,
                created_by=actor.subject,
            )
        )
        item = await repo.add_item(
            DisputeItem(
                id=uuid.uuid4(),
                case_id=case.id,
                customer_id=account.customer_id,
                invoice_id=open_item.invoice_id,
                amount_minor=amount,
                pause_id=pause.id,
            )
        )
        await outbox.add(
            session,
            DisputeOpened(
                dispute_id=item.id,
                customer_id=account.customer_id,
                invoice_id=item.invoice_id,
                disputed_amount=MoneyAmount.from_money(Money(amount, case.currency)),
                reason_code=case.reason_code,
                owner=case.owner,
                case_id=case.id,
            ),
        )
    await mark_disputed(session, actor, account.customer_id, [i.invoice_id for i, _ in new.items], case.id)
    result = await snapshot(session, case)
    await audit.record(
        session,
        actor=actor,
        action=f"{new.kind}.opened",
        entity_type="account",
        entity_id=str(account.customer_id),
        after=result.model_dump(mode="json"),
    )
    return case


async def change_status(
    session: AsyncSession,
    actor: Actor,
    case_id: uuid.UUID,
    data: DisputeStatusChange,
    calendars: BusinessCalendars,
) -> DisputeCase:
    case = await require_case(session, case_id, for_update=True)
    account = await require_account(session, case.customer_id)
    today = calendars.today(account.business_entity)
    if rules.is_final(case.status):
        raise Conflict(
            f"the case is {case.status} already: it is closed to changes",
            code="case_closed",
            errors=[FieldError(field="status", message=f"the case is {case.status}", code="case_closed")],
        )
    if not rules.may_move(case.status, data.status):
        raise Unprocessable(
            f"a case {case.status} cannot become {data.status}",
            code="status_not_allowed",
            errors=[FieldError(field="status", message=f"not from {case.status}", code="status_not_allowed")],
        )
    root_cause = data.root_cause_code or case.root_cause_code
    if data.status in ("resolved_valid", "resolved_invalid") and root_cause is None:
        raise Unprocessable(
            "a case is resolved with its root cause",
            code="root_cause_required",
            errors=[
                FieldError(field="root_cause_code", message="required to resolve", code="root_cause_required")
            ],
        )
    credits = await _credits(session, case, data)
    before = (await snapshot(session, case)).model_dump(mode="json")
    repo = DisputeRepository(session)
    await repo.add_history(
        DisputeHistory(
            case_id=case.id,
            customer_id=case.customer_id,
            from_status=case.status,
            to_status=data.status,
            note=data.note,
            changed_by=actor.subject,
            changed_on=today,
        )
    )
    case.status, case.root_cause_code = data.status, root_cause
    if rules.is_final(data.status):
        await _resolve(session, actor, case, data, today, credits)
    if data.status == "resolved_invalid":
        await _tell_invalid(session, account, case, data)
    after = (await snapshot(session, case)).model_dump(mode="json")
    await audit.record(
        session,
        actor=actor,
        action=f"dispute.{data.status}",
        entity_type="account",
        entity_id=str(case.customer_id),
        before=before,
        after=after,
    )
    return case


async def _credits(
    session: AsyncSession, case: DisputeCase, data: DisputeStatusChange
) -> dict[uuid.UUID, int]:
    """The credit of each item a valid resolution grants, checked whole before anything is written."""
    if data.status != "resolved_valid":
        if data.credits is not None:
            raise Unprocessable(
                "credits belong to a valid resolution",
                code="credits_not_allowed",
                errors=[
                    FieldError(
                        field="credits", message="only with resolved_valid", code="credits_not_allowed"
                    )
                ],
            )
        return {}
    items = await DisputeRepository(session).items(case.id)
    asked = [
        rules.AskedCredit(c.invoice_id, c.amount.to_money().minor, c.amount.currency)
        for c in data.credits or []
    ]
    credits, errors = rules.credits_per_item(
        {i.invoice_id: i.amount_minor for i in items}, case.currency, asked
    )
    if errors:
        fields = [FieldError(field=_credit_field(e), message=e.message, code=e.code) for e in errors]
        raise Unprocessable(errors[0].message, code=errors[0].code, errors=fields)
    return credits


def _credit_field(error: rules.CreditError) -> str:
    if error.index is None:
        return "credits"
    about_item = error.code in ("item_not_in_case", "duplicate_item")
    return f"credits.{error.index}.{'invoice_id' if about_item else 'amount'}"


async def _tell_invalid(
    session: AsyncSession, account: Account, case: DisputeCase, data: DisputeStatusChange
) -> None:
    """The customer hears the case was found unjustified, why, and which invoices are due again."""
    items = await DisputeRepository(session).items(case.id)
    numbers = {i.invoice_id: i.invoice_number for i in await DisputeRepository(session).open_items(items)}
    await notices.notify(
        session,
        account,
        "dispute_resolved_invalid",
        f"dispute:{case.id}:resolved_invalid",
        {
            "case_reference": str(case.id),
            "reason_code": case.reason_code,
            "root_cause_code": case.root_cause_code,
            "reason": data.note,
            "items": [
                {
                    "invoice_id": str(i.invoice_id),
                    "invoice_number": numbers.get(i.invoice_id, str(i.invoice_id)),
                    "disputed_amount": str(Money(i.amount_minor, case.currency)),
                    "currency": case.currency,
                }
                for i in items
            ],
        },
    )


async def _resolve(
    session: AsyncSession,
    actor: Actor,
    case: DisputeCase,
    data: DisputeStatusChange,
    today: date,
    credits: dict[uuid.UUID, int],
) -> None:
    case.resolved_on, case.resolution_note = today, data.note
    valid = data.status == "resolved_valid"
    if not valid:
        case.closed_on = today  # back into dunning at once (invalid) or nothing to settle (withdrawn)
    closed: list[uuid.UUID] = []
    evidence = await DocumentRepository(session).ids_of_owner("dispute", case.id) if valid else []
    for item in await DisputeRepository(session).items(case.id, lock=True):
        amount = MoneyAmount.from_money(Money(item.amount_minor, case.currency))
        credit = credits.get(item.invoice_id, 0) if valid else 0
        credited = MoneyAmount.from_money(Money(credit, case.currency))
        if valid:
            item.credit_minor = credit
        await outbox.add(
            session,
            DisputeResolved(
                dispute_id=item.id,
                customer_id=case.customer_id,
                invoice_id=item.invoice_id,
                resolution=rules.item_resolution(data.status, item.amount_minor, credit),
                disputed_amount=amount,
                root_cause_code=case.root_cause_code,
                credit_amount=credited if credit else None,
                case_id=case.id,
            ),
        )
        if credit:
            # the item stays paused until the ledger's memo answers this request; then what is
            # left of it is dunned again
            item.credit_request_id = uuid.uuid4()
            await outbox.add(
                session,
                CreditMemoRequested(
                    request_id=item.credit_request_id,
                    customer_id=case.customer_id,
                    invoice_id=item.invoice_id,
                    amount=credited,
                    dispute_id=case.id,
                    reason_code=case.reason_code,
                    requested_by=actor.subject,
                    document_ids=evidence,
                ),
            )
        else:
            await lift(session, item, actor.subject)
            closed.append(item.invoice_id)
    await mark_disputed(session, actor, case.customer_id, closed, None)
    await session.flush()
