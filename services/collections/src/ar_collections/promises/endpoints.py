"""HTTP routes for promises to pay: per account, and every promise the caller may see."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from ar_collections.access import CallerSession, Worker
from ar_collections.calendars.dependencies import Calendars
from ar_collections.portfolios.service import require_account
from ar_collections.promises import service
from ar_collections.promises.repository import PromiseRepository
from ar_collections.promises.schemas import Promise, PromiseCreate, PromiseStatus
from ar_shared.inputs import BusinessDate
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["promises to pay"], route_class=ServiceRoute)
PROMISES = "/v1/accounts/{customer_id}/promises"


@router.post(
    PROMISES,
    status_code=201,
    summary="Record a promise to pay",
    description="Covers the named open items, or the account's oldest open items in the amount's currency "
    "as far as the amount reaches. Their dunning pauses until the promise is judged and their reason code "
    "becomes `promised`; a promise taken on a call, e-mail, letter or visit is logged in the contact "
    "history; the customer gets the promise confirmation. Refused whole (422, nothing written): a promised "
    "date before the business date (`promise_in_the_past`), an amount above the covered open balance "
    "(`above_open_balance`) or in another currency (`currency_mismatch`), an item a live promise or plan "
    "covers already (`item_already_promised`). Send an `Idempotency-Key` so a retried submit records "
    "it once.",
)
async def record_promise(
    principal: Worker,
    customer_id: uuid.UUID,
    body: PromiseCreate,
    session: CallerSession,
    calendars: Calendars,
) -> Promise:
    return await service.record_promise(session, principal, customer_id, body, calendars)


@router.get(PROMISES, summary="The account's promises, by promised date")
async def list_account_promises(
    _: Worker,
    customer_id: uuid.UUID,
    session: CallerSession,
    page: Paging,
    status: PromiseStatus | None = None,
) -> Page[Promise]:
    await require_account(session, customer_id)
    return await _page(session, page.limit, page.cursor, customer_id=customer_id, status=status, due_by=None)


@router.get(f"{PROMISES}/{{promise_id}}", summary="One promise, with how it was judged")
async def get_promise(
    _: Worker, customer_id: uuid.UUID, promise_id: uuid.UUID, session: CallerSession
) -> Promise:
    return await service.get_promise(session, customer_id, promise_id)


@router.get(
    "/v1/promises",
    summary="The promises of every account the caller works, by promised date",
    description="A collector sees those of their portfolios; `status=open&due_by=<date>` lists what to "
    "follow up by a date.",
)
async def list_promises(
    _: Worker,
    session: CallerSession,
    page: Paging,
    status: PromiseStatus | None = None,
    due_by: Annotated[BusinessDate | None, Query(description="Promised on or before this date")] = None,
) -> Page[Promise]:
    return await _page(session, page.limit, page.cursor, customer_id=None, status=status, due_by=due_by)


async def _page(
    session: CallerSession,
    limit: int,
    cursor: str | None,
    *,
    customer_id: uuid.UUID | None,
    status: str | None,
    due_by: date | None,
) -> Page[Promise]:
    after = decode_cursor(cursor, date, uuid.UUID) if cursor else None
    rows = await PromiseRepository(session).page(
        customer_id=customer_id, status=status, due_by=due_by, after=after, limit=limit + 1
    )
    items, next_cursor = page_from_rows(rows, limit, lambda r: [r.promised_date, r.id])
    return Page[Promise](items=await service.promises_out(session, items), next_cursor=next_cursor)
