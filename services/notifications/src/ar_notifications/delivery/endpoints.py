"""HTTP routes for the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ar_notifications.delivery.auth import Manager
from ar_notifications.delivery.repository import DeliveryFilter, DeliveryRepository
from ar_notifications.delivery.service import enqueue
from ar_notifications.models import Delivery
from ar_notifications.schemas import DeliveryOut, Status
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_shared.clock import AppClock
from ar_shared.db import DbSession
from ar_shared.inputs import Identifier, JsonObject, Timestamp
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, FieldError, NotFound, Unprocessable
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"], route_class=ServiceRoute)


class DeliveryDetail(DeliveryOut):
    subject: str
    body_text: str
    body_html: str
    context: dict[str, Any]


def _out(d: Delivery) -> dict[str, Any]:
    return {c.key: getattr(d, c.key) for c in Delivery.__table__.columns}


async def delivery_filter(
    business_entity: Annotated[
        Identifier | None, Query(min_length=1, max_length=50, description="The customer's business entity",
                                 examples=["DE01"])
    ] = None,
    customer_id: uuid.UUID | None = None,
    template_key: Annotated[Identifier | None, Query(max_length=200, examples=["first_reminder"])] = None,
    channel: Literal["email", "webhook"] | None = None,
    status: Status | None = None,
    created_from: Annotated[
        Timestamp | None, Query(description="Rendered at or after this moment (RFC 3339, with offset)")
    ] = None,
    created_to: Annotated[
        Timestamp | None, Query(description="Rendered at or before this moment (RFC 3339, with offset)")
    ] = None,
    recipient: Annotated[
        Identifier | None,
        Query(min_length=1, max_length=2000, description="E-mail address (any case) or webhook URL",
              examples=["ap@acme.example"]),
    ] = None,
) -> DeliveryFilter:  # fmt: skip
    if created_from is not None and created_to is not None and created_to < created_from:
        raise Unprocessable(
            "created_to is before created_from",
            code="invalid_date_range",
            errors=[FieldError(field="created_to", message="before created_from", code="invalid_date_range")],
        )
    return DeliveryFilter(
        business_entity, customer_id, template_key, channel, status, created_from, created_to, recipient
    )


@router.get(
    "",
    summary="The delivery log, newest first",
    description="Every message rendered, newest first, without its content (`GET /v1/deliveries/{id}` "
    "has it). Filters, combined with and: business entity (of the customer, when the message was asked "
    "for), customer, template, channel, status, when it was rendered (`created_from`, `created_to`, "
    "inclusive; `created_to` before `created_from` is 422 `invalid_date_range`) and recipient. A cursor "
    "this API did not issue is 400 `invalid_cursor`.",
)
async def list_deliveries(
    _: Manager, session: DbSession, page: Paging, where: Annotated[DeliveryFilter, Depends(delivery_filter)]
) -> Page[DeliveryOut]:
    after = decode_cursor(page.cursor, datetime, uuid.UUID) if page.cursor else None
    rows = await DeliveryRepository(session).log(where, limit=page.limit + 1, after=after)
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.created_at, r.id])
    return Page[DeliveryOut](
        items=[DeliveryOut.model_validate(_out(d)) for d in items], next_cursor=next_cursor
    )


class DeliveryCreate(BaseModel):
    """An ad-hoc message (a collector's one-off e-mail, an integration's webhook)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "8d6f4c2e-3f1a-4c59-9a57-0b7f1f2b9e10",
                    "channel": "email",
                    "recipient": "ap@acme.example",
                    "template_key": "first_reminder",
                    "locale": "de",
                    "context": {"open_items": [], "totals": {}},
                }
            ]
        },
    )

    customer_id: uuid.UUID | None = None
    channel: Literal["email", "webhook"]
    recipient: Identifier = Field(min_length=3, max_length=2000)
    template_key: Identifier
    locale: Identifier = "en"
    context: JsonObject = Field(default_factory=dict)
    respect_contact_hours: bool = True


@router.post(
    "",
    status_code=201,
    summary="Queue an ad-hoc message",
    description=(
        "Rendered now, sent by the worker (within the customer's contact hours unless told "
        "otherwise). Send an `Idempotency-Key`: a retry never sends twice. A webhook goes to a "
        "public address only: a URL whose host is, or resolves to, a loopback, link-local, "
        "private, multicast or reserved address is refused (422 `forbidden_webhook_target`), "
        "and judged again right before it is sent."
    ),
)
async def create_delivery(
    _: Manager,
    body: DeliveryCreate,
    session: DbSession,
    request: Request,
    clock: AppClock,
) -> DeliveryDetail:
    delivery_id = uuid.uuid4()
    await enqueue(
        session,
        request.app.state.settings,
        causing_event_id=delivery_id,
        customer_id=body.customer_id,
        channel=body.channel,
        template_key=body.template_key,
        locale=body.locale,
        recipient=body.recipient,
        context=body.context,
        now=clock.now(),
        respect_contact_hours=body.respect_contact_hours and body.customer_id is not None,
        targets=request.app.state.webhook_targets,
    )
    delivery = await DeliveryRepository(session).by_cause(delivery_id)
    return DeliveryDetail.model_validate(_out(delivery))


@router.get("/{delivery_id}", summary="One delivery with its rendered content")
async def get_delivery(_: Manager, delivery_id: uuid.UUID, session: DbSession) -> DeliveryDetail:
    delivery = await DeliveryRepository(session).get(delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} does not exist", code="delivery_not_found")
    return DeliveryDetail.model_validate(_out(delivery))


@router.post("/{delivery_id}/resend", summary="Queue a failed or bounced delivery again")
async def resend(_: Manager, delivery_id: uuid.UUID, session: DbSession, clock: AppClock) -> DeliveryDetail:
    delivery = await DeliveryRepository(session).get(delivery_id, for_update=True)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} does not exist", code="delivery_not_found")
    if delivery.status not in {"failed", "bounced"}:
        raise Conflict(
            f"only failed or bounced deliveries are resent (this one is {delivery.status})",
            code="not_resendable",
        )
    if delivery.channel == "email" and await SuppressionRepository(session).by_address(delivery.recipient):
        raise Conflict(
            f"{delivery.recipient} is on the suppression list; remove it there first to write to it again",
            code="recipient_suppressed",
        )
    delivery.status, delivery.attempts, delivery.next_attempt_at = "queued", 0, clock.now()
    await session.flush()
    return DeliveryDetail.model_validate(_out(delivery))
