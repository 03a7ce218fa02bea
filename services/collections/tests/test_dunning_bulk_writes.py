"""The strategy run's bulk writes from arrays store what the ORM paths store: a task or an
escalation written by `store_new_tasks` / `store_new_escalations` (one statement from arrays)
has the same row and the same audit record as one written by `store_tasks` / `store_escalations`
(ORM objects), and each account's audit chain links on across both."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.access import act_as_system
from ar_collections.escalations.service import NewEscalation, store_escalations, store_new_escalations
from ar_collections.models import Account, Escalation, Task, plumbing
from ar_collections.tasks.repository import NewTask
from ar_collections.tasks.service import store_new_tasks, store_tasks
from ar_shared.audit.log import SystemActor
from ar_shared.audit.verify import verify_chains

pytestmark = pytest.mark.integration

ACTOR = SystemActor("system:test", frozenset({"collections:manage"}))
AS_OF = date(2026, 6, 30)


async def _account(session: AsyncSession) -> uuid.UUID:
    customer_id = uuid.uuid4()
    await session.execute(
        insert(Account).values(
            customer_id=customer_id, external_id=f"BW-{customer_id.hex[:8]}", name="Bulk Writes Ltd",
            currency="EUR", business_entity="BW01", time_zone="UTC",
        )
    )  # fmt: skip
    return customer_id


async def _row(session: AsyncSession, table: Any, row_id: uuid.UUID) -> dict[str, Any]:
    found = (await session.execute(select(table).where(table.c.id == row_id))).one()._asdict()
    found.pop("id")
    return found


async def _audit(session: AsyncSession, customer_id: uuid.UUID, action: str) -> list[dict[str, Any]]:
    t = plumbing.audit_log
    rows = await session.execute(
        select(t.c.chain_seq, t.c.actor, t.c.scopes, t.c.after)
        .where(t.c.entity_type == "account", t.c.entity_id == str(customer_id), t.c.action == action)
        .order_by(t.c.chain_seq)
    )
    return [row._asdict() for row in rows]


def _without_id(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "after": {k: v for k, v in record["after"].items() if k != "id"}}


async def test_tasks_from_arrays_are_stored_and_audited_as_orm_tasks(collections_app: FastAPI) -> None:
    async with collections_app.state.sessionmaker() as session:  # closed without a commit: rolled back
        await act_as_system(session)
        customer_id = await _account(session)
        fields: dict[str, Any] = {
            "customer_id": customer_id, "kind": "call", "title": "Call: bench step at 10 days past due",
            "due_on": AS_OF, "sla_due_on": AS_OF + timedelta(days=2), "status": "open",
            "source": "workflow", "created_by": "system", "assignee_subject": "mgr-1",
        }  # fmt: skip
        orm, bulk = uuid.uuid4(), uuid.uuid4()
        await store_tasks(session, ACTOR, [Task(id=orm, **fields)])
        await store_new_tasks(session, ACTOR, [NewTask(id=bulk, **fields)])
        table = Task.__table__
        assert isinstance(table, Table)
        assert await _row(session, table, bulk) == await _row(session, table, orm)
        first, second = await _audit(session, customer_id, "task.created")
        assert (first["chain_seq"], second["chain_seq"]) == (1, 2)
        assert first["after"]["id"] == str(orm)
        assert second["after"]["id"] == str(bulk)
        assert _without_id(second) | {"chain_seq": 1} == _without_id(first)
        assert (await verify_chains(await session.connection(), "collections")).ok


async def test_escalations_from_arrays_are_stored_and_audited_as_orm_escalations(
    collections_app: FastAPI,
) -> None:
    async with collections_app.state.sessionmaker() as session:  # closed without a commit: rolled back
        await act_as_system(session)
        customer_id = await _account(session)
        fields: dict[str, Any] = {
            "customer_id": customer_id, "level": "manager", "assignee": "mgr-1",
            "reason": "bench v1: 30 days past due", "due_on": AS_OF, "status": "open",
            "raised_by": "strategy:bench@1", "raised_on": AS_OF,
        }  # fmt: skip
        orm, bulk, none_assigned = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await store_escalations(session, ACTOR, [Escalation(id=orm, **fields)])
        await store_new_escalations(
            session,
            ACTOR,
            [
                NewEscalation(id=bulk, **fields),
                NewEscalation(id=none_assigned, **{**fields, "assignee": None}),
            ],
        )
        table = Escalation.__table__
        assert isinstance(table, Table)
        assert await _row(session, table, bulk) == await _row(session, table, orm)
        assert (await _row(session, table, none_assigned))["assignee"] is None
        first, second, third = await _audit(session, customer_id, "escalation.raised")
        assert [r["chain_seq"] for r in (first, second, third)] == [1, 2, 3]
        assert _without_id(second) | {"chain_seq": 1} == _without_id(first)
        assert third["after"]["assignee"] is None
        assert (await verify_chains(await session.connection(), "collections")).ok
