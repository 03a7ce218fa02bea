"""The ledger API: `uvicorn ar_ledger.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ar_ledger.business_dates.endpoints import router as business_dates_router
from ar_ledger.config import LedgerSettings, get_settings
from ar_ledger.credit_memos.endpoints import router as credit_memos_router
from ar_ledger.customers.endpoints import router as customers_router
from ar_ledger.invoices.endpoints import router as invoices_router
from ar_ledger.models import plumbing
from ar_ledger.past_due.endpoints import router as past_due_router
from ar_ledger.payments.endpoints import router as payments_router
from ar_ledger.reports.endpoints import router as reports_router
from ar_ledger.write_offs.endpoints import router as write_offs_router
from ar_shared.app import create_service_app
from ar_shared.clock import SYSTEM_CLOCK, Clock

DESCRIPTION = """
The receivables system of record: customers, invoices, payments, credit memos and write-offs,
kept in a double-entry journal, with aging, statements and DSO as of any date.

All routes need a bearer token; reads need `ledger:read`, writes `ledger:write`, setting a
business date `admin`.
Money is a decimal string plus an ISO 4217 code; errors are RFC 9457 problem documents.
"""


def create_app(settings: LedgerSettings | None = None, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        clock=clock,
        title="AR Ledger",
        description=DESCRIPTION,
        plumbing=plumbing,
        routers=[
            customers_router,
            invoices_router,
            payments_router,
            credit_memos_router,
            write_offs_router,
            reports_router,
            past_due_router,
            business_dates_router,
        ],
        openapi_tags=[
            {"name": "customers", "description": "Customer accounts, upserted by ERP id"},
            {"name": "invoices", "description": "Invoices: issue (one or in bulk), void, list"},
            {"name": "payments", "description": "Cash received, applied, unapplied and reversed"},
            {"name": "credit memos", "description": "Credits that reduce what a customer owes"},
            {"name": "write-offs", "description": "Amounts declared uncollectable"},
            {"name": "reports", "description": "Open items and aging as of any date, CSV and XLSX"},
            {"name": "past-due", "description": "The past-due sweep that emits AccountPastDue"},
            {
                "name": "business dates",
                "description": "Each business entity's business date (its today) and its close of business",
            },
        ],
    )
