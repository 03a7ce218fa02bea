"""The credit API: `uvicorn ar_credit.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ar_credit.check.endpoints import router as check_router
from ar_credit.config import CreditSettings, get_settings
from ar_credit.holds.endpoints import router as holds_router
from ar_credit.models import plumbing
from ar_credit.orders.endpoints import router as orders_router
from ar_credit.policies.endpoints import router as policies_router
from ar_credit.profiles.endpoints import router as profiles_router
from ar_credit.reviews.endpoints import router as reviews_router
from ar_shared.app import create_service_app
from ar_shared.clock import SYSTEM_CLOCK, Clock

DESCRIPTION = """
Credit risk and the order gate: credit profiles, exposure, policies, holds and the order credit check.

All routes need a bearer token with the scopes each route names.
Money is a decimal string plus an ISO 4217 code; errors are RFC 9457 problem documents.
"""


def create_app(settings: CreditSettings | None = None, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        clock=clock,
        title="AR Credit",
        description=DESCRIPTION,
        plumbing=plumbing,
        routers=[check_router, orders_router, profiles_router, policies_router, holds_router, reviews_router],
        read_pool=True,  # the order credit check
        openapi_tags=[
            {"name": "credit check", "description": "The order system's check and credit decisions"},
            {"name": "credit profiles", "description": "Limits, risk classes, review dates"},
            {"name": "credit policies", "description": "When holds are placed automatically, per risk class"},
            {"name": "holds", "description": "Credit holds placed by policy or by hand"},
            {"name": "credit reviews", "description": "Scores, recommended limits, reviews due, references"},
        ],
    )
