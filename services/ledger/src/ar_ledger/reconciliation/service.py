"""Runs a reconciliation: reads the file, gathers the ledger's open items, compares, totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ar_ledger.customers.repository import CustomerRepository
from ar_ledger.customers.service import resolve_scope
from ar_ledger.domain.reconciliation import STATUSES, Compared, CurrencyTotal, LedgerItem, compare, totals
from ar_ledger.erp_files.mappings import ColumnMapping
from ar_ledger.erp_files.reader import read_items
from ar_ledger.filters import ReportScope, ResolvedScope
from ar_ledger.models import Customer
from ar_ledger.reconciliation.schemas import (
    CurrencyTotals,
    CustomerReconciliation,
    ErpSide,
    LedgerSide,
    ReconciledItem,
    Reconciliation,
    StatusTotals,
)
from ar_ledger.reports.repository import ReportRepository
from ar_shared.money import currency_exponent, format_minor
from ar_shared.problems import FieldError, Unprocessable


async def reconcile(
    session: AsyncSession,
    content: bytes,
    media_type: str,
    mapping: ColumnMapping,
    as_of: date,
    wanted: ReportScope,
    *,
    only_differences: bool = False,
) -> Reconciliation:
    items = read_items(content, media_type, mapping)
    scope = await resolve_scope(session, wanted)
    customers = CustomerRepository(session)
    known = {c.external_id: c for c in await customers.by_external_ids({i.customer for i in items})}
    items = [i for i in items if _in_scope(known.get(i.customer), scope)]
    ledger = await ledger_items(session, as_of, scope)
    known |= {c.external_id: c for c in await customers.by_external_ids({i.customer for i in ledger})}
    try:
        compared = compare(items, ledger)
    except ValueError as exc:  # one document in two currencies
        error = FieldError(field="file", message=str(exc), code="mixed_currencies")
        raise Unprocessable(str(exc), code="invalid_file_rows", errors=[error]) from None
    by_customer: dict[str, list[Compared]] = defaultdict(list)
    for item in compared:
        by_customer[item.customer].append(item)
    return Reconciliation(
        as_of=as_of,
        mapping=mapping.name,
        scope=scope.label,
        totals=[_currency_totals(t) for t in totals(compared)],
        customers=[
            _customer(external_id, known.get(external_id), lines, only_differences)
            for external_id, lines in sorted(by_customer.items())
            if not only_differences or any(line.status != "matched" for line in lines)
        ],
    )


def _in_scope(customer: Customer | None, scope: ResolvedScope) -> bool:
    """ERP lines of a customer the ledger places outside the scope are left out; an unknown
    customer stays (its lines are ERP only), unless one customer was asked for."""
    if customer is None:
        return scope.customer_id is None
    return (
        (scope.customer_id is None or customer.id == scope.customer_id)
        and (scope.business_entity is None or customer.business_entity == scope.business_entity)
        and (scope.sales_rep is None or customer.sales_rep == scope.sales_rep)
    )


async def ledger_items(session: AsyncSession, as_of: date, scope: ResolvedScope) -> list[LedgerItem]:
    """Open invoices (+) and unapplied credit memos and payments (-) as of a date, by ERP id."""
    reports = ReportRepository(session, fast_path=False)
    invoices = await reports.open_items(as_of, scope)
    credits = await reports.unapplied_sources(as_of, scope)
    ids = {i.customer_id for i in invoices} | {c.customer_id for c in credits}
    external = {c.id: c.external_id for c in await CustomerRepository(session).by_ids(ids)}
    debits = [
        LedgerItem(
            external[i.customer_id], i.invoice_number, "invoice", i.id, i.issue_date, i.due_date,
            i.open_minor, i.currency,
        )
        for i in invoices
    ]  # fmt: skip
    return debits + [
        LedgerItem(
            external[c.customer_id], c.document_number, c.kind, c.id, c.document_date, None,
            -c.unapplied_minor, c.currency,
        )
        for c in credits
    ]  # fmt: skip


def _amount(minor: int, currency: str) -> str:
    return format_minor(minor, currency_exponent(currency))


def _currency_totals(total: CurrencyTotal) -> CurrencyTotals:
    by_status = {
        name: StatusTotals(
            count=part.count,
            erp_amount=_amount(part.erp_minor, total.currency),
            ledger_amount=_amount(part.ledger_minor, total.currency),
        )
        for name in STATUSES
        for part in [total.by_status[name]]
    }
    return CurrencyTotals(
        currency=total.currency,
        erp_total=_amount(total.erp_minor, total.currency),
        ledger_total=_amount(total.ledger_minor, total.currency),
        difference=_amount(total.difference_minor, total.currency),
        **by_status,
    )


def _item(compared: Compared) -> ReconciledItem:
    erp, ledger = compared.erp, compared.ledger
    currency = erp.currency if erp is not None else ledger.currency if ledger is not None else ""
    same = erp is None or ledger is None or erp.currency == ledger.currency
    difference = (erp.amount_minor if erp else 0) - (ledger.amount_minor if ledger else 0)
    return ReconciledItem(
        document_number=compared.document_number,
        status=compared.status,
        differences=list(compared.differences),
        currency=currency,
        erp=None
        if erp is None
        else ErpSide(
            rows=list(erp.rows),
            document_date=erp.document_date,
            due_date=erp.due_date,
            amount=_amount(erp.amount_minor, erp.currency),
        ),
        ledger=None
        if ledger is None
        else LedgerSide(
            kind=ledger.kind,
            document_id=ledger.document_id,
            document_date=ledger.document_date,
            due_date=ledger.due_date,
            amount=_amount(ledger.amount_minor, ledger.currency),
        ),
        difference=_amount(difference, currency) if same else None,
    )


def _customer(
    external_id: str, customer: Customer | None, lines: Sequence[Compared], only_differences: bool
) -> CustomerReconciliation:
    return CustomerReconciliation(
        customer_external_id=external_id,
        customer_id=customer.id if customer else None,
        name=customer.name if customer else None,
        totals=[_currency_totals(t) for t in totals(lines)],
        items=[_item(line) for line in lines if not only_differences or line.status != "matched"],
    )
