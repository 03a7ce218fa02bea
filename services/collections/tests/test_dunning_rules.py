"""The pure dunning rules (domain/dunning.py), exhaustively: overlaps, the due steps, cycles."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.dunning import (
    Cycle,
    OpenItemFacts,
    Step,
    days_past_due,
    due_steps,
    is_quiet,
    items_for_step,
    next_cycle,
    overdue_amounts,
    overlaps,
    quiet_below,
)

AS_OF = date(2026, 3, 31)
bounds = st.one_of(st.none(), st.integers(0, 10_000))


@st.composite
def steps(draw: st.DrawFn) -> Step:
    low, high = draw(bounds), draw(bounds)
    if low is not None and high is not None and low >= high:
        low, high = high, low + high + 1
    banded = draw(st.booleans())
    return Step(
        days=draw(st.integers(-10, 60)),
        action=draw(st.sampled_from(["email_reminder", "call_task", "escalate"])),
        band_currency=draw(st.sampled_from(["EUR", "USD"])) if banded else None,
        band_min_minor=low if banded else None,
        band_max_minor=high if banded else None,
    )


@given(steps(), steps())
def test_overlap_is_symmetric(a: Step, b: Step) -> None:
    assert overlaps(a, b) == overlaps(b, a)


@given(steps(), steps(), st.integers(0, 20_000), st.sampled_from(["EUR", "USD"]))
def test_two_steps_that_both_match_one_amount_on_one_day_overlap(
    a: Step, b: Step, amount: int, currency: str
) -> None:
    owed = {currency: amount}
    if a.days == b.days and a.band_matches(owed) and b.band_matches(owed):
        assert overlaps(a, b)


def test_disjoint_bands_of_one_currency_do_not_overlap() -> None:
    small = Step(3, "email_reminder", band_currency="EUR", band_max_minor=100_000)
    large = Step(3, "call_task", band_currency="EUR", band_min_minor=100_000)
    assert not overlaps(small, large)
    assert overlaps(small, Step(3, "call_task"))
    assert not overlaps(small, Step(4, "call_task"))


@given(st.lists(steps(), max_size=8), st.integers(-20, 80), st.one_of(st.none(), st.integers(-20, 80)))
def test_due_steps_climb_above_the_level_and_catch_up_fires_only_the_highest(
    plan: list[Step], dpd: int, level: int | None
) -> None:
    owed = {"EUR": 5_000}
    every = due_steps(plan, dpd, owed, level, "every")
    highest = due_steps(plan, dpd, owed, level, "highest")
    assert all(s.days <= dpd and (level is None or s.days > level) and s.band_matches(owed) for s in every)
    assert [s.days for s in every] == sorted(s.days for s in every)
    assert highest == every[-1:]
    assert due_steps(plan, None, owed, level) == []


def test_a_run_that_skips_days_fires_the_highest_step_crossed() -> None:
    plan = [Step(3, "email_reminder"), Step(10, "call_task"), Step(20, "escalate")]
    assert due_steps(plan, 25, {}, None) == [plan[2]]
    assert due_steps(plan, 25, {}, None, "every") == plan
    assert due_steps(plan, 25, {}, 20) == []
    assert due_steps(plan, 12, {}, 3) == [plan[1]]


@given(
    st.integers(1, 5),
    st.booleans(),
    st.one_of(st.none(), st.integers(-10, 60)),
    st.one_of(st.none(), st.integers(-30, 90)),
)
def test_a_cycle_ends_only_when_an_account_is_cured(
    number: int, seen: bool, level: int | None, dpd: int | None
) -> None:
    after = next_cycle(Cycle(number, seen, level), dpd)
    if dpd is not None and dpd > 0:
        assert after == Cycle(number, True, level)
    elif seen or (dpd is None and level is not None):
        assert after == Cycle(number + 1, False, None)
    else:
        assert after == Cycle(number, seen, level)


def test_paused_items_count_neither_for_the_days_past_due_nor_in_the_letter() -> None:
    old = OpenItemFacts("a", AS_OF - timedelta(days=40), "EUR", 100, paused=True)
    newer = OpenItemFacts("b", AS_OF - timedelta(days=5), "EUR", 100, paused=False)
    soon = OpenItemFacts("c", AS_OF + timedelta(days=3), "EUR", 100, paused=False)
    assert days_past_due([old, newer, soon], AS_OF) == 5
    assert days_past_due([old], AS_OF) is None
    assert items_for_step([old, newer, soon], Step(3, "email_reminder"), AS_OF) == [newer]
    # a pre-due reminder also lists what falls due within its days
    assert items_for_step([old, newer, soon], Step(-5, "email_reminder"), AS_OF) == [newer, soon]


@given(
    st.lists(st.lists(steps(), max_size=4), max_size=3),
    st.lists(st.tuples(st.integers(-40, 90), st.booleans(), st.integers(0, 5_000)), min_size=1, max_size=4),
    st.integers(1, 3),
    st.booleans(),
    st.one_of(st.none(), st.integers(-10, 60)),
    st.sampled_from(["highest", "every"]),
)
def test_a_quiet_account_has_no_step_due_and_keeps_its_cycle(
    strategies: list[list[Step]],
    items: list[tuple[int, bool, int]],
    number: int,
    seen: bool,
    level: int | None,
    catch_up: str,
) -> None:
    """What lets a run leave quiet accounts unread: whatever their segment's strategy, pauses and
    amounts, no step is due and the cycle stays as it is."""
    facts = [
        OpenItemFacts(n, AS_OF - timedelta(days=days), "EUR", minor, paused)
        for n, (days, paused, minor) in enumerate(items)
    ]
    cycle = Cycle(number, seen, level)
    oldest = max(days for days, _, _ in items)
    if not is_quiet(cycle, oldest, quiet_below(strategies)):
        return
    dpd = days_past_due(facts, AS_OF)
    assert (
        next_cycle(
            cycle,
            days_past_due(
                [OpenItemFacts(f.invoice_id, f.due_date, f.currency, f.open_minor, False) for f in facts],
                AS_OF,
            ),
        )
        == cycle
    )
    for strategy in strategies:
        assert due_steps(strategy, dpd, overdue_amounts(facts, AS_OF), cycle.level_days, catch_up) == []  # type: ignore[arg-type]


def test_quiet_means_below_the_earliest_step_and_not_yet_overdue() -> None:
    pre_due = [Step(-5, "email_reminder"), Step(3, "email_reminder")]
    assert quiet_below([pre_due]) == -5
    assert quiet_below([[Step(3, "email_reminder")]]) == 1  # not overdue: a day past due changes the cycle
    assert quiet_below([]) == 1
    fresh = Cycle(1, False, None)
    assert is_quiet(fresh, -6, -5)
    assert not is_quiet(fresh, -5, -5)
    assert not is_quiet(Cycle(1, True, None), -30, 1)  # seen overdue: a cure would start a new cycle
    assert not is_quiet(Cycle(1, False, -5), -30, 1)  # a pre-due step fired: the cycle may end
    assert not is_quiet(fresh, None, 1)  # nothing open: a cycle may need closing
