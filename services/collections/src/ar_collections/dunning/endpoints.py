"""HTTP routes for dunning: strategies, segments, pauses, the account's dunning, strategy runs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.dunning import pauses, run_log, strategies
from ar_collections.dunning.repository import RunFilter
from ar_collections.dunning.run import StrategyRuns, get_run
from ar_collections.dunning.schemas import (
    AccountDunning,
    Name,
    Pause,
    PauseIn,
    Run,
    RunIn,
    RunStatus,
    RunSummary,
    RunTrigger,
    Segment,
    SegmentIn,
    Strategy,
    StrategyEdit,
    StrategyIn,
)
from ar_shared.inputs import BusinessDate, Identifier
from ar_shared.pagination import Page, Paging
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["dunning"], route_class=ServiceRoute)
Version = Annotated[int, Path(ge=1, le=1_000_000)]


@router.post(
    "/v1/dunning-strategies",
    status_code=201,
    summary="Add a strategy, or the next version of one",
    description="Steps are keyed on the days past due of the account's oldest unpaused open item "
    "(negative: before it is due) and optionally a band of the overdue amount. Refused whole (422, "
    "nothing written): two steps at the same days with intersecting bands (`overlapping_steps`), a "
    "message step without a template key or with one the installation does not know "
    "(`unknown_template`; `COLLECTIONS_KNOWN_TEMPLATE_KEYS`). The new version applies from the next run.",
)
async def create_strategy(principal: Manager, body: StrategyIn, session: CallerSession) -> Strategy:
    return await strategies.create_version(session, principal, body)


@router.get("/v1/dunning-strategies", summary="Every version of every strategy, by name and version")
async def list_strategies(_: Worker, session: CallerSession) -> list[Strategy]:
    return await strategies.list_versions(session)


@router.get("/v1/dunning-strategies/{strategy}/versions/{version}", summary="One version of a strategy")
async def get_strategy(_: Worker, strategy: Name, version: Version, session: CallerSession) -> Strategy:
    return strategies.strategy_out(await strategies.require_version(session, strategy, version))


@router.put(
    "/v1/dunning-strategies/{strategy}/versions/{version}",
    summary="Change the steps of a version no run has used",
    description="A version a run used is immutable (409 `version_in_use`): add a new version instead.",
)
async def edit_strategy(
    principal: Manager, strategy: Name, version: Version, body: StrategyEdit, session: CallerSession
) -> Strategy:
    return await strategies.edit_version(session, principal, strategy, version, body)


@router.post(
    "/v1/strategy-segments",
    status_code=201,
    summary="Assign a strategy to a segment of accounts",
    description="Segments are tried by ascending priority; the first one the account meets decides "
    "its strategy. A segment that can never match (an empty balance band, half an attribute, one "
    "behind a catch-all) is refused (422 `empty_band`, `attribute_pair`, `segment_never_matches`).",
)
async def create_segment(principal: Manager, body: SegmentIn, session: CallerSession) -> Segment:
    return await strategies.create_segment(session, principal, body)


@router.get("/v1/strategy-segments", summary="Segments, in the order they are tried")
async def list_segments(_: Worker, session: CallerSession) -> list[Segment]:
    return await strategies.list_segments(session)


@router.delete("/v1/strategy-segments/{segment_id}", status_code=204, summary="Remove a segment")
async def delete_segment(principal: Manager, segment_id: uuid.UUID, session: CallerSession) -> Response:
    await strategies.delete_segment(session, principal, segment_id)
    return Response(status_code=204)


@router.post(
    "/v1/accounts/{customer_id}/dunning-pauses",
    status_code=201,
    summary="Pause dunning of open items (a promise, a dispute, a payment plan …) until a date",
    description="No step fires for a paused item and letters leave it out of their table and totals.",
)
async def pause(
    principal: Worker, customer_id: uuid.UUID, body: PauseIn, session: CallerSession, calendars: Calendars
) -> list[Pause]:
    return await pauses.pause_items(session, principal, customer_id, body, calendars)


@router.get("/v1/accounts/{customer_id}/dunning-pauses", summary="The account's pauses, latest first")
async def list_pauses(_: Worker, customer_id: uuid.UUID, session: CallerSession) -> list[Pause]:
    return await pauses.pauses(session, customer_id)


@router.delete("/v1/accounts/{customer_id}/dunning-pauses/{pause_id}", summary="Lift a pause")
async def lift_pause(
    principal: Worker, customer_id: uuid.UUID, pause_id: uuid.UUID, session: CallerSession
) -> Pause:
    return await pauses.lift_pause(session, principal, customer_id, pause_id)


@router.get(
    "/v1/accounts/{customer_id}/dunning",
    summary="The account's strategy, dunning cycle, level, live pauses and the steps fired",
)
async def account_dunning(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, calendars: Calendars
) -> AccountDunning:
    return await pauses.account_dunning(session, customer_id, calendars)


@router.post(
    "/v1/strategy-runs",
    status_code=201,
    summary="Run the strategies of an entity for a business date (or only say what would happen)",
    description="Fires each account's due step, at most once per account, step and dunning cycle: a "
    "rerun fires nothing twice. A date before the entity's last run is refused (409 "
    "`run_before_last_run`). The run commits account chunk by chunk; the answer is its record. "
    "`dry_run`: nothing is written, `planned` lists the steps that would fire.",
)
async def run_strategies(principal: Manager, body: RunIn, request: Request) -> Run:
    state = request.app.state
    runs = StrategyRuns(state.sessionmaker, state.clock, state.settings)
    if body.dry_run:
        return await runs.dry_run(body.business_entity, body.as_of, requested_by=principal.subject)
    return await runs.run(body.business_entity, body.as_of, requested_by=principal.subject)


async def run_filter(
    business_entity: Annotated[
        Identifier | None, Query(min_length=1, max_length=200, examples=["DE01"])
    ] = None,
    as_of_from: Annotated[
        BusinessDate | None, Query(description="Runs for this business date or later")
    ] = None,
    as_of_to: Annotated[
        BusinessDate | None, Query(description="Runs for this business date or earlier")
    ] = None,
    status: RunStatus | None = None,
    trigger: Annotated[
        RunTrigger | None,
        Query(
            description="`api`: on demand; `business_date_changed`: a new business date's close of business"
        ),
    ] = None,
) -> RunFilter:
    return RunFilter(business_entity, as_of_from, as_of_to, status, trigger)


@router.get(
    "/v1/strategy-runs",
    summary="The strategy runs, latest business date first, with their counts",
    description="Each run's counts (accounts seen, steps fired per action, accounts skipped per reason), "
    "not the accounts themselves (`GET /v1/strategy-runs/{run_id}` and the account's dunning have those). "
    "Filters: business entity, the business date run for (`as_of_from`, `as_of_to`, inclusive; "
    "`as_of_to` before `as_of_from` is 422 `invalid_date_range`), status, trigger. A cursor this API did "
    "not issue is 400 `invalid_cursor`.",
)
async def list_strategy_runs(
    _: Manager, session: CallerSession, page: Paging, where: Annotated[RunFilter, Depends(run_filter)]
) -> Page[RunSummary]:
    return await run_log.list_runs(session, where, page)


@router.get(
    "/v1/strategy-runs/{run_id}", summary="A strategy run: accounts seen, steps fired, skipped and why"
)
async def get_strategy_run(_: Manager, run_id: uuid.UUID, session: CallerSession) -> Run:
    return await get_run(session, run_id)
