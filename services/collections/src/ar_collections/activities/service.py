"""Activity rules: logged on an account the caller works, never in the future, with an outcome
code the installation knows; a next follow-up date (not before the activity) becomes a task; a
contact keeps the account's last-contact date; the task it does is completed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.accounts.repository import AccountRepository
from ar_collections.activities.repository import ActivityRepository, OutcomeCodeRepository
from ar_collections.activities.schemas import Activity as ActivityOut
from ar_collections.activities.schemas import ActivityCreate, OutcomeCodeUpsert
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.code_lists import save_code
from ar_collections.domain.business_days import business_date_of
from ar_collections.models import Activity, OutcomeCode, Task
from ar_collections.models.activity import CONTACT_KINDS
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit, outbox
from ar_collections.tasks import service as tasks
from ar_collections.tasks.repository import TaskRepository
from ar_shared.audit import Actor
from ar_shared.clock import session_clock
from ar_shared.events.collections import ActivityLogged
from ar_shared.problems import FieldError, Unprocessable


def _refused(field: str, message: str, code: str) -> Unprocessable:
    return Unprocessable(message, code=code, errors=[FieldError(field=field, message=message, code=code)])


async def log_activity(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: ActivityCreate,
    calendars: BusinessCalendars,
) -> Activity:
    now = session_clock(session).now()
    if data.occurred_at is not None and data.occurred_at > now:
        raise _refused(
            "occurred_at", "an activity cannot have happened in the future", "occurred_in_the_future"
        )
    account = await require_account(session, customer_id)
    if data.outcome is not None:
        code = await OutcomeCodeRepository(session).get(data.outcome)
        if code is None or not code.active:
            raise _refused("outcome", f"{data.outcome!r} is not an outcome code in use", "unknown_outcome")
    occurred_at = data.occurred_at or now
    calendar = calendars.calendar(account.business_entity)
    occurred_on = business_date_of(
        occurred_at, now, calendars.today(account.business_entity), calendar.time_zone
    )
    if data.next_follow_up_on is not None and data.next_follow_up_on < occurred_on:
        raise _refused(
            "next_follow_up_on",
            f"the follow-up ({data.next_follow_up_on}) is before the activity ({occurred_on})",
            "follow_up_before_activity",
        )
    done: list[Task] = []
    if data.completes_task_id is not None:
        task = await TaskRepository(session).get_for_update(data.completes_task_id)
        if task is None or task.customer_id != customer_id or task.status != "open":
            raise _refused("completes_task_id", "not an open task of this account", "unknown_task")
        done.append(task)
    direction = data.direction or ("outbound" if data.kind in CONTACT_KINDS else None)
    if data.completes_task_id is None and data.kind in CONTACT_KINDS and direction == "outbound":
        done += await TaskRepository(session).open_to_complete(
            customer_id, [data.kind, "follow_up"], occurred_on
        )

    activity = await ActivityRepository(session).add(
        Activity(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind=data.kind,
            direction=direction,
            outcome=data.outcome,
            contact=data.contact,
            summary=data.summary,
            duration_seconds=data.duration_seconds,
            occurred_at=occurred_at,
            occurred_on=occurred_on,
            next_follow_up_on=data.next_follow_up_on,
            completed_task_id=done[0].id if done else None,
            logged_by=actor.subject,
        )
    )
    if data.kind in CONTACT_KINDS:
        await AccountRepository(session).contacted(customer_id, occurred_on)
    for task in done:
        await tasks.finish(
            session, actor, task, outcome="completed", on=occurred_on, note=None, activity_id=activity.id
        )
    if data.next_follow_up_on is not None:
        follow_up = await tasks.add_task(
            session,
            actor,
            Task(
                id=uuid.uuid4(),
                customer_id=customer_id,
                kind="follow_up",
                title=f"Follow up on the {data.kind} of {occurred_on}",
                note=data.summary[:1000],
                due_on=data.next_follow_up_on,
                status="open",
                source="activity",
                source_id=activity.id,
                created_by=actor.subject,
            ),
        )
        activity.follow_up_task_id = follow_up.id
        await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="activity.logged",
        entity_type="account",
        entity_id=str(customer_id),
        after=ActivityOut.model_validate(activity).model_dump(mode="json"),
    )
    await outbox.add(
        session,
        ActivityLogged(
            activity_id=activity.id,
            customer_id=customer_id,
            kind=data.kind,
            direction=direction,
            outcome=data.outcome,
            occurred_at=occurred_at,
            occurred_on=occurred_on,
            duration_seconds=data.duration_seconds,
            next_follow_up_on=data.next_follow_up_on,
            logged_by=actor.subject,
        ),
    )
    return activity


async def save_outcome_code(
    session: AsyncSession, actor: Actor, code: str, data: OutcomeCodeUpsert
) -> tuple[OutcomeCode, bool]:
    return await save_code(session, actor, OutcomeCodeRepository(session), "outcome_code", code, data)
