"""Rows bound as one array per column (`unnest`): a statement whose text is the same whatever
the number of rows, compiled once, for the bulk writes of a strategy run's chunk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.sql.selectable import TableValuedAlias


def unnested(table: Table, columns: dict[str, Sequence[Any]], *, name: str) -> TableValuedAlias:
    """`unnest(array, ...) AS name(column, ...)`: each column's values as one array of its type."""
    arrays = [literal(list(values), ARRAY(table.c[n].type)) for n, values in columns.items()]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name=name)


def insert_from_arrays(table: Table, columns: dict[str, Sequence[Any]]) -> Insert:
    """`INSERT INTO table (column, ...) SELECT * FROM unnest(array, ...)`."""
    rows = unnested(table, columns, name="new_rows")
    return insert(table).from_select(list(columns), select(*(rows.c[n] for n in columns)))
