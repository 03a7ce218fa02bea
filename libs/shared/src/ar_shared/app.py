"""Builds a service's FastAPI app the same way everywhere: lifespan resources, errors, health, metrics."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text

from ar_shared.auth import Principal, TokenVerifier, authenticate, require_scopes
from ar_shared.clock import SYSTEM_CLOCK, Clock
from ar_shared.db import build_engine, build_read_pool, build_sessionmaker
from ar_shared.idempotency import install_idempotency_handler
from ar_shared.logs import configure_logging
from ar_shared.middleware import RequestContextMiddleware
from ar_shared.plumbing import PlumbingTables
from ar_shared.problems import install_problem_handlers
from ar_shared.request_guard import RequestGuard
from ar_shared.settings import ServiceSettings

ExtraLifespan = Callable[[FastAPI], Awaitable[None]]

METRICS_SCOPE = "metrics:read"
"""What a Prometheus scraper's token needs for `/metrics` (`admin` does too)."""


class KafkaProbe:
    """Readiness check of the broker, cached briefly so probes do not hammer it."""

    def __init__(self, bootstrap_servers: str, ttl_seconds: float = 2.0) -> None:
        self._bootstrap = bootstrap_servers
        self._ttl = ttl_seconds
        self._checked_at = 0.0
        self._ok = False
        self._lock = asyncio.Lock()

    async def ready(self) -> bool:
        async with self._lock:
            if time.monotonic() - self._checked_at < self._ttl:
                return self._ok
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, request_timeout_ms=2000)
            try:
                async with asyncio.timeout(3):
                    await admin.start()
                    await admin.describe_cluster()
                self._ok = True
            except Exception:
                self._ok = False
            finally:
                await admin.close()
            self._checked_at = time.monotonic()
            return self._ok


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
        app.include_router(router)
    return app


class Caller(BaseModel):
    subject: str = Field(examples=["erp-billing"])
    scopes: list[str] = Field(examples=[["ledger:read", "ledger:write"]])
    expires_at: datetime | None


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

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
        summary="Readiness: the database and Kafka answer",
        responses={503: {"description": "A dependency is down; `checks` says which"}},
    )
    async def ready(request: Request) -> JSONResponse:
        checks = {
            "database": await _database_ok(request),
            "kafka": await request.app.state.kafka_probe.ready(),
        }
        ok = all(checks.values())
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": {k: "ok" if v else "down" for k, v in checks.items()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        description=f"Needs a bearer token with the `{METRICS_SCOPE}` scope (or `admin`).",
        response_class=Response,
        dependencies=[Depends(require_scopes(METRICS_SCOPE))],
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _database_ok(request: Request) -> bool:
    try:
        async with asyncio.timeout(3), request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
