"""Rows bound as one array per column (`unnest`): a statement whose text is the same whatever
the number of rows, compiled once, for the bulk writes of a strategy run's chunk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.selectable import FromClause, TableValuedAlias


def unnested(table: Table, columns: Mapping[str, Sequence[Any]], *, name: str) -> TableValuedAlias:
    """`unnest(array, ...) AS name(column, ...)`: each column's values as one array of its type."""
    arrays = [literal(list(values), ARRAY(table.c[n].type)) for n, values in columns.items()]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name=name)


def insert_from_arrays(table: Table, columns: Mapping[str, Sequence[Any]]) -> Insert:
    """`INSERT INTO table (column, ...) SELECT * FROM unnest(array, ...)`."""
    rows = unnested(table, columns, name="new_rows")
    return insert(table).from_select(list(columns), select(*(rows.c[n] for n in columns)))


def insert_records(table: FromClause, records: Sequence[Any], columns: Sequence[str]) -> ReturningInsert[Any]:
    """The records' `columns` (attributes of the same names) inserted from arrays, returning each
    row's `id` and `created_at` (the database's clock stamps them)."""
    assert isinstance(table, Table)
    arrays = {n: [getattr(r, n) for r in records] for n in columns}
    return insert_from_arrays(table, arrays).returning(table.c.id, table.c.created_at)
