"""HTTP route to run the past-due sweep on demand."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from ar_ledger.past_due import service
from ar_ledger.past_due.auth import Writer
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/past-due-sweeps", tags=["past-due"], route_class=ServiceRoute)


class SweepRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"as_of": "2026-11-24"}]})

    as_of: BusinessDate


class SweepOut(BaseModel):
    as_of: date
    accounts_overdue: int
    events_emitted: int


@router.post(
    "",
    summary="Run the past-due sweep for a business date",
    description=(
        "Emits `AccountPastDue` for each customer that got its first overdue invoice, or whose "
        "oldest days past due crossed a bucket edge, since the last sweep. Running it twice for "
        "the same date emits nothing new. The worker runs it daily by itself."
    ),
)
async def run_sweep(_: Writer, body: SweepRequest, session: DbSession, request: Request) -> SweepOut:
    result = await service.sweep(session, body.as_of, request.app.state.settings.aging_edges)
    return SweepOut(
        as_of=result.as_of, accounts_overdue=result.accounts_overdue, events_emitted=result.events_emitted
    )
