"""The dunning charge settings: read and replaced whole, validated whole (problem+json with
field errors, nothing written), audited with before and after."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.charges.repository import ChargeSettingsRepository
from ar_collections.charges.schemas import (
    ChargeSettings,
    ChargeSettingsIn,
    DayCount,
    Fee,
    InterestTerms,
    RatePeriod,
    RatePeriodIn,
    as_json,
)
from ar_collections.domain import charges
from ar_collections.models import DunningFee, LateInterestRate, LateInterestTerms
from ar_collections.recording import audit
from ar_shared.audit import Actor
from ar_shared.money import Money, MoneyTotal
from ar_shared.problems import FieldError, Unprocessable


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"


async def read_settings(session: AsyncSession) -> ChargeSettings:
    repo = ChargeSettingsRepository(session)
    fees, terms, rates = await repo.fees(), await repo.terms(), await repo.rates()
    stamps = [(f.updated_at, f.updated_by) for f in fees] + [(t.updated_at, t.updated_by) for t in terms]
    latest = max(stamps, default=None, key=lambda s: s[0])
    return ChargeSettings(
        fees=[
            Fee(level=f.level, amount=MoneyTotal.from_money(Money(f.amount_minor, f.currency))) for f in fees
        ],
        interest=[
            InterestTerms(
                currency=t.currency,
                day_count=_day_count(t.day_count),
                rate_periods=[
                    RatePeriod(
                        effective_from=r.effective_from,
                        reference_rate_percent=_percent(r.reference_rate_percent),
                        margin_percent=_percent(r.margin_percent),
                        annual_rate_percent=_percent(r.reference_rate_percent + r.margin_percent),
                    )
                    for r in rates
                    if r.currency == t.currency
                ],
            )
            for t in terms
        ],
        updated_by=latest[1] if latest else None,
        updated_at=latest[0] if latest else None,
    )


def _day_count(value: str) -> DayCount:
    assert value in ("act_365", "act_360")
    return "act_365" if value == "act_365" else "act_360"


def refusals(data: ChargeSettingsIn) -> list[FieldError]:
    """Everything wrong with the settings at once: a level twice in a currency, a currency's terms
    twice, a rate out of range or two periods from one date."""
    errors: list[FieldError] = []
    seen_fees: set[tuple[int, str]] = set()
    for n, fee in enumerate(data.fees):
        key = (fee.level, fee.amount.currency)
        if key in seen_fees:
            errors.append(
                FieldError(
                    field=f"fees[{n}].level",
                    message=f"level {fee.level} has a fee in {fee.amount.currency} already",
                    code="duplicate_fee",
                )
            )
        seen_fees.add(key)
    seen_currencies: set[str] = set()
    for n, terms in enumerate(data.interest):
        if terms.currency in seen_currencies:
            errors.append(
                FieldError(
                    field=f"interest[{n}].currency",
                    message=f"{terms.currency} has interest terms already",
                    code="duplicate_currency",
                )
            )
        seen_currencies.add(terms.currency)
        for i, code, message in charges.rate_period_errors(_periods(terms.rate_periods)):
            errors.append(FieldError(field=f"interest[{n}].rate_periods[{i}]", message=message, code=code))
    return errors


def _periods(periods: Sequence[RatePeriodIn]) -> list[charges.RatePeriod]:
    return [
        charges.RatePeriod(p.effective_from, Decimal(p.reference_rate_percent), Decimal(p.margin_percent))
        for p in periods
    ]


async def replace_settings(session: AsyncSession, actor: Actor, data: ChargeSettingsIn) -> ChargeSettings:
    errors = refusals(data)
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid", errors=errors)
    repo = ChargeSettingsRepository(session)
    await repo.lock()
    before = await read_settings(session)
    await repo.replace(
        fees=[
            DunningFee(
                level=f.level, currency=f.amount.currency, amount_minor=f.amount.to_money().minor,
                updated_by=actor.subject,
            )
            for f in data.fees
        ],
        terms=[
            LateInterestTerms(currency=t.currency, day_count=t.day_count, updated_by=actor.subject)
            for t in data.interest
        ],
        rates=[
            LateInterestRate(
                currency=t.currency, effective_from=p.effective_from,
                reference_rate_percent=Decimal(p.reference_rate_percent),
                margin_percent=Decimal(p.margin_percent),
            )
            for t in data.interest
            for p in t.rate_periods
        ],
    )  # fmt: skip
    after = await read_settings(session)
    await audit.record(
        session, actor=actor, action="dunning_charge_settings.replaced",
        entity_type="dunning_charge_settings", entity_id="installation",
        before=as_json(before), after=as_json(after),
    )  # fmt: skip
    return after


async def fee_schedule(session: AsyncSession) -> dict[tuple[int, str], int]:
    return {(f.level, f.currency): f.amount_minor for f in await ChargeSettingsRepository(session).fees()}


async def interest_terms(session: AsyncSession, currency: str) -> charges.InterestTerms | None:
    repo = ChargeSettingsRepository(session)
    terms = next((t for t in await repo.terms() if t.currency == currency), None)
    if terms is None:
        return None
    periods = [
        charges.RatePeriod(r.effective_from, r.reference_rate_percent, r.margin_percent)
        for r in await repo.rates()
        if r.currency == currency
    ]
    return charges.InterestTerms(currency, _day_count(terms.day_count), periods)
