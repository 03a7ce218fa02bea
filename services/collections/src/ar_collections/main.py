"""The collections API: `uvicorn ar_collections.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ar_collections.activities.endpoints import router as activities_router
from ar_collections.config import CollectionsSettings, get_settings
from ar_collections.models import plumbing
from ar_shared.app import create_service_app
from ar_shared.clock import SYSTEM_CLOCK, Clock

DESCRIPTION = """
The collector's workflow: portfolios, dunning strategies, worklists, promises to pay,
disputes, payment plans, KPIs.

All routes need a bearer token with the scopes each route names.
Money is a decimal string plus an ISO 4217 code; errors are RFC 9457 problem documents.
"""


def create_app(settings: CollectionsSettings | None = None, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        clock=clock,
        title="AR Collections",
        description=DESCRIPTION,
        plumbing=plumbing,
        routers=[activities_router],
        openapi_tags=[
            {"name": "activities", "description": "Calls, e-mails, notes and visits on an account"}
        ],
    )
