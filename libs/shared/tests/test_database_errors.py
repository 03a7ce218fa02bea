"""A write past BIGINT is the client's 422; every other database error stays a logged 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from ar_shared.problems import install_problem_handlers


class _AdaptedError(Exception):
    """What SQLAlchemy's asyncpg dialect puts in `DBAPIError.orig`: the driver's error as cause."""

    def __init__(self, cause: asyncpg.PostgresError) -> None:
        super().__init__(str(cause))
        self.__cause__ = cause


def app_raising(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/v1/invoices")
    async def issue() -> None:
        raise error

    return app


OUT_OF_RANGE = asyncpg.exceptions.NumericValueOutOfRangeError("bigint out of range")


@pytest.mark.parametrize(
    "error",
    [OUT_OF_RANGE, DBAPIError("UPDATE ledger.customers ...", {}, _AdaptedError(OUT_OF_RANGE))],
    ids=["asyncpg", "sqlalchemy"],
)
async def test_a_balance_pushed_past_bigint_is_a_422_problem(error: Exception) -> None:
    transport = httpx.ASGITransport(app=app_raising(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/v1/invoices")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "amount_out_of_range"


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        DBAPIError("SELECT 1", {}, _AdaptedError(asyncpg.exceptions.DivisionByZeroError("division by zero"))),
    ],
    ids=["asyncpg", "sqlalchemy"],
)
async def test_other_database_errors_stay_a_500_without_internals(error: Exception) -> None:
    transport = httpx.ASGITransport(app=app_raising(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/v1/invoices")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "duplicate" not in response.text
    assert "division" not in response.text
