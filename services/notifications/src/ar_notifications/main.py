"""The notifications API: `uvicorn ar_notifications.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ar_notifications.bounces.endpoints import router as bounces_router
from ar_notifications.config import NotificationsSettings, get_settings
from ar_notifications.delivery.endpoints import router as deliveries_router
from ar_notifications.delivery.webhook_targets import WebhookTargets
from ar_notifications.letters.endpoints import router as letters_router
from ar_notifications.models import plumbing
from ar_notifications.suppressions.endpoints import router as suppressions_router
from ar_notifications.templates.endpoints import router as templates_router
from ar_shared.app import create_service_app
from ar_shared.clock import SYSTEM_CLOCK, Clock

DESCRIPTION = """
Every message that leaves the platform: templates, e-mail over SMTP, signed webhooks, delivery log.

All routes need a bearer token with the scopes each route names.
Money is a decimal string plus an ISO 4217 code; errors are RFC 9457 problem documents.
"""


def create_app(settings: NotificationsSettings | None = None, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    settings = settings or get_settings()

    async def on_startup(app: FastAPI) -> None:
        app.state.webhook_targets = WebhookTargets(settings.webhook_allowed_networks)

    return create_service_app(
        settings,
        clock=clock,
        on_startup=on_startup,
        title="AR Notifications",
        description=DESCRIPTION,
        plumbing=plumbing,
        routers=[templates_router, deliveries_router, letters_router, bounces_router, suppressions_router],
        openapi_tags=[
            {"name": "templates", "description": "Versioned Jinja2 templates per locale, with preview"},
            {"name": "deliveries", "description": "Every message sent: status, attempts, content; resend"},
            {"name": "letters", "description": "A customer's messages as rendered, printable"},
            {"name": "bounces", "description": "Bounces and complaints reported after a message was sent"},
            {"name": "suppressions", "description": "Addresses no message may be sent to"},
        ],
    )
