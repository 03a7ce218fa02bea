"""One aging rule: the SQL the reports sum buckets with gives each day the bucket Python gives it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ar_collections.domain.aging import DEFAULT_EDGES, bucket, bucket_index, bucket_labels, bucket_sql
from ar_collections.testing import Book

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("edges", [DEFAULT_EDGES, (15, 45), (1,)])
async def test_the_sql_bucket_of_every_day_is_the_python_one(book: Book, edges: tuple[int, ...]) -> None:
    async with book.session() as session:
        rows = await session.execute(
            text(f"SELECT d, {bucket_sql(edges, 'd', '0')} FROM generate_series(-5, 200) d")
        )
        in_sql = {int(days): int(index) for days, index in rows}
    assert in_sql == {days: bucket_index(days, edges) for days in range(-5, 201)}
    labels = bucket_labels(edges)
    assert all(labels[bucket_index(days, edges)] == bucket(days, edges) for days in range(-5, 201))
