"""HTTP routes for payments and applications."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ar_ledger.filters import ByCustomer
from ar_ledger.payments import service
from ar_ledger.payments.auth import Reader, Writer
from ar_ledger.payments.schemas import (
    ApplyRequest,
    PaymentCreate,
    PaymentOut,
    ReversalRequest,
    UnapplyRequest,
)
from ar_shared.db import DbSession
from ar_shared.pagination import Page, Paging
from ar_shared.routing import ServiceRoute

router = APIRouter(tags=["payments"], route_class=ServiceRoute)


@router.post(
    "/v1/payments",
    status_code=201,
    summary="Record a payment",
    description=(
        "Posts the cash (debit cash, credit unapplied cash) and applies it: to the given "
        "`allocations`, or, when they are omitted, automatically — an open invoice whose number "
        "equals the remittance reference first, then the oldest due date (ties: issue date, then "
        "number). Only invoices issued on or before the payment date are candidates. The rest "
        "stays unapplied cash on the customer. Send an `Idempotency-Key`."
    ),
)
async def receive_payment(principal: Writer, body: PaymentCreate, session: DbSession) -> PaymentOut:
    payment = await service.receive_payment(session, principal, body)
    return await service.snapshot(session, payment)


@router.get("/v1/payments/{payment_id}", summary="Get a payment with its applications")
async def get_payment(_: Reader, payment_id: uuid.UUID, session: DbSession) -> PaymentOut:
    return await service.get_payment(session, payment_id)


@router.get(
    "/v1/payments",
    summary="List payments",
    description="Name the customer by `customer_id` or by its ERP id, `customer_external_id`.",
)
async def list_payments(
    _: Reader, session: DbSession, page: Paging, customer: ByCustomer
) -> Page[PaymentOut]:
    return await service.list_payments(session, page, customer)


@router.post(
    "/v1/payments/{payment_id}/applications",
    summary="Apply a payment's unapplied cash",
    description="Explicit allocations, or auto-apply when `allocations` is omitted.",
)
async def apply_payment(
    principal: Writer, payment_id: uuid.UUID, body: ApplyRequest, session: DbSession
) -> PaymentOut:
    payment = await service.apply_unapplied(session, principal, payment_id, body)
    return await service.snapshot(session, payment)


@router.post(
    "/v1/applications/{application_id}/unapply",
    summary="Take back one payment application",
    description="The invoice re-opens and the amount is unapplied cash again, from `effective_date`.",
)
async def unapply(
    principal: Writer, application_id: uuid.UUID, body: UnapplyRequest, session: DbSession
) -> PaymentOut:
    payment = await service.unapply_application(session, principal, application_id, body.effective_date)
    return await service.snapshot(session, payment)


@router.post(
    "/v1/payments/{payment_id}/reverse",
    summary="Reverse a payment (bounced cheque, charge-back)",
    description=(
        "Re-opens everything the payment paid, effective on `reversed_on`. A second reversal is refused."
    ),
)
async def reverse_payment(
    principal: Writer, payment_id: uuid.UUID, body: ReversalRequest, session: DbSession
) -> PaymentOut:
    payment = await service.reverse_payment(session, principal, payment_id, body)
    return await service.snapshot(session, payment)
