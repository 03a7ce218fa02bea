"""The customer and scope filters lists and reports share: by ledger id or ERP id, entity, sales rep.

Parsed here once, so every list and report names them alike; resolved to a customer by
`ar_ledger.customers.service.resolve_filter`. A filter naming a customer the ledger does not know
is 404 `customer_not_found`, never an empty answer that reads like a customer owing nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from ar_shared.inputs import Identifier
from ar_shared.problems import ProblemError


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """At most one of the two: the ledger's id or the ERP's id of one customer."""

    customer_id: uuid.UUID | None = None
    external_id: str | None = None

    @property
    def given(self) -> bool:
        return self.customer_id is not None or self.external_id is not None


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Who a report covers: everyone, narrowed by customer, business entity and sales rep."""

    customer: CustomerFilter = CustomerFilter()
    business_entity: str | None = None
    sales_rep: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedScope:
    """A `ReportScope` whose customer is known by its ledger id: what the queries take."""

    customer_id: uuid.UUID | None = None
    business_entity: str | None = None
    sales_rep: str | None = None

    @property
    def label(self) -> str:
        parts = [
            f"customer:{self.customer_id}" if self.customer_id else None,
            f"business_entity:{self.business_entity}" if self.business_entity else None,
            f"sales_rep:{self.sales_rep}" if self.sales_rep else None,
        ]
        return ",".join(p for p in parts if p) or "all"


async def customer_filter(
    customer_id: Annotated[uuid.UUID | None, Query(description="The customer, by the ledger's id")] = None,
    customer_external_id: Annotated[
        Identifier | None,
        Query(
            min_length=1,
            max_length=100,
            description="The customer, by its ERP id (instead of `customer_id`)",
            examples=["C-10042"],
        ),
    ] = None,
) -> CustomerFilter:
    # a coroutine: FastAPI runs plain functions given to Depends in a worker thread
    if customer_id is not None and customer_external_id is not None:
        raise ProblemError(
            "name the customer by customer_id or by customer_external_id, not both",
            code="conflicting_customer_filters",
        )
    return CustomerFilter(customer_id, customer_external_id)


ByCustomer = Annotated[CustomerFilter, Depends(customer_filter)]


async def report_scope(
    customer: ByCustomer,
    business_entity: Annotated[
        Identifier | None, Query(max_length=50, description="Only this business entity", examples=["DE01"])
    ] = None,
    sales_rep: Annotated[
        Identifier | None,
        Query(
            max_length=300,
            description="Only customers of this sales rep",
            examples=["maria.keller@example.com"],
        ),
    ] = None,
) -> ReportScope:
    return ReportScope(customer, business_entity, sales_rep)


Scope = Annotated[ReportScope, Depends(report_scope)]
