"""HTTP routes for champion / challenger experiments (managers only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ar_collections import exports
from ar_collections.access import CallerSession, Manager
from ar_collections.calendars.dependencies import Calendars
from ar_collections.experiments import service
from ar_collections.experiments.export import outcomes_table
from ar_collections.experiments.schemas import EndIn, Experiment, ExperimentIn, Outcomes
from ar_shared.inputs import BusinessDate
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/experiments", tags=["experiments"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Split a segment's accounts between dunning strategies (champion / challenger)",
    description=(
        "Each account of the segment is placed in an arm by a hash of the experiment and the "
        "account: stable across runs, unaffected by accounts arriving later, each arm receiving its"
        " share. From the next strategy run on, an account follows its arm's strategy and enters "
        "the experiment on that run's date. Refused: shares not adding up to 100 % or not above 0 "
        "(422 `shares_not_100`), an unknown strategy (`unknown_strategy`) or champion "
        "(`unknown_arm`), an arm named twice (`duplicate_arm`), and a segment already in a running "
        "experiment (409 `segment_in_experiment`)."
    ),
)
async def start_experiment(principal: Manager, body: ExperimentIn, session: CallerSession) -> Experiment:
    return await service.start(session, principal, body)


@router.get("", summary="Experiments, newest first")
async def list_experiments(_: Manager, session: CallerSession, page: Paging) -> Page[Experiment]:
    before = decode_cursor(page.cursor, datetime, uuid.UUID) if page.cursor else None
    rows = await service.page(session, limit=page.limit + 1, before=before)
    items, next_cursor = page_from_rows(rows, page.limit, lambda e: [e.created_at, e.id])
    return Page[Experiment](items=items, next_cursor=next_cursor)


@router.get("/{experiment_id}", summary="One experiment and its arms")
async def get_experiment(_: Manager, experiment_id: uuid.UUID, session: CallerSession) -> Experiment:
    return await service.read(session, experiment_id)


@router.post(
    "/{experiment_id}/end",
    summary="End the experiment and promote an arm: its strategy becomes the segment's",
    description=(
        "Ending twice is 409 `experiment_ended`; an unknown arm 422 `unknown_arm`. The accounts "
        "keep their entries, so the outcome report can still be read."
    ),
)
async def end_experiment(
    principal: Manager, experiment_id: uuid.UUID, body: EndIn, session: CallerSession
) -> Experiment:
    return await service.end(session, principal, experiment_id, body)


@router.get(
    "/{experiment_id}/outcomes",
    summary="Outcome per arm with confidence intervals, significance tests and a verdict",
    description=(
        "Counts the accounts whose window (`window_days` from entering) has ended by `as_of` "
        "(default: today's business date): cash received in the experiment's currency within the "
        "window (mean, median, 95 % t interval; Mann-Whitney U, which the verdict reads, and "
        "Welch's t against the champion), the cure rate (everything overdue on entering settled "
        "within the window) and the roll rate (the oldest overdue item at the window's end in a "
        "later aging bucket than on entering) and the promise kept rate (promises taken within the "
        "window whose deadline fell in it), each with a Wilson 95 % interval and a two-proportion "
        "z-test; the CEI of the arm over each account's window (ar_shared.kpis), with the mean of "
        "the accounts' own CEI, its t interval and Welch's t-test. Fewer than 30 measured accounts "
        "in an arm: 'not enough data'."
    ),
)
async def experiment_outcomes(
    request: Request,
    _: Manager,
    experiment_id: uuid.UUID,
    session: CallerSession,
    calendars: Calendars,
    as_of: BusinessDate | None = None,
) -> Outcomes:
    edges = request.app.state.settings.aging_edges
    return await service.outcomes(session, experiment_id, calendars, edges, as_of)


@router.get(
    "/{experiment_id}/outcomes/export",
    summary="The outcome report as CSV or XLSX (one row per arm)",
    responses=exports.EXPORT_RESPONSES,
)
async def export_outcomes(
    request: Request,
    _: Manager,
    experiment_id: uuid.UUID,
    session: CallerSession,
    calendars: Calendars,
    as_of: BusinessDate | None = None,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    edges = request.app.state.settings.aging_edges
    report = await service.outcomes(session, experiment_id, calendars, edges, as_of)
    return exports.response(outcomes_table(report), export_format, f"experiment-{experiment_id}")
