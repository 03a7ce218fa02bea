"""HTTP routes for portfolios, assignment rules and account assignments."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.portfolios import assignment, service
from ar_collections.portfolios.repository import PortfolioRepository, RuleRepository
from ar_collections.portfolios.schemas import (
    Assignment,
    AssignmentChange,
    AssignmentRule,
    AssignmentRuleCreate,
    AssignmentRun,
    AssignmentRunRequest,
    Move,
    Portfolio,
    PortfolioCreate,
    PortfolioUpdate,
    Reassignment,
)
from ar_collections.portfolios.schemas import Subject as SubjectQuery
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["portfolios"], route_class=ServiceRoute)


@router.post("/v1/portfolios", status_code=201, summary="Create a portfolio for a collector")
async def create_portfolio(principal: Manager, body: PortfolioCreate, session: CallerSession) -> Portfolio:
    return Portfolio.model_validate(await service.create_portfolio(session, principal, body))


@router.get("/v1/portfolios", summary="Portfolios, by name")
async def list_portfolios(
    _: Worker, session: CallerSession, page: Paging, collector: SubjectQuery | None = None
) -> Page[Portfolio]:
    after = decode_cursor(page.cursor, str, uuid.UUID) if page.cursor else None
    rows = await PortfolioRepository(session).page(limit=page.limit + 1, after=after, collector=collector)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.name, r.id])
    return Page[Portfolio](items=[Portfolio.model_validate(r) for r in items], next_cursor=next_cursor)


@router.get("/v1/portfolios/{portfolio_id}", summary="One portfolio")
async def get_portfolio(_: Worker, portfolio_id: uuid.UUID, session: CallerSession) -> Portfolio:
    return Portfolio.model_validate(await service.require_portfolio(session, portfolio_id))


@router.patch(
    "/v1/portfolios/{portfolio_id}",
    summary="Rename a portfolio, or change its collector or backup",
    description="Owner and backup changes are kept in the portfolio's history (with the reason given).",
)
async def update_portfolio(
    principal: Manager, portfolio_id: uuid.UUID, body: PortfolioUpdate, session: CallerSession
) -> Portfolio:
    return Portfolio.model_validate(await service.update_portfolio(session, principal, portfolio_id, body))


@router.post(
    "/v1/assignment-rules",
    status_code=201,
    summary="Add an assignment rule",
    description="Rules are tried by ascending priority and the first match decides. Two rules of the "
    "same priority that could match one account are refused (422 `overlapping_rule`). A new rule "
    "places accounts as they arrive or change; `POST /v1/assignment-runs` applies it to the rest.",
)
async def create_rule(
    principal: Manager, body: AssignmentRuleCreate, session: CallerSession
) -> AssignmentRule:
    return service.rule_out(await service.create_rule(session, principal, body))


@router.get("/v1/assignment-rules", summary="Assignment rules, in the order they are tried")
async def list_rules(_: Worker, session: CallerSession) -> list[AssignmentRule]:
    return [service.rule_out(r) for r in await RuleRepository(session).all()]


@router.delete("/v1/assignment-rules/{rule_id}", status_code=204, summary="Remove an assignment rule")
async def delete_rule(principal: Manager, rule_id: uuid.UUID, session: CallerSession) -> Response:
    await service.delete_rule(session, principal, rule_id)
    return Response(status_code=204)


@router.post(
    "/v1/assignment-runs",
    summary="Run the assignment rules over every account they place",
    description="Accounts assigned by hand are left alone. With `dry_run`, only says what would move "
    "(and, per move, why each earlier rule did not match).",
)
async def run_rules(
    principal: Manager, body: AssignmentRunRequest, session: CallerSession, calendars: Calendars
) -> AssignmentRun:
    seen, moves = await assignment.reassess(
        session, None, actor=principal, today=calendars.today, dry_run=body.dry_run
    )
    return AssignmentRun(
        dry_run=body.dry_run,
        accounts_seen=seen,
        moves=[
            Move(
                customer_id=m.customer_id,
                from_portfolio_id=m.from_portfolio_id,
                to_portfolio_id=m.decision.portfolio_id,
                rule_id=m.decision.rule.id if m.decision.rule else None,
                passed_over=[f"{rule.id}: {'; '.join(why)}" for rule, why in m.decision.passed_over],
            )
            for m in moves
        ],
    )


@router.get("/v1/accounts/{customer_id}/assignment", summary="The account's portfolio and collector")
async def get_assignment(_: Worker, customer_id: uuid.UUID, session: CallerSession) -> Assignment:
    return await service.describe(session, await service.require_account(session, customer_id))


@router.post(
    "/v1/accounts/{customer_id}/assignment",
    summary="Move an account to another portfolio by hand, with a reason",
    description="The rules leave the account alone from then on, until it is handed back "
    "(`DELETE` on this path). Audited, announced as `AccountAssigned`.",
)
async def reassign(
    principal: Manager,
    customer_id: uuid.UUID,
    body: Reassignment,
    session: CallerSession,
    calendars: Calendars,
) -> Assignment:
    return await service.reassign(session, principal, customer_id, body, calendars.today)


@router.delete(
    "/v1/accounts/{customer_id}/assignment",
    summary="Hand a manually assigned account back to the assignment rules",
)
async def release(
    principal: Manager, customer_id: uuid.UUID, session: CallerSession, calendars: Calendars
) -> Assignment:
    return await service.release(session, principal, customer_id, calendars.today)


@router.get(
    "/v1/accounts/{customer_id}/assignment-history", summary="Every move of the account, newest first"
)
async def assignment_history(
    _: Worker, customer_id: uuid.UUID, session: CallerSession, page: Paging
) -> Page[AssignmentChange]:
    await service.require_account(session, customer_id)
    before = decode_cursor(page.cursor, int)[0] if page.cursor else None
    rows = await assignment.history(session, customer_id, limit=page.limit + 1, before=before)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[AssignmentChange](
        items=[AssignmentChange.model_validate(r, from_attributes=True) for r in items],
        next_cursor=next_cursor,
    )
