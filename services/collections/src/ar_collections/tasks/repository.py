"""SQL for tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select

from ar_collections.models import Task
from ar_shared.repository import Repository


class TaskRepository(Repository[Task]):
    model = Task

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
