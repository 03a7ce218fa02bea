"""Reading ERP open-item files (pure): amounts as ERPs write them, encodings, and the comparison."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_ledger.domain.reconciliation import STATUSES, ErpItem, LedgerItem, compare, totals
from ar_ledger.erp_files.mappings import MAPPINGS
from ar_ledger.erp_files.reader import read_items
from ar_shared.problems import ProblemError

SAP = MAPPINGS["sap_line_items"]
SAP_DE = MAPPINGS["sap_line_items_de"]


def one_amount(cell: str, mapping_name: str = "sap_line_items") -> int:
    mapping = MAPPINGS[mapping_name]
    titles = [mapping.headers[f][0] for f in ("customer", "document_number", "document_date", "due_date")]
    titles += [mapping.headers["amount"][0], mapping.headers["currency"][0]]
    content = ";".join(titles) + f"\nC1;D1;2026-01-01;2026-01-31;{cell};EUR\n"
    [item] = read_items(content.encode(), "text/csv", mapping)
    return item.amount_minor


@pytest.mark.parametrize(
    ("cell", "minor"),
    [("1,234.56", 123456), ("1,234.56-", -123456), ("(1,234.56)", -123456), ("-0.50", -50), ("1234", 123400),
     ("1 234.56", 123456), ("12,345,678.90", 1234567890)],
)  # fmt: skip
def test_amounts_as_sap_writes_them_with_a_decimal_point(cell: str, minor: int) -> None:
    assert one_amount(cell) == minor


@pytest.mark.parametrize(("cell", "minor"), [("1.234,56-", -123456), ("1234,5", 123450), ("0,01", 1)])
def test_amounts_with_a_decimal_comma(cell: str, minor: int) -> None:
    assert one_amount(cell, "sap_line_items_de") == minor


@pytest.mark.parametrize("cell", ["1.190,00", "12,34", "1,23,456.00", "1.2.3", "abc", "", "1.234"])
def test_an_amount_that_could_be_misread_is_refused_not_guessed(cell: str) -> None:
    with pytest.raises(ProblemError) as refused:
        one_amount(cell)
    assert refused.value.errors[0].field == "rows.2.amount"


def test_a_windows_csv_with_umlauts_in_the_titles_is_read() -> None:
    content = "Kunde;Belegnummer;Belegdatum;Nettofälligkeit;Betrag in Belegwährung;Belegwährung\n"
    content += "C1;4711;01.02.2026;03.03.2026;1.190,00;eur\n"
    [item] = read_items(content.encode("cp1252"), "text/csv", SAP_DE)
    assert item == ErpItem(2, "C1", "4711", date(2026, 2, 1), date(2026, 3, 3), 119000, "EUR")


ledger_items = st.lists(
    st.builds(
        LedgerItem,
        customer=st.sampled_from(["A", "B"]),
        document_number=st.sampled_from(["1", "2", "3", "4"]),
        kind=st.just("invoice"),
        document_id=st.builds(uuid.uuid4),
        document_date=st.just(date(2026, 1, 1)),
        due_date=st.sampled_from([date(2026, 1, 31), date(2026, 2, 28)]),
        amount_minor=st.integers(min_value=1, max_value=10_000),
        currency=st.just("EUR"),
    ),
    unique_by=lambda i: (i.customer, i.document_number),
)
erp_items = st.lists(
    st.builds(
        ErpItem,
        row=st.integers(min_value=2, max_value=100),
        customer=st.sampled_from(["A", "B", "C"]),
        document_number=st.sampled_from(["1", "2", "3", "4", "5"]),
        document_date=st.just(date(2026, 1, 1)),
        due_date=st.sampled_from([date(2026, 1, 31), date(2026, 2, 28)]),
        amount_minor=st.integers(min_value=1, max_value=10_000),
        currency=st.just("EUR"),
    )
)


@given(erp_items, ledger_items)
def test_every_document_of_either_side_is_compared_once_and_the_totals_add_up(
    erp: list[ErpItem], ledger: list[LedgerItem]
) -> None:
    compared = compare(erp, ledger)
    keys = [(c.customer, c.document_number) for c in compared]
    documents = {(i.customer, i.document_number) for i in erp} | {
        (i.customer, i.document_number) for i in ledger
    }
    assert len(keys) == len(set(keys)) == len(documents)
    [total] = totals(compared) if compared else [None]
    if total is None:
        return
    assert total.erp_minor == sum(i.amount_minor for i in erp)
    assert total.ledger_minor == sum(i.amount_minor for i in ledger)
    assert sum(total.by_status[s].count for s in STATUSES) == len(compared)
    for c in compared:
        assert (c.status == "matched") == (c.erp is not None and c.ledger is not None and not c.differences)
