"""HTTP route to run the past-due sweep on demand."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from ar_ledger.past_due import service
from ar_ledger.permissions import Writer
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/past-due-sweeps", tags=["past-due"], route_class=ServiceRoute)


class SweepRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"as_of": "2026-11-24"}, {"as_of": "2026-11-24", "business_entity": "DE01"}]
        },
    )

    as_of: BusinessDate
    business_entity: Identifier | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Sweep only the customers of this business entity (omitted: every customer)",
    )


class SweepOut(BaseModel):
    as_of: date
    business_entity: str | None = Field(description="The entity swept; null: every customer")
    accounts_overdue: int
    events_emitted: int


@router.post(
    "",
    summary="Run the past-due sweep for a business date",
    description=(
        "Emits `AccountPastDue` for each customer that got its first overdue invoice, or whose "
        "oldest days past due crossed a bucket edge, since the last sweep. Running it twice for "
        "the same date emits nothing new. The close of business runs it for each business date "
        "of each entity by itself (`PUT /v1/business-dates/{business_entity}` and the worker's "
        "daily close); this route is for an operator who needs it again or for another date."
    ),
)
async def run_sweep(_: Writer, body: SweepRequest, session: DbSession, request: Request) -> SweepOut:
    result = await service.sweep(
        session, body.as_of, request.app.state.settings.aging_edges, body.business_entity
    )
    return SweepOut(
        as_of=result.as_of,
        business_entity=body.business_entity,
        accounts_overdue=result.accounts_overdue,
        events_emitted=result.events_emitted,
    )
