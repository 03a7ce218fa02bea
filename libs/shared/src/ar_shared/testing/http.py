"""Drives a service app in-process (lifespan included) through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from ar_shared.auth import AuthSettings, mint_token
from ar_shared.clock import Clock
from ar_shared.testing.clock import TEST_CLOCK
from ar_shared.testing.db import rolled_back_sessionmaker


@asynccontextmanager
async def running(app: FastAPI, *, rollback: bool = True) -> AsyncIterator[FastAPI]:
    """Runs the app's lifespan; with `rollback`, everything it writes is undone afterwards."""
    async with app.router.lifespan_context(app):
        if not rollback:
            yield app
            return
        async with rolled_back_sessionmaker(app.state.engine, app.state.clock) as maker:
            app.state.sessionmaker = maker
            pool = app.state.read_pool
            if pool is not None:
                # reads must see what the test wrote in its (never committed) transaction
                app.state.read_pool = TransactionReads(maker.kw["bind"])
            try:
                yield app
            finally:
                app.state.read_pool = pool  # the lifespan closes the real one


class TransactionReads:
    """Stands in for a read pool in rolled-back tests: hands out the asyncpg connection of the
    test's own transaction (the same real PostgreSQL connection the sessions use)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        raw = await self._connection.get_raw_connection()
        yield raw.driver_connection


def client_for(app: FastAPI) -> httpx.AsyncClient:
    # raise_app_exceptions=False: a 500 reaches the test as the problem response a client would see
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def bearer(
    auth: AuthSettings, *scopes: str, subject: str = "tester", clock: Clock = TEST_CLOCK
) -> dict[str, str]:
    """A token valid at `clock`'s now (that of the app it is sent to)."""
    return {"Authorization": f"Bearer {mint_token(auth, subject, list(scopes), clock=clock)}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["code"] == code, body
    return body
