"""Customer rules: upsert by ERP id, with an audit record and a CustomerUpserted event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.repository import CustomerRepository
from ar_ledger.customers.schemas import Customer as CustomerOut
from ar_ledger.customers.schemas import CustomerUpsert
from ar_ledger.filters import CustomerFilter, ReportScope, ResolvedScope
from ar_ledger.models import Customer, plumbing
from ar_shared.audit import Actor, AuditLog
from ar_shared.events.ledger import CustomerUpserted
from ar_shared.outbox import OutboxWriter
from ar_shared.pagination import Page, PageParams, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, NotFound, PreconditionFailed

audit = AuditLog(plumbing)
outbox = OutboxWriter(plumbing)


@dataclass(frozen=True)
class UpsertResult:
    customer: Customer
    created: bool


def _snapshot(customer: Customer) -> dict[str, object]:
    return CustomerOut.of(customer).model_dump(mode="json", exclude={"created_at", "updated_at"})


async def upsert_customer(
    session: AsyncSession,
    actor: Actor,
    external_id: str,
    data: CustomerUpsert,
    if_match_version: int | None = None,
) -> UpsertResult:
    repo = CustomerRepository(session)
    customer = await repo.get_by_external_id_for_update(external_id)
    if customer is None:
        if if_match_version is not None:
            raise PreconditionFailed("If-Match given but the customer does not exist", code="etag_mismatch")
        customer = await repo.add(
            Customer(id=uuid.uuid4(), external_id=external_id, version=1, **data.model_dump())
        )
        before = None
        created = True
    else:
        if if_match_version is not None and if_match_version != customer.version:
            raise PreconditionFailed(
                f"customer is at version {customer.version}, not {if_match_version}",
                code="etag_mismatch",
            )
        if data.currency != customer.currency and await repo.has_documents(customer.id):
            raise Conflict(
                f"customer {external_id} has documents in {customer.currency}; its currency cannot change",
                code="currency_locked",
            )
        before = _snapshot(customer)
        changes = data.model_dump()
        if all(getattr(customer, k) == v for k, v in changes.items()):
            return UpsertResult(customer, created=False)  # nothing changed: no event, no audit
        for key, value in changes.items():
            setattr(customer, key, value)
        customer.version += 1
        await session.flush()
        await session.refresh(customer)
        created = False
    await audit.record(
        session,
        actor=actor,
        action="customer.created" if created else "customer.updated",
        entity_type="customer",
        entity_id=str(customer.id),
        before=before,
        after=_snapshot(customer),
    )
    await outbox.add(
        session,
        CustomerUpserted(
            customer_id=customer.id,
            external_id=customer.external_id,
            name=customer.name,
            currency=customer.currency,
            payment_terms_days=customer.payment_terms_days,
            business_entity=customer.business_entity,
            sales_rep=customer.sales_rep,
            contact_email=customer.contact_email,
            time_zone=customer.time_zone,
        ),
    )
    return UpsertResult(customer, created)


async def get_customer(session: AsyncSession, customer_id: uuid.UUID) -> Customer:
    customer = await CustomerRepository(session).get(customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", code="customer_not_found")
    return customer


async def get_customer_by_external_id(session: AsyncSession, external_id: str) -> Customer:
    customer = await CustomerRepository(session).get_by_external_id(external_id)
    if customer is None:
        raise NotFound(f"no customer has the ERP id {external_id}", code="customer_not_found")
    return customer


async def list_customers(
    session: AsyncSession,
    page: PageParams,
    *,
    business_entity: str | None,
    currency: str | None,
    sales_rep: str | None,
) -> Page[CustomerOut]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await CustomerRepository(session).list(
        limit=page.limit + 1,
        after_id=after,
        business_entity=business_entity,
        currency=currency.upper() if currency else None,
        sales_rep=sales_rep,
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
    return Page[CustomerOut](items=[CustomerOut.of(r) for r in items], next_cursor=next_cursor)


async def resolve_filter(session: AsyncSession, wanted: CustomerFilter) -> uuid.UUID | None:
    """The ledger id of the customer a list or report filter names (None: no customer filter)."""
    if wanted.customer_id is not None:
        return (await get_customer(session, wanted.customer_id)).id
    if wanted.external_id is not None:
        return (await get_customer_by_external_id(session, wanted.external_id)).id
    return None


async def resolve_scope(session: AsyncSession, scope: ReportScope) -> ResolvedScope:
    return ResolvedScope(
        await resolve_filter(session, scope.customer), scope.business_entity, scope.sales_rep
    )
