"""HTTP route for the collection KPIs per collector, team, portfolio, entity or overall."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from ar_collections import exports
from ar_collections.access import CallerSession, Manager
from ar_collections.grouping import GroupBy, Scope
from ar_collections.kpis import service
from ar_collections.kpis.export import kpis_table
from ar_collections.kpis.schemas import KpiReport
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["kpis"], route_class=ServiceRoute)

KPIS_DESCRIPTION = (
    "For the period `period_start` … `period_end` (both included), per currency and per "
    "`group_by`: `collector`, `team`, `portfolio` (an account counts for the portfolio that held "
    "it at the period's end, by the assignment history; '' gathers unassigned accounts), "
    "`business_entity`, `customer` or `overall`; "
    "optionally narrowed to one customer or entity. Formulas, rounding and the count-back walk "
    "are the ledger's (docs/kpis.md), computed by the same code from this service's projection "
    "of the same events, so the same customers give the same figures. Beside them: promises "
    "judged in the period (kept rate by count and by amount, partially kept and broken apart), "
    "contacts per working day (Monday to Friday), disputes opened, resolved and their average "
    "ages, and cash collected against the group's target for exactly this period. An end before "
    "the start is 422 `invalid_period`."
)


@router.get(
    "/v1/kpis",
    summary=(
        "DSO, count-back DSO, best possible DSO, ADD, CEI, % current and % over 90, promises kept, "
        "contacts per working day, disputes and cash collected against target per group"
    ),
    description=KPIS_DESCRIPTION,
)
async def kpis(
    _: Manager,
    session: CallerSession,
    period_start: BusinessDate,
    period_end: BusinessDate,
    group_by: GroupBy = "overall",
    customer_id: uuid.UUID | None = None,
    business_entity: Identifier | None = None,
) -> KpiReport:
    scope = Scope(group_by, customer_id, business_entity)
    return await service.kpi_report(session, period_start, period_end, scope)


@router.get(
    "/v1/kpis/export",
    summary="The KPI report as CSV or XLSX (one row per group and currency)",
    description=KPIS_DESCRIPTION,
    responses=exports.EXPORT_RESPONSES,
)
async def export_kpis(
    _: Manager,
    session: CallerSession,
    period_start: BusinessDate,
    period_end: BusinessDate,
    group_by: GroupBy = "overall",
    customer_id: uuid.UUID | None = None,
    business_entity: Identifier | None = None,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    scope = Scope(group_by, customer_id, business_entity)
    report = await service.kpi_report(session, period_start, period_end, scope)
    filename = f"kpis-{group_by}-{period_start}-{period_end}"
    return exports.response(kpis_table(report), export_format, filename)
