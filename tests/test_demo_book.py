"""The demo's book is decided by its seed alone: the same seed plans the same customers, invoices
and payment days, another seed another book; business days skip weekends."""

from __future__ import annotations

from datetime import date, timedelta

from demo.book import business_days, plan_book

START = date(2026, 3, 2)  # a Monday: the plan is about dates, not the wall clock


def test_the_same_seed_plans_the_same_book_and_another_seed_another() -> None:
    first, again = plan_book(7, "abc123", START, 10, 20), plan_book(7, "abc123", START, 10, 20)
    other = plan_book(8, "abc123", START, 10, 20)
    assert first == again
    assert [i.pay_on for i in first.invoices()] != [i.pay_on for i in other.invoices()]


def test_a_book_has_two_entities_in_two_currencies_with_unique_references_per_run() -> None:
    book = plan_book(7, "abc123", START, 10, 20)
    assert {(e.code, e.currency) for e in book.entities} == {("DE-abc123", "EUR"), ("US-abc123", "USD")}
    assert len(book.customers) == 20
    numbers = [i.number for i in book.invoices()]
    assert len(numbers) == len(set(numbers))
    assert all(n.startswith("abc123-") for n in numbers)
    assert all(c.external_id.startswith("abc123-") for c in book.customers)
    assert any(i.issue_date < START for i in book.invoices())  # an opening book
    assert any(i.issue_date > START for i in book.invoices())  # and invoices during the simulation
    assert all(i.due_date > i.issue_date and i.open == i.amount > 0 for i in book.invoices())
    assert any(i.deduction > 0 and i.deduction_reason for i in book.invoices())


def test_business_days_are_weekdays_from_the_start_on() -> None:
    days = business_days(START, 10)
    assert days[0] == START
    assert len(days) == 10
    assert all(d.weekday() < 5 for d in days)
    assert days[-1] == START + timedelta(days=11)  # two weekends crossed
