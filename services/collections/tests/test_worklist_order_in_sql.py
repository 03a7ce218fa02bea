"""The worklist is ordered by PostgreSQL with SQL generated from the domain's weights and SLA
rules: on random accounts, the database computes exactly the cents and the breaches the domain
functions compute (each part rounded half to even, amounts of several currencies added up)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ar_collections.config import CollectionsSettings
from ar_collections.domain import disputes, priority, sla
from ar_collections.worklist.ordering import Parameters, breached_sql, score_laterals_sql
from ar_shared.db import asyncpg_dsn
from ar_shared.money import currency_exponent

pytestmark = pytest.mark.integration

AS_OF = date(2026, 6, 30)
PORTFOLIOS = [uuid.UUID(int=1), uuid.UUID(int=2)]


@pytest.fixture(scope="module")
async def connection(collections_settings: CollectionsSettings) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(asyncpg_dsn(collections_settings.database_url.get_secret_value()))
    yield conn
    await conn.close()


rules_strategy = st.lists(
    st.builds(
        sla.SlaRule,
        id=st.uuids(),
        code=st.just("r"),
        name=st.just("r"),
        within_days=st.integers(0, 60),
        action_kind=st.sampled_from(["call", "email"]),
        action_direction=st.sampled_from([None, "outbound", "inbound"]),
        business_entity=st.sampled_from([None, "DE01", "UK01"]),
        risk_class=st.sampled_from([None, "high", "low"]),
        portfolio_id=st.sampled_from([None, *PORTFOLIOS]),
    ),
    max_size=3,
)
weights_strategy = st.fixed_dictionaries(
    {part: st.decimals(0, 999999, places=4, allow_nan=False) for part in priority.PARTS}
)


@st.composite
def accounts(draw: st.DrawFn) -> dict[str, Any]:
    oldest = draw(st.none() | st.integers(1, 400).map(lambda d: AS_OF - timedelta(days=d)))
    return {
        "overdue": draw(
            st.dictionaries(st.sampled_from(["EUR", "JPY", "KWD", "USD"]), st.integers(0, 10**15), max_size=3)
        )
        if oldest
        else {},
        "oldest": oldest,
        "last_contact": draw(st.none() | st.integers(-5, 400).map(lambda d: AS_OF - timedelta(days=d))),
        "risk_class": draw(st.sampled_from([None, "low", "medium", "high", "very_high", "unknown"])),
        "tasks_counted": draw(st.integers(0, 3)),
        "barred": draw(st.booleans()),
        "promise_broken": draw(st.booleans()),
        "promise_due_today": draw(st.booleans()),
        # a case opened after the business date (a business date set back) counts 0 in both
        "oldest_dispute": draw(st.none() | st.integers(-5, 400).map(lambda d: AS_OF - timedelta(days=d))),
        "task_breached": draw(st.booleans()),
        "entity": draw(st.sampled_from(["DE01", "UK01"])),
        "portfolio": draw(st.sampled_from(PORTFOLIOS)),
        "rule_dates": draw(
            st.lists(
                st.none() | st.integers(-5, 400).map(lambda d: AS_OF - timedelta(days=d)),
                min_size=3,
                max_size=3,
            )
        ),
    }


async def in_sql(
    conn: asyncpg.Connection, account: dict[str, Any], weights: dict[str, Decimal], rules: list[sla.SlaRule]
) -> tuple[int, bool]:
    p = Parameters()
    currencies = sorted(account["overdue"])
    facts = (
        f"SELECT (SELECT sum(m::numeric / power(10::numeric, e + 3)) "
        f"FROM unnest({p([account['overdue'][c] for c in currencies], 'bigint[]')}, "
        f"{p([currency_exponent(c) for c in currencies], 'integer[]')}) AS t(m, e)) AS overdue_thousands, "
        f"coalesce({p(AS_OF, 'date')} - {p(account['oldest'], 'date')}, 0) AS days_past_due, "
        f"{p(account['risk_class'], 'text')} AS risk_class, "
        f"{p(account['last_contact'], 'date')} AS last_contact_on, "
        f"{p(AS_OF, 'date')} AS as_of, {p(account['tasks_counted'], 'bigint')} AS tasks_counted, "
        f"{p(account['barred'], 'boolean')} AS barred, "
        f"{p(account['task_breached'], 'boolean')} AS task_breached, "
        f"{p(account['promise_broken'], 'boolean')} AS promise_broken, "
        f"{p(account['promise_due_today'], 'boolean')} AS promise_due_today, "
        f"{p(account['oldest_dispute'], 'date')} AS oldest_dispute_opened_on, "
        f"{p(account['oldest'], 'date')} AS oldest_overdue_due, "
        f"{p(account['entity'], 'text')} AS business_entity, "
        f"{p(account['portfolio'], 'uuid')} AS portfolio_id"
    )
    # what the worklist's query computes per rule from the activities: the latest it accepts
    latest = [sla.last_action_on(rule, facts_of(account, rules)) for rule in rules]
    contacts = ", ".join(f"{p(latest[i], 'date')} AS rule_{i}" for i in range(len(rules)))
    sql = (
        f"SELECT c.cents, {breached_sql(rules, 'k', 'co', p)} AS breached "
        f"FROM ({facts}) k LEFT JOIN (SELECT {contacts or '1 AS nothing'}) co ON true, "
        f"{score_laterals_sql('k', weights, p)}"
    )
    row = await conn.fetchrow(sql, *p.values)
    assert row is not None
    return int(row["cents"]), bool(row["breached"])


def facts_of(account: dict[str, Any], rules: list[sla.SlaRule]) -> sla.SlaFacts:
    """The activities behind `rule_dates`: the i-th rule's date is an activity of its kind and
    direction. Two rules may accept the same activity, so each rule's latest is derived from
    them all (as the query does), never taken from its own date alone."""
    contacts: dict[tuple[str, str | None], date] = {}
    for rule, on in zip(rules, account["rule_dates"], strict=False):
        key = (rule.action_kind, rule.action_direction)
        if on is not None and (key not in contacts or on > contacts[key]):
            contacts[key] = on
    return sla.SlaFacts(
        account["entity"], account["risk_class"], account["portfolio"], account["oldest"], contacts
    )


def in_python(
    account: dict[str, Any], weights: dict[str, Decimal], rules: list[sla.SlaRule]
) -> tuple[int, bool]:
    oldest: date | None = account["oldest"]
    inputs = priority.ScoreInputs(
        overdue_minor=account["overdue"],
        oldest_days_past_due=(AS_OF - oldest).days if oldest else 0,
        risk_class=account["risk_class"],
        days_since_last_contact=(AS_OF - account["last_contact"]).days if account["last_contact"] else None,
        follow_up_due=account["tasks_counted"] > 0,
        promise_due_today=account["promise_due_today"],
        promise_broken=account["promise_broken"],
        oldest_dispute_days=disputes.age_in_days(account["oldest_dispute"], AS_OF),
    )
    facts = facts_of(account, rules)
    statuses = [] if account["barred"] else [sla.rule_status(rule, facts, AS_OF) for rule in rules]
    breached = account["task_breached"] or any(s is not None and s.breached for s in statuses)
    return priority.total_in_cents(inputs, weights), breached


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(account=accounts(), weights=weights_strategy, rules=rules_strategy)
async def test_postgresql_orders_by_the_same_cents_and_breaches_as_the_domain(
    connection: asyncpg.Connection,
    account: dict[str, Any],
    weights: dict[str, Decimal],
    rules: list[sla.SlaRule],
) -> None:
    assert await in_sql(connection, account, weights, rules) == in_python(account, weights, rules)


async def test_a_half_cent_rounds_to_even_in_both(connection: asyncpg.Connection) -> None:
    # 0.5 x 1 = 0.50 exactly; 0.125 x 1 day = 12.5 cents -> 12 (even); 0.375 x 1 -> 37.5 -> 38
    base = {"overdue": {}, "oldest": AS_OF - timedelta(days=1), "last_contact": AS_OF, "risk_class": "low",
            "tasks_counted": 0, "barred": False, "task_breached": False, "promise_broken": False,
            "promise_due_today": False, "oldest_dispute": None, "entity": "DE01",
            "portfolio": PORTFOLIOS[0], "rule_dates": [None, None, None]}  # fmt: skip
    for weight, cents in ((Decimal("0.125"), 12), (Decimal("0.375"), 38), (Decimal("0.5"), 50)):
        weights = dict.fromkeys(priority.PARTS, Decimal(0)) | {"days_past_due": weight}
        assert await in_sql(connection, base, weights, []) == in_python(base, weights, []) == (cents, False)


async def test_a_part_beyond_what_a_bigint_holds_saturates_alike_in_both(
    connection: asyncpg.Connection,
) -> None:
    # quadrillions of overdue yen at the largest weight: 10**20 cents unbounded, past a bigint
    huge = {"overdue": {"JPY": 10**15}, "oldest": AS_OF - timedelta(days=1), "last_contact": None,
            "risk_class": None, "tasks_counted": 0, "barred": False, "task_breached": False,
            "promise_broken": False, "promise_due_today": False, "oldest_dispute": None, "entity": "DE01",
            "portfolio": PORTFOLIOS[0], "rule_dates": [None, None, None]}  # fmt: skip
    weights = dict.fromkeys(priority.PARTS, Decimal(0)) | {"amount_overdue": Decimal("999999.9999")}
    assert await in_sql(connection, huge, weights, []) == in_python(huge, weights, [])
    assert in_python(huge, weights, [])[0] == priority.MAX_PART_CENTS
