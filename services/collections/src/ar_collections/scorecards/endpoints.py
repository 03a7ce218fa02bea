"""HTTP routes for a customer's monthly scorecard and its export."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from ar_collections import exports
from ar_collections.access import CallerSession, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.scorecards import service
from ar_collections.scorecards.export import scorecard_table
from ar_collections.scorecards.schemas import Scorecard
from ar_shared.inputs import Identifier
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/accounts/{customer_id}/scorecard", tags=["kpis"], route_class=ServiceRoute)

DESCRIPTION = (
    "For each of the last `months` calendar months (1 to 24, default 6; 422 `months_out_of_range`) "
    "up to `as_of_month` (`YYYY-MM`, by default the month of the account's business date; the "
    "current month runs to that date): DSO and ADD exactly as `/v1/kpis?customer_id=` gives them "
    "for the month, the amount-weighted days late of the cash applied in the month, promises made "
    "and judged kept / partially kept / broken in it, dispute and deduction cases opened in it and "
    "open at its end, and credit use (open AR / the credit limit, %; null without a limit in the "
    "account's currency), each with its trend against the previous month. A collector sees the "
    "accounts of their own portfolios only: another customer answers 404."
)

Months = Annotated[int, Query(description="How many months, 1 to 24")]
AsOfMonth = Annotated[
    Identifier | None, Query(description="The last month shown, YYYY-MM", examples=["2026-03"])
]


@router.get("", summary="The customer's monthly scorecard", description=DESCRIPTION)
async def scorecard(
    _: Worker,
    session: CallerSession,
    calendars: Calendars,
    customer_id: uuid.UUID,
    months: Months = 6,
    as_of_month: AsOfMonth = None,
) -> Scorecard:
    return await service.scorecard(session, customer_id, months, as_of_month, calendars)


@router.get(
    "/export",
    summary="The scorecard as CSV or XLSX, one row a month, for the account review with the customer",
    description=DESCRIPTION,
    responses=exports.EXPORT_RESPONSES,
)
async def export_scorecard(
    _: Worker,
    session: CallerSession,
    calendars: Calendars,
    customer_id: uuid.UUID,
    months: Months = 6,
    as_of_month: AsOfMonth = None,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    card = await service.scorecard(session, customer_id, months, as_of_month, calendars)
    return exports.response(
        scorecard_table(card), export_format, f"scorecard-{customer_id}-{card.as_of_month}"
    )
