"""HTTP routes for credit profiles."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from ar_credit.check.endpoints import Checker, Manager, business_date
from ar_credit.profiles import service
from ar_credit.profiles.schemas import CreditProfile, CreditProfileSet
from ar_shared.db import DbSession
from ar_shared.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/credit-profiles", tags=["credit profiles"], responses=PROBLEM_RESPONSES)


@router.put(
    "/{customer_id}",
    summary="Set a customer's credit limit, risk class and review date",
    description="Recorded with who and why; `CreditLimitChanged` when the limit changes. 201 when new.",
    responses={201: {"model": CreditProfile}},
)
async def set_profile(
    principal: Manager,
    customer_id: uuid.UUID,
    body: CreditProfileSet,
    session: DbSession,
    request: Request,
    response: Response,
) -> CreditProfile:
    profile, created = await service.set_profile(
        session,
        principal,
        customer_id,
        body,
        business_date(request),
        include_disputed=request.app.state.settings.include_disputed_in_exposure,
    )
    response.status_code = 201 if created else 200
    return service.out(profile)


@router.get("/{customer_id}", summary="A customer's credit profile")
async def get_profile(_: Checker, customer_id: uuid.UUID, session: DbSession) -> CreditProfile:
    return service.out(await service.get_profile(session, customer_id))
