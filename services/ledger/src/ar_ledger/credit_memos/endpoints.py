"""HTTP routes for credit memos."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ar_ledger.config import AppSettings
from ar_ledger.credit_memos import service
from ar_ledger.credit_memos.auth import Reader, Writer
from ar_ledger.credit_memos.schemas import CreditMemoApply, CreditMemoCreate, CreditMemoOut
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/credit-memos", tags=["credit memos"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Issue a credit memo",
    description=(
        "Posts the memo (debit sales returns, credit customer credits). With `invoice_id` it is "
        "applied to that invoice at once and may not exceed its open balance; without, it stays an "
        "unapplied credit to apply later. A `reason_code` must be one of the configured credit-memo "
        "reason codes (`GET /v1/reason-codes`). Send an `Idempotency-Key`."
    ),
)
async def issue_credit_memo(
    principal: Writer, body: CreditMemoCreate, session: DbSession, settings: AppSettings
) -> CreditMemoOut:
    memo = await service.issue_credit_memo(session, principal, body, settings.credit_memo_reason_codes)
    return await service.snapshot(session, memo)


@router.get("/{memo_id}", summary="Get a credit memo with its applications")
async def get_credit_memo(_: Reader, memo_id: uuid.UUID, session: DbSession) -> CreditMemoOut:
    return await service.get_credit_memo(session, memo_id)


@router.post("/{memo_id}/applications", summary="Apply an unapplied credit memo")
async def apply_credit_memo(
    principal: Writer, memo_id: uuid.UUID, body: CreditMemoApply, session: DbSession
) -> CreditMemoOut:
    memo = await service.apply_credit_memo(session, principal, memo_id, body)
    return await service.snapshot(session, memo)
