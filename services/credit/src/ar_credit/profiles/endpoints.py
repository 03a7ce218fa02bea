"""HTTP routes for credit profiles and limit requests."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response

from ar_credit.models import CreditLimitRequest as CreditLimitRequestRow
from ar_credit.models import CreditProfile as CreditProfileRow
from ar_credit.models import PendingCreditProfile as PendingCreditProfileRow
from ar_credit.profiles import service
from ar_credit.profiles.auth import Checker, Manager
from ar_credit.profiles.pending import pending_out
from ar_credit.profiles.repository import LimitRequestRepository, PendingProfileRepository
from ar_credit.profiles.schemas import (
    CreditLimitRequest,
    CreditProfile,
    CreditProfileSet,
    LimitDecision,
    PendingCreditProfile,
)
from ar_shared.db import DbSession
from ar_shared.inputs import Identifier
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["credit profiles"], route_class=ServiceRoute)


SET_DESCRIPTION = (
    "Recorded with who and why; `CreditLimitChanged` when the limit changes (201 when the "
    "profile is new, 200 otherwise). A limit increase above the approval threshold "
    "(`CREDIT_LIMIT_APPROVAL_THRESHOLD`) is not applied: it becomes a pending limit request "
    "(202, `CreditLimitRequest`) that another credit manager approves or rejects. For a customer "
    "the credit service has not heard of yet, the profile is kept (202, `PendingCreditProfile`) "
    "and applied when the ledger's customer arrives (a later one for the same customer replaces it)."
)
SET_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": CreditProfile},
    202: {
        "model": CreditLimitRequest | PendingCreditProfile,
        "description": "Needs approval (`CreditLimitRequest`), or waits for the customer "
        "(`PendingCreditProfile`)",
    },
}


def _answer(
    result: CreditProfileRow | CreditLimitRequestRow | PendingCreditProfileRow,
    existed: bool,
    response: Response,
) -> CreditProfile | CreditLimitRequest | PendingCreditProfile:
    if isinstance(result, CreditLimitRequestRow):
        response.status_code = 202
        return service.request_out(result)
    if isinstance(result, PendingCreditProfileRow):
        response.status_code = 202
        return pending_out(result)
    response.status_code = 200 if existed else 201
    return service.out(result)


@router.put(
    "/v1/credit-profiles/{customer_id}",
    summary="Set a customer's credit limit, risk class and review date",
    description=SET_DESCRIPTION,
    response_model=CreditProfile | CreditLimitRequest | PendingCreditProfile,
    responses=SET_RESPONSES,
)
async def set_profile(
    principal: Manager,
    customer_id: uuid.UUID,
    body: CreditProfileSet,
    session: DbSession,
    request: Request,
    response: Response,
) -> CreditProfile | CreditLimitRequest | PendingCreditProfile:
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
    return _answer(result, existed, response)


@router.put(
    "/v1/credit-profiles/external/{external_id}",
    summary="Set the credit profile of a customer by its ERP id",
    description=SET_DESCRIPTION + " The customer is the one the ERP knows by `external_id`.",
    response_model=CreditProfile | CreditLimitRequest | PendingCreditProfile,
    responses=SET_RESPONSES,
)
async def set_profile_by_external_id(
    principal: Manager,
    external_id: Annotated[
        Identifier,
        Path(min_length=1, max_length=100, description="The customer's id in the ERP", examples=["C-10042"]),
    ],
    body: CreditProfileSet,
    session: DbSession,
    request: Request,
    response: Response,
) -> CreditProfile | CreditLimitRequest | PendingCreditProfile:
    settings = request.app.state.settings
    result = await service.set_profile_by_external_id(
        session,
        principal,
        external_id,
        body,
        settings.rules,
        approval_threshold=settings.limit_approval_threshold,
    )
    existed = not isinstance(result, CreditProfileRow) or result.version > 1
    return _answer(result, existed, response)


@router.get(
    "/v1/pending-credit-profiles",
    summary="Profiles set for customers credit has not seen yet",
    description="By default those still waiting; `status=attached` or `refused`: what became of the others.",
)
async def list_pending_profiles(
    _: Manager,
    session: DbSession,
    page: Paging,
    status: Literal["pending", "attached", "refused"] | None = "pending",
) -> Page[PendingCreditProfile]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await PendingProfileRepository(session).list(limit=page.limit + 1, after_id=after, status=status)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[PendingCreditProfile](items=[pending_out(r) for r in items], next_cursor=next_cursor)


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
