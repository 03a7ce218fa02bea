"""A route's fast path answers first when it can; the declared route answers everything else."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query, Request, Response

from ar_shared.routing import ServiceRoute, fast_path


async def only_small(request: Request) -> Response | None:
    """Answers `?n=` below 10 itself, and leaves the rest (and anything it cannot read) alone."""
    n = request.query_params.get("n", "")
    return Response(f"fast {n}") if n.isdigit() and int(n) < 10 else None


def app_with_fast_path() -> FastAPI:
    router = APIRouter(route_class=ServiceRoute)

    @router.get("/numbers")
    @fast_path(only_small)
    async def numbers(n: Annotated[int, Query(ge=0)]) -> Response:
        return Response(f"declared {n}")

    app = FastAPI()
    app.include_router(router)
    return app


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("n=3", 200, "fast 3"),
        ("n=12", 200, "declared 12"),
        ("n=-1", 422, None),  # the declared route's validation
        ("n=3&m=1", 200, "fast 3"),  # the fast path owns what it answers: here it does not check
    ],
)
async def test_the_fast_path_answers_first_and_the_declared_route_the_rest(
    query: str, status: int, body: str | None
) -> None:
    transport = httpx.ASGITransport(app=app_with_fast_path())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(f"/numbers?{query}")
    assert response.status_code == status
    if body is not None:
        assert response.text == body


def test_a_write_route_cannot_have_a_fast_path() -> None:
    router = APIRouter(route_class=ServiceRoute)

    async def create() -> None:
        return None

    with pytest.raises(TypeError, match="read-only"):
        router.post("/things")(fast_path(only_small)(create))
