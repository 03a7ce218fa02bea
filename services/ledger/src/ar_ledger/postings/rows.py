"""Rows the posting engine writes, by name: each column list is generated from its row type.

A row type's fields are its table's columns (`tests/test_posting_engine.py` holds them against
the table), so a COPY, a multi-row INSERT and the one-statement invoice write all take their
column lists from here, and a value in the wrong place is a type error, not a silent swap.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from operator import attrgetter
from typing import Any, ClassVar, Protocol


class Row(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


@cache
def columns_of(row_type: type[Row]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row_type))


@cache
def _getter(row_type: type[Row]) -> Callable[[Row], tuple[object, ...]]:
    # one C call per row: the bulk path reads 50,000 rows a request
    return attrgetter(*columns_of(row_type))


def values_of(row: Row) -> tuple[object, ...]:
    return _getter(type(row))(row)


def as_dict(row: Row) -> dict[str, object]:
    return {name: getattr(row, name) for name in columns_of(type(row))}


@dataclass(frozen=True, slots=True)
class NewInvoice:
    id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int
    status: str
    order_reference: str | None
    po_number: str | None
    version: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewChargeDocument(NewInvoice):
    """A fee document: an invoice of kind `dunning_fee` or `late_interest`, for one charge request."""

    document_kind: str
    charge_request_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class NewJournalEntry:
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    document_id: uuid.UUID
    effective_date: date


@dataclass(frozen=True, slots=True)
class NewJournalLine:
    entry_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None
    account: str
    currency: str
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True, slots=True)
class NewCreditMemo:
    id: uuid.UUID
    customer_id: uuid.UUID
    business_entity: str
    memo_number: str
    currency: str
    amount_minor: int
    unapplied_minor: int
    issue_date: date
    invoice_id: uuid.UUID | None
    reason_code: str | None
    created_at: datetime
