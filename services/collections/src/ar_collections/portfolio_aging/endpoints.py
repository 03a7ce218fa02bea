"""HTTP routes for aging per collector, team, portfolio, entity or overall, and its comparison."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ar_collections import exports
from ar_collections.access import CallerSession, Manager
from ar_collections.grouping import GroupBy, Scope
from ar_collections.portfolio_aging import service
from ar_collections.portfolio_aging.export import aging_table
from ar_collections.portfolio_aging.schemas import Aging, ComparativeAging
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/aging", tags=["kpis"], route_class=ServiceRoute)

DESCRIPTION = (
    "Open items as of `as_of` (any date: each item's balance is rebuilt from its movements) in "
    "the service's aging buckets by days past due, per `group_by` (`collector`, `team`, "
    "`portfolio`, `business_entity`, `customer` or `overall`; an account counts for the portfolio it is in "
    "now, '' gathers unassigned accounts) and currency, with each bucket's share of the line's "
    "total (one decimal)."
)


@router.get("", summary="Aging per collector, team, portfolio, entity or overall", description=DESCRIPTION)
async def portfolio_aging(
    request: Request,
    _: Manager,
    session: CallerSession,
    as_of: BusinessDate,
    group_by: GroupBy = "portfolio",
    business_entity: Identifier | None = None,
    customer_id: uuid.UUID | None = None,
) -> Aging:
    edges = request.app.state.settings.aging_edges
    return await service.aging(session, as_of, edges, Scope(group_by, customer_id, business_entity))


@router.get(
    "/export",
    summary="The aging as CSV or XLSX",
    description=DESCRIPTION,
    responses=exports.EXPORT_RESPONSES,
)
async def export_aging(
    request: Request,
    _: Manager,
    session: CallerSession,
    as_of: BusinessDate,
    group_by: GroupBy = "portfolio",
    business_entity: Identifier | None = None,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    edges = request.app.state.settings.aging_edges
    report = await service.aging(session, as_of, edges, Scope(group_by, None, business_entity))
    return exports.response(aging_table(report), export_format, f"aging-{group_by}-{as_of}")


@router.get(
    "/comparative",
    summary="Aging at several dates per group, and how each bucket moved between them",
    description=(
        "2 to 12 dates (`as_of=…&as_of=…`), oldest first in the answer; `deltas` give, for each "
        "pair of consecutive dates, group and currency, the change of every bucket and of the "
        "total (`amount` = later - earlier, `percent` of the earlier amount, one decimal; null "
        "when it was zero). Fewer or more dates: 422 `invalid_dates`."
    ),
)
async def comparative_aging(
    request: Request,
    _: Manager,
    session: CallerSession,
    as_of: Annotated[list[BusinessDate], Query(max_length=12)],
    group_by: GroupBy = "portfolio",
    business_entity: Identifier | None = None,
) -> ComparativeAging:
    edges = request.app.state.settings.aging_edges
    return await service.comparative(session, as_of, edges, Scope(group_by, None, business_entity))
