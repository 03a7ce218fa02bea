"""HTTP route of the ERP reconciliation: upload the ERP's open items, get the comparison."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from ar_ledger.erp_files.api import FILE_BODY, ColumnsQuery, MappingQuery
from ar_ledger.erp_files.mappings import MAPPINGS, with_overrides
from ar_ledger.erp_files.reader import CSV, XLSX
from ar_ledger.filters import Scope
from ar_ledger.reconciliation import exports, service
from ar_ledger.reconciliation.auth import Reader
from ar_ledger.reconciliation.schemas import Reconciliation
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate
from ar_shared.problems import PROBLEM_RESPONSES
from ar_shared.routing import ServiceRoute, changes_nothing

router = APIRouter(prefix="/v1/reconciliations", tags=["reconciliation"], route_class=ServiceRoute)


@router.post(
    "",
    summary="Reconcile the ERP's open items with the ledger's, as of a date",
    description=(
        "Upload the open-items list the ERP exports (e.g. SAP's customer line items, FBL5N) and get, "
        "per customer (by ERP id) and document number, the items that match, that differ (amount, "
        "currency, due date: `differences`) or that exist on one side only, with totals per status "
        "and currency. Positive amounts are invoices, compared with the ledger's open balance as of "
        "`as_of`; negative ones are credits, compared with credit memos (by memo number) and payments "
        "(by bank reference) still unapplied then. Lines of one document are added up. Narrow it "
        "with `business_entity`, `sales_rep` or one customer: the ERP's lines of customers the ledger "
        "places outside are left out. `format=csv` or `xlsx` downloads the same as a table. Nothing "
        "is stored or changed (no `Idempotency-Key`); a file with any unreadable cell is refused "
        "whole, naming each (`rows.<row>.<field>`)."
    ),
    response_model=Reconciliation,
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}}},
        413: PROBLEM_RESPONSES[413],
        415: {**PROBLEM_RESPONSES[415], "description": f"Not {CSV} or {XLSX}"},
    },
    openapi_extra=FILE_BODY,
)
@changes_nothing
async def reconcile(
    _: Reader,
    session: DbSession,
    request: Request,
    as_of: BusinessDate,
    scope: Scope,
    mapping: MappingQuery = "ledger",
    columns: ColumnsQuery = None,
    only_differences: Annotated[
        bool, Query(description="Leave matching items (and customers with nothing else) out of the list")
    ] = False,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Reconciliation | Response:
    report = await service.reconcile(
        session,
        await request.body(),
        request.headers.get("content-type", ""),
        with_overrides(MAPPINGS[mapping], columns),
        as_of,
        scope,
        only_differences=only_differences,
    )
    filename = f"reconciliation-{as_of.isoformat()}"
    if format == "csv":
        return Response(
            exports.reconciliation_csv(report),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format == "xlsx":
        return Response(
            exports.reconciliation_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return report
