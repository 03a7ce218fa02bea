"""Champion / challenger: which arm an account is in, and whether one arm does better.

The split is a hash, not a draw: an account's bucket (0-9,999) comes from the experiment and the
account alone, so it never changes between runs, accounts arriving later do not move anyone, and
each arm gets its share of any large enough set of accounts. Shares are in basis points of 100 %.

Comparisons use scipy.stats: a two-proportion z-test for rates (cure, roll), Welch's t-test and
Mann-Whitney U for amounts (cash collected is skewed: the verdict reads Mann-Whitney, the mean's
test is reported beside it). scipy.stats is imported by the functions that use it, on first use:
importing it costs ~1.5 s of CPU, which every collections process (API and worker, at each start
and restart) paid before serving anything.
"""

from __future__ import annotations

import hashlib
import math
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ar_collections.domain import aging

BUCKETS = 10_000  # basis points
SIGNIFICANCE = 0.05
MIN_SAMPLE = 30  # below this per arm a test says "not enough data"


@dataclass(frozen=True, slots=True)
class Arm:
    name: str
    strategy: str
    share_bp: int  # of BUCKETS


def bucket(experiment_id: uuid.UUID, customer_id: uuid.UUID) -> int:
    digest = hashlib.sha256(experiment_id.bytes + customer_id.bytes).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def arm_for(experiment_id: uuid.UUID, customer_id: uuid.UUID, arms: Sequence[Arm]) -> Arm:
    """The arm whose cumulative share range holds the account's bucket (arms in a fixed order)."""
    position = bucket(experiment_id, customer_id)
    upper = 0
    for arm in arms:
        upper += arm.share_bp
        if position < upper:
            return arm
    raise ValueError("the arms' shares do not cover 100 %")


def share_errors(shares_bp: Sequence[int]) -> list[str]:
    errors = []
    if any(s <= 0 for s in shares_bp):
        errors.append("every arm needs a share above 0 %")
    if sum(shares_bp) != BUCKETS:
        errors.append(f"the shares add up to {sum(shares_bp) / 100:g} %, not 100 %")
    return errors


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class RateSummary:
    successes: int
    trials: int
    rate: float | None
    interval: Interval | None  # Wilson, 95 %


@dataclass(frozen=True, slots=True)
class AmountSummary:
    n: int
    mean: float | None
    median: float | None
    interval: Interval | None  # t interval of the mean, 95 %


@dataclass(frozen=True, slots=True)
class Comparison:
    """A challenger against the champion: difference (challenger - champion) and its p-value."""

    difference: float | None
    p_value: float | None
    test: str
    significant: bool
    enough_data: bool


def rate(successes: int, trials: int) -> RateSummary:
    from scipy import stats  # on first use (the module's docstring says why)

    if trials == 0:
        return RateSummary(successes, trials, None, None)
    p = successes / trials
    z = stats.norm.ppf(1 - SIGNIFICANCE / 2)
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return RateSummary(successes, trials, p, Interval(max(0.0, centre - half), min(1.0, centre + half)))


def amounts(values: Sequence[float]) -> AmountSummary:
    from scipy import stats  # on first use (the module's docstring says why)

    n = len(values)
    if n == 0:
        return AmountSummary(0, None, None, None)
    mean = sum(values) / n
    median = float(stats.scoreatpercentile(values, 50))
    if n < 2:
        return AmountSummary(n, mean, median, None)
    if len(set(values)) == 1:  # every account the same: the mean is exact
        return AmountSummary(n, mean, median, Interval(mean, mean))
    spread = float(stats.sem(values))
    low, high = stats.t.interval(1 - SIGNIFICANCE, n - 1, loc=mean, scale=spread)
    return AmountSummary(n, mean, median, Interval(float(low), float(high)))


def compare_rates(champion: RateSummary, challenger: RateSummary) -> Comparison:
    """Two-proportion z-test (pooled), two-sided."""
    from scipy import stats  # on first use (the module's docstring says why)

    enough = min(champion.trials, challenger.trials) >= MIN_SAMPLE
    if champion.rate is None or challenger.rate is None:
        return Comparison(None, None, "two_proportion_z", False, False)
    difference = challenger.rate - champion.rate
    pooled = (champion.successes + challenger.successes) / (champion.trials + challenger.trials)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / champion.trials + 1 / challenger.trials))
    if spread == 0:
        return Comparison(difference, 1.0, "two_proportion_z", False, enough)
    p_value = float(2 * stats.norm.sf(abs(difference / spread)))
    return Comparison(difference, p_value, "two_proportion_z", enough and p_value < SIGNIFICANCE, enough)


def compare_amounts(champion: Sequence[float], challenger: Sequence[float]) -> tuple[Comparison, Comparison]:
    """Mann-Whitney U (the verdict's) and Welch's t (the means'), both two-sided."""
    from scipy import stats  # on first use (the module's docstring says why)

    enough = min(len(champion), len(challenger)) >= MIN_SAMPLE
    if not champion or not challenger:
        empty = Comparison(None, None, "mann_whitney_u", False, False)
        return empty, Comparison(None, None, "welch_t", False, False)
    difference = sum(challenger) / len(challenger) - sum(champion) / len(champion)
    if len(set(champion) | set(challenger)) == 1:  # every value equal: no test has anything to say
        same = 1.0
        return (
            Comparison(difference, same, "mann_whitney_u", False, enough),
            Comparison(difference, same, "welch_t", False, enough),
        )
    u_p = float(stats.mannwhitneyu(challenger, champion, alternative="two-sided").pvalue)
    if len(set(champion)) == 1 and len(set(challenger)) == 1:
        t_p = 0.0  # two constant groups that differ: the means differ for certain
    else:
        with warnings.catch_warnings():
            # a constant group (every account paid the same) is exact data, not lost precision
            warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
            welch = stats.ttest_ind(challenger, champion, equal_var=False)
        t_p = float(welch.pvalue) if not math.isnan(welch.pvalue) else 1.0
    return (
        Comparison(difference, u_p, "mann_whitney_u", enough and u_p < SIGNIFICANCE, enough),
        Comparison(difference, t_p, "welch_t", enough and t_p < SIGNIFICANCE, enough),
    )


def verdict(challenger: str, champion: str, cash: Comparison, sizes: tuple[int, int]) -> str:
    """One sentence for a manager, read from the cash-collected comparison."""
    if not cash.enough_data or cash.p_value is None or cash.difference is None:
        return (
            f"not enough data: {sizes[0]} accounts on {champion} and {sizes[1]} on {challenger} "
            f"have completed the window (at least {MIN_SAMPLE} each needed)"
        )
    if not cash.significant:
        return f"no significant difference between {challenger} and {champion} (p = {cash.p_value:.3g})"
    winner, loser = (challenger, champion) if cash.difference > 0 else (champion, challenger)
    return f"{winner} collects more than {loser} (p = {cash.p_value:.3g})"


def cured(oldest_overdue_at_entry: date | None, all_settled: bool) -> bool | None:
    """Cured: everything overdue on entering was settled within the window (None: nothing was)."""
    return None if oldest_overdue_at_entry is None else all_settled


def rolled(
    entered_on: date,
    oldest_overdue_at_entry: date | None,
    window_end: date,
    oldest_overdue_at_end: date | None,
    edges: Sequence[int],
) -> bool | None:
    """Rolled: the oldest overdue item at the window's end sits in a later aging bucket than the
    oldest overdue item did on entering (None: nothing was overdue on entering)."""
    if oldest_overdue_at_entry is None:
        return None
    before = aging.bucket_index((entered_on - oldest_overdue_at_entry).days, edges)
    if oldest_overdue_at_end is None:
        return False
    return aging.bucket_index((window_end - oldest_overdue_at_end).days, edges) > before
