"""Ledger service: the receivables system of record (invoices, payments, aging, DSO)."""
