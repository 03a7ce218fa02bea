"""HTTP routes for the worklist, its export, its weights and SLA rules."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from ar_collections import exports
from ar_collections.access import CallerSession, Manager, Worker, sees_all
from ar_collections.calendars.dependencies import Calendars
from ar_collections.models import SlaRule
from ar_collections.people.schemas import Subject
from ar_collections.people.service import require_collector
from ar_collections.worklist import service, settings
from ar_collections.worklist.export import worklist_table
from ar_collections.worklist.schemas import SlaRuleCreate, SlaRuleOut, Weight, WeightsUpdate, WorklistItem
from ar_shared.auth import Principal
from ar_shared.inputs import BusinessDate
from ar_shared.pagination import Page, Paging, decode_cursor
from ar_shared.problems import Forbidden
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["worklist"], route_class=ServiceRoute)

CollectorQuery = Annotated[
    Subject | None, Query(description="Whose worklist (managers only); default: the caller's own")
]
AsOfQuery = Annotated[
    BusinessDate | None,
    Query(description="Judge every account on this date; default: each account's entity business date"),
]


async def _whose(principal: Principal, session: CallerSession, collector: str | None) -> str:
    whose = collector or principal.subject
    if whose != principal.subject:
        if not sees_all(principal):
            raise Forbidden("only managers see another collector's worklist", code="not_your_worklist")
        await require_collector(session, whose)
    return whose


@router.get(
    "/v1/worklist",
    summary="The accounts and tasks to work today, in priority order",
    description="Per collector and business date: every account of the portfolios the collector works "
    "(owned, or covered while the owner is absent) with overdue items or tasks due. Breached SLAs come "
    "first, then the highest score; each item shows its score parts (weight x value) and its SLA.",
)
async def get_worklist(
    request: Request,
    principal: Worker,
    session: CallerSession,
    calendars: Calendars,
    page: Paging,
    collector: CollectorQuery = None,
    as_of: AsOfQuery = None,
) -> Page[WorklistItem]:
    after = decode_cursor(page.cursor, int, int, uuid.UUID) if page.cursor else None
    items, next_cursor = await service.worklist_page(
        session,
        collector=await _whose(principal, session, collector),
        calendars=calendars,
        edges=request.app.state.settings.aging_edges,
        limit=page.limit,
        after=after,
        fixed_as_of=as_of,
    )
    return Page[WorklistItem](items=items, next_cursor=next_cursor)


@router.get(
    "/v1/worklist/export",
    summary="The whole worklist as CSV or XLSX",
    response_class=Response,
    responses=exports.EXPORT_RESPONSES,
)
async def export_worklist(
    request: Request,
    principal: Worker,
    session: CallerSession,
    calendars: Calendars,
    collector: CollectorQuery = None,
    as_of: AsOfQuery = None,
    export_format: Annotated[exports.ExportFormat, Query(alias="format")] = "csv",
) -> Response:
    ranked = await service.worklist(
        session,
        collector=await _whose(principal, session, collector),
        calendars=calendars,
        edges=request.app.state.settings.aging_edges,
        fixed_as_of=as_of,
    )
    table = worklist_table(await service.items(session, ranked))
    return exports.response(table, export_format, "worklist")


@router.get("/v1/worklist/weights", summary="The weights of the priority score's parts")
async def get_weights(_: Worker, session: CallerSession) -> list[Weight]:
    return await settings.weights(session)


@router.put(
    "/v1/worklist/weights",
    summary="Change weights of the priority score",
    description="Points of a part = weight x value; the score is the sum of the points.",
)
async def set_weights(principal: Manager, body: WeightsUpdate, session: CallerSession) -> list[Weight]:
    return await settings.set_weights(session, principal, body)


@router.get("/v1/sla-rules", summary="The SLA rules in force")
async def list_sla_rules(_: Worker, session: CallerSession) -> list[SlaRuleOut]:
    rows = (await session.scalars(select(SlaRule).where(SlaRule.active).order_by(SlaRule.code))).all()
    return [SlaRuleOut.model_validate(r) for r in rows]


@router.post(
    "/v1/sla-rules",
    status_code=201,
    summary="Add an SLA rule",
    description="E.g. call within 7 days of an account's oldest item going past due. Work that breaches "
    "it goes first on the worklist; the activity it asks for (an outbound call) clears it.",
)
async def create_sla_rule(principal: Manager, body: SlaRuleCreate, session: CallerSession) -> SlaRuleOut:
    return SlaRuleOut.model_validate(await settings.create_sla_rule(session, principal, body))


@router.delete("/v1/sla-rules/{rule_id}", summary="Retire an SLA rule")
async def retire_sla_rule(principal: Manager, rule_id: uuid.UUID, session: CallerSession) -> SlaRuleOut:
    return SlaRuleOut.model_validate(await settings.deactivate_sla_rule(session, principal, rule_id))
