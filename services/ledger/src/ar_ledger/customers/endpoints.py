"""HTTP routes for customers (thin: parse, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from ar_ledger.customers import service
from ar_ledger.customers.auth import Reader, Writer
from ar_ledger.customers.schemas import Customer, CustomerUpsert
from ar_shared.db import DbSession
from ar_shared.etag import etag_for, parse_if_match
from ar_shared.inputs import Identifier
from ar_shared.pagination import Page, Paging
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/customers", tags=["customers"], route_class=ServiceRoute)

ExternalId = Annotated[
    Identifier,
    Path(min_length=1, max_length=100, description="The customer's id in the ERP", examples=["C-10042"]),
]


@router.put(
    "/external/{external_id}",
    summary="Create or update a customer by its ERP id",
    description=(
        "Idempotent by nature: sending the same body twice changes nothing the second time. "
        "Answers 201 when the customer is new, 200 otherwise. `If-Match` (the `ETag` of a "
        "previous read) refuses the update with 412 when someone else changed it meanwhile."
    ),
    response_model=Customer,
    responses={201: {"model": Customer, "description": "Created"}},
)
async def upsert_customer(
    body: CustomerUpsert,
    session: DbSession,
    principal: Writer,
    response: Response,
    external_id: ExternalId,
    if_match: Annotated[str | None, Header(description="The `ETag` of the version you read")] = None,
) -> Customer:
    result = await service.upsert_customer(session, principal, external_id, body, parse_if_match(if_match))
    response.status_code = 201 if result.created else 200
    response.headers["ETag"] = etag_for(result.customer.version)
    return Customer.of(result.customer)


@router.get(
    "/external/{external_id}",
    summary="Get a customer by its ERP id",
    description="The same answer as `GET /v1/customers/{customer_id}`, found by the id the ERP uses.",
    response_model=Customer,
)
async def get_customer_by_external_id(
    external_id: ExternalId, session: DbSession, _: Reader, response: Response
) -> Customer:
    customer = await service.get_customer_by_external_id(session, external_id)
    response.headers["ETag"] = etag_for(customer.version)
    return Customer.of(customer)


@router.get("/{customer_id}", summary="Get a customer", response_model=Customer)
async def get_customer(customer_id: uuid.UUID, session: DbSession, _: Reader, response: Response) -> Customer:
    customer = await service.get_customer(session, customer_id)
    response.headers["ETag"] = etag_for(customer.version)
    return Customer.of(customer)


@router.get("", summary="List customers", response_model=Page[Customer])
async def list_customers(
    session: DbSession,
    _: Reader,
    page: Paging,
    business_entity: Annotated[Identifier | None, Query(examples=["DE01"])] = None,
    currency: Annotated[Identifier | None, Query(min_length=3, max_length=3, examples=["EUR"])] = None,
    sales_rep: Identifier | None = None,
) -> Page[Customer]:
    return await service.list_customers(
        session, page, business_entity=business_entity, currency=currency, sales_rep=sales_rep
    )
