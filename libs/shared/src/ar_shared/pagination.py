"""One pagination shape for every list endpoint: `limit` + opaque `cursor` → `next_cursor`."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar, overload

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from ar_shared.inputs import Identifier
from ar_shared.problems import ProblemError

T = TypeVar("T")
R = TypeVar("R")

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
    # no max_length here: decode_cursor answers every cursor it did not issue with one 400 problem
    cursor: Annotated[
        Identifier | None, Query(description="`next_cursor` of the previous page; omit for the first page")
    ] = None,
) -> PageParams:
    # a coroutine on purpose: FastAPI runs plain functions and classes given to Depends in a
    # worker thread, a thread hop on every list request
    return PageParams(limit, cursor)


Paging = Annotated[PageParams, Depends(page_params)]


CursorKey = uuid.UUID | datetime | date | int | str
"""What a cursor can hold: the sort-key values of the last item of a page."""

K1 = TypeVar("K1", bound=CursorKey)
K2 = TypeVar("K2", bound=CursorKey)
K3 = TypeVar("K3", bound=CursorKey)

_BIGINT = range(-(2**63), 2**63)
# not what the input types refuse in text: a name stored before they existed is still a sort key
_NOT_FOR_POSTGRESQL = re.compile("[\x00\ud800-\udfff]")


def _encoded(value: CursorKey) -> str | int:
    # bool is an int subclass, and a float would lose precision: neither is a sort key we issue
    if isinstance(value, bool) or not isinstance(value, CursorKey):
        raise TypeError(
            f"cursor keys are UUIDs, dates, datetimes, ints or strings, not {type(value).__name__}"
        )
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise TypeError("a datetime in a cursor needs its UTC offset")
    if isinstance(value, uuid.UUID | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def encode_cursor(values: Sequence[CursorKey]) -> str:
    """An opaque, URL-safe cursor holding the sort-key values of the last item on a page."""
    raw = json.dumps([_encoded(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decoded(value: object, kind: type[Any]) -> CursorKey:
    """The value as `kind`, checked so that it reaches SQL as a valid parameter; ValueError if not."""
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool) and value in _BIGINT:
            return value
        raise ValueError("not a BIGINT")
    if not isinstance(value, str):
        raise ValueError("not a string")
    if kind is str:
        if _NOT_FOR_POSTGRESQL.search(value):
            raise ValueError("a NUL or a lone surrogate cannot be sent to PostgreSQL")
        return value
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            raise ValueError("no UTC offset")
        moment.astimezone(UTC)  # the year 1 or 9999 with an offset overflows on the way to SQL
        return moment
    if kind is date:
        return date.fromisoformat(value)
    raise TypeError(f"{kind.__name__} is not a cursor key type")


@overload
def decode_cursor(cursor: str, first: type[K1], /) -> tuple[K1]: ...
@overload
def decode_cursor(cursor: str, first: type[K1], second: type[K2], /) -> tuple[K1, K2]: ...
@overload
def decode_cursor(
    cursor: str, first: type[K1], second: type[K2], third: type[K3], /
) -> tuple[K1, K2, K3]: ...
def decode_cursor(cursor: str, *shape: type[Any]) -> tuple[CursorKey, ...]:
    """The keys `encode_cursor` was given, each of the type the endpoint declares in `shape`.

    Anything else, a cursor this API never issued included, is 400 `invalid_cursor`: every
    value that comes out has its declared type and fits its SQL column.
    """
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
        if not isinstance(values, list) or len(values) != len(shape):
            raise invalid
        return tuple(_decoded(value, kind) for value, kind in zip(values, shape, strict=True))
    except (binascii.Error, ValueError, RecursionError, OverflowError):
        raise invalid from None


def page_from_rows(
    rows: Sequence[R], limit: int, key: Callable[[R], Sequence[CursorKey]]
) -> tuple[list[R], str | None]:
    """Callers fetch `limit + 1` rows ordered by a unique key; returns the page and next cursor.

    The extra row only tells whether another page exists: no count query is needed.
    """
    items = list(rows[:limit])
    next_cursor = encode_cursor(key(items[-1])) if len(rows) > limit and items else None
    return items, next_cursor
