"""Cursor pagination: opaque round trip, malformed cursors refused as problems, one page shape."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from ar_shared.pagination import Page, Paging, decode_cursor, encode_cursor, page_from_rows
from ar_shared.problems import ProblemError, install_problem_handlers


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def forged(*values: object) -> str:
    """A well-formed cursor this API never issued."""
    return raw_cursor(json.dumps(list(values)))


AN_ID = uuid.UUID("0b7f1f2b-3f1a-4c59-9a57-8d6f4c2e9e10")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def test_cursor_keys_round_trip_with_their_types_and_the_cursor_is_url_safe() -> None:
    cursor = encode_cursor([AN_ID, date(2026, 11, 24), AT])
    assert decode_cursor(cursor, uuid.UUID, date, datetime) == (AN_ID, date(2026, 11, 24), AT)
    cursor = encode_cursor(["é/ü+?\n", -(2**63), "EUR"])
    assert decode_cursor(cursor, str, int, str) == ("é/ü+?\n", -(2**63), "EUR")
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "",
        "a",
        "eyJ+",
        raw_cursor("not json"),
        raw_cursor('{"a": 1}'),
        raw_cursor('"a string"'),
        encode_cursor(["only-one"]),
        encode_cursor(["one", "two", "three"]),
        raw_cursor("[true, 1]"),
        raw_cursor("[1.5, 1]"),
        raw_cursor('[["nested"], 1]'),
        raw_cursor("[" * 5000),
        "A" * 5000,
        base64.urlsafe_b64encode(b"\xff\xfe[1,2]").decode(),
    ],
    ids=lambda c: c[:20] or "empty",
)
def test_malformed_cursors_are_a_400_problem(cursor: str) -> None:
    with pytest.raises(ProblemError) as raised:
        decode_cursor(cursor, str, str)
    assert raised.value.status == 400
    assert raised.value.code == "invalid_cursor"


@pytest.mark.parametrize(
    ("shape", "cursor"),
    [
        ((uuid.UUID,), forged("x")),
        ((uuid.UUID,), forged(1)),
        ((uuid.UUID,), forged(None)),
        ((uuid.UUID,), forged("\ud800")),
        ((date, uuid.UUID), forged("2026-02-30", str(AN_ID))),
        ((date, uuid.UUID), forged("2026-01-01", "x")),
        ((date, uuid.UUID), forged(20260101, str(AN_ID))),
        ((datetime, uuid.UUID), forged("0001-01-01T00:00:00+14:00", str(AN_ID))),
        ((datetime, uuid.UUID), forged("9999-12-31T23:59:59-14:00", str(AN_ID))),
        ((datetime, uuid.UUID), forged("2026-11-24T10:00:00", str(AN_ID))),
        ((int, str, uuid.UUID), forged(2**63, "EUR", str(AN_ID))),
        ((int, str, uuid.UUID), forged(-(2**63) - 1, "EUR", str(AN_ID))),
        ((int, str, uuid.UUID), forged(10**30, "EUR", str(AN_ID))),
        ((int, str, uuid.UUID), forged("100", "EUR", str(AN_ID))),
        ((int, str, uuid.UUID), forged(True, "EUR", str(AN_ID))),
        ((str, str, uuid.UUID), forged("Acme\u0000", "EUR", str(AN_ID))),
        ((str, str, uuid.UUID), forged(7, "EUR", str(AN_ID))),
    ],
    ids=str,
)
def test_a_well_formed_cursor_with_keys_of_the_wrong_type_is_a_400_problem(
    shape: tuple[type[Any], ...], cursor: str
) -> None:
    with pytest.raises(ProblemError) as raised:
        decode_cursor(cursor, *shape)
    assert (raised.value.status, raised.value.code) == (400, "invalid_cursor")


@pytest.mark.parametrize("value", [1.5, True, None, object(), datetime(2026, 11, 24, 10, 0)])
def test_only_uuids_dates_aware_datetimes_ints_and_strings_can_be_put_in_a_cursor(value: object) -> None:
    with pytest.raises(TypeError):
        encode_cursor([value])  # type: ignore[list-item]


def test_page_from_rows_returns_a_cursor_only_when_more_rows_exist() -> None:
    items, cursor = page_from_rows([1, 2, 3], 2, lambda n: [n])
    assert items == [1, 2]
    assert cursor is not None
    assert decode_cursor(cursor, int) == (2,)
    assert page_from_rows([1, 2], 2, lambda n: [n]) == ([1, 2], None)
    assert page_from_rows([], 2, lambda n: [n]) == ([], None)


class Customer(BaseModel):
    number: int
    name: str


CUSTOMERS = [Customer(number=n, name=f"customer {n}") for n in range(1, 61)]


def customers_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/customers")
    async def list_customers(page: Paging) -> Page[Customer]:
        after = decode_cursor(page.cursor, int)[0] if page.cursor else 0
        # what a repository does: rows past the cursor, ordered by the unique key, limit + 1 of them
        rows = [c for c in CUSTOMERS if c.number > after][: page.limit + 1]
        items, next_cursor = page_from_rows(rows, page.limit, lambda c: [c.number])
        return Page[Customer](items=items, next_cursor=next_cursor)

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=customers_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_following_next_cursor_visits_every_item_once(client: httpx.AsyncClient) -> None:
    seen: list[int] = []
    pages = 0
    params: dict[str, str | int] = {"limit": 25}
    while True:
        body = (await client.get("/v1/customers", params=params)).json()
        pages += 1
        seen += [c["number"] for c in body["items"]]
        if body["next_cursor"] is None:
            break
        params = {"limit": 25, "cursor": body["next_cursor"]}
    assert seen == list(range(1, 61))
    assert pages == 3


async def test_limit_defaults_to_50_and_is_bounded(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/customers")
    too_small = await client.get("/v1/customers", params={"limit": 0})
    too_large = await client.get("/v1/customers", params={"limit": 501})
    largest = await client.get("/v1/customers", params={"limit": 500})
    assert [c["number"] for c in first.json()["items"]] == list(range(1, 51))
    assert decode_cursor(first.json()["next_cursor"], int) == (50,)
    assert largest.status_code == 200
    for response in (too_small, too_large):
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "limit"


async def test_a_tampered_cursor_is_a_400_problem_response(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/customers", params={"cursor": "not-a-cursor!"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_cursor"


def test_openapi_documents_limit_cursor_and_the_page_shape() -> None:
    spec = customers_app().openapi()
    parameters = {p["name"]: p for p in spec["paths"]["/v1/customers"]["get"]["parameters"]}
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["limit"]["schema"]["maximum"] == 500
    assert parameters["limit"]["schema"]["default"] == 50
    assert "next_cursor" in parameters["cursor"]["description"]
    page_schema = spec["components"]["schemas"]["Page_Customer_"]
    assert set(page_schema["properties"]) == {"items", "next_cursor"}
