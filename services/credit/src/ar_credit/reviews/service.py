"""Runs credit reviews and answers credit references."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from ar_credit.customers.repository import CreditCustomerRepository
from ar_credit.domain.scoring import Financials, score
from ar_credit.exposure.picture import CreditPicture, CreditRules, session_picture
from ar_credit.holds.repository import CreditHoldRepository
from ar_credit.models import CreditReview, plumbing
from ar_credit.policies.repository import PolicyRepository
from ar_credit.reviews.repository import ReviewRepository
from ar_credit.reviews.schemas import CreditReference, CreditReviewCreate, CreditReviewOut, FactorOut
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.credit import CreditReviewCompleted
from ar_shared.money import Money, MoneyAmount, MoneyTotal
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import NotFound, Unprocessable

audit = AuditLog(plumbing)
outbox = OutboxWriter(plumbing)


def out(review: CreditReview) -> CreditReviewOut:
    return CreditReviewOut(
        id=review.id,
        customer_id=review.customer_id,
        score=review.score,
        risk_class=review.risk_class,
        factors=[FactorOut(**f) for f in review.factors],
        recommended_limit=MoneyAmount.from_money(Money(review.recommended_limit_minor, review.currency)),
        reviewed_on=review.reviewed_on,
        next_review_on=review.next_review_on,
        reviewed_by=review.reviewed_by,
    )


async def _picture(session: AsyncSession, customer_id: uuid.UUID, rules: CreditRules) -> CreditPicture:
    picture = await session_picture(session, customer_id, rules)
    if picture is None:
        raise NotFound(f"customer {customer_id} is unknown to credit", code="customer_not_found")
    return picture


async def review(
    session: AsyncSession, actor: Actor, data: CreditReviewCreate, rules: CreditRules
) -> CreditReview:
    """Judged on the customer's entity's business date (its days past due, the review dates)."""
    customer = await CreditCustomerRepository(session).get(data.customer_id)
    if customer is None:
        raise NotFound(f"customer {data.customer_id} is unknown to credit", code="customer_not_found")
    amounts = data.financials.model_dump(exclude={"years_in_business"})
    wrong = [k for k, v in amounts.items() if v["currency"] != customer.currency]
    if wrong:
        raise Unprocessable(
            f"financials must be in {customer.currency}: {', '.join(wrong)}", code="currency_mismatch"
        )
    f = data.financials
    financials = Financials(
        current_assets=f.current_assets.to_money().to_decimal(),
        current_liabilities=f.current_liabilities.to_money().to_decimal(),
        total_liabilities=f.total_liabilities.to_money().to_decimal(),
        equity=f.equity.to_money().to_decimal(),
        revenue=f.revenue.to_money().to_decimal(),
        net_income=f.net_income.to_money().to_decimal(),
        years_in_business=f.years_in_business,
    )
    picture = await _picture(session, customer.id, rules)
    today = picture.business_date
    result = score(financials, picture.parts.oldest_days_past_due, today)
    row = await ReviewRepository(session).add(
        CreditReview(
            id=uuid.uuid4(),
            customer_id=customer.id,
            currency=customer.currency,
            financials=data.financials.model_dump(mode="json"),
            score=result.score,
            risk_class=result.risk_class,
            factors=[asdict(x) for x in result.factors],
            recommended_limit_minor=Money.of(result.recommended_limit, customer.currency).minor,
            reviewed_on=today,
            next_review_on=result.next_review_on,
            reviewed_by=actor.subject,
        )
    )
    profile = await PolicyRepository(session).profile(customer.id)
    if profile is not None:
        profile.review_date = result.next_review_on
    await audit.record(
        session, actor=actor, action="credit_review.completed", entity_type="credit_review",
        entity_id=str(row.id), after=out(row).model_dump(mode="json"),
    )  # fmt: skip
    await outbox.add(
        session,
        CreditReviewCompleted(
            review_id=row.id,
            customer_id=customer.id,
            score=result.score,
            risk_class=result.risk_class,
            recommended_limit=out(row).recommended_limit,
            next_review_on=result.next_review_on,
            reviewed_by=actor.subject,
        ),
    )
    return row


async def credit_reference(
    session: AsyncSession, customer_id: uuid.UUID, rules: CreditRules
) -> CreditReference:
    customer = await CreditCustomerRepository(session).get(customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} is unknown to credit", code="customer_not_found")
    picture = await _picture(session, customer_id, rules)
    parts, today = picture.parts, picture.business_date
    profile = await PolicyRepository(session).profile(customer_id)
    reviews = ReviewRepository(session)
    latest = await reviews.latest(customer_id)
    total, open_, overdue = await reviews.invoice_counts(customer_id, today)
    holds = await CreditHoldRepository(session).active_for_customer(customer_id, lock=False)

    def m(minor: int) -> MoneyTotal:
        return MoneyTotal.from_money(Money(minor, customer.currency))

    return CreditReference(
        customer_id=customer_id,
        name=customer.name,
        currency=customer.currency,
        credit_limit=MoneyAmount.from_money(Money(profile.limit_minor, customer.currency))
        if profile
        else None,
        risk_class=profile.risk_class if profile else None,
        last_review=None
        if latest is None
        else {
            "reviewed_on": latest.reviewed_on.isoformat(),
            "score": latest.score,
            "risk_class": latest.risk_class,
        },
        open_ar=m(parts.open_ar),
        overdue=m(parts.overdue),
        oldest_days_past_due=parts.oldest_days_past_due,
        invoices_total=total,
        invoices_open=open_,
        invoices_overdue=overdue,
        active_holds=[h.reason_code for h in holds],
    )
