"""HTTP routes for write-off and suspension recommendations and the manager's queue."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Request

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.recommendations import service
from ar_collections.recommendations.repository import RecommendationRepository
from ar_collections.recommendations.schemas import (
    Recommendation,
    RecommendationCreate,
    RecommendationDecision,
)
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["recommendations"], route_class=ServiceRoute)


@router.post(
    "/v1/accounts/{customer_id}/recommendations",
    status_code=201,
    summary="Recommend writing off an invoice amount, or suspending the account",
    description="Kept with its evidence (latest activities, days past due, amounts) for a manager.",
)
async def recommend(
    principal: Worker,
    customer_id: uuid.UUID,
    body: RecommendationCreate,
    session: CallerSession,
    calendars: Calendars,
    request: Request,
) -> Recommendation:
    reasons = request.app.state.settings.write_off_reason_codes
    row = await service.recommend(session, principal, customer_id, body, calendars, reasons)
    return Recommendation.of(row)


@router.get("/v1/recommendations", summary="The manager's queue (pending by default), oldest first")
async def queue(
    _: Manager,
    session: CallerSession,
    page: Paging,
    status: Literal["pending", "approved", "rejected"] | None = "pending",
) -> Page[Recommendation]:
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await RecommendationRepository(session).queue(status=status, limit=page.limit + 1, after=after)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.recommended_on, r.id])
    return Page[Recommendation](items=[Recommendation.of(r) for r in items], next_cursor=next_cursor)


@router.get("/v1/recommendations/{recommendation_id}", summary="One recommendation with its evidence")
async def get_recommendation(
    _: Worker, recommendation_id: uuid.UUID, session: CallerSession
) -> Recommendation:
    return Recommendation.of(await service.require_recommendation(session, recommendation_id))


@router.post(
    "/v1/recommendations/{recommendation_id}/decision",
    summary="Approve or reject a recommendation (a manager other than the recommender)",
    description="An approved write-off asks the ledger to write it off (`WriteOffApproved`, once per "
    "recommendation); an approved suspension announces `AccountSuspensionRecommended` and a "
    "`CreditHoldRecommended`. Deciding one's own recommendation answers 403; a decided one 409.",
)
async def decide(
    principal: Manager,
    recommendation_id: uuid.UUID,
    body: RecommendationDecision,
    session: CallerSession,
    calendars: Calendars,
) -> Recommendation:
    return Recommendation.of(await service.decide(session, principal, recommendation_id, body, calendars))
