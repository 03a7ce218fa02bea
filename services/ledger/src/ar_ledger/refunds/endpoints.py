"""HTTP routes for refunds."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ar_ledger.config import AppSettings
from ar_ledger.filters import ByCustomer
from ar_ledger.refunds import service
from ar_ledger.refunds.auth import Reader, Writer
from ar_ledger.refunds.schemas import RefundCreate, RefundDecision, RefundOut, RefundStatus
from ar_shared.db import DbSession
from ar_shared.pagination import Page, Paging
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/refunds", tags=["refunds"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Refund unapplied cash or an unapplied credit memo, in full or in part",
    description=(
        "Pays back (part of) one payment's unapplied cash or one credit memo's unapplied credit: "
        "debit unapplied cash (or customer credits), credit cash, effective on `refund_date`. Never "
        "more than the source has unapplied on that date and on every later date (an application "
        "dated later keeps its money): 422 `exceeds_refundable`. Without `amount`, everything "
        "refundable. Up to `LEDGER_REFUND_APPROVAL_THRESHOLD` (default 1000 in the refund's "
        "currency) the refund is issued at once (201, `RefundIssued`); above it the answer is 202 "
        "`pending_approval` and nothing is posted until someone other than the requester approves "
        "it. Refunds show on the statement (`refund_issued`) and in every as-of report. Send an "
        "`Idempotency-Key`."
    ),
    responses={202: {"model": RefundOut, "description": "Above the threshold: waits for approval"}},
)
async def request_refund(
    principal: Writer, body: RefundCreate, session: DbSession, settings: AppSettings, response: Response
) -> RefundOut:
    rules = service.RefundRules(settings.refund_reason_codes, settings.refund_approval_threshold)
    refund = await service.request_refund(session, principal, body, rules)
    if refund.status == "pending_approval":
        response.status_code = 202
    return RefundOut.of(refund)


@router.get("/{refund_id}", summary="Get a refund")
async def get_refund(_: Reader, refund_id: uuid.UUID, session: DbSession) -> RefundOut:
    return RefundOut.of(await service.get_refund(session, refund_id))


@router.get(
    "",
    summary="List refunds, e.g. those waiting for approval",
    description="Name the customer by `customer_id` or by its ERP id, `customer_external_id`.",
)
async def list_refunds(
    _: Reader, session: DbSession, page: Paging, customer: ByCustomer, status: RefundStatus | None = None
) -> Page[RefundOut]:
    return await service.list_refunds(session, page, customer, status)


@router.post(
    "/{refund_id}/approve",
    summary="Approve a refund waiting for approval (not your own): it posts",
    description="Checked again against what is unapplied then. 403 `own_request` for the requester.",
)
async def approve_refund(
    principal: Writer, refund_id: uuid.UUID, body: RefundDecision, session: DbSession
) -> RefundOut:
    return RefundOut.of(
        await service.decide_refund(session, principal, refund_id, approve=True, note=body.note)
    )


@router.post("/{refund_id}/reject", summary="Reject a refund waiting for approval (not your own)")
async def reject_refund(
    principal: Writer, refund_id: uuid.UUID, body: RefundDecision, session: DbSession
) -> RefundOut:
    return RefundOut.of(
        await service.decide_refund(session, principal, refund_id, approve=False, note=body.note)
    )
