"""HTTP routes for invoices."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from ar_ledger.invoices import bulk, service
from ar_ledger.invoices.repository import InvoiceRepository
from ar_ledger.invoices.schemas import (
    Invoice,
    InvoiceBulkCreate,
    InvoiceBulkResult,
    InvoiceCreate,
    InvoiceStatus,
    InvoiceVoid,
)
from ar_ledger.permissions import Reader, Writer
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.request_guard import BULK_BODY
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/invoices", tags=["invoices"], route_class=ServiceRoute)


@router.post(
    "",
    status_code=201,
    summary="Issue an invoice",
    description=(
        "Posts an invoice (debit AR, credit sales). The invoice number must be new within the "
        "customer's business entity; the amount must be in the customer's currency. Issuing never "
        "consumes unapplied cash. Send an `Idempotency-Key`: a retry answers with the first result."
    ),
)
async def issue_invoice(principal: Writer, body: InvoiceCreate, session: DbSession) -> Invoice:
    return await service.issue_invoice(session, principal, body)


@router.post(
    "/bulk",
    status_code=201,
    summary="Issue up to 10,000 invoices at once, all or nothing",
    description=(
        "Either every invoice is issued or none is: each invalid item is reported in `errors` "
        "with its index (`items.<index>.<field>`) and reason. Written with PostgreSQL COPY. "
        "Takes a larger body than other routes (`LEDGER_MAX_BULK_BODY_BYTES`, 16 MiB by default)."
    ),
    openapi_extra=BULK_BODY,
)
async def issue_invoices(principal: Writer, body: InvoiceBulkCreate, session: DbSession) -> InvoiceBulkResult:
    ids = await bulk.issue_invoices(session, principal, body.items)
    return InvoiceBulkResult(created=len(ids), invoice_ids=ids)


# `:uuid`: only an id is an invoice id, so `GET /v1/invoices/bulk` is the bulk route's 405
# (Allow: POST), not an invoice lookup that fails validation
@router.get("/{invoice_id:uuid}", summary="Get an invoice with its open balance")
async def get_invoice(_: Reader, invoice_id: uuid.UUID, session: DbSession) -> Invoice:
    return Invoice.of(await service.get_invoice(session, invoice_id))


@router.post("/{invoice_id}/void", summary="Void an invoice that has nothing applied")
async def void_invoice(
    principal: Writer, invoice_id: uuid.UUID, body: InvoiceVoid, session: DbSession
) -> Invoice:
    return Invoice.of(await service.void_invoice(session, principal, invoice_id, body))


@router.get("", summary="List invoices, oldest due date first")
async def list_invoices(
    _: Reader,
    session: DbSession,
    page: Paging,
    customer_id: uuid.UUID | None = None,
    status: InvoiceStatus | None = None,
    due_from: BusinessDate | None = None,
    due_to: BusinessDate | None = None,
    overdue_on: Annotated[
        BusinessDate | None, Query(description="Only invoices open and past due on this date")
    ] = None,
) -> Page[Invoice]:
    after = decode_cursor(page.cursor, date, uuid.UUID) if page.cursor else None
    rows = await InvoiceRepository(session).list(
        limit=page.limit + 1,
        after=after,
        customer_id=customer_id,
        status=status,
        due_from=due_from,
        due_to=due_to,
        overdue_on=overdue_on,
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.due_date, r.id])
    return Page[Invoice](items=[Invoice.of(r) for r in items], next_cursor=next_cursor)
