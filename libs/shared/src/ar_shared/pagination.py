"""One pagination shape for every list endpoint: `limit` + opaque `cursor` → `next_cursor`."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from ar_shared.problems import ProblemError

T = TypeVar("T")
R = TypeVar("R")
CursorValue = str | int | None

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# a cursor holds a few sort-key values; anything much longer was not issued by us, and the cap
# keeps a hostile cursor from making the JSON decoder recurse or allocate without bound
_MAX_CURSOR_LENGTH = 2048
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]*")


class Page(BaseModel, Generic[T]):
    """A page of a list: the items, and the cursor of the next page if there is one."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None,
        description="Pass as `cursor` to get the next page; null on the last page",
        examples=["WyIyMDI2LTExLTI0IiwiMDE5MzAwMDAiXQ"],
    )


@dataclass(frozen=True, slots=True)
class PageParams:
    """`limit` and `cursor` of a list request (an endpoint takes them as `Paging`)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page", examples=[DEFAULT_LIMIT])
    ] = DEFAULT_LIMIT,
    # no max_length here: decode_cursor answers every bad cursor with the same 400 problem
    cursor: Annotated[
        str | None, Query(description="`next_cursor` of the previous page; omit for the first page")
    ] = None,
) -> PageParams:
    # a coroutine on purpose: FastAPI runs plain functions and classes given to Depends in a
    # worker thread, a thread hop on every list request
    return PageParams(limit, cursor)


Paging = Annotated[PageParams, Depends(page_params)]


def _is_cursor_value(value: object) -> bool:
    # bool is an int subclass and float loses precision: neither is a sort key we issue
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def encode_cursor(values: Sequence[CursorValue]) -> str:
    """An opaque, URL-safe cursor holding the sort-key values of the last item on a page."""
    if not all(_is_cursor_value(v) for v in values):
        raise TypeError("cursor values are str, int or None (format dates and UUIDs as strings)")
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, arity: int) -> list[CursorValue]:
    """The `arity` values `encode_cursor` was given; 400 `invalid_cursor` for anything else."""
    invalid = ProblemError(
        "the cursor is not one this API issued; pass `next_cursor` back unchanged",
        status=400,
        code="invalid_cursor",
        title="Invalid cursor",
    )
    if len(cursor) > _MAX_CURSOR_LENGTH or not _URLSAFE_BASE64.fullmatch(cursor):
        raise invalid
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        raise invalid from None
    if not isinstance(values, list) or len(values) != arity or not all(map(_is_cursor_value, values)):
        raise invalid
    return values


def page_from_rows(
    rows: Sequence[R], limit: int, key: Callable[[R], Sequence[CursorValue]]
) -> tuple[list[R], str | None]:
    """Callers fetch `limit + 1` rows ordered by a unique key; returns the page and next cursor.

    The extra row only tells whether another page exists: no count query is needed.
    """
    items = list(rows[:limit])
    next_cursor = encode_cursor(key(items[-1])) if len(rows) > limit and items else None
    return items, next_cursor
