"""Reconciling the ERP's open items with the ledger's (pure): match, differ, or one side only."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Status = Literal["matched", "differs", "erp_only", "ledger_only"]
STATUSES: tuple[Status, ...] = ("matched", "differs", "erp_only", "ledger_only")
Side = Literal["debit", "credit"]
Difference = Literal["amount", "currency", "due_date"]


@dataclass(frozen=True)
class ErpItem:
    """One open item as the ERP lists it: a debit (invoice) when positive, a credit when negative."""

    row: int  # as the spreadsheet numbers it, so errors point where the user looks
    customer: str
    document_number: str
    document_date: date
    due_date: date
    amount_minor: int
    currency: str

    @property
    def side(self) -> Side:
        return "credit" if self.amount_minor < 0 else "debit"


@dataclass(frozen=True)
class ErpDocument:
    """The ERP's lines of one document (an export may split a document into several lines)."""

    rows: tuple[int, ...]
    document_date: date
    due_date: date
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class LedgerItem:
    """What the ledger has open as of the date: an invoice's open balance (positive), or a credit
    memo's or payment's unapplied money (negative)."""

    customer: str  # the ERP id
    document_number: str
    kind: Literal["invoice", "credit_memo", "payment"]
    document_id: uuid.UUID
    document_date: date
    due_date: date | None  # invoices only
    amount_minor: int
    currency: str

    @property
    def side(self) -> Side:
        return "credit" if self.amount_minor < 0 else "debit"


@dataclass(frozen=True)
class Compared:
    customer: str
    document_number: str
    status: Status
    differences: tuple[Difference, ...]
    erp: ErpDocument | None
    ledger: LedgerItem | None


def documents(items: Iterable[ErpItem]) -> dict[tuple[str, str, Side], ErpDocument]:
    """The ERP's lines per (customer, document number, debit or credit), lines of one document
    added up (earliest dates kept). Lines of one document in two currencies raise ValueError."""
    grouped: dict[tuple[str, str, Side], list[ErpItem]] = defaultdict(list)
    for item in items:
        grouped[(item.customer, item.document_number, item.side)].append(item)
    result = {}
    for key, lines in grouped.items():
        currencies = {line.currency for line in lines}
        if len(currencies) > 1:
            rows = ", ".join(str(line.row) for line in lines)
            raise ValueError(
                f"document {key[1]} of customer {key[0]} is listed in {len(currencies)} currencies "
                f"(rows {rows})"
            )
        result[key] = ErpDocument(
            rows=tuple(line.row for line in lines),
            document_date=min(line.document_date for line in lines),
            due_date=min(line.due_date for line in lines),
            amount_minor=sum(line.amount_minor for line in lines),
            currency=lines[0].currency,
        )
    return result


def compare(erp: Sequence[ErpItem], ledger: Sequence[LedgerItem]) -> list[Compared]:
    """Every document of either side once, by customer and document number (debits with debits,
    credits with credits). Amounts must agree in currency and value; due dates for invoices."""
    theirs = documents(erp)
    ours = {(item.customer, item.document_number, item.side): item for item in ledger}
    result = []
    for key in sorted(set(theirs) | set(ours)):
        customer, number, _ = key
        mine, other = ours.get(key), theirs.get(key)
        if mine is None or other is None:
            status: Status = "erp_only" if mine is None else "ledger_only"
            result.append(Compared(customer, number, status, (), other, mine))
            continue
        differences: list[Difference] = []
        if other.currency != mine.currency:
            differences.append("currency")
        elif other.amount_minor != mine.amount_minor:
            differences.append("amount")
        if mine.due_date is not None and other.due_date != mine.due_date:
            differences.append("due_date")
        result.append(
            Compared(
                customer, number, "differs" if differences else "matched", tuple(differences), other, mine
            )
        )
    return result


@dataclass
class StatusTotal:
    count: int = 0
    erp_minor: int = 0
    ledger_minor: int = 0


@dataclass
class CurrencyTotal:
    currency: str
    erp_minor: int = 0
    ledger_minor: int = 0
    by_status: dict[Status, StatusTotal] = field(default_factory=lambda: {s: StatusTotal() for s in STATUSES})

    @property
    def difference_minor(self) -> int:
        return self.erp_minor - self.ledger_minor


def totals(compared: Iterable[Compared]) -> list[CurrencyTotal]:
    """Per currency: each side's total, and count and amounts per status. Each side's amount counts
    in its own currency; an item counts where its ERP side (else its ledger side) is."""
    by_currency: dict[str, CurrencyTotal] = {}

    def of(currency: str) -> CurrencyTotal:
        return by_currency.setdefault(currency, CurrencyTotal(currency))

    for item in compared:
        currency = item.erp.currency if item.erp is not None else item.ledger.currency if item.ledger else ""
        of(currency).by_status[item.status].count += 1
        if item.erp is not None:
            of(item.erp.currency).erp_minor += item.erp.amount_minor
            of(item.erp.currency).by_status[item.status].erp_minor += item.erp.amount_minor
        if item.ledger is not None:
            of(item.ledger.currency).ledger_minor += item.ledger.amount_minor
            of(item.ledger.currency).by_status[item.status].ledger_minor += item.ledger.amount_minor
    return [by_currency[c] for c in sorted(by_currency)]
