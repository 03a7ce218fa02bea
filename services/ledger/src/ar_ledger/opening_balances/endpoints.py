"""HTTP route of the opening-balance load."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ar_ledger.erp_files.api import FILE_BODY, ColumnsQuery, MappingQuery
from ar_ledger.erp_files.mappings import MAPPINGS, with_overrides
from ar_ledger.erp_files.reader import CSV, XLSX
from ar_ledger.opening_balances import service
from ar_ledger.opening_balances.auth import Writer
from ar_ledger.opening_balances.schemas import OpeningBalanceLoad
from ar_shared.db import DbSession
from ar_shared.problems import PROBLEM_RESPONSES
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/opening-balances", tags=["opening balances"], route_class=ServiceRoute)


@router.post(
    "",
    summary="Start from the ERP's open items: post each as an open invoice or an unapplied credit",
    description=(
        "Takes the same file as `POST /v1/reconciliations` (CSV or XLSX, the same mappings) and posts "
        "each positive item as an open invoice for its amount, with the ERP's document number, "
        "document date and due date (journal: debit AR, credit `opening_balance`, kind "
        "`invoice_opened`), each negative one as an unapplied credit memo (`credit_opened`, reason "
        "`opening_balance`), with their `InvoiceIssued` / `CreditMemoIssued` events. The customers "
        "must exist (upsert them first by ERP id), in the items' currency. All or nothing: any item "
        "that cannot be posted refuses the whole file, naming each (`rows.<row>.<field>`). "
        "Idempotent: an item already posted with the same values (customer, amount, dates) is left "
        "alone and counted in `already_loaded`, so loading a file again posts nothing twice; a "
        "document number taken with other values is refused. Send an `Idempotency-Key`."
    ),
    responses={
        413: PROBLEM_RESPONSES[413],
        415: {**PROBLEM_RESPONSES[415], "description": f"Not {CSV} or {XLSX}"},
    },
    openapi_extra=FILE_BODY,
)
async def load_opening_balances(
    principal: Writer,
    session: DbSession,
    request: Request,
    mapping: MappingQuery = "ledger",
    columns: ColumnsQuery = None,
) -> OpeningBalanceLoad:
    return await service.load(
        session,
        principal,
        await request.body(),
        request.headers.get("content-type", ""),
        with_overrides(MAPPINGS[mapping], columns),
    )
