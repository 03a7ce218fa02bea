"""The red-flag job: customer trends that may suggest declining financial strength (ADD rising,
a bounced payment, repeated broken promises, credit use above the threshold), each occurrence
raised once as an escalation to the credit manager with its evidence. The close of business of
each entity asks for it (jobs.py: only the kinds whose figures can have changed); a manager may
run it, every kind, for any date."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars.service import BusinessCalendars
from ar_collections.config import CollectionsSettings
from ar_collections.domain.scorecards import (
    FLAG_KINDS,
    Flag,
    FlagKind,
    Month,
    add_rising,
    bounced_payment_flag,
    broken_promise_flags,
    credit_use,
    credit_use_flag,
    last_complete_month,
    months_back,
)
from ar_collections.dunning.repository import DunningRepository
from ar_collections.escalations.service import escalation_raised, store_escalations
from ar_collections.grouping import Scope
from ar_collections.kpis.repository import KpiRepository
from ar_collections.kpis.service import average_days_delinquent
from ar_collections.models import Escalation, RedFlag
from ar_collections.recording import outbox
from ar_collections.red_flags.repository import RedFlagRepository
from ar_shared.audit import Actor
from ar_shared.money import Money
from ar_shared.problems import FieldError, Unprocessable

ADD_MONTHS_LOOKED_AT = 12  # a longer streak is keyed by its last 12 months


async def add_by_customer(
    session: AsyncSession, as_of: date, business_entity: str | None
) -> tuple[list[Month], dict[tuple[str, str], list[Decimal | None]]]:
    """ADD of every customer for each of the last complete months, as the KPI report computes it."""
    months = months_back(last_complete_month(as_of), ADD_MONTHS_LOOKED_AT)
    series: dict[tuple[str, str], list[Decimal | None]] = {}
    scope = Scope("customer", None, business_entity)
    for index, month in enumerate(months):
        for key, add in (await average_days_delinquent(session, month.first, month.last, scope)).items():
            series.setdefault(key, [None] * len(months))[index] = add
    return months, series


async def find_flags(
    session: AsyncSession,
    as_of: date,
    business_entity: str | None,
    settings: CollectionsSettings,
    kinds: Sequence[FlagKind] = FLAG_KINDS,
) -> dict[uuid.UUID, list[Flag]]:
    """The flags of `kinds` the figures as of `as_of` show (raised before or not)."""
    repo = RedFlagRepository(session)
    currencies = await repo.currencies(business_entity)
    found: dict[uuid.UUID, list[Flag]] = {customer_id: [] for customer_id in currencies}
    recent = as_of - timedelta(days=settings.red_flag_lookback_days)
    if "add_rising" in kinds:
        await _add_rising(session, as_of, business_entity, settings, currencies, found)
    if "bounced_payment" in kinds:
        await _bounced(repo, as_of, business_entity, recent, found)
    if "broken_promises" in kinds:
        await _broken_promises(repo, as_of, business_entity, settings, recent, found)
    if "credit_use" in kinds:
        await _credit_use(session, repo, as_of, business_entity, settings, found)
    return found


async def _add_rising(
    session: AsyncSession,
    as_of: date,
    business_entity: str | None,
    settings: CollectionsSettings,
    currencies: dict[uuid.UUID, str],
    found: dict[uuid.UUID, list[Flag]],
) -> None:
    months, add = await add_by_customer(session, as_of, business_entity)
    for customer_id, currency in currencies.items():
        values = add.get((str(customer_id), currency))
        if values is not None and (
            flag := add_rising(list(zip(months, values, strict=True)), settings.red_flag_add_rising_months)
        ):
            found[customer_id].append(flag)


async def _bounced(
    repo: RedFlagRepository,
    as_of: date,
    business_entity: str | None,
    recent: date,
    found: dict[uuid.UUID, list[Flag]],
) -> None:
    for payment in await repo.bounced(business_entity, recent, as_of):
        assert payment.reversed_on is not None
        found.setdefault(payment.customer_id, []).append(
            bounced_payment_flag(
                str(payment.payment_id),
                payment.reversed_on,
                {
                    "amount": str(Money(payment.amount_minor, payment.currency)),
                    "currency": payment.currency,
                    "received_on": str(payment.received_on),
                },
            )
        )


async def _broken_promises(
    repo: RedFlagRepository,
    as_of: date,
    business_entity: str | None,
    settings: CollectionsSettings,
    recent: date,
    found: dict[uuid.UUID, list[Flag]],
) -> None:
    for customer_id, broken in (await repo.broken_promises(business_entity, as_of)).items():
        flags = broken_promise_flags(
            broken, settings.red_flag_broken_promises, settings.red_flag_broken_promises_window_days
        )
        found.setdefault(customer_id, []).extend(f for f in flags if f.seen_on > recent)


async def _credit_use(
    session: AsyncSession,
    repo: RedFlagRepository,
    as_of: date,
    business_entity: str | None,
    settings: CollectionsSettings,
    found: dict[uuid.UUID, list[Flag]],
) -> None:
    limits = await repo.credit_limits(business_entity)
    ar = await KpiRepository(session).ar(as_of, Scope("customer", None, business_entity))
    for customer_id, (limit, currency) in limits.items():
        figures = ar.get((str(customer_id), currency))
        open_ar = figures.total if figures else 0
        evidence: dict[str, object] = {
            "open_ar": str(Money(open_ar, currency)), "credit_limit": str(Money(limit, currency)),
            "currency": currency,
        }  # fmt: skip
        flag = credit_use_flag(
            as_of, credit_use(open_ar, limit), settings.red_flag_credit_use_percent, evidence
        )
        if flag is not None:
            found.setdefault(customer_id, []).append(flag)


def refuse_a_future_date(as_of: date, business_entity: str | None, calendars: BusinessCalendars) -> None:
    """A run on demand looks at figures that exist: never past the entity's business date (any
    entity's latest, without one)."""
    if business_entity is not None:
        latest = calendars.today(business_entity)
    else:
        latest = max([calendars.default_today(), *(calendars.today(e) for e in calendars.calendars)])
    if as_of > latest:
        message = f"{as_of} is after the business date {latest}"
        raise Unprocessable(
            message,
            code="as_of_in_the_future",
            errors=[FieldError(field="as_of", message=message, code="as_of_in_the_future")],
        )


async def run(
    session: AsyncSession,
    actor: Actor,
    as_of: date,
    business_entity: str | None,
    settings: CollectionsSettings,
    kinds: Sequence[FlagKind] = FLAG_KINDS,
) -> list[RedFlag]:
    """Raises every flag of `kinds` found as of `as_of` that was not raised before; returns those
    raised now. A few statements whatever the number of flags: the flags, their escalations (each
    audited), the escalations' events and the links back."""
    found = await find_flags(session, as_of, business_entity, settings, kinds)
    repo = RedFlagRepository(session)
    rows = [
        RedFlag(
            id=uuid.uuid4(), customer_id=customer_id, kind=flag.kind, occurrence=flag.occurrence,
            raised_on=as_of, summary=flag.summary, evidence=flag.evidence,
        )
        for customer_id, flags in found.items()
        for flag in flags
    ]  # fmt: skip
    stored = await repo.raise_all_once(rows)
    new = [r for r in rows if r.id in stored]
    managers = await DunningRepository(session).managers(sorted({r.customer_id for r in new}))
    escalations = [_escalation(r, managers.get(r.customer_id), settings, actor.subject) for r in new]
    await store_escalations(session, actor, escalations)
    await outbox.add_many(session, [escalation_raised(e) for e in escalations])
    await repo.link({r.id: e.id for r, e in zip(new, escalations, strict=True)})
    return await repo.by_ids([r.id for r in new])


def _escalation(flag: RedFlag, manager: str | None, settings: CollectionsSettings, by: str) -> Escalation:
    level = settings.red_flag_escalation_level
    return Escalation(
        id=uuid.uuid4(),
        customer_id=flag.customer_id,
        level=level,
        department=settings.red_flag_department if level == "department" else None,
        assignee=manager,
        reason=f"Red flag: {flag.summary}",
        due_on=flag.raised_on + timedelta(days=settings.dispute_due_days),
        status="open",
        raised_by=by,
        raised_on=flag.raised_on,
    )
