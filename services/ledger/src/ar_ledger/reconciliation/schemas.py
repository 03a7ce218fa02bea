"""API shapes of a reconciliation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from ar_ledger.domain.reconciliation import Difference, Status


class ErpSide(BaseModel):
    rows: list[int] = Field(description="The file's row numbers of this document (several: added up)")
    document_date: date
    due_date: date
    amount: str = Field(description="Signed: a credit is negative", examples=["1190.00", "-50.00"])


class LedgerSide(BaseModel):
    kind: Literal["invoice", "credit_memo", "payment"]
    document_id: uuid.UUID
    document_date: date
    due_date: date | None = Field(description="Invoices only")
    amount: str = Field(
        description="An invoice's open balance, or (negative) a memo's or payment's unapplied money"
    )


class ReconciledItem(BaseModel):
    document_number: str = Field(
        description="Invoice or credit memo number; for a payment its bank reference (or its id)"
    )
    status: Status = Field(
        description="`matched`, `differs` (see `differences`), `erp_only` or `ledger_only`"
    )
    differences: list[Difference]
    currency: str
    erp: ErpSide | None
    ledger: LedgerSide | None
    difference: str | None = Field(description="ERP minus ledger; null when the currencies differ")


class StatusTotals(BaseModel):
    count: int
    erp_amount: str
    ledger_amount: str


class CurrencyTotals(BaseModel):
    currency: str
    erp_total: str
    ledger_total: str
    difference: str = Field(description="ERP total minus ledger total")
    matched: StatusTotals
    differs: StatusTotals
    erp_only: StatusTotals
    ledger_only: StatusTotals


class CustomerReconciliation(BaseModel):
    customer_external_id: str
    customer_id: uuid.UUID | None = Field(description="Null when the ledger has no customer with this ERP id")
    name: str | None
    totals: list[CurrencyTotals]
    items: list[ReconciledItem]


class Reconciliation(BaseModel):
    as_of: date
    mapping: str
    scope: str = Field(examples=["all", "business_entity:DE01"])
    totals: list[CurrencyTotals] = Field(description="Everything compared, per currency")
    customers: list[CustomerReconciliation] = Field(
        description="Per customer (by ERP id); with `only_differences`, customers and items that match "
        "are left out, totals still count them"
    )
