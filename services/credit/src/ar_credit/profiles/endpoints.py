"""HTTP routes for credit profiles and limit requests."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request, Response

from ar_credit.check.endpoints import Checker, Manager
from ar_credit.models import CreditLimitRequest as CreditLimitRequestRow
from ar_credit.profiles import service
from ar_credit.profiles.repository import LimitRequestRepository
from ar_credit.profiles.schemas import CreditLimitRequest, CreditProfile, CreditProfileSet, LimitDecision
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["credit profiles"], route_class=ServiceRoute)


@router.put(
    "/v1/credit-profiles/{customer_id}",
    summary="Set a customer's credit limit, risk class and review date",
    description=(
        "Recorded with who and why; `CreditLimitChanged` when the limit changes (201 when the "
        "profile is new, 200 otherwise). A limit increase above the approval threshold "
        "(`CREDIT_LIMIT_APPROVAL_THRESHOLD`) is not applied: it becomes a pending limit request "
        "(202) that another credit manager approves or rejects."
    ),
    response_model=CreditProfile | CreditLimitRequest,
    responses={
        201: {"model": CreditProfile},
        202: {"model": CreditLimitRequest, "description": "Needs approval"},
    },
)
async def set_profile(
    principal: Manager,
    customer_id: uuid.UUID,
    body: CreditProfileSet,
    session: DbSession,
    request: Request,
    response: Response,
) -> CreditProfile | CreditLimitRequest:
    settings = request.app.state.settings
    existed = await LimitRequestRepository(session).has_profile(customer_id)
    result = await service.set_profile(
        session,
        principal,
        customer_id,
        body,
        settings.rules,
        approval_threshold=settings.limit_approval_threshold,
    )
    if isinstance(result, CreditLimitRequestRow):
        response.status_code = 202
        return service.request_out(result)
    response.status_code = 200 if existed else 201
    return service.out(result)


@router.get("/v1/credit-profiles/{customer_id}", summary="A customer's credit profile")
async def get_profile(_: Checker, customer_id: uuid.UUID, session: DbSession) -> CreditProfile:
    return service.out(await service.get_profile(session, customer_id))


@router.get("/v1/credit-limit-requests", summary="Limit requests, e.g. those waiting for approval")
async def list_requests(
    _: Manager, session: DbSession, status: Literal["pending", "approved", "rejected"] | None = "pending"
) -> list[CreditLimitRequest]:
    return [service.request_out(r) for r in await LimitRequestRepository(session).list(status)]


@router.post("/v1/credit-limit-requests/{request_id}/approve", summary="Approve (not your own request)")
async def approve(
    principal: Manager, request_id: uuid.UUID, body: LimitDecision, session: DbSession, request: Request
) -> CreditLimitRequest:
    return service.request_out(
        await service.decide_request(
            session, principal, request_id, True, body.note, request.app.state.settings.rules
        )
    )  # fmt: skip


@router.post("/v1/credit-limit-requests/{request_id}/reject", summary="Reject (not your own request)")
async def reject(
    principal: Manager, request_id: uuid.UUID, body: LimitDecision, session: DbSession, request: Request
) -> CreditLimitRequest:
    return service.request_out(
        await service.decide_request(
            session, principal, request_id, False, body.note, request.app.state.settings.rules
        )
    )  # fmt: skip
