"""The channels: e-mail over SMTP (aiosmtplib) and JSON webhooks signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any, Protocol

import aiosmtplib
import httpx

from ar_notifications.config import NotificationsSettings
from ar_notifications.delivery.webhook_targets import ForbiddenTarget, UnresolvableTarget, WebhookTargets
from ar_notifications.models import Delivery
from ar_shared.clock import SYSTEM_CLOCK, Clock

SIGNATURE_HEADER = "X-AR-Signature"
TIMESTAMP_HEADER = "X-AR-Timestamp"


class DeliveryError(Exception):
    """The channel refused or could not be reached: the delivery is retried."""


class RecipientRefused(DeliveryError):
    """The recipient's mail server refused the address for good (5xx): a hard bounce, never retried."""


class TargetRefused(DeliveryError):
    """The webhook's URL leads to an address no webhook may reach: failed at once, never retried."""


def message_id_for(delivery_id: uuid.UUID, mail_from: str) -> str:
    """`<delivery id@sender's domain>`: unique per delivery, and what bounce reports quote back."""
    _, at, domain = parseaddr(mail_from)[1].rpartition("@")
    return f"<{delivery_id}@{domain if at and domain else 'ar-platform'}>"


def is_permanent_refusal(codes: Sequence[int]) -> bool:
    """Every recipient refused with a 5xx reply; a 4xx anywhere means "try again later"."""
    return bool(codes) and all(code >= 500 for code in codes)


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> None: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": receivers recompute it and reject stale timestamps."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class SmtpSender:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    async def send(self, delivery: Delivery) -> None:
        s = self._settings
        message = EmailMessage()
        message["From"] = s.mail_from
        message["To"] = delivery.recipient
        message["Subject"] = delivery.subject
        message["Message-ID"] = delivery.message_id or message_id_for(delivery.id, s.mail_from)
        message.set_content(delivery.body_text)
        message.add_alternative(delivery.body_html, subtype="html")
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                start_tls=s.smtp_starttls,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _refusal(exc.recipients) from exc
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise _refusal([exc]) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {exc}") from exc


def _refusal(refused: Sequence[aiosmtplib.SMTPRecipientRefused]) -> DeliveryError:
    detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refused)
    if is_permanent_refusal([r.code for r in refused]):
        return RecipientRefused(f"SMTP: recipient refused: {detail}")
    return DeliveryError(f"SMTP: recipient refused for now: {detail}")


class WebhookSender:
    def __init__(
        self,
        settings: NotificationsSettings,
        clock: Clock = SYSTEM_CLOCK,
        targets: WebhookTargets | None = None,
    ) -> None:
        self._secret = settings.webhook_secret.get_secret_value()
        self._clock = clock
        self._targets = targets or WebhookTargets(settings.webhook_allowed_networks)

    async def send(self, delivery: Delivery) -> None:
        payload: dict[str, Any] = {
            "delivery_id": str(delivery.id),
            "template": delivery.template_key,
            "customer_id": str(delivery.customer_id) if delivery.customer_id else None,
            "subject": delivery.subject,
            "text": delivery.body_text,
            "context": delivery.context,
        }
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(self._clock.now().timestamp()))
        headers = {
            "content-type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: f"v1={sign(self._secret, timestamp, body)}",
        }
        try:
            # judged again right before sending (the name may resolve elsewhere than when queued)
            target = await self._targets.check(delivery.recipient)
        except ForbiddenTarget as exc:
            raise TargetRefused(f"webhook: {exc}") from None
        except UnresolvableTarget as exc:
            raise DeliveryError(f"webhook: {exc}") from None
        try:
            # to the address just judged, never to a fresh lookup; no proxy from the environment;
            # no redirects (a 3xx could point anywhere); the answer's body is never read
            async with (
                httpx.AsyncClient(timeout=10, trust_env=False, follow_redirects=False) as client,
                client.stream(
                    "POST",
                    target.connect_url,
                    content=body,
                    headers=headers | target.headers,
                    extensions=target.extensions,
                ) as response,
            ):
                status = response.status_code
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {exc}") from exc
        if status >= 300:
            raise DeliveryError(f"webhook answered {status}")


class Senders:
    def __init__(self, email: Sender, webhook: Sender) -> None:
        self.by_channel: dict[str, Sender] = {"email": email, "webhook": webhook}

    @classmethod
    def from_settings(
        cls,
        settings: NotificationsSettings,
        clock: Clock = SYSTEM_CLOCK,
        targets: WebhookTargets | None = None,
    ) -> Senders:
        return cls(SmtpSender(settings), WebhookSender(settings, clock=clock, targets=targets))
