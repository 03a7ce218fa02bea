"""The worklist's priority score (every part, with the numbers written out), SLAs, aging and
business dates of activities: pure rules."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from ar_collections.domain import aging, priority, sla
from ar_collections.domain.business_days import business_date_of

WEIGHTS = dict(priority.DEFAULT_WEIGHTS)


def test_every_part_of_the_score_on_a_worked_example() -> None:
    inputs = priority.ScoreInputs(
        overdue_minor={"EUR": 1_234_567},  # 12,345.67 EUR overdue
        oldest_days_past_due=45,
        risk_class="high",
        days_since_last_contact=10,
        follow_up_due=True,
        promise_broken=True,
        oldest_dispute_days=12,
    )
    score = priority.score(inputs, WEIGHTS)
    parts = {p.part: (p.weight, p.value, p.points) for p in score.parts}
    assert parts == {
        # 12,345.67 EUR in thousands = 12.34567; x 1.0 = 12.34567, to the cent 12.35
        "amount_overdue": (Decimal("1.0"), Decimal("12.34567"), Decimal("12.35")),
        # 45 days x 0.5
        "days_past_due": (Decimal("0.5"), Decimal(45), Decimal("22.50")),
        # high = 2, x 10
        "risk_class": (Decimal("10"), Decimal(2), Decimal("20.00")),
        # broken = 2, x 20
        "promise": (Decimal("20"), Decimal(2), Decimal("40.00")),
        # 12 days x 0.2
        "dispute_age": (Decimal("0.2"), Decimal(12), Decimal("2.40")),
        # 10 days since the last contact (fewer than the 45 past due) x 0.5
        "days_since_last_contact": (Decimal("0.5"), Decimal(10), Decimal("5.00")),
        # a task due: 1 x 25
        "follow_up_due": (Decimal("25"), Decimal(1), Decimal("25.00")),
    }
    assert score.total == Decimal("127.25")  # 12.35 + 22.50 + 20 + 40 + 2.40 + 5 + 25


def test_never_contacted_counts_the_days_past_due_and_nothing_overdue_counts_nothing() -> None:
    never = priority.part_values(priority.ScoreInputs({"EUR": 100}, 12, None, None, False))
    assert never["days_since_last_contact"] == 12
    assert never["risk_class"] == 1  # no credit profile: as medium
    current = priority.part_values(priority.ScoreInputs({}, 0, "low", None, True))
    assert current["days_since_last_contact"] == 0
    assert current["amount_overdue"] == 0


def test_promise_due_today_is_worth_half_a_broken_one() -> None:
    due = priority.part_values(priority.ScoreInputs({}, 0, None, None, False, promise_due_today=True))
    both = priority.part_values(
        priority.ScoreInputs({}, 0, None, None, False, promise_due_today=True, promise_broken=True)
    )
    assert (due["promise"], both["promise"]) == (Decimal(1), Decimal(2))


def test_currencies_add_up_at_face_value_in_their_own_minor_units() -> None:
    values = priority.part_values(
        priority.ScoreInputs({"EUR": 100_000, "JPY": 500_000, "KWD": 1_500}, 1, None, 0, False)
    )
    # 1,000.00 EUR + 500,000 JPY + 1.500 KWD = 501,001.5, in thousands
    assert values["amount_overdue"] == Decimal("501.0015")


_INPUTS = st.builds(
    priority.ScoreInputs,
    overdue_minor=st.dictionaries(st.sampled_from(["EUR", "JPY", "USD"]), st.integers(0, 10**15), max_size=3),
    oldest_days_past_due=st.integers(-30, 5000),
    risk_class=st.sampled_from(["low", "medium", "high", "very_high", None, "unknown"]),
    days_since_last_contact=st.none() | st.integers(0, 5000),
    follow_up_due=st.booleans(),
    promise_due_today=st.booleans(),
    promise_broken=st.booleans(),
    oldest_dispute_days=st.integers(0, 5000),
)


@given(_INPUTS, st.dictionaries(st.sampled_from(priority.PARTS), st.decimals(0, 1000, places=4)))
@example(  # found by CI: the part saturates a cent below weight x value
    priority.ScoreInputs({"JPY": 999990000100000}, 0, "low", None, follow_up_due=False),
    {"amount_overdue": Decimal("10.0001")},
)
def test_the_score_is_the_sum_of_its_parts_and_each_part_is_weight_times_value(
    inputs: priority.ScoreInputs, changed: dict[str, Decimal]
) -> None:
    weights = WEIGHTS | changed
    score = priority.score(inputs, weights)
    assert [p.part for p in score.parts] == list(priority.PARTS)
    assert score.total == sum(p.points for p in score.parts)
    assert priority.total_in_cents(inputs, weights) == score.total * 100  # what the worklist orders by
    for p in score.parts:
        assert p.weight == weights[p.part]
        # a part saturates at MAX_PART_POINTS (quadrillions of overdue yen): by design, not rounding
        expected = min(p.weight * p.value, Decimal(priority.MAX_PART_POINTS))
        assert abs(p.points - expected) <= Decimal("0.005")
        assert p.value >= 0


@given(_INPUTS, st.integers(1, 10**12))
def test_more_overdue_never_lowers_the_score(inputs: priority.ScoreInputs, more: int) -> None:
    overdue = {**inputs.overdue_minor, "EUR": inputs.overdue_minor.get("EUR", 0) + more}
    richer = dataclasses.replace(inputs, overdue_minor=overdue)
    assert priority.score(richer, WEIGHTS).total >= priority.score(inputs, WEIGHTS).total


RULE = sla.SlaRule(
    uuid.uuid4(),
    "call_7",
    "Call within 7 days",
    within_days=7,
    action_kind="call",
    action_direction="outbound",
)


def facts(oldest_due: date | None, **last: date) -> sla.SlaFacts:
    contacts = {tuple(k.split("_")): v for k, v in last.items()}  # call_outbound=...
    return sla.SlaFacts("DE01", None, None, oldest_due, contacts)  # type: ignore[arg-type]


def test_a_past_due_sla_starts_the_day_after_the_oldest_due_date_and_is_due_days_later() -> None:
    due = date(2026, 3, 2)
    # 2026-03-09 is 7 days past due: still within the SLA
    status = sla.rule_status(RULE, facts(due), date(2026, 3, 9))
    assert status == sla.SlaStatus(
        "call_7", "Call within 7 days", date(2026, 3, 3), date(2026, 3, 9), False, "rule"
    )
    # the day after, breached
    assert sla.rule_status(RULE, facts(due), date(2026, 3, 10)).breached  # type: ignore[union-attr]
    # due today is not past due: no SLA yet
    assert sla.rule_status(RULE, facts(due), due) is None
    assert sla.rule_status(RULE, facts(None), due) is None


def test_an_outbound_call_since_the_account_went_past_due_satisfies_it_and_nothing_else_does() -> None:
    due, today = date(2026, 3, 2), date(2026, 3, 20)
    assert sla.rule_status(RULE, facts(due, call_outbound=date(2026, 3, 3)), today) is None
    # a call before it went past due belongs to no delinquency
    assert sla.rule_status(RULE, facts(due, call_outbound=date(2026, 3, 2)), today) is not None
    # an inbound call or an e-mail is not what the rule asks
    assert sla.rule_status(RULE, facts(due, call_inbound=date(2026, 3, 5)), today) is not None
    assert sla.rule_status(RULE, facts(due, email_outbound=date(2026, 3, 5)), today) is not None
    any_call = sla.SlaRule(uuid.uuid4(), "c", "Any call", within_days=7, action_kind="call")
    assert sla.rule_status(any_call, facts(due, call_inbound=date(2026, 3, 5)), today) is None


def test_a_rule_scoped_to_an_entity_or_risk_class_applies_only_there() -> None:
    scoped = sla.SlaRule(uuid.uuid4(), "uk", "UK", within_days=1, action_kind="call", business_entity="UK01")
    assert sla.rule_status(scoped, facts(date(2026, 1, 1)), date(2026, 2, 1)) is None
    risky = sla.SlaRule(uuid.uuid4(), "r", "R", within_days=1, action_kind="call", risk_class="high")
    assert sla.rule_status(risky, facts(date(2026, 1, 1)), date(2026, 2, 1)) is None


def test_the_most_urgent_sla_is_a_breached_one_then_the_earliest_due() -> None:
    open_early = sla.SlaStatus("a", "a", None, date(2026, 1, 5), False, "rule")
    breached_late = sla.SlaStatus("b", "b", None, date(2026, 1, 9), True, "rule")
    breached_early = sla.SlaStatus("c", "c", None, date(2026, 1, 7), True, "task")
    assert sla.most_urgent([open_early, None, breached_late, breached_early]) == breached_early
    assert sla.most_urgent([None]) is None


def test_aging_buckets_with_the_default_and_other_edges() -> None:
    as_of = date(2026, 3, 31)
    assert [aging.bucket(aging.days_past_due(as_of, d)) for d in (
        date(2026, 4, 1), as_of, date(2026, 3, 30), date(2026, 3, 1), date(2026, 2, 28), date(2025, 11, 30),
        date(2025, 11, 29),
    )] == ["current", "current", "1-30", "1-30", "31-60", "121+", "121+"]  # fmt: skip
    assert aging.bucket_labels((15, 45)) == ["current", "1-15", "16-45", "46+"]
    assert aging.bucket(16, (15, 45)) == "16-45"


def test_an_activity_happened_on_the_business_date_as_many_days_back_as_on_the_calendar() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    # calendar mode: the date in the entity's zone (Tokyo is a day ahead of a late UTC evening)
    assert business_date_of(
        datetime(2026, 11, 20, 23, 0, tzinfo=UTC), now, date(2026, 11, 24), "Asia/Tokyo"
    ) == date(2026, 11, 21)
    # manual mode (the entity was set to 2027-01-15): logged now is "today", two days ago two days back
    assert business_date_of(now, now, date(2027, 1, 15), "UTC") == date(2027, 1, 15)
    assert business_date_of(now - timedelta(days=2), now, date(2027, 1, 15), "UTC") == date(2027, 1, 13)
