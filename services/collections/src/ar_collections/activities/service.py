"""Activity rules: logged against a known account, by the collector who did it, audited."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.repository import AccountRepository
from ar_collections.activities.repository import ActivityRepository
from ar_collections.activities.schemas import Activity as ActivityOut
from ar_collections.activities.schemas import ActivityCreate
from ar_collections.models import Activity, plumbing
from ar_shared.audit import Actor, AuditLog
from ar_shared.clock import session_clock
from ar_shared.problems import FieldError, NotFound, Unprocessable

audit = AuditLog(plumbing)


async def require_account(session: AsyncSession, customer_id: uuid.UUID) -> None:
    if await AccountRepository(session).get(customer_id) is None:
        raise NotFound(f"account {customer_id} is unknown to collections", code="account_not_found")


async def log_activity(
    session: AsyncSession, actor: Actor, customer_id: uuid.UUID, data: ActivityCreate
) -> Activity:
    now = session_clock(session).now()
    if data.occurred_at is not None and data.occurred_at > now:
        raise Unprocessable(
            "an activity cannot have happened in the future",
            code="occurred_in_the_future",
            errors=[
                FieldError(
                    field="occurred_at",
                    message="an activity cannot have happened in the future",
                    code="occurred_in_the_future",
                )
            ],
        )
    await require_account(session, customer_id)
    activity = await ActivityRepository(session).add(
        Activity(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind=data.kind,
            outcome=data.outcome,
            contact=data.contact,
            summary=data.summary,
            occurred_at=data.occurred_at or now,
            logged_by=actor.subject,
        )
    )
    await audit.record(
        session,
        actor=actor,
        action="activity.logged",
        entity_type="account",
        entity_id=str(customer_id),
        after=ActivityOut.model_validate(activity).model_dump(mode="json"),
    )
    return activity
