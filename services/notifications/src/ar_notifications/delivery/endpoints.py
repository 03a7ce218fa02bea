"""HTTP routes for the delivery log."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from ar_notifications.delivery.auth import Manager
from ar_notifications.delivery.repository import DeliveryRepository
from ar_notifications.delivery.service import enqueue
from ar_notifications.models import Delivery
from ar_notifications.schemas import DeliveryOut, Status
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_shared.clock import AppClock
from ar_shared.db import DbSession
from ar_shared.inputs import Identifier, JsonObject
from ar_shared.pagination import Page, Paging, decode_cursor, page_from_rows
from ar_shared.problems import Conflict, NotFound
from ar_shared.routing import ServiceRoute

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"], route_class=ServiceRoute)


class DeliveryDetail(DeliveryOut):
    subject: str
    body_text: str
    body_html: str
    context: dict[str, Any]


def _out(d: Delivery) -> dict[str, Any]:
    return {c.key: getattr(d, c.key) for c in Delivery.__table__.columns}


@router.get("", summary="The delivery log")
async def list_deliveries(
    _: Manager,
    session: DbSession,
    page: Paging,
    status: Status | None = None,
    customer_id: uuid.UUID | None = None,
    template_key: Identifier | None = None,
) -> Page[DeliveryOut]:
    after = decode_cursor(page.cursor, uuid.UUID)[0] if page.cursor else None
    rows = await DeliveryRepository(session).list(
        limit=page.limit + 1,
        after_id=after,
        status=status,
        customer_id=customer_id,
        template_key=template_key,
    )
    items, next_cursor = page_from_rows(rows, page.limit, lambda r: [r.id])
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
