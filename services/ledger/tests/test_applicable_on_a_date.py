"""How much an application dated on a given day may take from an invoice (pure, no I/O).

An application lowers the invoice's balance from its effective date on; with effective-dated
unapplies and reversals, the balance now can be larger than on that date. The rule: never more
than the invoice has open on that date and on every later date, so no as-of report ever sees
the invoice over-applied (the case issue 15's property test found: the ledger's AR of those days
lost the money, the collections projection netted it).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ar_ledger.domain.open_balance import Applied, applicable, open_balance

START = date(2026, 4, 6)


def test_an_invoice_reopened_by_a_later_unapply_takes_nothing_before_the_unapply() -> None:
    # paid in full on day 30, that payment unapplied on day 68: open 0.01 now, nothing on days 30-67
    paid_then_unapplied = [Applied("payment", 1, START + timedelta(days=30), START + timedelta(days=68), 1)]
    assert open_balance(1, paid_then_unapplied, START + timedelta(days=99)) == 1
    assert applicable(1, paid_then_unapplied, START + timedelta(days=30)) == 0
    assert applicable(1, paid_then_unapplied, START + timedelta(days=67)) == 0
    assert applicable(1, paid_then_unapplied, START + timedelta(days=68)) == 1
    # before the first payment it was open, but that payment takes it from day 30 on
    assert applicable(1, paid_then_unapplied, START + timedelta(days=10)) == 0


def test_a_later_dated_application_limits_an_earlier_one() -> None:
    later = [Applied("payment", 60, START + timedelta(days=50), None, 1)]
    assert open_balance(100, later, START + timedelta(days=20)) == 100
    assert applicable(100, later, START + timedelta(days=20)) == 40
    assert applicable(100, later, START + timedelta(days=50)) == 40


def test_untouched_and_partly_paid_invoices_take_their_open_balance() -> None:
    assert applicable(100, [], START) == 100
    partly = [
        Applied("credit_memo", 30, START, None, 1),
        Applied("write_off", 5, START, START + timedelta(5), 2),
    ]
    assert applicable(100, partly, START + timedelta(days=9)) == 70


applications = st.lists(
    st.builds(
        lambda amount, start, length, seq: Applied(
            "payment",
            amount,
            START + timedelta(days=start),
            None if length is None else START + timedelta(days=start + length),
            seq,
        ),
        st.integers(min_value=1, max_value=50),
        st.integers(min_value=0, max_value=60),
        st.none() | st.integers(min_value=1, max_value=60),
        st.integers(min_value=0, max_value=10**6),
    ),
    max_size=6,
)


@given(amount=st.integers(min_value=1, max_value=200), history=applications, day=st.integers(0, 130))
def test_the_applicable_amount_is_the_most_that_never_over_applies(
    amount: int, history: list[Applied], day: int
) -> None:
    dates = [START + timedelta(days=d) for d in range(0, 200)]
    # only histories a ledger can hold: never over-applied on any date
    if any(open_balance(amount, history, d) < 0 for d in dates):
        return
    on = START + timedelta(days=day)
    room = applicable(amount, history, on)
    assert 0 <= room <= open_balance(amount, history, on)
    taken = [*history, Applied("payment", room, on, None, -1)]
    assert all(open_balance(amount, taken, d) >= 0 for d in dates)
    one_more = [*history, Applied("payment", room + 1, on, None, -1)]
    assert any(open_balance(amount, one_more, d) < 0 for d in dates)
