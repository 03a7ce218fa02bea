"""What the ERP and the bank send the ledger: customers (with their credit profiles set first),
invoices in bulk, payments with their allocations (short ones with a deduction reason), and the
credit memos a valid dispute asked for."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from demo.book import Book, CustomerPlan, InvoicePlan
from demo.client import Api

ERP = {"subject": "erp", "scopes": ("ledger:read", "ledger:write")}
BULK = 2000


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


async def set_business_date(api: Api, entity: str, day: date, time_zone: str | None = None) -> None:
    body: dict[str, str] = {"business_date": day.isoformat()}
    if time_zone is not None:
        body["time_zone"] = time_zone
    await api.put("ledger", f"/v1/business-dates/{entity}", body)


async def open_accounts(api: Api, book: Book) -> None:
    """Credit profiles first (by ERP id, before the customers exist), then the customers."""

    async def one(customer: CustomerPlan) -> None:
        await api.put(
            "credit",
            f"/v1/credit-profiles/external/{customer.external_id}",
            {
                "credit_limit": money(customer.credit_limit, customer.entity.currency),
                "risk_class": customer.profile.risk_class,
                "reason": "onboarding",
            },
            subject="credit-manager",
            scopes=("credit:manage",),
            ok=(200, 201, 202),
        )
        created = await api.put(
            "ledger",
            f"/v1/customers/external/{customer.external_id}",
            {
                "name": customer.name,
                "currency": customer.entity.currency,
                "payment_terms_days": customer.terms_days,
                "business_entity": customer.entity.code,
                "sales_rep": f"rep-{customer.entity.country.lower()}@seller.example",
                "contact_email": customer.email,
                "time_zone": customer.entity.time_zone,
            },
            **ERP,
        )
        customer.customer_id = created["id"]

    await asyncio.gather(*(one(c) for c in book.customers))


async def issue(api: Api, book: Book, invoices: Sequence[InvoicePlan]) -> None:
    """Posts the invoices in bulk requests and keeps each one's ledger id."""
    ids = {c.external_id: c.customer_id for c in book.customers}

    async def chunk(part: Sequence[InvoicePlan]) -> None:
        currency = {c.external_id: c.entity.currency for c in book.customers}
        items = [
            {
                "customer_id": ids[i.customer],
                "invoice_number": i.number,
                "issue_date": i.issue_date.isoformat(),
                "due_date": i.due_date.isoformat(),
                "amount": money(i.amount, currency[i.customer]),
            }
            for i in part
        ]
        answer = await api.post("ledger", "/v1/invoices/bulk", {"items": items}, **ERP)
        for plan, invoice_id in zip(part, answer["invoice_ids"], strict=True):
            plan.invoice_id = invoice_id

    await asyncio.gather(*(chunk(invoices[n : n + BULK]) for n in range(0, len(invoices), BULK)))


async def pay(
    api: Api, customer: CustomerPlan, invoices: Sequence[InvoicePlan], on: date, reference: str
) -> Decimal:
    """One payment for the invoices, each paid in full or short by its planned deduction."""
    allocations = []
    for invoice in invoices:
        paid = invoice.open - invoice.deduction if invoice.deduction < invoice.open else invoice.open
        allocation = {"invoice_id": invoice.invoice_id, "amount": money(paid, customer.entity.currency)}
        if paid < invoice.open:
            allocation["deduction_reason"] = invoice.deduction_reason
        allocations.append(allocation)
        invoice.open -= paid
        invoice.pay_on = None
    total = sum((Decimal(a["amount"]["amount"]) for a in allocations), Decimal(0))  # type: ignore[index]
    await api.post(
        "ledger",
        "/v1/payments",
        {
            "customer_id": customer.customer_id,
            "amount": money(total, customer.entity.currency),
            "received_on": on.isoformat(),
            "method": "sepa" if customer.entity.currency == "EUR" else "ach",
            "external_reference": reference,
            "allocations": allocations,
        },
        **ERP,
    )
    return total


async def credit_memo(
    api: Api,
    customer: CustomerPlan,
    invoice: InvoicePlan,
    amount: Decimal,
    on: date,
    request_id: str,
    dispute_id: str,
    number: str,
) -> None:
    await api.post(
        "ledger",
        "/v1/credit-memos",
        {
            "customer_id": customer.customer_id,
            "memo_number": number,
            "issue_date": on.isoformat(),
            "amount": money(amount, customer.entity.currency),
            "invoice_id": invoice.invoice_id,
            "reason_code": "dispute_settlement",
            "request_id": request_id,
            "dispute_id": dispute_id,
        },
        **ERP,
    )
    invoice.open -= amount
