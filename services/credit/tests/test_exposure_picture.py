"""The exposure picture's SQL is the pure rules: the entity's business date (`ar_shared.business_date`)
and what is overdue and how old (`domain.credit.overdue_position`, `days_past_due`)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import available_timezones

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ar_credit.calendars.service import calendar_of
from ar_credit.calendars.sql import business_date_sql
from ar_credit.domain.credit import days_past_due, overdue_position
from ar_credit.exposure.picture import CreditRules, session_picture, session_pictures
from ar_credit.models import BusinessCalendar, CreditCustomer, CreditInvoice
from ar_shared.business_date import business_date
from ar_shared.clock import ManualClock
from ar_shared.testing.clock import TEST_CLOCK

pytestmark = pytest.mark.integration

# zones PostgreSQL and Python both know: the same IANA database, maybe of different releases, so
# the property holds for the years both agree on (rules change for the future, not the past)
ZONES = sorted(available_timezones() - {"Factory", "localtime"})
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
RULES = CreditRules(include_disputed=True, default_time_zone="America/Los_Angeles")
HYPOTHESIS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(
    zone=st.sampled_from(ZONES),
    now=instants,
    mode=st.sampled_from(["calendar", "manual", None]),  # None: the ledger never announced it
    announced=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
)
@example(zone="Pacific/Kiritimati", now=datetime(2026, 12, 31, 10, 0, tzinfo=UTC), mode="calendar",
         announced=date(2026, 12, 30))  # fmt: skip
@example(zone="Asia/Tokyo", now=datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC), mode="calendar",
         announced=date(2026, 12, 31))  # fmt: skip
@example(zone="UTC", now=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), mode=None,
         announced=date(2026, 12, 31))  # fmt: skip
async def test_the_sql_business_date_is_the_python_rule(
    credit_app: FastAPI, zone: str, now: datetime, mode: str | None, announced: date
) -> None:
    row = None if mode is None else BusinessCalendar(business_entity="E", time_zone=zone, mode=mode,
                                                     business_date=announced)  # fmt: skip
    expected = business_date(calendar_of("E", row, RULES.default_time_zone), ManualClock(now))
    expression = business_date_sql("bc", "CAST(:now AS timestamptz)", "CAST(:zone AS text)")
    async with credit_app.state.sessionmaker() as session:
        found = await session.scalar(
            text(
                f"SELECT {expression} FROM (SELECT CAST(:mode AS text) AS mode,"
                " CAST(:time_zone AS text) AS time_zone, CAST(:announced AS date) AS business_date) bc"
            ),
            {"now": now, "zone": RULES.default_time_zone, "mode": mode,
             "time_zone": None if mode is None else zone, "announced": None if mode is None else announced},
        )  # fmt: skip
    assert found == expected


invoices = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=-90, max_value=30)),
    max_size=12,
)


@HYPOTHESIS
@given(
    open_invoices=invoices,
    manual=st.booleans(),
    at_least=st.none() | st.integers(min_value=-10, max_value=60),
)
async def test_what_the_picture_calls_overdue_is_the_pure_rule(
    credit_app: FastAPI, open_invoices: list[tuple[int, int]], manual: bool, at_least: int | None
) -> None:
    """Both statements, one customer's (the credit check's) and many customers' (a consumer
    batch's judgement), each with a date the business date is at least (a past-due sweep's)."""
    today = TEST_CLOCK.now().date()
    entity_date = today + timedelta(days=45) if manual else today  # the ledger set the entity ahead
    not_before = None if at_least is None else today + timedelta(days=at_least)
    judged = entity_date if not_before is None else max(entity_date, not_before)
    entity, customer_id = f"P{uuid.uuid4().hex[:8]}", uuid.uuid4()
    due = [(amount, today + timedelta(days=offset)) for amount, offset in open_invoices]
    async with credit_app.state.sessionmaker() as session:
        session.add(CreditCustomer(id=customer_id, external_id="P", name="P", currency="EUR",
                                   business_entity=entity, time_zone="UTC"))  # fmt: skip
        if manual:
            session.add(
                BusinessCalendar(
                    business_entity=entity, time_zone="UTC", mode="manual", business_date=entity_date
                )
            )
        await session.flush()
        session.add_all(
            CreditInvoice(id=uuid.uuid4(), customer_id=customer_id, invoice_number=f"I{n}", currency="EUR",
                          amount_minor=max(amount, 1), open_minor=amount, due_date=on)
            for n, (amount, on) in enumerate(due)
        )  # fmt: skip
        rules = CreditRules(True, "UTC")
        picture = await session_picture(session, customer_id, rules, not_before=not_before)
        # the test database's tables are never analyzed: on the planner's default guesses the
        # many-customer statement costs more than `jit_above_cost`, and compiling it takes
        # seconds on a loaded machine, at every call (JIT changes no result)
        await session.execute(text("SET LOCAL jit = off"))
        pictures, _ = await session_pictures(session, {customer_id: not_before}, rules)
        await session.rollback()
    overdue, oldest = overdue_position(due, judged)
    for found in (picture, pictures.get(customer_id)):
        assert found is not None
        assert (found.business_date, found.parts.overdue, found.parts.oldest_days_past_due) == (
            judged,
            overdue,
            days_past_due(oldest, judged),
        )
