"""The pure rules of promises to pay and payment plans (domain/promises.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.promises import (
    Applied,
    Commitment,
    Instalment,
    claimed,
    deadline,
    escalates,
    instalment_errors,
    judge_plan,
    judge_promise,
    unclaimed,
)

PROMISED = date(2026, 5, 15)  # a date like any other: the rules compare dates with each other only
TOLERANCE = 3
LAST_DAY = PROMISED + timedelta(days=TOLERANCE)


def day(n: int) -> date:
    return PROMISED + timedelta(days=n)


def test_paid_in_full_before_the_date_is_kept_at_once() -> None:
    judged = judge_promise(10_000, PROMISED, TOLERANCE, [Applied(day(-2), 10_000)], day(-2))
    assert (judged.status, judged.received_minor) == ("kept", 10_000)


def test_paid_in_full_within_the_tolerance_is_kept() -> None:
    assert judge_promise(10_000, PROMISED, TOLERANCE, [Applied(LAST_DAY, 10_000)], LAST_DAY).status == "kept"


def test_nothing_paid_stays_open_through_the_last_day_and_breaks_the_day_after() -> None:
    assert judge_promise(10_000, PROMISED, TOLERANCE, [], LAST_DAY).status == "open"
    assert judge_promise(10_000, PROMISED, TOLERANCE, [], LAST_DAY + timedelta(days=1)).status == "broken"


def test_part_paid_by_the_deadline_is_partially_kept_after_it() -> None:
    judged = judge_promise(10_000, PROMISED, TOLERANCE, [Applied(day(0), 4_000)], day(TOLERANCE + 1))
    assert (judged.status, judged.received_minor) == ("partially_kept", 4_000)


def test_cash_after_the_deadline_does_not_keep_it() -> None:
    late = [Applied(LAST_DAY + timedelta(days=1), 10_000)]
    assert judge_promise(10_000, PROMISED, TOLERANCE, late, LAST_DAY + timedelta(days=1)).status == "broken"


def test_a_kept_promise_whose_cash_is_taken_back_is_open_again_before_its_deadline() -> None:
    assert judge_promise(10_000, PROMISED, TOLERANCE, [Applied(day(0), 10_000)], day(1)).status == "kept"
    assert judge_promise(10_000, PROMISED, TOLERANCE, [], day(1)).status == "open"


@given(
    st.integers(1, 10**9),
    st.lists(st.tuples(st.integers(-10, 20), st.integers(1, 10**8)), max_size=6),
    st.integers(-10, 30),
    st.integers(0, 10),
)
def test_a_promise_is_judged_only_by_what_was_applied_by_its_deadline(
    promised: int, cash: list[tuple[int, int]], today: int, tolerance: int
) -> None:
    applied = [Applied(day(d), m) for d, m in cash]
    judged = judge_promise(promised, PROMISED, tolerance, applied, day(today))
    by_deadline = sum(m for d, m in cash if day(d) <= deadline(PROMISED, tolerance))
    assert judged.received_minor == by_deadline
    if by_deadline >= promised:
        assert judged.status == "kept"
    elif day(today) <= deadline(PROMISED, tolerance):
        assert judged.status == "open"
    else:
        assert judged.status == ("partially_kept" if by_deadline else "broken")


def test_a_credit_memo_lowers_what_the_cash_must_reach_not_the_promise() -> None:
    # 100.00 open, 100.00 promised, 30.00 credited: 70.00 of cash settles it
    credit = [Applied(day(-1), 3_000)]
    judged = judge_promise(
        10_000, PROMISED, TOLERANCE, [Applied(day(0), 7_000)], day(0), credited=credit, covered_minor=10_000
    )
    assert (judged.status, judged.received_minor, judged.credited_minor, judged.missing_minor) == (
        "kept",
        7_000,
        3_000,
        0,
    )
    # without the credit the same cash is only a part
    assert judge_promise(10_000, PROMISED, TOLERANCE, [Applied(day(0), 7_000)], day(0)).status == "open"


def test_a_credit_on_items_owing_more_than_promised_changes_nothing_until_it_cuts_below_the_promise() -> None:
    # 500.00 open, 250.00 promised: a 100.00 credit leaves 400.00 owed, 250.00 of cash still due
    cash = [Applied(day(0), 20_000)]
    small = judge_promise(
        25_000,
        PROMISED,
        TOLERANCE,
        cash,
        day(TOLERANCE + 1),
        credited=[Applied(day(0), 10_000)],
        covered_minor=50_000,
    )
    assert (small.status, small.due_minor, small.missing_minor) == ("partially_kept", 25_000, 5_000)
    # a 300.00 credit leaves 200.00 owed: the 200.00 paid keeps it
    large = judge_promise(
        25_000, PROMISED, TOLERANCE, cash, day(0), credited=[Applied(day(0), 30_000)], covered_minor=50_000
    )
    assert (large.status, large.due_minor) == ("kept", 20_000)


def test_items_credited_in_full_keep_the_promise_without_cash() -> None:
    judged = judge_promise(
        10_000, PROMISED, TOLERANCE, [], day(0), credited=[Applied(day(0), 10_000)], covered_minor=10_000
    )
    assert (judged.status, judged.received_minor, judged.due_minor) == ("kept", 0, 0)


def test_a_credit_after_the_deadline_does_not_count_and_a_credit_alone_is_no_payment() -> None:
    late = [Applied(LAST_DAY + timedelta(days=1), 5_000)]
    after = LAST_DAY + timedelta(days=1)
    judged = judge_promise(10_000, PROMISED, TOLERANCE, [], after, credited=late, covered_minor=10_000)
    assert (judged.status, judged.credited_minor) == ("broken", 0)
    partly_credited = judge_promise(
        10_000, PROMISED, TOLERANCE, [], after, credited=[Applied(day(0), 5_000)], covered_minor=10_000
    )
    assert (partly_credited.status, partly_credited.missing_minor) == ("broken", 5_000)


@given(
    st.integers(1, 10**6),
    st.integers(0, 10**6),
    st.lists(st.tuples(st.integers(-10, 20), st.integers(1, 10**5)), max_size=5),
    st.lists(st.tuples(st.integers(-10, 20), st.integers(1, 10**5)), max_size=3),
)
def test_credits_never_make_a_promise_harder_to_keep(
    promised: int, extra_open: int, cash: list[tuple[int, int]], credits: list[tuple[int, int]]
) -> None:
    applied = [Applied(day(d), m) for d, m in cash]
    credited = [Applied(day(d), m) for d, m in credits]
    after = LAST_DAY + timedelta(days=1)
    without = judge_promise(
        promised, PROMISED, TOLERANCE, applied, after, covered_minor=promised + extra_open
    )
    with_credit = judge_promise(
        promised, PROMISED, TOLERANCE, applied, after, credited=credited, covered_minor=promised + extra_open
    )
    rank = {"broken": 0, "partially_kept": 1, "kept": 2}
    assert rank[with_credit.status] >= rank[without.status]
    assert with_credit.received_minor == without.received_minor  # a credit is no cash
    assert 0 <= with_credit.due_minor <= promised


def test_cash_claimed_by_an_older_promise_is_left_out_earliest_first() -> None:
    cash = [Applied(day(2), 5_000), Applied(day(0), 3_000)]
    assert unclaimed(cash, 0) == [Applied(day(0), 3_000), Applied(day(2), 5_000)]
    assert unclaimed(cash, 4_000) == [Applied(day(2), 4_000)]
    assert unclaimed(cash, 8_000) == []
    assert unclaimed(cash, 9_000) == []


def test_an_older_commitment_claims_its_cash_since_the_newer_began_up_to_what_it_is_owed() -> None:
    # a promise of 250.00 recorded on day 0, deadline day 3; the newer commitment began on day 1
    promise = Commitment(since=day(0), last_day=day(3), owed_minor=25_000)
    assert claimed(promise, [], day(1)) == 0
    assert claimed(promise, [Applied(day(1), 25_000)], day(1)) == 25_000  # the replacement payment
    assert claimed(promise, [Applied(day(1), 40_000)], day(1)) == 25_000  # never more than owed
    assert claimed(promise, [Applied(day(0), 25_000), Applied(day(2), 10_000)], day(1)) == 0  # had it
    assert claimed(promise, [Applied(day(0), 10_000), Applied(day(2), 30_000)], day(1)) == 15_000
    assert claimed(promise, [Applied(day(4), 25_000)], day(1)) == 0  # after its deadline: not its own
    # a plan completed on day 2 claims nothing applied after it; an active one all it is owed
    closed = Commitment(since=day(0), last_day=day(2), owed_minor=50_000)
    assert claimed(closed, [Applied(day(2), 10_000), Applied(day(3), 20_000)], day(1)) == 10_000
    active = Commitment(since=day(0), last_day=date.max, owed_minor=50_000)
    assert claimed(active, [Applied(day(2), 10_000), Applied(day(30), 20_000)], day(1)) == 30_000


def test_escalation_comes_at_every_nth_broken_promise_and_never_when_off() -> None:
    assert [n for n in range(1, 10) if escalates(n, 3)] == [3, 6, 9]
    assert not any(escalates(n, 0) for n in range(10))


PLAN = [Instalment(day(0), 1_000), Instalment(day(30), 2_000), Instalment(day(60), 2_000)]


def test_a_plan_paid_on_time_is_completed_with_every_instalment_kept() -> None:
    cash = [Applied(day(0), 1_000), Applied(day(29), 2_000), Applied(day(60), 2_000)]
    judged = judge_plan(PLAN, 5, cash, day(60))
    assert judged.status == "completed"
    assert [i.status for i in judged.instalments] == ["kept", "kept", "kept"]


def test_an_instalment_paid_after_its_due_date_is_late_and_one_unpaid_is_due_then_missed() -> None:
    cash = [Applied(day(2), 1_000)]
    assert [i.status for i in judge_plan(PLAN, 5, cash, day(30)).instalments] == [
        "late",
        "pending",
        "pending",
    ]
    assert [i.status for i in judge_plan(PLAN, 5, cash, day(35)).instalments] == ["late", "due", "pending"]
    breached = judge_plan(PLAN, 5, cash, day(36))
    assert breached.status == "breached"
    assert [i.status for i in breached.instalments] == ["late", "missed", "pending"]
    # paid only after the tolerance: missed, whenever the plan is judged
    paid_too_late = [*cash, Applied(day(36), 2_000)]
    assert [i.status for i in judge_plan(PLAN, 5, paid_too_late, day(36)).instalments][1] == "missed"


def test_a_part_payment_counts_towards_the_instalments_in_order() -> None:
    judged = judge_plan(PLAN, 5, [Applied(day(0), 1_500)], day(10))
    assert [(i.status, i.paid_minor) for i in judged.instalments] == [
        ("kept", 1_000),
        ("pending", 500),
        ("pending", 0),
    ]
    assert judged.status == "active"


def test_instalments_must_add_up_to_the_covered_amount_and_be_in_date_order() -> None:
    assert instalment_errors(PLAN, 5_000, day(0)) == []
    codes = {code for _, code, _ in instalment_errors(PLAN, 4_000, day(0))}
    assert codes == {"instalments_do_not_add_up"}
    swapped = [PLAN[0], PLAN[2], PLAN[1]]
    assert [(n, code) for n, code, _ in instalment_errors(swapped, 5_000, day(0))] == [
        (2, "instalments_not_in_date_order")
    ]
    assert [(n, code) for n, code, _ in instalment_errors(PLAN, 5_000, day(1))] == [
        (0, "instalment_in_the_past")
    ]


@given(
    st.lists(st.tuples(st.integers(0, 90), st.integers(1, 10_000)), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 120), st.integers(1, 20_000)), max_size=8),
    st.integers(0, 130),
    st.integers(0, 10),
)
def test_a_plans_cash_pays_its_instalments_in_order_and_never_more_than_each_one(
    schedule: list[tuple[int, int]], cash: list[tuple[int, int]], today: int, tolerance: int
) -> None:
    instalments = [Instalment(day(d), m) for d, m in sorted(schedule)]
    applied = [Applied(day(d), m) for d, m in cash]
    judged = judge_plan(instalments, tolerance, applied, day(today))
    received = sum(m for _, m in cash)
    total = sum(i.minor for i in instalments)
    assert sum(j.paid_minor for j in judged.instalments) == min(received, total)
    assert all(0 <= j.paid_minor <= i.minor for i, j in zip(instalments, judged.instalments, strict=True))
    paid_in_full = [j.paid_minor == i.minor for i, j in zip(instalments, judged.instalments, strict=True)]
    assert paid_in_full == sorted(paid_in_full, reverse=True)  # earlier instalments are paid first
    assert (judged.status == "completed") == (
        received >= total and "missed" not in {j.status for j in judged.instalments}
    )
    assert (judged.status == "breached") == any(j.status == "missed" for j in judged.instalments)
