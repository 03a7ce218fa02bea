"""How a route takes an ERP file: the request body and the mapping parameters (reconciliation and
opening balances take the same)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from ar_ledger.erp_files.mappings import MAPPING_TEXT, MappingName
from ar_ledger.erp_files.reader import CSV, MAX_ROWS, XLSX
from ar_shared.inputs import Identifier
from ar_shared.request_guard import BULK_BODY

# an ERP export is larger than a JSON request: the bulk body cap (LEDGER_MAX_BULK_BODY_BYTES)
FILE_BODY: dict[str, Any] = {
    **BULK_BODY,
    "requestBody": {
        "required": True,
        "description": f"The ERP's open items, as exported: CSV or the first sheet of an XLSX workbook, at "
        f"most {MAX_ROWS:,} items and the bulk body cap (`LEDGER_MAX_BULK_BODY_BYTES`, 16 MiB by "
        "default). Column titles may sit below a few title lines.",
        "content": {
            CSV: {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    },
}
MappingQuery = Annotated[MappingName, Query(description=f"Which columns hold what. {MAPPING_TEXT}")]
ColumnsQuery = Annotated[
    Identifier | None,
    Query(
        max_length=1000,
        description="Other column titles for some fields, `field=Title` pairs separated by commas "
        "(fields: customer, document_number, document_date, due_date, amount, currency), e.g. "
        "`customer=Debitor,amount=Offener Betrag`",
    ),
]
