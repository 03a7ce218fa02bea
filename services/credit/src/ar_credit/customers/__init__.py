"""Customers as the credit service knows them (a projection of the ledger's)."""
