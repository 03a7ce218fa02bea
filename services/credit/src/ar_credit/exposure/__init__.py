"""Exposure: the credit service's picture of what each customer owes, kept from ledger events."""
