"""Pure ledger rules: auto-apply order, journal balance, aging buckets (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_ledger.domain import journal
from ar_ledger.domain.aging import bucket_for, buckets, days_past_due, validate_edges
from ar_ledger.domain.allocation import OpenInvoice, auto_allocate, auto_apply_order
from ar_ledger.invoices.repository import BillingTerms
from ar_ledger.invoices.terms_cache import BillingTermsCache
from ar_shared.percent import percent_of

AS_OF = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("days", "label"),
    [(-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
     (90, "61-90"), (91, "91-120"), (120, "91-120"), (121, "121+"), (5000, "121+")],
)  # fmt: skip
def test_default_bucket_edges(days: int, label: str) -> None:
    due = AS_OF - timedelta(days=days)
    assert days_past_due(AS_OF, due) == days
    assert bucket_for(days).label == label


def test_custom_edges_and_their_validation() -> None:
    assert [b.label for b in buckets([15, 45])] == ["current", "1-15", "16-45", "46+"]
    for bad in ([], [0, 30], [30, 30], [60, 30]):
        with pytest.raises(ValueError, match="edge"):
            validate_edges(bad)


def invoice(number: str, due: date, issued: date, open_minor: int) -> OpenInvoice:
    return OpenInvoice(uuid.uuid4(), number, issued, due, open_minor)


def test_auto_apply_prefers_the_reference_then_oldest_due_then_issue_date_then_number() -> None:
    a = invoice("INV-3", date(2026, 9, 1), date(2026, 8, 1), 100)
    b = invoice("INV-2", date(2026, 9, 1), date(2026, 8, 1), 100)
    c = invoice("INV-1", date(2026, 9, 1), date(2026, 8, 2), 100)
    d = invoice("INV-9", date(2026, 10, 1), date(2026, 9, 1), 100)
    assert auto_apply_order([a, b, c, d], None) == [b, a, c, d]
    assert auto_apply_order([a, b, c, d], "inv-9") == [d, b, a, c]
    assert [x.amount_minor for x in auto_allocate(250, [a, b, c, d], None)] == [100, 100, 50]


@given(
    amount=st.integers(min_value=0, max_value=10_000),
    opens=st.lists(st.integers(min_value=0, max_value=3_000), max_size=8),
)
def test_allocations_never_exceed_the_amount_or_any_open_balance(amount: int, opens: list[int]) -> None:
    items = [
        invoice(f"I-{n}", date(2026, 1, 1) + timedelta(days=n), date(2026, 1, 1), o)
        for n, o in enumerate(opens)
    ]
    allocations = auto_allocate(amount, items)
    by_id = {i.invoice_id: i for i in items}
    assert sum(a.amount_minor for a in allocations) == min(amount, sum(opens))
    assert all(0 < a.amount_minor <= by_id[a.invoice_id].open_minor for a in allocations)


@pytest.mark.parametrize(
    "lines",
    [
        journal.invoice_issued(100),
        journal.invoice_voided(100),
        journal.payment_received(100),
        journal.payment_reversed(100),
        journal.credit_memo_issued(100),
        journal.applied(journal.Account.UNAPPLIED_CASH, 100),
        journal.unapplied(journal.Account.CUSTOMER_CREDITS, 100),
        journal.written_off(1),
    ],
)
def test_every_posting_balances(lines: list[journal.Line]) -> None:
    journal.assert_balanced(lines)
    assert sum(line.debit_minor for line in lines) > 0


def test_unbalanced_or_empty_postings_are_refused() -> None:
    with pytest.raises(journal.UnbalancedEntry):
        journal.assert_balanced([journal.Line(journal.Account.CASH, debit_minor=1)])
    with pytest.raises(ValueError, match="positive"):
        journal.invoice_issued(0)


@given(st.integers(min_value=1, max_value=10**15), st.data())
def test_bucket_percentages_round_half_up_to_one_decimal(whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=-whole, max_value=whole))
    expected = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert percent_of(part, whole) == str(expected)
    assert percent_of(part, 0) == "0.0"


def test_remembered_billing_terms_are_bounded_and_forgotten_only_when_unchanged() -> None:
    cache = BillingTermsCache(max_customers=2)
    terms = [BillingTerms(uuid.uuid4(), f"C-{n}", "EUR", 30, "DE01", 1) for n in range(3)]
    for t in terms:
        cache.remember(t)
    assert cache.get(None, "C-0") is None  # the least recently used went first
    assert cache.get(terms[2].id, None) == terms[2]
    assert cache.get(None, "C-1") == terms[1]
    newer = BillingTerms(terms[1].id, "C-1", "EUR", 60, "DE01", 2)
    cache.remember(newer)
    cache.forget(terms[1])  # a stale copy does not evict the newer terms
    assert cache.get(terms[1].id, None) == newer
    cache.forget(newer)
    assert cache.get(terms[1].id, None) is None
    assert cache.get(None, "C-1") is None
