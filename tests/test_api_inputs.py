"""Every route input of every service is built from `ar_shared.inputs`: a new one cannot forget."""

from __future__ import annotations

import importlib

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from ar_shared.inputs import BusinessDate, Text
from ar_shared.provisioning import SERVICES
from ar_shared.testing.inputs import unguarded_inputs


@pytest.mark.parametrize("service", SERVICES)
def test_every_path_query_and_body_input_is_built_from_the_shared_input_types(service: str) -> None:
    app: FastAPI = importlib.import_module(f"ar_{service}.main").create_app()
    assert unguarded_inputs(app) == []


class Line(BaseModel):
    note: str
    day: BusinessDate


class Order(BaseModel):
    reference: Text
    lines: list[Line]
    extra: dict[str, object] = Field(default_factory=dict)


def test_the_check_finds_plain_strings_dates_and_free_json_anywhere_in_an_input() -> None:
    app = FastAPI()

    @app.post("/orders/{code}")
    async def create(
        code: str, order: Order, since: BusinessDate | None = None, q: str | None = None
    ) -> None:
        return None

    assert sorted(unguarded_inputs(app)) == [
        "POST /orders/{code}: body order.extra.* (any)",
        "POST /orders/{code}: body order.extra.<key> (str)",
        "POST /orders/{code}: body order.lines.note (str)",
        "POST /orders/{code}: path code (str)",
        "POST /orders/{code}: query q (str)",
    ]
