"""Delivery rules: one message per causing event and recipient; suppressed addresses are never
written to; customers are written to inside their contact hours; failures retry with backoff,
then fail for good with NotificationFailed; a recipient refused for good bounces at once (suppressed,
NotificationFailed, no retries)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any, Literal

import httpx
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ar_notifications.config import NotificationsSettings
from ar_notifications.delivery.repository import DeliveryRepository
from ar_notifications.delivery.senders import (
    DeliveryError,
    RecipientRefused,
    Senders,
    TargetRefused,
    message_id_for,
)
from ar_notifications.delivery.webhook_targets import ForbiddenTarget, UnresolvableTarget, WebhookTargets
from ar_notifications.models import Delivery, plumbing
from ar_notifications.suppressions.repository import SuppressionRepository
from ar_notifications.suppressions.service import suppress_if_absent
from ar_notifications.templates.contact_hours import next_contact_time
from ar_notifications.templates.service import render_template
from ar_shared.audit import SYSTEM_ACTOR, Actor, AuditLog
from ar_shared.backoff import backoff
from ar_shared.events.notifications import NotificationFailed, NotificationSent
from ar_shared.outbox import OutboxWriter
from ar_shared.problems import FieldError, Unprocessable

log = logging.getLogger(__name__)
outbox = OutboxWriter(plumbing)
audit = AuditLog(plumbing)


async def enqueue(
    session: AsyncSession,
    settings: NotificationsSettings,
    *,
    causing_event_id: uuid.UUID | None,
    customer_id: uuid.UUID | None,
    channel: Literal["email", "webhook"],
    template_key: str,
    locale: str,
    recipient: str,
    context: dict[str, Any],
    now: datetime,
    respect_contact_hours: bool,
    targets: WebhookTargets | None = None,
    request_id: uuid.UUID | None = None,
    business_entity: str | None = None,
) -> bool:
    """Renders and queues a message; False when this cause already queued one for the recipient.
    The rendered message is kept (with the template version and the `request_id` that asked for
    it): it is the delivery log's content and, for an e-mail to a customer, its printable letter.
    Its business entity is the one given, else the one notifications knows for the customer.

    `InvalidRecipient` when the recipient is no address for the channel (or a webhook URL leads
    to an address no webhook may reach, judged by `targets`).
    """
    await check_recipient(channel, recipient, targets or WebhookTargets(settings.webhook_allowed_networks))
    repo = DeliveryRepository(session)
    template, rendered = await render_template(
        session, template_key, locale, context, settings.render_limits, settings.default_locale
    )
    recipient = recipient.strip().lower() if channel == "email" else recipient.strip()
    suppressed = channel == "email" and await SuppressionRepository(session).by_address(recipient) is not None
    contact = None if customer_id is None else await repo.contact(customer_id)
    business_entity = business_entity or (contact.business_entity if contact else None)
    when = now
    # the wall clock's contact hours, unless the customer's entity lives on a date set by hand:
    # a simulation or a catch-up is not held for a night or a weekend, it is sent at once
    if (
        respect_contact_hours
        and customer_id is not None
        and (contact is None or not await repo.date_set_by_hand(contact.business_entity))
    ):
        zone = contact.time_zone if contact else "UTC"
        when = next_contact_time(now, zone, settings.contact_hours_start, settings.contact_hours_end)
    delivery_id = uuid.uuid4()
    delivery = Delivery(
        id=delivery_id,
        causing_event_id=causing_event_id,
        customer_id=customer_id,
        business_entity=business_entity,
        channel=channel,
        template_key=template_key,
        template_version=template.version,
        locale=template.locale,
        request_id=request_id,
        recipient=recipient,
        context=context,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        status="suppressed" if suppressed else "queued",
        attempts=0,
        next_attempt_at=None if suppressed else when,
        last_error="recipient is on the suppression list" if suppressed else None,
        message_id=message_id_for(delivery_id, settings.mail_from) if channel == "email" else None,
        # the injected clock: the log's order is the order messages were rendered in, even
        # within one transaction (where the database's now() stands still)
        created_at=now,
    )
    added = await repo.add_once(delivery)
    if added and suppressed:
        await outbox.add(session, _failed(delivery, "suppressed"))
    return added


class InvalidRecipient(Unprocessable):
    """No address this channel may write to: 422 at the API, a dead letter from an event."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail, code=code, errors=[FieldError(field="recipient", message=detail, code=code)])


async def check_recipient(channel: str, recipient: str, targets: WebhookTargets) -> None:
    """An e-mail address for e-mail; for webhooks an http(s) URL leading to a public address (a
    name that does not resolve now is let through: it is judged again when sent)."""
    if channel == "email":
        try:
            validate_email(recipient.strip(), check_deliverability=False)
        except EmailNotValidError as exc:
            detail = f"{recipient!r} is not an e-mail address: {exc}"
            raise InvalidRecipient(detail, "invalid_address") from None
        return
    try:
        # the parser the sender uses, so both read the same host out of an odd URL
        url = httpx.URL(recipient.strip())
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme not in {"http", "https"} or not url.host:
        raise InvalidRecipient(f"{recipient!r} is not an http(s) URL", "invalid_webhook_url")
    try:
        await targets.check(str(url))
    except ForbiddenTarget as exc:
        raise InvalidRecipient(str(exc), "forbidden_webhook_target") from None
    except UnresolvableTarget:
        pass


async def dispatch_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: NotificationsSettings,
    senders: Senders,
    now: datetime,
    limit: int = 50,
) -> int:
    """Sends what is due, one transaction per message (the row stays locked while it is sent)."""
    sent = 0
    for _ in range(limit):
        async with sessionmaker() as session, session.begin():
            due = await DeliveryRepository(session).due(now, 1)
            if not due:
                break
            delivery = due[0]
            if delivery.channel == "email" and await SuppressionRepository(session).by_address(
                delivery.recipient
            ):
                # suppressed after it was queued (a bounce, a complaint, a do-not-contact request)
                await record_suppressed(session, delivery)
                continue
            delivery.attempts += 1
            try:
                await senders.by_channel[delivery.channel].send(delivery)
            except RecipientRefused as exc:
                await record_hard_bounce(session, delivery, str(exc), SYSTEM_ACTOR)
                log.warning("delivery %s bounced: %s", delivery.id, exc)
                continue
            except DeliveryError as exc:
                delivery.last_error = str(exc)[:2000]
                # a refused webhook target stays refused: no retries
                if isinstance(exc, TargetRefused) or delivery.attempts >= settings.max_attempts:
                    delivery.status = "failed"
                    delivery.next_attempt_at = None
                    await outbox.add(session, _failed(delivery, "failed"))
                else:
                    delivery.next_attempt_at = now + backoff(
                        settings.retry_backoff_seconds, delivery.attempts
                    )
                log.warning("delivery %s attempt %d failed: %s", delivery.id, delivery.attempts, exc)
                continue
            delivery.status, delivery.sent_at, delivery.next_attempt_at = "sent", now, None
            if delivery.customer_id is not None:
                await outbox.add(
                    session,
                    NotificationSent(
                        delivery_id=delivery.id, customer_id=delivery.customer_id,
                        channel=delivery.channel,
                        template_key=delivery.template_key, recipient=delivery.recipient, sent_at=now,
                        causing_event_id=delivery.causing_event_id,
                    ),
                )  # fmt: skip
            sent += 1
    return sent


async def record_hard_bounce(
    session: AsyncSession, delivery: Delivery, diagnostic: str, actor: Actor
) -> None:
    """The recipient's mail server refused the address for good: the delivery is bounced, the
    address is suppressed (unless it already is) and NotificationFailed says so."""
    before = audited(delivery)
    delivery.status, delivery.next_attempt_at, delivery.last_error = "bounced", None, diagnostic[:2000]
    await suppress_if_absent(
        session, actor, delivery.recipient, "hard_bounce", note=f"delivery {delivery.id}: {diagnostic}"[:2000]
    )
    await outbox.add(session, _failed(delivery, "bounced"))
    await audit.record(
        session, actor=actor, action="delivery.bounced", entity_type="delivery", entity_id=str(delivery.id),
        before=before, after=audited(delivery),
    )  # fmt: skip


async def record_suppressed(session: AsyncSession, delivery: Delivery) -> None:
    before = audited(delivery)
    delivery.status, delivery.next_attempt_at = "suppressed", None
    delivery.last_error = "recipient is on the suppression list"
    await outbox.add(session, _failed(delivery, "suppressed"))
    await audit.record(
        session, actor=SYSTEM_ACTOR, action="delivery.suppressed", entity_type="delivery",
        entity_id=str(delivery.id), before=before, after=audited(delivery),
    )  # fmt: skip


def audited(delivery: Delivery) -> dict[str, Any]:
    """What the audit log keeps of a delivery's state."""
    return {"status": delivery.status, "last_error": delivery.last_error}


def _failed(delivery: Delivery, outcome: Literal["failed", "bounced", "suppressed"]) -> NotificationFailed:
    return NotificationFailed(
        delivery_id=delivery.id,
        customer_id=delivery.customer_id or uuid.UUID(int=0),
        channel=delivery.channel,
        template_key=delivery.template_key,
        recipient=delivery.recipient,
        attempts=delivery.attempts,
        last_error=delivery.last_error or "",
        causing_event_id=delivery.causing_event_id,
        outcome=outcome,
    )
