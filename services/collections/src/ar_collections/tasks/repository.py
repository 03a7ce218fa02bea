"""SQL for tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import or_, select

from ar_collections.arrays import insert_records
from ar_collections.models import Task
from ar_shared.repository import Repository


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task to store without an ORM object (a strategy run's chunk raises hundreds): the
    columns of `tasks` its creator sets, named as on `Task`."""

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    title: str
    due_on: date
    status: str
    source: str
    created_by: str
    sla_due_on: date | None = None
    assignee_subject: str | None = None
    note: str | None = None
    source_id: uuid.UUID | None = None


NEW_TASK = [f.name for f in fields(NewTask)]


class TaskRepository(Repository[Task]):
    model = Task

    async def insert_new(self, tasks: Sequence[NewTask]) -> dict[uuid.UUID, datetime]:
        """Stores the tasks in one statement (one array per column); their `created_at` by id."""
        statement = insert_records(Task.__table__, tasks, NEW_TASK)
        return {row.id: row.created_at for row in await self.session.execute(statement)}

    async def for_account(
        self,
        customer_id: uuid.UUID,
        *,
        status: str | None,
        limit: int,
        after: tuple[date, uuid.UUID] | None,
    ) -> Sequence[Task]:
        query = (
            select(Task).where(Task.customer_id == customer_id).order_by(Task.due_on, Task.id).limit(limit)
        )
        if status is not None:
            query = query.where(Task.status == status)
        if after is not None:
            due, last = after
            query = query.where(or_(Task.due_on > due, (Task.due_on == due) & (Task.id > last)))
        return (await self.session.scalars(query)).all()

    async def open_to_complete(
        self, customer_id: uuid.UUID, kinds: Sequence[str], due_by: date
    ) -> Sequence[Task]:
        """The account's open tasks of these kinds due on or before `due_by`, locked."""
        query = (
            select(Task)
            .where(
                Task.customer_id == customer_id,
                Task.status == "open",
                Task.kind.in_(kinds),
                Task.due_on <= due_by,
            )
            .order_by(Task.due_on, Task.id)
            .with_for_update()
        )
        return (await self.session.scalars(query)).all()
