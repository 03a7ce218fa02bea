"""Task rules: due on or after the business date, SLA not before the due date, a known assignee;
created and completed tasks are announced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import SYSTEM_SUBJECT
from ar_collections.calendars.service import BusinessCalendars
from ar_collections.models import Task
from ar_collections.people.repository import CollectorRepository
from ar_collections.portfolios.service import require_account
from ar_collections.recording import audit, outbox
from ar_collections.tasks.repository import NEW_TASK, NewTask, TaskRepository
from ar_collections.tasks.schemas import Task as TaskOut
from ar_collections.tasks.schemas import TaskCreate
from ar_shared.audit import Actor
from ar_shared.audit.log import SystemActor
from ar_shared.clock import session_clock
from ar_shared.events.collections import CollectionTaskCompleted, CollectionTaskCreated
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable


def _snapshot(task: Task) -> dict[str, object]:
    return TaskOut.model_validate(task).model_dump(mode="json")


def task_created(task: Task | NewTask) -> CollectionTaskCreated:
    return CollectionTaskCreated(
        task_id=task.id,
        customer_id=task.customer_id,
        kind=task.kind,
        title=task.title,
        due_on=task.due_on,
        sla_due_on=task.sla_due_on,
        assignee=task.assignee_subject,
        source=task.source,
        created_by=task.created_by,
    )


async def add_task(
    session: AsyncSession,
    actor: Actor,
    task: Task,
) -> Task:
    """Stores a task (already checked) and announces it."""
    await store_tasks(session, actor, [task])
    await outbox.add(session, task_created(task))
    return task


async def add_workflow_task(
    session: AsyncSession,
    customer_id: uuid.UUID,
    title: str,
    today: date,
    source_id: uuid.UUID,
    *,
    kind: str = "call",
    assignee_subject: str | None = None,
) -> Task:
    """A task the workflow raises itself (a broken promise, a breached plan), due the business day
    it is raised; a call is also due within that day's SLA: the customer let the collector down."""
    return await add_task(
        session,
        SystemActor(SYSTEM_SUBJECT),
        Task(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind=kind,
            title=title,
            due_on=today,
            sla_due_on=today if kind == "call" else None,
            status="open",
            assignee_subject=assignee_subject,
            source="workflow",
            source_id=source_id,
            created_by=SYSTEM_SUBJECT,
        ),
    )


async def store_tasks(session: AsyncSession, actor: Actor, tasks: Sequence[Task]) -> None:
    """Stores tasks (already checked) in one statement, each with its audit record; announcing
    them (`task_created`) is the caller's, in order with its other events."""
    if not tasks:
        return
    session.add_all(tasks)
    await session.flush()  # one INSERT; RETURNING fills in the database's defaults
    await audit.record_many(
        session,
        actor=actor,
        action="task.created",
        entity_type="account",
        entries=[(str(task.customer_id), _snapshot(task)) for task in tasks],
    )


async def store_new_tasks(session: AsyncSession, actor: Actor, tasks: Sequence[NewTask]) -> None:
    """Like `store_tasks`, without ORM objects: the tasks in one statement from arrays, their
    audit records (the same snapshots) in three."""
    if not tasks:
        return
    created = await TaskRepository(session).insert_new(tasks)
    await audit.record_many(
        session,
        actor=actor,
        action="task.created",
        entity_type="account",
        entries=[(str(task.customer_id), _new_snapshot(task, created[task.id])) for task in tasks],
    )


def _new_snapshot(task: NewTask, created_at: datetime) -> dict[str, object]:
    row = {n: getattr(task, n) for n in NEW_TASK}
    unset = {"completed_on": None, "completed_by": None, "completion_activity_id": None}
    return TaskOut.model_validate({**row, **unset, "created_at": created_at}).model_dump(mode="json")


async def create_task(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: TaskCreate,
    calendars: BusinessCalendars,
) -> Task:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    errors: list[FieldError] = []
    if data.due_on < today:
        errors.append(
            FieldError(field="due_on", message=f"the business date is {today}", code="due_in_the_past")
        )
    if data.sla_due_on is not None and data.sla_due_on < data.due_on:
        errors.append(
            FieldError(
                field="sla_due_on", message="the SLA date is not before the due date", code="sla_before_due"
            )
        )
    if data.assignee is not None and await CollectorRepository(session).get(data.assignee) is None:
        errors.append(
            FieldError(field="assignee", message=f"no collector {data.assignee!r}", code="unknown_collector")
        )
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid_task", errors=errors)
    return await add_task(
        session,
        actor,
        Task(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind=data.kind,
            title=data.title,
            note=data.note,
            due_on=data.due_on,
            sla_due_on=data.sla_due_on,
            status="open",
            assignee_subject=data.assignee,
            source="collector",
            created_by=actor.subject,
        ),
    )


async def require_task(session: AsyncSession, task_id: uuid.UUID, *, for_update: bool = False) -> Task:
    repo = TaskRepository(session)
    task = await (repo.get_for_update(task_id) if for_update else repo.get(task_id))
    if task is None:
        raise NotFound(f"no task {task_id}", code="task_not_found")
    return task


async def finish(
    session: AsyncSession,
    actor: Actor,
    task: Task,
    *,
    outcome: str,
    on: date,
    note: str | None,
    activity_id: uuid.UUID | None = None,
) -> Task:
    """Completes or cancels an open task (the caller has locked it)."""
    if task.status != "open":
        raise Conflict(f"the task is {task.status} already", code="task_not_open")
    before = _snapshot(task)
    task.status = outcome
    task.completed_at = session_clock(session).now()
    task.completed_on = on
    task.completed_by = actor.subject
    task.completion_activity_id = activity_id
    if note:
        task.note = f"{task.note}\n{note}" if task.note else note
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=f"task.{outcome}",
        entity_type="account",
        entity_id=str(task.customer_id),
        before=before,
        after=_snapshot(task),
    )
    await outbox.add(
        session,
        CollectionTaskCompleted(
            task_id=task.id,
            customer_id=task.customer_id,
            kind=task.kind,
            outcome="completed" if outcome == "completed" else "cancelled",
            completed_on=on,
            completed_by=actor.subject,
            activity_id=activity_id,
        ),
    )
    return task


async def close_task(
    session: AsyncSession,
    actor: Actor,
    task_id: uuid.UUID,
    calendars: BusinessCalendars,
    *,
    outcome: str,
    note: str | None,
) -> Task:
    task = await require_task(session, task_id, for_update=True)
    account = await require_account(session, task.customer_id)
    return await finish(
        session, actor, task, outcome=outcome, on=calendars.today(account.business_entity), note=note
    )
