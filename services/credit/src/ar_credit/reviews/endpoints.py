"""HTTP routes for credit reviews and credit references."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from ar_credit.reviews import service
from ar_credit.reviews.auth import Checker, Manager
from ar_credit.reviews.repository import ReviewRepository
from ar_credit.reviews.schemas import CreditReference, CreditReviewCreate, CreditReviewOut, ReviewDue
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate
from ar_shared.money import Money, MoneyAmount
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["credit reviews"], route_class=ServiceRoute)


@router.post(
    "/v1/credit-reviews",
    status_code=201,
    summary="Review a customer's credit from its financial data",
    description=(
        "Scores liquidity, leverage, profitability, track record and payment behaviour (each "
        "factor's points are returned), recommends a risk class, a limit and the next review "
        "date. The recommendation is not applied: set it with PUT /v1/credit-profiles."
    ),
)
async def create_review(
    principal: Manager,
    body: CreditReviewCreate,
    session: DbSession,
    request: Request,
) -> CreditReviewOut:
    row = await service.review(session, principal, body, request.app.state.settings.rules)
    return service.out(row)


@router.get("/v1/credit-reviews/due", summary="Customers whose credit review is due")
async def reviews_due(_: Manager, session: DbSession, as_of: BusinessDate) -> list[ReviewDue]:
    return [
        ReviewDue(
            customer_id=profile.customer_id,
            name=name,
            risk_class=profile.risk_class,
            review_date=profile.review_date,
            credit_limit=MoneyAmount.from_money(Money(profile.limit_minor, profile.currency)),
        )
        for profile, name in await ReviewRepository(session).due(as_of)
    ]


@router.get(
    "/v1/customers/{customer_id}/credit-reference", summary="Payment-record summary (credit reference)"
)
async def credit_reference(
    _: Checker, customer_id: uuid.UUID, session: DbSession, request: Request
) -> CreditReference:
    return await service.credit_reference(session, customer_id, request.app.state.settings.rules)
