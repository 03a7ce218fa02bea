"""Champion / challenger rules: the split and the statistics, on data whose answer is known."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ar_collections.domain import experiments as rules

EXPERIMENT = uuid.UUID("0b8f5f7e-3a51-4c8e-9d52-0c1f8a2b6d11")
THREE_WAYS = (
    rules.Arm("champion", "standard", 7000),
    rules.Arm("b", "early", 2000),
    rules.Arm("c", "soft", 1000),
)


def accounts(n: int, seed: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=(seed << 64) + i) for i in range(n)]


def test_the_split_is_within_two_percent_of_each_share_over_ten_thousand_accounts() -> None:
    placed = [rules.arm_for(EXPERIMENT, a, THREE_WAYS).name for a in accounts(10_000, 1)]
    for arm in THREE_WAYS:
        share = placed.count(arm.name) / len(placed)
        assert abs(share - arm.share_bp / 10_000) <= 0.02, (arm.name, share)


def test_an_account_stays_in_its_arm_and_new_accounts_move_nobody() -> None:
    first = accounts(2_000, 2)
    before = {a: rules.arm_for(EXPERIMENT, a, THREE_WAYS).name for a in first}
    later = first + accounts(3_000, 3)  # accounts arrive; the first ones are placed again
    after = {a: rules.arm_for(EXPERIMENT, a, THREE_WAYS).name for a in later}
    assert all(after[a] == arm for a, arm in before.items())
    share = sum(1 for a in later if after[a] == "champion") / len(later)
    assert abs(share - 0.7) <= 0.02


def test_another_experiment_splits_the_same_accounts_independently() -> None:
    halves = (rules.Arm("a", "x", 5000), rules.Arm("b", "y", 5000))
    pool = accounts(4_000, 4)
    one = [rules.arm_for(EXPERIMENT, a, halves).name for a in pool]
    other = [rules.arm_for(uuid.uuid5(EXPERIMENT, "other"), a, halves).name for a in pool]
    agree = sum(1 for x, y in zip(one, other, strict=True) if x == y) / len(pool)
    assert 0.45 <= agree <= 0.55  # unrelated: about half agree by chance


@pytest.mark.parametrize(
    ("shares", "errors"),
    [
        ([5000, 5000], []),
        ([3334, 3333, 3333], []),
        ([5000, 4000], ["the shares add up to 90 %, not 100 %"]),
        ([10000, 0], ["every arm needs a share above 0 %"]),
    ],
)
def test_shares_must_be_positive_and_add_up_to_100_percent(shares: list[int], errors: list[str]) -> None:
    assert rules.share_errors(shares) == errors


def test_a_clear_difference_in_rates_is_significant_and_a_tiny_one_is_not() -> None:
    champion = rules.rate(300, 1000)
    assert champion.rate == 0.3
    assert champion.interval is not None
    assert champion.interval.low == pytest.approx(0.2724, abs=1e-4)  # Wilson, 95 %
    assert champion.interval.high == pytest.approx(0.3291, abs=1e-4)
    clear = rules.compare_rates(champion, rules.rate(400, 1000))
    assert clear.significant
    assert clear.difference == pytest.approx(0.1)
    # pooled 0.35: z = 0.1 / sqrt(0.35 * 0.65 * 2 / 1000) = 4.688, two-sided p = 2.76e-6
    assert clear.p_value == pytest.approx(2.76e-6, rel=0.01)
    null = rules.compare_rates(champion, rules.rate(305, 1000))
    assert not null.significant
    assert null.p_value == pytest.approx(0.807, abs=0.01)


def test_too_few_accounts_are_not_enough_data_whatever_the_difference() -> None:
    small = rules.compare_rates(rules.rate(0, 10), rules.rate(10, 10))
    assert not small.enough_data
    assert not small.significant


def test_amounts_a_shifted_distribution_wins_and_the_same_one_does_not() -> None:
    champion = [float(v) for v in range(100)]  # 0 .. 99
    shifted = [v + 40 for v in champion]
    by_rank, by_mean = rules.compare_amounts(champion, shifted)
    assert by_rank.test == "mann_whitney_u"
    assert by_rank.significant
    assert by_mean.significant
    assert by_mean.difference == pytest.approx(40.0)
    assert by_mean.p_value is not None
    assert by_mean.p_value < 1e-10
    same, same_mean = rules.compare_amounts(champion, list(reversed(champion)))
    assert same.p_value == pytest.approx(1.0)
    assert not same.significant
    assert not same_mean.significant
    assert rules.verdict("early", "standard", by_rank, (100, 100)).startswith(
        "early collects more than standard (p = "
    )
    assert rules.verdict("early", "standard", same, (100, 100)) == (
        "no significant difference between early and standard (p = 1)"
    )
    few, _ = rules.compare_amounts(champion[:5], shifted[:5])
    assert rules.verdict("early", "standard", few, (5, 5)).startswith(
        "not enough data: 5 accounts on standard"
    )


def test_amount_summary_has_a_t_interval_around_the_mean() -> None:
    summary = rules.amounts([10.0, 20.0, 30.0])
    assert summary.mean == 20.0
    assert summary.median == 20.0
    assert summary.interval is not None
    assert summary.interval.low == pytest.approx(-4.84, abs=0.01)  # 20 +- t(0.975, 2) 4.303 * sem 5.774
    assert summary.interval.high == pytest.approx(44.84, abs=0.01)


def test_cure_and_roll() -> None:
    entered, end = date(2026, 5, 1), date(2026, 5, 31)
    assert rules.cured(None, True) is None  # nothing overdue on entering: not counted
    assert rules.cured(date(2026, 4, 20), True) is True
    assert rules.rolled(entered, None, end, None, (30, 60, 90)) is None
    # 11 days past due on entering (1-30); 41 at the end (31-60): rolled
    assert rules.rolled(entered, date(2026, 4, 20), end, date(2026, 4, 20), (30, 60, 90)) is True
    # settled in between: nothing overdue at the end
    assert rules.rolled(entered, date(2026, 4, 20), end, None, (30, 60, 90)) is False
    # a newer item overdue at the end, still in the first bucket
    assert rules.rolled(entered, date(2026, 4, 20), end, date(2026, 5, 20), (30, 60, 90)) is False
