"""HTTP routes for credit policies (reading needs `credit:check`, changing `credit:manage`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from ar_credit.policies import changes
from ar_credit.policies.auth import Checker, Manager
from ar_credit.policies.schemas import CreditPolicy, CreditPolicyChange, CreditPolicySet, RiskClass
from ar_shared.db import DbSession
from ar_shared.etag import etag_for, parse_if_match
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/credit-policies", tags=["credit policies"], route_class=ServiceRoute)


@router.get("", summary="Every risk class's credit policy")
async def list_policies(_: Checker, session: DbSession) -> list[CreditPolicy]:
    return await changes.list_policies(session)


@router.get("/{risk_class}", summary="The credit policy of a risk class")
async def get_policy(
    _: Checker, risk_class: RiskClass, session: DbSession, response: Response
) -> CreditPolicy:
    policy = await changes.get_policy(session, risk_class)
    response.headers["ETag"] = etag_for(policy.version)
    return policy


@router.put(
    "/{risk_class}",
    summary="Change the credit policy of a risk class",
    description=(
        "When the policy holds customers of the class automatically: oldest days past due, overdue "
        "amount per currency, how far over the credit limit. Customers without a credit profile "
        "follow `medium`. Audited and announced (`CreditPolicyChanged`); every customer of the class "
        "with exposure or a policy hold is judged against the new policy in the same transaction "
        "(holds placed and released, blocked orders released), on its entity's business date. "
        "Sending the same policy again changes nothing. `If-Match` (the `ETag` of a previous read) "
        "refuses the change with 412 when someone else changed it meanwhile."
    ),
)
async def set_policy(
    principal: Manager,
    risk_class: RiskClass,
    body: CreditPolicySet,
    session: DbSession,
    request: Request,
    response: Response,
    if_match: Annotated[str | None, Header(description="The `ETag` of the version you read")] = None,
) -> CreditPolicyChange:
    result = await changes.set_policy(
        session, principal, risk_class, body, request.app.state.settings.rules, parse_if_match(if_match)
    )
    response.headers["ETag"] = etag_for(result.version)
    return result
