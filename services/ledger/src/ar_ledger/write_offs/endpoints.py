"""HTTP routes for write-offs."""

from __future__ import annotations

from fastapi import APIRouter

from ar_ledger.config import AppSettings
from ar_ledger.write_offs import service
from ar_ledger.write_offs.auth import Writer
from ar_ledger.write_offs.schemas import WriteOffCreate, WriteOffOut
from ar_shared.db import DbSession
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/write-offs", tags=["write-offs"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Write off (part of) an invoice",
    description=(
        "Debit write-off expense, credit AR, for at most the invoice's open balance, with one of the "
        "configured write-off reason codes (`GET /v1/reason-codes`). Send an `Idempotency-Key`."
    ),
)
async def write_off(
    principal: Writer, body: WriteOffCreate, session: DbSession, settings: AppSettings
) -> WriteOffOut:
    row = await service.write_off(session, principal, body, settings.write_off_reason_codes)
    return WriteOffOut.of(row)
