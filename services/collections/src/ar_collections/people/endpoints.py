"""HTTP routes for collectors and teams."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.people import service
from ar_collections.people.repository import CollectorRepository, TeamRepository
from ar_collections.people.schemas import AbsenceUpdate, Collector, CollectorUpsert, Subject, Team, TeamCreate
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.problems import NotFound
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["people"], route_class=ServiceRoute)

SubjectPath = Annotated[Subject, Path(description="The collector's token subject")]


@router.put(
    "/v1/collectors/{subject}",
    summary="Create or update a collector or manager (keyed by token subject)",
    responses={201: {"model": Collector, "description": "Created"}},
)
async def upsert_collector(
    principal: Manager,
    subject: SubjectPath,
    body: CollectorUpsert,
    session: CallerSession,
    response: Response,
) -> Collector:
    collector, created = await service.upsert_collector(session, principal, subject, body)
    response.status_code = 201 if created else 200
    return Collector.model_validate(collector)


@router.get("/v1/collectors", summary="Collectors and managers, by subject")
async def list_collectors(
    _: Worker, session: CallerSession, page: Paging, team_id: uuid.UUID | None = None
) -> Page[Collector]:
    after = decode_cursor(page.cursor, str)[0] if page.cursor else None
    rows = await CollectorRepository(session).page(limit=page.limit + 1, after=after, team_id=team_id)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.subject])
    return Page[Collector](items=[Collector.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/v1/collectors/{subject}", summary="One collector or manager")
async def get_collector(_: Worker, subject: SubjectPath, session: CallerSession) -> Collector:
    return Collector.model_validate(await service.require_collector(session, subject))


@router.put(
    "/v1/collectors/{subject}/absence",
    summary="Mark a collector absent (or back)",
    description="While a collector is absent, the backup collector of each of their portfolios sees and "
    "works its accounts (worklist included); the owner keeps seeing them too.",
)
async def set_absence(
    principal: Manager, subject: SubjectPath, body: AbsenceUpdate, session: CallerSession
) -> Collector:
    return Collector.model_validate(await service.set_absence(session, principal, subject, body))


@router.post("/v1/teams", status_code=201, summary="Create a team, optionally with its manager")
async def create_team(principal: Manager, body: TeamCreate, session: CallerSession) -> Team:
    return Team.model_validate(await service.create_team(session, principal, body))


@router.get("/v1/teams", summary="Teams, by name")
async def list_teams(_: Worker, session: CallerSession, page: Paging) -> Page[Team]:
    after = decode_cursor(page.cursor, str, uuid.UUID) if page.cursor else None
    rows = await TeamRepository(session).page(limit=page.limit + 1, after=after)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.name, r.id])
    return Page[Team](items=[Team.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/v1/teams/{team_id}", summary="One team")
async def get_team(_: Worker, team_id: uuid.UUID, session: CallerSession) -> Team:
    team = await TeamRepository(session).get(team_id)
    if team is None:
        raise NotFound(f"no team {team_id}", code="team_not_found")
    return Team.model_validate(team)
