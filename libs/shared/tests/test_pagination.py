"""Cursor pagination: opaque round trip, malformed cursors refused as problems."""

from __future__ import annotations

import pytest

from ar_shared.pagination import decode_cursor, encode_cursor, page_from_rows
from ar_shared.problems import ProblemError


def test_cursor_round_trips() -> None:
    cursor = encode_cursor(["2026-11-24T10:00:00+00:00", "abc", 7, None])
    assert decode_cursor(cursor, 4) == ["2026-11-24T10:00:00+00:00", "abc", 7, None]


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", encode_cursor(["only-one"]), "eyJhIjoxfQ"])
def test_malformed_cursors_are_a_400_problem(cursor: str) -> None:
    with pytest.raises(ProblemError) as raised:
        decode_cursor(cursor, 2)
    assert raised.value.status == 400
    assert raised.value.code == "invalid_cursor"


def test_page_from_rows_returns_a_cursor_only_when_more_rows_exist() -> None:
    items, cursor = page_from_rows([1, 2, 3], 2, lambda n: [n])
    assert items == [1, 2]
    assert cursor is not None
    assert decode_cursor(cursor, 1) == [2]
    assert page_from_rows([1, 2], 2, lambda n: [n]) == ([1, 2], None)
