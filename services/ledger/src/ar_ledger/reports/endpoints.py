"""HTTP routes for the as-of reports."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ar_ledger.domain.aging import DEFAULT_EDGES, validate_edges
from ar_ledger.filters import Scope
from ar_ledger.reports import comparative, exports, kpi_service, service
from ar_ledger.reports.auth import Reader
from ar_ledger.reports.repository import CustomerOrder
from ar_ledger.reports.schemas import (
    AgingBasis,
    AgingReport,
    ComparativeAging,
    KpiReport,
    OpenItems,
    Statement,
)
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.pagination import decode_cursor
from ar_shared.problems import ProblemError
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=ServiceRoute)

EdgesQuery = Annotated[
    Identifier,
    Query(
        description="Upper day of each past-due bucket, comma-separated: 30,60,90,120 gives "
        "current / 1-30 / 31-60 / 61-90 / 91-120 / 121+",
        examples=["30,60,90,120"],
    ),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_edges(edges: str) -> tuple[int, ...]:
    try:
        return validate_edges([int(e) for e in edges.split(",") if e.strip()])
    except ValueError as exc:
        raise ProblemError(str(exc), code="invalid_bucket_edges") from None


@router.get(
    "/aging",
    summary="Aging as of any date",
    description=(
        "Open invoices by bucket of days past due (as_of - due date; due today is current), or "
        "by days since the invoice date with `basis=invoice_date`. Movements dated after "
        "`as_of` are ignored. Unapplied cash and credits are shown apart from the buckets. "
        "Customer rows come a page at a time (`limit`, `cursor` → `next_cursor`), by name or "
        "largest open total first (`sort=total_desc`); `totals` always cover everyone in scope. "
        "`format=csv` or `format=xlsx` downloads every row at once."
    ),
    response_model=AgingReport,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
async def aging(
    _: Reader,
    session: DbSession,
    as_of: BusinessDate,
    scope: Scope,
    edges: EdgesQuery = ",".join(map(str, DEFAULT_EDGES)),
    basis: AgingBasis = "due_date",
    group_by: Literal["customer", "total"] = "customer",
    sort: Annotated[
        CustomerOrder, Query(description="Customer rows by `name`, or largest open total first")
    ] = "name",
    limit: Annotated[int, Query(ge=1, le=10_000, description="Customer rows per page")] = 1000,
    cursor: Identifier | None = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> AgingReport | Response:
    after: tuple[str | int, str, uuid.UUID] | None = None
    if cursor:  # the first key is the sort's: a name, or an open total in minor units
        after = (
            decode_cursor(cursor, str, str, uuid.UUID)
            if sort == "name"
            else decode_cursor(cursor, int, str, uuid.UUID)
        )
    report = await service.aging_report(
        session,
        as_of,
        parse_edges(edges),
        basis,
        scope,
        by_customer=group_by == "customer",
        order=sort,
        after=after,
        limit=limit if format == "json" else None,  # exports carry every row
    )
    filename = f"aging-{as_of.isoformat()}"
    if format == "csv":
        return Response(
            exports.aging_csv(report),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format == "xlsx":
        return Response(
            exports.aging_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return report


@router.get(
    "/aging/comparative",
    summary="Aging totals at two or more dates, side by side, with the change between them",
    description=(
        "Amounts and % of total per bucket and currency, one report per date (oldest first), for "
        "everyone or narrowed to one customer (`customer_id` or `customer_external_id`), a "
        "business entity and / or a sales rep. `deltas` gives, per pair of consecutive dates and "
        "currency, the change of each bucket, the total, unapplied money and net: the amount "
        "(later minus earlier) and that as % of the earlier amount (null when it was zero)."
    ),
)
async def comparative_aging(
    _: Reader,
    session: DbSession,
    as_of: Annotated[
        list[BusinessDate], Query(min_length=2, max_length=12, description="Repeat: ?as_of=…&as_of=…")
    ],
    scope: Scope,
    edges: EdgesQuery = ",".join(map(str, DEFAULT_EDGES)),
    basis: AgingBasis = "due_date",
) -> ComparativeAging:
    return await comparative.comparative_aging(session, as_of, parse_edges(edges), basis, scope)


@router.get("/open-items", summary="Open invoices as of a date, with days past due and bucket")
async def open_items(
    _: Reader,
    session: DbSession,
    as_of: BusinessDate,
    scope: Scope,
    overdue_only: bool = False,
    edges: EdgesQuery = ",".join(map(str, DEFAULT_EDGES)),
) -> OpenItems:
    return await service.open_items(session, as_of, parse_edges(edges), scope, overdue_only=overdue_only)


@router.get(
    "/kpis",
    summary="DSO (standard and count-back), best possible DSO, ADD and CEI for a period",
    description=(
        "For everyone, or narrowed to one customer (`customer_id` or `customer_external_id`), a "
        "business entity and / or a sales rep, per currency. Credit sales are the invoices (not fee "
        "documents: dunning fees, late interest) issued "
        "in the period and not void at its end; AR is open invoices (gross of unapplied cash). "
        "Days and percentages have two decimals, rounded half-up once from the exact value; ADD "
        "is the exact DSO minus the exact best possible DSO, then rounded. Count-back DSO "
        "subtracts each calendar month's credit sales from ending AR, newest first, adding the "
        "month's days, until the rest is smaller than a month's sales, then adds rest / that "
        "month's sales x its days; when AR is larger than the period's sales it walks on through "
        "the months before the period (whole months), so it is never empty for lack of months. "
        "CEI uses the whole period's credit sales. Formulas: docs/kpis.md."
    ),
)
async def kpis(
    _: Reader,
    session: DbSession,
    period_start: BusinessDate,
    period_end: BusinessDate,
    scope: Scope,
) -> KpiReport:
    return await kpi_service.kpi_report(session, period_start, period_end, scope)


@router.get(
    "/statements/{customer_id}",
    summary="Customer statement: opening balance, movements, closing balance",
    description="Every movement that changed what the customer owes in the period, by effective date.",
)
async def customer_statement(
    _: Reader,
    session: DbSession,
    customer_id: uuid.UUID,
    period_start: BusinessDate,
    period_end: BusinessDate,
) -> Statement:
    return await kpi_service.statement(session, customer_id, period_start, period_end)
