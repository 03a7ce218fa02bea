"""HTTP route listing the configured reason codes."""

from __future__ import annotations

from fastapi import APIRouter

from ar_ledger.config import AppSettings
from ar_ledger.reason_codes.auth import Reader
from ar_ledger.reason_codes.schemas import ReasonCodes
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/reason-codes", tags=["reason codes"], route_class=ServiceRoute)


@router.get(
    "",
    summary="The reason codes credit memos, write-offs and refunds may carry",
    description=(
        "Configured per installation (`LEDGER_CREDIT_MEMO_REASON_CODES`, "
        "`LEDGER_WRITE_OFF_REASON_CODES`, `LEDGER_REFUND_REASON_CODES`, JSON lists). A document "
        "with another code is refused with 422 `unknown_reason_code` on `reason_code`."
    ),
)
async def reason_codes(_: Reader, settings: AppSettings) -> ReasonCodes:
    return ReasonCodes(
        credit_memo=list(settings.credit_memo_reason_codes),
        write_off=list(settings.write_off_reason_codes),
        refund=list(settings.refund_reason_codes),
    )
