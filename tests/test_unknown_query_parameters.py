"""A query parameter a route does not take is refused with 400 on every route of every service.

A misspelt filter (`?customer=` for `?customer_id=`) used to be ignored, and the answer silently
covered everyone. The check lives in `ar_shared.routing.ServiceRoute`, which every route of every
service is built with; this test walks all of them on the running apps, so a new route cannot
slip past it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app as collections_app
from ar_credit.config import CreditSettings
from ar_credit.main import create_app as credit_app
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as ledger_app
from ar_notifications.config import NotificationsSettings
from ar_notifications.main import create_app as notifications_app
from ar_shared.routing import ServiceRoute
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

pytestmark = pytest.mark.integration

SERVICES: dict[str, tuple[type[Any], Callable[..., FastAPI]]] = {
    "ledger": (LedgerSettings, ledger_app),
    "credit": (CreditSettings, credit_app),
    "collections": (CollectionsSettings, collections_app),
    "notifications": (NotificationsSettings, notifications_app),
}


def build(service: str, database_url: str, kafka: str) -> FastAPI:
    settings_cls, factory = SERVICES[service]
    settings = settings_cls(
        environment="test", database_url=SecretStr(database_url), kafka_bootstrap_servers=kafka
    )
    return factory(settings, TEST_CLOCK)


def api_routes(app: FastAPI) -> Iterator[tuple[str, str, ServiceRoute]]:
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path is not None:
            assert isinstance(route, ServiceRoute), route.path
            for method in sorted(route.methods or ()):
                yield method, context.path, route


def concrete(path: str) -> str:
    """The template with an id in every parameter (any text is an ERP id too)."""
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_route_refuses_a_query_parameter_it_does_not_take(
    service: str, stack: Stack, all_schemas: None
) -> None:
    app = build(service, stack.url(service, "app"), stack.kafka_bootstrap)
    async with running(app) as app, client_for(app) as client:
        headers = bearer(app.state.settings.auth, "admin") | {"Idempotency-Key": str(uuid.uuid4())}
        answers = {}
        for method, path, _ in api_routes(app):
            response = await client.request(
                method, concrete(path), params={"no_such_parameter": "1"}, json={}, headers=headers
            )
            body = response.json()
            answers[(method, path)] = (
                response.status_code,
                body.get("code"),
                [e["field"] for e in body.get("errors", [])],
            )
    assert len(answers) >= 5  # health, whoami, metrics and the service's own
    wrong = {
        route: answer
        for route, answer in answers.items()
        if answer != (400, "unknown_query_parameter", ["no_such_parameter"])
    }
    assert wrong == {}


async def test_a_misspelt_report_filter_is_a_400_not_everyones_totals(
    stack: Stack, all_schemas: None
) -> None:
    app = build("ledger", stack.url("ledger", "app"), stack.kafka_bootstrap)
    async with running(app) as app, client_for(app) as client:
        response = await client.get(
            "/v1/reports/aging/comparative",
            params=[("as_of", "2026-01-31"), ("as_of", "2026-02-28"), ("customer", "C-1")],
            headers=bearer(app.state.settings.auth, "ledger:read"),
        )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "unknown_query_parameter"
    assert problem["errors"] == [
        {"field": "customer", "message": "not a parameter of this route", "code": "unknown_query_parameter"}
    ]
    assert "customer_id" in problem["detail"]  # the answer names what the route does take


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_route_documents_the_400(service: str) -> None:
    app = build(service, "postgresql+asyncpg://nobody@127.0.0.1:1/none", "127.0.0.1:1")
    missing = [
        (method, path)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if "400" not in operation["responses"]
    ]
    assert missing == []
