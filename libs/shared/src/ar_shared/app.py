"""Builds a service's FastAPI app the same way everywhere: lifespan resources, errors, health, metrics."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from ar_shared.auth import Principal, TokenVerifier, authenticate, require_scopes
from ar_shared.backlog import publish_backlog_metrics
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.db import build_engine, build_read_pool, build_sessionmaker
from ar_shared.health import KafkaProbe, Readiness, readiness
from ar_shared.idempotency import install_idempotency_handler
from ar_shared.logs import configure_logging
from ar_shared.middleware import RequestContextMiddleware
from ar_shared.plumbing import PlumbingTables
from ar_shared.problems import document_problems, install_problem_handlers
from ar_shared.request_guard import RequestGuard
from ar_shared.routing import ServiceRoute
from ar_shared.settings import ServiceSettings

ExtraLifespan = Callable[[FastAPI], Awaitable[None]]

METRICS_SCOPE = "metrics:read"
"""What a Prometheus scraper's token needs for `/metrics` (`admin` does too)."""


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    plumbing: PlumbingTables,
    routers: Sequence[APIRouter],
    openapi_tags: list[dict[str, Any]] | None = None,
    on_startup: ExtraLifespan | None = None,
    read_pool: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> FastAPI:
    """Nothing is connected at import or build time: the lifespan opens and closes resources.

    `read_pool=True` also opens a plain asyncpg pool (`ar_shared.db.ReadPool`) for the hottest
    read-only endpoints. `clock` is the time every rule, timestamp and token check of the app reads.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        engine = build_engine(settings)
        app.state.settings = settings
        app.state.engine = engine
        app.state.clock = clock
        app.state.sessionmaker = build_sessionmaker(engine, clock)
        app.state.plumbing = plumbing
        app.state.token_verifier = TokenVerifier(settings.auth, clock)
        app.state.kafka_probe = KafkaProbe(settings.kafka_bootstrap_servers)
        app.state.read_pool = await build_read_pool(settings) if read_pool else None
        if on_startup is not None:
            await on_startup(app)
        # Everything loaded so far (modules, models, compiled schemas) lives as long as the
        # process: moved out of the collector's sight, a full collection no longer walks it,
        # which takes its pauses out of the request latency tail.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await app.state.kafka_probe.close()
            if app.state.read_pool is not None:
                await app.state.read_pool.close()
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        docs_url="/docs",
        redoc_url="/redoc",
    )
    install_problem_handlers(app)
    install_idempotency_handler(app)
    # inside the request context, so a refusal still carries the request id and is logged
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        max_bulk_body_bytes=settings.max_bulk_body_bytes,
    )
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.include_router(_operations_router())
    for router in routers:
        _refuse_routes_built_without_conventions(router)
        app.include_router(router)
    _document_problems(app)
    return app


def _refuse_routes_built_without_conventions(router: APIRouter) -> None:
    # a plain APIRoute would be a POST without Idempotency-Key, or undocumented problem answers
    for route in router.routes:
        if isinstance(route, APIRoute) and not isinstance(route, ServiceRoute):
            raise TypeError(
                f"{sorted(route.methods or ())} {route.path} is not a ServiceRoute: "
                "build its router with APIRouter(route_class=ServiceRoute)"
            )


def _document_problems(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class Caller(BaseModel):
    subject: str = Field(examples=["erp-billing"])
    scopes: list[str] = Field(examples=[["ledger:read", "ledger:write"]])
    expires_at: datetime | None


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"], route_class=ServiceRoute)

    @router.get("/health/live", summary="Liveness: the process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/v1/whoami",
        summary="The caller the bearer token names, with its scopes",
        description="Any valid token: integrators check which subject and scopes their token carries.",
    )
    async def whoami(principal: Annotated[Principal, Depends(authenticate)]) -> Caller:
        exp = principal.claims.get("exp")
        return Caller(
            subject=principal.subject,
            scopes=sorted(principal.scopes),
            expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None,
        )

    @router.get(
        "/health/ready",
        summary="Readiness: the API can serve (its database answers); Kafka reported apart",
        description="200 while the database answers, even with Kafka down: writes keep succeeding "
        "and their events wait in the outbox until the broker is back (`status: degraded`, "
        '`degraded: ["kafka"]`; the `ar_outbox_backlog` metric shows what waits). '
        "503 when the database does not answer.",
        responses={
            200: {"model": Readiness},
            503: {"model": Readiness, "description": "The database does not answer; `checks` says so"},
        },
    )
    async def ready(request: Request) -> JSONResponse:
        state = request.app.state
        body = await readiness(state.engine, state.kafka_probe)
        return JSONResponse(body.model_dump(), status_code=503 if body.status == "unavailable" else 200)

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        description=f"Needs a bearer token with the `{METRICS_SCOPE}` scope (or `admin`).",
        response_class=Response,
        dependencies=[Depends(require_scopes(METRICS_SCOPE))],
    )
    async def metrics(request: Request) -> Response:
        # measured at each scrape: the API keeps writing to the outbox while Kafka or the worker
        # is down, so it is where a growing backlog shows even when no relay runs
        await publish_backlog_metrics(request.app.state.engine, request.app.state.plumbing)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
