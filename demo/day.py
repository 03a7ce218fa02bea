"""One simulated business day of every entity: the strategy runs, the collectors' calls on the
top of their worklists, disputes opened and resolved, the day's invoices, payments and orders."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from demo import erp
from demo.book import DISPUTE_REASONS, Book, CustomerPlan, InvoicePlan
from demo.client import Api, ApiError
from demo.organisation import Desk, Organisation
from demo.tally import Tally

MANAGE = ("collections:manage",)
WORK = ("collections:work",)


@dataclass
class OpenDispute:
    case_id: str
    customer: CustomerPlan
    invoice: InvoicePlan
    resolve_on: date
    valid: bool


@dataclass
class Simulation:
    api: Api
    book: Book
    organisation: Organisation
    seed: int
    calls_per_collector: int
    tally: Tally = field(default_factory=Tally)
    disputes: list[OpenDispute] = field(default_factory=list)
    promised_until: dict[str, date] = field(default_factory=dict)  # customer id → promise deadline
    issued_through: dict[str, date] = field(default_factory=dict)  # entity → last day invoiced

    def __post_init__(self) -> None:
        self.by_id = {c.customer_id: c for c in self.book.customers}

    def rng_for(self, *parts: object) -> random.Random:
        """A generator of its own per collector and day (or chore and day): collectors work at the
        same time, and each one's draws stay the same whatever order their answers arrive in."""
        return random.Random("-".join(str(p) for p in (self.seed, *parts)))

    def customers_of(self, desk: Desk) -> list[CustomerPlan]:
        return [c for c in self.book.customers if c.entity == desk.entity]

    async def day(self, today: date, desk: Desk) -> None:
        """The entity's day (entities share nothing, so the demo runs them side by side); the
        day's dunning is the worker's strategy run, started by the business date's change."""
        with self.tally.timed("collectors"):
            await asyncio.gather(*(self.work_worklist(c, today) for c in (desk.early, desk.late)))
        with self.tally.timed("disputes"):
            await self.open_disputes(today, desk)
            await self.resolve_disputes(today, desk)
        with self.tally.timed("invoices, payments, orders"):

            async def books() -> None:
                await self.issue_invoices(today, desk)
                await self.receive_payments(today, desk)

            # the order system does not wait for the bank: credit judges orders on what it knows
            await asyncio.gather(books(), self.take_orders(today, desk))

    async def strategy_run(self, today: date, desk: Desk) -> None:
        """Runs the entity's dunning for the day now. The worker runs each day the business date
        moves to (that is the platform's daily run); this one, on the first day once the book is
        in and after the last day, fires whatever that run did not (a step fires once, whichever
        run gets there first)."""
        await self.api.post(
            "collections",
            "/v1/strategy-runs",
            {"business_entity": desk.entity.code, "as_of": today.isoformat()},
            subject=desk.manager,
            scopes=MANAGE,
        )

    async def work_worklist(self, collector: str, today: date) -> None:
        """The collector calls the accounts at the top of the worklist: a promise when reached
        (kept or broken as the customer's profile has it), a dispute when the customer has one."""
        page = await self.api.get(
            "collections",
            "/v1/worklist",
            params={"limit": self.calls_per_collector},
            subject=collector,
            scopes=WORK,
        )
        await asyncio.gather(*(self.call(collector, item, today) for item in page["items"]))

    async def call(self, collector: str, item: dict[str, Any], today: date) -> None:
        """One call of the collector's day (the calls go out side by side: each account draws from
        a generator of its own, so the story does not depend on which answer comes first)."""
        rng = self.rng_for(collector, today, item["customer_id"])
        customer = self.by_id.get(item["customer_id"])
        if customer is None:
            return
        overdue = [
            i
            for i in customer.invoices
            if i.open > 0 and i.due_date < today and not i.in_dispute and i.invoice_id is not None
        ]
        reached = rng.random() < 0.7
        promising = reached and bool(overdue) and self.promised_until.get(item["customer_id"], today) <= today
        disputing = promising and any(i.disputed for i in overdue)
        outcome = (
            ("disputed" if disputing else "promised_to_pay" if promising else "reached")
            if reached
            else rng.choice(("no_answer", "left_voicemail"))
        )
        call_tasks = [t["id"] for t in item["tasks"] if t["kind"] == "call"]
        activity = await self.api.post(
            "collections",
            f"/v1/accounts/{item['customer_id']}/activities",
            {
                "kind": "call",
                "direction": "outbound",
                "outcome": outcome,
                "contact": "accounts payable",
                "summary": f"Called about {len(overdue)} overdue invoices",
                "duration_seconds": rng.randint(40, 600),
                "completes_task_id": call_tasks[0] if call_tasks else None,
            },
            subject=collector,
            scopes=WORK,
        )
        self.tally.calls += 1
        if disputing:
            for invoice in overdue:
                if invoice.disputed:
                    await self.dispute(customer, invoice, today, rng, collector=collector)
        elif promising:
            await self.promise(customer, overdue, today, collector, activity["id"], rng)

    async def promise(
        self,
        customer: CustomerPlan,
        invoices: list[InvoicePlan],
        today: date,
        collector: str,
        activity_id: str,
        rng: random.Random,
    ) -> None:
        promised = today + timedelta(days=rng.randint(2, 10))
        try:
            made = await self.promise_to_pay(customer, invoices, promised, collector, activity_id)
        except ApiError as refused:
            if refused.code != "item_already_promised":
                raise
            return  # the last promise is not judged yet (it waits out its tolerance days)
        self.tally.promises += 1
        # the platform judges a promise after its deadline: no new one for these items before
        self.promised_until[str(customer.customer_id)] = date.fromisoformat(made["deadline"]) + timedelta(
            days=1
        )
        kept = rng.random() < customer.profile.keeps_promises
        self.tally.promises_meant_kept += kept
        for invoice in invoices:
            if kept:
                invoice.pay_on = min(invoice.pay_on or promised, promised)
            elif invoice.pay_on is None or invoice.pay_on <= promised:
                # broken: nothing on the day, paid later (or, for the worst payers, not at all)
                later = promised + timedelta(days=rng.randint(15, 40))
                invoice.pay_on = None if rng.random() < customer.profile.never_pays else later

    async def promise_to_pay(
        self,
        customer: CustomerPlan,
        invoices: list[InvoicePlan],
        promised: date,
        collector: str,
        activity_id: str,
    ) -> dict[str, Any]:
        amount = sum((i.open for i in invoices), Decimal(0))
        made: dict[str, Any] = await self.api.post(
            "collections",
            f"/v1/accounts/{customer.customer_id}/promises",
            {
                "amount": erp.money(amount, customer.entity.currency),
                "promised_date": promised.isoformat(),
                "invoice_ids": [i.invoice_id for i in invoices],
                "channel": "call",
                "note": f"activity {activity_id}",
                "send_confirmation": False,
            },
            subject=collector,
            scopes=WORK,
        )
        return made

    async def dispute(
        self,
        customer: CustomerPlan,
        invoice: InvoicePlan,
        today: date,
        rng: random.Random,
        collector: str | None = None,
        manager: str | None = None,
    ) -> None:
        """Opened by the collector who took the call, or else (the customer wrote in) by the
        entity's manager for the order-to-cash department."""
        reason, root_cause = rng.choice(DISPUTE_REASONS)
        if collector is not None:
            owner, subject, scopes = {"owner_kind": "collector", "owner": collector}, collector, WORK
        else:
            owner, subject, scopes = (
                {"owner_kind": "department", "owner": "order-to-cash"},
                str(manager),
                MANAGE,
            )
        case = await self.api.post(
            "collections",
            f"/v1/accounts/{customer.customer_id}/disputes",
            {
                "items": [
                    {
                        "invoice_id": invoice.invoice_id,
                        "amount": erp.money(invoice.open, customer.entity.currency),
                    }
                ],
                "reason_code": reason,
                "root_cause_code": root_cause,
                **owner,
                "description": f"Customer disputes {invoice.number}",
            },
            subject=subject,
            scopes=scopes,
        )
        invoice.in_dispute, invoice.disputed, invoice.pay_on = True, False, None
        valid = rng.random() < 0.6
        self.disputes.append(
            OpenDispute(case["id"], customer, invoice, today + timedelta(days=rng.randint(5, 20)), valid)
        )
        self.tally.disputes += 1

    async def open_disputes(self, today: date, desk: Desk) -> None:
        """Customers who dispute an invoice but were not called raise it themselves 10 days past due."""
        for customer in self.customers_of(desk):
            for invoice in customer.invoices:
                if (
                    invoice.disputed
                    and invoice.open == invoice.amount
                    and invoice.invoice_id is not None
                    and invoice.due_date + timedelta(days=10) <= today
                ):
                    rng = self.rng_for("dispute", invoice.number)
                    await self.dispute(customer, invoice, today, rng, manager=desk.manager)

    async def resolve_disputes(self, today: date, desk: Desk) -> None:
        manager = desk.manager
        for case in [c for c in self.disputes if c.resolve_on <= today and c.customer.entity == desk.entity]:
            self.disputes.remove(case)
            path = f"/v1/disputes/{case.case_id}/status"
            await self.api.post(
                "collections", path, {"status": "under_review"}, subject=manager, scopes=MANAGE
            )
            status = "resolved_valid" if case.valid else "resolved_invalid"
            await self.api.post(
                "collections",
                path,
                {"status": status, "note": "checked the delivery documents"},
                subject=manager,
                scopes=MANAGE,
            )
            case.invoice.in_dispute = False
            if not case.valid:
                self.tally.disputes_invalid += 1
                case.invoice.pay_on = today + timedelta(
                    days=self.rng_for("paid", case.invoice.number).randint(3, 15)
                )
                continue
            self.tally.disputes_valid += 1
            detail = await self.api.get(
                "collections", f"/v1/disputes/{case.case_id}", subject=manager, scopes=MANAGE
            )
            for item in detail["items"]:
                if item["credit_request_id"]:
                    await erp.credit_memo(
                        self.api,
                        case.customer,
                        case.invoice,
                        Decimal(item["amount"]["amount"]),
                        today,
                        item["credit_request_id"],
                        case.case_id,
                        f"CM-{case.invoice.number}",
                    )
                    self.tally.credit_memos += 1

    async def issue_invoices(self, today: date, desk: Desk) -> None:
        since = self.issued_through.get(desk.entity.code, self.book.start - timedelta(days=1))
        due = [i for c in self.customers_of(desk) for i in c.invoices if since < i.issue_date <= today]
        if due:
            await erp.issue(self.api, self.book, due)
            self.tally.invoices += len(due)
        self.issued_through[desk.entity.code] = today

    async def receive_payments(self, today: date, desk: Desk) -> None:
        payers: dict[str, list[InvoicePlan]] = defaultdict(list)
        for customer in self.customers_of(desk):
            for invoice in customer.invoices:
                if (
                    invoice.pay_on is not None
                    and invoice.pay_on <= today
                    and invoice.open > 0
                    and not invoice.in_dispute
                    and invoice.invoice_id is not None
                ):
                    payers[customer.external_id].append(invoice)
        by_external = {c.external_id: c for c in self.book.customers}

        async def one(external_id: str, invoices: list[InvoicePlan]) -> None:
            customer = by_external[external_id]
            short = any(i.deduction and i.deduction < i.open for i in invoices)
            total = await erp.pay(
                self.api, customer, invoices, today, f"{self.book.run}-{external_id}-{today}"
            )
            self.tally.payments += 1
            self.tally.short_payments += short
            self.tally.add_cash(customer.entity.currency, total)

        await asyncio.gather(*(one(e, i) for e, i in payers.items()))

    async def take_orders(self, today: date, desk: Desk) -> None:
        """The order system asks credit about a few orders a day; refused ones wait in its queue."""
        rng = self.rng_for("orders", desk.entity.code, today)
        for customer in self.customers_of(desk):
            if rng.random() >= 0.02:
                continue
            amount = Decimal(rng.randint(5, 60) * 100)
            decision = await self.api.post(
                "credit",
                "/v1/credit-decisions",
                {
                    "order_reference": f"{self.book.run}-SO-{today:%m%d}-{customer.external_id}",
                    "customer_id": customer.customer_id,
                    "amount": erp.money(amount, customer.entity.currency),
                },
                subject="order-system",
                scopes=("credit:check",),
            )
            self.tally.orders[decision["status"]] += 1
