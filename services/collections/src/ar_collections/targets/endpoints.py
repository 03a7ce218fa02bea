"""HTTP routes for collection targets and their standings (managers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ar_collections import exports
from ar_collections.access import CallerSession, Manager
from ar_collections.calendars.dependencies import Calendars
from ar_collections.targets import service
from ar_collections.targets.export import standings_table
from ar_collections.targets.schemas import PeriodText, Scope, Standings, Target, TargetIn
from ar_shared.inputs import BusinessDate
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/collection-targets", tags=["targets"], route_class=ServiceRoute)


@router.put(
    "",
    summary="Set the amount a collector, team or portfolio is to collect in a month, quarter or year",
    description=(
        "One target per scope, period and currency: setting it again replaces the amount (201 when "
        "added, 200 when replaced). Refused: a period that ended before today's business date (409 "
        "`target_period_closed`), a period not written 2026-11 / 2026-Q4 / 2026 (422 "
        "`invalid_period`), an unknown collector, team or portfolio (422 `unknown_scope`)."
    ),
    responses={201: {"model": Target, "description": "Added"}},
)
async def put_target(
    principal: Manager, body: TargetIn, session: CallerSession, calendars: Calendars, response: Response
) -> Target:
    target, added = await service.put_target(session, principal, body, calendars.default_today())
    response.status_code = 201 if added else 200
    return target


@router.get("", summary="The targets of a period")
async def list_targets(
    _: Manager, session: CallerSession, period: PeriodText, scope: Scope | None = None
) -> list[Target]:
    return await service.list_targets(session, period, scope)


STANDINGS_DESCRIPTION = (
    "Per target: cash received from the period's start to `as_of` (default: today's business date) "
    "from the accounts of the portfolio (of the collector's portfolios, of the team's collectors), "
    "attributed to the portfolio that held the account on the day it was received; reversed "
    "payments do not count. The pace is the share of the period gone by; on track means collected "
    "at least that share. Ranked within each scope and currency."
)


@router.get("/standings", summary="How each target stands", description=STANDINGS_DESCRIPTION)
async def standings(
    _: Manager,
    session: CallerSession,
    calendars: Calendars,
    period: PeriodText,
    scope: Scope | None = None,
    as_of: BusinessDate | None = None,
) -> Standings:
    return await service.standings(session, period, as_of or calendars.default_today(), scope)


@router.get(
    "/standings/export",
    summary="The standings as CSV or XLSX",
    description=STANDINGS_DESCRIPTION,
    responses=exports.EXPORT_RESPONSES,
)
async def export_standings(
    _: Manager,
    session: CallerSession,
    calendars: Calendars,
    period: PeriodText,
    scope: Scope | None = None,
    as_of: BusinessDate | None = None,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    report = await service.standings(session, period, as_of or calendars.default_today(), scope)
    return exports.response(standings_table(report), export_format, f"targets-{report.period}")
