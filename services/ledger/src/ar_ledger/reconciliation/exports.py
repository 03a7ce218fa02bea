"""A reconciliation as CSV or XLSX: one line per document, then the totals per currency."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from ar_ledger.reconciliation.schemas import Reconciliation

HEADER = [
    "customer_external_id", "customer_name", "document_number", "status", "differences", "currency",
    "erp_rows", "erp_document_date", "erp_due_date", "erp_amount",
    "ledger_kind", "ledger_document_date", "ledger_due_date", "ledger_amount", "difference",
]  # fmt: skip
AMOUNTS = {"erp_amount", "ledger_amount", "difference"}


def _table(report: Reconciliation) -> list[list[str]]:
    rows = [HEADER]
    for customer in report.customers:
        for item in customer.items:
            erp, ledger = item.erp, item.ledger
            rows.append(
                [
                    customer.customer_external_id, customer.name or "", item.document_number, item.status,
                    " ".join(item.differences), item.currency,
                    " ".join(map(str, erp.rows)) if erp else "",
                    erp.document_date.isoformat() if erp else "",
                    erp.due_date.isoformat() if erp else "",
                    erp.amount if erp else "",
                    ledger.kind if ledger else "",
                    ledger.document_date.isoformat() if ledger else "",
                    ledger.due_date.isoformat() if ledger and ledger.due_date else "",
                    ledger.amount if ledger else "",
                    item.difference or "",
                ]
            )  # fmt: skip
    for total in report.totals:
        line = dict.fromkeys(HEADER, "")
        line |= {"customer_external_id": "TOTAL", "currency": total.currency, "erp_amount": total.erp_total}
        line |= {"ledger_amount": total.ledger_total, "difference": total.difference}
        rows.append(list(line.values()))
    return rows


def _title(report: Reconciliation) -> str:
    return f"Reconciliation with the ERP as of {report.as_of.isoformat()} ({report.mapping}, {report.scope})"


def reconciliation_csv(report: Reconciliation) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_title(report)])
    writer.writerows(_table(report))
    return out.getvalue()


def reconciliation_xlsx(report: Reconciliation) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Reconciliation {report.as_of.isoformat()}"
    sheet.append([_title(report)])
    table = _table(report)
    sheet.append(table[0])
    numeric = {i for i, name in enumerate(HEADER) if name in AMOUNTS}
    for row in table[1:]:
        # amounts go in as numbers (Decimal) so the spreadsheet can sum them
        sheet.append([Decimal(v) if i in numeric and v else v for i, v in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
