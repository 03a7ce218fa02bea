"""What every service's OpenAPI promises, checked against the document and against the running app.

Valid OpenAPI 3.1 (openapi-spec-validator), one path per template, every error answer an RFC 9457
problem document, the statuses each route can answer, and `Idempotency-Key` on every POST that
changes anything: documented, and checked by the route before it acts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from pydantic import SecretStr

from ar_collections.config import CollectionsSettings
from ar_collections.main import create_app as collections_app
from ar_credit.config import CreditSettings
from ar_credit.main import create_app as credit_app
from ar_ledger.config import LedgerSettings
from ar_ledger.main import create_app as ledger_app
from ar_notifications.config import NotificationsSettings
from ar_notifications.main import create_app as notifications_app
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.http import bearer, client_for, running
from ar_shared.testing.stack import Stack

SERVICES: dict[str, tuple[type[Any], Callable[..., FastAPI]]] = {
    "ledger": (LedgerSettings, ledger_app),
    "credit": (CreditSettings, credit_app),
    "collections": (CollectionsSettings, collections_app),
    "notifications": (NotificationsSettings, notifications_app),
}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# POSTs that only compute an answer (nothing stored, nothing sent): the only ones without a key
CHANGES_NOTHING = {("notifications", "/v1/templates/preview"), ("ledger", "/v1/reconciliations")}
# answers that are not problems on purpose: readiness says which dependency is down
NOT_PROBLEMS = {("/health/ready", "503")}
METHODS = {"get", "put", "post", "delete", "patch"}


def build(service: str, database_url: str, kafka: str) -> FastAPI:
    settings_cls, factory = SERVICES[service]
    settings = settings_cls(
        environment="test", database_url=SecretStr(database_url), kafka_bootstrap_servers=kafka
    )
    return factory(settings, TEST_CLOCK)


@pytest.fixture(scope="module", params=list(SERVICES))
def document(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """The document the service serves at /openapi.json (built without connecting to anything)."""
    service = str(request.param)
    app = build(service, "postgresql+asyncpg://nobody@127.0.0.1:1/none", "127.0.0.1:1")
    return service, app.openapi()


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_document_is_valid_openapi_3_1(document: tuple[str, dict[str, Any]]) -> None:
    _, openapi = document
    assert openapi["openapi"].startswith("3.1")
    try:
        validate(openapi)
    except OpenAPIValidationError as error:  # the message names the offending part
        pytest.fail(str(error))


def test_no_two_paths_share_a_template(document: tuple[str, dict[str, Any]]) -> None:
    _, openapi = document
    templates: dict[str, list[str]] = {}
    for path in openapi["paths"]:
        templates.setdefault(re.sub(r"\{[^}]+\}", "{}", path), []).append(path)
    assert [paths for paths in templates.values() if len(paths) > 1] == []


def test_every_error_answer_is_a_problem_document(document: tuple[str, dict[str, Any]]) -> None:
    _, openapi = document
    wrong = [
        (method, path, status, response.get("content"))
        for path, method, operation in operations(openapi)
        for status, response in operation["responses"].items()
        if int(status) >= 400 and (path, status) not in NOT_PROBLEMS and response.get("content") != PROBLEM
    ]
    assert wrong == []
    problem = openapi["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code"} <= set(problem["required"])


def test_each_route_documents_the_statuses_it_can_answer(document: tuple[str, dict[str, Any]]) -> None:
    _, openapi = document
    missing = []
    for path, method, operation in operations(openapi):
        parameters = {(p["in"], p["name"].lower()) for p in operation.get("parameters", [])}
        expected = set()
        if operation.get("security"):
            expected |= {"401", "403"} if path != "/v1/whoami" else {"401"}
        if parameters or "requestBody" in operation:
            expected |= {"400", "404", "422"}
        if method != "get":
            expected.add("409")
        if ("header", "if-match") in parameters:
            expected.add("412")
        if "requestBody" in operation:
            expected |= {"413", "415"}
        if absent := expected - set(operation["responses"]):
            missing.append((method, path, sorted(absent)))
    assert missing == []


def test_every_post_that_changes_something_documents_idempotency_key(
    document: tuple[str, dict[str, Any]],
) -> None:
    service, openapi = document
    without_key = set()
    for path, method, operation in operations(openapi):
        if method != "post":
            continue
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers:
            without_key.add((service, path))
        else:
            assert {"409", "422"} <= set(operation["responses"]), path
    assert without_key == {c for c in CHANGES_NOTHING if c[0] == service}


@pytest.mark.integration
@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_post_checks_its_idempotency_key_before_it_acts(
    service: str, stack: Stack, all_schemas: None
) -> None:
    """A key no request could have stored (too long) is refused on every POST: the guard runs there."""
    app = build(service, stack.url(service, "app"), stack.kafka_bootstrap)
    openapi = app.openapi()
    async with running(app) as app, client_for(app) as client:
        headers = bearer(app.state.settings.auth, "admin") | {"Idempotency-Key": "k" * 256}
        answers = {}
        for path, method, _ in operations(openapi):
            if method != "post" or (service, path) in CHANGES_NOTHING:
                continue
            url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
            response = await client.post(url, json={}, headers=headers)
            answers[path] = (response.status_code, response.json().get("code"))
    assert answers
    assert {
        path: answer for path, answer in answers.items() if answer != (400, "invalid_idempotency_key")
    } == {}
