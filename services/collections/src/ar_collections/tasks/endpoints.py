"""HTTP routes for tasks."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter

from ar_collections.access import CallerSession, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.portfolios.service import require_account
from ar_collections.tasks import service
from ar_collections.tasks.repository import TaskRepository
from ar_collections.tasks.schemas import Task, TaskCancellation, TaskCompletion, TaskCreate, TaskStatus
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["tasks"], route_class=ServiceRoute)


@router.post(
    "/v1/accounts/{customer_id}/tasks",
    status_code=201,
    summary="Add a task to an account (a call, a letter, a review …)",
    description="With `sla_due_on`, the task breaches its SLA after that date (first on the worklist).",
)
async def create_task(
    principal: Worker, customer_id: uuid.UUID, body: TaskCreate, session: CallerSession, calendars: Calendars
) -> Task:
    return Task.model_validate(await service.create_task(session, principal, customer_id, body, calendars))


@router.get("/v1/accounts/{customer_id}/tasks", summary="The account's tasks, by due date")
async def list_tasks(
    _: Worker,
    customer_id: uuid.UUID,
    session: CallerSession,
    page: Paging,
    status: TaskStatus | None = "open",
) -> Page[Task]:
    await require_account(session, customer_id)
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await TaskRepository(session).for_account(
        customer_id, status=status, limit=page.limit + 1, after=after
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.due_on, r.id])
    return Page[Task](items=[Task.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/v1/tasks/{task_id}", summary="One task")
async def get_task(_: Worker, task_id: uuid.UUID, session: CallerSession) -> Task:
    return Task.model_validate(await service.require_task(session, task_id))


@router.post(
    "/v1/tasks/{task_id}/completion",
    summary="Mark a task done",
    description="Logging an activity that does the task completes it too (see the activities).",
)
async def complete_task(
    principal: Worker, task_id: uuid.UUID, body: TaskCompletion, session: CallerSession, calendars: Calendars
) -> Task:
    task = await service.close_task(
        session, principal, task_id, calendars, outcome="completed", note=body.note
    )
    return Task.model_validate(task)


@router.post("/v1/tasks/{task_id}/cancellation", summary="Cancel a task, with the reason")
async def cancel_task(
    principal: Worker,
    task_id: uuid.UUID,
    body: TaskCancellation,
    session: CallerSession,
    calendars: Calendars,
) -> Task:
    task = await service.close_task(
        session, principal, task_id, calendars, outcome="cancelled", note=body.reason
    )
    return Task.model_validate(task)
