"""The notifications API: `uvicorn ar_notifications.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ar_notifications.config import NotificationsSettings, get_settings
from ar_notifications.models import plumbing
from ar_notifications.suppressions.endpoints import router as suppressions_router
from ar_shared.app import create_service_app

DESCRIPTION = """
Every message that leaves the platform: templates, e-mail over SMTP, signed webhooks, delivery log.

All routes need a bearer token with the scopes each route names.
Money is a decimal string plus an ISO 4217 code; errors are RFC 9457 problem documents.
"""


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        title="AR Notifications",
        description=DESCRIPTION,
        plumbing=plumbing,
        routers=[suppressions_router],
        openapi_tags=[{"name": "suppressions", "description": "Addresses no message may be sent to"}],
    )
