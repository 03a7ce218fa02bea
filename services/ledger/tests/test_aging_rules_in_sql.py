"""The aging rules have one home (domain/aging.py) for Python and SQL: on real PostgreSQL, the SQL
the reports and the sweep run gives the same days past due, overdue/current split and bucket as
the Python functions, around every bucket edge, for default and custom edges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from ar_ledger.config import LedgerSettings
from ar_ledger.domain.aging import (
    DEFAULT_EDGES,
    bucket_case_sql,
    bucket_index,
    current_sql,
    days_past_due,
    days_past_due_sql,
    is_overdue,
    overdue_sql,
)
from ar_shared.db import build_engine

HUGE = 2_000_000_000  # near PostgreSQL's integer limit
FIRST, LAST = date(1900, 1, 1), date(2999, 12, 31)  # the dates the API accepts

custom_edges = st.lists(st.integers(min_value=1, max_value=100_000), min_size=1, max_size=7, unique=True).map(
    lambda edges: tuple(sorted(edges))
)
edges_to_test = st.one_of(st.just(DEFAULT_EDGES), custom_edges)
_ticks = st.integers(min_value=-5, max_value=5)
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def around_every_edge(edges: tuple[int, ...]) -> list[int]:
    """Each edge, a day either side, the current/past-due boundary, negatives and huge values."""
    days = {-HUGE, -1_000, -1, 0, 1, 2, HUGE}
    for edge in edges:
        days |= {edge - 1, edge, edge + 1}
    return sorted(days)


@pytest.fixture(scope="module")
async def engine(ledger_settings: LedgerSettings, ledger_schema: None) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(ledger_settings)
    yield engine
    await engine.dispose()


@EXAMPLES
@given(edges=edges_to_test, more=st.lists(st.integers(min_value=-HUGE, max_value=HUGE), max_size=20))
async def test_the_sql_bucket_is_the_python_bucket_around_every_edge(
    engine: AsyncEngine, edges: tuple[int, ...], more: list[int]
) -> None:
    days = around_every_edge(edges) + more
    sql = f"SELECT d, {bucket_case_sql('d', edges)} FROM unnest(CAST(:days AS integer[])) AS t(d)"
    async with engine.connect() as connection:
        rows = (await connection.execute(text(sql), {"days": days})).all()
    assert dict(rows) == {d: bucket_index(d, edges) for d in days}


@EXAMPLES
@given(
    edges=edges_to_test,
    as_of=st.dates(min_value=date(1950, 1, 1), max_value=date(2950, 12, 31)),
    due_dates=st.lists(st.dates(min_value=FIRST, max_value=LAST), max_size=10),
    tick=_ticks,
)
async def test_days_past_due_overdue_and_bucket_agree_in_sql_and_python(
    engine: AsyncEngine, edges: tuple[int, ...], as_of: date, due_dates: list[date], tick: int
) -> None:
    # due dates that put the invoice on each edge, a day either side, due today and tomorrow
    near = [as_of - timedelta(days=edge + step) for edge in edges for step in (-1, 0, 1)]
    near += [as_of - timedelta(days=d) for d in (-1, 0, 1, tick)]
    dues = [d for d in due_dates + near if FIRST <= d <= LAST]
    days = days_past_due_sql("a", "d")
    sql = f"""
        SELECT d, {days}, {bucket_case_sql(days, edges)}, {overdue_sql("a", "d")}, {current_sql("a", "d")}
        FROM unnest(CAST(:dues AS date[])) AS t(d), (SELECT CAST(:as_of AS date)) AS x(a)
    """
    async with engine.connect() as connection:
        rows = (await connection.execute(text(sql), {"dues": dues, "as_of": as_of})).all()
    for due, sql_days, sql_bucket, sql_overdue, sql_current in rows:
        python_days = days_past_due(as_of, due)
        assert (sql_days, sql_bucket) == (python_days, bucket_index(python_days, edges))
        assert sql_overdue is is_overdue(as_of, due)
        assert sql_current is not is_overdue(as_of, due)
    assert len(rows) == len(dues)
