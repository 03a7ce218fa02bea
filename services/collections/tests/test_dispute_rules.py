"""The pure dispute rules (domain/disputes.py): the lifecycle, what a short payment becomes, the
root-cause report's figures."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.disputes import (
    FINAL,
    AskedCredit,
    CaseFacts,
    credits_per_item,
    is_final,
    item_resolution,
    may_move,
    root_causes,
    short_payment_outcome,
    tolerance_minor,
)

STATUSES = ["open", "under_review", "resolved_valid", "resolved_invalid", "withdrawn"]
OPENED = date(2026, 3, 2)


def test_the_lifecycle_moves_forward_only_and_ends_at_a_resolution() -> None:
    assert may_move("open", "under_review")
    assert may_move("open", "resolved_valid")
    assert may_move("under_review", "resolved_invalid")
    assert may_move("under_review", "withdrawn")
    assert not may_move("under_review", "open")
    assert not may_move("under_review", "under_review")
    assert not may_move("open", "open")


@given(st.sampled_from(sorted(FINAL)), st.sampled_from(STATUSES))
def test_a_resolved_or_withdrawn_case_moves_nowhere(final: str, to: str) -> None:
    assert is_final(final)
    assert not may_move(final, to)


def test_a_short_payment_is_a_deduction_above_the_tolerance_and_a_write_off_under_it() -> None:
    assert short_payment_outcome(5000, "damaged_goods", 500) == "deduction"
    assert short_payment_outcome(500, "damaged_goods", 500) == "deduction"  # not under it
    assert short_payment_outcome(499, "bank_charges", 500) == "write_off"
    assert short_payment_outcome(499, "bank_charges", None) == "deduction"  # no tolerance set
    assert short_payment_outcome(499, None, 500) == "none"  # a partial payment, no deduction
    assert short_payment_outcome(0, "pricing", 500) == "none"  # nothing left open


@given(
    st.integers(-10, 10_000),
    st.one_of(st.none(), st.just("pricing")),
    st.one_of(st.none(), st.integers(0, 5000)),
)
def test_only_a_residual_with_a_reason_becomes_anything(
    residual: int, reason: str | None, tolerance: int | None
) -> None:
    outcome = short_payment_outcome(residual, reason, tolerance)
    assert (outcome == "none") == (reason is None or residual <= 0)
    if outcome == "write_off":
        assert tolerance is not None
        assert residual < tolerance


def test_the_tolerance_is_read_in_the_currencys_minor_units() -> None:
    tolerances = {"EUR": Decimal("5.00"), "JPY": Decimal("500")}
    assert tolerance_minor(tolerances, "EUR", 2) == 500
    assert tolerance_minor(tolerances, "JPY", 0) == 500
    assert tolerance_minor(tolerances, "USD", 2) is None


def case(reason: str, root: str | None, amount: int, days: int | None, status: str = "open") -> CaseFacts:
    resolved = OPENED + timedelta(days=days) if days is not None else None
    return CaseFacts(reason, root, "EUR", amount, OPENED, resolved, status)


def test_the_root_cause_report_groups_by_reason_root_cause_and_currency() -> None:
    lines = root_causes(
        [
            case("pricing", "billing_error", 1000, 4, "resolved_valid"),
            case("pricing", "billing_error", 3000, 7, "resolved_invalid"),
            case("pricing", "billing_error", 500, None),
            case("pricing", None, 200, None),
            case("damaged_goods", "carrier", 900, 2, "withdrawn"),
        ]
    )
    summary = [
        (
            line.reason_code,
            line.root_cause_code,
            line.cases,
            line.amount_minor,
            line.resolved,
            line.valid,
            line.invalid,
            line.withdrawn,
            line.average_days_to_resolve,
        )
        for line in lines
    ]
    assert summary == [
        ("damaged_goods", "carrier", 1, 900, 1, 0, 0, 1, Decimal("2.0")),
        ("pricing", None, 1, 200, 0, 0, 0, 0, None),
        ("pricing", "billing_error", 3, 4500, 2, 1, 1, 0, Decimal("5.5")),
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([None, "x"]), st.integers(1, 10**9)),
        max_size=30,
    )
)
def test_the_report_counts_every_case_and_amount_once(cases: list[tuple[str, str | None, int]]) -> None:
    lines = root_causes([case(reason, root, amount, None) for reason, root, amount in cases])
    assert sum(line.cases for line in lines) == len(cases)
    assert sum(line.amount_minor for line in lines) == sum(amount for _, _, amount in cases)


A, B = uuid.UUID(int=1), uuid.UUID(int=2)


def test_a_valid_resolution_credits_each_item_its_disputed_amount_unless_a_smaller_credit_is_named() -> None:
    credits, errors = credits_per_item({A: 12_000, B: 5_000}, "EUR", [AskedCredit(A, 6_000, "EUR")])
    assert (credits, errors) == ({A: 6_000, B: 5_000}, [])
    credits, errors = credits_per_item({A: 12_000, B: 5_000}, "EUR", [AskedCredit(B, 0, "EUR")])
    assert (credits, errors) == ({A: 12_000, B: 0}, [])
    assert credits_per_item({A: 12_000}, "EUR", []) == ({A: 12_000}, [])


def test_credits_above_the_disputed_amount_or_outside_the_case_are_refused_each() -> None:
    stranger = uuid.UUID(int=3)
    _, errors = credits_per_item(
        {A: 12_000, B: 5_000},
        "EUR",
        [
            AskedCredit(A, 12_001, "EUR"),
            AskedCredit(stranger, 1, "EUR"),
            AskedCredit(B, 100, "USD"),
            AskedCredit(A, 1, "EUR"),
        ],
    )
    assert [(e.index, e.code) for e in errors] == [
        (0, "above_disputed_amount"),
        (1, "item_not_in_case"),
        (2, "currency_mismatch"),
        (3, "duplicate_item"),
    ]
    _, negative = credits_per_item({A: 12_000}, "EUR", [AskedCredit(A, -1, "EUR")])
    assert [e.code for e in negative] == ["amount_negative"]


def test_a_resolution_crediting_nothing_is_refused_as_valid() -> None:
    _, errors = credits_per_item(
        {A: 12_000, B: 5_000}, "EUR", [AskedCredit(A, 0, "EUR"), AskedCredit(B, 0, "EUR")]
    )
    assert [(e.index, e.code) for e in errors] == [(None, "nothing_credited")]


@given(st.lists(st.tuples(st.integers(1, 10**9), st.integers(0, 10**9)), min_size=1, max_size=6))
def test_an_accepted_credit_never_exceeds_what_was_disputed(pairs: list[tuple[int, int]]) -> None:
    disputed = {uuid.UUID(int=n + 1): amount for n, (amount, _) in enumerate(pairs)}
    asked = [AskedCredit(uuid.UUID(int=n + 1), credit, "EUR") for n, (_, credit) in enumerate(pairs)]
    credits, errors = credits_per_item(disputed, "EUR", asked)
    if not errors:
        assert all(0 <= credits[i] <= disputed[i] for i in disputed)
        assert sum(credits.values()) > 0
    else:
        assert any(credit > amount for amount, credit in pairs) or not any(c for _, c in pairs)


def test_each_item_of_a_partly_valid_case_tells_credit_how_far_the_customer_was_right() -> None:
    assert item_resolution("resolved_valid", 12_000, 12_000) == "customer_right"
    assert item_resolution("resolved_valid", 12_000, 6_000) == "partially_right"
    assert item_resolution("resolved_valid", 12_000, 0) == "customer_wrong"
    assert item_resolution("resolved_invalid", 12_000, 0) == "customer_wrong"
    assert item_resolution("withdrawn", 12_000, 0) == "withdrawn"
