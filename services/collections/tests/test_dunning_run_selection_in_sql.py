"""The strategy run picks the accounts to judge in one statement (`accounts_to_judge`): on random
accounts (open, paid and future items, fresh cycles and cycles under way), PostgreSQL leaves
exactly the accounts quiet that the domain's `is_quiet` calls quiet, and judges the others that
have an open item or a cycle under way."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from ar_collections.access import act_as_system
from ar_collections.domain import dunning
from ar_collections.dunning.repository import DunningRepository
from ar_collections.models import Account, DunningState, OpenItem

pytestmark = pytest.mark.integration

AS_OF = date(2026, 6, 30)

cycles = st.none() | st.builds(
    dunning.Cycle,
    number=st.integers(1, 3),
    overdue_seen=st.booleans(),
    level_days=st.none() | st.integers(-10, 60),
)
# an item: days past due on AS_OF (negative: not yet due) and its open balance (0: paid)
items = st.lists(st.tuples(st.integers(-40, 40), st.sampled_from([0, 1, 5_000])), max_size=3)
accounts = st.lists(st.tuples(cycles, items), min_size=1, max_size=6)
Drawn = list[tuple[dunning.Cycle | None, list[tuple[int, int]]]]


def in_python(drawn: Drawn, below: int) -> tuple[list[int], int]:
    judged, quiet = [], 0
    for n, (cycle, owed) in enumerate(drawn):
        open_days = [days for days, minor in owed if minor > 0]
        state = cycle or dunning.Cycle(1, False, None)
        under_way = state.overdue_seen or state.level_days is not None
        if not open_days and not under_way:
            continue  # nothing open, nothing to cure: not the run's business
        if open_days and dunning.is_quiet(state, max(open_days), below):
            quiet += 1
        else:
            judged.append(n)
    return judged, quiet


async def in_sql(app: FastAPI, drawn: Drawn, below: int) -> tuple[list[int], int]:
    entity = f"P{uuid.uuid4().hex[:8]}"  # the example's own entity: other rows are not seen
    ids = sorted(uuid.uuid4() for _ in drawn)  # the run judges by id: index n is the n-th id
    async with app.state.sessionmaker() as session:  # closed without a commit: rolled back
        await act_as_system(session)
        await session.execute(
            insert(Account),
            [
                {"customer_id": c, "external_id": f"{entity}-{n}", "name": f"Customer {n}", "currency": "EUR",
                 "business_entity": entity, "time_zone": "UTC"}
                for n, c in enumerate(ids)
            ],
        )  # fmt: skip
        states = [
            {"customer_id": c, "cycle": cycle.number, "overdue_seen": cycle.overdue_seen,
             "level_days": cycle.level_days}
            for c, (cycle, _) in zip(ids, drawn, strict=True)
            if cycle is not None
        ]  # fmt: skip
        if states:
            await session.execute(insert(DunningState), states)
        rows: list[dict[str, Any]] = [
            {"invoice_id": uuid.uuid4(), "customer_id": c, "business_entity": entity,
             "invoice_number": f"{c}-{k}", "issue_date": AS_OF - timedelta(days=days + 30),
             "due_date": AS_OF - timedelta(days=days), "currency": "EUR", "exponent": 2,
             "amount_minor": 5_000, "open_minor": minor}
            for c, (_, owed) in zip(ids, drawn, strict=True)
            for k, (days, minor) in enumerate(owed)
        ]  # fmt: skip
        if rows:
            await session.execute(insert(OpenItem), rows)
        judged, quiet = await DunningRepository(session).accounts_to_judge(entity, AS_OF, below)
    return [ids.index(c) for c in judged], quiet


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=accounts, below=st.sampled_from([-5, -1, 1, 3]))
async def test_postgresql_leaves_the_same_accounts_quiet_as_the_domain(
    collections_app: FastAPI, drawn: Drawn, below: int
) -> None:
    assert await in_sql(collections_app, drawn, below) == in_python(drawn, below)
