"""HTTP routes for invoices."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from ar_ledger.filters import ByCustomer
from ar_ledger.invoices import bulk, issue, service
from ar_ledger.invoices.auth import Reader, Writer
from ar_ledger.invoices.repository import InvoiceFilters
from ar_ledger.invoices.schemas import (
    Invoice,
    InvoiceBulkCreate,
    InvoiceBulkResult,
    InvoiceCreate,
    InvoiceStatus,
    InvoiceVoid,
)
from ar_shared.db import DbSession
from ar_shared.inputs import BusinessDate
from ar_shared.pagination import Page, Paging
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
    return await issue.issue_invoice(session, principal, body)


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
@router.get(
    "/{invoice_id:uuid}",
    summary="Get an invoice with its open balance, today or as of any date",
    description=(
        "Without `as_of`: the invoice as it stands. With `as_of`: its open balance, status and days "
        "past due on that date, from the applications effective by then and not taken back by then "
        "(a paid invoice has an as-of figure too, which the open-items report leaves out). A date "
        "before the issue date is 422 `not_yet_issued`."
    ),
)
async def get_invoice(
    _: Reader,
    invoice_id: uuid.UUID,
    session: DbSession,
    as_of: Annotated[
        BusinessDate | None, Query(description="The date the balance is asked for", examples=["2026-12-31"])
    ] = None,
) -> Invoice:
    return await service.invoice_as_of(session, invoice_id, as_of)


@router.post("/{invoice_id}/void", summary="Void an invoice that has nothing applied")
async def void_invoice(
    principal: Writer, invoice_id: uuid.UUID, body: InvoiceVoid, session: DbSession
) -> Invoice:
    return Invoice.of(await service.void_invoice(session, principal, invoice_id, body))


@router.get(
    "",
    summary="List invoices, oldest due date first",
    description=(
        "Filters combine; name the customer by `customer_id` or by its ERP id, `customer_external_id`."
    ),
)
async def list_invoices(
    _: Reader,
    session: DbSession,
    page: Paging,
    customer: ByCustomer,
    status: InvoiceStatus | None = None,
    due_from: BusinessDate | None = None,
    due_to: BusinessDate | None = None,
    overdue_on: Annotated[
        BusinessDate | None, Query(description="Only invoices open and past due on this date")
    ] = None,
) -> Page[Invoice]:
    filters = InvoiceFilters(status=status, due_from=due_from, due_to=due_to, overdue_on=overdue_on)
    return await service.list_invoices(session, page, customer, filters)
