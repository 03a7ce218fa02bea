"""Recommendation rules: a write-off names an open, unvoided invoice of the account and at most
its open balance; every recommendation carries its evidence (latest activities, age, amounts);
a manager other than the recommender approves or rejects it once. An approved write-off asks the
ledger to write it off (`WriteOffApproved`, done once per recommendation); an approved
suspension tells the order system (`AccountSuspensionRecommended`) and credit
(`CreditHoldRecommended`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ar_collections.calendars.service import BusinessCalendars
from ar_collections.models import OpenItem, Recommendation
from ar_collections.portfolios.service import require_account
from ar_collections.recommendations.repository import RecommendationRepository
from ar_collections.recommendations.schemas import Recommendation as RecommendationOut
from ar_collections.recommendations.schemas import RecommendationCreate, RecommendationDecision
from ar_collections.recording import audit, outbox
from ar_shared.audit import Actor
from ar_shared.events.collections import (
    AccountSuspensionRecommended,
    CreditHoldRecommended,
    WriteOffApproved,
    WriteOffRecommended,
)
from ar_shared.money import Money, MoneyAmount, format_minor
from ar_shared.problems import Conflict, FieldError, Forbidden, NotFound, Unprocessable

EVIDENCE_ACTIVITIES = 10


async def evidence(
    session: AsyncSession, customer_id: uuid.UUID, invoice_id: uuid.UUID | None, today: date
) -> dict[str, Any]:
    """What a manager judges by: the latest contacts, how old the debt is, how much is open."""
    repo = RecommendationRepository(session)
    items = await repo.open_items(customer_id)
    chosen = [i for i in items if i.invoice_id == invoice_id] if invoice_id is not None else items
    totals: dict[str, int] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, 0) + item.open_minor
    exponents = {i.currency: i.exponent for i in items}
    return {
        "as_of": today.isoformat(),
        "days_past_due": max([(today - i.due_date).days for i in chosen], default=0),
        "invoice_open_balance": (
            format_minor(chosen[0].open_minor, chosen[0].exponent)
            if invoice_id is not None and chosen
            else None
        ),
        "account_open_items": len(items),
        "account_open_balance": {c: format_minor(m, exponents[c]) for c, m in sorted(totals.items())},
        "activities": [
            {
                "kind": a.kind,
                "occurred_on": a.occurred_on.isoformat(),
                "outcome": a.outcome,
                "summary": a.summary,
            }
            for a in await repo.latest_activities(customer_id, EVIDENCE_ACTIVITIES)
        ],
    }


async def add_recommendation(
    session: AsyncSession, actor: Actor, row: Recommendation, today: date
) -> Recommendation:
    """Stores a checked recommendation with its evidence (once per id: a strategy step or a short
    payment handled again finds the first)."""
    repo = RecommendationRepository(session)
    existing = await repo.get(row.id)
    if existing is not None:
        return existing
    row.evidence = await evidence(session, row.customer_id, row.invoice_id, today)
    row = await repo.add(row)
    await audit.record(
        session,
        actor=actor,
        action=f"recommendation.{row.kind}",
        entity_type="account",
        entity_id=str(row.customer_id),
        after=RecommendationOut.of(row).model_dump(mode="json"),
    )
    if row.kind == "write_off":
        assert row.invoice_id is not None
        assert row.amount_minor is not None
        assert row.currency is not None
        await outbox.add(
            session,
            WriteOffRecommended(
                recommendation_id=row.id,
                customer_id=row.customer_id,
                invoice_id=row.invoice_id,
                amount=MoneyAmount.from_money(Money(row.amount_minor, row.currency)),
                reason_code=row.reason_code,
                recommended_by=row.recommended_by,
            ),
        )
    return row


async def recommend(
    session: AsyncSession,
    actor: Actor,
    customer_id: uuid.UUID,
    data: RecommendationCreate,
    calendars: BusinessCalendars,
    write_off_reasons: Collection[str],
) -> Recommendation:
    account = await require_account(session, customer_id)
    today = calendars.today(account.business_entity)
    errors: list[FieldError] = []
    item: OpenItem | None = None
    if data.kind == "write_off":
        assert data.invoice_id is not None
        assert data.amount is not None
        if data.reason_code not in write_off_reasons:
            errors.append(
                FieldError(
                    field="reason_code",
                    message=f"one of {', '.join(write_off_reasons)}",
                    code="unknown_reason_code",
                )
            )
        item = await session.get(OpenItem, data.invoice_id)
        if item is None or item.customer_id != customer_id:
            errors.append(
                FieldError(field="invoice_id", message="no invoice of the account", code="unknown_open_item")
            )
        elif item.voided or item.open_minor <= 0:
            errors.append(
                FieldError(
                    field="invoice_id",
                    message=f"invoice {item.invoice_number} has nothing open",
                    code="invoice_closed",
                )
            )
        elif data.amount.currency != item.currency:
            errors.append(
                FieldError(
                    field="amount", message=f"the invoice is in {item.currency}", code="currency_mismatch"
                )
            )
        elif data.amount.to_money().minor > item.open_minor:
            errors.append(
                FieldError(
                    field="amount", message="more than the invoice's open balance", code="above_open_balance"
                )
            )
    if errors:
        raise Unprocessable(errors[0].message, code=errors[0].code or "invalid_recommendation", errors=errors)
    return await add_recommendation(
        session,
        actor,
        Recommendation(
            id=uuid.uuid4(),
            customer_id=customer_id,
            kind=data.kind,
            source="collector",
            status="pending",
            invoice_id=data.invoice_id,
            currency=item.currency if item else None,
            amount_minor=data.amount.to_money().minor if data.amount else None,
            reason_code=data.reason_code,
            note=data.note,
            recommended_by=actor.subject,
            recommended_on=today,
        ),
        today,
    )


async def require_recommendation(
    session: AsyncSession, recommendation_id: uuid.UUID, *, for_update: bool = False
) -> Recommendation:
    row = await RecommendationRepository(session).get(recommendation_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no recommendation {recommendation_id}", code="recommendation_not_found")
    return row


async def decide(
    session: AsyncSession,
    actor: Actor,
    recommendation_id: uuid.UUID,
    data: RecommendationDecision,
    calendars: BusinessCalendars,
) -> Recommendation:
    row = await require_recommendation(session, recommendation_id, for_update=True)
    account = await require_account(session, row.customer_id)
    today = calendars.today(account.business_entity)
    if row.status != "pending":
        raise Conflict(
            f"the recommendation is {row.status} already",
            code="recommendation_decided",
            errors=[
                FieldError(field="decision", message=f"{row.status} already", code="recommendation_decided")
            ],
        )
    if row.recommended_by == actor.subject:
        raise Forbidden(
            "a recommendation is approved or rejected by someone other than its recommender",
            code="own_recommendation",
            errors=[FieldError(field="decision", message="you recommended it", code="own_recommendation")],
        )
    before = RecommendationOut.of(row).model_dump(mode="json")
    row.status = "approved" if data.decision == "approve" else "rejected"
    row.decided_by, row.decided_on, row.decision_note = actor.subject, today, data.note
    await session.flush()
    if row.status == "approved":
        await _carry_out(session, row, actor.subject, today)
    await audit.record(
        session,
        actor=actor,
        action=f"recommendation.{row.status}",
        entity_type="account",
        entity_id=str(row.customer_id),
        before=before,
        after=RecommendationOut.of(row).model_dump(mode="json"),
    )
    return row


async def _carry_out(session: AsyncSession, row: Recommendation, approved_by: str, today: date) -> None:
    if row.kind == "write_off":
        assert row.invoice_id is not None
        assert row.amount_minor is not None
        assert row.currency is not None
        await outbox.add(
            session,
            WriteOffApproved(
                recommendation_id=row.id,
                customer_id=row.customer_id,
                invoice_id=row.invoice_id,
                amount=MoneyAmount.from_money(Money(row.amount_minor, row.currency)),
                reason_code=row.reason_code,
                effective_date=today,
                recommended_by=row.recommended_by,
                approved_by=approved_by,
                note=row.decision_note,
            ),
        )
        return
    await outbox.add(
        session,
        AccountSuspensionRecommended(
            recommendation_id=row.id,
            customer_id=row.customer_id,
            reason_code=row.reason_code,
            recommended_by=row.recommended_by,
            approved_by=approved_by,
            approved_on=today,
            note=row.decision_note,
        ),
    )
    await outbox.add(
        session,
        CreditHoldRecommended(
            recommendation_id=row.id,
            customer_id=row.customer_id,
            reason_code="account_suspension",
            days_past_due=int(row.evidence.get("days_past_due", 0)),
            recommended_by=f"suspension:{approved_by}",
        ),
    )
