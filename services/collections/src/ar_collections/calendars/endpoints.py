"""HTTP route for the business date collections keeps of each entity (from the ledger's events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ar_collections.access import Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.calendars.schemas import KnownBusinessDate
from ar_shared.inputs import Identifier
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/business-dates", tags=["business dates"], route_class=ServiceRoute)

BusinessEntity = Annotated[
    Identifier,
    Path(
        min_length=1, max_length=50, description="The company code of the business entity", examples=["DE01"]
    ),
]


@router.get(
    "/{business_entity}",
    summary="The business date collections ages and duns an entity's accounts on",
    description="The date of the ledger's last `BusinessDateChanged` collections took in (the ledger "
    "owns the date: this says whether collections has caught up with it). An entity never announced "
    "follows the wall-clock date in the default business time zone.",
)
async def get_business_date(
    _: Worker, business_entity: BusinessEntity, calendars: Calendars
) -> KnownBusinessDate:
    calendar = calendars.calendar(business_entity)
    return KnownBusinessDate(
        business_entity=business_entity,
        business_date=calendars.today(business_entity),
        mode=calendar.mode,
        time_zone=calendar.time_zone,
        announced=business_entity in calendars.calendars,
    )
