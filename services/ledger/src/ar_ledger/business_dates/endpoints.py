"""HTTP routes for business dates (reading needs `ledger:read`, setting needs `admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from ar_ledger.business_dates import service
from ar_ledger.business_dates.schemas import BusinessDate, BusinessDateSet
from ar_ledger.permissions import Reader
from ar_shared.auth import Principal, require_scopes
from ar_shared.clock import AppClock
from ar_shared.db import DbSession
from ar_shared.etag import etag_for, parse_if_match
from ar_shared.inputs import Identifier
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/business-dates", tags=["business dates"], route_class=ServiceRoute)

Admin = Annotated[Principal, Depends(require_scopes("admin"))]
BusinessEntity = Annotated[
    Identifier,
    Path(
        min_length=1, max_length=50, description="The company code of the business entity", examples=["DE01"]
    ),
]


def rules(request: Request) -> service.ClosingRules:
    settings = request.app.state.settings
    return service.ClosingRules(
        settings.business_time_zone, settings.aging_edges, settings.max_business_days_per_change
    )


@router.get(
    "",
    summary="Every business entity's business date",
    description=(
        "Entities that have customers or whose date was ever set or closed, by name: today's "
        "business date of each, its mode and time zone, and the last day its close of business ran."
    ),
)
async def list_business_dates(
    _: Reader, session: DbSession, page: Paging, clock: AppClock, request: Request
) -> Page[BusinessDate]:
    after = decode_cursor(page.cursor, str)[0] if page.cursor else None
    rows = await service.list_business_dates(
        session, clock, request.app.state.settings.business_time_zone, after=after, limit=page.limit + 1
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.business_entity])
    return Page[BusinessDate](items=items, next_cursor=next_cursor)


@router.get("/{business_entity}", summary="A business entity's business date")
async def get_business_date(
    _: Reader,
    business_entity: BusinessEntity,
    session: DbSession,
    clock: AppClock,
    request: Request,
    response: Response,
) -> BusinessDate:
    result = await service.get_business_date(
        session, business_entity, clock, request.app.state.settings.business_time_zone
    )
    response.headers["ETag"] = etag_for(result.version)
    return result


@router.put(
    "/{business_entity}",
    summary="Set a business entity's business date (admin)",
    description=(
        "With `business_date`, the entity's date is set by hand and stays until set again "
        "(simulations, demos, catching up); without it, the date follows the calendar again (today "
        "in `time_zone`). The date only moves forward: a date, time zone or return to the calendar "
        "that would move it back is refused with 409 `business_date_backward`; at most "
        "`LEDGER_MAX_BUSINESS_DAYS_PER_CHANGE` days at once (422 `business_date_too_far`).\n\n"
        "Every day crossed is closed in this request's transaction, in order: the past-due sweep of "
        "the entity's customers for that day (`AccountPastDue`), then `BusinessDateChanged` for it. "
        "Sending the same body again changes nothing. `If-Match` (the `ETag` of a previous read) "
        "refuses the change with 412 when someone else changed the entity's date meanwhile."
    ),
)
async def set_business_date(
    principal: Admin,
    business_entity: BusinessEntity,
    body: BusinessDateSet,
    session: DbSession,
    clock: AppClock,
    request: Request,
    response: Response,
    if_match: Annotated[str | None, Header(description="The `ETag` of the version you read")] = None,
) -> BusinessDate:
    result = await service.set_business_date(
        session, principal, business_entity, body, clock, rules(request), parse_if_match(if_match)
    )
    response.headers["ETag"] = etag_for(result.version)
    return result
