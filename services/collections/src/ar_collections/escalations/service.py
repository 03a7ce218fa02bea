"""Escalation rules: due on or after the business date; assigned to the manager of the account's
collector's team; resolved once, with an outcome. Raised and resolved escalations are announced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.arrays import insert_records
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.dunning.repository import DunningRepository
from ar_collections.escalations.schemas import Escalation as EscalationOut
from ar_collections.escalations.schemas import EscalationCreate, EscalationResolution
from ar_collections.models import Escalation
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit, outbox
from ar_shared.audit import Actor
from ar_shared.events.collections import EscalationRaised, EscalationResolved
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable
from ar_shared.repository import Repository


@dataclass(frozen=True, slots=True)
class NewEscalation:
    """An escalation to store without an ORM object (a strategy run's chunk raises hundreds): the
    columns of `escalations` its creator sets, named as on `Escalation`."""

    id: uuid.UUID
    customer_id: uuid.UUID
    level: str
    assignee: str | None
    reason: str
    due_on: date
    status: str
    raised_by: str
    raised_on: date
    department: str | None = None


NEW_ESCALATION = [f.name for f in fields(NewEscalation)]


class EscalationRepository(Repository[Escalation]):
    model = Escalation

    async def insert_new(self, rows: Sequence[NewEscalation]) -> dict[uuid.UUID, datetime]:
        """Stores the escalations in one statement (one array per column); their `created_at` by id."""
        statement = insert_records(Escalation.__table__, rows, NEW_ESCALATION)
        return {row.id: row.created_at for row in await self.session.execute(statement)}

    async def queue(
        self, *, status: str | None, assignee: str | None, limit: int, after: tuple[date, uuid.UUID] | None
    ) -> Sequence[Escalation]:
        query = self.select()
        if status is not None:
            query = query.where(Escalation.status == status)
        if assignee is not None:
            query = query.where(Escalation.assignee == assignee)
        return await self.keyset_page(query, [Escalation.due_on, Escalation.id], after, limit)

    async def open_of_account(self, customer_id: uuid.UUID) -> Sequence[Escalation]:
        query = (
            select(Escalation)
            .where(Escalation.customer_id == customer_id, Escalation.status == "open")
            .order_by(Escalation.due_on, Escalation.id)
        )
        return (await self.session.scalars(query)).all()


def escalation_raised(row: Escalation | NewEscalation) -> EscalationRaised:
    return EscalationRaised(
        escalation_id=row.id,
        customer_id=row.customer_id,
        level=row.level,
        reason=row.reason,
        raised_by=row.raised_by,
        department=row.department,
        assignee=row.assignee,
        due_on=row.due_on,
    )


async def add_escalation(session: AsyncSession, actor: Actor, row: Escalation) -> Escalation:
    """Stores a checked escalation and announces it."""
    await store_escalations(session, actor, [row])
    await outbox.add(session, escalation_raised(row))
    return row


async def store_escalations(session: AsyncSession, actor: Actor, rows: Sequence[Escalation]) -> None:
    """Stores checked escalations in one statement, each with its audit record; announcing them
    (`escalation_raised`) is the caller's, in order with its other events."""
    if not rows:
        return
    session.add_all(rows)
    await session.flush()  # one INSERT; RETURNING fills in the database's defaults
    await audit.record_many(
        session,
        actor=actor,
        action="escalation.raised",
        entity_type="account",
        entries=[
            (str(row.customer_id), EscalationOut.model_validate(row).model_dump(mode="json")) for row in rows
        ],
    )


async def store_new_escalations(session: AsyncSession, actor: Actor, rows: Sequence[NewEscalation]) -> None:
    """Like `store_escalations`, without ORM objects: the escalations in one statement from
    arrays, their audit records (the same snapshots) in three."""
    if not rows:
        return
    created = await EscalationRepository(session).insert_new(rows)
    unset = {"outcome": None, "resolved_by": None, "resolved_on": None}
    await audit.record_many(
        session,
        actor=actor,
        action="escalation.raised",
        entity_type="account",
        entries=[
            (
                str(row.customer_id),
                EscalationOut.model_validate(
                    {**{n: getattr(row, n) for n in NEW_ESCALATION}, **unset, "created_at": created[row.id]}
                ).model_dump(mode="json"),
            )
            for row in rows
        ],
    )


async def escalate(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: EscalationCreate,
    calendars: BusinessCalendars,
    *,
    due_days: int,
) -> Escalation:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    if data.due_on is not None and data.due_on < today:
        raise Unprocessable(
            f"the business date is {today}",
            code="due_in_the_past",
            errors=[
                FieldError(field="due_on", message=f"the business date is {today}", code="due_in_the_past")
            ],
        )
    manager = (await DunningRepository(session).managers([customer_id])).get(customer_id)
    return await add_escalation(
        session,
        actor,
        Escalation(
            id=uuid.uuid4(),
            customer_id=customer_id,
            level=data.level,
            department=data.department,
            assignee=manager,
            reason=data.reason,
            due_on=data.due_on or today + timedelta(days=due_days),
            status="open",
            raised_by=actor.subject,
            raised_on=today,
        ),
    )


async def require_escalation(
    session: AsyncSession, escalation_id: uuid.UUID, *, for_update: bool = False
) -> Escalation:
    row = await EscalationRepository(session).get(escalation_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no escalation {escalation_id}", code="escalation_not_found")
    return row


async def resolve(
    session: AsyncSession,
    actor: Actor,
    escalation_id: uuid.UUID,
    data: EscalationResolution,
    calendars: BusinessCalendars,
) -> Escalation:
    row = await require_escalation(session, escalation_id, for_update=True)
    account = await require_account(session, row.customer_id)
    if row.status != "open":
        raise Conflict(
            "the escalation is resolved already",
            code="escalation_resolved",
            errors=[FieldError(field="outcome", message="resolved already", code="escalation_resolved")],
        )
    before = EscalationOut.model_validate(row).model_dump(mode="json")
    row.status, row.outcome = "resolved", data.outcome
    row.resolved_by, row.resolved_on = actor.subject, calendars.today(account.business_entity)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="escalation.resolved",
        entity_type="account",
        entity_id=str(row.customer_id),
        before=before,
        after=EscalationOut.model_validate(row).model_dump(mode="json"),
    )
    await outbox.add(
        session,
        EscalationResolved(
            escalation_id=row.id,
            customer_id=row.customer_id,
            outcome=data.outcome,
            resolved_by=actor.subject,
            resolved_on=row.resolved_on,
        ),
    )
    return row
