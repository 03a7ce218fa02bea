"""HTTP routes for accounts: the list a collector may see, the account view, attributes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from ar_collections.access import CallerSession, Manager, Worker
from ar_collections.accounts import service, view
from ar_collections.accounts.repository import AccountRepository
from ar_collections.accounts.schemas import AccountAttributes, AccountSummary, AccountView
from ar_collections.calendars.dependencies import Calendars
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/accounts", tags=["accounts"], route_class=ServiceRoute)


@router.get(
    "",
    summary="The accounts the caller may see, by name",
    description="A collector sees the accounts of the portfolios they own, or cover while the owner is "
    "absent; a manager sees all.",
)
async def list_accounts(
    _: Worker, session: CallerSession, page: Paging, portfolio_id: uuid.UUID | None = None
) -> Page[AccountSummary]:
    after = decode_cursor(page.cursor, str, uuid.UUID) if page.cursor else None
    rows = await AccountRepository(session).page(limit=page.limit + 1, after=after, portfolio_id=portfolio_id)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.name, r.customer_id])
    return Page[AccountSummary](
        items=[AccountSummary.model_validate(r, from_attributes=True) for r in items], next_cursor=next_cursor
    )


@router.get(
    "/{customer_id}",
    summary="The account view: everything a collector's screen shows for one account",
    description="Balances and aging per currency, open items (oldest due first) with days past due, bucket "
    "and reason code, unapplied cash, last payment, credit holds, do-not-contact, the last contacts, open "
    "tasks and the SLA, as of the account's business date. Another portfolio's account answers 404.",
)
async def get_account(
    request: Request, _: Worker, customer_id: uuid.UUID, session: CallerSession, calendars: Calendars
) -> AccountView:
    settings = request.app.state.settings
    return await view.account_view(
        session, customer_id, calendars, settings.aging_edges, settings.view_open_items_limit
    )


@router.put(
    "/{customer_id}/attributes",
    summary="Set the account's country, region and attributes (e.g. segment)",
    description="The assignment rules read them: the account is placed again at once (unless moved by hand).",
)
async def set_attributes(
    principal: Manager,
    customer_id: uuid.UUID,
    body: AccountAttributes,
    session: CallerSession,
    calendars: Calendars,
) -> AccountSummary:
    account = await service.set_attributes(session, principal, customer_id, body, calendars.today)
    return AccountSummary.model_validate(account, from_attributes=True)
