"""One pagination shape for every list endpoint: `limit` + opaque `cursor` → `next_cursor`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from ar_shared.problems import ProblemError

T = TypeVar("T")
R = TypeVar("R")
CursorValue = str | int | None


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page"
    )


class PageParams:
    """`limit` and `cursor` query parameters (use as `Annotated[PageParams, Depends()]`)."""

    def __init__(
        self,
        limit: int = Query(50, ge=1, le=500, description="Items per page"),
        cursor: str | None = Query(None, description="`next_cursor` of the previous page"),
    ) -> None:
        self.limit = limit
        self.cursor = cursor


def encode_cursor(values: Sequence[CursorValue]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, arity: int) -> list[CursorValue]:
    invalid = ProblemError("the cursor is not one this API issued", code="invalid_cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(values, list) or len(values) != arity:
        raise invalid
    if not all(v is None or isinstance(v, str | int) for v in values):
        raise invalid
    return values


def page_from_rows(
    rows: Sequence[R], limit: int, key: Callable[[R], Sequence[CursorValue]]
) -> tuple[list[R], str | None]:
    """Callers fetch `limit + 1` rows ordered by a unique key; returns the page and next cursor."""
    items = list(rows[:limit])
    next_cursor = encode_cursor(key(items[-1])) if len(rows) > limit and items else None
    return items, next_cursor
