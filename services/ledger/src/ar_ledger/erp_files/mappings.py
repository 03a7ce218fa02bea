"""Which column of an ERP's open-items file holds what: the shipped mappings and overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from ar_shared.problems import FieldError, ProblemError

Field = Literal["customer", "document_number", "document_date", "due_date", "amount", "currency"]
FIELDS: tuple[Field, ...] = ("customer", "document_number", "document_date", "due_date", "amount", "currency")


@dataclass(frozen=True)
class ColumnMapping:
    """Per field, the header names that may title its column (compared ignoring case and
    spacing); how amounts write their decimals; which date formats may appear."""

    name: str
    headers: dict[Field, tuple[str, ...]]
    decimal_separator: Literal[".", ","]
    date_formats: tuple[str, ...]


ISO_AND_DOTTED = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y")

MAPPINGS: dict[str, ColumnMapping] = {
    # the platform's own column names, ISO dates, decimal point
    "ledger": ColumnMapping(
        name="ledger",
        headers={
            "customer": ("customer_external_id",),
            "document_number": ("document_number", "invoice_number"),
            "document_date": ("document_date", "issue_date"),
            "due_date": ("due_date",),
            "amount": ("amount", "open_amount"),
            "currency": ("currency",),
        },
        decimal_separator=".",
        date_formats=("%Y-%m-%d",),
    ),
    # SAP customer line items (FBL5N, "Spreadsheet" export), English column titles: amounts like
    # 1,234.56 with a trailing minus for credits, dates as 31.12.2026 (or ISO)
    "sap_line_items": ColumnMapping(
        name="sap_line_items",
        headers={
            "customer": ("Customer", "Account", "Customer Account"),
            "document_number": ("Document Number", "DocumentNo", "Document No.", "Doc. Number"),
            "document_date": ("Document Date", "Doc. Date", "Doc..Date"),
            "due_date": ("Net due date", "Net Due Date", "Due Date", "Net Due Dt"),
            "amount": ("Amount in doc. curr.", "Amount in DC", "Amount in Doc. Curr.", "Amount"),
            "currency": ("Document currency", "Curr.", "Currency", "Document Currency"),
        },
        decimal_separator=".",
        date_formats=(*ISO_AND_DOTTED, "%m/%d/%Y"),
    ),
    # the same list exported with German column titles and decimal comma: 1.234,56-
    "sap_line_items_de": ColumnMapping(
        name="sap_line_items_de",
        headers={
            "customer": ("Kunde", "Konto", "Debitor"),
            "document_number": ("Belegnummer", "Belegnr.", "Belegnr"),
            "document_date": ("Belegdatum", "Belegdat."),
            "due_date": ("Nettofälligkeit", "Nettofälligkeitsdatum", "Fälligkeit netto"),
            "amount": ("Betrag in Belegwährung", "Betrag in BW", "Betrag"),
            "currency": ("Belegwährung", "Währung", "Währg"),
        },
        decimal_separator=",",
        date_formats=ISO_AND_DOTTED,
    ),
}

MappingName = Literal["ledger", "sap_line_items", "sap_line_items_de"]

MAPPING_TEXT = (
    "`ledger`: columns customer_external_id, document_number (or invoice_number), document_date (or "
    "issue_date), due_date, amount (or open_amount), currency; ISO dates; decimal point. "
    "`sap_line_items`: SAP's customer line items (FBL5N) exported to a spreadsheet with English "
    "titles: Customer (or Account), Document Number, Document Date, Net due date, Amount in doc. "
    "curr., Document currency; dates 31.12.2026 or ISO; amounts 1,234.56 with a trailing minus for "
    "credits. `sap_line_items_de`: the same with German titles (Kunde or Konto, Belegnummer, "
    "Belegdatum, Nettofälligkeit, Betrag in Belegwährung, Belegwährung) and amounts 1.234,56-."
)


def normalised(header: object) -> str:
    return re.sub(r"\s+", " ", str(header or "")).strip().casefold()


def with_overrides(mapping: ColumnMapping, columns: str | None) -> ColumnMapping:
    """`columns` names other titles for some fields: `customer=Kunde,amount=Offener Betrag`."""
    if not columns:
        return mapping
    headers = dict(mapping.headers)
    errors = []
    for part in columns.split(","):
        field, _, title = part.partition("=")
        field, title = field.strip(), title.strip()
        if field not in FIELDS or not title:
            errors.append(
                FieldError(
                    field="columns",
                    message=f"{part.strip()!r}: write field=Column title; fields: {', '.join(FIELDS)}",
                    code="invalid_column_mapping",
                )
            )
            continue
        headers[field] = (title,)
    if errors:
        raise ProblemError(
            "the column mapping is invalid", status=422, code="invalid_column_mapping", errors=errors
        )
    return replace(mapping, headers=headers)
