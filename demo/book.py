"""The simulated book, decided up front from a seeded RNG: entities, customers and how each pays.

Pure: no I/O. The simulation posts what is planned here; the collectors' calls change an
invoice's planned payment day (a promise kept pays on the promised day, a broken one later).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Entity:
    code: str
    currency: str
    time_zone: str
    country: str


@dataclass(frozen=True)
class Profile:
    """How a kind of customer pays: days after the due date (mean, spread), the share of
    invoices it never pays in the horizon, how often it pays short, keeps a promise, disputes."""

    name: str
    weight: float
    late_mean: float
    late_spread: float
    never_pays: float
    short_pays: float
    keeps_promises: float
    disputes: float
    risk_class: str


PROFILES = (
    Profile("prompt", 0.40, -2, 3, 0.0, 0.02, 0.95, 0.01, "low"),
    Profile("slow", 0.35, 12, 8, 0.0, 0.06, 0.80, 0.03, "medium"),
    Profile("late", 0.18, 35, 15, 0.05, 0.08, 0.55, 0.05, "high"),
    Profile("delinquent", 0.07, 75, 30, 0.40, 0.05, 0.25, 0.06, "very_high"),
)
DEDUCTION_REASONS = ("pricing", "damaged_goods", "short_shipment", "returns")
DISPUTE_REASONS = (
    ("pricing", "price_list_outdated"),
    ("damaged_goods", "carrier_damage"),
    ("not_received", "wrong_address"),
    ("short_shipment", "warehouse_error"),
)


@dataclass
class InvoicePlan:
    number: str
    customer: str  # external id
    issue_date: date
    due_date: date
    amount: Decimal
    pay_on: date | None  # None: not paid within the horizon (unless a promise is kept)
    deduction: Decimal = Decimal(0)  # paid short by this much, with a reason
    deduction_reason: str | None = None
    disputed: bool = False  # the customer will dispute it once it is past due
    invoice_id: str | None = None  # the ledger's id once posted
    open: Decimal = Decimal(0)  # what the customer still owes on it (the demo's own view)
    in_dispute: bool = False


@dataclass
class CustomerPlan:
    external_id: str
    name: str
    entity: Entity
    terms_days: int
    profile: Profile
    credit_limit: Decimal
    email: str
    customer_id: str | None = None
    invoices: list[InvoicePlan] = field(default_factory=list)


@dataclass
class Book:
    run: str
    start: date
    entities: tuple[Entity, ...]
    customers: list[CustomerPlan]

    def invoices(self) -> list[InvoicePlan]:
        return [i for c in self.customers for i in c.invoices]


def business_days(start: date, count: int) -> list[date]:
    """`count` weekdays from `start` on (start itself first, whatever day it is)."""
    days, day = [start], start
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _amount(rng: random.Random, median: float) -> Decimal:
    return Decimal(str(max(50.0, rng.lognormvariate(0, 0.8) * median))).quantize(CENT)


def _pay_day(rng: random.Random, profile: Profile, due: date) -> date | None:
    if rng.random() < profile.never_pays:
        return None
    return due + timedelta(days=round(rng.gauss(profile.late_mean, profile.late_spread)))


def plan_book(seed: int, run: str, start: date, customers_per_entity: int, days: int) -> Book:
    """Customers of two entities (EUR and USD) with invoices issued over the 75 days before
    `start` (the opening book) and on the simulated days, each with its planned payment."""
    rng = random.Random(seed)
    entities = (
        Entity(f"DE-{run}", "EUR", "Europe/Berlin", "DE"),
        Entity(f"US-{run}", "USD", "America/New_York", "US"),
    )
    horizon = business_days(start, days)[-1]
    customers: list[CustomerPlan] = []
    weights = [p.weight for p in PROFILES]
    for entity in entities:
        for _n in range(customers_per_entity):
            profile = rng.choices(PROFILES, weights)[0]
            number = len(customers) + 1
            median = rng.choice((400.0, 900.0, 1800.0))
            customer = CustomerPlan(
                external_id=f"{run}-C{number:05d}",
                name=f"{_company(rng)} {entity.country} {number}",
                entity=entity,
                terms_days=rng.choice((14, 30, 30, 30, 45)),
                profile=profile,
                credit_limit=Decimal(rng.choice((5000, 8000, 10000))),
                email=f"ap-{run}-{number}@customer.example",
            )
            every = rng.uniform(8, 16)  # days between invoices
            issued = start - timedelta(days=75) + timedelta(days=rng.uniform(0, every))
            while issued <= horizon:
                due = issued + timedelta(days=customer.terms_days)
                plan = InvoicePlan(
                    number=f"{run}-{entity.country}-{len(customer.invoices) + 1:03d}-{number:05d}",
                    customer=customer.external_id,
                    issue_date=issued,
                    due_date=due,
                    amount=_amount(rng, median),
                    pay_on=_pay_day(rng, profile, due),
                )
                plan.open = plan.amount
                if rng.random() < profile.short_pays:
                    plan.deduction = (plan.amount * Decimal(rng.uniform(0.02, 0.08))).quantize(CENT)
                    plan.deduction_reason = rng.choice(DEDUCTION_REASONS)
                plan.disputed = issued >= start - timedelta(days=20) and rng.random() < profile.disputes
                customer.invoices.append(plan)
                issued += timedelta(days=max(1, round(rng.expovariate(1 / every))))
            customers.append(customer)
    return Book(run, start, entities, customers)


def _company(rng: random.Random) -> str:
    first = (
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
        "Vandelay",
        "Stark",
        "Wayne",
        "Tyrell",
        "Soylent",
        "Cyberdyne",
        "Wonka",
        "Gringotts",
        "Oscorp",
        "Pied Piper",
        "Monarch",
    )
    second = ("Trading", "Industries", "Logistics", "Foods", "Systems", "Retail", "Supplies", "Labs")
    return f"{rng.choice(first)} {rng.choice(second)}"
